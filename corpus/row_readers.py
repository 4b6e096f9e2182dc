"""Documents given as rows: one JSONL line or one CSV row a document, its text in a column.

Each row's problem (a malformed line, a missing or non-text column, nesting too deep, a CSV row
with more or fewer fields than the header, a quote never closed) is a ``Skipped`` naming the file
and line; the other rows go through. A JSONL file of stance's own outputs (claims, pre-labels,
pairs, pulled labels) is one skip: it is not documents. Rows whose text is empty (a post of a photo
alone) are left out with one note a file; a file of only such rows is a skip. ``--column outlet=Канал``
(``ReadOptions.columns``) puts a column's value under a metadata key (one column may feed several keys,
the text or id column one too); a file without the column is read without it, and a column no file has
is an error (``column_notes``, before any file is read). A date written day or month first becomes ISO
(``corpus.dates``); a lone surrogate in a JSONL string (``\\ud83d``) becomes U+FFFD, with a note.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from corpus.dates import iso_dates
from corpus.decoding import _open_sniffed, may_hold_surrogates, not_utf8_file, replace_surrogates, surrogates_note
from corpus.errors import UserError, json_problem, named_few
from corpus.records import Document, content_id, named_source, with_source_file
from corpus.sources import OnNote, OnSkip, ReadOptions, Skipped, Source, _document, _file_meta

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


MAPPED_KEYS = ("outlet", "date", "author", "source_type", "title", "url", "platform", "language")


def column_map(given: list[str] | None) -> tuple[tuple[str, str], ...]:
    """``--column KEY=COLUMN`` options (``outlet=Канал``; several columns, comma-separated, take the
    first one present) as ``ReadOptions.columns``; a malformed one or an unknown key is a UserError."""
    mapping: dict[str, str] = {}
    for value in given or []:
        key, sep, names = value.partition("=")
        key = key.strip()
        if not sep or not key or not _names(names):
            raise UserError(f"--column {value}: give a metadata key and a column, as in --column outlet=Канал")
        if key in ("text", "id", "doc_id"):
            raise UserError(f"--column {value}: the {key} column is chosen with --{'text' if key == 'text' else 'id'}-column")
        if key not in MAPPED_KEYS:
            near = difflib.get_close_matches(key.lower(), MAPPED_KEYS, n=1, cutoff=0.7)
            meant = f" (did you mean '{near[0]}'?)" if near else ""
            raise UserError(f"--column {value}: unknown key '{key}'{meant}; map a column to one of: "
                            f"{', '.join(MAPPED_KEYS)}")
        if key in mapping:
            raise UserError(f"--column {value}: {key} is mapped twice; give each key once (several columns: "
                            f"{key}=A,B takes the first one present)")
        mapping[key] = ",".join(_names(names))
    return tuple(mapping.items())


def _unmapped(keys: Any, options: ReadOptions) -> list[str]:
    """The ``--column`` options naming no column of ``keys`` (a CSV header, a JSONL file's first row);
    a file with a column named as the key itself (``outlet``) needs none."""
    return [f"{key}={names}" for key, names in options.columns
            if key not in keys and not any(name in keys for name in _names(names))]


def _no_mapped_column(missing: list[str], keys: list[str], what: str) -> str:
    """Why ``--column`` options name no column of a file: the columns it has, and one nearly named so."""
    names = [name for option in missing for name in _names(option.partition("=")[2])]
    folded = {str(k).strip().casefold(): str(k) for k in keys}
    near = next((folded[n.casefold()] for n in names if n.casefold() in folded), None)
    if near is None:
        near = next((c[0] for n in names if (c := difflib.get_close_matches(n, [str(k) for k in keys], 1, 0.7))), None)
    hint = f" (did you mean '{near}'?)" if near is not None else ""
    return (f"no {' or '.join(map(repr, names))} column for --column {', --column '.join(missing)} "
            f"({what}: {', '.join(map(str, keys))}){hint}; give the column's name as it is written")


# A JSONL's fields are gathered over this many rows: a row may leave out a field it has no value for.
COLUMN_SCAN_ROWS = 1000


def _first_columns(source: Source, max_mb: float) -> tuple[list[str], str] | None:
    """A CSV file's header, or the fields of a JSONL file's first ``COLUMN_SCAN_ROWS`` rows, and how
    they were found; None when the file cannot be read that far (its reader says why)."""
    try:
        with open(source.path, "rb") as raw:
            if source.fmt == "csv":
                header = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="").readline()
                delimiter = sniff_delimiter(header)
                how = "" if delimiter == "," else f", split at each {DELIMITER_NAMES[delimiter]}"
                return next(csv.reader([header], delimiter=delimiter)), f"columns{how}"
            limit = int(max_mb * 1024 * 1024)
            fields: dict[str, None] = {}
            rows = 0
            for line in iter(lambda: raw.readline(limit + 1), b""):
                if len(line) > limit:
                    return None   # the reader refuses it, with its own line
                if line.strip():
                    row = json.loads(line.decode("utf-8-sig"))
                    if not isinstance(row, dict):
                        return None
                    fields.update(dict.fromkeys(map(str, row)))
                    rows += 1
                    if rows >= COLUMN_SCAN_ROWS:
                        break
            if not rows:
                return None
            return list(fields), "its first row's fields" if rows == 1 else f"the fields of its first {rows} rows"
    except (OSError, ValueError, csv.Error, RecursionError, StopIteration):
        pass
    return None


def column_notes(sources: list[Source], options: ReadOptions, on_note: OnNote | None) -> None:
    """Check ``--column`` options against the CSV and JSONL inputs' columns before any is read.

    A file without a mapped column is read without that key (one note an option, naming the files);
    an option no file has a column for is a UserError (a typo: the columns of the first file, and one
    nearly named so); options given with no CSV or JSONL input at all are a note.
    """
    if not options.columns:
        return
    tabular = [s for s in sources if s.fmt in ("csv", "jsonl")]
    files = [(s.path, found) for s in tabular if (found := _first_columns(s, options.max_mb)) is not None]
    # Files this check cannot read (not UTF-8, a malformed first line): their readers say why; the
    # column may be theirs, so a column no readable file has is then a note, not an error.
    unread = [s.path for s in tabular if all(s.path != path for path, _ in files)]
    if not files:
        if on_note is not None and not any(s.fmt in ("csv", "jsonl") for s in sources):
            given = ", ".join(f"--column {key}={names}" for key, names in options.columns)
            on_note(f"{given} not used: no CSV or JSONL input (a Telegram export's posts take outlet, date and "
                    "author from the export; a text file's metadata comes from a manifest)")
        return
    lacking_by = {f"{key}={names}": [(path, found) for path, found in files
                                     if _unmapped(found[0], ReadOptions(columns=((key, names),)))]
                  for key, names in options.columns}
    # A column named in no file is a typo even when some file has a field named as the key itself
    # (a JSONL's own `outlet`): that file would keep its outlet while the others lost theirs.
    named_in = {f"{key}={names}": [path for path, found in files if any(n in found[0] for n in _names(names))]
                for key, names in options.columns}
    nowhere = [option for option in lacking_by if not named_in[option]]
    if nowhere and unread:
        if on_note is not None:
            on_note(f"--column {', --column '.join(nowhere)}: no readable file has that column; "
                    f"{named_few([str(p) for p in unread])} could not be checked (see why below)")
    elif nowhere:   # a typo, most likely: the columns of the first file lacking it, and one nearly named so
        path, (keys, what) = next(iter(lacking_by[nowhere[0]]), files[0])
        n = len(files) - 1
        where = f"{path} and the {n} other CSV/JSONL input{'s' if n > 1 else ''}" if n else path
        raise UserError(f"{where}: {_no_mapped_column(nowhere, keys, what)}")
    for key, names in options.columns:
        option = f"{key}={names}"
        lacking = lacking_by[option]
        if lacking and on_note is not None:
            one = len(lacking) == 1
            has = len(named_in[option])
            own = len(files) - len(lacking) - has   # files with a field named as the key itself
            others = [f"{has} other file{' has' if has == 1 else 's have'} it"] if has else []
            others += [f"{own} {'has' if own == 1 else 'have'} its own {key} field"] if own else []
            on_note(f"--column {option}: no {_quoted_names(names)} column in {named_few([p for p, _ in lacking])}, "
                    f"so {'its' if one else 'their'} documents get no {key} from it; {' and '.join(others)}")


def _row_document(row: dict[str, Any], where: str, source: Source, options: ReadOptions,
                  on_skip: OnSkip, on_empty: Callable[[str], None]) -> Document | None:
    column = _text_column(row, options)
    if column is None:
        on_skip(Skipped(where, f"no {_quoted_names(options.text_column)} field; add it or choose the field "
                               "with --text-column (several, comma-separated: body,text)"))
        return None
    text = row[column]
    if not isinstance(text, str):
        on_skip(Skipped(where, f"'{column}' is a {type(text).__name__}, not a string; store the text as a string"))
        return None
    if not text.strip():   # a post of a photo or video alone: told once a file, in a note
        on_empty(column)
        return None
    id_column = _id_column(row, options)
    given_id = row.get(id_column) if id_column is not None else None
    meta = {k: v for k, v in _file_meta(source).items() if k not in ("id", "voices")}
    unused = {name for name in _names(options.id_column) if row.get(name) in (None, "")}  # an empty id is no field
    meta.update((k, v) for k, v in row.items() if k not in (column, id_column) and k not in unused)
    moved: set[str] = set()
    for key, names in options.columns:   # --column outlet=Канал: the column's value under the key
        name = next((name for name in _names(names) if name in row), None)
        if name is not None and name != key:
            # copied, not moved, until every key has its value: one column may feed several keys
            # (a channel is outlet and author), and the text or id column may feed one too
            value = row[name]
            if value not in (None, ""):
                meta[key] = value
            moved.add(name)
    for name in moved - set(MAPPED_KEYS):
        meta.pop(name, None)   # under its key now; a column named as a key itself (outlet) stays
    if given_id not in (None, "") and source.manifest is not None:
        # the manifest's entry for this id wins over the row's own columns, as it does over a Markdown
        # file's front matter: it is the researcher's word on that one document (a file's entry does not)
        meta.update((k, v) for k, v in (source.manifest.for_id(str(given_id)) or {}).items() if k != "id")
    meta = with_source_file(meta, source.path)   # the row's own source_file stays, as meta_source_file
    if given_id in (None, ""):   # an id from the text, the source it names and its date: a repost elsewhere,
        named = named_source(meta)   # or the same source posting the text again another day, is its own
        date = meta.get("date")
        if named is not None:
            given_id = content_id(f"{text}\n{named}" + (f"\n{date}" if date not in (None, "") else ""))
    return _document(text, meta, source.path, given_id)


# What stance's own JSONL outputs hold in every row; a user's documents (an id, a text, times) do not.
_OUTPUTS = (
    # a claims row has fields no other data set has all of: its reason, voice and paragraph
    ({"claim_id", "doc_id", "start", "end", "is_claim", "reason", "speaker", "context", "prediction", "probs",
      "model_version"}, "a pre-labelled claims file written by stance (stance prelabel)"),
    ({"claim_id", "doc_id", "start", "end", "is_claim", "reason", "speaker", "context"},
     "a claims file written by stance (stance claims)"),
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


class _EmptyRows:
    """The lines of a row file whose text is empty (a post of a photo or video alone), and its column."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.column = ""

    def add(self, line: int, column: str) -> None:
        self.lines.append(line)
        self.column = self.column or column


def _with_empty_rows(docs: Iterator[Document], empty: _EmptyRows, path: str, on_skip: OnSkip,
                     on_note: OnNote | None) -> Iterator[Document]:
    """``docs``, then one note for the rows left out because their text is empty; a file whose every
    readable row is empty is a skip (nothing of it can be read)."""
    read = 0
    for doc in docs:
        read += 1
        yield doc
    n = len(empty.lines)
    if not n:
        return
    rows = f"{n} row{'s' if n > 1 else ''}"
    if not read:
        on_skip(Skipped(path, f"every row's '{empty.column}' is empty ({rows}); add text, or choose the column "
                              "holding it with --text-column"))
        return
    if on_note is not None:
        lines = ", ".join(map(str, empty.lines[:5])) + (f" and {n - 5} more" if n > 5 else "")
        on_note(f"{path}: {rows} with an empty '{empty.column}' not read (line{'s' if n > 1 else ''} {lines}): "
                f"nothing to split, as in a post of a photo or video alone; give {'them' if n > 1 else 'it'} "
                "text to have it read")


# A row's text still in HTML (a CMS or API export's body): tags that structure a page, or its entities.
_MARKUP = re.compile(r"</?(?:p|div|br|span|a|b|i|em|strong|u|ul|ol|li|h[1-6]|blockquote|img|table|tr|td|figure)\b[^<>]*>"
                     r"|&(?:amp|lt|gt|quot|nbsp|mdash|ndash|laquo|raquo|rsquo|#\d+|#x[0-9a-fA-F]+);", re.I)


def _with_markup_note(docs: Iterator[Document], path: str, on_note: OnNote | None) -> Iterator[Document]:
    """``docs``, then one note when the text of some of them is HTML: it is read as it is, tags and
    entities in the claims ('<p>The ministry said ...</p><p>Engineers ...' one sentence across two
    paragraphs, as QA's export of a site's API was)."""
    found: list[tuple[str, str]] = []   # (doc id, the first markup seen)
    for doc in docs:
        if on_note is not None and (m := _MARKUP.search(doc.text)) is not None:
            found.append((doc.doc_id, m.group(0)))
        yield doc
    if found and on_note is not None:
        n = len(found)
        on_note(f"{path}: {n} row{'s' if n > 1 else ''} hold{'' if n > 1 else 's'} HTML markup in the text "
                f"({found[0][1]!r} in document {found[0][0]}"
                + (f" and {n - 1} more" if n > 1 else "") + "), read as plain text: its tags and entities "
                "go into the claims and a paragraph break is missed; strip the markup from the rows first, or "
                "save each text as a .html file, whose page is extracted")


def read_jsonl_documents(source: Source, options: ReadOptions, on_skip: OnSkip,
                         on_note: OnNote | None = None) -> Iterator[Document]:
    """The documents of a JSONL file, one a line; rows without text are left out with one note, and
    lone surrogates (``\\ud83d``) become U+FFFD with one note."""
    empty = _EmptyRows()
    surrogates = [0]
    docs = _jsonl_documents(source, options, on_skip, empty, surrogates)
    again = lambda: _jsonl_documents(source, options, _ignored, _EmptyRows(), [0])   # noqa: E731
    docs = _with_empty_rows(iso_dates(docs, source.path, on_note, rescan=again), empty, source.path, on_skip, on_note)
    docs = _with_markup_note(docs, source.path, on_note)
    return _then(docs, lambda: on_note(surrogates_note(source.path, surrogates[0]))
                 if surrogates[0] and on_note is not None else None)


def _then(docs: Iterator[Document], after: Callable[[], None]) -> Iterator[Document]:
    """``docs``, then ``after()`` once they are all read."""
    yield from docs
    after()


def _jsonl_documents(source: Source, options: ReadOptions, on_skip: OnSkip, empty: _EmptyRows,
                     surrogates: list[int]) -> Iterator[Document]:
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
                on_skip(Skipped(where, f"malformed JSON ({json_problem(err)}); fix or remove that line"))
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
            if may_hold_surrogates(raw):   # an emoji cut in two: no UTF-8 output can hold its half
                row, n = replace_surrogates(row)
                surrogates[0] += n
            if first_row:
                first_row = False
                what = _stance_output(row)
                if what is not None:   # left in the corpus folder, its sentences would come back as documents
                    on_skip(Skipped(source.path, f"{what}, not documents; move it out of the corpus folder "
                                                 "(or leave it out of the inputs)"))
                    return
            doc = _row_document(row, where, source, options, on_skip, lambda column: empty.add(lineno, column))
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


DELIMITERS = (",", ";", "\t", "|")   # comma first: it wins a tie
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def sniff_delimiter(header: str) -> str:
    """The field separator of a CSV file from its header line: the one of comma, semicolon, tab and
    pipe that splits it into the most columns (outside quotes), comma on a tie or when none does.

    Spreadsheets in many locales save "CSV" with semicolons, and some exports use tabs; a header is
    a line of short names, so the separator is the character between them. (csv.Sniffer needs more
    than one line to tell, and guesses a letter on some headers.)
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for c in header.rstrip("\r\n"):
        if c == '"':
            quoted = not quoted
        elif not quoted and c in counts:
            counts[c] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])   # max keeps the first of equals: comma
    return best if counts[best] else ","


def _unquoted(cell: str) -> str:
    """A tab-separated field a spreadsheet quoted (each quote inside doubled) without its quotes, else as
    it is: '"We will respond," she said. "Soon."' opens and closes with quotes that are the text's own."""
    inner = cell[1:-1]
    if len(cell) >= 2 and cell[0] == cell[-1] == '"' and inner.replace('""', "").count('"') == 0:
        return inner.replace('""', '"')
    return cell


def _quote_opened(lines: list[str], first: int, delimiter: str = ",") -> tuple[int | None, bool]:
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
                field_start = c in (delimiter, "\r", "\n")
            i += 1
    return opened, quoted


def _csv_error(err: csv.Error, path: str, first: int, last: int, lines: list[str], max_mb: float,
               delimiter: str = ",") -> Skipped:
    """The skip for a row (lines ``first`` to ``last``) the csv reader could not read, at the line the
    trouble started. A quote left open runs on over the rows after it until a later quote or the file's
    end: those lines are named, since they are not read."""
    opened, still_open = _quote_opened(lines, first, delimiter)
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


def read_csv_documents(source: Source, options: ReadOptions, on_skip: OnSkip,
                       on_note: OnNote | None = None) -> Iterator[Document]:
    """The documents of a CSV file, one a row; rows without text are left out with one note."""
    empty = _EmptyRows()
    docs = _csv_documents(source, options, on_skip, empty)
    again = lambda: _csv_documents(source, options, _ignored, _EmptyRows())   # noqa: E731
    return _with_markup_note(_with_empty_rows(iso_dates(docs, source.path, on_note, rescan=again), empty,
                                              source.path, on_skip, on_note), source.path, on_note)


def _ignored(skip: Skipped) -> None:
    """Skips of a file read again for its dates alone: said on its first reading."""


def _csv_documents(source: Source, options: ReadOptions, on_skip: OnSkip, empty: _EmptyRows) -> Iterator[Document]:
    csv.field_size_limit(min(sys.maxsize, int(options.max_mb * 1024 * 1024)))
    raw = _open_sniffed(source, on_skip)
    if raw is None:
        return
    with raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            header = text.readline()
        except UnicodeDecodeError:
            on_skip(Skipped(source.path, not_utf8_file(source.path)))
            return
        delimiter = sniff_delimiter(header)
        lines = _Lines(itertools.chain([header] if header else [], text))
        # strict: a quote that never closes is an error, not a field swallowing every row after it
        # a tab-separated file quotes nothing: a text opening with a quotation mark ('"Sanctions have
        # failed," Peskov said.') is text, not a quoted field (a spreadsheet's "a ""b"" c" is unwrapped below)
        reader = (csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_NONE) if delimiter == "\t"
                  else csv.reader(lines, delimiter=delimiter, strict=True))

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
                    yield first, _csv_error(err, source.path, first, reader.line_num, lines.row, options.max_mb,
                                            delimiter)

        try:
            try:
                columns = next(reader, [])
            except csv.Error as err:   # no row can be read without the header
                on_skip(_csv_error(err, source.path, 1, reader.line_num, lines.row, options.max_mb, delimiter))
                return
            if not columns:
                on_skip(Skipped(source.path, "empty (no header row); add a header and rows"))
                return
            if _text_column(columns, options) is None:
                on_skip(Skipped(source.path, _no_text_column(columns, delimiter, options)))
                return
            twice = [name for name in dict.fromkeys(columns) if name.strip() and columns.count(name) > 1]
            if twice:   # a row's dict would keep the last one's cells: the first column's text silently gone
                where = "; ".join(f"{name!r} is columns {', '.join(str(i + 1) for i, c in enumerate(columns) if c == name)}"
                                  for name in twice)
                on_skip(Skipped(source.path, f"the header names a column twice ({where}); rename one of them"))
                return
            any_row = False
            for first, cells in rows():
                if not cells:
                    continue  # a blank line
                any_row = True
                if isinstance(cells, Skipped):
                    on_skip(cells)
                    continue
                if delimiter == "\t":
                    cells = [_unquoted(cell) for cell in cells]
                where = f"{source.path}:{first}"
                # A comma or a line break in unquoted text splits it into more fields, or more rows of
                # fewer: such a row is told, not read with its text cut (empty extra cells lose nothing).
                if len(cells) < len(columns) or any(cell.strip() for cell in cells[len(columns):]):
                    on_skip(Skipped(where, _field_count(len(cells), len(columns), delimiter)))
                    continue
                doc = _row_document(dict(zip(columns, cells)), where, source, options, on_skip,
                                    lambda column: empty.add(first, column))
                if doc is not None:
                    yield doc
            if not any_row:
                on_skip(Skipped(source.path, "empty (a header but no rows); add rows or leave the file out"))
        except UnicodeDecodeError:
            on_skip(Skipped(source.path, not_utf8_file(source.path)))



def _no_text_column(columns: list[str], delimiter: str, options: ReadOptions) -> str:
    """Why a CSV header gives no text column: the columns found (how the header was split, when not
    by commas), a column that differs only in case or spaces, and the fix."""
    if len(columns) == 1:
        found = (f"the header is one column, {columns[0]!r}: no comma, semicolon, tab or pipe separates "
                 "its names")
        fix = "separate the header's names (and each row's fields) with one of them, or choose a column"
    else:
        how = "" if delimiter == "," else f", split at each {DELIMITER_NAMES[delimiter]}"
        found = f"columns{how}: {', '.join(columns)}"
        fix = "choose one"
    wanted = {name.casefold() for name in _names(options.text_column)}
    near = next((c for c in columns if c.strip().casefold() in wanted and len(columns) > 1), None)
    hint = f" ({near!r} differs only in case or spaces: --text-column '{near}')" if near is not None else ""
    return (f"no {_quoted_names(options.text_column)} column ({found}); {fix} with --text-column{hint} "
            "(several, comma-separated: body,text)")


def _field_count(n: int, header: int, delimiter: str = ",") -> str:
    """Why a row of ``n`` fields under a header of ``header`` is not read, and the fix."""
    said = f"this row has {n} field{'' if n == 1 else 's'}, the header {header}"
    if n > header:
        what = "commas" if delimiter == "," else f"{DELIMITER_NAMES[delimiter]}s (the file's separator)"
        return f'{said}; quote the text field ("...") when it holds {what}'
    empty = f"a{delimiter}{delimiter}c" if delimiter != "\t" else "two tabs in a row"
    return (f'{said}; give each column its field (an empty one too: {empty}), and quote the text field ("...") '
            "when it holds a line break")
