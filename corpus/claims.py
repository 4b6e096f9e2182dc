"""Claims: every sentence of a document, with exact offsets, its voice, a claim flag and context.

``extract_claims(doc)`` is pure. ``build_claims(inputs, out)`` is the edge behind ``stance claims``:
it streams documents from the readers, writes one JSON row a sentence to a temporary file as it
goes (renamed into place at the end, so a failure leaves nothing half-written), and returns counts.
With ``documents`` it also writes one row a document (``document_row``) holding the text the
offsets index: for a page, the text extracted from it, which is in no file of the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import json.encoder
import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.claimfilter import BYLINE, FRONT_MATTER, SPEAKER_MARKER, classify
from corpus.errors import UserError
from corpus.files import atomic_write, check_not_input, check_output_file
from corpus.readers import extractor, read_source
from corpus.records import CLAIM_FIELDS, Claim, Document, make_claim_id
from corpus.sentences import split_paragraphs, split_sentences
from corpus.sources import ReadOptions, Skipped, Source, document_format, inside, list_sources
from corpus.voices import Voice, editorial_marker, paragraph_voices, sentence_voices

CONTEXT_MAX = 1200   # a longer paragraph gives a window of neighbouring sentences as context
CONTEXT_SPAN = 2     # sentences on each side in that window
BATCH_BYTES = 256 * 1024  # text a worker gets at a time: few round trips, little held in memory
_QUESTION_TAIL = " \t\"'”’»)]"
_enc = json.encoder.encode_basestring  # the C string encoder json.dumps(ensure_ascii=False) uses


def _pieces(text: str, spans: list[tuple[int, int]], voice: Voice) -> list[tuple[int, int, str | None]]:
    """Sentence spans with a turn marker and editorial markers split off as pieces of their own.

    Each piece is ``(start, end, forced_reason)``; a forced reason makes it a non-claim.
    """
    pieces: list[tuple[int, int, str | None]] = []
    if voice.marker_end is not None and spans:
        ps = spans[0][0]
        mend = ps + len(text[ps:voice.marker_end].rstrip())
        pieces.append((ps, mend, SPEAKER_MARKER))
        rest = []
        for s, e in spans:
            if e <= mend:
                continue
            if s < mend:
                s = mend
                while s < e and text[s].isspace():
                    s += 1
            rest.append((s, e))
        spans = rest
    for s, e in spans:
        m = editorial_marker(text[s:e])
        if m is None:
            pieces.append((s, e, None))
            continue
        ms, me = s + m.start(), s + m.end()
        before = s + len(text[s:ms].rstrip())
        if before > s:
            pieces.append((s, before, None))
        pieces.append((ms, me, "editorial_marker"))
        after = me
        while after < e and text[after].isspace():
            after += 1
        if after < e:
            pieces.append((after, e, None))
    return pieces


def _flag(sentence: str, forced: str | None) -> tuple[bool, str]:
    if forced:
        return False, forced
    is_claim, reason = classify(sentence)
    if is_claim and sentence.rstrip(_QUESTION_TAIL).endswith("?"):
        return False, "question"
    return is_claim, reason


def _sentences(doc: Document) -> Iterator[tuple]:
    """(start, end, is_claim, reason, speaker, speaker_name, context_start, context_end, paragraph)."""
    text = doc.text
    paragraphs = split_paragraphs(text)
    voices = paragraph_voices(text, paragraphs, doc.meta)
    hints = doc.meta.get("voices")
    headline_end = hints.get("headline_end") if isinstance(hints, dict) else None  # set by the HTML reader
    headline_end = headline_end if isinstance(headline_end, int) else 0
    for p, ((ps, pe), voice) in enumerate(zip(paragraphs, voices)):
        pieces = _pieces(text, split_sentences(text, ps, pe), voice)
        said = sentence_voices(text, [(s, e) for s, e, _ in pieces], voice)  # quotes run across sentences
        window = pe - ps > CONTEXT_MAX
        for i, (s, e, forced) in enumerate(pieces):
            sentence = text[s:e]
            if voice.kind == "byline":
                forced = forced or BYLINE
            elif voice.kind == "heading" or e <= headline_end:  # a page's headline, like "# Title"
                forced = forced or "heading"
            elif voice.kind == "front_matter":
                forced = FRONT_MATTER  # metadata, not prose: no piece of it is a claim
            is_claim, reason = _flag(sentence, forced)
            if forced == "editorial_marker" and voice.editor is not None:
                speaker, name = voice.editor.speaker, voice.editor.speaker_name  # "[My Emphasis]": the blogger's
            elif forced:
                speaker, name = voice.speaker, voice.speaker_name
            else:
                speaker, name = said[i]
            if window:
                cs = pieces[max(0, i - CONTEXT_SPAN)][0]
                ce = pieces[min(len(pieces) - 1, i + CONTEXT_SPAN)][1]
            else:
                cs, ce = ps, pe
            yield s, e, is_claim, reason, speaker, name, cs, ce, p


def _row_meta(doc: Document) -> dict[str, Any]:
    """Document metadata as claim-row columns (voice hints stay behind; clashes get ``meta_``)."""
    return {(f"meta_{k}" if k in CLAIM_FIELDS else k): v for k, v in doc.meta.items() if k != "voices"}


def extract_claims(doc: Document) -> list[Claim]:
    """Every sentence of ``doc`` as a Claim, ordered by offset; non-claims are kept and flagged."""
    meta = {k: v for k, v in doc.meta.items() if k != "voices"}
    text = doc.text
    return [
        Claim(claim_id=make_claim_id(doc.doc_id, s, e, text[s:e]), doc_id=doc.doc_id, text=text[s:e],
              start=s, end=e, is_claim=is_claim, reason=reason, speaker=speaker, speaker_name=name,
              context=text[cs:ce], context_start=cs, paragraph=p, sentence=n, meta=meta)
        for n, (s, e, is_claim, reason, speaker, name, cs, ce, p) in enumerate(_sentences(doc))
    ]


def claim_rows(doc: Document) -> Iterator[dict[str, Any]]:
    """The rows of ``extract_claims(doc)`` (``Claim.to_row``), built without the dataclass detour."""
    meta = _row_meta(doc)
    text, doc_id = doc.text, doc.doc_id
    context_key, context = None, ""
    for n, (s, e, is_claim, reason, speaker, name, cs, ce, p) in enumerate(_sentences(doc)):
        sentence = text[s:e]
        if (cs, ce) != context_key:
            context_key, context = (cs, ce), text[cs:ce]
        row = {"claim_id": make_claim_id(doc_id, s, e, sentence), "doc_id": doc_id, "text": sentence,
               "start": s, "end": e, "is_claim": is_claim, "reason": reason, "speaker": speaker,
               "speaker_name": name, "context": context, "context_start": cs, "paragraph": p,
               "sentence": n}
        row.update(meta)
        yield row


def document_row(doc: Document) -> dict[str, Any]:
    """The documents-file row of ``doc``: the exact text its claims' offsets index, and where it came from.

    ``text[start:end]`` of this row is a claim's ``text``; ``sha1`` is of the text's UTF-8 bytes. A page
    also names the extractor (and its version) that made the text, since another version may give
    another text and other offsets.
    """
    fmt = document_format(doc.path)
    row: dict[str, Any] = {"doc_id": doc.doc_id, "source_file": doc.meta.get("source_file", doc.path),
                           "format": fmt, "sha1": hashlib.sha1(doc.text.encode("utf-8")).hexdigest()}
    if fmt == "html":
        row.update(extractor())
    row["text"] = doc.text  # last: the short fields stay readable at the head of a line
    return row


# --- the edge: inputs -> JSONL (+ Parquet) ------------------------------------------------------

@dataclass
class ClaimsSummary:
    """What ``build_claims`` read and wrote."""

    out: str
    parquet: str | None = None
    documents_file: str | None = None  # the documents file written, if one was asked for
    document_rows: int = 0             # its rows: one a document id
    documents: int = 0
    sentences: int = 0
    claims: int = 0
    by_voice: Counter = field(default_factory=Counter)         # sentences by speaker
    claims_by_voice: Counter = field(default_factory=Counter)  # claims by speaker
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # manifest problems that did not stop the run


_OPTIONS = ReadOptions()
_DOCUMENT_ROWS = False  # whether workers also return each document's documents-file row


def _init_worker(options: ReadOptions, document_rows: bool = False) -> None:
    global _OPTIONS, _DOCUMENT_ROWS
    _OPTIONS, _DOCUMENT_ROWS = options, document_rows


def _doc_lines(doc: Document, lines: list[str], by_voice: dict[str, int], claims_by_voice: dict[str, int]) -> int:
    """Append the JSON lines of ``claim_rows(doc)`` to ``lines``, encoded by hand (the hot path).

    Each paragraph's context and the document's metadata are encoded once, not once a sentence.
    Returns the number of claims.
    """
    text, doc_id = doc.text, doc.doc_id
    meta = _row_meta(doc)
    tail = (", " + json.dumps(meta, ensure_ascii=False, default=str)[1:-1] + "}") if meta else "}"
    doc_json = _enc(doc_id)
    words: dict[str | None, str] = {None: "null"}  # reasons, speakers and names repeat: encode once
    context_key, context = None, ""
    n_claims = 0
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
        by_voice[speaker] = by_voice.get(speaker, 0) + 1
        if is_claim:
            claims_by_voice[speaker] = claims_by_voice.get(speaker, 0) + 1
    return n_claims


def _work(task: list[Source] | list[Document]) -> tuple[bytes, int, int, int, dict, dict, list[Skipped], list]:
    """Turn a batch of files (or of JSONL/CSV documents) into UTF-8 JSON lines and counts, and (when
    asked) each document's ``(doc_id, sha1, source_file, documents-file line)``."""
    skipped: list[Skipped] = []
    lines: list[str] = []
    doc_rows: list[tuple[str, str, str, bytes]] = []
    n_docs = n_claims = 0
    by_voice: dict[str, int] = {}
    claims_by_voice: dict[str, int] = {}
    for item in task:
        for doc in read_source(item, _OPTIONS, skipped.append) if isinstance(item, Source) else (item,):
            n_docs += 1
            n_claims += _doc_lines(doc, lines, by_voice, claims_by_voice)
            if _DOCUMENT_ROWS:
                row = document_row(doc)
                line = json.dumps(row, ensure_ascii=False, default=str) + "\n"
                doc_rows.append((doc.doc_id, row["sha1"], str(row["source_file"]), line.encode("utf-8")))
    chunk = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    return chunk, n_docs, len(lines), n_claims, by_voice, claims_by_voice, skipped, doc_rows


def _tasks(sources: list[Source], options: ReadOptions, on_skip: Callable[[Skipped], None],
           ) -> Iterator[tuple[list[Source] | list[Document], int]]:
    """Work items of about BATCH_BYTES of text, with the number of input files they finish.

    Text files go as paths (the worker reads them); JSONL and CSV rows are read here, in order.
    """
    batch_bytes = BATCH_BYTES
    files: list[Source] = []
    size = 0
    for source in sources:
        if source.fmt not in ("jsonl", "csv"):
            files.append(source)
            try:
                size += os.path.getsize(source.path)
            except OSError:
                pass
            if size >= batch_bytes or len(files) >= 256:
                yield files, len(files)
                files, size = [], 0
            continue
        if files:
            yield files, len(files)
            files, size = [], 0
        docs: list[Document] = []
        for doc in read_source(source, options, on_skip):
            docs.append(doc)
            size += len(doc.text)
            if size >= batch_bytes:
                yield docs, 0
                docs, size = [], 0
        yield docs, 1
        size = 0
    if files:
        yield files, len(files)


def _results(tasks: Iterable[tuple[Any, int]], options: ReadOptions, workers: int,
             document_rows: bool = False) -> Iterator[tuple[tuple, int]]:
    """Results of ``_work`` in task order; with workers > 1, from a pool with bounded look-ahead."""
    if workers <= 1:
        _init_worker(options, document_rows)
        for task, done in tasks:
            yield _work(task), done
        return
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker,
                                                    initargs=(options, document_rows))
    try:
        pending: deque = deque()
        for task, done in tasks:
            pending.append((pool.apply_async(_work, (task,)), done))
            if len(pending) >= 8 * workers:
                result, done_ = pending.popleft()
                yield result.get(), done_
        while pending:
            result, done_ = pending.popleft()
            yield result.get(), done_
    finally:
        pool.terminate()
        pool.join()


def _default_workers(sources: list[Source]) -> int:
    """A pool pays off only on a corpus of some size."""
    total = 0
    for source in sources:
        try:
            total += os.path.getsize(source.path)
        except OSError:
            pass
    return min(os.cpu_count() or 1, 4) if total > 4 * 1024 * 1024 else 1


def build_claims(inputs: list[str], out: str, options: ReadOptions | None = None, *,
                 parquet: bool = False, workers: int | None = None,
                 on_skip: Callable[[Skipped], None] | None = None, progress: bool = True,
                 on_note: Callable[[str], None] | None = None, documents: str | None = None) -> ClaimsSummary:
    """Read ``inputs``, write one JSON row a sentence to ``out`` (atomically), return the counts.

    With ``documents``, also write there one row a document (``document_row``): the text the claims'
    offsets index, so that ``text == documents[doc_id]["text"][start:end]`` can be checked.
    Skipped inputs are reported to ``on_skip`` as they happen and listed in the summary; when no
    document at all could be read, UserError (exit code 2) is raised and the outputs are left untouched.
    Manifest notes (a near-miss key, an entry for no file) go to ``on_note`` (default: a ``note:``
    line on stderr) and into the summary; they are not skips.
    """
    options = options or ReadOptions()
    summary = ClaimsSummary(out=out, documents_file=documents)
    if os.path.isdir(out):
        raise UserError(f"--out {out} is a directory; give a file name such as {os.path.join(out, 'claims.jsonl')}")
    if documents is not None:
        _check_documents_path(documents, out, [*inputs, *([options.manifest] if options.manifest else [])], parquet)
    for flag, path in (("--out", out), ("--documents", documents)):
        if path is not None:
            _check_not_in_corpus(flag, path, inputs)
    check_not_input("--out", out, {"--manifest": options.manifest})   # --documents: among its inputs above

    def skip(item: Skipped) -> None:
        summary.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    def note(message: str) -> None:
        summary.notes.append(message)
        if on_note is not None:
            on_note(message)
        else:
            print(f"note: {message}", file=sys.stderr)

    listed = list_sources(inputs, options, skip, note)
    own = {os.path.realpath(out), os.path.realpath(os.path.splitext(out)[0] + ".parquet")}
    if documents is not None:
        own.add(os.path.realpath(documents))
    sources = [s for s in listed if os.path.realpath(s.path) not in own]  # a rerun never reads its output
    # More processes than cores or files only cost memory (each worker holds its own copy of the rules).
    workers = _default_workers(sources) if workers is None else max(1, min(workers, os.cpu_count() or 1, len(sources)))
    bar = None
    if progress:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the worker pool forks
        bar = tqdm(total=len(sources), unit="file", desc="claims", file=sys.stderr, disable=None, leave=False)
    outputs = f"{out} and {documents} were" if documents is not None else f"{out} was"
    texts: dict[str, tuple[str, str]] = {}      # doc_id -> (sha1, source file) of its documents row
    clashes: list[tuple[str, str, str]] = []   # an id given to two different texts
    try:
        with atomic_write(out, "wb") as handle, (
                atomic_write(documents, "wb") if documents is not None else contextlib.nullcontext()) as doc_handle:
            tasks = _tasks(sources, options, skip)
            results = (_results(tasks, options, workers, document_rows=True) if documents is not None
                       else _results(tasks, options, workers))
            for (chunk, n_docs, n_sent, n_claims, by_voice, claims_by_voice, skipped, doc_rows), done in results:
                handle.write(chunk)
                for doc_id, sha1, source_file, line in doc_rows:
                    had = texts.get(doc_id)
                    if had is None:
                        texts[doc_id] = (sha1, source_file)
                    elif had[0] == sha1:
                        continue  # the same text again (a file given twice, a repeated row): one row
                    else:
                        clashes.append((doc_id, had[1], source_file))
                    doc_handle.write(line)
                    summary.document_rows += 1
                summary.documents += n_docs
                summary.sentences += n_sent
                summary.claims += n_claims
                summary.by_voice.update(by_voice)
                summary.claims_by_voice.update(claims_by_voice)
                for item in skipped:
                    skip(item)
                if bar is not None and done:
                    bar.update(done)
            if summary.documents == 0:
                if summary.skipped:
                    raise UserError("no document could be read from the inputs; fix the problems above "
                                    f"and run again ({outputs} not written)", exit_code=2)
                what = "only this run's own output" if listed else "no document"
                raise UserError(f"{', '.join(inputs)}: {what} to read; give the documents to read "
                                f"({outputs} not written)", exit_code=2)
    except OSError as err:  # the readers turn their own OSErrors into skips: this one is the output's
        which = f"{out} or {documents}" if documents is not None else out
        raise UserError(f"cannot write {which} ({err.strerror or err}); choose another --out"
                        + (" or --documents" if documents is not None else "")
                        + " or free space / fix permissions in its directory") from None
    finally:
        if bar is not None:
            bar.close()
    if clashes:
        doc_id, first, second = clashes[0]
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        note(f"doc_id {doc_id} names two different texts ({first} and {second}){more}: {documents} holds a row "
             "for each, and a claim's offsets index one of them; give every document its own id")
    if parquet:
        from corpus.claimtable import write_parquet

        summary.parquet = write_parquet(out)
    return summary


def _check_not_in_corpus(flag: str, path: str, inputs: list[str]) -> None:
    """Refuse an output that is an existing file of a folder being read (a document, its manifest)
    and not an earlier output of this command: a rerun skips its own output, so `--out corpus/a.txt`
    had replaced a.txt with claims, and `--out corpus/manifest.yaml` the manifest."""
    if not os.path.isfile(path) or _earlier_output(path):
        return
    real = os.path.realpath(path)
    for given in inputs:
        if os.path.isdir(given) and inside(real, os.path.realpath(given)):
            raise UserError(f"{flag} {path} is a file of the corpus folder {given}, which would be replaced; "
                            "give an output path outside it", exit_code=2)


def _earlier_output(path: str) -> bool:
    """Does ``path`` start with a JSON row holding a doc_id (claims or documents this command wrote)?"""
    try:
        with open(path, "rb") as handle:
            row = json.loads(handle.readline(1 << 20).decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(row, dict) and "doc_id" in row


def _check_documents_path(documents: str, out: str, inputs: list[str], parquet: bool) -> None:
    """Refuse a documents file that is a directory, the claims output, or an input (a manifest too); fail
    before the work when it cannot be written."""
    if os.path.isdir(documents):
        raise UserError(f"--documents {documents} is a directory; give a file name such as "
                        f"{os.path.join(documents, 'documents.jsonl')}")
    claims_outputs = [out] + ([os.path.splitext(out)[0] + ".parquet"] if parquet else [])
    if os.path.realpath(documents) in {os.path.realpath(p) for p in claims_outputs}:
        raise UserError(f"--documents {documents} is also the claims output (--out {out}); give it another "
                        "name, such as documents.jsonl beside the claims", exit_code=2)
    check_not_input("--documents", documents, {f"input {given}": given for given in inputs if os.path.isfile(given)})
    check_output_file(documents)
