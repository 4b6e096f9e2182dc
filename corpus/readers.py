"""Readers: files, directories, JSONL and CSV in; Documents out, with manifest metadata attached.

Every problem with one input (empty, binary, not UTF-8, too big, unreadable, a bad JSONL line or CSV
row, an unknown format, a missing CSV column, a directory with nothing to read, a JSONL file of stance's
own outputs) becomes a ``Skipped``
record naming the input and the fix; the other inputs still go through. Every format is first
sniffed the same way, so a binary file is one skip whatever its name. Offsets later point into ``Document.text`` exactly as
read here (for HTML: the main text extracted from the page, which ``stance claims --documents`` saves, with the
page's ``<h1>`` and standfirst put back in front when the extractor kept only the story's container). A page's
headline opening that text is hinted (``headline_end``) so that it is flagged a ``headline`` (a statement, not a
claim); so are a Markdown file's ``# Title`` and a text file's first line when it is the title its manifest entry
(or its front matter) gives. What a page sets in a ``<blockquote>`` (trafilatura keeps its words, not the mark) is
hinted as spans of that text (``quote_blocks``), each with the name its ``<footer>`` or closing ``<cite>`` signs
it with, read as ``>`` blocks and their signature lines are (``corpus.quote_blocks``).

Here: each file format read into Documents (plain text, Markdown and its front matter, HTML pages
through trafilatura) and the documents of all inputs streamed. JSONL and CSV rows are read in
``corpus.row_readers``, Telegram Desktop exports in ``corpus.telegram``; the files to read are listed by ``corpus.sources``; bytes become text in
``corpus.decoding``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from corpus.decoding import _decode, _read_bytes
from corpus.errors import UserError
from corpus.quote_blocks import signature_name
from corpus.records import Document, with_source_file
from corpus.row_readers import read_csv_documents, read_jsonl_documents
from corpus.sentences import is_text_setext, split_paragraphs
from corpus.settings import parse_yaml
from corpus.sources import OnNote, OnSkip, ReadOptions, Skipped, Source, _document, _file_meta, list_sources
from corpus.telegram import read_telegram_export
from corpus.voice_markers import page_byline


HTML_EXTRACTOR = "trafilatura"   # what turns a page into the text its claims' offsets index
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_MD_TITLE = re.compile(r"#[ \t]+\S")   # "# Title", not "## Section"
_SETEXT_TITLE = re.compile(r"[ \t]*\r?\n[ \t]{0,3}=+[ \t]*(?:\r?\n|$)")   # "Title\n=====": a setext title's underline
_TEXT_TITLE = re.compile(r"\s*(\S[^\n]*?)[ \t\r]*\n[ \t]*(=+)[ \t\r]*(?:\n|$)")   # a plain text's first line over "====="
_MD_BLOCK_START = re.compile(r"[>#*+-]|\d{1,3}[.)]\s")   # a quotation, heading or list item is no setext title


def extractor() -> dict[str, str]:
    """The HTML extractor and its version, as a documents file records them for a page."""
    import trafilatura

    return {"extractor": HTML_EXTRACTOR, "extractor_version": trafilatura.__version__}


def _h1_texts(page: str) -> list[str]:
    """The text of each ``<h1>`` of a page, tags dropped and entities decoded."""
    import html

    return [html.unescape(_TAG.sub("", m.group(1))) for m in _H1.finditer(page)]


def _headline_end(text: str, headlines: list[Any], start: int = 0) -> int:
    """Where the text's first paragraph from ``start`` on ends when it is the page's headline (its
    title or an ``<h1>``, spaces aside), else 0. Extractors keep the headline as the first line of
    the text; a Markdown file often repeats its front matter's title as its first line."""
    first = next((p for p in split_paragraphs(text) if p[0] >= start), None)
    if first is None:
        return 0
    said = " ".join(text[first[0]:first[1]].split())
    if said and any(isinstance(h, str) and " ".join(h.split()) == said for h in headlines):
        return first[1]
    return 0


# Class or id words of the line under a headline that sums the story up (its standfirst, dek or summary).
_STANDFIRST = re.compile(r"standfirst|summary|\bdek\b|deck|subtitle|sub-?head|strap|intro|\blead\b|excerpt|"
                         r"teaser|description|abstract", re.I)
_NOT_LEAD = {"figure", "figcaption", "nav", "aside", "footer", "time", "button", "form", "script", "style"}
_LEAD_SCAN = 12   # elements after the headline looked at for a standfirst


def _flat(text: str) -> str:
    return " ".join(text.split())


# An XHTML page's XML declaration ('<?xml version="1.0" encoding="utf-8"?>'): lxml parses no str that declares
# its encoding (the page is decoded already), and an HTML tree has no use for it
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*>")


def _page_tree(page: str) -> Any | None:
    """The page parsed by lxml, once for every side channel read beside the extracted text (an XHTML
    page's XML declaration dropped first); None when lxml cannot parse it (a page with no element: a
    comment or a doctype alone), and the side channels are then off for it."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (ValueError, lxml.etree.LxmlError):
        return None


def _missing_lead(tree: Any, body: str) -> tuple[str | None, str | None]:
    """The page's headline (``<h1>``) and standfirst, each when the extractor left it out of ``body``.

    An extractor that finds the story in a container below the headline (``<div class="article__text">``)
    drops the headline and the summary line under it, the most framed sentences of a state-media page.
    The standfirst is the first element between the headline and the story marked as one (by its class
    or id: summary, standfirst, dek, lead ...) or an ``<h2>`` there, or the page's description; a
    byline, date, caption or menu never is. Only an ``<h1>`` of three words or more that the page's
    ``<title>`` (or og:title) holds counts: a site's name set as an ``<h1>`` on every page is no headline.
    ``tree`` is the page's (``_page_tree``).
    """
    flat = _flat(body)
    first = _flat(next((body[s:e] for s, e in split_paragraphs(body)), ""))
    # The page's own title (<title>, og:title) holds its headline, often beside the site's name; the
    # extractor's title is no test (it takes an <h1> as the title), a site's name is short.
    titles = [_flat(t) for t in (tree.findtext(".//title"), *tree.xpath("//meta[@property='og:title']/@content"))
              if isinstance(t, str)]
    sites = {_flat(v) for v in tree.xpath("//meta[@property='og:site_name']/@content")}
    h1 = next((h for h in tree.iter("h1") if (said := _flat(h.text_content())) and len(said.split()) >= 3
               and said not in sites and any(said in t for t in titles)), None)
    if h1 is None:
        return None, None
    headline = _flat(h1.text_content())
    if headline in flat and headline != first:
        return None, None   # the headline is in the text, not as its first line: nothing is added
    description = {_flat(v) for v in tree.xpath("//meta[@name='description' or @property='og:description']/@content")}
    standfirst = None
    for n, element in enumerate(h1.itersiblings()):
        said = _flat(element.text_content()) if isinstance(element.tag, str) else ""
        if n >= _LEAD_SCAN or said and (said in flat or flat.startswith(said[:80])):
            break   # the story itself: what comes before it is looked at, no further
        if (not said or element.tag in _NOT_LEAD or element.xpath(".//p|.//div|.//h2|.//figure")
                or len(said.split()) < 6 or page_byline(f"<p>{said}</p>")):
            continue
        marked = _STANDFIRST.search(f"{element.get('class', '')} {element.get('id', '')}")
        if marked or element.tag == "h2" or said in description:
            standfirst = said
            break
    return (None if headline == first else headline), standfirst


def _with_lead(body: str, tree: Any) -> str:
    """``body`` with the page's headline and standfirst put back in front when the extractor dropped them."""
    headline, standfirst = _missing_lead(tree, body)
    # one line each, as the extractor writes the paragraphs it keeps
    if standfirst is not None:   # under the headline, which is the body's first line or added now
        if headline is None:
            end = next((e for s, e in split_paragraphs(body)), 0)
            return f"{body[:end]}\n{standfirst}\n{body[end:].lstrip()}"
        return f"{headline}\n{standfirst}\n{body}"
    return f"{headline}\n{body}" if headline is not None else body


# Block elements whose text trafilatura writes as its own line(s); one with none of them inside is a leaf
_LEAF_BLOCKS = frozenset("p div li ul ol h1 h2 h3 h4 h5 h6 header footer section article aside address figure "
                         "figcaption table thead tbody tr td th blockquote pre dl dt dd main nav form".split())
_LEAF_AHEAD = 400   # leaves looked through for a paragraph's words: a page's menus and asides, not its whole
# An embedded post's <blockquote> (a tweet, an Instagram or TikTok post): read by its signature, not as a
# quotation. Known by a class or id word (a token), as the platforms' embed snippets set it: twitter-tweet,
# instagram-media, tiktok-embed, bluesky-embed, mastodon-embed, reddit-embed-bq (reddit-card before),
# text-post-media (Threads), wp-embedded-content (a WordPress post), embedly-card; or a site's own
# (tweet, telegram-post, embed, quote-embed). A word that only holds a platform's name or "embed"
# (article-embedded-note, pull-embedded, threadsafe, redditorial, tweetable) is no embed.
_EMBED_PLATFORMS = r"tweet|twitter|instagram|tiktok|bluesky|threads|mastodon|reddit|telegram"
_EMBED_TOKEN = re.compile(rf"(?:{_EMBED_PLATFORMS}|embed)(?:[-_]\S*)?|\S*[-_]embed|text-post-media|"
                          r"wp-embedded-content|embedly-card", re.I)


def _words(element: Any) -> list[str]:
    return f"{element.get('class', '')} {element.get('id', '')}".split()


def _embedded(element: Any) -> bool:
    """Is this ``<blockquote>`` an embedded post's, by a word of its class or id?"""
    return any(_EMBED_TOKEN.fullmatch(word) for word in _words(element))


# A Facebook post's <blockquote> (the fallback its SDK replaces): known by the <div> around it, whose class
# the snippet sets (<div class="fb-post" data-href=...><blockquote cite=... class="fb-xfbml-parse-ignore">),
# or by that word of its own. No other platform's snippet sets a class on a container; a site's wrapper
# (post, post-embed-free, fb-share-button, fb-quote: Facebook's share-a-quote button) is none.
_FACEBOOK_POST = frozenset({"fb-post", "fb-video", "fb-xfbml-parse-ignore"})


def _facebook_post(quote: Any) -> bool:
    """Is this ``<blockquote>`` a Facebook post's, by its own class or that of a block around it?"""
    return any(word in _FACEBOOK_POST for element in (quote, *quote.iterancestors()) for word in _words(element))


# The link to a Facebook page or profile (facebook.com/MIDRussia, /people/Name/100064..., /profile.php?id=...),
# not to a post, video or listing (/MIDRussia/posts/..., /watch/?v=..., /permalink.php?story_fbid=...)
_FACEBOOK_PAGE = re.compile(r"/(?:people/[^/]+/\d+|profile\.php|"
                            r"(?!(?:watch|reel|reels|photo|videos|share|groups|events|hashtag)/?$)[\w.-]+(?<!\.php))/?",
                            re.I)
_FACEBOOK_HOSTS = frozenset({"facebook.com", "m.facebook.com", "web.facebook.com"})


def _facebook_account(quote: Any) -> str | None:
    """The page a Facebook post's ``<blockquote>`` names as its poster: its snippet closes it with ``Posted by
    <a href="https://www.facebook.com/MIDRussia">MFA Russia</a> on <a href="(the post)">Thursday, March 12,
    2026</a>`` (the words in the SDK's language), the poster the first link set in it to a Facebook page or
    profile (a video's title links to the video), read as a signature line is. Its words in the text are no
    ``— Name (@handle) date`` line, which names an embedded post."""
    from urllib.parse import urlsplit

    for link in quote.iterchildren("a"):
        try:
            url = urlsplit(link.get("href") or "")
        except ValueError:   # "http://[bad": no link to read
            continue
        host = (url.hostname or "").removeprefix("www.")
        said = _flat(link.text_content())
        if said and host in _FACEBOOK_HOSTS and _FACEBOOK_PAGE.fullmatch(url.path):
            name = signature_name(f"— {said}")
            return name if name and ":" not in name else None
    return None


_SIGNED_IN = re.compile(r"[\s,;:]+(?:(?:in|from|on|at|via)\s*)?$")   # "Maria Zakharova in <cite>Izvestia</cite>"
_DASHES = "—–―-"


def _closing_cite(quote: Any) -> Any | None:
    """A ``<cite>`` that closes a blockquote, set in it beside its words (``<cite>— Maria Zakharova</cite>``)."""
    last = next((child for child in reversed(quote) if isinstance(child.tag, str)), None)
    return last if last is not None and last.tag == "cite" and not (last.tail or "").strip() else None


def _words_before(root: Any, mark: Any) -> str:
    """The text of ``root`` before its descendant ``mark``."""
    said: list[str] = []

    def walk(element: Any) -> bool:
        if element is mark:
            return True
        said.append(element.text or "")
        for child in element:
            if walk(child):
                return True
            said.append(child.tail or "")
        return False

    walk(root)
    return "".join(said)


def _signer(quote: Any) -> str | None:
    """The name a blockquote is signed with in its own ``<footer>`` (``— <cite>Maria Zakharova</cite>``;
    ``Leo Tolstoy, <cite>Anna Karenina</cite>``: the name before a work's title) or a ``<cite>`` closing it,
    read as a signature line is (``quote_blocks.signature_name``); trafilatura drops a footer."""
    footers = [f for f in quote.iter("footer") if next(f.iterancestors("blockquote")) is quote]
    if footers:
        sign = footers[-1]
        line = sign.text_content()
        cite = next(sign.iter("cite"), None)
        if cite is not None and _flat(before := _words_before(sign, cite)).strip(_DASHES + " ,"):
            line = _SIGNED_IN.sub("", before)   # the name before the work's title
    elif (cite := _closing_cite(quote)) is not None:
        line = cite.text_content()
    else:
        return None
    line = next((_flat(said) for said in line.split("\n") if any(c.isalnum() for c in said)), "")   # a <br> ends it
    name = signature_name("— " + line.lstrip(_DASHES + " ")) if line else None
    return name if name and ":" not in name else None   # "Source: TASS", "Photo: Reuters" name no one


def _blockquote_spans(tree: Any, text: str) -> list[list[Any]]:
    """The spans of ``text`` (the page's extracted text) that the page sets in a ``<blockquote>`` (not an
    embedded post's), one ``[start, end]`` a blockquote, from its first paragraph's start to its last's end,
    ``[start, end, name]`` when its ``<footer>`` or closing ``<cite>`` names who said it (``_signer``), or a
    Facebook post's its poster (``_facebook_account``).

    trafilatura keeps a blockquote's words but no mark of it; this reads the page beside them, the text
    unchanged: the page's leaf blocks (a ``<p>``, an ``<li>``, a ``<blockquote>`` with no block inside) in
    order, ``<br>`` a line break, and each paragraph of ``text`` is the next piece of a leaf from where the
    last one ended (spaces aside), the leaves it matches inside a blockquote marking it. A paragraph that
    matches no leaf (trafilatura wrote it otherwise) is no part of one: it is left as it reads. A
    ``<cite>`` closing a blockquote with blocks inside is a leaf of its own (trafilatura keeps it a line).

    ``tree`` is the page's (``_page_tree``); each ``<br>`` gets the line break as its text, so this reads it last."""
    for br in tree.iter("br"):
        br.text = "\n"   # read before its tail, which stays as parsed: lxml refuses to set one with a control character
    quotes = list(tree.iter("blockquote"))   # holds each one's proxy: one a node
    numbers = {quote: n for n, quote in enumerate(quotes)}
    leaves: list[tuple[str, int | None]] = []   # (the leaf's words, the blockquote it stands in)
    for element in tree.iter(*_LEAF_BLOCKS, "cite"):
        if element.tag == "cite":
            parent = element.getparent()
            if parent.tag != "blockquote" or _closing_cite(parent) is not element or \
                    not any(isinstance(d.tag, str) and d.tag in _LEAF_BLOCKS for d in parent.iterdescendants()):
                continue   # a title in a line's words, or the name closing a blockquote that is a leaf itself
        if any(isinstance(d.tag, str) and d.tag in _LEAF_BLOCKS for d in element.iterdescendants()):
            continue
        quote = None
        for above in (element, *element.iterancestors("blockquote")):
            if above.tag != "blockquote":
                continue
            if _embedded(above):
                quote = None
                break
            quote = numbers[above]   # the outermost blockquote, last
        leaves.append((_flat(element.text_content()), quote))
    spans: dict[int, list[int]] = {}
    leaf, done = 0, 0   # where the next paragraph is looked for: a leaf, and how much of it is matched
    for s, e in split_paragraphs(text):
        said = _flat(text[s:e])
        for j in range(leaf, min(len(leaves), leaf + _LEAF_AHEAD)):
            words, quote = leaves[j]
            at = done if j == leaf else 0
            at += words[at:at + 1] == " "
            if said and words.startswith(said, at):
                leaf, done = j, at + len(said)
                if quote is not None:
                    spans.setdefault(quote, [s, e])[1] = e
                break
    for n, span in spans.items():
        # a Facebook post is its poster's, whom voices cannot read from its words: named here, or left a quotation
        name = _facebook_account(quotes[n]) if _facebook_post(quotes[n]) else _signer(quotes[n])
        if name:
            span.append(name)
    return sorted(spans.values())


def _read_html(source: Source, text: str, on_skip: OnSkip) -> Document | None:
    import trafilatura  # heavy: only when a page is read

    # Dates only from the page's markup (meta tags, time elements, the URL): an extensive search takes
    # "in May 2019" in the body for the publication date and turns it into 2019-01-01.
    page = trafilatura.bare_extraction(text, include_comments=True, with_metadata=True,
                                       date_extraction_params={"extensive_search": False, "original_date": True})
    body = (page.text or "").strip() if page is not None else ""
    if not body:
        on_skip(Skipped(source.path, "no main text found in the page; save the article text as .txt instead"))
        return None
    meta: dict[str, Any] = {}
    for key, attr in (("title", "title"), ("author", "author"), ("date", "date"), ("outlet", "sitename")):
        value = getattr(page, attr, None)
        if value:
            meta[key] = value
    if "author" not in meta:   # "By Jana Kovac | March 11" under the headline, left out of the text and metadata
        names = page_byline(text)
        if names:
            meta["author"] = "; ".join(names)
    # the side channels read the page beside the extracted text, parsed once for all of them
    quoting = "<blockquote" in text.lower()
    headed = _H1.search(text) is not None
    tree = _page_tree(text) if headed or quoting else None
    if headed and tree is not None:
        body = _with_lead(body, tree)
    comments = (page.comments or "").strip()
    full = body
    hints: dict[str, Any] = {}
    if comments:
        full = f"{body}\n\n{comments}"
        hints["comments_offset"] = len(body) + 2  # where the page's comments begin
    headline_end = _headline_end(full, [meta.get("title"), *_h1_texts(text)])
    if headline_end:
        hints["headline_end"] = headline_end  # the page's headline, as a Markdown file's "# Title"
    if quoting and tree is not None:   # last: it marks the tree's <br>s
        quotes = _blockquote_spans(tree, full)
        if quotes:
            hints["quote_blocks"] = quotes   # what the page sets in a <blockquote>, as a '>' block (quote_blocks.py)
    entry = _file_meta(source)
    hints = {**hints, **entry.get("voices", {})}
    meta.update(entry)
    if hints:
        meta["voices"] = hints
    return _document(full, meta, source.path, meta.pop("id", None))


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def front_matter(text: str) -> tuple[dict[str, Any], int]:
    """The YAML front matter opening a Markdown text, as metadata, and the offset where it ends.

    ``({}, 0)`` when there is none, or it is not YAML or not a mapping (the text is then read as it is).
    Dates become ISO strings; ``id`` and ``voices`` are left out (a file's id and voice hints come
    from the manifest), and so are nested mappings.
    """
    m = _FRONT_MATTER.match(text) if text.startswith("---") else None
    if m is None:
        return {}, 0
    try:  # guarded as every YAML a user gives is: nesting depth, alias bombs
        data = parse_yaml(m.group("yaml"), "front matter")
    except UserError:
        return {}, 0
    if data is None:  # "---\n---": empty front matter, still not prose
        data = {}
    if not isinstance(data, dict):
        return {}, 0
    meta: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or key in ("id", "voices") or isinstance(value, dict) or value is None:
            continue
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v for v in value]
        meta[key] = value
    return meta, m.end()


def _read_text_file(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    data = _read_bytes(source.path, options.max_mb, on_skip)
    if data is None:
        return
    text = _decode(data, source.path, on_skip)
    if text is None:
        return
    if source.fmt == "html":
        doc = _read_html(source, text, on_skip)
        if doc is not None:
            yield doc
        return
    meta = _file_meta(source)
    end = 0
    if source.path.lower().endswith((".md", ".markdown")):
        found, end = front_matter(text)
        if end:  # the text stays whole (offsets are exact); its front matter lines are flagged, not claims
            merged = {**found, **meta}
            if "source_file" in found:   # the front matter's own stays as meta_source_file, not lost under the path
                merged = with_source_file({**merged, "source_file": found["source_file"]}, source.path)
            meta = _with_hint(merged, "front_matter_end", end)
    headline_end = _headline_end(text, [meta.get("title")], start=end)
    if not headline_end and source.path.lower().endswith((".md", ".markdown")):
        headline_end = _markdown_title_end(text, end)
    elif not headline_end:
        headline_end = _text_title_end(text)
    if headline_end and text[headline_end:].strip():  # the title as the first line, the story after it
        meta = _with_hint(meta, "headline_end", headline_end)
    yield _document(text, meta, source.path, meta.pop("id", None))


def _markdown_title_end(text: str, start: int) -> int:
    """Where a Markdown file's first paragraph from ``start`` ends when it is a ``# Title`` line, else 0."""
    first = next((p for p in split_paragraphs(text) if p[0] >= start), None)
    if first is None:
        return 0
    line = text[first[0]:first[1]]
    if "\n" in line:
        return 0
    if _MD_TITLE.match(line):
        return first[1]
    # a setext title: "Title" underlined by "=====" on the next line
    under = _SETEXT_TITLE.match(text, first[1])
    return first[1] if under and line[-1] != "." and not _MD_BLOCK_START.match(line) else 0


def _text_title_end(text: str) -> int:
    """Where a plain text's first line ends when it is a title underlined by "=====" as long as it
    (``corpus.sentences.is_text_setext``), else 0."""
    m = _TEXT_TITLE.match(text)
    return m.end(1) if m and is_text_setext(text, *m.span(1), *m.span(2), -1) else 0


def _with_hint(meta: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``meta`` with a voice hint the reader found added; a hint the manifest gives wins."""
    given = meta.get("voices")
    return {**meta, "voices": {key: value, **(given if isinstance(given, dict) else {})}}


def read_source(source: Source, options: ReadOptions, on_skip: OnSkip,
                on_note: OnNote | None = None) -> Iterator[Document]:
    """The documents of one input file; problems go to ``on_skip``, what was left out on purpose
    (rows or posts without text, service messages) to ``on_note``."""
    if source.fmt == "jsonl":
        return read_jsonl_documents(source, options, on_skip, on_note)
    if source.fmt == "csv":
        return read_csv_documents(source, options, on_skip, on_note)
    if source.fmt == "telegram":
        return read_telegram_export(source, options, on_skip, on_note)
    return _read_text_file(source, options, on_skip)


def read_documents(inputs: list[str], options: ReadOptions | None = None,
                   skipped: list[Skipped] | None = None, notes: list[str] | None = None) -> Iterator[Document]:
    """Stream the documents of files, directories, JSONL, CSV and Telegram inputs; skips go to
    ``skipped``, notes (a manifest's, rows without text) to ``notes``."""
    options = options or ReadOptions()
    sink = skipped.append if skipped is not None else (lambda s: None)
    on_note = notes.append if notes is not None else None
    for source in list_sources(inputs, options, sink, on_note):
        yield from read_source(source, options, sink, on_note)
