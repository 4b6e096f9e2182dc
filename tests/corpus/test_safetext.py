"""Text from the data made safe for HTML, Markdown and the terminal."""

from __future__ import annotations

from corpus.safetext import html_text, markdown_text, marked, text_offset, visible


def test_html_text_escapes_and_shows_bidi_controls_as_markers():
    assert html_text('<img src=x onerror="a()">\u202e') == "&lt;img src=x onerror=&quot;a()&quot;&gt;⟨U+202E⟩"
    assert html_text(None) == "" and html_text(3) == "3"
    # every bidi control: embeddings, overrides, isolates and the two marks
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
    assert marked("a" + controls + "b") == "a" + "".join(f"⟨U+{ord(c):04X}⟩" for c in controls) + "b"
    assert marked("plain \u200d joiner") == "plain \u200d joiner"   # a zero-width joiner reorders nothing


def test_an_offset_in_the_marked_text_maps_back_to_the_text():
    text = "ab\u202ecd"
    shown = marked(text)   # "ab⟨U+202E⟩cd"
    assert [text_offset(text, i) for i in (0, 2, 3, 10, 11, 12)] == [0, 2, 2, 3, 4, 5]
    # a span touching a marker keeps its control; one ending where a marker starts does not
    assert text_offset(text, 5, end=True) == 3 and text_offset(text, 2, end=True) == 2
    assert text[text_offset(text, shown.index("cd")):text_offset(text, len(shown), end=True)] == "cd"


def test_markdown_text_keeps_a_table_cell_one_inert_cell():
    assert markdown_text("a|b <script>x</script>\nnext\u2067") == "a\\|b &lt;script&gt;x&lt;/script&gt; next⟨U+2067⟩"
    assert markdown_text('say "so" & go') == 'say "so" &amp; go'
    assert markdown_text("one\rtwo\r\nthree") == "one two three"   # a bare carriage return ends a line too
    assert markdown_text("![x](http://t.example/p.png) [go](javascript:x)") == (
        "!\\[x\\](http://t.example/p.png) \\[go\\](javascript:x)")   # no remote image, no live link


def test_visible_writes_terminal_controls_as_escapes():
    assert visible("\x1b[2J\u202eok\n") == "\\x1b[2J\\u202eok\n"
