"""The `stance` command line: a thin layer that parses arguments and calls one library function.

Here the corpus and model commands, and ``main``; the Label Studio and pipeline commands are in
annotate_commands.py, the shared argument types in arguments.py. Each handler imports its stage
lazily, so `stance claims` never pays for importing torch.
Errors a user can cause are ``UserError``: printed as one line, exit code non-zero, no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from claimstance.annotate_commands import add_pull, add_push, add_run, add_studio
from claimstance.arguments import COUNT, at_least, jsonl_out, scope_of
from claimstance.terminal import print_notes, protect, summary_stream
from corpus.errors import UserError


# --- corpus -----------------------------------------------------------------------------------

def _add_claims(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("claims", help="split documents into claims with offsets, voices and a claim flag")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files (.txt, .md, .html, .jsonl, .csv, .tsv, a Telegram "
                   "Desktop export's result.json) or directories")
    p.add_argument("--out", required=True, type=jsonl_out, help="output JSONL, one sentence a line")
    p.add_argument("--text-column", default="text", help="CSV/JSONL column holding the text; several, comma-separated, take the first one present (default: text)")
    p.add_argument("--id-column", default="id,doc_id", help="CSV/JSONL column holding the document id; several, comma-separated, take the first one holding a value (default: id,doc_id; a row without one gets a hash of its text, the source it names and its date)")
    p.add_argument("--column", action="append", default=None, metavar="KEY=COLUMN", help="CSV/JSONL column holding a "
                   "document's outlet, date, author, source_type, title, url, platform or language, e.g. --column "
                   "outlet=Канал --column date=Дата (repeatable; several columns, comma-separated, take the first "
                   "one present)")
    p.add_argument("--manifest", default=None, help="manifest of document metadata (default: manifest.yaml found in an input directory)")
    p.add_argument("--parquet", action="store_true", help="also write FILE.parquet beside the JSONL")
    p.add_argument("--documents", default=None, metavar="FILE", type=jsonl_out, help="also write FILE (JSONL), one row a document: "
                   "doc_id, source_file, format, sha1 and the text the claims' offsets index (for HTML: the "
                   "extracted text, with the extractor and its version)")
    p.add_argument("--max-file-mb", type=at_least(0.001, float), default=50, help="skip files (or JSONL lines) larger than this (default: 50)")
    p.add_argument("--workers", type=COUNT, default=None, help="processes to use (default: up to 4 on a corpus over 4 MB, else 1)")
    p.set_defaults(handler=_claims)


def _claims(args: argparse.Namespace) -> int:
    from corpus.claims import build_claims
    from corpus.row_readers import column_map
    from corpus.sources import ReadOptions

    options = ReadOptions(text_column=args.text_column, id_column=args.id_column, columns=column_map(args.column),
                          manifest=args.manifest, max_mb=args.max_file_mb)
    summary = build_claims(args.inputs, args.out, options, parquet=args.parquet, workers=args.workers,
                           on_skip=lambda s: print(f"skipped: {s}", file=sys.stderr), documents=args.documents)
    voices = ", ".join(f"{k} {n}/{summary.claims_by_voice[k]}" for k, n in summary.by_voice.most_common())
    to = summary_stream(args.out)
    print(f"documents: {summary.documents}  sentences: {summary.sentences}  claims: {summary.claims}", file=to)
    print(f"by voice (sentences/claims): {voices}", file=to)
    print(f"wrote {summary.out} ({summary.sentences} row{'' if summary.sentences == 1 else 's'})", file=to)
    if summary.parquet:
        print(f"wrote {summary.parquet}", file=to)
    if summary.documents_file:
        print(f"wrote {summary.documents_file} ({summary.document_rows} document"
              f"{'' if summary.document_rows == 1 else 's'})", file=to)
    if summary.skipped:
        print(f"error: {len(summary.skipped)} input(s) skipped, not in {summary.out} (the rest is); fix them "
              "and re-run the same command:", file=sys.stderr)
        for item in summary.skipped:
            print(f"  {item}", file=sys.stderr)
    return 1 if summary.skipped else 0


# --- models -----------------------------------------------------------------------------------

def _add_prelabel(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prelabel", help="add stance pre-labels (prediction, score, probs, model_version) to claims")
    p.add_argument("--in", dest="inp", required=True, help="claims JSONL")
    p.add_argument("--out", required=True, type=jsonl_out, help="output JSONL: every input field plus the pre-label")
    p.add_argument("--model", default=None, help="a model directory from `stance train` (default: the bootstrap)")
    p.add_argument("--scheme", default=None, help="label scheme: a name in configs/schemes or a YAML path "
                   "(default: the model's own, or kremlin_framing for the bootstrap)")
    p.add_argument("--batch-size", type=COUNT, default=64, help="claims a model sees at once (default: 64)")
    p.set_defaults(handler=_prelabel, runs_models=True)


def _prelabel(args: argparse.Namespace) -> int:
    from corpus.files import check_not_input
    from models import provenance
    from models.prelabel import prelabel_file

    check_not_input("--out", args.out, {"--in file": args.inp})
    chosen = provenance.for_prelabel(args.model, args.scheme)   # --scheme checked against the model's
    report = prelabel_file(args.inp, args.out, scheme_name=chosen.source if chosen else None, model_dir=args.model,
                           batch_size=args.batch_size)
    to = summary_stream(args.out)
    if report.labeller_table is not None:
        print(report.labeller_table.to_string(index=False, float_format=lambda v: f"{v:.3f}"), file=to)
    print("predictions: " + ", ".join(f"{label} {n}" for label, n in report.distribution.items()), file=to)
    print(f"{report.n} claims pre-labelled by {report.model_version} written to {report.out}", file=to)
    print_notes((chosen.notes if chosen else []) + report.notes)
    warning = provenance.model_warning(args.model) if args.model else _workspace_scheme_warning(args)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _workspace_scheme_warning(args: argparse.Namespace) -> str | None:
    """Claims of a `stance run` workspace (``W/run/*.jsonl``) pre-labelled by the bootstrap's default
    scheme when the workspace pushed its project with another: the push of these pre-labels would be
    refused, so the scheme to pass is named now."""
    from pathlib import Path

    from annotate.project_scheme import pushed_record
    from claimstance.run_state import RunState
    from claimstance.terminal import shell_word
    from corpus.errors import UserError
    from models.provenance import DEFAULT_SCHEME

    run = Path(args.inp).resolve().parent
    if args.scheme is not None or run.name != "run":
        return None
    title = RunState(run / "state.json").data.get("project")   # {} when missing or unreadable
    try:
        record = pushed_record(run.parent, title) if isinstance(title, str) else None
    except UserError:   # an unreadable schemes.json: the push says so
        return None
    if record is None or record["name"] == DEFAULT_SCHEME:
        return None
    source = record.get("source") or record["name"]
    return (f"this workspace's project {title!r} uses the scheme {record['name']!r}, and these pre-labels use "
            f"{DEFAULT_SCHEME!r} (the default); pre-label again with --scheme {shell_word(source)}")


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="fine-tune the packaged MiniLM on labelled claims")
    p.add_argument("--data", required=True, help="JSONL or Parquet with text and label, or a dataset directory from `stance pull`")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--scheme", default=None, help="label scheme: a name in configs/schemes or a YAML path (default: "
                   "the one a `stance pull` dataset was labelled with, else kremlin_framing)")
    p.add_argument("--epochs", type=at_least(1, int, 50), default=None, help="maximum epochs (default: 8, early stopping)")
    p.add_argument("--seed", type=at_least(0, int, 2**32 - 1), default=13,
                   help="random seed of the validation split and the training (default: 13)")
    p.add_argument("--no-domain-gate", action="store_true",
                   help="let the network decide every claim; by default claims unlike the training claims "
                        "go to the bootstrap (what keeps the model useful on other sources)")
    p.add_argument("--exclude-ties", action="store_true",
                   help="leave out rows whose label broke a tie between annotators (a pulled dataset's rule "
                        "'tie->latest': with two annotators, every disagreement)")
    p.add_argument("--min-agreement", type=at_least(0.0, float, 1.0), default=None, metavar="X",
                   help="leave out rows whose annotators agreed less than X (0 to 1, the pulled dataset's "
                        "'agreement'); rows one annotator labelled are kept")
    p.set_defaults(handler=_train, runs_models=True)


def _train(args: argparse.Namespace) -> int:
    from corpus.files import check_not_inside
    from models.int8 import wanted
    from models.provenance import for_training
    from models.training import blend_line, train

    wanted()   # CLAIMSTANCE_INT8=1 checked now (it needs OpenVINO and NNCF): the graphs are made after training
    check_not_inside("--out", args.out, {"--data": args.data})
    chosen = for_training(args.data, args.scheme)   # the dataset's own scheme, or --scheme checked against it
    print_notes(chosen.notes)
    result = train(args.data, args.out, scheme=chosen.source, epochs=args.epochs, seed=args.seed,
                   domain_gate=False if args.no_domain_gate else None, exclude_ties=args.exclude_ties,
                   min_agreement=args.min_agreement)
    if result.get("left_out"):
        print(result["left_out"])
    print(f"trained on {result['train_claims']} claims (+{result['scheme_examples']} scheme examples), "
          f"validated on {result['validation_claims']}: network macro-F1 {result['validation_macro_f1']:.3f} "
          f"(epoch {result['best_epoch']} of {result['epochs_run']}), {result['seconds']:.0f} s")
    print(blend_line(result["blend"], result["validation_claims"], result["n_labels"]))
    print(f"model {result['version']} written to {result['out_dir']}")
    _prepare_graphs(args.out)
    if result.get("test_claims_held_out"):
        print(f"held out for `stance evaluate --data {args.data}`: the dataset's test split "
              f"({result['test_claims_held_out']} claims)")
    print_notes(result.get("notes", []))   # the bootstrap advice among them
    return 0


def _prepare_graphs(model_dir: str) -> None:
    """A new model's exported (int8) graphs made now, not on its first pre-label: said with the time taken."""
    import time

    from models.classifier import StanceClassifier

    start = time.perf_counter()
    if StanceClassifier.from_pretrained(model_dir).export_graphs():
        print(f"graphs for prelabel and evaluate made in {time.perf_counter() - start:.0f} s (once a model)")


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score a model on labelled claims: F1, confusion, calibration, by metadata")
    p.add_argument("--model", required=True, help="model directory, or 'bootstrap'")
    p.add_argument("--data", required=True, help="JSONL or Parquet with text and label, or a dataset directory from `stance pull` "
                                                "(see --split); claims the model was trained on are left out")
    p.add_argument("--out", required=True, help="report directory")
    p.add_argument("--scheme", default=None, help="default: the model's own, else the one a `stance pull` dataset was "
                   "labelled with, else kremlin_framing")
    p.add_argument("--by", nargs="*", default=None, help="metadata fields to break the figures down by (default: "
                   "each claim's source as the other views name it, then source_type, speaker and voice when present; "
                   "source asks for that grouping)")
    p.add_argument("--split", choices=("test", "all"), default=None,
                   help="which claims of a `stance pull` dataset to score: its test split, or all of them (the "
                        "claims a model was trained or tuned on are left out either way). Default: all for the "
                        "bootstrap, test for a trained model (its other splits share documents with its "
                        "training claims)")
    p.set_defaults(handler=_evaluate, runs_models=True)


LINES_SHOWN = 25   # evaluate's summary lines in the terminal (--by outlet over 800 outlets printed 800)


def _evaluate(args: argparse.Namespace) -> int:
    from models.evaluate import evaluate
    from models.evaluation_report import interval_sentence, notes, summary_table, terminal_table

    from corpus.files import check_not_inside
    from models.provenance import for_evaluation

    check_not_inside("--out", args.out, {"--data": args.data, "--model": None if args.model == "bootstrap" else args.model})
    chosen = for_evaluation(args.model, args.data, args.scheme)   # the model's and the dataset's, which agree
    print_notes(chosen.notes)
    report = evaluate(args.model, args.data, args.out, scheme=chosen.source, by=args.by, split=args.split)
    print(f"scored on {report['scored']}")
    lines = summary_table(report)
    for line in terminal_table(lines[:LINES_SHOWN]):
        print(line)
    if len(lines) > LINES_SHOWN:
        print(f"... {len(lines) - LINES_SHOWN} more groups in report.md")
    if report.get("intervals"):
        print(interval_sentence(report))
    if report.get("left_out"):
        print(report["left_out"])
    print(f"TF-IDF baseline: {report['baseline_how']}")
    for note in notes(report):
        print(f"note: {note}")
    print(f"report written to {report['out_dir']}/index.html (and report.json, report.md)")
    return 0


def _add_match(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("match", help="for each query, the top K most similar corpus rows")
    p.add_argument("--corpus", required=True, help="JSONL with id (or claim_id) and text")
    p.add_argument("--queries", required=True, help="JSONL with id (or claim_id) and text")
    p.add_argument("--top-k", type=COUNT, default=5, metavar="K", help="matches kept per query (default: 5); beyond 50 the cross-encoder reorders only the best 50")
    p.add_argument("--out", required=True, type=jsonl_out, help="output JSONL, one query a line with its matches")
    p.add_argument("--config", default=None, help="YAML with `match:` settings (default: configs/compare.yaml)")
    p.add_argument("--model", default=None, help="a sentence-encoder directory (default: the packaged MiniLM)")
    p.add_argument("--cache", default=None, help="embedding cache directory (default: embeddings/ in $CLAIMSTANCE_CACHE, else ~/.cache/claimstance)")
    p.add_argument("--other-documents", action="store_true",
                   help="match each query (with a doc_id) only against corpus rows of other documents: its counterparts elsewhere")
    p.set_defaults(handler=_match, runs_models=True)


def _match(args: argparse.Namespace) -> int:
    from models.matching import run_match

    n = run_match(args.corpus, args.queries, args.top_k, args.out, config=args.config,
                  model=args.model, cache=args.cache, other_documents=args.other_documents)
    print(f"wrote {args.out}: top {args.top_k} matches for {n} {'query' if n == 1 else 'queries'}",
          file=summary_stream(args.out))
    return 0


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="pairs and topics of claims that make the same point across documents")
    p.add_argument("--in", dest="inp", required=True, help="pre-labelled claims JSONL")
    p.add_argument("--out", required=True, help="output directory (pairs, clusters, report.html)")
    p.add_argument("--config", default=None, help="YAML with the compare settings, or a pipeline YAML with `compare:` (default: configs/compare.yaml)")
    p.add_argument("--cache", default=None, help="embedding cache directory (default: embeddings/ in $CLAIMSTANCE_CACHE, else ~/.cache/claimstance)")
    p.add_argument("--min-similarity", type=at_least(-1.0, float, 1.0), default=None,
                   help="a pair's cosine similarity, at least (default: the config's, 0.55)")
    p.add_argument("--top-k", type=COUNT, default=None, help="nearest claims of other sources (other documents with --within-source) kept per claim (default: the config's, 5)")
    p.add_argument("--labels", default=None,
                   help="labels from `stance pull` (labels.jsonl, labels.parquet or the dataset folder): the "
                        "annotators' label replaces the pre-label of each claim they labelled")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences take part: claims, statements (claims, opinions, headlines and other "
                        "assertions, as `stance push` sends) or all (default: the config's, statements); front "
                        "matter, bylines, datelines and speaker markers never do")
    p.add_argument("--all-sentences", action="store_true", help="the same as --scope all")
    p.add_argument("--scheme", default=None, help="label scheme whose cue words the report highlights: a name in "
                   "configs/schemes or a YAML path (default: the one the pre-labels were made with)")
    p.add_argument("--within-source", action="store_true", default=None,
                   help="pair the documents of one source too (a channel's posts with each other); by default "
                        "pairs join different sources (outlet, author, platform or site); a corpus of one "
                        "source is paired within it, with a note")
    p.set_defaults(handler=_compare, runs_models=True)


def _compare(args: argparse.Namespace) -> int:
    from corpus.files import check_not_inside
    from models.compare import run_compare
    from models.provenance import for_compare

    check_not_inside("--out", args.out, {"--in file": args.inp, "--labels": args.labels, "--cache": args.cache})
    scope = scope_of(args.scope, args.all_sentences, "--all-sentences", default=None)
    chosen = for_compare(args.inp, args.labels, args.scheme)   # the pre-labels' own, or --scheme checked against it
    print_notes(chosen.notes if chosen else [])
    overrides = {"min_similarity": args.min_similarity, "top_k": args.top_k, "scope": scope,
                 "scheme": chosen.source if chosen else None, "within_source": args.within_source}
    done = run_compare(args.inp, args.out, config=args.config, cache=args.cache, overrides=overrides,
                       labels=args.labels)
    print_notes(done["notes"])   # one source: its documents paired with each other
    if args.labels:
        rest = f", pre-labels for {done['prelabelled']}" if done["prelabelled"] else ""
        print(f"stances: the annotators' labels for {done['labelled_compared']} of the {done['claims']} claims "
              f"compared{rest} ({done['labelled']} labelled claims matched the input)")
    from corpus.claimfilter import SCOPE_WORDS

    what = SCOPE_WORDS[done["scope"]]
    print(f"compared {done['claims']} {what} of {done['documents']} documents: {done['pairs']} pairs "
          f"({done['contrasting']} with contrasting stances), {done['clusters']} "
          f"{'topic' if done['clusters'] == 1 else 'topics'}")
    from pathlib import Path

    from corpus.files import read_jsonl

    # No stance on either side of any pair: the input holds claims, not pre-labels (`stance claims`).
    if done["pairs"] and not any(p.get("stance_a") or p.get("stance_b")
                                 for p in read_jsonl(Path(done["out"]) / "pairs.jsonl")):
        print_notes([f"the rows of {args.inp} carry no stance (no `prediction`), so no pair can contrast: run "
                     f"`stance prelabel --in {args.inp} --out PRELABELED.jsonl` and compare that file, or give "
                     "--labels from `stance pull`"])
    print(f"wrote {done['out']}/pairs.jsonl, pairs.parquet, clusters.jsonl, clusters.parquet, report.html")
    return 0


COMMANDS = (_add_claims, _add_prelabel, _add_train, _add_evaluate, _add_match, _add_compare,
            add_studio, add_push, add_pull, add_run)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line like every other error, with where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}; see `{self.prog} --help`\n")

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> argparse.Namespace:  # type: ignore[override]
        # argparse reports an unknown option from the top parser; the command's help is where to look.
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            prog = f"{self.prog} {parsed.command}" if getattr(parsed, "command", None) else self.prog
            self.exit(2, f"error: {prog}: unrecognized arguments: {' '.join(extras)}; see `{prog} --help`\n")
        return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stance", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Data-derived text (outlets, file names, claims) may hold terminal escape sequences.
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = protect(sys.stdout), protect(sys.stderr)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = streams


_MAIN_PID = os.getpid()


def _interrupt(signum: int, frame: Any) -> None:
    """`kill`, `timeout`, a closed terminal: cleaned up as Ctrl-C is, in the command's own process. A
    worker forked from it (the claims pool) dies as it always did, with the signal's default action."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    handlers = {}   # the handlers before: restored after, and an ignored signal (nohup) stays ignored
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            handlers[sig] = signal.getsignal(sig)
            if handlers[sig] is not signal.SIG_IGN:
                signal.signal(sig, _interrupt)
    try:
        if getattr(args, "runs_models", False):
            from models.environment import check_settings

            check_settings()   # a typo in a setting named now, not when a model first reads it
        return int(args.handler(args) or 0)
    except BrokenPipeError:   # `stance ... | head`: the reader has what it wanted
        with contextlib.suppress(OSError, ValueError):   # the interpreter's last flush then writes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
        return 0
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        # A path the system refuses (read-only, a file where a directory belongs, a full disk): the
        # outputs are written atomically, so nothing is half-written.
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}; check the path, its permissions and free space",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _end_progress_bars()
        # A push imports in chunks: the tasks imported stay, and a re-run adds only the missing ones.
        why = ("the tasks already imported stay, and a re-run adds only those missing"
               if getattr(args, "command", None) in ("push", "run") else "outputs are written atomically")
        print(f"error: interrupted; re-run the same command to finish ({why})", file=sys.stderr)
        return 130
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _end_progress_bars() -> None:
    """End the line of a progress bar an interrupt stopped, so the error starts a line of its own."""
    tqdm = sys.modules.get("tqdm")
    for bar in list(getattr(getattr(tqdm, "tqdm", None), "_instances", ())):
        with contextlib.suppress(Exception):
            bar.close()


def console() -> NoReturn:
    """The `stance` script: ``main``, and an interrupted command ends at once. Its outputs' temporary
    files are gone by then; waiting on a worker pool's threads at exit could hang (a signal to the
    whole process group can leave a pool's queue locked)."""
    try:
        code = main()
    except KeyboardInterrupt:   # after the handler returned: its outputs are written
        code = 130
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    if code == 130:
        os._exit(code)
    # Everything is written and shown. A Ctrl-C from here on (the interpreter joining a thread pool's
    # threads at exit) ends the process as the signal does, not with a traceback and exit code 0.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(code)


if __name__ == "__main__":
    console()
