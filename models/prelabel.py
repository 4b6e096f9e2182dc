"""Stance pre-labels for claims: the bootstrap (no human labels) or a model from ``stance train``.

``prelabel`` is a pure function from claim rows to claim rows: every input field is kept and
``prediction``, ``score``, ``probs`` and ``model_version`` are added. ``prelabel_file`` is the edge
the CLI calls: read JSONL, pre-label, write JSONL atomically, report what was written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from models.provenance import DEFAULT_SCHEME
from models.schemes import Scheme, load_scheme, scheme_notes, source_type_note

PRELABEL_FIELDS = ("prediction", "score", "probs", "model_version")
# Rows read, pre-labelled and written at a time by prelabel_stream (`stance prelabel` and `stance run`): past
# the first chunks its memory grows little with the input's length (each row read twice, the whole input's
# end model fitted between the two passes; `stance prelabel` reads it once more first, to check it).
OUTPUT_CHUNK = 4096


def attach(rows: list[dict[str, Any]], probs: np.ndarray, labels: list[str], version: str) -> list[dict[str, Any]]:
    """Rows with their pre-label: the arg-max label, its probability, all probabilities, the version."""
    out = []
    for row, p in zip(rows, np.asarray(probs, dtype=np.float64)):
        p = p / p.sum()
        best = int(p.argmax())
        out.append({**row, "prediction": labels[best], "score": float(p[best]),
                    "probs": {label: float(v) for label, v in zip(labels, p)}, "model_version": version})
    return out


def _check_rows(rows: list[dict[str, Any]]) -> None:
    for i, row in enumerate(rows):
        if not isinstance(row.get("text"), str):
            raise UserError(f"row {i + 1}: no `text` string; every claim row needs its text")


@dataclass
class Predictor:
    """Whatever makes the probabilities: the bootstrap or a trained classifier."""

    labels: list[str]
    version: str
    model: Any
    bootstrap: Any = None

    def predict_proba(self, rows: list[dict[str, Any]], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if self.bootstrap is not None:
            return self.bootstrap.predict_proba(rows, progress=progress, batch_size=batch_size)
        return self.model.predict_proba(rows, batch_size=batch_size)

    def evidence(self, rows: list[dict[str, Any]], store: Any, batch_size: int = 64) -> Any:
        """A chunk's part of the probabilities (``Bootstrap.evidence``, ``StanceClassifier.evidence``):
        ``combine`` makes them of every chunk's, as of the rows read at once."""
        if self.bootstrap is not None:
            return self.bootstrap.evidence(rows, store, batch_size=batch_size)
        if hasattr(self.model, "evidence"):
            return self.model.evidence(rows, store, batch_size)
        return self.model.predict_proba(rows, batch_size=batch_size)   # a classifier of rows one at a time

    def combine(self, parts: list[Any], store: Any) -> np.ndarray:
        if self.bootstrap is not None:
            return self.bootstrap.combine(parts, store)
        if hasattr(self.model, "combine"):
            return self.model.combine(parts, store)
        return np.vstack(parts) if parts else np.zeros((0, len(self.labels)))


def load_predictor(scheme: Scheme | None, model_dir: str | Path | None = None) -> Predictor:
    """The bootstrap for ``scheme``, or the classifier saved in ``model_dir`` (``scheme`` None: the
    scheme it was trained with)."""
    if model_dir is None:
        from models.bootstrap import Bootstrap

        boot = Bootstrap(scheme)
        return Predictor(scheme.label_ids, boot.version, boot, bootstrap=boot)
    path = Path(model_dir)
    if path.is_file():
        raise UserError(f"{model_dir}: a file, not a model directory; give the directory `stance train --out` wrote")
    if not path.is_dir():
        raise UserError(f"{model_dir}: no such model directory; train one with `stance train` or check the path")
    try:
        from models.classifier import StanceClassifier
    except ImportError:
        raise UserError("the trained-model path is not available in this version; omit --model "
                        "to use the bootstrap") from None
    clf = StanceClassifier.from_pretrained(path, scheme=scheme)
    return Predictor(list(clf.labels), clf.version, clf)


def prelabel(rows: list[dict[str, Any]], scheme: Scheme, model_dir: str | Path | None = None,
             batch_size: int = 64, progress: bool = False) -> list[dict[str, Any]]:
    """Every row with ``prediction``, ``score``, ``probs`` (label id -> probability) and ``model_version``."""
    _check_rows(rows)
    predictor = load_predictor(scheme, model_dir)
    return attach(rows, predictor.predict_proba(rows, batch_size, progress), predictor.labels, predictor.version)


DOCUMENT_CHARS = 5000   # longer than any sentence: a row this long is most likely a whole document
# What `stance claims --documents` writes in every row, and no claims file has: (doc_id, sha1, format).
DOCUMENT_FIELDS = frozenset({"doc_id", "sha1", "format", "text"})
CLAIM_ONLY_FIELDS = frozenset({"claim_id", "start", "end", "is_claim", "reason"})


def _claims_path(ids: set[Any], inp: str | Path) -> tuple[Path, bool]:
    """Where the claims of documents ``inp`` are or could go: ``(path, made)``. ``claims.jsonl`` beside
    them when it holds their claims already (made: True, as `stance run` leaves it) or is not there;
    else a name that overwrites nothing."""
    from corpus.files import read_jsonl

    claims = Path(inp).with_name("claims.jsonl")
    if not claims.exists():
        return claims, False
    try:
        if ids <= {row.get("doc_id") for row in read_jsonl(claims)}:
            return claims, True
    except UserError:
        pass
    free = Path(inp).with_name(f"{Path(inp).stem}_claims.jsonl")
    n = 2
    while free.exists():
        free, n = Path(inp).with_name(f"{Path(inp).stem}_claims{n}.jsonl"), n + 1
    return free, False


def documents_not_claims(rows: list[dict[str, Any]], inp: str | Path) -> str | None:
    """Why ``rows`` read from ``inp`` are whole documents rather than claims, with the command that
    makes claims of them (or the claims file made of them already); None when they may be claims.
    One sure sign only: the documents file of `stance claims --documents` (see ``_Scan``)."""
    import os
    import shlex

    if not all(DOCUMENT_FIELDS <= row.keys() and not CLAIM_ONLY_FIELDS & row.keys() for row in rows):
        return None
    what = (f"{inp}: the documents file of `stance claims --documents` ({len(rows)} whole "
            f"document{'s' if len(rows) > 1 else ''}), not claims; pre-labels are for the sentences `stance claims` makes")
    claims, made = _claims_path({row.get("doc_id") for row in rows}, inp)
    if made:
        return f"{what}, which are in {claims}: `stance prelabel --in {shlex.quote(str(claims))} ...`"
    files = [str(row["source_file"]) for row in rows if isinstance(row.get("source_file"), str)]
    try:
        corpus = os.path.commonpath(files) if files else None
    except ValueError:   # files on different drives
        corpus = None
    # The corpus they came from keeps its manifest's metadata (source types); else the file itself.
    source = corpus if corpus and Path(corpus).exists() else str(inp)
    return (f"{what}: `stance claims {shlex.quote(source)} --out {shlex.quote(str(claims))}`, then `stance prelabel "
            f"--in {shlex.quote(str(claims))} ...`")


def _paragraphs_line(several: int, n: int, first: int, inp: str | Path, claims: Path) -> str:
    import shlex

    return (f"{several} of {n} rows of {inp} hold several paragraphs (the first: row "
            f"{first}): documents rather than claims? pre-labelled as they are; `stance claims "
            f"{shlex.quote(str(inp))} --out {shlex.quote(str(claims))}` splits them into claims")


@dataclass
class PrelabelReport:
    """What ``prelabel_file`` wrote: counts per label, the model version, the labeller table."""

    out: Path
    n: int
    model_version: str
    distribution: dict[str, int]
    labeller_table: Any = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Scan:
    """What the first, light pass over an input finds: every row checked, none kept."""

    n: int = 0
    documents: bool = True              # every row so far is a `stance claims --documents` row
    several: int = 0                    # unlabelled rows holding several paragraphs
    first_several: int = 0
    long: int = 0                       # rows over DOCUMENT_CHARS
    first_long: int = 0
    source_types: set[str] = field(default_factory=set)


def _scan(inp: str | Path) -> _Scan:
    """Read ``inp`` once, keeping counts only: a row without its text, or a documents file, is refused
    before the model runs; the notes' counts are made here."""
    from corpus.files import read_jsonl

    scan = _Scan()
    for i, row in enumerate(read_jsonl(inp), start=1):
        text = row.get("text")
        if not isinstance(text, str):
            raise UserError(f"{inp}: row {i} has no `text` string; every claim row needs its text")
        scan.n = i
        scan.documents = scan.documents and DOCUMENT_FIELDS <= row.keys() and not CLAIM_ONLY_FIELDS & row.keys()
        if "label" not in row and "\n\n" in text.strip():
            scan.several += 1
            scan.first_several = scan.first_several or i
        if len(text) > DOCUMENT_CHARS:
            scan.long += 1
            scan.first_long = scan.first_long or i
        if row.get("source_type") not in (None, ""):
            scan.source_types.add(str(row["source_type"]))
    return scan


def _chunks(inp: str | Path, n: int) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``inp``, ``OUTPUT_CHUNK`` at a time; ``n`` of them, as the first pass counted."""
    from corpus.files import read_jsonl

    chunk: list[dict[str, Any]] = []
    seen = 0
    for row in read_jsonl(inp):
        seen += 1
        if seen > n or not isinstance(row.get("text"), str):
            break
        chunk.append(row)
        if len(chunk) == OUTPUT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    if seen != n:
        raise UserError(f"{inp} changed while it was pre-labelled ({n} rows read first, then {seen if seen <= n else 'more'});"
                        " run it again once nothing writes it")


def _special(path: str | Path) -> bool:
    """``path`` is there and no regular file: a device or a pipe (False: a file, a folder, or nothing yet;
    read_jsonl names a folder and a missing file)."""
    import os
    import stat

    try:   # stat follows /dev/stdout to what it is; its realpath may name no file (/proc/PID/fd/pipe:[N])
        mode = os.stat(path).st_mode
        return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
    except OSError:
        return False


def _spill_dir(out: str | Path) -> Path:
    """Where a long input's embeddings wait for the end model: the output's folder (its disk was chosen for
    the output), else the system's temporary folder."""
    import os
    import tempfile

    from corpus.files import nearest_existing

    if _special(out):
        return Path(tempfile.gettempdir())
    return nearest_existing(Path(os.path.realpath(out)).parent)


@dataclass
class Streamed:
    """What ``prelabel_stream`` wrote: its rows, how many got each label, and (``table``) the labeller
    table's columns of every row."""

    n: int
    counts: Counter[str]
    names: list[str] = field(default_factory=list)
    votes: list[np.ndarray] = field(default_factory=list)
    gold: list[np.ndarray] = field(default_factory=list)


def prelabel_stream(inp: str | Path, out: str | Path, predictor: Predictor, record: dict[str, Any] | None,
                    model_dir: str | Path | None = None, n: int | None = None, batch_size: int = 64,
                    progress: bool = False, table: bool = False) -> Streamed:
    """The claim rows of ``inp`` (``n`` of them, as ``_scan`` counted; None: counted here) pre-labelled
    by ``predictor`` into ``out``, with ``record``'s scheme fields (``provenance.with_provenance``).

    The input is read ``OUTPUT_CHUNK`` rows at a time, twice, none kept: pre-labelled, then written
    with the pre-labels beside every field of each row, into a temporary file that replaces ``out``
    once whole. What is fitted over the whole input (the bootstrap's end model) is fitted between the
    two, on the embeddings kept in a temporary file beside ``out``: the output is that of the rows read
    at once but for the encoder's rounding, which depends on the batch a claim runs in (batches sorted
    by length within a chunk: up to 2.2e-3 in a probability on 10,000 of the sample's sentences, no
    prediction changed). `stance prelabel` and `stance run` both pre-label through here."""
    from corpus.files import write_jsonl
    from models.end_model import RowStore
    from models.provenance import with_provenance

    if n is None:
        n = _scan(inp).n
    boot = predictor.bootstrap if table else None
    written = Streamed(0, Counter())
    bar = None
    if progress:   # one bar over the three stages, on stderr on a terminal only (disable=None), gone at the end
        from tqdm import tqdm

        bar = tqdm(total=n, desc="pre-labelling", unit="claim", leave=False, disable=None)

    def labelled() -> Iterator[dict[str, Any]]:
        # Read again and written a chunk at a time: the output rows of a whole input are never held at once.
        start = 0
        for rows in _chunks(inp, n):
            chunk = with_provenance(attach(rows, probs[start:start + len(rows)], predictor.labels, predictor.version),
                                    record, model_dir)
            start += len(rows)
            written.counts.update(row["prediction"] for row in chunk)
            yield from chunk
            if bar is not None:
                bar.update(len(rows))

    try:
        with RowStore(_spill_dir(out) if n > OUTPUT_CHUNK else None) as store:
            parts = []
            for rows in _chunks(inp, n):
                parts.append(predictor.evidence(rows, store, batch_size))
                if boot is not None:   # the labeller table's columns, of every row
                    written.names, matrix = boot.label_matrix(rows)
                    written.votes.append(matrix.astype(np.int8))
                    written.gold.append(boot.gold(rows).astype(np.int8))
                if bar is not None:
                    bar.update(len(rows))
            if bar is not None:   # the bar stays full, named for what is done over every claim at once
                bar.set_description("pre-labelling: combining every claim's evidence")
            probs = predictor.combine(parts, store)
            del parts
        if bar is not None:
            bar.set_description("writing pre-labels", refresh=False)
            bar.reset(total=n)
        written.n = write_jsonl(out, labelled())
    finally:
        if bar is not None:
            bar.close()
    return written


def prelabel_file(inp: str | Path, out: str | Path, scheme_name: str | None = None,
                  model_dir: str | Path | None = None, batch_size: int = 64, progress: bool = True,
                  table: bool = True) -> PrelabelReport:
    """Read claims JSONL, pre-label every row, write JSONL atomically; the labeller table for the bootstrap.

    An input that cannot be read three times (a pipe: ``--in /dev/stdin``, ``--in <(...)``, a FIFO) is
    first copied into an unnamed temporary file beside ``out``, read in its place; messages name the pipe."""
    import tempfile

    if not _special(inp):   # missing: read_jsonl says so
        return _prelabel_file(inp, out, scheme_name, model_dir, batch_size, progress, table)
    from corpus.files import check_output_file

    check_output_file(out)   # before the pipe is read
    with tempfile.TemporaryFile(dir=_spill_dir(out), prefix=".claimstance-input-") as copy:
        try:
            with open(inp, "rb") as pipe:
                while block := pipe.read(1 << 20):
                    copy.write(block)
            copy.flush()
        except OSError as err:
            raise UserError(f"cannot copy {inp} into a temporary file beside {out} ({err.strerror or err}); "
                            "free space on its disk, or save the input to a file first") from err
        path = f"/proc/self/fd/{copy.fileno()}"
        try:
            report = _prelabel_file(path, out, scheme_name, model_dir, batch_size, progress, table)
        except UserError as err:
            raise UserError(str(err).replace(path, str(inp)), err.exit_code) from None
        report.notes = [note.replace(path, str(inp)) for note in report.notes]
        return report


def _prelabel_file(inp: str | Path, out: str | Path, scheme_name: str | None, model_dir: str | Path | None,
                   batch_size: int, progress: bool, table: bool) -> PrelabelReport:
    """``prelabel_file`` of an input that can be read again: read once to be checked (before the model
    runs, keeping counts only), then pre-labelled and written by ``prelabel_stream``."""
    from corpus.files import check_output_file
    from models import provenance

    check_output_file(out)   # before the model runs, not after
    # No scheme named: a model's own (the one it was trained with, as its file is now: its bootstrap's
    # labels mapped to the network's, as `stance run --model` does), else the default.
    scheme = load_scheme(scheme_name or DEFAULT_SCHEME) if scheme_name or not model_dir else None
    own = provenance.from_model(model_dir) if scheme is None else None
    if own is not None:
        resolved = provenance.resolve(None, [(f"model {model_dir}", own)])
        provenance.check_model_labels(model_dir, resolved)
        scheme, scheme_name = resolved.scheme, resolved.source
    scan = _scan(inp)
    if not scan.n:
        raise UserError(f"{inp}: no claim rows; make them with `stance claims DOCUMENTS --out {inp}`")
    if scan.documents:
        from corpus.files import read_jsonl

        documents = documents_not_claims(list(read_jsonl(inp)), inp)   # a refusal: the rows may be held
        if documents:
            raise UserError(documents)
    if batch_size < 1:
        raise UserError(f"--batch-size {batch_size}: must be at least 1")
    predictor = load_predictor(scheme, model_dir)
    from models.provenance import from_model, scheme_record, source_of

    if scheme is not None:   # the record of the scheme loaded above, for later commands
        record = scheme_record(scheme, source_of(scheme_name or DEFAULT_SCHEME))
    else:   # the model's scheme as it is now (the version these pre-labels are made with), not as trained
        record = from_model(model_dir)
        try:
            now = getattr(predictor.model, "scheme", None)
        except UserError:   # its file gone: what the model recorded
            now = None
        if record is not None and now is not None:
            record = scheme_record(now, record["source"])
    written = prelabel_stream(inp, out, predictor, record, model_dir, n=scan.n, batch_size=batch_size,
                              progress=progress, table=table)
    report = PrelabelReport(Path(out), written.n, predictor.version,
                            {label: written.counts.get(label, 0) for label in predictor.labels},
                            notes=list(resolved.notes) if own is not None else [])
    boot = predictor.bootstrap if table else None
    if boot is not None:
        all_gold = np.concatenate(written.gold)
        report.labeller_table = boot.table(written.names, np.vstack(written.votes),
                                           all_gold if (all_gold >= 0).all() else None)
    if predictor.bootstrap is not None:
        report.notes += scheme_notes(predictor.bootstrap.scheme)
        if "source_type" in predictor.bootstrap.scheme.labellers:   # a typo'd source type votes for nothing
            unknown = source_type_note(scan.source_types, predictor.bootstrap.scheme, missing="")
            if unknown:
                report.notes.append(unknown)
    # What `stance train` warned about this model (too few validation claims, near-uniform, ...):
    # said again where its pre-labels are made, before they are pushed as the selected label.
    if model_dir:
        from models.model_dir import model_notes, scheme_change_note

        report.notes += [f"model {predictor.version}, from `stance train`: {note}" for note in model_notes(model_dir)]
        changed = scheme_change_note(model_dir, getattr(predictor.model, "scheme", None))
        if changed:
            report.notes.append(f"model {predictor.version}: {changed}")
    if scan.several and scan.several * 2 > scan.n:
        from corpus.files import read_jsonl

        claims, _ = _claims_path({row.get("doc_id") for row in read_jsonl(inp)}, inp)
        report.notes.append(_paragraphs_line(scan.several, scan.n, scan.first_several, inp, claims))
    if scan.long:
        report.notes.append(f"{scan.long} row(s) of {inp} (the first: row {scan.first_long}) hold over {DOCUMENT_CHARS:,} "
                            "characters: documents rather than claims? `stance claims` splits documents into "
                            "sentences; the model reads only the start of each text")
    return report
