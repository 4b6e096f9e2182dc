"""Readers: files, directories, JSONL and CSV in; Documents out, with manifest metadata attached.

Every problem with one input (empty, binary, not UTF-8, too big, unreadable, a bad JSONL line,
an unknown format, a missing CSV column, a directory with nothing to read) becomes a ``Skipped``
record naming the input and the fix; the other inputs still go through. Every format is first
sniffed the same way, so a binary file is one skip whatever its name. Offsets later point into ``Document.text`` exactly as
read here (for HTML: the main text extracted from the page, which ``stance claims --documents`` saves). A page's
headline opening that text is hinted (``headline_end``) so that it is flagged a heading, as Markdown's ``# Title`` is.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from corpus.errors import UserError, named_few
from corpus.manifest import MANIFEST_NAMES, Manifest, find_manifest, load_manifest
from corpus.records import Document, content_id
from corpus.sentences import split_paragraphs

DEFAULT_MAX_MB = 50
TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
                 ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
KNOWN = ".txt, .md, .html, .jsonl or .csv"
SNIFF_BYTES = 8192  # how much of a file is looked at to tell text from binary
# Bytes that plain text hardly ever holds (tab, newlines, form feed, escape are fine).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"


def document_format(path: str | None) -> str:
    """What a document was read from, by its file's extension: text, markdown, html, jsonl or csv."""
    suffix = os.path.splitext(path or "")[1].lower()
    return "markdown" if suffix in (".md", ".markdown") else TEXT_SUFFIXES.get(suffix, "text")


@dataclass(frozen=True)
class Skipped:
    """An input (a file, or ``file:line`` of a JSONL file) that was not read, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs: CSV/JSONL columns, an explicit manifest, the per-file size limit."""

    text_column: str = "text"
    id_column: str = "id,doc_id"   # the first holding a value; a CSV naming its ids doc_id needs no option
    manifest: str | None = None
    max_mb: float = DEFAULT_MAX_MB
    exclude: tuple[str, ...] = ()   # folders never read (`stance run`: its workspace, when inside the corpus)


@dataclass(frozen=True)
class Source:
    """One input file to read, its format, and the manifest entry for it (if any)."""

    path: str
    fmt: str
    entry: dict[str, Any] | None = None
    manifest: Manifest | None = None
    unlisted_in: str | None = None  # the manifest that applies to the file but has no entry for it


OnSkip = Callable[[Skipped], None]
OnNote = Callable[[str], None]


def _nearest_manifest(directory: str, root: str, cache: dict[str, Manifest | None]) -> list[Manifest]:
    """Manifests of ``directory`` and its parents up to ``root``, nearest first."""
    found: list[Manifest] = []
    current = directory
    while True:
        if current not in cache:
            path = find_manifest(current)
            cache[current] = load_manifest(path) if path else None
        if cache[current] is not None:
            found.append(cache[current])
        if current == root or os.path.dirname(current) == current:
            return found
        current = os.path.dirname(current)


def _listing_ancestor(path: str, cache: dict[str, Manifest | None],
                      loaded: dict[str, Manifest | None]) -> Manifest | None:
    """The manifest of a directory above ``path``'s own that lists ``path`` by its path, if any.

    A file given by name then gets the entry (and id) it gets when its corpus folder is given:
    ``corpus/manifest.yaml`` listing ``sub/a.txt`` applies to ``stance claims corpus/sub/a.txt`` too.
    Only a manifest naming the file counts, and one that cannot be read is passed over: a stray
    manifest higher up says nothing about this file.
    """
    real = os.path.realpath(path)
    current = os.path.dirname(os.path.dirname(real))
    while True:
        if current not in loaded:
            found = find_manifest(current)
            try:
                loaded[current] = load_manifest(found) if found is not None else None
            except UserError:
                loaded[current] = None
        manifest = loaded[current]
        if manifest is not None and real in manifest.by_file:
            cache[current] = manifest  # a manifest in use: its notes are shown
            return manifest
        if os.path.dirname(current) == current:
            return None
        current = os.path.dirname(current)


def _source(path: str, manifests: list[Manifest], on_skip: OnSkip) -> Source | None:
    suffix = os.path.splitext(path)[1].lower()
    fmt = TEXT_SUFFIXES.get(suffix)
    if fmt is None:
        what = f"format '{suffix}'" if suffix else "format (no file extension)"
        on_skip(Skipped(path, f"unknown {what}; convert it to {KNOWN}, or leave it out"))
        return None
    entry = next((e for e in (m.for_file(path) for m in manifests) if e is not None), None)
    unlisted = None
    if entry is None and manifests:
        entry = manifests[0].fallback()
        # a row file's rows carry their own metadata; a text file has only what the manifest says, and a
        # manifest that lists files (not one of defaults alone) is expected to list this one too
        listing = next((m for m in manifests if m.by_file), None)
        unlisted = str(listing.path) if listing is not None and fmt not in ("jsonl", "csv") else None
    # only row formats look up entries by id; text files travel to worker processes without it
    by_id = manifests[0] if manifests and fmt in ("jsonl", "csv") else None
    return Source(path, fmt, entry, by_id, unlisted)


def _is_documentation(name: str) -> bool:
    """A corpus folder's README or LICENSE describes the corpus; it is not one of its documents."""
    return os.path.splitext(name)[0].upper() in ("README", "LICENSE", "LICENCE", "CHANGELOG")


def _nothing_found(passed_over: list[str]) -> str:
    """Why a directory gave no file to read: it is empty, or holds only files that are passed over."""
    if not passed_over:
        why = "the directory is empty"
    else:
        shown = named_few(passed_over)
        why = f"only {shown}: hidden files, manifests and README/LICENSE files are passed over"
    return f"no {KNOWN} files found ({why}); give a directory holding documents, or the files themselves"


def _unlisted_notes(sources: list[Source], on_note: OnNote) -> None:
    """One note a manifest for the files beside it that it does not list (they get no source_type of their own)."""
    unlisted: dict[str, list[Source]] = {}
    for source in sources:
        if source.unlisted_in is not None:
            unlisted.setdefault(source.unlisted_in, []).append(source)
    for manifest, missing in unlisted.items():
        names = [s.path for s in missing]
        shown = named_few(names)
        has = (missing[0].entry or {}).get("source_type")
        gets = f"only the manifest's defaults (source_type {has})" if has else "no source_type, outlet or date"
        one = len(names) == 1
        on_note(f"{shown} {'is' if one else 'are'} not listed in {manifest}, so {'it gets' if one else 'they get'} "
                f"{gets}; add {'a `- file:` entry' if one else '`- file:` entries'} saying what you know "
                f"about {'it' if one else 'them'}")


def _manifest_notes(manifests: list[Manifest], sources: list[Source], on_note: OnNote) -> None:
    """Each manifest's own notes, then one note a `file:` entry that names no input and no file on disk."""
    used = {id(s.entry) for s in sources if s.entry is not None}
    names = sorted({os.path.basename(s.path) for s in sources})
    done: set[str] = set()
    for manifest in manifests:
        if os.path.realpath(manifest.path) in done:  # --manifest is also the one beside the files
            continue
        done.add(os.path.realpath(manifest.path))
        for note in manifest.notes:
            on_note(note)
        for n, given, resolved in manifest.listed:
            if id(manifest.by_file.get(resolved)) in used or os.path.exists(resolved):
                continue  # read, or a real file the user chose not to give this time
            close = difflib.get_close_matches(os.path.basename(given), names, n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            on_note(f"{manifest.path}: documents entry {n} names `{given}`, which is not in the corpus{hint}; "
                    "fix the file name or remove the entry")


def list_sources(inputs: list[str], options: ReadOptions, on_skip: OnSkip,
                 on_note: OnNote | None = None) -> list[Source]:
    """The files to read, in a deterministic order: inputs as given, directories walked sorted.

    Hidden files, manifests and README/LICENSE files inside directories are passed over
    (give such a file by name to read it); a directory with nothing else is a skip. A manifest
    applies to files in its directory and below; ``options.manifest`` applies to every input and
    wins. What looks wrong in a manifest but does not stop the run goes to ``on_note``.
    """
    explicit = [load_manifest(options.manifest)] if options.manifest else []
    cache: dict[str, Manifest | None] = {}
    ancestors: dict[str, Manifest | None] = {}  # manifests above a file given by name, whether used or not
    sources: list[Source] = []
    seen: set[str] = set()

    def add(source: Source | None) -> None:
        real = os.path.realpath(source.path) if source is not None else None
        if real is not None and real not in seen:  # a file given twice is read once
            seen.add(real)
            sources.append(source)

    excluded = {os.path.realpath(folder) for folder in options.exclude}
    for given in inputs:
        if not os.path.exists(given):
            on_skip(Skipped(given, "no such file or directory; check the path"))
            continue
        if os.path.isdir(given):
            root = os.path.realpath(given)
            candidates = 0
            passed_over: list[str] = []
            for dirpath, dirnames, filenames in os.walk(given):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (
                    excluded and os.path.realpath(os.path.join(dirpath, d)) in excluded))
                manifests = None   # this folder's, found at its first file
                for d in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                    # os.walk never enters a linked folder: said, as a linked file out of the corpus is
                    link = os.path.join(dirpath, d)
                    on_skip(Skipped(link, f"a link to the folder {os.path.realpath(link)}; give that folder "
                                          "by name to read it"))
                for name in sorted(filenames):
                    if name.startswith(".") or name in MANIFEST_NAMES or _is_documentation(name):
                        passed_over.append(os.path.relpath(os.path.join(dirpath, name), given))
                        continue
                    candidates += 1
                    path = os.path.join(dirpath, name)
                    if os.path.islink(path) and not inside(os.path.realpath(path), root):
                        # A link out of the corpus (to ~/.ssh, a workspace's studio.json) would make a
                        # private file into claims that annotators see: only a file given by name is.
                        on_skip(Skipped(path, f"a link to {os.path.realpath(path)}, outside {given}; give "
                                              "that file by name to read it"))
                        continue
                    if manifests is None:
                        manifests = explicit + _nearest_manifest(os.path.realpath(dirpath), root, cache)
                    add(_source(path, manifests, on_skip))
            if not candidates:
                on_skip(Skipped(given, _nothing_found(passed_over)))
        else:
            directory = os.path.dirname(os.path.realpath(given))
            manifests = explicit + _nearest_manifest(directory, directory, cache)
            if not any(m.for_file(given) for m in manifests):
                manifests += [m for m in [_listing_ancestor(given, cache, ancestors)] if m is not None]
            add(_source(given, manifests, on_skip))
    if on_note is not None:
        _manifest_notes(explicit + [m for m in cache.values() if m is not None], sources, on_note)
        _unlisted_notes(sources, on_note)
    return sources


def inside(path: str, root: str) -> bool:
    """Is ``path`` ``root`` or under it (both real paths)?"""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    return (f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8")


def _sniff(head: bytes) -> str | None:
    """Why a file that starts with ``head`` is not UTF-8 text (binary, UTF-16, another encoding), or None.

    The same test for every format, so that a binary file is one skip whatever its name.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text; re-encode it as UTF-8, e.g. iconv -f utf-16 -t utf-8"
    if b"\x00" in head:
        return f"looks binary (NUL bytes); only text files ({KNOWN}) are read"
    if head and len(head.translate(None, _CONTROL)) < 0.95 * len(head):  # text in any 8-bit encoding has ~none
        return f"looks binary (control bytes); only text files ({KNOWN}) are read"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError as err:
        return _not_utf8(head, err)
    return None


def _decode(data: bytes, where: str, on_skip: OnSkip) -> str | None:
    reason = _sniff(data[:SNIFF_BYTES])
    if reason is not None:
        on_skip(Skipped(where, reason))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        on_skip(Skipped(where, _not_utf8(data, err)))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        on_skip(Skipped(where, "empty (no text); add text or leave the file out"))
        return None
    return text


def _read_bytes(path: str, max_mb: float, on_skip: OnSkip) -> bytes | None:
    try:
        size = os.path.getsize(path)
        if size > max_mb * 1024 * 1024:
            shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"
            on_skip(Skipped(path, f"{shown} is over the {max_mb:g} MB limit per file; "
                                  "split it or raise the limit with --max-file-mb"))
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        on_skip(Skipped(path, f"cannot read it ({err.strerror or err}); check that it exists and is readable"))
        return None


def _file_meta(source: Source) -> dict[str, Any]:
    meta = dict(source.entry) if source.entry else {}
    meta.setdefault("source_file", source.path)
    return meta


def _document(text: str, meta: dict[str, Any], path: str | None, doc_id: Any = None) -> Document:
    """A Document whose id is the one given, else a hash of its text."""
    doc_id = str(doc_id) if doc_id not in (None, "") else content_id(text)
    _add_authors(meta)
    return Document(doc_id=doc_id, text=text, meta=meta, path=path)


def _add_authors(meta: dict[str, Any]) -> None:
    """``authors`` (a list) beside an ``author``, whatever the format said it with.

    A manifest says ``authors: [..]``, front matter, a page or a row ``author: X``; every claim row
    then has an ``authors`` list when its document names someone. An ``authors`` given is kept.
    """
    author = meta.get("author")
    if "authors" in meta or author in (None, ""):
        return
    if isinstance(author, list):
        meta["authors"] = [str(a) for a in author if a not in (None, "")]
    elif isinstance(author, str) and author.strip():
        meta["authors"] = [a.strip() for a in author.split(";") if a.strip()]  # a page's "A; B"


HTML_EXTRACTOR = "trafilatura"   # what turns a page into the text its claims' offsets index
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def extractor() -> dict[str, str]:
    """The HTML extractor and its version, as a documents file records them for a page."""
    import trafilatura

    return {"extractor": HTML_EXTRACTOR, "extractor_version": trafilatura.__version__}


def _h1_texts(page: str) -> list[str]:
    """The text of each ``<h1>`` of a page, tags dropped and entities decoded."""
    import html

    return [html.unescape(_TAG.sub("", m.group(1))) for m in _H1.finditer(page)]


def _headline_end(text: str, headlines: list[Any]) -> int:
    """Where the extracted text's first paragraph ends when it is the page's headline (its title or an
    ``<h1>``, spaces aside), else 0. Extractors keep the headline as the first line of the text."""
    first = next(iter(split_paragraphs(text)), None)
    if first is None:
        return 0
    said = " ".join(text[first[0]:first[1]].split())
    if said and any(isinstance(h, str) and " ".join(h.split()) == said for h in headlines):
        return first[1]
    return 0


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
    comments = (page.comments or "").strip()
    full = body
    hints: dict[str, Any] = {}
    if comments:
        full = f"{body}\n\n{comments}"
        hints["comments_offset"] = len(body) + 2  # where the page's comments begin
    headline_end = _headline_end(full, [meta.get("title"), *_h1_texts(text)])
    if headline_end:
        hints["headline_end"] = headline_end  # the page's headline: a heading, as Markdown's "# Title" is
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
    import yaml

    try:
        data = yaml.safe_load(m.group("yaml"))
    except yaml.YAMLError:
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
    if source.path.lower().endswith((".md", ".markdown")):
        found, end = front_matter(text)
        if end:  # the text stays whole (offsets are exact); its front matter lines are flagged, not claims
            hints = meta.get("voices")
            meta = {**found, **meta, "voices": {"front_matter_end": end, **(hints if isinstance(hints, dict) else {})}}
    yield _document(text, meta, source.path, meta.pop("id", None))


def _text_column(keys: Any, options: ReadOptions) -> str | None:
    """The first of the ``--text-column`` names (comma-separated: ``body,text``) among ``keys``."""
    return next((name for name in _names(options.text_column) if name in keys), None)


def _id_column(row: dict[str, Any], options: ReadOptions) -> str | None:
    """The first of the ``--id-column`` names (comma-separated: ``doc_id,id``) that holds a value in ``row``.

    Read the same way as ``--text-column``: ``doc_id,id`` is two column names, not one.
    """
    return next((name for name in _names(options.id_column) if row.get(name) not in (None, "")), None)


def _names(columns: str) -> list[str]:
    return [name.strip() for name in columns.split(",") if name.strip()]


def _quoted_names(columns: str) -> str:
    return " or ".join(f"'{name}'" for name in _names(columns))


def _row_document(row: dict[str, Any], where: str, source: Source, options: ReadOptions,
                  on_skip: OnSkip) -> Document | None:
    column = _text_column(row, options)
    if column is None:
        on_skip(Skipped(where, f"no {_quoted_names(options.text_column)} field; add it or choose the field "
                               "with --text-column (several, comma-separated: body,text)"))
        return None
    text = row[column]
    if not isinstance(text, str):
        on_skip(Skipped(where, f"'{column}' is a {type(text).__name__}, not a string; store the text as a string"))
        return None
    if not text.strip():
        on_skip(Skipped(where, f"empty '{column}'; add text or remove the row"))
        return None
    id_column = _id_column(row, options)
    given_id = row.get(id_column) if id_column is not None else None
    meta = {k: v for k, v in _file_meta(source).items() if k not in ("id", "voices")}
    if given_id not in (None, "") and source.manifest is not None:
        meta.update((k, v) for k, v in (source.manifest.for_id(str(given_id)) or {}).items() if k != "id")
    unused = {name for name in _names(options.id_column) if row.get(name) in (None, "")}  # an empty id is no field
    meta.update((k, v) for k, v in row.items() if k not in (column, id_column) and k not in unused)
    meta["source_file"] = source.path
    return _document(text, meta, source.path, given_id)


def _open_sniffed(source: Source, on_skip: OnSkip) -> IO[bytes] | None:
    """The file open at its start; None after one skip line when it cannot be read or is no text."""
    try:
        handle = open(source.path, "rb")
    except OSError as err:
        on_skip(Skipped(source.path, f"cannot read it ({err.strerror or err}); check that it exists and is readable"))
        return None
    reason = _sniff(handle.read(SNIFF_BYTES))
    if reason is not None:
        handle.close()
        on_skip(Skipped(source.path, reason))
        return None
    handle.seek(0)
    return handle


def _read_jsonl(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    limit = options.max_mb * 1024 * 1024
    handle = _open_sniffed(source, on_skip)
    if handle is None:
        return
    with handle:
        any_line = False
        for lineno, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            any_line = True
            where = f"{source.path}:{lineno}"
            if len(raw) > limit:
                on_skip(Skipped(where, f"line is over the {options.max_mb:g} MB limit; split the document "
                                       "or raise the limit with --max-file-mb"))
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                on_skip(Skipped(where, "not UTF-8; re-encode the file as UTF-8"))
                continue
            except json.JSONDecodeError as err:
                on_skip(Skipped(where, f"malformed JSON ({err.msg}); fix or remove that line"))
                continue
            if not isinstance(row, dict):
                on_skip(Skipped(where, f"expected a JSON object with {_quoted_names(options.text_column)}, "
                                       f"got {type(row).__name__}"))
                continue
            doc = _row_document(row, where, source, options, on_skip)
            if doc is not None:
                yield doc
        if not any_line:
            on_skip(Skipped(source.path, "empty (no JSON lines); add documents or leave the file out"))


def _read_csv(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    csv.field_size_limit(min(sys.maxsize, int(options.max_mb * 1024 * 1024)))
    raw = _open_sniffed(source, on_skip)
    if raw is None:
        return
    with raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames
            if not columns:
                on_skip(Skipped(source.path, "empty (no header row); add a header and rows"))
                return
            if _text_column(columns, options) is None:
                on_skip(Skipped(source.path, f"no {_quoted_names(options.text_column)} column (columns: "
                                             f"{', '.join(columns)}); choose one with --text-column "
                                             "(several, comma-separated: body,text)"))
                return
            any_row = False
            for row in reader:
                any_row = True
                where = f"{source.path}:{reader.line_num}"
                row.pop(None, None)  # extra cells beyond the header
                doc = _row_document(row, where, source, options, on_skip)
                if doc is not None:
                    yield doc
            if not any_row:
                on_skip(Skipped(source.path, "empty (a header but no rows); add rows or leave the file out"))
        except UnicodeDecodeError:
            on_skip(Skipped(source.path, "not UTF-8; re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8"))
        except csv.Error as err:
            on_skip(Skipped(source.path, f"malformed CSV ({err}); fix the file"))


def read_source(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    """The documents of one input file; problems go to ``on_skip``."""
    if source.fmt == "jsonl":
        return _read_jsonl(source, options, on_skip)
    if source.fmt == "csv":
        return _read_csv(source, options, on_skip)
    return _read_text_file(source, options, on_skip)


def read_documents(inputs: list[str], options: ReadOptions | None = None,
                   skipped: list[Skipped] | None = None, notes: list[str] | None = None) -> Iterator[Document]:
    """Stream the documents of files, directories, JSONL and CSV inputs; skips go to ``skipped``,
    manifest notes to ``notes``."""
    options = options or ReadOptions()
    sink = skipped.append if skipped is not None else (lambda s: None)
    for source in list_sources(inputs, options, sink, notes.append if notes is not None else None):
        yield from read_source(source, options, sink)
