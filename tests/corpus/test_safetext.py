"""Text from the data made safe for HTML, Markdown and the terminal."""

from __future__ import annotations

from corpus.safetext import html_text, markdown_text, visible


def test_html_text_escapes_and_drops_bidi_controls():
    assert html_text('<img src=x onerror="a()">\u202e') == "&lt;img src=x onerror=&quot;a()&quot;&gt;"
    assert html_text(None) == "" and html_text(3) == "3"


def test_markdown_text_keeps_a_table_cell_one_inert_cell():
    assert markdown_text("a|b <script>x</script>\nnext\u2067") == "a\\|b &lt;script&gt;x&lt;/script&gt; next"
    assert markdown_text('say "so" & go') == 'say "so" &amp; go'
    assert markdown_text("one\rtwo\r\nthree") == "one two three"   # a bare carriage return ends a line too
    assert markdown_text("![x](http://t.example/p.png) [go](javascript:x)") == (
        "!\\[x\\](http://t.example/p.png) \\[go\\](javascript:x)")   # no remote image, no live link


def test_visible_writes_terminal_controls_as_escapes():
    assert visible("\x1b[2J\u202eok\n") == "\\x1b[2J\\u202eok\n"
