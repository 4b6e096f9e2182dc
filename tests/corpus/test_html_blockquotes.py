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


# An article of ordinary paragraphs around the block: the extractor moves or runs together a short page's
# wrapped blocks
BEFORE = ("Moscow hardened its line this week, officials in Brussels said on Monday after the talks ended without "
          "a date for the next round.")
AFTER = ("Nobody in Brussels expects a deal before the spring, diplomats said, and several capitals are preparing "
         "a further package of measures.")


def read_article(tmp_path: Path, block: str) -> tuple[str, list, dict[str, tuple[str, str | None, str]]]:
    page = ("<html><head><title>Moscow digs in over sanctions</title></head><body><article>"
            f"<h1>Moscow digs in over sanctions</h1><p>By Jana Kovac</p><p>{BEFORE}</p><p>Lavrov wrote on Monday:</p>"
            f"{block}<p>{AFTER}</p><p>{AFTER.replace('Brussels', 'Paris')}</p></article></body></html>")
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    claims = extract_claims(doc)
    assert all(c.text == doc.text[c.start:c.end] for c in claims)
    hint = doc.meta.get("voices", {}).get("quote_blocks", [])
    return doc.text, hint, {c.text: (c.speaker, c.speaker_name, c.reason) for c in claims}


# Facebook's embedded post and video snippets as its plugin pages give them (the post's text shown), and the
# fallback <blockquote> alone or in a bare <div> (a site that rewrote the snippet)
FB_URL = "https://www.facebook.com/MIDRussia/posts/pfbid02xYz"
FB_POSTED = (f'Posted by <a href="https://www.facebook.com/MIDRussia">MFA Russia</a> on&nbsp;'
             f'<a href="{FB_URL}">Thursday, March 12, 2026</a>')
FACEBOOK = [
    f'<div id="fb-root"></div><script async defer crossorigin="anonymous" '
    f'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&version=v18.0"></script>'
    f'<div class="fb-post" data-href="{FB_URL}" data-width="500" data-show-text="true"><blockquote cite="{FB_URL}" '
    f'class="fb-xfbml-parse-ignore"><p>{QUOTE}</p>{FB_POSTED}</blockquote></div>',
    '<div class="fb-video" data-href="https://www.facebook.com/MIDRussia/videos/1015323137/" data-width="500" '
    'data-show-text="true"><blockquote cite="https://developers.facebook.com/MIDRussia/videos/1015323137/" '
    'class="fb-xfbml-parse-ignore"><a href="https://developers.facebook.com/MIDRussia/videos/1015323137/">'
    f'Briefing on Thursday</a><p>{QUOTE}</p>Posted by <a href="https://www.facebook.com/MIDRussia/">MFA Russia</a> '
    'on Thursday, March 12, 2026</blockquote></div>',
    f'<blockquote cite="{FB_URL}" class="fb-xfbml-parse-ignore"><p>{QUOTE}</p>{FB_POSTED}</blockquote>',
    # a video's title linked otherwise than its cite, a link that cannot be read, the poster's profile
    '<div class="fb-video" data-href="https://www.facebook.com/MIDRussia/videos/1015323137/"><blockquote '
    'cite="https://www.facebook.com/MIDRussia/videos/1015323137/" class="fb-xfbml-parse-ignore"><a '
    'href="https://www.facebook.com/watch/?v=1015323137">Briefing on Thursday</a><a href="http://[bad">a</a>'
    f'<p>{QUOTE}</p>Posted by <a href="https://web.facebook.com/people/MFA-Russia/100064123/">MFA Russia</a> '
    'on Thursday, March 12, 2026</blockquote></div>',
    f'<div class="fb-post" data-href="{FB_URL}"><blockquote><p>{QUOTE}</p>{FB_POSTED}</blockquote></div>',
]


@pytest.mark.parametrize("embed", FACEBOOK)
def test_a_facebook_post_is_its_poster_s_not_whom_the_lead_in_names(tmp_path: Path, embed: str) -> None:
    text, hint, found = read_article(tmp_path, embed)
    start = text.index(QUOTE)
    assert hint == [[start, start + len(QUOTE), "MFA Russia"]]   # was no name: a quotation block of Lavrov's
    assert found[QUOTE][:2] == (QUOTED, "MFA Russia")
    assert found["Posted by MFA Russia on Thursday, March 12, 2026"][2] == "heading"   # its loose line, as before
    if "fb-video" not in embed:   # a video's title, a line of its own, stands between the lead-in and the post
        assert found["Lavrov wrote on Monday:"][:2] == (AUTHOR, "Jana Kovac")


@pytest.mark.parametrize("wrapper", [
    '<article class="post-embed-free">', '<div class="fb-quote">', '<div class="fb-like">',
    '<div class="facebook-post">', '<div class="fb-posts">', '<div class="fb-post-wrapper">', '<div id="fb-post-1">',
    '<section class="video-post">',
    '<div class="post">', '<div class="post-body">',
])
def test_a_wrapper_that_is_no_facebook_snippet_s_leaves_a_quotation_block(tmp_path: Path, wrapper: str) -> None:
    tag = wrapper[1:].split()[0].rstrip(">")
    text, hint, found = read_article(tmp_path, f"{wrapper}<blockquote><p>{QUOTE}</p>{FB_POSTED}</blockquote></{tag}>")
    start = text.index(QUOTE)
    assert hint == [[start, start + len(QUOTE)]]   # marked, named by no link in it
    # by its lead-in; the extractor takes a "post" or "post-body" block for the story and sets it first
    first = wrapper in ('<div class="post">', '<div class="post-body">')
    assert found[QUOTE][:2] == (QUOTED, None if first else "Lavrov")


def test_a_facebook_post_whose_poster_the_page_does_not_link_stays_a_quotation_block(tmp_path: Path) -> None:
    text, hint, found = read_article(tmp_path, f'<div class="fb-post" data-href="{FB_URL}"><blockquote cite="{FB_URL}" '
                                       f'class="fb-xfbml-parse-ignore"><p>{QUOTE}</p>Posted by MFA Russia on '
                                       f'<a href="{FB_URL}">Thursday, March 12, 2026</a></blockquote></div>')
    start = text.index(QUOTE)
    assert hint == [[start, start + len(QUOTE)]]
    assert found[QUOTE][:2] == (QUOTED, "Lavrov")   # as before: read as a quotation block, by its lead-in


def test_a_figure_s_blockquote_signed_by_its_figcaption_is_not_in_an_article_s_text(tmp_path: Path) -> None:
    # The HTML spec's form: the extractor drops a <figure> whole in an article of ordinary paragraphs, so
    # there is nothing to mark or name (were it kept, its figcaption would sign it as a footer does)
    text, hint, _ = read_article(
        tmp_path, f"<figure><blockquote><p>{QUOTE}</p></blockquote><figcaption>— Maria Zakharova</figcaption></figure>")
    assert QUOTE not in text and "Maria Zakharova" not in text and hint == []
    assert text.index("Lavrov wrote on Monday:") < text.index(AFTER)
