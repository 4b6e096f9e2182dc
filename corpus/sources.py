"""The inputs to read: which files given paths and directories mean, in a deterministic order, each
with its format and the manifest entry that applies to it, and what looks wrong in a manifest (notes).

Also the records every reader shares (``ReadOptions``, ``Source``, ``Skipped``) and the metadata and
id a file's documents get from its manifest entry.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corpus.errors import UserError, named_few, why_missing
from corpus.manifest import MANIFEST_NAMES, Manifest, find_manifest, load_manifest
from corpus.records import Document, content_id, with_source_file

DEFAULT_MAX_MB = 50
TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
                 ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                 ".tsv": "csv",   # a CSV reader's separator is read from the header: tabs too
                 ".json": "telegram"}   # read only when its content is a Telegram Desktop export
ROW_FORMATS = ("jsonl", "csv", "telegram")   # many documents a file, read in the main process, rows by id
KNOWN = ".txt, .md, .html, .jsonl, .csv or .tsv"
ACCEPTED = f"{KNOWN} (a Telegram Desktop export, result.json, is read as it is)"


def document_format(path: str | None) -> str:
    """What a document was read from, by its file's extension: text, markdown, html, jsonl, csv or telegram."""
    suffix = os.path.splitext(path or "")[1].lower()
    return "markdown" if suffix in (".md", ".markdown") else TEXT_SUFFIXES.get(suffix, "text")


def unknown_format(suffix: str, why: str = "") -> str:
    """The skip reason for a file of a format that is not read: the formats that are, and the fix."""
    what = f"format '{suffix}'" if suffix else "format (no file extension)"
    return f"unknown {what}{why}; convert it to {ACCEPTED}, or leave it out"


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
    columns: tuple[tuple[str, str], ...] = ()   # (metadata key, CSV/JSONL column names as --text-column takes them)


@dataclass(frozen=True)
class Source:
    """One input file to read, its format, and the manifest entry for it (if any)."""

    path: str
    fmt: str
    entry: dict[str, Any] | None = None
    manifest: Manifest | None = None
    unlisted_in: str | None = None  # the manifest that applies to the file but has no entry for it
    # Telegram posts read so far from the inputs, shared by all their exports: doc_id -> (file, text's hash);
    # overlapping exports of one chat hold the same posts
    posts: dict[str, tuple[str, int]] | None = field(default=None, compare=False, repr=False)
    # when a list, the reader of a JSONL or CSV file puts there the binary handle it opens, whose position
    # tells how far through the file it is (``stance claims``'s progress by bytes)
    opened: list | None = field(default=None, compare=False, repr=False)


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
        on_skip(Skipped(path, unknown_format(suffix)))
        return None
    entry = next((e for e in (m.for_file(path) for m in manifests) if e is not None), None)
    unlisted = None
    if entry is None and manifests:
        entry = manifests[0].fallback()
        # a row file's rows carry their own metadata; a text file has only what the manifest says, and a
        # manifest that lists files (not one of defaults alone) is expected to list this one too
        listing = next((m for m in manifests if m.by_file), None)
        unlisted = str(listing.path) if listing is not None and fmt not in ROW_FORMATS else None
    # only row formats look up entries by id; text files travel to worker processes without it
    by_id = manifests[0] if manifests and fmt in ROW_FORMATS else None
    return Source(path, fmt, entry, by_id, unlisted)


def _not_a_file(path: str, fix: str) -> Skipped | None:
    """The skip for a named pipe, socket or device: reading a pipe waits for a writer that may never
    come (a FIFO in a corpus folder had hung `stance claims`). None for a regular file, or a path that
    cannot be looked at (its reader says why)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return Skipped(path, f"{what}, not a regular file, so it is not read (reading it could wait or run "
                         f"forever); {fix}")


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


def _gives_source_type(source: Source) -> bool:
    """Does the file name its own source_type: a Markdown file's front matter?"""
    if document_format(source.path) == "markdown":
        from corpus.readers import front_matter   # imports this module

        try:
            with open(source.path, "rb") as handle:
                head = handle.read(64 * 1024).decode("utf-8-sig", errors="replace")
        except OSError:
            return False
        return front_matter(head)[0].get("source_type") not in (None, "")
    return False   # (a CSV or JSONL file's rows are not noted here: they carry their own metadata)


def _unlisted_notes(sources: list[Source], on_note: OnNote) -> None:
    """One note a manifest for the files beside it that it does not list (they get no source_type of
    their own), leaving out files whose front matter gives one."""
    unlisted: dict[str, list[Source]] = {}
    for source in sources:
        if source.unlisted_in is not None and not _gives_source_type(source):
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
    (give such a file by name to read it); a directory with nothing else is a skip, and so is a named
    pipe, socket or device, in a directory or given. A manifest applies to files in its directory and
    below; ``options.manifest`` applies to every input and wins. What looks wrong in a manifest but does not stop the run goes to ``on_note``.
    """
    explicit = [load_manifest(options.manifest)] if options.manifest else []
    cache: dict[str, Manifest | None] = {}
    ancestors: dict[str, Manifest | None] = {}  # manifests above a file given by name, whether used or not
    sources: list[Source] = []
    seen: set[str] = set()

    posts: dict[str, tuple[str, int]] = {}

    def add(source: Source | None) -> None:
        real = os.path.realpath(source.path) if source is not None else None
        if real is not None and real not in seen:  # a file given twice is read once
            seen.add(real)
            sources.append(dataclasses.replace(source, posts=posts) if source.fmt == "telegram" else source)

    excluded = {os.path.realpath(folder) for folder in options.exclude}
    exports: set[str] = set()   # folders holding a Telegram Desktop export's result.json
    media: set[str] = set()     # their media folders, and the folders inside them
    left_out: dict[str, list[str]] = {}   # an export's folder -> its media files and pages, not read
    for given in inputs:
        if not os.path.exists(given):
            on_skip(Skipped(given, why_missing(given, "file or directory")))
            continue
        if os.path.isdir(given):
            root = os.path.realpath(given)
            candidates = 0
            passed_over: list[str] = []
            for dirpath, dirnames, filenames in os.walk(given):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (
                    excluded and os.path.realpath(os.path.join(dirpath, d)) in excluded))
                manifests = None   # this folder's, found at its first file
                parent = os.path.dirname(dirpath)
                if (parent in exports and os.path.basename(dirpath) in EXPORT_FOLDERS) or parent in media:
                    media.add(dirpath)   # photos/ of a Telegram export: its posts' media
                if "result.json" in filenames and _telegram_export(os.path.join(dirpath, "result.json")):
                    exports.add(dirpath)
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
                    if dirpath in media or dirpath in exports and _EXPORT_PAGE.fullmatch(name):
                        left_out.setdefault(_export_root(dirpath, exports), []).append(path)
                        continue
                    if os.path.islink(path) and not inside(os.path.realpath(path), root):
                        # A link out of the corpus (to ~/.ssh, a workspace's studio.json) would make a
                        # private file into claims that annotators see: only a file given by name is.
                        on_skip(Skipped(path, f"a link to {os.path.realpath(path)}, outside {given}; give "
                                              "that file by name to read it"))
                        continue
                    special = _not_a_file(path, "move it out of the corpus folder")
                    if special is not None:
                        on_skip(special)
                        continue
                    if manifests is None:
                        manifests = explicit + _nearest_manifest(os.path.realpath(dirpath), root, cache)
                    add(_source(path, manifests, on_skip))
            if not candidates:
                on_skip(Skipped(given, _nothing_found(passed_over)))
        else:
            special = _not_a_file(given, "save what it carries to a file and give that")
            if special is not None:
                on_skip(special)
                continue
            directory = os.path.dirname(os.path.realpath(given))
            manifests = explicit + _nearest_manifest(directory, directory, cache)
            if not any(m.for_file(given) for m in manifests):
                manifests += [m for m in [_listing_ancestor(given, cache, ancestors)] if m is not None]
            add(_source(given, manifests, on_skip))
    if left_out and on_note is not None:
        on_note(_export_files_note(left_out))
    if on_note is not None:
        _manifest_notes(explicit + [m for m in cache.values() if m is not None], sources, on_note)
        _unlisted_notes(sources, on_note)
    from corpus.row_readers import column_notes   # imports this module

    column_notes(sources, options, on_note)
    return sources


# What Telegram Desktop writes beside an export's result.json: media folders and its own pages.
EXPORT_FOLDERS = {"photos", "video_files", "files", "stickers", "voice_messages", "round_video_messages",
                  "animations", "contacts", "profile_pictures", "css", "js", "images", "lists", "chats"}
_EXPORT_PAGE = re.compile(r"export_results\.html|messages\d*\.html")
_CHAT_TYPE = re.compile(rb'"type"\s*:\s*"(?:public_channel|private_channel|public_supergroup|private_supergroup|'
                        rb'private_group|personal_chat|bot_chat|saved_messages)"')


def _telegram_export(path: str) -> bool:
    """Does ``path`` (a result.json) open as a Telegram Desktop export does: a chat type before its posts?"""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and _CHAT_TYPE.search(head) is not None


def _export_root(dirpath: str, exports: set[str]) -> str:
    while dirpath not in exports and os.path.dirname(dirpath) != dirpath:
        dirpath = os.path.dirname(dirpath)
    return dirpath


def _export_files_note(left_out: dict[str, list[str]]) -> str:
    """One note for the media files and pages of Telegram exports, which are no documents."""
    n = sum(len(paths) for paths in left_out.values())
    where = named_few([f"{root} ({len(paths)})" for root, paths in left_out.items()])
    return (f"{n} file{'s' if n > 1 else ''} of {'Telegram exports' if len(left_out) > 1 else 'a Telegram export'} "
            f"not read ({where}): "
            "a post's photos, videos, files and stickers, and the export's own pages, are no documents; its "
            "posts are read from result.json")


def inside(path: str, root: str) -> bool:
    """Is ``path`` ``root`` or under it (both real paths)?"""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _file_meta(source: Source) -> dict[str, Any]:
    # the file read is the document's source_file; a manifest entry's own stays as meta_source_file
    return with_source_file(dict(source.entry) if source.entry else {}, source.path)


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
