"""`stance run`: corpus -> claims -> pre-labels -> local Label Studio -> push -> comparison report.

Each step's output lives in ``W/run/`` and is keyed by a hash of what went into it (the inputs'
content, the settings, the model version), recorded in ``W/run/state.json``: re-running skips every
step whose inputs have not changed, and the push is idempotent on the stable claim ids. The claims
and pre-labels wait in ``W/run/.pending`` until the push took them (``run_state.Pending``), and then
carry the ids the project holds an edited document's sentences by (``annotate.push_match``).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from claimstance.config import DEFAULT_PIPELINE, PipelineConfig, load_pipeline_config
from claimstance.run_state import CLAIMS, DOCUMENTS, PRELABELED, Pending, RunState, fingerprint
from claimstance.terminal import shell_word
from corpus.claimfilter import SCOPE_WORDS, in_scope
from corpus.errors import UserError, named_few
from corpus.files import read_jsonl
from corpus.sources import ReadOptions
from models.schemes import NO_SOURCE_TYPE, source_type_note

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sample"
NAMES_SHOWN = 5   # documents named in the note on those without a source_type

# The step the run leaves out when its statements come from one document (nothing to pair them with).
COMPARE_ONE_DOCUMENT = "compare (one document)"


@dataclass
class RunResult:
    """What one `stance run` did: counts for the summary, paths, and which steps were skipped."""

    workspace: Path
    claims_path: Path
    prelabeled_path: Path
    compare_dir: Path
    documents: int = 0
    sentences: int = 0
    claims: int = 0
    scope: str = "statements"   # what is pushed (PipelineConfig.scope), and what the counts below count
    labels: list[str] = field(default_factory=list)   # the scheme's, in its order (ties in the summary)
    in_scope: int = 0
    by_voice: Counter = field(default_factory=Counter)
    by_source: dict[str, Counter] = field(default_factory=dict)
    pairs: int = 0
    contrasting: int = 0
    clusters: int = 0
    pushed: dict[str, Any] = field(default_factory=dict)
    studio: dict[str, Any] = field(default_factory=dict)
    skipped_steps: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    skipped_inputs: list[str] = field(default_factory=list)
    project: str = ""
    model: str | None = None
    no_source_type: list[str] = field(default_factory=list)
    corpus: str = ""                   # what was read (the next run's --corpus)
    read_flags: list[str] = field(default_factory=list)   # how CSV/JSONL were read (the next run's options)
    config: str | None = None          # the --config given (the next run's too)
    empty_source_type: set[str] = field(default_factory=set)   # of those, the files whose source_type column is empty
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _run_scheme(flag: str | None, config: str | Path | None, cfg: PipelineConfig, workspace: Path,
                push: bool = True) -> Any:
    """The scheme of a run (``models.provenance.Resolved``), found before anything is written.

    A choice is ``--scheme`` or the ``scheme:`` of a config the user gave; the bundled config's is
    only the default. A choice is checked against the model's scheme and the scheme this workspace
    pushed the project with (when the run pushes). Without one: the model's, else the project's, else the one the
    workspace's last pre-labels were made with, else the default.
    """
    from annotate.project_scheme import pushed_record
    from annotate.push_plan import is_bootstrap
    from models import provenance

    if flag is not None:
        given, how, shown = flag, "--scheme", f"--scheme {flag}"
    elif config is not None and "scheme" in cfg.model_fields_set:
        given, how, shown = cfg.scheme, f"`scheme:` in {config}", f"`scheme: {cfg.scheme}` in {config}"
    else:
        given, how, shown = None, "", ""
    model = [(f"model {cfg.model}", provenance.from_model(cfg.model))] if cfg.model else []
    project = pushed_record(workspace, cfg.project)
    pushed = [(f"project {cfg.project!r}", project)] if project else []
    if given is not None:
        pushed = pushed if push else []   # nothing goes to the project
        fix = f"leave out {how} to use its scheme" + ("" if not pushed else ", or push to another --project")
        return _kept_labels(provenance.resolve(given, model + pushed, fix=fix, flag=shown), cfg, project, push)
    if model:
        return _kept_labels(provenance.resolve(None, model + pushed, fix=""), cfg, project, push)
    if pushed:
        return _kept_labels(provenance.resolve(None, pushed), cfg, project, push)
    last = workspace / "run" / "prelabeled.jsonl"
    if last.is_file():
        rows = list(read_jsonl(last))
        recorded = provenance.from_rows(rows, str(last))
        if recorded is not None:
            return provenance.resolve(None, [(f"the pre-labels in {last}", recorded)])
        if any(is_bootstrap(row.get("model_version")) for row in rows):
            # an older stance's run with a scheme of the user's: the default would replace its pre-labels
            raise UserError(f"the pre-labels in {last} were made by an older stance with a scheme it did not record "
                            "(not one in configs/schemes); give --scheme with that scheme's YAML once")
    return provenance.resolve(None, [], default=cfg.scheme)


def _kept_labels(resolved: Any, cfg: PipelineConfig, project: dict[str, Any] | None, push: bool) -> Any:
    """``resolved``, once its scheme is found to keep the labels the model was trained on and (when the
    run pushes) those the project was pushed with: else the error pull and train give, before step 1."""
    from models import provenance

    if cfg.model and provenance.from_model(cfg.model) is not None:
        provenance.check_model_labels(cfg.model, resolved)
    gone = [x for x in (project or {}).get("labels") or [] if x not in resolved.record["labels"]] if push else []
    if gone:
        raise UserError(f"scheme {resolved.record['name']!r} ({resolved.source}) has been edited since project "
                        f"{cfg.project!r} was pushed with it: {provenance.labels_change(resolved.record, project)}; "
                        f"put {', '.join(gone)} back in that file to run (new labels are fine), or push to another --project")
    return resolved


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _code_version() -> str:
    """Changes whenever the corpus or model code changes, so cached steps are redone after an upgrade."""
    root = Path(__file__).resolve().parents[1]
    return fingerprint(*(root / pkg for pkg in ("corpus", "models")))


def run(corpus: str | Path | None = None, config: str | Path | None = None,
        workspace: str | Path = "workspace", push: bool = True, port: int | None = None,
        project: str | None = None, read_options: ReadOptions | None = None, model: str | Path | None = None,
        overlap: int | None = None, scope: str | None = None, scheme: str | None = None,
        say: Callable[[str], None] = _say, prune: bool = False) -> RunResult:
    """``_run``, one at a time on a workspace (``hold_run_lock``): a second run at once is refused."""
    from claimstance.run_state import hold_run_lock

    lock = hold_run_lock(Path(workspace))
    try:
        return _run(corpus, config, workspace=workspace, push=push, port=port, project=project,
                    read_options=read_options, model=model, overlap=overlap, scope=scope, scheme=scheme, say=say,
                    prune=prune)
    finally:
        lock.close()


def _run(corpus: str | Path | None = None, config: str | Path | None = None,
         workspace: str | Path = "workspace", push: bool = True, port: int | None = None,
         project: str | None = None, read_options: ReadOptions | None = None, model: str | Path | None = None,
         overlap: int | None = None, scope: str | None = None, scheme: str | None = None,
         say: Callable[[str], None] = _say, prune: bool = False) -> RunResult:
    """Run the whole pipeline on ``corpus`` (default: the bundled sample corpus).

    ``port``, ``project``, ``model`` (a directory of `stance train`), ``overlap`` (annotators a
    task), ``scope`` (which sentences are pushed and compared) and ``scheme`` override the config's;
    ``read_options`` say how CSV and JSONL documents are read (their text and id columns). The scheme
    (by default the config's, else a ``model``'s own) is recorded in the pre-labels, the project and
    the comparison, so the commands printed at the end need no ``--scheme``. A run on the bootstrap never switches a project that shows a trained
    model's pre-labels back to the bootstrap (see ``annotate.push.push_tasks``). With ``prune``, the
    push deletes the tasks whose sentence is gone that nobody worked on (``annotate.push.push``).
    """
    cfg: PipelineConfig = load_pipeline_config(config)
    overrides = {k: v for k, v in (("port", port), ("project", project), ("overlap", overlap),
                                   ("model", str(model) if model is not None else None)) if v is not None}
    if scope is not None:
        overrides.update(push_scope=scope, push_all=False)
    cfg = cfg.model_copy(update=overrides)
    options_given = read_options is not None
    read_options = read_options or ReadOptions()
    if push:   # what Label Studio would refuse at step 4, before any work
        from annotate.push import check_title
        from annotate.push_plan import overlap_settings

        check_title(cfg.project)
        if cfg.overlap is not None:
            overlap_settings(cfg.overlap)
        from annotate import studio

        # a port another program holds: found now, not after the claims and pre-labels are made
        studio.check_port(workspace, port=cfg.port if not _has_info(Path(workspace)) else port)
    corpus_path = Path(corpus) if corpus else SAMPLE_CORPUS
    if not corpus_path.exists():
        raise UserError(f"{corpus_path}: no such corpus file or directory; pass --corpus PATH")
    if cfg.model and not Path(cfg.model).is_dir():   # found now, not after the claims are made
        where = "--model" if model is not None else f"{config or DEFAULT_PIPELINE}: model:"
        raise UserError(f"{where} {cfg.model} is not a model directory; give one from `stance train`"
                        + ("" if model is not None else ", or null for the bootstrap"))
    if cfg.model:
        from models.model_dir import check_model_dir

        check_model_dir(cfg.model)   # an incomplete or damaged one too, before step 1 replaces anything
    from models.compare_settings import compare_settings as checked_compare_settings

    _check_same_work(Path(workspace), corpus_path, cfg.project, push,
                     corpus_given=corpus is not None,
                     project_given=project is not None or (config is not None and "project" in cfg.model_fields_set))
    read_options, reused = _last_read_options(Path(workspace), corpus_path, read_options, options_given)
    if reused:
        say(f"note: reading the corpus's CSV/JSONL as {workspace}'s last run did ({' '.join(reused)}); give "
            "reading options to read it otherwise")
    scheme_choice = _run_scheme(scheme, config, cfg, Path(workspace), push)
    scheme = scheme_choice.scheme
    compare_settings = checked_compare_settings(cfg.compare, config or DEFAULT_PIPELINE)
    if "scheme" not in compare_settings.model_fields_set:   # the report highlights the run's scheme's cues
        compare_settings = compare_settings.model_copy(update={"scheme": scheme_choice.source})
    if scope is not None:   # `stance run --scope claims`: the comparison takes the same sentences as the push
        compare_settings = compare_settings.model_copy(update={"scope": scope})

    workspace = Path(workspace)
    # A workspace inside the corpus (`stance run --corpus .`) would have its claims read as documents.
    read_options = dataclasses.replace(read_options, exclude=(*read_options.exclude, str(workspace.resolve())))
    out = workspace / "run"   # made by the first output written into it: a failed first step leaves nothing
    state = RunState(out / "state.json")
    result = RunResult(workspace=workspace, claims_path=out / "claims.jsonl",
                       prelabeled_path=out / "prelabeled.jsonl", compare_dir=out / "compare",
                       project=cfg.project, model=cfg.model, notes=list(scheme_choice.notes),
                       corpus=str(corpus_path),
                       read_flags=read_flags(read_options), config=str(config) if config is not None else None)
    code = _code_version()

    # 1. claims
    claims_key = fingerprint(corpus_path.resolve().as_posix(), corpus_path, asdict(read_options), code)
    before = state.step("claims").get("corpus")
    if before and before != corpus_path.resolve().as_posix():
        say(f"note: {workspace} last ran on {before}; this run replaces its claims, pre-labels and "
            "report (another --workspace keeps both)")
    documents_path = out / "documents.jsonl"   # the text each claim's offsets index (a page's extracted text)
    # Steps 1 and 2 write into W/run/.pending; their files replace W/run's (and state.json records
    # them) once the push took them, or with --no-push: a push that refuses or fails leaves W/run
    # describing what the project holds, and the next run takes up what is pending.
    pending = Pending(out)
    claims_src, documents_src = result.claims_path, documents_path
    if state.fresh("claims", claims_key, claims_src, documents_src):
        claims_record = state.step("claims")
    elif pending.state.fresh("claims", claims_key, pending.path(CLAIMS), pending.path(DOCUMENTS)):
        claims_record = pending.state.step("claims")
        claims_src, documents_src = pending.take(CLAIMS), pending.take(DOCUMENTS)
    else:
        claims_record = None
    if claims_record is not None:
        say(f"[1/5] claims: up to date ({result.claims_path})")
        result.skipped_steps.append("claims")
        # What that run could not read is still unread: say so again (and exit 1 again).
        skipped = claims_record.get("skipped_inputs")
        result.skipped_inputs = [str(item) for item in skipped] if isinstance(skipped, list) else []
        for item in result.skipped_inputs:
            say(f"  skipped: {item}")
    else:
        say(f"[1/5] claims: splitting {_shown(corpus_path)} into sentences, voices and claims")
        from corpus.claims import build_claims

        claims_src, documents_src = pending.take(CLAIMS), pending.take(DOCUMENTS)
        summary = build_claims([str(corpus_path)], str(claims_src), read_options,
                               on_skip=lambda item: say(f"  skipped: {item}"),
                               on_note=lambda note: say(f"  note: {note}"), documents=str(documents_src))
        result.skipped_inputs = [str(item) for item in summary.skipped]
        pending.state.done("claims", claims_key, corpus=corpus_path.resolve().as_posix(),
                           skipped_inputs=result.skipped_inputs, read_options=_options_record(read_options))
        claims_record = pending.state.step("claims")
    # The claims are counted, pre-labelled and read again a row or a chunk at a time, never held whole.
    result.scope, result.labels = cfg.scope, list(scheme.label_ids)
    _count_claims(result, claims_src)

    # 2. pre-labels
    model_dir = Path(cfg.model) if cfg.model else None
    # The scheme's content (its version) and where it lives, which the pre-labels record.
    prelabel_key = fingerprint(claims_src, scheme_choice.record, model_dir or "bootstrap", code)
    prelabeled_src = result.prelabeled_path
    if (state.fresh("prelabel", prelabel_key, prelabeled_src)
            or pending.state.fresh("prelabel", prelabel_key, pending.path(PRELABELED))):
        if not state.fresh("prelabel", prelabel_key, prelabeled_src):
            prelabeled_src = pending.take(PRELABELED)
        say(f"[2/5] pre-labels: up to date ({result.prelabeled_path})")
        result.skipped_steps.append("prelabel")
    else:
        say(f"[2/5] pre-labels: {'model ' + str(model_dir) if model_dir else 'bootstrap (no human labels)'}"
            f", scheme {scheme.name}")
        from models.prelabel import load_predictor, prelabel_stream

        prelabeled_src = pending.take(PRELABELED)
        # as `stance prelabel` does, a chunk at a time, its bar on stderr on a terminal as the other
        # steps' are; the scheme recorded in the rows for the next commands
        prelabel_stream(claims_src, prelabeled_src, load_predictor(scheme, str(model_dir) if model_dir else None),
                        scheme_choice.record, model_dir, progress=True)
        pending.state.done("prelabel", prelabel_key)
    if model_dir:   # what `stance train` warned about the model, before its pre-labels are pushed
        from models.model_dir import model_notes, scheme_change_note

        result.notes += [f"model {model_dir}, from `stance train`: {note}" for note in model_notes(model_dir)]
        changed = scheme_change_note(model_dir, scheme)
        if changed:
            result.notes.append(f"model {model_dir}: {changed}")
    unknown: dict[str, str] = {}   # doc_id -> how the user knows the document
    compared_docs: set[Any] = set()   # the documents step 5 would compare (under the push's ids, below)
    for row in read_jsonl(prelabeled_src):
        if _in_scope(row, compare_settings.scope):
            compared_docs.add(row["doc_id"])
        if not row.get("source_type"):
            unknown.setdefault(row["doc_id"], str(row.get("source_file") or row.get("title") or row["doc_id"]))
            if "source_type" in row:   # a CSV or JSONL column that is there, empty
                result.empty_source_type.add(unknown[row["doc_id"]])
        if _in_scope(row, cfg.scope):
            source = str(row.get("source_type") or NO_SOURCE_TYPE)
            result.by_source.setdefault(source, Counter())[row["prediction"]] += 1
    result.no_source_type = sorted(unknown.values())
    source_note = source_type_note(result.by_source, scheme, missing=NO_SOURCE_TYPE)
    if source_note:
        result.notes.append(source_note)

    # 3. the local Label Studio, 4. push
    if push:
        from annotate import studio

        first = not _has_info(workspace)
        say(f"[3/5] Label Studio: the local server of {workspace}"
            + (" (its first start takes up to a minute)" if first else ""))
        # The config's port for a new server; after that the recorded one, unless --port asks to move it
        # (a stopped server restarts there; a running one says to stop it first).
        result.studio = studio.start(workspace, port=cfg.port if first else port)
        say(f"[4/5] push: {SCOPE_WORDS[cfg.scope]} and pre-labels to project {cfg.project!r}")
        from annotate.push import push as push_claims
        from claimstance.run_state import push_lock, push_target

        with push_lock(push_target(workspace), cfg.project, say):   # a `stance push` into it at once waits
            result.pushed = push_claims(str(prelabeled_src), cfg.project, workspace=str(workspace),
                                        scheme=scheme_choice.source, scope=cfg.scope, overlap=cfg.overlap,
                                        keep_trained=model_dir is None, known_files=_run_files(result.claims_path),
                                        prune=prune)
        claim_ids, doc_ids = result.pushed.get("claim_ids") or {}, result.pushed.get("doc_ids") or {}
        compared_docs = {doc_ids.get(str(doc), doc) for doc in compared_docs}   # as _project_ids writes them
        if claim_ids or doc_ids:   # an edited document's claims, under the ids the project holds them by
            from corpus.files import write_jsonl

            for name, src, ids in ((CLAIMS, claims_src, claim_ids), (PRELABELED, prelabeled_src, claim_ids),
                                   (DOCUMENTS, documents_src, {})):
                # read a row at a time while the pending file is written (it replaces the file read once whole)
                write_jsonl(pending.take(name), _project_ids(read_jsonl(src), ids, doc_ids))
        pending.commit(state, claims_key, claims_record, scheme_choice.record, model_dir or "bootstrap", code)
        state.set("project", cfg.project)  # what `stance push --in W/run/...` checks (check_run_project)
        result.notes += result.pushed.get("notes", [])
        result.warnings += result.pushed.get("warnings", [])
        if result.pushed.get("model_version_kept") and result.pushed.get("tasks_added"):
            shown = result.pushed["project_model_version"]
            found = find_model_dir(workspace, shown)
            result.notes.append("to pre-label the new claims with the trained model, run again with --model "
                                + (str(found) if found else f"DIR (the directory `stance train` wrote {shown} to)")
                                + " (or set `model:` in the pipeline config)")
    else:
        pending.commit(state, claims_key, claims_record, scheme_choice.record, model_dir or "bootstrap", code)
        result.not_run.append("Label Studio and push (--no-push)")

    # 5. comparison report
    compare_key = fingerprint(result.prelabeled_path, compare_settings.model_dump(mode="json"), code)
    pairs_path = result.compare_dir / "pairs.jsonl"
    if len(compared_docs) < 2:
        # Nothing to compare: no report, and none left over from an earlier corpus in this workspace.
        say(f"[5/5] compare: not run, the corpus has {SCOPE_WORDS[compare_settings.scope]} from one document only; "
            "comparing needs two or more")
        shutil.rmtree(result.compare_dir, ignore_errors=True)
        state.forget("compare")
        result.not_run.append(COMPARE_ONE_DOCUMENT)
        return result
    if state.fresh("compare", compare_key, pairs_path, result.compare_dir / "report.html"):
        say(f"[5/5] compare: up to date ({result.compare_dir})")
        result.skipped_steps.append("compare")
        from models.compare import one_source
        from models.pairs import claim_rows

        one = one_source(claim_rows(list(read_jsonl(result.prelabeled_path)), compare_settings), compare_settings)
        result.notes += [one] if one else []   # as the run that paired them said
    else:
        say("[5/5] compare: the same point across documents, side by side")
        from models.compare import run_compare

        done = run_compare(result.prelabeled_path, result.compare_dir, settings=compare_settings,
                           cache=workspace / "cache" / "embeddings")
        result.notes += done["notes"]   # one source: its documents paired with each other
        state.done("compare", compare_key)
    for pair in read_jsonl(pairs_path):   # a row at a time: a big comparison has pairs by the million
        result.pairs += 1
        result.contrasting += bool(pair.get("contrasting"))
    clusters_path = result.compare_dir / "clusters.jsonl"
    result.clusters = sum(1 for _ in read_jsonl(clusters_path)) if clusters_path.exists() else 0
    return result


def _run_files(claims: Path) -> dict[str, str]:
    """``{doc_id: its file relative to the corpus}`` of the claims the workspace's last run pushed:
    what tells an edited document's tasks that carry no file (pushed by an older stance)."""
    from annotate.push_match import relative_files

    if not claims.is_file():
        return {}
    rows = list(read_jsonl(claims))
    files = relative_files(rows)
    return {str(r["doc_id"]): files[r["source_file"]] for r in rows
            if isinstance(r.get("source_file"), str) and r["source_file"] in files}


def _count_claims(result: RunResult, claims: Path) -> None:
    """The summary's counts of the claims file (documents, sentences, claims, those in ``result.scope``
    by voice), read a row at a time."""
    docs: set[Any] = set()
    for row in read_jsonl(claims):
        docs.add(row["doc_id"])
        result.sentences += 1
        result.claims += 1 if row.get("is_claim") else 0
        if _in_scope(row, result.scope):
            result.in_scope += 1
            result.by_voice[row.get("speaker") or "unknown"] += 1
    result.documents = len(docs)


def _project_ids(rows: Iterable[dict[str, Any]], claim_ids: dict[str, str],
                 doc_ids: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Rows with the claim and document ids the project holds them under (``annotate.push_match``)."""
    for row in rows:
        row = dict(row)
        if str(row.get("claim_id")) in claim_ids:
            row["claim_id"] = claim_ids[str(row["claim_id"])]
        if str(row.get("doc_id")) in doc_ids:
            row["doc_id"] = doc_ids[str(row["doc_id"])]
        yield row


def find_model_dir(workspace: Path, version: str) -> Path | None:
    """The model directory of ``version`` among the workspace's folders (``W/model`` and the like)."""
    from models.model_dir import CONFIG_NAME, model_config

    for config in sorted(Path(workspace).glob(f"*/{CONFIG_NAME}")):
        if model_config(config.parent).get("version") == version:
            return config.parent
    return None


def _shown(path: Path) -> Path:
    """``path`` as the user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _has_info(workspace: Path) -> bool:
    return (workspace / "studio.json").exists()


def _stance() -> str:
    """How to call this CLI from the user's shell: ``stance`` when it is on PATH (an activated venv)."""
    if shutil.which("stance"):
        return "stance"
    return str(_shown(Path(sys.executable).parent / "stance"))


def _options_record(options: ReadOptions) -> dict[str, Any]:
    """How a run read CSV/JSONL, for its state.json (the workspace folder it leaves out is not kept)."""
    return {"text_column": options.text_column, "id_column": options.id_column, "max_mb": options.max_mb,
            "columns": [list(pair) for pair in options.columns]}


def read_flags(options: ReadOptions) -> list[str]:
    """The `stance run` options that read CSV/JSONL as ``options`` do (none for the defaults)."""
    default = ReadOptions()
    flags = [] if options.text_column == default.text_column else ["--text-column", options.text_column]
    flags += [] if options.id_column == default.id_column else ["--id-column", options.id_column]
    for key, names in options.columns:
        flags += ["--column", f"{key}={names}"]
    flags += [] if options.max_mb == default.max_mb else ["--max-file-mb", f"{options.max_mb:g}"]
    return flags


def _last_read_options(workspace: Path, corpus: Path, options: ReadOptions,
                       given: bool) -> tuple[ReadOptions, list[str]]:
    """``options``, or, when none was ``given`` and the workspace's last run read the same corpus
    with some, those (and their flags, for a note): a re-run without them had left the CSV rows
    unread. Given, even as the defaults, they are taken as they are."""
    last = RunState(workspace / "run" / "state.json").step("claims")
    saved = last.get("read_options")
    if (given or not isinstance(saved, dict)
            or saved == _options_record(ReadOptions()) or last.get("corpus") != corpus.resolve().as_posix()):
        return options, []
    try:
        max_mb = saved["max_mb"]
        if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)):
            raise TypeError(max_mb)
        again = dataclasses.replace(options, text_column=str(saved["text_column"]), id_column=str(saved["id_column"]),
                                    max_mb=max_mb, columns=tuple((str(k), str(v)) for k, v in saved["columns"]))
    except (KeyError, TypeError, ValueError):   # a state.json from another version: read as given
        return options, []
    return again, read_flags(again)


def _check_same_work(workspace: Path, corpus: Path, project: str, push: bool, corpus_given: bool,
                     project_given: bool) -> None:
    """Refuse a run that would quietly leave the workspace's work: with no --corpus or no --project,
    the defaults (the sample corpus, project 'claimstance sample') are not what the workspace's last
    run used; a team's project would be forked, every task pushed again to a new one. Given
    explicitly, they are the user's choice (a later run on another corpus is noted, as before)."""
    state = RunState(workspace / "run" / "state.json")
    last_corpus, last_project = state.step("claims").get("corpus"), state.data.get("project")
    # the sample of a checkout that moved (its old path gone) is the sample still; any other corpus gone
    # from disk (an unmounted drive) still needs --corpus
    moved_sample = (isinstance(last_corpus, str) and corpus.resolve() == SAMPLE_CORPUS.resolve()
                    and Path(last_corpus).parts[-2:] == SAMPLE_CORPUS.resolve().parts[-2:]
                    and not Path(last_corpus).exists())
    same_corpus = (corpus_given or not isinstance(last_corpus, str) or last_corpus == corpus.resolve().as_posix()
                   or moved_sample)
    same_project = project_given or not push or not isinstance(last_project, str) or last_project == project
    if same_corpus and same_project:
        return
    fix = [f"--corpus {shell_word(last_corpus)}"] if not same_corpus else []
    fix += [f"--project {shell_word(last_project)}"] if not same_project else []
    would = [f"the sample corpus ({_shown(corpus)})"] if not same_corpus else []
    would += [f"project {project!r}"] if not same_project else []
    last = [f"on {last_corpus}"] if not same_corpus else []
    last += [f"pushing to project {last_project!r}"] if not same_project else []
    raise UserError(f"{workspace} last ran {' and '.join(last)}; with no {' and no '.join(f.split()[0] for f in fix)} "
                    f"this run would use {' and '.join(would)}: give {' '.join(fix)} to go on with that work, or "
                    "name the other on purpose (or use another --workspace)")


def _pull_dir(workspace: Path, project: str) -> Path:
    """Where the next `stance pull` of ``project`` should write: ``W/pulled``, or, when that holds a
    pull of another project (which pull refuses to replace), the first ``W/pulled-N`` that is free or
    holds this project's pull."""
    from annotate.pull import earlier_pull

    def ours(folder: Path) -> bool:
        earlier = earlier_pull(folder) if folder.exists() else None
        return earlier is None or earlier.get("project") in (None, project)

    folder, n = workspace / "pulled", 2
    while not ours(folder):
        folder, n = workspace / f"pulled-{n}", n + 1
    return folder


def _new_model_dir(workspace: Path, used: str | None) -> tuple[Path, str | None, str]:
    """Where the next `stance train` should write: ``W/model``, or the first free ``W/model-N`` when
    that exists (train replaces an existing --out); what it would have replaced, as words ("W/model
    exists", "W/model and W/model-2 exist"); and the name of the pre-labels it makes
    (``prelabeled-v2.jsonl`` for ``W/model``, ``-v3`` for ``W/model-2``...), so that no earlier file is offered."""
    used_path = Path(used).resolve() if used else None

    def taken(folder: Path) -> bool:
        return folder.exists() or folder.resolve() == used_path

    first = workspace / "model"
    if not taken(first):
        return first, None, "prelabeled-v2.jsonl"
    n = 2
    while taken(workspace / f"model-{n}"):
        n += 1
    earlier = [str(first)] + [str(workspace / f"model-{k}") for k in range(2, n)]
    words = f"{earlier[0]} exists" if len(earlier) == 1 else f"{', '.join(earlier[:-1])} and {earlier[-1]} exist"
    return workspace / f"model-{n}", words, f"prelabeled-v{n + 1}.jsonl"


def _in_scope(row: dict[str, Any], scope: str) -> bool:
    try:
        return in_scope(row, scope)
    except ValueError:   # a bad is_claim: the push names the row
        return False


def summary_lines(result: RunResult) -> list[str]:
    """The closing summary: what was found, where it is, and the commands of the annotation loop."""
    w = result.workspace
    stance = shell_word(_stance())
    lines = [
        "",
        f"documents: {result.documents}   sentences: {result.sentences}   claims: {result.claims}"
        + (f"   statements: {result.in_scope} (the claims, headlines, opinions and other assertions)"
           if result.scope == "statements" else ""),
        f"{SCOPE_WORDS[result.scope]} by voice: " + ", ".join(f"{k} {v}" for k, v in result.by_voice.most_common()),
        f"pre-labels of the {SCOPE_WORDS[result.scope]}, by source type:",
    ]
    for source, counts in sorted(result.by_source.items()):
        lines.append(f"  {source}: " + ", ".join(f"{k} {v}" for k, v in sorted(
            counts.items(), key=lambda kv: (-kv[1], result.labels.index(kv[0]) if kv[0] in result.labels else 99))))
    if result.no_source_type:
        names = result.no_source_type
        # One file can hold many documents (the rows of a CSV, the posts of an export): named once, counted.
        per_file = Counter(names)
        shown = named_few([f"{name} ({n} documents)" if n > 1 else name for name, n in per_file.items()], NAMES_SHOWN)
        empty = sorted(result.empty_source_type)
        rows_elsewhere = len(per_file) < len(names) and set(per_file) - set(empty)
        lines.append(f"note: {len(names)} document(s) have no source_type (no manifest entry gives one): {shown}; "
                     "give each an entry with `source_type:` in the corpus's manifest.yaml"
                     + (f" (in {named_few(empty, NAMES_SHOWN)} the source_type column is there but empty: fill it in)"
                        if empty else "")
                     + (" (or, for rows that name it in a column, `--column source_type=COLUMN`)"
                        if rows_elsewhere else ""))
    if COMPARE_ONE_DOCUMENT not in result.not_run:   # else no pairs were looked for: 'not run' says so
        lines.append(f"pairs across documents: {result.pairs} ({result.contrasting} with contrasting stances), "
                     f"topics: {result.clusters}")
    if result.pushed:
        p = result.pushed
        from annotate.push import present_line

        lines.append(f"pushed: {p.get('tasks_added', 0)} new tasks, {present_line(p)}, "
                     f"{p.get('predictions_added', 0)} predictions added; model version {p.get('model_version')}"
                     + (" (the project's pre-labels switched to it)" if p.get("model_version_switched") else "")
                     + (f" (the project keeps showing {p['project_model_version']})"
                        if p.get("project_model_version") not in (None, p.get("model_version")) else ""))
        if p.get("overlap"):
            from annotate.push import overlap_line

            lines.append(overlap_line(p["overlap"]))
    if result.skipped_steps:
        lines.append("up to date, skipped: " + ", ".join(result.skipped_steps))
    if result.not_run:
        lines.append("not run: " + ", ".join(result.not_run))
    if result.skipped_inputs:
        lines.append(f"inputs skipped: {len(result.skipped_inputs)} (listed above)")
    lines += [f"note: {note}" for note in result.notes]
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines.append("")
    if (result.compare_dir / "report.html").exists():
        lines.append(f"comparison report: {result.compare_dir / 'report.html'}")
    if result.studio:
        model, replaced, prelabeled = _new_model_dir(w, result.model)
        pulled = _pull_dir(w, result.project)
        lines += [
            f"Label Studio: {result.studio.get('url')}  project: {result.project!r}",
            f"login: {result.studio.get('username')}  (password: in {w / 'studio.json'}, mode 600)",
            "",
            "next:",
            "  annotate in the browser, then pull the corrections:",
            f"    {stance} pull --workspace {shell_word(w)} --project {shell_word(result.project)} --out {shell_word(pulled)}",
            "  train on them and pre-label again with the new model"
            + (f" (into a new directory: {replaced}, and `stance train` replaces the --out it is given):"
               if replaced else ":"),
            f"    {stance} train --data {shell_word(pulled / 'dataset')} --out {shell_word(model)}",
            f"    {stance} prelabel --in {shell_word(result.claims_path)} --out {shell_word(w / 'run' / prelabeled)} --model {shell_word(model)}",
            f"    {stance} push --workspace {shell_word(w)} --in {shell_word(w / 'run' / prelabeled)} --project {shell_word(result.project)}",
            "  after adding documents, run again with the new model to pre-label the new claims with it:",
            f"    {stance} run --workspace {shell_word(w)} --corpus {shell_word(result.corpus)} "
            f"--project {shell_word(result.project)} --model {shell_word(model)}"
            + (f" --config {shell_word(result.config)}" if result.config else "")
            + (f" --scope {result.scope}" if result.scope != "statements" else "")
            + "".join(f" {shell_word(flag)}" for flag in result.read_flags),
            "  stop the server: " + (f"make stop  (or: {stance} studio stop --workspace {shell_word(w)})"
                                     if str(w) == "workspace" else
                                     f"{stance} studio stop --workspace {shell_word(w)}  (or: make stop WORKSPACE={shell_word(w)})"),
        ]
    return lines
