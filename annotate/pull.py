"""Fetch a project's annotations from Label Studio and write them as rows, labels and a dataset.

One snapshot export brings every annotated task (Label Studio's export endpoint, not the paged
task list). The pure converters of ``annotate.pull_rows`` turn each annotation into a row of
``annotations.jsonl`` and each claim's votes into a row of ``labels.jsonl``; ``write_pull`` writes
those, the dataset, and the agreement report into one directory that is swapped in atomically. A
comparison project (`stance push --pairs`) gives a pairs pull: the same export and writing, the rows
of ``annotate.pairs_pull``.
"""

from __future__ import annotations

import datetime
import difflib
import io
import json
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotate.pull_rows import TIE_ADVICE, TIE_FILTER, build_report, flag_note, label_rows, tasks_to_rows
from corpus.errors import UserError
from corpus.files import atomic_dir, check_output_dir, check_writable
from models.provenance import DEFAULT_SCHEME

# The snapshot export a pull asks for: annotated tasks, prediction and draft ids only, each
# annotator's id and email, no annotation history.
SNAPSHOT_OPTIONS: dict[str, Any] = {
    "task_filter_options": {"annotated": "only"},
    "serialization_options": {"drafts": {"only_id": True}, "predictions": {"only_id": True},
                              "annotations__completed_by": {"only_id": False},   # id and email
                              "include_annotation_history": False},
}
SKIPPED_ONLY = {"skipped": "only"}
# What a pull directory holds; an existing --out directory must look like one before it is replaced.
PULL_FILES = ("annotations.jsonl", "labels.jsonl", "report.json", "report.html", "labels.parquet", "dataset")


# --- Label Studio I/O --------------------------------------------------------------------------

def find_project(ls: Any, title: str, url: str = "") -> Any:
    """The project titled ``title`` (the one `stance push` fills); UserError listing the titles there."""
    from annotate.push import find_project as pushed
    from annotate.push import list_projects

    found = pushed(ls, title)
    if found is None:
        titles = sorted({p.title for p in list_projects(ls) if p.title})
        close = difflib.get_close_matches(title, titles, n=3, cutoff=0.6)
        shown = close + [t for t in titles if t not in close]  # the likeliest meant first: the list stops at 8
        listed = ", ".join(repr(t) for t in shown[:8]) + (" ..." if len(titles) > 8 else "")
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise UserError(f"no project titled {title!r} on Label Studio {url}".rstrip() + "; " + guess
                        + (f"projects there: {listed}" if titles else "it has no projects yet: run `stance push` first"))
    return found


def export_tasks(ls: Any, project_id: int, progress: bool = True, poll: float = 0.5,
                 timeout: float = 3600.0, task_filter: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every task of the project with at least one label (or those ``task_filter`` selects, Label
    Studio's ``task_filter_options``), through one snapshot export.

    A snapshot export (``exports.create`` then ``download``) serialises the tasks in one pass on the
    server without the format converter of the direct export endpoint; on a server without a job
    queue it completes inside the create call, elsewhere it is polled. The snapshot is deleted after
    download; its file goes with it on the managed server (``studio_server._delete_export_files``). Label Studio's "annotated" filter leaves out tasks only
    ever skipped: ``{"skipped": "only"}`` exports those (``pull`` asks for both).
    """
    from tqdm import tqdm

    options = dict(SNAPSHOT_OPTIONS)
    if task_filter is not None:
        options["task_filter_options"] = task_filter
    title = f"stance pull {secrets.token_hex(4)}"   # this pull's alone, to be found if the create is cut off
    try:
        snapshot = ls.projects.exports.create(
            project_id, title=title, **options,
            # without a job queue the server serialises every task inside this one request
            request_options={"timeout_in_seconds": int(timeout)})
    except BaseException as err:   # Ctrl-C, a timeout: the server goes on and makes the snapshot all the same
        if _cut_off(err):
            _delete_cut_off(ls, project_id, title, poll)
        raise
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
            # No export_type: the snapshot's own file is sent. Asked for "JSON", Label Studio 1.23.2
            # converts it again into a /tmp/tmpXXXX.json (every annotation, annotators' e-mails) that
            # its server process held open, and a stop or kill left behind.
            for chunk in ls.projects.exports.download(project_id, snapshot.id):
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


def _cut_off(err: BaseException) -> bool:
    """Whether a create that raised ``err`` may still be made by the server: Ctrl-C (or `kill`, `timeout`,
    which the command raises as KeyboardInterrupt), or the request timed out or its connection broke once
    sent. Not a server's answer (an HTTP error: no snapshot is made) nor a connection never made: those
    are reported at once, without the wait for a snapshot to show up (``_delete_cut_off``)."""
    import httpx

    if isinstance(err, KeyboardInterrupt):
        return True
    return isinstance(err, httpx.TransportError) and not isinstance(
        err, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, httpx.ProxyError))


def _delete_cut_off(ls: Any, project_id: int, title: str, poll: float, appear: float = 3.0, wait: float = 60.0) -> None:
    """Delete the snapshot ``title`` whose create was cut off, once the server has made it (a copy of every
    annotation and annotator's e-mail address, which would stay in its media/export): not before, since
    the server saves it again when done. Best effort: nothing is done when it does not show up within
    ``appear`` seconds (the request never arrived) or is not made within ``wait``; a second Ctrl-C stops it.
    While it waits, one line says so: the command would otherwise look hung."""
    began, said = time.monotonic(), False
    try:
        while True:
            mine = [e for e in ls.projects.exports.list(project_id) if getattr(e, "title", None) == title]
            if mine and all(getattr(e, "status", None) in ("completed", "failed") for e in mine):
                for export in mine:
                    ls.projects.exports.delete(project_id, export.id)
                return
            if mine and not said:
                said = True
                print(f"waiting up to {wait:.0f} s for Label Studio to finish the export this pull cut off, to delete "
                      "it (a copy of every annotation and annotator's e-mail address); Ctrl-C again leaves it "
                      "in the project's exports", file=sys.stderr, flush=True)
            if time.monotonic() - began > (wait if mine else appear):
                return
            time.sleep(max(poll, 0.2) if poll else 0)
    except Exception:   # the server gone too: the error being raised says what went wrong
        return


def fetch_users(ls: Any) -> dict[int, str]:
    """User id -> email (the username when there is no email); empty when the key may not list users."""
    from label_studio_sdk.core.api_error import ApiError

    try:
        return {u.id: (u.email or u.username or f"user-{u.id}") for u in ls.users.list()}
    except ApiError as err:
        if err.status_code in (401, 403):
            return {}
        raise


def _check_out_dir(out: Path, project: str | None = None, replace: bool = False,
                   pseudonymise: bool | None = None) -> None:
    """Refuse an --out that is not a new, empty or earlier pull directory, or that cannot be written,
    or (unless ``replace``) that holds a pull of another project than ``project``, or a pseudonymised
    pull when this one (``pseudonymise`` False) would write the logins: before the export, not after."""
    check_output_dir(out, PULL_FILES)
    check_writable(out)
    earlier = earlier_pull(out)
    if pseudonymise is False and not replace and earlier is not None and earlier.get("pseudonymised"):
        raise UserError(f"{out} holds a pull whose annotators are pseudonymised ({_what(earlier)}); this pull would "
                        "name them by their Label Studio logins: add --pseudonymise, or --replace to replace it "
                        "with the logins")
    if project is None or replace or earlier is None or earlier.get("project") in (None, project):
        return
    raise UserError(f"{out} holds a pull of another project, {earlier['project']!r} ({_what(earlier)}); "
                    f"this is a pull of {project!r}: give another --out, or add --replace to replace that pull")


def earlier_pull(out: str | Path) -> dict[str, Any] | None:
    """The report of the pull ``out`` holds (its project, annotations, date), or None."""
    try:
        report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict):
        return None
    keep = ("project", "n_annotations", "pulled_at")
    found = {k: report[k] for k in keep if isinstance(report.get(k), int if k == "n_annotations" else str)}
    return {**found, "pseudonymised": True} if report.get("pseudonymised") else found


def _what(earlier: dict[str, Any]) -> str:
    """"186 annotations, pulled 2026-11-27T09:44:02Z" of an earlier pull's report."""
    n = earlier.get("n_annotations")
    return ", ".join(part for part in (f"{n} annotation{'' if n == 1 else 's'}" if n is not None else "",
                                        f"pulled {earlier['pulled_at']}" if earlier.get("pulled_at") else "") if part)


def _check_emptied(out: Path, report: dict[str, Any], earlier: dict[str, Any] | None, replace: bool) -> None:
    """Refuse (unless ``replace``) to replace a pull holding annotations with one holding none: the
    project lost them (deleted, or a new server), and the earlier pull may be their only copy."""
    if replace or earlier is None or report.get("n_annotations") or not earlier.get("n_annotations"):
        return
    raise UserError(f"project {report.get('project', '?')!r} holds no annotations now, and {out} holds its pull "
                    f"of {earlier['n_annotations']} annotations{' (pulled ' + earlier['pulled_at'] + ')' if earlier.get('pulled_at') else ''}: "
                    "was the project emptied, or the workspace set up anew? Give another --out, or add --replace to "
                    "replace that pull with an empty one")


def write_pull(tasks: Sequence[dict[str, Any]], users: dict[int, str], scheme: Any, out_dir: str | Path,
               source: dict[str, Any] | None = None, pairs: bool | None = None, replace: bool = False,
               pseudonym_key: bytes | None = None) -> dict[str, Any]:
    """Write annotations, labels, dataset, Parquet and report into ``out_dir`` (swapped in whole).

    With ``pairs`` (None: told from the tasks' data) the tasks are claim pairs of `stance push
    --pairs`: rows, labels and dataset are those of ``annotate.pairs_pull`` and ``scheme`` is unused.
    An earlier pull in ``out_dir`` is replaced when it is of the same project (``source["project"]``)
    and the new pull is not empty where it was not; ``replace`` replaces any earlier pull. The report's
    ``replaced`` names the pull replaced (its project, annotations and date). With ``pseudonym_key``
    every annotator is named by a pseudonym (``annotate.pseudonyms``), from the annotation rows on,
    and the report's ``pseudonymised`` says how.
    """
    from annotate import dataset as ds
    from annotate import pairs_pull
    from annotate import pseudonyms
    from annotate import pull_report

    out = Path(out_dir)
    _check_out_dir(out, (source or {}).get("project"), replace, pseudonymise=pseudonym_key is not None)
    earlier = earlier_pull(out)
    if pairs is None:
        pairs = pairs_pull.is_pairs_export(tasks)
    if pairs:
        scheme, key, layout = pairs_pull.RELATION_SCHEME, "pair_id", pairs_pull.DATASET_LAYOUT
        rows = pairs_pull.tasks_to_pair_rows(tasks, users)
    else:
        key, layout = "claim_id", {}
        rows = tasks_to_rows(tasks, scheme, users)
    if pseudonym_key is not None:   # before the labels: no name made from a login is left to relabel
        rows = pseudonyms.pseudonymise_rows(rows, pseudonym_key, users.values())
    labels = pairs_pull.pair_label_rows(rows) if pairs else label_rows(rows)
    report = build_report(rows, labels, scheme, len(tasks), key)
    if pairs:
        report.update(unit="pair", n_pairs_labelled=len(labels))
    if isinstance(getattr(scheme, "version", None), str):
        report["scheme_version"] = scheme.version
    report["pulled_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    report.update(source or {})
    if report.get("problems"):   # its `stance train` command names the scheme the pull was made with
        report["problems"]["note"] = flag_note(report)
    if pseudonym_key is not None:
        report["pseudonymised"] = pseudonyms.report_entry(pseudonym_key)
    _check_emptied(out, report, earlier, replace)
    if earlier is not None:
        report["replaced"] = earlier
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
            (tmp / "report.html").write_text(pull_report.render_html(report, labels, rows), encoding="utf-8")
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
         scheme: Any = DEFAULT_SCHEME, progress: bool = True, scheme_source: str | None = None,
         replace: bool = False, pseudonymise: bool = False) -> dict[str, Any]:
    """Export ``project``'s annotations and write the pull directory; return the report.

    A comparison project (`stance push --pairs`, told by its label config) gives a pairs pull.
    ``scheme_source`` (what ``--scheme`` takes to load the scheme again) goes into the report.
    ``out_dir`` holding a pull of another project, or of annotations where this one has none, is
    refused unless ``replace``. ``pseudonymise`` names the annotators by pseudonyms keyed with the
    workspace's ``pseudonym.key`` (made on first use), in every file written and in the report.
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    from annotate.pseudonyms import workspace_key
    from annotate.studio import connect
    from annotate.studio_workspace import DEFAULT_WORKSPACE

    if isinstance(scheme, str):
        from models.schemes import load_scheme

        scheme = load_scheme(scheme)
    _check_out_dir(Path(out_dir), project, replace, pseudonymise)   # before the export: a bad --out costs nothing
    key = workspace_key(workspace or DEFAULT_WORKSPACE) if pseudonymise else None   # a broken key too
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
    report = write_pull(tasks, users, scheme, out_dir, pairs=pairs, replace=replace, pseudonym_key=key,
                        source={"project": project, "project_id": found.id, "url": info["url"],
                                "export_seconds": round(exported, 2),
                                "annotators_per_task": getattr(found, "maximum_annotations", None),
                                **({"scheme_source": scheme_source} if scheme_source and not pairs else {})})
    return report


SMALL_TEST = 20   # fewer test claims than this, and an evaluation's interval spans most of the scale


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
        f"agreement: Krippendorff's alpha {fmt(agree['krippendorff_alpha'])}, Cohen's kappa (mean of pairs, weighted "
        f"by shared {unit}s) {fmt(agree['cohen_kappa']['mean_weighted'])} over {agree['n_claims_multiply_annotated']} "
        f"{unit}s with 2+ annotators"
        + (f" ({left} pair{'s' if left > 1 else ''} of annotators sharing fewer than "
           f"{agree['cohen_kappa']['min_pair_items']} {unit}s left out of the kappa)"
           if (left := agree['cohen_kappa'].get('pairs_left_out')) else ""),
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
    if dataset.get("warning"):   # in the terminal it names the pulled file where it is
        lines.append("warning: " + dataset["warning"].replace("--data labels.jsonl", f"--data {out / 'labels.jsonl'}"))
    if unit == "claim" and 0 < splits.get("test", 0) < SMALL_TEST:
        lines.append(f"note: the test split holds {splits['test']} claim(s), too few for `stance evaluate` to say "
                     "much; label claims of more documents, or evaluate on claims labelled after training "
                     "(--data FILE.jsonl with `text` and `label`)")
    ties = (report.get("ties") or {}).get("n") or 0
    if ties:
        lines.append(f"ties: {ties} {unit}(s) split evenly between labels went to whoever labelled last "
                     f"(find them: {TIE_FILTER}, the tied labels in tied_labels)")
        lines.append(f"  {TIE_ADVICE}")
    disputed = report.get("disputed") or {}
    if disputed.get("n"):
        lines.append(f"disputed: {disputed['n']} {unit}(s) on which annotators disagree ({disputed['n_ties']} tie(s), "
                     f"{disputed['n_outvoted']} outvoted a dissent), listed for review with each annotator's label and "
                     f"the pre-label in {out / 'report.html'} (find them: {disputed['filter']} in labels.jsonl)")
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
        counted = flags.get("n_labelled_flagged", flags["n_items"])
        elsewhere = flags["n_items"] - counted
        lines.append(f"flagged: {flags['n_items']} {unit}(s) flagged by annotators ({which}); find them: "
                     f"{flags['filter']} in labels.jsonl and the dataset ({counted})"
                     + (f"; {elsewhere} flagged only on skipped or superseded annotations, kept out of the labels"
                        if elsewhere > 0 else "") + ", `problems` in annotations.jsonl")
        # In the terminal the hint names the pulled file where it is, for a command run from anywhere.
        note = flag_note(report).replace("read_parquet('labels.parquet')", f"read_parquet('{out / 'labels.parquet'}')")
        lines.append("  " + note)
    skipped = report.get("skipped") or {}
    if skipped.get("n"):
        who = ", ".join(f"{a} {n}" for a, n in skipped["by_annotator"].items())
        lines.append(f"skipped: {skipped['n']} skip(s) on {skipped['n_items']} {unit}(s) ({who}), kept out of the "
                     f"labels and the dataset (find them: {skipped['filter']} in annotations.jsonl)")
    replaced = report.get("replaced") or {}
    if replaced.get("project") not in (None, report.get("project")):
        lines.append(f"note: replaced (--replace) the pull of project {replaced['project']!r} in {out} "
                     f"({_what(replaced)})")
    elif (replaced.get("n_annotations") or 0) > report["n_annotations"]:
        lines.append(f"note: {out} held a pull of {replaced['n_annotations']} annotations of this project"
                     + (f" (pulled {replaced['pulled_at']})" if replaced.get("pulled_at") else "")
                     + f", this one {report['n_annotations']}: annotations deleted in Label Studio are gone from "
                     "the pull too")
    named = report.get("pseudonymised") or {}
    if named:
        from annotate.pseudonyms import DIGITS, PREFIX

        lines.append(f"pseudonymised: annotators are named {PREFIX}<{DIGITS} hex digits> "
                     f"in every file written (HMAC-SHA256 of the login, key id {named.get('key_id')}); keep the "
                     f"workspace's {named.get('key_file')} (never share it): a new key gives new pseudonyms")
    for name in ("annotations.jsonl", "labels.jsonl", "dataset", "labels.parquet", "report.json", "report.html"):
        if (out / name).exists():
            lines.append(f"wrote {out / name}")
    return lines
