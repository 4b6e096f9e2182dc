"""The commands of Label Studio and of the whole pipeline: `stance studio`, `stance push`, `stance
pull` and `stance run`. Each parses its options, calls one library function and prints what it did.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claimstance.arguments import COUNT, PORT, at_least, scope_of
from claimstance.terminal import print_notes, shell_word
from corpus.claimfilter import SCOPE_WORDS

# --- annotate ---------------------------------------------------------------------------------

def add_studio(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("studio", help="run a local Label Studio: start, stop, status")
    p.add_argument("action", choices=["start", "stop", "status"],
                   help="start the server (or say it runs), stop it, or say whether it runs and takes the API key")
    p.add_argument("--workspace", default="workspace", help="folder holding the server's data, log and studio.json "
                   "(its URL, login and API key, mode 600) (default: workspace)")
    p.add_argument("--port", type=PORT, default=None, help="port of a new server (default: the one the workspace "
                   "used before, else 8080); a local server only: a remote one is --url of push and pull")
    p.set_defaults(handler=_studio)


def _studio(args: argparse.Namespace) -> int:
    from annotate import studio

    if args.action == "start":
        info = studio.start(args.workspace, port=args.port, say=lambda line: print(line, file=sys.stderr, flush=True))
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
        if info["http_status"] is None:   # the process is there, its web server is not answering
            if _minutes_since(info.get("started_at")) < 5:   # no stamp (an older studio.json): starting, as far as we know
                print(f"Label Studio is starting at {info['url']} (pid {info['pid']}): not answering yet; a first "
                      "start takes up to a minute, then run this again")
            else:
                print(f"Label Studio at {info['url']} (pid {info['pid']}) does not answer; see {info.get('log')}, "
                      f"then `stance studio stop --workspace {shell_word(args.workspace)}` and start it again")
            return 1
        auth = "API key accepted" if info["auth_ok"] else f"API key NOT accepted (HTTP {info['http_status']})"
        print(f"Label Studio running at {info['url']} (pid {info['pid']}); {auth}")
        print(f"log in as {info['username']}; the password and API key are in {info['studio_json']} "
              f"(mode {info.get('studio_json_mode', 'unknown')})")
        return 0 if info["auth_ok"] else 1
    return 0


def _minutes_since(stamp: object) -> float:
    """Minutes since a studio.json ``started_at`` stamp; none when there is no stamp to read."""
    import datetime

    try:
        started = datetime.datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return 0.0
    return (datetime.datetime.now(started.tzinfo) - started).total_seconds() / 60


def _check_workspace_dir(workspace: str) -> None:
    """Refuse a --workspace that is a file (or lies under one), as `stance studio start` does."""
    from corpus.errors import UserError
    from corpus.files import nearest_existing

    existing = nearest_existing(Path(workspace))
    if existing.exists() and not existing.is_dir():
        where = "" if existing == Path(workspace) else f": {existing}"
        raise UserError(f"--workspace {workspace}{where} is a file; give a directory (new or used before)")


def add_push(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("push", help="send pre-labelled claims (or claim pairs) to Label Studio")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--in", dest="inp", help="pre-labelled claims JSONL")
    src.add_argument("--pairs", help="pairs.jsonl from `stance compare`")
    p.add_argument("--project", required=True, help="project title (created if missing)")
    p.add_argument("--workspace", default="workspace", help="folder of the local Label Studio (its studio.json "
                   "holds the login and API key) and of the schemes its projects were pushed with (default: workspace)")
    p.add_argument("--url", default=None, help="a remote Label Studio; the key comes from LABEL_STUDIO_API_KEY")
    p.add_argument("--scheme", default=None, help="label scheme: a name in configs/schemes or a YAML path (default: the "
                   "one the pre-labels were made with, else the one the project was pushed with; claims never "
                   "pre-labelled need it the first time)")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences: the claims, the statements (claims, headlines, opinions and other "
                        "assertions the claim filter found not check-worthy, where framing often lives; the "
                        "default) or all; never front matter, bylines, datelines or speaker markers")
    p.add_argument("--all", action="store_true", help="the same as --scope all")
    p.add_argument("--overlap", type=COUNT, default=None, metavar="N",
                   help="annotators a task: a task leaves the labelling queue once N people labelled it; 2 or "
                        "more gives agreement figures (default: a new project gets 1, an existing one keeps its own)")
    p.add_argument("--prune", action="store_true",
                   help="delete the tasks whose sentence is gone (of a document this file holds, its claim and text "
                        "no longer in it) that nobody annotated, skipped or drafted; annotated ones always stay "
                        "(default: name them in a note)")
    p.set_defaults(handler=_push)


def _push(args: argparse.Namespace) -> int:
    from annotate.push import overlap_line, present_line, push
    from claimstance.run_state import check_run_project, push_lock, push_target

    if not args.pairs and args.url is None:   # a remote server's projects are not the local run's
        check_run_project(args.inp, args.project)
    with push_lock(push_target(args.workspace, args.url), args.project,
                   lambda m: print(m, file=sys.stderr, flush=True)):
        result = push(args.pairs or args.inp, args.project, workspace=args.workspace, url=args.url,
                      scheme=args.scheme, scope=scope_of(args.scope, args.all, "--all"), pairs=bool(args.pairs),
                      overlap=args.overlap, prune=args.prune)
    what = "pairs" if args.pairs else SCOPE_WORDS[result["scope"]]
    print(f"{result['tasks_added']} new {what} pushed, {present_line(result)}, "
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
    print_notes(result.get("notes", []))
    print_notes(result.get("warnings", []), "warning")   # a model `stance train` found at chance
    print(f"project {result['project']!r} ({'created' if result['created'] else 'reused'}): {result['project_url']}")
    return 0


def add_pull(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pull", help="fetch annotations as a dataset, with agreement and acceptance reports")
    p.add_argument("--project", required=True, help="project title in Label Studio")
    p.add_argument("--out", required=True, help="output directory (annotations, labels, dataset, report)")
    p.add_argument("--workspace", default="workspace", help="folder of the local Label Studio (its studio.json "
                   "holds the login and API key) and of the schemes its projects were pushed with (default: workspace)")
    p.add_argument("--url", default=None, help="a remote Label Studio; the key comes from LABEL_STUDIO_API_KEY")
    p.add_argument("--scheme", default=None, help="the scheme the project was pushed with (default: the one the project "
                   "records; needed for a project recording none (pushed by an older stance, or its comment removed) with another "
                   "scheme than kremlin_framing, and for a YAML of your own pulled from another workspace than the "
                   "one that pushed it)")
    p.add_argument("--replace", action="store_true", help="replace what --out holds even when it is a pull of "
                   "another project, or of annotations where the project now has none (refused without it)")
    p.add_argument("--pseudonymise", "--pseudonymize", dest="pseudonymise", action="store_true",
                   help="name each annotator annotator-<8 hex digits> (HMAC-SHA256 of their Label Studio login, "
                   "keyed with a secret the workspace keeps in pseudonym.key, made on first use, mode 600) instead "
                   "of their login (usually an e-mail address) in every file written and line printed: the same "
                   "person gets the same pseudonym in each pull of the workspace")
    p.set_defaults(handler=_pull)


def _pull(args: argparse.Namespace) -> int:
    from annotate import pull
    from annotate.project_scheme import pull as pull_with_scheme

    report = pull_with_scheme(args.project, args.out, workspace=args.workspace, url=args.url, scheme=args.scheme,
                               replace=args.replace, pseudonymise=args.pseudonymise)
    print_notes(report.get("notes", []))
    print("\n".join(pull.summary_lines(report, args.out)))
    return 0


# --- the whole pipeline -----------------------------------------------------------------------

def add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="corpus -> claims -> pre-labels -> Label Studio -> comparison report")
    p.add_argument("--corpus", default=None, help="corpus path (default: the bundled sample corpus)")
    p.add_argument("--config", default=None, help="pipeline YAML (default: configs/pipeline.yaml)")
    p.add_argument("--workspace", default="workspace", help="folder of the run's outputs (W/run), its embedding "
                   "cache and its local Label Studio (default: workspace)")
    p.add_argument("--no-push", action="store_true", help="skip Label Studio: claims, pre-labels and report only")
    p.add_argument("--port", type=PORT, default=None, help="port of the local Label Studio (default: the one the workspace's server used before, else the config's, 8080; a stopped server moves to the port given)")
    p.add_argument("--project", default=None, help="Label Studio project title (default: the config's, 'claimstance sample')")
    # The reading options default to None: a run given none reads as the workspace's last run did.
    p.add_argument("--text-column", default=None, help="CSV/JSONL column holding the text; several, comma-separated, take the first one present (default: text, or what the workspace's last run on this corpus was given)")
    p.add_argument("--id-column", default=None, help="CSV/JSONL column holding the document id; several, comma-separated, take the first one holding a value (default: id,doc_id, or what the workspace's last run on this corpus was given)")
    p.add_argument("--column", action="append", default=None, metavar="KEY=COLUMN", help="CSV/JSONL column holding a "
                   "document's outlet, date, author, source_type, title, url, platform or language, as `stance claims "
                   "--column` (repeatable; default: none, or what the workspace's last run on this corpus was given)")
    p.add_argument("--max-file-mb", type=at_least(0.001, float), default=None, help="skip files (or JSONL lines) "
                   "larger than this, as `stance claims --max-file-mb` (default: 50, or what the workspace's last run on this corpus was given; a big Telegram export needs more)")
    p.add_argument("--model", default=None, metavar="DIR",
                   help="pre-label with this model directory from `stance train` (default: the config's `model:`, "
                        "else the bootstrap; a run on the bootstrap keeps a project on a trained model's pre-labels)")
    p.add_argument("--overlap", type=COUNT, default=None, metavar="N",
                   help="annotators a task, as `stance push --overlap` (default: the config's `overlap:`)")
    p.add_argument("--scope", choices=("claims", "statements", "all"), default=None,
                   help="which sentences are pushed and compared, as `stance push --scope` (default: the config's "
                        "`push_scope:` and `compare: scope:`, statements)")
    p.add_argument("--scheme", default=None, help="label scheme: a name in configs/schemes or a YAML path (default: "
                   "the `scheme:` of a --config, else the --model's, else the one this workspace pushed the project "
                   "with or last pre-labelled with, else kremlin_framing); the commands printed at the end find it "
                   "by themselves")
    p.add_argument("--prune", action="store_true",
                   help="delete the project's tasks whose sentence is gone from the corpus's documents and that nobody "
                        "annotated, skipped or drafted, as `stance push --prune` (default: name them in a note)")
    p.set_defaults(handler=_run_pipeline, runs_models=True)


def _run_pipeline(args: argparse.Namespace) -> int:
    from claimstance.pipeline import run, summary_lines
    from corpus.row_readers import column_map
    from corpus.sources import ReadOptions

    _check_workspace_dir(args.workspace)
    if args.prune and args.no_push:
        from corpus.errors import UserError

        raise UserError("--prune deletes tasks in Label Studio, which --no-push leaves alone; give one of them")
    given = {k: v for k, v in (("text_column", args.text_column), ("id_column", args.id_column),
                                ("columns", column_map(args.column) if args.column else None),
                                ("max_mb", args.max_file_mb)) if v is not None}
    options = ReadOptions(**given) if given else None   # none given: the workspace's last run's, else the defaults
    result = run(args.corpus, args.config, workspace=args.workspace, push=not args.no_push, port=args.port,
                 project=args.project, read_options=options, model=args.model, overlap=args.overlap,
                 scope=args.scope, scheme=args.scheme, prune=args.prune)
    print("\n".join(summary_lines(result)))
    return 1 if result.skipped_inputs else 0
