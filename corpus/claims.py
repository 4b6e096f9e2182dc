"""`stance claims`: every sentence of the inputs' documents as a claim row, written to a file.

``build_claims(inputs, out)`` streams documents from the readers, writes one JSON row a sentence
(corpus.extraction, in batches: corpus.claim_batches) to a temporary file as it goes (renamed into
place at the end, so a failure leaves nothing half-written), and returns counts. With ``documents`` it
also writes one row a document (``document_row``) holding the text the offsets index: for a page,
the text extracted from it, which is in no file of the corpus.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from corpus.claim_batches import _default_workers, _results, _tasks, progress_total
from corpus.errors import UserError
from corpus.files import atomic_write, check_not_input, check_output_file
from corpus.language import language_notes
from corpus.sources import ReadOptions, Skipped, inside, list_sources


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
        # by bytes: one large JSONL or CSV moves the bar as its rows are read, not at its end alone
        bar = tqdm(total=progress_total(sources), unit="B", unit_scale=True, unit_divisor=1024, desc="claims",
                   file=sys.stderr, disable=None, leave=False)
    outputs = f"{out} and {documents} were" if documents is not None else f"{out} was"
    texts: dict[str, tuple[str, str]] = {}      # doc_id -> (sha1, source file) of its documents row
    languages: list = []   # documents not (all) in English: language.document_language
    try:
        with atomic_write(out, "wb") as handle, (
                atomic_write(documents, "wb") if documents is not None else contextlib.nullcontext()) as doc_handle:
            tasks = _tasks(sources, options, skip, note)
            results = (_results(tasks, options, workers, document_rows=True) if documents is not None
                       else _results(tasks, options, workers))
            for (chunk, n_docs, n_sent, n_claims, by_voice, claims_by_voice, skipped, doc_rows, found), done in results:
                languages += found
                handle.write(chunk)
                for doc_id, sha1, source_file, line in doc_rows:
                    had = texts.get(doc_id)
                    if had is None:
                        texts[doc_id] = (sha1, source_file)
                    elif had[0] == sha1:
                        continue  # the same text again (a file given twice, a repeated row): one row
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
    for message in language_notes(languages):
        note(message)
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
