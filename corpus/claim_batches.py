"""Claims in bulk: inputs cut into work items of about ``BATCH_BYTES`` of text, each turned into JSON
lines and counts (encoded by hand: the hot path) in this process or a pool of workers, results back in
task order.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import json.encoder
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from corpus.errors import UserError
from corpus.claimfilter import NOT_ENGLISH
from corpus.extraction import _row_meta, _sentences, document_row
from corpus.language import document_language, looks_english
from corpus.readers import read_source
from corpus.records import Document, make_claim_id
from corpus.sources import ROW_FORMATS, ReadOptions, Skipped, Source, document_format

BATCH_BYTES = 256 * 1024  # text a worker gets at a time: few round trips, little held in memory
_enc = json.encoder.encode_basestring  # the C string encoder json.dumps(ensure_ascii=False) uses


_OPTIONS = ReadOptions()
_DOCUMENT_ROWS = False  # whether workers also return each document's documents-file row


def _init_worker(options: ReadOptions, document_rows: bool = False) -> None:
    global _OPTIONS, _DOCUMENT_ROWS
    _OPTIONS, _DOCUMENT_ROWS = options, document_rows


def _init_pool_worker(options: ReadOptions, document_rows: bool = False, parent: int = 0) -> None:
    # The parent decides when a worker ends: a Ctrl-C, kill or hangup sent to the whole process group
    # reaches the parent, which kills its workers (a worker dying on its own while it holds the task
    # queue's lock would leave the parent waiting for that lock forever). A parent killed outright
    # (kill -9, the OOM killer) takes its workers with it (Linux's parent-death signal).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))   # PR_SET_PDEATHSIG
    if parent and os.getppid() != parent:   # the parent died before the line above
        os._exit(1)
    _init_worker(options, document_rows)


def _doc_lines(doc: Document, lines: list[str], by_voice: dict[str, int], claims_by_voice: dict[str, int],
               languages: list | None = None) -> int:
    """Append the JSON lines of ``claim_rows(doc)`` to ``lines``, encoded by hand (the hot path).

    Each paragraph's context and the document's metadata are encoded once, not once a sentence.
    Returns the number of claims; a document not (all) in English is added to ``languages``
    (``language.document_language``).
    """
    text, doc_id = doc.text, doc.doc_id
    meta = _row_meta(doc)
    tail = (", " + json.dumps(meta, ensure_ascii=False, default=str)[1:-1] + "}") if meta else "}"
    doc_json = _enc(doc_id)
    words: dict[str | None, str] = {None: "null"}  # reasons, speakers and names repeat: encode once
    context_key, context = None, ""
    n_claims = not_english = 0
    for n, (s, e, is_claim, reason, speaker, name, cs, ce, p) in enumerate(_sentences(doc)):
        sentence = text[s:e]
        if (cs, ce) != context_key:
            context_key, context = (cs, ce), _enc(text[cs:ce])
        for word in (reason, speaker, name):
            if word not in words:
                words[word] = _enc(word)
        lines.append(
            f'{{"claim_id": "{make_claim_id(doc_id, s, e, sentence)}", "doc_id": {doc_json}, '
            f'"text": {_enc(sentence)}, "start": {s}, "end": {e}, "is_claim": {"true" if is_claim else "false"}, '
            f'"reason": {words[reason]}, "speaker": {words[speaker]}, "speaker_name": {words[name]}, '
            f'"context": {context}, "context_start": {cs}, "paragraph": {p}, "sentence": {n}{tail}')
        n_claims += is_claim
        not_english += reason == NOT_ENGLISH
        by_voice[speaker] = by_voice.get(speaker, 0) + 1
        if is_claim:
            claims_by_voice[speaker] = claims_by_voice.get(speaker, 0) + 1
    if languages is not None and (not_english or not looks_english(text)):
        languages.append(document_language(os.path.basename(doc.path or doc.doc_id), text, not_english))
    return n_claims


def _work(task: list[Source] | list[Document]) -> tuple[bytes, int, int, int, dict, dict, list[Skipped], list, list]:
    """Turn a batch of files (or of JSONL/CSV documents) into UTF-8 JSON lines and counts, (when
    asked) each document's ``(doc_id, sha1, source_file, documents-file line)``, and the documents
    not (all) in English (``language.document_language``)."""
    languages: list = []
    skipped: list[Skipped] = []
    lines: list[str] = []
    doc_rows: list[tuple[str, str, str, bytes]] = []
    n_docs = n_claims = 0
    by_voice: dict[str, int] = {}
    claims_by_voice: dict[str, int] = {}
    for item in task:
        for doc in read_source(item, _OPTIONS, skipped.append) if isinstance(item, Source) else (item,):
            n_docs += 1
            n_claims += _doc_lines(doc, lines, by_voice, claims_by_voice, languages)
            if _DOCUMENT_ROWS:
                row = document_row(doc)
                line = json.dumps(row, ensure_ascii=False, default=str) + "\n"
                doc_rows.append((doc.doc_id, row["sha1"], str(row["source_file"]), line.encode("utf-8")))
    chunk = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    return chunk, n_docs, len(lines), n_claims, by_voice, claims_by_voice, skipped, doc_rows, languages


def _is_repeat(first_text: dict[str, int], doc: Document) -> bool:
    """Whether ``doc`` repeats a row read before (the same id and text, as in overlapping exports,
    whatever else differs, a view count say): its claims would be the same claims, ids and all.
    ``first_text`` maps each id read to the hash of its first text; an id given to two texts is read
    twice (claims.py notes it). A row without an id has one made from its text, the source it names
    and its date (``corpus.row_readers``), so a repost elsewhere is a document of its own."""
    key = hash(doc.text)
    if doc.doc_id not in first_text:
        first_text[doc.doc_id] = key
        return False
    return first_text[doc.doc_id] == key


def repeats_note(path: str, again: int) -> str:
    """The note for a file's rows read once: repeats of an earlier row."""
    return (f"{path}: {again} row{'s' if again > 1 else ''} repeating an earlier row (the same id and text, "
            "the first row's metadata kept) read once")


def _tasks(sources: list[Source], options: ReadOptions, on_skip: Callable[[Skipped], None],
           on_note: Callable[[str], None] | None = None) -> Iterator[tuple[list[Source] | list[Document], int]]:
    """Work items of about BATCH_BYTES of text, with the bytes of input files they take the reading
    through (``progress_total`` in all): a text file's when its item is yielded, a JSONL or CSV file's as
    far as its rows are read, the rest with the item that ends it.

    Text files go as paths (the worker reads them); JSONL and CSV rows and Telegram posts are read
    here, in order (what they leave out, such as rows without text, goes to ``on_note``).
    """
    batch_bytes = BATCH_BYTES
    first_text: dict[str, int] = {}   # JSONL/CSV/Telegram document id -> hash of the first text read under it
    first_file: dict[str, str] = {}   # and the file it was read from
    clashes: list[tuple[str, str, str]] = []   # an id given to two different texts: (id, first file, this file)
    files: list[Source] = []
    size = 0
    for source in sources:
        if source.fmt not in ROW_FORMATS:
            files.append(source)
            size += _file_size(source)
            if size >= batch_bytes or len(files) >= 256:
                yield files, size
                files, size = [], 0
            continue
        if files:
            yield files, size
            files, size = [], 0
        docs: list[Document] = []
        repeats = 0   # rows repeating an earlier row: read once
        total, told = _file_size(source), 0   # the file's bytes, and those told so far
        source = replace(source, opened=[])   # the reader's handle: how far through the file it is
        for doc in read_source(source, options, on_skip, on_note):
            if _is_repeat(first_text, doc):
                repeats += 1
                continue
            first_file.setdefault(doc.doc_id, source.path)
            if first_text[doc.doc_id] != hash(doc.text):
                clashes.append((doc.doc_id, first_file[doc.doc_id], source.path))
            docs.append(doc)
            size += len(doc.text)
            if size >= batch_bytes:
                read = min(_position(source), total)
                yield docs, max(0, read - told)
                told = max(told, read)
                docs, size = [], 0
        if on_note is not None and repeats:
            on_note(repeats_note(source.path, repeats))
        yield docs, max(0, total - told)
        size = 0
    if files:
        yield files, size
    if on_note is not None and clashes:
        on_note(clash_note(clashes))
    if on_note is not None:
        for note in unmatched_id_notes(sources, set(first_file)):
            on_note(note)


def _file_size(source: Source) -> int:
    try:
        return os.path.getsize(source.path)
    except OSError:
        return 0


def _position(source: Source) -> int:
    """How far the reader of a JSONL or CSV file is through it (its read-ahead included); 0 when unknown."""
    try:
        return source.opened[-1].tell() if source.opened else 0
    except (OSError, ValueError):   # closed, or not seekable
        return 0


def progress_total(sources: list[Source]) -> int:
    """The bytes ``_tasks`` tells in all: the inputs' sizes (an unreadable one's 0)."""
    return sum(_file_size(source) for source in sources)


def unmatched_id_notes(sources: list[Source], read: set[str]) -> list[str]:
    """One note a manifest entry whose `id:` names no row read, when every row file beside the manifest
    was read (a run on one file of the folder leaves the others' ids unread, rightly): a mistyped id
    corrected nothing, unsaid, as a `file:` entry naming no file is told."""
    manifests = {id(s.manifest): s.manifest for s in sources if s.manifest is not None and s.manifest.listed_ids}
    given = {os.path.realpath(s.path) for s in sources}
    notes = []
    for manifest in manifests.values():
        folder = os.path.realpath(manifest.path.parent)
        beside = {os.path.realpath(os.path.join(top, name)) for top, dirs, names in os.walk(folder)
                  for name in names if not name.startswith(".")
                  and (document_format(name) in ROW_FORMATS or name == "result.json")}
        if beside - given:
            continue
        for n, doc_id in manifest.listed_ids:
            if doc_id not in read:
                close = difflib.get_close_matches(doc_id, sorted(read), n=1, cutoff=0.6)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                notes.append(f"{manifest.path}: documents entry {n} names id `{doc_id}`, which no row of the "
                             f"corpus has{hint}; fix the id or remove the entry")
    return notes


def clash_note(clashes: list[tuple[str, str, str]]) -> str:
    """The note for ids given to two different texts: both are read, under the one id."""
    doc_id, first, second = clashes[0]
    where = f"{first} and {second}" if first != second else first
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    return (f"doc_id {doc_id} names two different texts ({where}){more}: both are read, as two documents under one "
            "id, so their claims share the doc_id and a claim's offsets index only one of them; give every "
            "document its own id (--id-column names the column)")


def _results(tasks: Iterable[tuple[Any, int]], options: ReadOptions, workers: int,
             document_rows: bool = False) -> Iterator[tuple[tuple, int]]:
    """Results of ``_work`` in task order; with workers > 1, from a pool with bounded look-ahead."""
    if workers <= 1:
        _init_worker(options, document_rows)
        for task, done in tasks:
            yield _work(task), done
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_pool_worker, initargs=(options, document_rows, os.getpid()))
    finished = False
    try:
        pending: deque = deque()
        for task, done in tasks:
            pending.append((pool.submit(_work, task), done))
            if len(pending) >= 8 * workers:
                result, done_ = pending.popleft()
                yield result.result(), done_
        while pending:
            result, done_ = pending.popleft()
            yield result.result(), done_
        finished = True
    except BrokenProcessPool:
        raise UserError(f"a worker process died (out of memory?); run again with --workers 1 (now {workers})") from None
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:   # interrupted or failed: no worker goes on with work nobody will read
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)   # waits for nothing: the command is ending


def _default_workers(sources: list[Source]) -> int:
    """A pool pays off only on a corpus of some size."""
    return min(os.cpu_count() or 1, 4) if progress_total(sources) > 4 * 1024 * 1024 else 1
