"""Readers: files, directories, JSONL and CSV in; Documents out, with manifest metadata attached.

Every problem with one input (empty, binary, not UTF-8, too big, unreadable, a bad JSONL line or CSV
row, an unknown format, a missing CSV column, a directory with nothing to read, a JSONL file of stance's
own outputs) becomes a ``Skipped``
record naming the input and the fix; the other inputs still go through. Every format is first
sniffed the same way, so a binary file is one skip whatever its name. Offsets later point into ``Document.text`` exactly as
read here (for HTML: the main text extracted from the page, which ``stance claims --documents`` saves). A page's
headline opening that text is hinted (``headline_end``) so that it is flagged a ``headline`` (a statement, not a
claim); so are a Markdown file's ``# Title`` and a text file's first line when it is the title its manifest entry
(or its front matter) gives.

Here: each format read into Documents (plain text, Markdown and its front matter, HTML pages through
trafilatura, JSONL and CSV rows) and the documents of all inputs streamed. The files to read are
listed by ``corpus.sources``; bytes become text in ``corpus.decoding``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from corpus.decoding import _decode, _open_sniffed, _read_bytes
from corpus.records import Document
from corpus.sentences import split_paragraphs
from corpus.sources import OnSkip, ReadOptions, Skipped, Source, _document, _file_meta, list_sources


HTML_EXTRACTOR = "trafilatura"   # what turns a page into the text its claims' offsets index
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_MD_TITLE = re.compile(r"#[ \t]+\S")   # "# Title", not "## Section"


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
        hints["headline_end"] = headline_end  # the page's headline, as a Markdown file's "# Title"
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
    except (yaml.YAMLError, RecursionError):   # the YAML parser recurses once a level of nesting
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
            meta = _with_hint({**found, **meta}, "front_matter_end", end)
    headline_end = _headline_end(text, [meta.get("title")], start=end)
    if not headline_end and source.path.lower().endswith((".md", ".markdown")):
        headline_end = _markdown_title_end(text, end)
    if headline_end and text[headline_end:].strip():  # the title as the first line, the story after it
        meta = _with_hint(meta, "headline_end", headline_end)
    yield _document(text, meta, source.path, meta.pop("id", None))


def _markdown_title_end(text: str, start: int) -> int:
    """Where a Markdown file's first paragraph from ``start`` ends when it is a ``# Title`` line, else 0."""
    first = next((p for p in split_paragraphs(text) if p[0] >= start), None)
    if first is None:
        return 0
    line = text[first[0]:first[1]]
    return first[1] if _MD_TITLE.match(line) and "\n" not in line else 0


def _with_hint(meta: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``meta`` with a voice hint the reader found added; a hint the manifest gives wins."""
    given = meta.get("voices")
    return {**meta, "voices": {key: value, **(given if isinstance(given, dict) else {})}}


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


# What stance's own JSONL outputs hold in every row; a user's documents (an id, a text, times) do not.
_OUTPUTS = (
    ({"claim_id", "start", "end", "is_claim", "prediction", "probs", "model_version"},
     "a pre-labelled claims file written by stance (stance prelabel)"),
    ({"claim_id", "start", "end", "is_claim"}, "a claims file written by stance (stance claims)"),
    ({"prediction", "score", "probs", "model_version"}, "a pre-labelled file written by stance (stance prelabel)"),
    ({"pair_id", "claim_a", "claim_b"}, "a file of claim pairs written by stance (stance compare)"),
    ({"claim_id", "annotation_id", "task_id"}, "a file of annotations written by stance (stance pull)"),
    ({"claim_id", "annotator_labels", "agreement"}, "a file of labels written by stance (stance pull)"),
)


MAX_DEPTH = 100   # levels of lists and objects a JSONL row may nest: metadata needs a few


def _too_deep(row: dict[str, Any]) -> bool:
    """Does ``row`` nest more than ``MAX_DEPTH`` levels? Rows that ``json`` parses just below Python's
    recursion limit still broke pickling them to the claim workers (a RecursionError traceback)."""
    stack: list[tuple[Any, int]] = [(row, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _stance_output(row: dict[str, Any]) -> str | None:
    """What a JSONL file whose first row is ``row`` is, when it is one of stance's outputs; else None."""
    return next((what for keys, what in _OUTPUTS if keys <= row.keys()), None)


def _read_jsonl(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    limit = options.max_mb * 1024 * 1024
    handle = _open_sniffed(source, on_skip)
    if handle is None:
        return
    with handle:
        any_line = False
        first_row = True
        for lineno, raw in enumerate(handle, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]   # Windows editors open a file with one; not part of the row
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
            except RecursionError:   # the parser recurses once a level: a deep nest is no document
                on_skip(Skipped(where, "malformed JSON (nested too deep); fix or remove that line"))
                continue
            if not isinstance(row, dict):
                on_skip(Skipped(where, f"expected a JSON object with {_quoted_names(options.text_column)}, "
                                       f"got {type(row).__name__}"))
                continue
            if _too_deep(row):
                on_skip(Skipped(where, f"nested too deep (over {MAX_DEPTH} levels of lists and objects); "
                                       "fix or remove that line"))
                continue
            if first_row:
                first_row = False
                what = _stance_output(row)
                if what is not None:   # left in the corpus folder, its sentences would come back as documents
                    on_skip(Skipped(source.path, f"{what}, not documents; move it out of the corpus folder "
                                                 "(or leave it out of the inputs)"))
                    return
            doc = _row_document(row, where, source, options, on_skip)
            if doc is not None:
                yield doc
        if not any_line:
            on_skip(Skipped(source.path, "empty (no JSON lines); add documents or leave the file out"))


class _Lines:
    """A CSV file's lines as the csv reader takes them; those of the row being read are kept, to find
    the line where a quote that does not close was opened."""

    def __init__(self, handle: Iterator[str]) -> None:
        self.handle = handle
        self.row: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.row.append(line)
        return line


def _quote_opened(lines: list[str], first: int) -> tuple[int | None, bool]:
    """The line (numbered from ``first``) where the last quoted field of a row's ``lines`` opened, or
    None, and whether it is still open at their end: the csv module's own reading of quotes."""
    opened, quoted, field_start = None, False, True
    for n, line in enumerate(lines, start=first):
        i = 0
        while i < len(line):
            c = line[i]
            if quoted:
                if c == '"':
                    if line[i + 1:i + 2] == '"':
                        i += 1   # a doubled quote inside the field
                    else:
                        quoted, field_start = False, False
            elif c == '"' and field_start:
                quoted, opened = True, n
            else:
                field_start = c in ",\r\n"
            i += 1
    return opened, quoted


def _csv_error(err: csv.Error, path: str, first: int, last: int, lines: list[str], max_mb: float) -> Skipped:
    """The skip for a row (lines ``first`` to ``last``) the csv reader could not read, at the line the
    trouble started. A quote left open runs on over the rows after it until a later quote or the file's
    end: those lines are named, since they are not read."""
    opened, still_open = _quote_opened(lines, first)
    fix = 'a quote inside a quoted field is doubled: ""'
    if opened is not None and still_open:
        ran = (f": lines {opened}-{last}, to the end of the file, ran into one field and were not read"
               if last > opened else " before the file ends")
        return Skipped(f"{path}:{opened}", f'the quote (") opened on this line is never closed{ran}; '
                                           f"close the quote ({fix})")
    if opened is not None and last > opened:
        return Skipped(f"{path}:{opened}", f'the quote (") opened on this line runs on to line {last} ({err}), '
                                           f"so lines {opened}-{last} ran into one field and were not read; "
                                           f"close the quote where its field ends ({fix})")
    if "expected after" in str(err):
        return Skipped(f"{path}:{first}", f"text after the closing quote of a field ({err}); put the whole "
                                          f'field in quotes and double each quote inside it ("")')
    if "field limit" in str(err):
        return Skipped(f"{path}:{first}", f"a field over the {max_mb:g} MB limit; split the document or raise "
                                          "the limit with --max-file-mb")
    return Skipped(f"{path}:{first}", f"malformed CSV ({err}); fix or remove that row")


def _read_csv(source: Source, options: ReadOptions, on_skip: OnSkip) -> Iterator[Document]:
    csv.field_size_limit(min(sys.maxsize, int(options.max_mb * 1024 * 1024)))
    raw = _open_sniffed(source, on_skip)
    if raw is None:
        return
    with raw:
        lines = _Lines(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        # strict: a quote that never closes is an error, not a field swallowing every row after it
        reader = csv.reader(lines, strict=True)

        def rows() -> Iterator[tuple[int, list[str] | Skipped]]:
            """Each row after the header with the line it starts on, or the skip for one that cannot be
            read (the reader goes on from the line after it)."""
            while True:
                first = reader.line_num + 1
                lines.row = []
                try:
                    yield first, next(reader)
                except StopIteration:
                    return
                except csv.Error as err:
                    yield first, _csv_error(err, source.path, first, reader.line_num, lines.row, options.max_mb)

        try:
            try:
                columns = next(reader, [])
            except csv.Error as err:   # no row can be read without the header
                on_skip(_csv_error(err, source.path, 1, reader.line_num, lines.row, options.max_mb))
                return
            if not columns:
                on_skip(Skipped(source.path, "empty (no header row); add a header and rows"))
                return
            if _text_column(columns, options) is None:
                on_skip(Skipped(source.path, f"no {_quoted_names(options.text_column)} column (columns: "
                                             f"{', '.join(columns)}); choose one with --text-column "
                                             "(several, comma-separated: body,text)"))
                return
            any_row = False
            for first, cells in rows():
                if not cells:
                    continue  # a blank line
                any_row = True
                if isinstance(cells, Skipped):
                    on_skip(cells)
                    continue
                where = f"{source.path}:{first}"
                # A comma or a line break in unquoted text splits it into more fields, or more rows of
                # fewer: such a row is told, not read with its text cut (empty extra cells lose nothing).
                if len(cells) < len(columns) or any(cell.strip() for cell in cells[len(columns):]):
                    on_skip(Skipped(where, _field_count(len(cells), len(columns))))
                    continue
                doc = _row_document(dict(zip(columns, cells)), where, source, options, on_skip)
                if doc is not None:
                    yield doc
            if not any_row:
                on_skip(Skipped(source.path, "empty (a header but no rows); add rows or leave the file out"))
        except UnicodeDecodeError:
            on_skip(Skipped(source.path, "not UTF-8; re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8"))


def _field_count(n: int, header: int) -> str:
    """Why a row of ``n`` fields under a header of ``header`` is not read, and the fix."""
    said = f"this row has {n} field{'' if n == 1 else 's'}, the header {header}"
    if n > header:
        return f'{said}; quote the text field ("...") when it holds commas'
    return (f'{said}; give each column its field (an empty one too: a,,c), and quote the text field ("...") '
            "when it holds a line break")


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
