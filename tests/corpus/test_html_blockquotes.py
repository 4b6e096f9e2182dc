"""An HTML page's <blockquote>s: which the reader marks as quotation blocks (not an embedded post's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.records import AUTHOR, QUOTED

QUOTE = "The West has lied to us for thirty years."


def page_with(blockquote: str) -> str:
    return ("<html><head><title>Moscow digs in</title></head><body><article><h1>Moscow digs in</h1>"
            "<p>By Jana Kovac</p><p>Moscow hardened its line this week. Lavrov wrote on Monday:</p>"
            f"{blockquote}<p>Nobody in Brussels expects a deal before the spring.</p></article></body></html>")


def marked(tmp_path: Path, page: str, words: str = QUOTE) -> bool:
    """Is ``words`` in a span the reader hints as a quotation block?"""
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    at = doc.text.index(words)
    return any(s <= at < e for s, e in doc.meta.get("voices", {}).get("quote_blocks", []))


# The class and id the platforms' embed snippets set on their <blockquote> (their content here a paragraph),
# and a site's own words for one.
EMBEDS = [
    'class="twitter-tweet" data-lang="en"', 'class="twitter-tweet tw-align-center"', 'class="twitter-video"',
    'class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/X/" data-instgrm-version="14"',
    'class="tiktok-embed" cite="https://www.tiktok.com/@x/video/1" data-video-id="1"',
    'class="bluesky-embed" data-bluesky-uri="at://did:plc:x/app.bsky.feed.post/3k"',
    'class="text-post-media" data-text-post-permalink="https://www.threads.net/@x/post/C1" id="ig-tp-C1"',
    'class="reddit-embed-bq" data-embed-height="316"', 'class="reddit-card"',
    'class="mastodon-embed" data-embed-url="https://mastodon.social/@x/1/embed"',
    'class="wp-embedded-content" data-secret="abc"', 'class="embedly-card"',
    'class="tweet"', 'class="telegram-post"', 'id="telegram-post-durov-43"', 'class="embed"', 'class="quote-embed"',
]
# A writer's own quotation whose class or id only holds a platform's name or "embed".
NEAR_MISSES = ['class="pull-embedded"', 'class="article-embedded-note"', 'class="threadsafe"', 'class="redditorial"',
               'class="tweetable-quote"', 'class="click-to-tweet"', 'class="embedded"', 'id="instagrammable"',
               'class="blockquote"']


@pytest.mark.parametrize("attrs", EMBEDS)
def test_an_embedded_post_s_blockquote_is_not_marked_a_quotation_block(tmp_path: Path, attrs: str) -> None:
    assert not marked(tmp_path, page_with(f"<blockquote {attrs}><p>{QUOTE}</p></blockquote>"))


@pytest.mark.parametrize("attrs", NEAR_MISSES)
def test_a_class_that_only_holds_a_platform_s_name_is_a_quotation_block(tmp_path: Path, attrs: str) -> None:
    assert marked(tmp_path, page_with(f"<blockquote {attrs}><p>{QUOTE}</p></blockquote>"))


def test_a_writer_s_pull_embedded_blockquote_is_whom_its_lead_in_names(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(page_with(f'<blockquote class="pull-embedded"><p>{QUOTE}</p></blockquote>'),
                                     encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    found = {c.text: (c.speaker, c.speaker_name) for c in extract_claims(doc)}
    assert found["Lavrov wrote on Monday:"] == (AUTHOR, "Jana Kovac")
    assert found[QUOTE] == (QUOTED, "Lavrov")   # was the writer's: read as an embedded post with no signature


def read(tmp_path: Path, blockquote: str) -> tuple[str, list, dict[str, tuple[str, str | None, str]]]:
    """The page's text, its quote_blocks hint and each sentence's (speaker, name, reason)."""
    (tmp_path / "p.html").write_text(page_with(blockquote), encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    claims = extract_claims(doc)
    assert all(c.text == doc.text[c.start:c.end] for c in claims)
    hint = doc.meta.get("voices", {}).get("quote_blocks", [])
    return doc.text, hint, {c.text: (c.speaker, c.speaker_name, c.reason) for c in claims}


TEXT = ("Moscow digs in\nBy Jana Kovac\nMoscow hardened its line this week. Lavrov wrote on Monday:\n"
        "The West has lied to us for thirty years.\nNobody in Brussels expects a deal before the spring.")


@pytest.mark.parametrize("signature, name", [
    ("<footer>— <cite>Maria Zakharova</cite></footer>", "Maria Zakharova"),
    ("<footer>&mdash; Maria Zakharova, Foreign Ministry spokeswoman</footer>", "Maria Zakharova"),
    ("<footer>Maria Zakharova<br>Foreign Ministry spokeswoman</footer>", "Maria Zakharova"),
    ("<footer><p>— Сергей Лавров</p></footer>", "Сергей Лавров"),
    ('<footer class="blockquote-footer">Maria Zakharova in <cite title="Izvestia">Izvestia</cite></footer>',
     "Maria Zakharova"),
    ("<footer>— Leo Tolstoy, <cite>Anna Karenina</cite></footer>", "Leo Tolstoy"),   # a work's title: the name before it
])
def test_a_blockquote_s_footer_signature_names_it_though_the_extractor_drops_it(
        tmp_path: Path, signature: str, name: str) -> None:
    text, hint, found = read(tmp_path, f"<blockquote><p>{QUOTE}</p>{signature}</blockquote>")
    assert text == TEXT   # the footer is not in the text: text and offsets as the extractor writes them
    start = text.index(QUOTE)
    assert hint == [[start, start + len(QUOTE), name]]
    assert found[QUOTE][:2] == (QUOTED, name)   # as a '> — Maria Zakharova' line does; was Lavrov, by the lead-in
    assert found["Lavrov wrote on Monday:"][:2] == (AUTHOR, "Jana Kovac")


@pytest.mark.parametrize("cite", ["<cite>— Maria Zakharova</cite>", "<cite>Maria Zakharova</cite>"])
def test_a_closing_cite_the_extractor_keeps_is_the_block_s_byline_once(tmp_path: Path, cite: str) -> None:
    text, hint, found = read(tmp_path, f"<blockquote><p>{QUOTE}</p>{cite}</blockquote>")
    line = cite.removeprefix("<cite>").removesuffix("</cite>")
    assert text == TEXT.replace(f"{QUOTE}\n", f"{QUOTE}\n{line}\n")   # kept as a line of its own
    start = text.index(QUOTE)
    assert hint == [[start, text.index(line) + len(line), "Maria Zakharova"]]   # the line in the block
    assert found[QUOTE][:2] == (QUOTED, "Maria Zakharova")
    # the line is the block's byline (was the writer's heading), the one line naming her
    assert found[line] == (QUOTED, "Maria Zakharova", "byline")
    assert [said for said, who in found.items() if who[2] == "byline"] == ["By Jana Kovac", line]


@pytest.mark.parametrize("blockquote", [
    f"<blockquote><p>{QUOTE}</p><footer>Source: TASS</footer></blockquote>",   # a label, no one's name
    f"<blockquote><p>{QUOTE}</p><footer>Posted on March 11, 2026</footer></blockquote>",
    f"<blockquote><p>{QUOTE}</p><p>As <cite>Anna Karenina</cite> opens, all happy families are alike.</p></blockquote>",
    f'<blockquote class="twitter-tweet"><p>{QUOTE}</p><footer>— Maria Zakharova</footer></blockquote>',   # a post's
])
def test_a_footer_or_cite_that_names_no_one_leaves_the_block_to_its_lead_in(tmp_path: Path, blockquote: str) -> None:
    _, hint, found = read(tmp_path, blockquote)
    assert all(len(span) == 2 for span in hint)
    assert found[QUOTE][1] != "Maria Zakharova"


XHTML = '<?xml version="1.0" encoding="utf-8"?>\n'


@pytest.mark.parametrize("declaration", [XHTML, "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\r\n"])
def test_an_xhtml_page_s_blockquote_is_marked_and_signed_as_another_page_s(tmp_path: Path, declaration: str) -> None:
    blockquote = f"<blockquote><p>{QUOTE}</p><footer>— <cite>Maria Zakharova</cite></footer></blockquote>"
    (tmp_path / "p.html").write_text(declaration + page_with(blockquote), encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    assert doc.text == TEXT
    start = TEXT.index(QUOTE)
    # was no hint: lxml parses no str that declares its encoding
    assert doc.meta["voices"]["quote_blocks"] == [[start, start + len(QUOTE), "Maria Zakharova"]]
    assert {c.text: c.speaker_name for c in extract_claims(doc)}[QUOTE] == "Maria Zakharova"


@pytest.mark.parametrize("odd", ["\x01", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_a_control_character_after_a_br_leaves_the_text_as_extracted_without_a_traceback(
        tmp_path: Path, odd: str) -> None:
    def text(page: str) -> str:
        (tmp_path / "p.html").write_text(page, encoding="utf-8")
        [doc] = read_documents([str(tmp_path / "p.html")])
        return doc.text

    lines = "<blockquote><p>The West has lied to us.<br>{}Europe will freeze this winter.</p></blockquote>"
    # raised ValueError (lxml refuses to set a <br>'s tail holding it); the extractor drops the character
    assert text(page_with(lines.format(odd))) == text(page_with(lines.format("")))
