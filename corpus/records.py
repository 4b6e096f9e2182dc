"""The records every stage reads and extends: a document, and a claim inside it.

Like a spaCy ``Doc`` or a datasets row, these are plain typed values with no hidden state.
On disk a claim is one flat JSON object (``Claim.to_row``); document metadata rides along
as top-level fields so that pandas, Parquet and Label Studio see ordinary columns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# Speaker roles. A claim's ``speaker`` is one of these; ``speaker_name`` names the person when known.
AUTHOR = "author"            # the byline author(s) / the voice that speaks for the document
INTERVIEWER = "interviewer"  # questions in an interview
INTERVIEWEE = "interviewee"  # answers in an interview
QUOTED = "quoted"            # quoted or reported speech of a named person or body
COMMENTER = "commenter"      # reader comments
BLOGGER = "blogger"          # a blogger's own remarks around text they repost
SPEAKERS = (AUTHOR, INTERVIEWER, INTERVIEWEE, QUOTED, COMMENTER, BLOGGER)

# Voices that speak for the document itself: its source type is a distant label for these only.
DOCUMENT_VOICES = frozenset({AUTHOR, BLOGGER, INTERVIEWEE})

# Fields of a claim row that metadata may not overwrite.
CLAIM_FIELDS = (
    "claim_id", "doc_id", "text", "start", "end", "is_claim", "reason", "speaker",
    "speaker_name", "context", "context_start", "paragraph", "sentence",
)
# Fields later stages add to a claim row (`stance prelabel`: models.prelabel.PRELABEL_FIELDS and the
# scheme and model it records, models.provenance.ROW_FIELDS): a document's own `score` (a forum's
# upvotes) would be written over by the pre-label's, so metadata so named goes as ``meta_<name>`` too.
RESERVED_FIELDS = CLAIM_FIELDS + ("prediction", "score", "probs", "model_version",
                                  "scheme", "scheme_version", "scheme_source", "model_dir")


def free_name(name: str, taken: Any) -> str:
    """``name``, else ``meta_<name>``, ``meta_meta_<name>``, ...: the first not in ``taken``. A document's
    field renamed so keeps its value beside one already named ``meta_<name>`` (``score`` and ``meta_score``)."""
    while name in taken:
        name = f"meta_{name}"
    return name


def meta_columns(meta: Mapping[str, Any]) -> dict[str, Any]:
    """A document's metadata as claim-row columns: a field named like a claim row's or a pre-label's
    (``RESERVED_FIELDS``) goes as the first free ``meta_<name>`` (``free_name``), so no value is lost.
    ``Claim.to_row`` and ``extraction.claim_rows`` both write rows with it."""
    if not any(key in RESERVED_FIELDS for key in meta):   # the common case: every name as it is
        return dict(meta)
    taken = set(RESERVED_FIELDS) | set(meta)
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if key in RESERVED_FIELDS:
            key = free_name(key, taken)
            taken.add(key)
        out[key] = value
    return out


def with_source_file(meta: dict[str, Any], path: str) -> dict[str, Any]:
    """``meta`` with ``source_file`` the file the reader read (the push and the run find the document by
    it); a document's own ``source_file`` (a row's field, a manifest's or front matter's key) stays under
    the first free ``meta_source_file`` (``free_name``), as ``meta_columns`` keeps a claim field's name."""
    own = meta.get("source_file", path)
    if own == path:
        meta["source_file"] = path
        return meta
    out = {key: (path if key == "source_file" else value) for key, value in meta.items()}
    out[free_name("meta_source_file", meta)] = own
    return out


@dataclass(frozen=True)
class Document:
    """One document: its id, its full text, and metadata such as outlet, author, date, source_type."""

    doc_id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    path: str | None = None


def content_id(text: str) -> str:
    """A document id made from its content: the same text always gets the same id."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def make_claim_id(doc_id: str, start: int, end: int, text: str) -> str:
    """A claim id stable across runs: the same sentence of the same document keeps its id."""
    key = f"{doc_id}\x00{start}\x00{end}\x00{text}".encode("utf-8")
    return hashlib.sha1(key).hexdigest()[:16]


@dataclass
class Claim:
    """A sentence of a document with exact offsets (``text == document.text[start:end]``).

    ``is_claim`` is false for questions, greetings, headers, fragments and editorial markers;
    ``reason`` says why. ``context`` is what a reader needs around the sentence: its paragraph, a
    window of sentences of a long one, or, for a sentence alone in its paragraph, that paragraph with
    its neighbours in the same voice (``extraction``). It is one slice of the document text starting at
    ``context_start``, so the claim sits at ``start - context_start`` in it.
    """

    claim_id: str
    doc_id: str
    text: str
    start: int
    end: int
    is_claim: bool
    reason: str
    speaker: str
    speaker_name: str | None
    context: str
    context_start: int
    paragraph: int
    sentence: int
    meta: dict[str, Any] = field(default_factory=dict)

    def to_row(self) -> dict[str, Any]:
        """Flatten to a JSON row: claim fields first, then the document's metadata."""
        row = asdict(self)
        row.update(meta_columns(row.pop("meta")))
        return row


# Metadata keys that name a document's author or account, its platform, and its site, best first.
AUTHOR_KEYS = ("author", "authors", "handle", "username", "user", "channel")
PLATFORM_KEYS = ("platform", "network")
SITE_KEYS = ("site", "site_name", "sitename", "domain")
UNKNOWN_SOURCE = "unknown source"   # source_name of a row that names nothing


def _named(value: Any) -> str | None:
    """A metadata value as a short name: text stripped, a list's first two names (``et al.`` after)."""
    if isinstance(value, list):
        names = [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
        return ", ".join(names[:2]) + (" et al." if len(names) > 2 else "") if names else None
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return " ".join(str(value).split())
    return None


def _first(row: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((name for name in (_named(row.get(k)) for k in keys) if name), None)


def _site(row: Mapping[str, Any]) -> str | None:
    """The site a document was published on: its own site field, else the host of its ``url``."""
    site = _first(row, SITE_KEYS)
    url = row.get("url")
    if site is None and isinstance(url, str) and "://" in url:
        from urllib.parse import urlsplit

        host = urlsplit(url.strip()).hostname or ""
        site = host.removeprefix("www.") or None
    return site


# a post's `source` field names the app it was posted with, not an outlet: '<a href="...">Twitter for
# iPhone</a>', "Twitter Web App", "TweetDeck"
_POSTING_CLIENT = re.compile(r"<a\s[^>]*href|^(?:TweetDeck|Hootsuite|IFTTT)$|^(?:Twitter|X|Instagram|Facebook|Threads)\s+"
                             r"(?:for|Web|Lite|App)\b|\bfor\s+(?:iPhone|iPad|Android|Mac|Windows)\b")


def source_name(row: Mapping[str, Any]) -> str:
    """The display name of a document's source, from its metadata (a document's ``meta`` with its
    ``doc_id``, or a claim row): its outlet (or a manifest's ``source``); else its author or handle,
    with the platform or site in brackets (``@hausfrau_kiel (X)``); else the platform, the site (a
    ``url``'s host), the document's title (what compare named a document by before), the file it was
    read from, and last its id. Every view naming a source uses this."""
    outlet = _first(row, ("outlet",))
    if outlet:
        return outlet
    source = _first(row, ("source",))
    if source and not _POSTING_CLIENT.search(source):
        return source
    author, where = _first(row, AUTHOR_KEYS), _first(row, PLATFORM_KEYS) or _site(row)
    if author:
        return f"{author} ({where})" if where and where != author else author
    if where:
        return where
    title = _first(row, ("title",))
    if title:
        return title
    path = row.get("source_file")
    if isinstance(path, str) and path.strip():
        return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return _named(row.get("doc_id")) or UNKNOWN_SOURCE


# What ``source_name`` falls back to when a row names no source: a document's title, file or id.
_NOT_SOURCES = ("title", "source_file", "doc_id")


def named_source(row: Mapping[str, Any]) -> str | None:
    """The source a row names (``source_name``: its outlet or source, else its author, platform or
    site), or None when it names none: a document's title, file or id is not a source."""
    name = source_name({k: v for k, v in row.items() if k not in _NOT_SOURCES})
    return None if name == UNKNOWN_SOURCE else name


def is_claim_flag(row: dict[str, Any]) -> bool:
    """A row's ``is_claim`` (true when absent); ValueError when it is not true, false or null (the
    text ``"no"`` is truthy: a non-claim would be taken for a claim)."""
    flag = row.get("is_claim", True)
    if flag is not None and not isinstance(flag, bool):
        raise ValueError(f"is_claim {flag!r} is not true or false")
    return bool(flag)
