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
