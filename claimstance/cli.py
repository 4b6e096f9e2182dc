"""The `stance` command line: a thin layer that parses arguments and calls one library function.

Each handler imports its stage lazily, so `stance claims` never pays for importing torch.
Errors a user can cause are ``UserError``: printed as one line, exit code non-zero, no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from claimstance.terminal import protect
from corpus.errors import UserError


def _at_least(low: float, kind: type = int, high: float | None = None):
    """An argparse type: a number of ``kind`` in [low, high], else argparse's one-line error."""
    def parse(text: str) -> float:
        try:
            value = kind(text)
            if not math.isfinite(value):
                raise ValueError(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {'whole ' if kind is int else ''}number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value
    return parse


_COUNT = _at_least(1)
_PORT = _at_least(1, int, 65535)


def _jsonl_out(text: str) -> str:
    """An argparse type for a JSONL output file: not a folder ("out/"), not another format's name."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text} names a folder; give a file name ({text.rstrip('/' + os.sep)}/out.jsonl)")
    if text.lower().endswith((".csv", ".parquet", ".tsv", ".xlsx")):
        raise argparse.ArgumentTypeError(f"{text}: the output is JSON lines; give a .jsonl name")
    return text


# --- corpus -----------------------------------------------------------------------------------

def _add_claims(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("claims", help="split documents into claims with offsets, voices and a claim flag")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories or .jsonl documents")
    p.add_argument("--out", required=True, type=_jsonl_out, help="output JSONL, one sentence a line")
    p.add_argument("--text-column", default="text", help="CSV/JSONL column holding the text; several, comma-separated, take the first one present (default: text)")
    p.add_argument("--id-column", default="id,doc_id", help="CSV/JSONL column holding the document id; several, comma-separated, take the first one holding a value (default: id,doc_id; a row without one gets a hash of its text)")
    p.add_argument("--manifest", default=None, help="manifest of document metadata (default: manifest.yaml found in an input directory)")
    p.add_argument("--parquet", action="store_true", help="also write FILE.parquet beside the JSONL")
    p.add_argument("--documents", default=None, metavar="FILE", help="also write FILE (JSONL), one row a document: "
                   "doc_id, source_file, format, sha1 and the text the claims' offsets index (for HTML: the "
                   "extracted text, with the extractor and its version)")
    p.add_argument("--max-file-mb", type=_at_least(0.001, float), default=50, help="skip files (or JSONL lines) larger than this (default: 50)")
    p.add_argument("--workers", type=_COUNT, default=None, help="processes to use (default: up to 4 on a corpus over 4 MB, else 1)")
    p.set_defaults(handler=_claims)


def _claims(args: argparse.Namespace) -> int:
    from corpus.claims import build_claims
    from corpus.sources import ReadOptions

    options = ReadOptions(text_column=args.text_column, id_column=args.id_column,
                          manifest=args.manifest, max_mb=args.max_file_mb)
    summary = build_claims(args.inputs, args.out, options, parquet=args.parquet, workers=args.workers,
                           on_skip=lambda s: print(f"skipped: {s}", file=sys.stderr), documents=args.documents)
    voices = ", ".join(f"{k} {n}/{summary.claims_by_voice[k]}" for k, n in summary.by_voice.most_common())
    print(f"documents: {summary.documents}  sentences: {summary.sentences}  claims: {summary.claims}")
    print(f"by voice (sentences/claims): {voices}")
    print(f"wrote {summary.out} ({summary.sentences} rows)")
    if summary.parquet:
        print(f"wrote {summary.parquet}")
    if summary.documents_file:
        print(f"wrote {summary.documents_file} ({summary.document_rows} documents)")
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
    p.add_argument("--out", required=True, type=_jsonl_out, help="output JSONL: every input field plus the pre-label")
    p.add_argument("--model", default=None, help="a model directory from `stance train` (default: the bootstrap)")
    p.add_argument("--scheme", default=None, help="label scheme: a name in configs/schemes or a YAML path "
                   "(default: the model's own, or kremlin_framing for the bootstrap)")
    p.add_argument("--batch-size", type=_COUNT, default=64)
    p.set_defaults(handler=_prelabel)


def _prelabel(args: argparse.Namespace) -> int:
    from models.prelabel import prelabel_file

    report = prelabel_file(args.inp, args.out, scheme_name=args.scheme, model_dir=args.model,
                           batch_size=args.batch_size)
    if report.labeller_table is not None:
        print(report.labeller_table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("predictions: " + ", ".join(f"{label} {n}" for label, n in report.distribution.items()))
    print(f"{report.n} claims pre-labelled by {report.model_version} written to {report.out}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="fine-tune the packaged MiniLM on labelled claims")
    p.add_argument("--data", required=True, help="JSONL or Parquet with text and label, or a dataset directory from `stance pull`")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--scheme", default="kremlin_framing")
    p.add_argument("--epochs", type=_at_least(1, int, 50), default=None, help="maximum epochs (default: 8, early stopping)")
    p.add_argument("--seed", type=_at_least(0, int, 2**32 - 1), default=13)
    p.add_argument("--no-domain-gate", action="store_true",
                   help="let the network decide every claim; by default claims unlike the training claims "
                        "go to the bootstrap (what keeps the model useful on other sources)")
    p.add_argument("--exclude-ties", action="store_true",
                   help="leave out rows whose label broke a tie between annotators (a pulled dataset's rule "
                        "'tie->latest': with two annotators, every disagreement)")
    p.add_argument("--min-agreement", type=_at_least(0.0, float, 1.0), default=None, metavar="X",
                   help="leave out rows whose annotators agreed less than X (0 to 1, the pulled dataset's "
                        "'agreement'); rows one annotator labelled are kept")
    p.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    from models.training import train

    result = train(args.data, args.out, scheme=args.scheme, epochs=args.epochs, seed=args.seed,
                   domain_gate=False if args.no_domain_gate else None, exclude_ties=args.exclude_ties,
                   min_agreement=args.min_agreement)
    blend = result["blend"]
    if result.get("left_out"):
        print(result["left_out"])
    print(f"trained on {result['train_claims']} claims (+{result['scheme_examples']} scheme examples), "
          f"validated on {result['validation_claims']}: network macro-F1 {result['validation_macro_f1']:.3f} "
          f"(epoch {result['best_epoch']} of {result['epochs_run']}), {result['seconds']:.0f} s")
    gate = "domain gate on" if blend.get("domain") else "no domain gate"
    scores = ""
    blended = (blend.get("validation_f1_by_weight") or {}).get(str(blend.get("bootstrap_weight")))
    if blended is not None and "validation_f1_bootstrap_alone" in blend:
        scores = f"; validation macro-F1 {blended:.3f} (bootstrap alone {blend['validation_f1_bootstrap_alone']:.3f})"
    print(f"blend with the bootstrap: the bootstrap's weight in domain {blend['bootstrap_weight']}"
          + (" (the network alone decides claims like the training claims)" if not blend["bootstrap_weight"] else "")
          + f", temperature {blend['temperature']}, {gate}{scores}")
    print(f"model {result['version']} written to {result['out_dir']}")
    if result.get("test_claims_held_out"):
        print(f"held out for `stance evaluate --data {args.data}`: the dataset's test split "
              f"({result['test_claims_held_out']} claims)")
    for note in result.get("notes", []):   # the bootstrap advice among them
        print(f"note: {note}", file=sys.stderr)
    return 0


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score a model on labelled claims: F1, confusion, calibration, by metadata")
    p.add_argument("--model", required=True, help="model directory, or 'bootstrap'")
    p.add_argument("--data", required=True, help="JSONL or Parquet with text and label, or a dataset directory from `stance pull` "
                                                "(see --split); claims the model was trained on are left out")
    p.add_argument("--out", required=True, help="report directory")
    p.add_argument("--scheme", default=None, help="default: the model's own, or kremlin_framing for the bootstrap")
    p.add_argument("--by", nargs="*", default=None, help="metadata fields to break the figures down by")
    p.add_argument("--split", choices=("test", "all"), default=None,
                   help="which claims of a `stance pull` dataset to score: its test split, or all of them (the "
                        "claims a model was trained or tuned on are left out either way). Default: all for the "
                        "bootstrap, test for a trained model (its other splits share documents with its "
                        "training claims)")
    p.set_defaults(handler=_evaluate)


LINES_SHOWN = 25   # evaluate's summary lines in the terminal (--by outlet over 800 outlets printed 800)


def _evaluate(args: argparse.Namespace) -> int:
    from models.evaluate import evaluate
    from models.evaluation_report import interval_sentence, notes, summary_table, terminal_table

    report = evaluate(args.model, args.data, args.out, scheme=args.scheme, by=args.by, split=args.split)
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
    p.add_argument("--queries", required=True, help="JSONL with id and text")
    p.add_argument("--top-k", type=_COUNT, default=5)
    p.add_argument("--out", required=True, type=_jsonl_out, help="output JSONL, one query a line with its matches")
    p.add_argument("--config", default=None, help="YAML with `match:` settings (default: configs/compare.yaml)")
    p.add_argument("--model", default=None, help="a sentence-encoder directory (default: the packaged MiniLM)")
    p.add_argument("--cache", default=None, help="embedding cache directory (default: ~/.cache/claimstance/embeddings)")
    p.add_argument("--other-documents", action="store_true",
                   help="match each query (with a doc_id) only against corpus rows of other documents: its counterparts elsewhere")
    p.set_defaults(handler=_match)


def _match(args: argparse.Namespace) -> int:
    from models.matching import run_match

    n = run_match(args.corpus, args.queries, args.top_k, args.out, config=args.config,
                  model=args.model, cache=args.cache, other_documents=args.other_documents)
    print(f"wrote {args.out}: top {args.top_k} matches for {n} {'query' if n == 1 else 'queries'}")
    return 0


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="pairs and topics of claims that make the same point across documents")
    p.add_argument("--in", dest="inp", required=True, help="pre-labelled claims JSONL")
    p.add_argument("--out", required=True, help="output directory (pairs, clusters, report.html)")
    p.add_argument("--config", default=None, help="YAML with the compare settings, or a pipeline YAML with `compare:` (default: configs/compare.yaml)")
    p.add_argument("--cache", default=None, help="embedding cache directory (default: ~/.cache/claimstance/embeddings)")
    p.add_argument("--min-similarity", type=_at_least(-1.0, float, 1.0), default=None,
                   help="a pair's cosine similarity, at least (default: the config's, 0.55)")
    p.add_argument("--top-k", type=_COUNT, default=None, help="nearest claims of other documents kept per claim (default: 5)")
    p.add_argument("--labels", default=None,
                   help="labels from `stance pull` (labels.jsonl, labels.parquet or the dataset folder): the "
                        "annotators' label replaces the pre-label of each claim they labelled")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences take part: claims, statements (claims, opinions, headlines and other "
                        "assertions, as `stance push` sends) or all (default: the config's, statements); front "
                        "matter, bylines, datelines and speaker markers never do")
    p.add_argument("--all-sentences", action="store_true", help="the same as --scope all")
    p.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace) -> int:
    from models.compare import run_compare

    overrides = {"min_similarity": args.min_similarity, "top_k": args.top_k,
                 "scope": _scope(args.scope, args.all_sentences, "--all-sentences", default=None)}
    done = run_compare(args.inp, args.out, config=args.config, cache=args.cache, overrides=overrides,
                       labels=args.labels)
    if args.labels:
        rest = f", pre-labels for {done['prelabelled']}" if done["prelabelled"] else ""
        print(f"stances: the annotators' labels for {done['labelled_compared']} of the {done['claims']} claims "
              f"compared{rest} ({done['labelled']} labelled claims matched the input)")
    what = {"claims": "claims", "statements": "statements", "all": "sentences"}[done["scope"]]
    print(f"compared {done['claims']} {what} of {done['documents']} documents: {done['pairs']} pairs "
          f"({done['contrasting']} with contrasting stances), {done['clusters']} "
          f"{'topic' if done['clusters'] == 1 else 'topics'}")
    print(f"wrote {done['out']}/pairs.jsonl, pairs.parquet, clusters.jsonl, clusters.parquet, report.html")
    return 0


# --- annotate ---------------------------------------------------------------------------------

def _add_studio(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("studio", help="run a local Label Studio: start, stop, status")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--workspace", default="workspace")
    p.add_argument("--port", type=_PORT, default=None)
    p.set_defaults(handler=_studio)


def _studio(args: argparse.Namespace) -> int:
    from annotate import studio

    if args.action == "start":
        info = studio.start(args.workspace, port=args.port)
        state = "already running" if info["already_running"] else f"started in {info['seconds']} s"
        print(f"Label Studio {state} at {info['url']} (pid {info['pid']}, log {info['log']})")
        print(f"log in as {info['username']}; the password and API key are in {info['studio_json']} "
              f"(mode {info.get('studio_json_mode', 'unknown')})")
    elif args.action == "stop":
        info = studio.stop(args.workspace)
        print(f"Label Studio for {args.workspace} stopped" if info["stopped"] else f"no Label Studio running for {args.workspace}")
    else:
        info = studio.status(args.workspace)   # no workspace set up: a UserError naming the fix
        if not info["running"]:
            print(f"Label Studio for {args.workspace} is stopped ({info['url']} when started)")
            return 1
        if info["http_status"] is None:   # the process is there, its web server is not answering yet
            print(f"Label Studio is starting at {info['url']} (pid {info['pid']}): not answering yet; a first start "
                  "takes up to a minute, then run this again")
            return 1
        auth = "API key accepted" if info["auth_ok"] else f"API key NOT accepted (HTTP {info['http_status']})"
        print(f"Label Studio running at {info['url']} (pid {info['pid']}); {auth}")
        print(f"log in as {info['username']}; the password and API key are in {info['studio_json']} "
              f"(mode {info.get('studio_json_mode', 'unknown')})")
        return 0 if info["auth_ok"] else 1
    return 0


def _add_push(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("push", help="send pre-labelled claims (or claim pairs) to Label Studio")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--in", dest="inp", help="pre-labelled claims JSONL")
    src.add_argument("--pairs", help="pairs.jsonl from `stance compare`")
    p.add_argument("--project", required=True, help="project title (created if missing)")
    p.add_argument("--workspace", default="workspace")
    p.add_argument("--url", default=None, help="a remote Label Studio; the key comes from LABEL_STUDIO_API_KEY")
    p.add_argument("--scheme", default="kremlin_framing")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences: the claims, the statements (claims, headlines, opinions and other "
                        "assertions the claim filter found not check-worthy, where framing often lives; the "
                        "default) or all; never front matter, bylines, datelines or speaker markers")
    p.add_argument("--all", action="store_true", help="the same as --scope all")
    p.add_argument("--overlap", type=_COUNT, default=None, metavar="N",
                   help="annotators a task: a task leaves the labelling queue once N people labelled it; 2 or "
                        "more gives agreement figures (default: a new project gets 1, an existing one keeps its own)")
    p.set_defaults(handler=_push)


def _scope(scope: str | None, everything: bool, flag: str, default: str | None = "statements") -> str | None:
    """The scope of --scope and its shorthand ``flag`` (--all): both given and different is a mistake."""
    if everything and scope not in (None, "all"):
        raise UserError(f"{flag} and --scope {scope} ask for different sentences; give one of them")
    return "all" if everything else (scope or default)


def _push(args: argparse.Namespace) -> int:
    from annotate.push import overlap_line, push
    from claimstance.run_state import check_run_project

    if not args.pairs and args.url is None:   # a remote server's projects are not the local run's
        check_run_project(args.inp, args.project)
    result = push(args.pairs or args.inp, args.project, workspace=args.workspace, url=args.url,
                  scheme=args.scheme, scope=_scope(args.scope, args.all, "--all"), pairs=bool(args.pairs),
                  overlap=args.overlap)
    what = "pairs" if args.pairs else {"claims": "claims", "statements": "statements", "all": "sentences"}[result["scope"]]
    print(f"{result['tasks_added']} new {what} pushed, {result['tasks_present']} already there, "
          f"{result['predictions_added']} predictions added to existing tasks"
          + (f", {result['out_of_scope_skipped']} sentences that are not {result['scope']} skipped ("
             + ("--scope statements adds opinions and headlines, --scope all everything)" if result["scope"] == "claims"
                else "--scope all pushes them)")
             if result.get("out_of_scope_skipped") else "")
          + (f", {result['structure_skipped']} front matter, byline, dateline and speaker-marker rows left out"
             if result.get("structure_skipped") else ""))
    if result["model_version"]:
        state = "switched to" if result["model_version_switched"] else "is"
        print(f"project model version {state} {result['project_model_version']}"
              + ("" if result["project_model_version"] == result["model_version"] else
                 f" (these pre-labels, {result['model_version']}, were all there already)"))
    if result.get("overlap"):
        print(overlap_line(result["overlap"]))
    for note in result.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    print(f"project {result['project']!r} ({'created' if result['created'] else 'reused'}): {result['project_url']}")
    return 0


def _add_pull(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pull", help="fetch annotations as a dataset, with agreement and acceptance reports")
    p.add_argument("--project", required=True, help="project title in Label Studio")
    p.add_argument("--out", required=True, help="output directory (annotations, labels, dataset, report)")
    p.add_argument("--workspace", default="workspace")
    p.add_argument("--url", default=None, help="a remote Label Studio; the key comes from LABEL_STUDIO_API_KEY")
    p.add_argument("--scheme", default="kremlin_framing", help="the scheme the project was pushed with")
    p.set_defaults(handler=_pull)


def _pull(args: argparse.Namespace) -> int:
    from annotate import pull

    report = pull.pull(args.project, args.out, workspace=args.workspace, url=args.url, scheme=args.scheme)
    print("\n".join(pull.summary_lines(report, args.out)))
    return 0


# --- the whole pipeline -----------------------------------------------------------------------

def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="corpus -> claims -> pre-labels -> Label Studio -> comparison report")
    p.add_argument("--corpus", default=None, help="corpus path (default: the bundled sample corpus)")
    p.add_argument("--config", default=None, help="pipeline YAML (default: configs/pipeline.yaml)")
    p.add_argument("--workspace", default="workspace")
    p.add_argument("--no-push", action="store_true", help="skip Label Studio: claims, pre-labels and report only")
    p.add_argument("--port", type=_PORT, default=None, help="port of a new local Label Studio (default: the config's, 8080)")
    p.add_argument("--project", default=None, help="Label Studio project title (default: the config's, 'claimstance sample')")
    p.add_argument("--text-column", default="text", help="CSV/JSONL column holding the text; several, comma-separated, take the first one present (default: text)")
    p.add_argument("--id-column", default="id,doc_id", help="CSV/JSONL column holding the document id; several, comma-separated, take the first one holding a value (default: id,doc_id)")
    p.add_argument("--model", default=None, metavar="DIR",
                   help="pre-label with this model directory from `stance train` (default: the config's `model:`, "
                        "else the bootstrap; a run on the bootstrap keeps a project on a trained model's pre-labels)")
    p.add_argument("--overlap", type=_COUNT, default=None, metavar="N",
                   help="annotators a task, as `stance push --overlap` (default: the config's `overlap:`)")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences are pushed, as `stance push --scope` (default: the config's `push_scope:`, "
                        "statements)")
    p.set_defaults(handler=_run_pipeline)


def _run_pipeline(args: argparse.Namespace) -> int:   # not `_run`: main's own helper has that name
    from claimstance.pipeline import run, summary_lines
    from corpus.sources import ReadOptions

    options = ReadOptions(text_column=args.text_column, id_column=args.id_column)
    result = run(args.corpus, args.config, workspace=args.workspace, push=not args.no_push, port=args.port,
                 project=args.project, read_options=options, model=args.model, overlap=args.overlap,
                 scope=args.scope)
    print("\n".join(summary_lines(result)))
    return 1 if result.skipped_inputs else 0


COMMANDS = (_add_claims, _add_prelabel, _add_train, _add_evaluate, _add_match, _add_compare,
            _add_studio, _add_push, _add_pull, _add_run)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line like every other error, with where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}; see `{self.prog} --help`\n")


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


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt   # `kill`, `timeout`, a closed terminal: cleaned up as Ctrl-C is


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
    try:
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
        print("error: interrupted; re-run the same command to finish (outputs are written atomically)",
              file=sys.stderr)
        return 130
    finally:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
