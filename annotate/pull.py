"""Fetch a project's annotations from Label Studio and turn them into rows, labels and a dataset.

One snapshot export brings every annotated task (Label Studio's export endpoint, not the paged
task list). Pure converters turn each annotation into a row of ``annotations.jsonl`` and each
claim's votes into a row of ``labels.jsonl``; ``write_pull`` writes those, the dataset, and the
agreement report into one directory that is swapped in atomically. A comparison project (`stance
push --pairs`) gives a pairs pull: the same export and writing, the rows of ``annotate.pairs_pull``.
"""

from __future__ import annotations

import datetime
import html
import io
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotate import agreement
from annotate import labelconfig as lc
from corpus.errors import UserError
from corpus.files import atomic_dir, check_output_dir, check_writable

# Task data fields that only serve the annotation view: not metadata of the claim.
DISPLAY_FIELDS = frozenset({"context_html", "source_line"})
# Fields of the rows we write; task data fields of the same name are kept as ``meta_<name>``.
ANNOTATION_FIELDS = (
    "claim_id", "doc_id", "text", "label", "annotator", "annotator_id", "annotation_id", "task_id",
    "created_at", "updated_at", "lead_time", "prediction", "prediction_score", "model_version",
    "accepted", "origin", "note", "cues", "problems", "skipped", "ground_truth",
)
LABEL_FIELDS = ("claim_id", "doc_id", "text", "label", "rule", "agreement", "n_annotators", "annotators",
                "annotator_labels", "tied_labels", "votes", "notes", "prelabel", "prelabel_score",
                "prelabel_version", "changed_prelabel", "cues", "problems", "flagged")
SKIP_FILTER = "skipped == true"
TIE_RULE = "tie->latest"
TIE_FILTER = 'rule == "tie->latest"'
FLAG_FILTER = "flagged == true"
FLAG_NOTE = ("flagged claims keep their stance and stay in labels.jsonl and the dataset (one annotator's flag is "
             "a judgement to check, not a verdict); their `problems` say what is wrong. To train without them: "
             "keep the unflagged rows of labels.parquet, whose split column keeps the test split out of training "
             "(pandas: d = pd.read_parquet('labels.parquet'); d[~d.flagged].to_parquet('clean.parquet')), "
             "then stance train --data clean.parquet")
TIE_ADVICE = ("adjudicate them: have a third annotator label them (a majority then settles each), "
              "or have the project owner re-label them (the latest vote wins a tie)")
# What a pull directory holds; an existing --out directory must look like one before it is replaced.
# The snapshot export a pull asks for: annotated tasks, prediction and draft ids only, each
# annotator's id and email, no annotation history.
SNAPSHOT_OPTIONS: dict[str, Any] = {
    "task_filter_options": {"annotated": "only"},
    "serialization_options": {"drafts": {"only_id": True}, "predictions": {"only_id": True},
                              "annotations__completed_by": {"only_id": False},   # id and email
                              "include_annotation_history": False},
}
SKIPPED_ONLY = {"skipped": "only"}
PULL_FILES = ("annotations.jsonl", "labels.jsonl", "report.json", "report.html", "labels.parquet", "dataset")


# --- the scheme's labels ---------------------------------------------------------------------

def label_lookup(scheme: Any) -> dict[str, str]:
    """Every spelling of a label a result may carry (id, display name, any case) -> the label id."""
    lookup: dict[str, str] = {}
    for label in scheme.labels:
        for key in (label.id, getattr(label, "name", None)):
            if key:
                lookup.setdefault(str(key), label.id)
                lookup.setdefault(str(key).casefold(), label.id)
    return lookup


def choice_to_label(value: str, lookup: dict[str, str], scheme_name: str) -> str:
    """The scheme id of a Choice value (an alias id or a display name); ValueError when unknown."""
    label = lookup.get(value) or lookup.get(str(value).casefold())
    if label is None:
        known = sorted(set(lookup.values()))
        raise ValueError(f"choice {value!r} is not a label of scheme {scheme_name!r} ({', '.join(known)}); "
                         "pull with the scheme the project was pushed with (--scheme)")
    return label


# --- pure converters -------------------------------------------------------------------------

def _stance_choice(result: Sequence[dict[str, Any]], control: str = lc.STANCE) -> tuple[str | None, str | None]:
    """(value, origin) of the Choices item in a result list; the control named ``control`` (the
    stance, or a pair's relation) wins, else the first Choices item."""
    found = None
    for item in result or ():
        if item.get("type") != "choices" or (item.get("from_name") == lc.PROBLEM and control != lc.PROBLEM):
            continue
        if found is None or item.get("from_name") == control:
            found = item
            if item.get("from_name") == control:
                break
    if found is None:
        return None, None
    choices = (found.get("value") or {}).get("choices") or []
    return (str(choices[0]) if choices else None), found.get("origin")


def _note(result: Sequence[dict[str, Any]]) -> str | None:
    texts = [t for item in result or () if item.get("type") == "textarea"
             for t in (item.get("value") or {}).get("text") or []]
    note = "\n".join(str(t) for t in texts).strip()
    return note or None


PROBLEM_LOOKUP = {key: pid for pid, name, _ in lc.PROBLEMS for key in (pid, name, name.casefold())}


def _problems(result: Sequence[dict[str, Any]]) -> list[str]:
    """The problem flags an annotator ticked (``not_a_claim``, ...), sorted; a value no config of
    `stance push` offers is kept as given."""
    flags = {PROBLEM_LOOKUP.get(str(value), PROBLEM_LOOKUP.get(str(value).casefold(), str(value)))
             for item in result or () if item.get("type") == "choices" and item.get("from_name") == lc.PROBLEM
             for value in (item.get("value") or {}).get("choices") or []}
    return sorted(flags, key=lambda f: (lc.PROBLEM_IDS.index(f) if f in lc.PROBLEM_IDS else len(lc.PROBLEM_IDS), f))


def _cues(result: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    cues = []
    for item in result or ():
        if item.get("type") != "labels":
            continue
        value = item.get("value") or {}
        cues.append({"start": value.get("start"), "end": value.get("end"), "text": value.get("text"),
                     "label": (value.get("labels") or [None])[0]})
    return sorted(cues, key=lambda c: (c["start"] if isinstance(c["start"], int) else -1))


def _annotator(completed_by: Any, users: dict[int, str]) -> tuple[str, int | None]:
    """(email, id) of an annotation's author; the export gives an id, or a dict when expanded."""
    if isinstance(completed_by, dict):
        uid = completed_by.get("id")
        return str(completed_by.get("email") or users.get(uid) or f"user-{uid}"), uid
    if isinstance(completed_by, int):
        return users.get(completed_by, f"user-{completed_by}"), completed_by
    return "unknown", None


def context_from_html(markup: Any) -> str | None:
    """The paragraph an annotator saw, from the ``context_html`` of `stance push` (the paragraph
    escaped, the claim in ``<mark>``); None when the claim was shown alone (no paragraph known)."""
    if not isinstance(markup, str) or "<mark>" not in markup or "</mark>" not in markup:
        return None
    before, rest = markup.split("<mark>", 1)
    claim, after = rest.split("</mark>", 1)
    if not before and not after:
        return None
    return html.unescape(before) + html.unescape(claim) + html.unescape(after)


def claim_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """A task's data minus the claim fields and the display-only fields; ``context`` (the paragraph
    shown) recovered from ``context_html`` when the data has no ``context`` of its own."""
    meta = {k: v for k, v in data.items() if k not in ("claim_id", "doc_id", "text") and k not in DISPLAY_FIELDS}
    if "context" not in meta:
        context = context_from_html(data.get("context_html"))
        if context is not None:
            meta["context"] = context
    return meta


def _with_meta(row: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    for key, value in meta.items():
        row[key if key not in row else f"meta_{key}"] = value
    return row


def annotation_fields(task: dict[str, Any], annotation: dict[str, Any], scheme: Any,
                      users: dict[int, str] | None = None, lookup: dict[str, str] | None = None,
                      control: str = lc.STANCE) -> dict[str, Any]:
    """The fields of an annotation row that do not depend on what was labelled (a claim or a pair).

    ``label`` and ``prediction`` are scheme ids (the Choices of ``control``); a skipped annotation
    (``skipped``, Label Studio's ``was_cancelled``) has no label, whatever its result holds (a skip in
    the UI sends the choice still selected, the pre-label included), so it is never a vote;
    ``accepted`` is whether the label equals the pre-label shown (None when none was shown or skipped);
    ``origin`` is Label Studio's mark on the result (``prediction``, ``prediction-changed``, ``manual``).
    Raises ValueError when a choice is not a label of ``scheme``.
    """
    lookup = lookup or label_lookup(scheme)
    result = annotation.get("result") or []
    value, origin = _stance_choice(result, control)
    skipped = bool(annotation.get("was_cancelled"))
    label = None if value is None or skipped else choice_to_label(value, lookup, scheme.name)

    shown = annotation.get("prediction") or {}
    predicted_value, _ = _stance_choice(shown.get("result") or [], control)
    prediction = None if predicted_value is None else choice_to_label(predicted_value, lookup, scheme.name)
    accepted = None if (prediction is None or label is None or skipped) else label == prediction

    annotator, annotator_id = _annotator(annotation.get("completed_by"), users or {})
    return {
        "label": label,
        "annotator": annotator,
        "annotator_id": annotator_id,
        "annotation_id": annotation.get("id"),
        "task_id": task.get("id"),
        "created_at": annotation.get("created_at"),
        "updated_at": annotation.get("updated_at"),
        "lead_time": annotation.get("lead_time"),
        "prediction": prediction,
        "prediction_score": shown.get("score") if prediction is not None else None,
        "model_version": shown.get("model_version") if prediction is not None else None,
        "accepted": accepted,
        "origin": origin,
        "note": _note(result),
        "skipped": skipped,
        "ground_truth": bool(annotation.get("ground_truth")),
    }


def annotation_to_row(task: dict[str, Any], annotation: dict[str, Any], scheme: Any,
                      users: dict[int, str] | None = None,
                      lookup: dict[str, str] | None = None) -> dict[str, Any]:
    """One row of ``annotations.jsonl`` from an exported task of a claim and one of its annotations
    (see ``annotation_fields``); the claim's metadata rides along. ValueError on an unknown choice."""
    data = task.get("data") or {}
    row = {"claim_id": data.get("claim_id"), "doc_id": data.get("doc_id"), "text": data.get("text"),
           **annotation_fields(task, annotation, scheme, users, lookup),
           "cues": _cues(annotation.get("result") or []),
           "problems": _problems(annotation.get("result") or [])}
    return _with_meta(row, claim_metadata(data))


def tasks_to_rows(tasks: Sequence[dict[str, Any]], scheme: Any, users: dict[int, str] | None = None,
                  key: str = "claim_id", convert: Any = annotation_to_row) -> list[dict[str, Any]]:
    """Annotation rows of every exported task, ordered by item (``key``) then time; errors name the task.

    ``convert(task, annotation, scheme, users, lookup)`` makes one row (claims by default).
    """
    lookup = label_lookup(scheme)
    rows = []
    for task in tasks:
        data = task.get("data") or {}
        if not task.get("annotations"):
            continue
        if not data.get(key):
            raise UserError(f"task {task.get('id')} has no {key} in its data: not a project of `stance push`"
                            + (" --pairs" if key == "pair_id" else ""))
        for annotation in task["annotations"]:
            try:
                rows.append(convert(task, annotation, scheme, users, lookup))
            except ValueError as err:
                raise UserError(f"task {task.get('id')} ({key.removesuffix('_id')} {data.get(key)}): {err}") from None
    rows.sort(key=lambda r: (str(r[key]), r["updated_at"] or "", r["annotation_id"] or 0))
    return rows


def _cue_spans(annotator: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"annotator": annotator, "start": c.get("start"), "end": c.get("end"), "text": c.get("text"),
             "label": c.get("label")} for c in row.get("cues") or ()]


def label_rows(rows: Sequence[dict[str, Any]], key: str = "claim_id",
               carry: Sequence[str] = ("doc_id", "text")) -> list[dict[str, Any]]:
    """One row of ``labels.jsonl`` per item (``key``: a claim, or a pair) with at least one
    (non-skipped) label; ``carry`` are the item's fields that lead the row, from its latest annotation.

    Provenance rides along: ``annotators`` (whose latest votes count, sorted) and ``annotator_labels``
    (their labels, same order), ``tied_labels`` (for rule ``tie->latest``), ``notes`` (``"annotator:
    note"``), the pre-label shown to the latest annotator who saw one (``prelabel``, ``prelabel_score``,
    ``prelabel_version``), ``changed_prelabel`` (final label differs from it; None without one) and
    ``cues`` (framing-cue spans the counted annotators marked). ``agreement`` is None for one annotator.
    Claim rows (they carry ``problems``) add ``problems`` (the flags the counted annotators raised, each
    once) and ``flagged`` (any was raised); the label stays the stance voted.
    """
    by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["label"] is not None:
            by_claim[row[key]].append(row)
    out = []
    for claim_id, mine in by_claim.items():
        resolved = agreement.resolve([(r["annotator"], r["label"], r["updated_at"] or "") for r in mine])
        mine = sorted(mine, key=lambda r: r["updated_at"] or "")
        latest = mine[-1]
        latest_of = {r["annotator"]: r for r in mine}   # each annotator's latest annotation (the vote that counts)
        shown = [r for r in mine if r["prediction"] is not None]
        last_shown = shown[-1] if shown else None
        annotators = list(resolved["votes"])
        row = {
            key: claim_id,
            **{name: latest.get(name) for name in carry},
            "label": resolved["label"],
            "rule": resolved["rule"],
            "agreement": resolved["agreement"],
            "n_annotators": resolved["n_annotators"],
            "annotators": annotators,
            "annotator_labels": [resolved["votes"][a] for a in annotators],
            "tied_labels": resolved["tied_labels"],
            "votes": resolved["votes"],
            "notes": [f"{r['annotator']}: {r['note']}" for r in mine if r.get("note")],
            "prelabel": last_shown["prediction"] if last_shown else None,
            "prelabel_score": last_shown["prediction_score"] if last_shown else None,
            "prelabel_version": last_shown["model_version"] if last_shown else None,
            "changed_prelabel": resolved["label"] != last_shown["prediction"] if last_shown else None,
            "cues": [span for a in annotators for span in _cue_spans(a, latest_of[a])],
        }
        if any("problems" in r for r in mine):
            flags = {f for a in annotators for f in latest_of[a].get("problems") or ()}
            row["problems"] = [f for f in lc.PROBLEM_IDS if f in flags] + sorted(flags - set(lc.PROBLEM_IDS))
            row["flagged"] = bool(flags)
        meta = {k: v for k, v in latest.items() if k not in ANNOTATION_FIELDS}
        out.append({**row, **{k: v for k, v in meta.items() if k not in row}})
    return out


def build_report(rows: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any]], scheme: Any,
                 n_tasks: int, key: str = "claim_id") -> dict[str, Any]:
    """The figures of ``report.json``: agreement, model-versus-human confusion, acceptance, annotators.

    Items are told apart by ``key``; in a pairs pull (``key`` pair_id) the ``claims`` figures count pairs.
    """
    label_ids = [label.id for label in scheme.labels]
    rules: dict[str, int] = {rule: 0 for rule in agreement.RULES}
    for row in labels:
        rules[row["rule"]] += 1
    unit = "pair" if key == "pair_id" else "claim"
    return {
        "scheme": scheme.name,
        "n_tasks_exported": n_tasks,
        "n_annotations": len(rows),
        "n_skipped": sum(1 for r in rows if r["skipped"]),
        "skipped": {
            "n": sum(1 for r in rows if r["skipped"]),
            "n_items": len({r[key] for r in rows if r["skipped"]}),
            "by_annotator": dict(sorted(Counter(r["annotator"] for r in rows if r["skipped"]).items())),
            "filter": SKIP_FILTER,
            "note": f"skipped {unit}s are kept out of labels.jsonl and the dataset; they are the rows of "
                    f"annotations.jsonl with {SKIP_FILTER} (label null)",
        },
        "n_claims_labelled": len(labels),
        "n_annotators": len({r["annotator"] for r in rows}),
        "label_counts": {lid: sum(1 for r in labels if r["label"] == lid) for lid in label_ids},
        "resolution_rules": rules,
        "ties": {
            "n": rules[TIE_RULE],
            "filter": TIE_FILTER,
            "tied_labels_column": "tied_labels",
            "resolved_as": "each went to the label of the annotator who labelled last: not an agreement",
            "advice": TIE_ADVICE,
        },
        "single": {
            "n": rules["single"],
            "note": f"{unit}s labelled by one annotator have agreement null (unchecked), not 1.0; "
                    'find them with rule == "single" or n_annotators == 1',
        },
        **({"problems": problem_summary(rows, labels, key)} if any("problems" in r for r in rows) else {}),
        "agreement": agreement.agreement_summary(rows, key),
        "model_vs_human": agreement.confusion(
            ((r["label"], r["prelabel"]) for r in labels if r["prelabel"] is not None), label_ids),
        "acceptance": agreement.acceptance(rows),
        "annotators": agreement.annotator_counts(rows, key),
    }


def problem_summary(rows: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any]],
                    key: str = "claim_id") -> dict[str, Any]:
    """The problem flags raised: annotations and claims flagged, by flag, and how to find them."""
    flagged = [r for r in rows if r.get("problems")]
    by_problem = Counter(f for r in flagged for f in r["problems"])
    return {
        "n_annotations": len(flagged),
        "n_items": len({r[key] for r in flagged}),
        "n_labelled_flagged": sum(1 for r in labels if r.get("flagged")),
        "by_problem": {f: by_problem[f] for f in [*lc.PROBLEM_IDS, *sorted(set(by_problem) - set(lc.PROBLEM_IDS))]
                       if by_problem[f] or f in lc.PROBLEM_IDS},
        "filter": FLAG_FILTER,
        "note": FLAG_NOTE,
    }


# --- Label Studio I/O --------------------------------------------------------------------------

def find_project(ls: Any, title: str, url: str = "") -> Any:
    """The project titled ``title`` (the one `stance push` fills); UserError listing the titles there."""
    from annotate.push import find_project as pushed
    from annotate.push import list_projects

    found = pushed(ls, title)
    if found is None:
        titles = sorted({p.title for p in list_projects(ls) if p.title})
        listed = ", ".join(repr(t) for t in titles[:8]) + (" ..." if len(titles) > 8 else "")
        raise UserError(f"no project titled {title!r} on Label Studio {url}".rstrip() + "; "
                        + (f"projects there: {listed}" if titles else "it has no projects yet: run `stance push` first"))
    return found


def export_tasks(ls: Any, project_id: int, progress: bool = True, poll: float = 0.5,
                 timeout: float = 3600.0, task_filter: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every task of the project with at least one label (or those ``task_filter`` selects, Label
    Studio's ``task_filter_options``), through one snapshot export.

    A snapshot export (``exports.create`` then ``download``) serialises the tasks in one pass on the
    server without the format converter of the direct export endpoint; on a server without a job
    queue it completes inside the create call, elsewhere it is polled. The snapshot is deleted after
    download so pulls leave nothing behind. Label Studio's "annotated" filter leaves out tasks only
    ever skipped: ``{"skipped": "only"}`` exports those (``pull`` asks for both).
    """
    from tqdm import tqdm

    options = dict(SNAPSHOT_OPTIONS)
    if task_filter is not None:
        options["task_filter_options"] = task_filter
    snapshot = ls.projects.exports.create(
        project_id, title="stance pull", **options,
        # without a job queue the server serialises every task inside this one request
        request_options={"timeout_in_seconds": int(timeout)})
    if not isinstance(getattr(snapshot, "id", None), int) or not isinstance(getattr(snapshot, "status", None), str):
        from annotate.studio_api import base_url, not_label_studio

        raise not_label_studio(base_url(ls), "check --url (an export came back without an id or status)")
    buffer = io.BytesIO()
    try:
        began = time.monotonic()
        while snapshot.status not in ("completed", "failed"):
            if time.monotonic() - began > timeout:
                raise UserError(f"the export of project {project_id} did not finish in {timeout:.0f} s; "
                                "check the Label Studio server's job queue")
            time.sleep(poll)
            snapshot = ls.projects.exports.get(project_id, snapshot.id)
        if snapshot.status == "failed":
            raise UserError(f"Label Studio failed to export project {project_id}; see the server log")
        # Only on a terminal: in a log, a bar that is cleared when done leaves its first state, "0.00B".
        with tqdm(desc="download", unit="B", unit_scale=True, file=sys.stderr, disable=None if progress else True,
                  leave=False) as bar:
            for chunk in ls.projects.exports.download(project_id, snapshot.id, export_type="JSON"):
                buffer.write(chunk)
                bar.update(len(chunk))
    finally:
        ls.projects.exports.delete(project_id, snapshot.id)
    try:
        tasks = json.loads(buffer.getvalue())
    except ValueError:
        raise UserError(f"the export of project {project_id} arrived cut short ({buffer.tell()} bytes); "
                        "re-run once Label Studio answers again") from None
    if not isinstance(tasks, list):
        raise UserError(f"the export of project {project_id} is not a list of tasks; is this Label Studio 1.x?")
    return tasks


def fetch_users(ls: Any) -> dict[int, str]:
    """User id -> email (the username when there is no email); empty when the key may not list users."""
    from label_studio_sdk.core.api_error import ApiError

    try:
        return {u.id: (u.email or u.username or f"user-{u.id}") for u in ls.users.list()}
    except ApiError as err:
        if err.status_code in (401, 403):
            return {}
        raise


def _check_out_dir(out: Path) -> None:
    """Refuse an --out that is not a new, empty or earlier pull directory, or that cannot be written:
    before the export, not after."""
    check_output_dir(out, PULL_FILES)
    check_writable(out)


def write_pull(tasks: Sequence[dict[str, Any]], users: dict[int, str], scheme: Any, out_dir: str | Path,
               source: dict[str, Any] | None = None, pairs: bool | None = None) -> dict[str, Any]:
    """Write annotations, labels, dataset, Parquet and report into ``out_dir`` (swapped in whole).

    With ``pairs`` (None: told from the tasks' data) the tasks are claim pairs of `stance push
    --pairs`: rows, labels and dataset are those of ``annotate.pairs_pull`` and ``scheme`` is unused.
    """
    from annotate import dataset as ds
    from annotate import pairs_pull
    from annotate import pull_report

    out = Path(out_dir)
    _check_out_dir(out)
    if pairs is None:
        pairs = pairs_pull.is_pairs_export(tasks)
    if pairs:
        scheme, key, layout = pairs_pull.RELATION_SCHEME, "pair_id", pairs_pull.DATASET_LAYOUT
        rows = pairs_pull.tasks_to_pair_rows(tasks, users)
        labels = pairs_pull.pair_label_rows(rows)
    else:
        key, layout = "claim_id", {}
        rows = tasks_to_rows(tasks, scheme, users)
        labels = label_rows(rows)
    report = build_report(rows, labels, scheme, len(tasks), key)
    if pairs:
        report.update(unit="pair", n_pairs_labelled=len(labels))
    if isinstance(getattr(scheme, "version", None), str):
        report["scheme_version"] = scheme.version
    report["pulled_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    report.update(source or {})
    try:
        with atomic_dir(out, PULL_FILES) as tmp:
            _write_jsonl(tmp / "annotations.jsonl", rows)
            _write_jsonl(tmp / "labels.jsonl", labels)
            if labels:
                split = ds.write_dataset(labels, [label.id for label in scheme.labels], tmp, report, **layout)
            else:
                split = {"splits": {}, "note": f"no labelled {key.removesuffix('_id')}s yet: no dataset written"}
            report["dataset"] = split
            (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            (tmp / "report.html").write_text(pull_report.render_html(report), encoding="utf-8")
    except OSError as err:
        raise UserError(f"--out {out}: could not write the pull ({err.strerror or err}); "
                        f"{out} is as it was: free space or choose another --out, and re-run") from None
    return report


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False))
            handle.write("\n")


def pull(project: str, out_dir: str | Path, *, workspace: str | Path | None = None, url: str | None = None,
         scheme: Any = "kremlin_framing", progress: bool = True) -> dict[str, Any]:
    """Export ``project``'s annotations and write the pull directory; return the report.

    A comparison project (`stance push --pairs`, told by its label config) gives a pairs pull.
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    from annotate.studio import connect

    if isinstance(scheme, str):
        from models.schemes import load_scheme

        scheme = load_scheme(scheme)
    _check_out_dir(Path(out_dir))   # before the export: a bad --out costs nothing
    ls, info = connect(workspace=workspace, url=url)
    began = time.monotonic()
    try:
        found = find_project(ls, project, info["url"])
        if progress:
            n = getattr(found, "num_tasks_with_annotations", None)
            print(f"exporting project {project!r}" + (f" ({n} annotated tasks)" if n is not None else "")
                  + f" from {info['url']} ...", file=sys.stderr)
        tasks = export_tasks(ls, found.id, progress=progress)
        if getattr(found, "skipped_annotations_number", None) != 0:
            # Tasks someone skipped and nobody labelled: the first export's filter leaves them out.
            have = {task.get("id") for task in tasks}
            tasks += [task for task in export_tasks(ls, found.id, progress=progress, task_filter=SKIPPED_ONLY)
                      if task.get("id") not in have]
        users = fetch_users(ls)
    except ApiError as err:
        raise UserError(f"Label Studio at {info['url']} answered {err.status_code} during the export; "
                        "check the server log and re-run") from None
    except httpx.HTTPError as err:
        raise UserError(f"lost Label Studio at {info['url']} during the export ({type(err).__name__}); "
                        "re-run once it answers") from None
    exported = time.monotonic() - began
    from annotate.pairs_pull import is_pairs_config

    pairs = True if is_pairs_config(getattr(found, "label_config", None)) else None   # None: ask the tasks
    report = write_pull(tasks, users, scheme, out_dir, pairs=pairs,
                        source={"project": project, "project_id": found.id, "url": info["url"],
                                "export_seconds": round(exported, 2),
                                "annotators_per_task": getattr(found, "maximum_annotations", None)})
    return report


def summary_lines(report: dict[str, Any], out_dir: str | Path) -> list[str]:
    """The few lines `stance pull` prints."""
    out = Path(out_dir)
    agree = report["agreement"]
    accept = report["acceptance"]
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    unit = report.get("unit", "claim")   # "pair" in a pairs pull
    lines = [
        f"{report['n_annotations']} annotations"
        + (f" ({report['n_skipped']} skipped)" if report.get("n_skipped") else "")
        + f" by {report['n_annotators']} annotator(s) on "
        f"{report['n_claims_labelled']} {unit}s of project {report.get('project')!r}",
        f"agreement: Krippendorff's alpha {fmt(agree['krippendorff_alpha'])}, Cohen's kappa (mean of pairs) "
        f"{fmt(agree['cohen_kappa']['mean_weighted'])} over {agree['n_claims_multiply_annotated']} {unit}s with 2+ annotators",
        f"pre-labels accepted unchanged: {accept['accepted']}/{accept['shown']}"
        + (f" ({accept['rate']:.1%})" if accept["rate"] is not None else ""),
    ]

    dataset = report.get("dataset") or {}
    splits = dataset.get("splits") or {}
    if splits:
        lines.append(("dataset splits (by document pair): " if unit == "pair" else "dataset splits (by document): ")
                     + ", ".join(f"{k} {v}" for k, v in splits.items()))
    if dataset.get("note"):
        lines.append(f"note: {dataset['note']}")
    ties = (report.get("ties") or {}).get("n") or 0
    if ties:
        lines.append(f"ties: {ties} {unit}(s) split evenly between labels went to whoever labelled last "
                     f"(find them: {TIE_FILTER}, the tied labels in tied_labels)")
        lines.append(f"  {TIE_ADVICE}")
    single = (report.get("single") or {}).get("n") or 0
    if single:
        lines.append(f"single: {single} {unit}(s) labelled by one annotator: agreement null (unchecked), not 1.0")
    if report.get("annotators_per_task") == 1:
        lines.append(f"note: the project gives each {'pair' if unit == 'pair' else 'task'} to one annotator: Label "
                     "Studio's queue never serves one someone labelled to another annotator, so the queue yields no "
                     "agreement figures; `stance push --overlap 2` (same "
                     + ("--pairs" if unit == "pair" else "--in") + " and --project) raises it")
    flags = report.get("problems") or {}
    if flags.get("n_annotations"):
        which = ", ".join(f"{f.replace('_', ' ')} {n}" for f, n in flags["by_problem"].items() if n)
        lines.append(f"flagged: {flags['n_items']} {unit}(s) flagged by annotators ({which}); find them: "
                     f"{flags['filter']} in labels.jsonl and the dataset, `problems` in annotations.jsonl")
        # In the terminal the hint names the pulled file where it is, for a command run from anywhere.
        lines.append("  " + flags["note"].replace("read_parquet('labels.parquet')",
                                                  f"read_parquet('{out / 'labels.parquet'}')"))
    skipped = report.get("skipped") or {}
    if skipped.get("n"):
        who = ", ".join(f"{a} {n}" for a, n in skipped["by_annotator"].items())
        lines.append(f"skipped: {skipped['n']} skip(s) on {skipped['n_items']} {unit}(s) ({who}), kept out of the "
                     f"labels and the dataset (find them: {skipped['filter']} in annotations.jsonl)")
    for name in ("annotations.jsonl", "labels.jsonl", "dataset", "labels.parquet", "report.json", "report.html"):
        if (out / name).exists():
            lines.append(f"wrote {out / name}")
    return lines


__all__ = ["annotation_fields", "annotation_to_row", "tasks_to_rows", "label_rows", "build_report", "choice_to_label", "label_lookup",
           "find_project", "export_tasks", "fetch_users", "write_pull", "pull", "summary_lines"]
