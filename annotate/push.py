"""Send pre-labelled claims (or claim pairs) to Label Studio, idempotently.

Each task carries a stable key in its data (``claim_id``, or ``pair_id`` for pairs). A push reads
back the keys already in the project, their data and their predictions, imports only the new tasks
(chunked, each chunk one request), adds predictions of a new model version to the tasks that lack
them, gives a task nobody has worked on the data and pre-label its claim now has
(``annotate.push_refresh``), and then switches the project to that model version. A push killed
halfway and run again therefore completes with nothing doubled. Every prediction is validated against the label
config locally before anything is sent: the server does not validate them. What a push decides
without a server (overlap settings, task order, the model version shown) is in ``annotate.push_plan``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from annotate import labelconfig as lc
from annotate.claim_tasks import (SHOWN_FIELDS, _validate, claim_to_task, displays_bidi, interview_questions,
                                  left_out_note, pair_to_task, with_shown_fields)
from annotate.project_scheme import local_record, marker_record, project_change, remember, with_marker
from annotate.push_match import ORIGIN_FIELD, Matched, edited_note, match, relative_files
from annotate.push_plan import (TITLE_LENGTH, _certainty, _chunks, _dropped_labels, _majority_version,
                                default_view, is_bootstrap, overlap_settings)
from annotate.push_refresh import (Refresh, document_sentences, gone_note, gone_reminder, gone_tasks, kept_note,
                                   kept_reminder, plan_refresh)
from corpus.errors import UserError
from corpus.files import atomic_write, read_jsonl
from corpus.claimfilter import SCOPES, STRUCTURE, in_scope
from models import provenance

CHUNK = 2500   # tasks a request: 20% faster than 1000 here, and a kill loses at most one request
# Label Studio changes a task's data one request a task (no bulk call does). 100 PATCHes of a
# 2,000-task project on the managed server (load average 4 on 2 cores): 0.13 s each one at a time,
# 0.10 s with 2 at once, 0.06-0.08 s with 4 or 8 (without studio_server.py's lean update: 0.18 s
# alone, 0.11 s with 4).
WORKERS = 4


def _scheme(scheme: Any) -> Any:
    """A scheme object as is, or loaded by name or path (models.schemes)."""
    if not isinstance(scheme, (str, Path)):
        return scheme
    from models.schemes import load_scheme

    return load_scheme(scheme)


def claims_scheme(rows: list[dict[str, Any]], scheme: Any, path: Path, project: str,
                  project_record: Any = lambda: None) -> provenance.Resolved:
    """The scheme claims are pushed with: ``scheme`` (a name, a YAML path or a loaded scheme) checked
    against the scheme the rows were pre-labelled with; else that one; else the one project
    ``project`` records (``project_record()``, which asks the server); else a UserError: claims
    never pre-labelled need --scheme the first time."""
    what = f"the pre-labels in {path}"
    recorded = provenance.from_rows(rows, f"{path}")
    fix = (f"leave out --scheme to push them with their own, or pre-label them again with --scheme {scheme}")
    if scheme is not None and not isinstance(scheme, (str, Path)):   # a loaded scheme (from Python)
        record = provenance.scheme_record(scheme)
        notes = [note] if recorded and (note := provenance.check_given(record, f"scheme {record['name']!r}", what,
                                                                         recorded, fix)) else []
        return provenance.Resolved(scheme, record["name"], record, notes)
    if scheme is not None or recorded is not None:
        return provenance.resolve(str(scheme) if scheme is not None else None, [(what, recorded)], fix=fix)
    from_project = project_record()
    if from_project is not None:
        return provenance.resolve(None, [(f"project {project!r}", from_project)])
    predicted = {str(row["prediction"]) for row in rows if row.get("prediction") is not None}
    if predicted:   # pre-labelled by an older stance: the default scheme, when it holds their labels
        default = _scheme(provenance.DEFAULT_SCHEME)
        if predicted <= {str(label.id) for label in default.labels}:
            return provenance.Resolved(default, provenance.DEFAULT_SCHEME,
                                       provenance.scheme_record(default, provenance.DEFAULT_SCHEME))
        raise UserError(f"{path}: its pre-labels record no scheme (made by an older stance) and are not labels of the "
                        f"default scheme {provenance.DEFAULT_SCHEME!r}; give --scheme with the scheme they were made with")
    raise UserError(f"{path}: these claims carry no pre-labels to take a scheme from, and project {project!r} "
                    "records none; give --scheme (a name in configs/schemes or a YAML path; the default scheme is "
                    f"{provenance.DEFAULT_SCHEME}) the first time")


def _people(client: Any) -> int | None:
    """How many people the server's organisation has (the admin included); None when it does not say."""
    import httpx

    try:
        users = _api(client, "api/users/")
    except (UserError, httpx.HTTPError):   # a server that will not list them: nothing to say
        return None
    return len(users) if isinstance(users, list) else None


def _api(client: Any, path: str, method: str = "GET", **kwargs: Any) -> Any:
    """A raw JSON call through the SDK's authenticated HTTP client (no pydantic per row: fast)."""
    from annotate.studio_api import base_url, client_key, excerpt, not_label_studio

    response = client._client_wrapper.httpx_client.request(path, method=method, **kwargs)
    if response.status_code >= 400:
        text = excerpt(response.text, client_key(client))   # masked before the cut: no key prefix survives
        raise UserError(f"Label Studio answered {response.status_code} to {method} /{path}: {text}")
    try:
        return response.json()
    except ValueError:
        raise not_label_studio(base_url(client)) from None


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def existing_tasks(client: Any, project_id: int, key: str, page_size: int = 5000,
                   datas: dict[int, dict[str, Any]] | None = None, worked: set[int] | None = None) -> dict[str, int]:
    """``{key value: task id}`` of the tasks already in a project (only ids and data are read); with
    ``datas``, each task's data is put in it by task id; with ``worked``, the ids of the tasks someone
    annotated, skipped or left a draft on are added to it.

    Pages are read until one is short, the total is reached, or a page brings no task not seen
    before (a server that ignores ``page`` would otherwise be read forever).
    """
    from annotate.studio_api import base_url, not_label_studio

    out: dict[str, int] = {}
    seen: set[int] = set()
    page = 1
    while True:
        # whether a task holds a draft, anyone's, is computed only with fields=all (0.87 s for 2,000
        # tasks here, against 0.75 s for task_only); `drafts` with task_only lists none
        fields, include = (("all", "id,data,total_annotations,cancelled_annotations,draft_exists")
                           if worked is not None else ("task_only", "id,data"))
        body = _api(client, "api/tasks/", params={"project": project_id, "page": page, "page_size": page_size,
                                                  "fields": fields, "include": include})
        tasks = body.get("tasks", []) if isinstance(body, dict) else body
        if not isinstance(tasks, list) or not all(isinstance(t, dict) and _is_id(t.get("id")) for t in tasks):
            raise not_label_studio(base_url(client))
        fresh = [t for t in tasks if t["id"] not in seen]
        for task in fresh:
            seen.add(task["id"])
            value = (task.get("data") or {}).get(key)
            if value is not None:
                out.setdefault(str(value), task["id"])
            if datas is not None and isinstance(task.get("data"), dict):
                datas[task["id"]] = task["data"]
            if worked is not None and (task.get("total_annotations") or task.get("cancelled_annotations")
                                       or task.get("draft_exists")):
                worked.add(task["id"])
        total = body.get("total", 0) if isinstance(body, dict) else 0
        if not _is_id(total):
            total = 0
        if not fresh or len(tasks) < page_size or page * page_size >= total:
            return out
        page += 1


def add_shown_fields(client: Any, datas: dict[int, dict[str, Any]], progress: bool = True) -> int:
    """Give each claim task that lacks them (pushed by an earlier stance) the ``text_shown`` and
    ``title_shown`` the claim view shows, and markers for the bidi controls of its paragraph and
    source line (``claim_tasks.with_shown_fields``), its other data unchanged; how many were given
    them. Without them the view would show such a task's claim and title blank."""
    from tqdm import tqdm

    stale = [(tid, data) for tid, data in datas.items() if any(key not in data for key in SHOWN_FIELDS)]
    with tqdm(total=len(stale), unit="task", desc="add the shown text", leave=False,
              disable=None if progress and stale else True) as bar:
        _patch_each(client, [(f"api/tasks/{tid}/", {"data": with_shown_fields(data)}) for tid, data in stale], bar)
    return len(stale)


# A project's tasks as ``existing_tasks`` reads them: {claim_id: task id}, each task's data, the worked-on ids.
TasksRead = tuple[dict[str, int], dict[int, dict[str, Any]], set[int]]


def shown_config(client: Any, project: Any | None, config: str, tasks: list[dict[str, Any]], notes: list[str],
                 progress: bool = True) -> tuple[str, TasksRead | None]:
    """The label config to push for claim project ``project`` (None: a new one): ``config`` (its view
    shows ``text_shown`` and ``title_shown``), save for a project an earlier stance made, whose view
    shows ``$text`` and ``$title`` and whose tasks lack the shown fields. While neither its tasks nor the push's show a
    bidi control (in their title, text, paragraph or source line) it keeps that view (the same page:
    nothing to mark, and giving each task the fields takes Label Studio about 0.17 s a task);
    otherwise its tasks are given them first (``add_shown_fields``, said in ``notes``) and it takes
    ``config``. With it, the project's tasks as read here, which the push takes instead of reading them
    again (2,000 tasks: 1.3-1.9 s a read here); None when not read, or when some were given the fields."""
    current = getattr(project, "label_config", None) or ""
    if project is None or "$text_shown" in current or 'value="$text"' not in current:
        return config, None
    datas: dict[int, dict[str, Any]] = {}
    worked: set[int] = set()
    read = existing_tasks(client, project.id, "claim_id", datas=datas, worked=worked), datas, worked
    if not any(displays_bidi(task["data"]) for task in tasks) and not any(displays_bidi(d) for d in datas.values()):
        return config.replace("$text_shown", "$text").replace("$title_shown", "$title"), read
    given = add_shown_fields(client, datas, progress)
    if given:
        notes.append(f"{given} task(s) pushed by an earlier stance now also carry text_shown and title_shown, the "
                     "claim's text and title as the view now shows them (a bidirectional control such as U+202E "
                     "as a visible marker, ⟨U+202E⟩); their text and annotations are unchanged")
    return config, None if given else read


def _versions(predictions: dict[int, list[dict[str, Any]]]) -> dict[int, set[str]]:
    """``{task id: model versions of its predictions}`` from ``existing_predictions``."""
    return {task: {p.get("model_version") or "" for p in held} for task, held in predictions.items()}


def existing_predictions(client: Any, project_id: int) -> dict[int, list[dict[str, Any]]]:
    """``{task id: its predictions}`` for a project, as the server lists them (``id``,
    ``model_version``, ``result``, ``score``)."""
    from annotate.studio_api import base_url, not_label_studio

    body = _api(client, "api/predictions/", params={"project": project_id})
    if not isinstance(body, list) or not all(isinstance(p, dict) and "task" in p for p in body):
        raise not_label_studio(base_url(client))
    out: dict[int, list[dict[str, Any]]] = {}
    for prediction in body:
        out.setdefault(prediction["task"], []).append(prediction)
    return out


def existing_versions(client: Any, project_id: int) -> dict[int, set[str]]:
    """``{task id: model versions of its predictions}`` for a project."""
    return _versions(existing_predictions(client, project_id))


def list_projects(client: Any, title: str | None = None, page_size: int = 100) -> list[Any]:
    """Every project (whose title contains ``title``, when given), page by page.

    Stops at a short page, a missing page (404), or a page that brings no project not seen before;
    an answer that is not a page of projects is a UserError.
    """
    from label_studio_sdk.core.api_error import ApiError

    from annotate.studio_api import base_url, not_label_studio

    found: dict[int, Any] = {}
    page = 1
    while True:
        try:
            items = client.projects.list(title=title, page=page, page_size=page_size).items
        except ApiError as err:
            if err.status_code == 404 and page > 1:   # past the last page
                break
            raise
        except (TypeError, ValueError):   # the SDK could not read the answer as a page of projects
            raise not_label_studio(base_url(client)) from None
        if not isinstance(items, list) or not all(_is_id(getattr(p, "id", None)) for p in items):
            raise not_label_studio(base_url(client))
        fresh = [p for p in items if p.id not in found]
        found.update((p.id, p) for p in fresh)
        if not fresh or len(items) < page_size:
            break
        page += 1
    return list(found.values())


def find_project(client: Any, title: str) -> Any | None:
    """The project with exactly this title, or None; a UserError naming the ids when several share it."""
    matches = [p for p in list_projects(client, title=title) if p.title == title]
    if not matches:
        matches = [p for p in list_projects(client) if p.title == title]
    if len(matches) > 1:   # picking one would push into, or pull from, a project the user did not mean
        ids = ", ".join(str(p.id) for p in sorted(matches, key=lambda p: p.id))
        raise UserError(f"{len(matches)} projects titled {title!r} (ids {ids}); "
                        "rename one in Label Studio or give another --project")
    return matches[0] if matches else None


def present_line(summary: dict[str, Any]) -> str:
    """What a push did with the tasks already there, for its summary line: '168 already there (5
    updated, 160 unchanged, 3 annotated kept as they were)', then with --prune ', 4 whose sentence is gone
    deleted'; on a first push, '0 already there'."""
    refreshed = summary.get("predictions_refreshed", 0)
    if not summary.get("tasks_present", 0):
        return "0 already there"
    return (f"{summary.get('tasks_present', 0)} already there ({summary.get('tasks_updated', 0)} updated"
            + (f", {refreshed} of their pre-labels refreshed" if refreshed else "")
            + f", {summary.get('tasks_unchanged', 0)} unchanged, {summary.get('tasks_annotated_kept', 0)} annotated "
            "kept as they were)"
            + (f", {summary['tasks_pruned']} whose sentence is gone deleted" if summary.get("tasks_pruned") else ""))


def overlap_line(overlap: int) -> str:
    """What `stance push` and `stance run` print about the project's annotators a task."""
    return f"annotators a task: {overlap}" + (" (--overlap 2 or more for agreement figures)" if overlap == 1 else "")


def project_kind(client: Any, project: Any) -> str | None:
    """What a project labels, ``"claims"`` or ``"pairs"``: told by its label config, else by the data
    of one of its tasks (``pair_id`` or ``claim_id``); None for a project with neither (new, empty)."""
    kind = lc.config_kind(getattr(project, "label_config", None))
    if kind is not None or not (getattr(project, "task_number", 0) or 0):
        return kind
    body = _api(client, "api/tasks/", params={"project": project.id, "page_size": 1, "fields": "task_only",
                                              "include": "id,data"})
    tasks = body.get("tasks", []) if isinstance(body, dict) else body
    data = (tasks[0].get("data") or {}) if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict) else {}
    return "pairs" if "pair_id" in data else "claims" if "claim_id" in data else None


def _title_key(title: str) -> str:
    """A title with case, spaces, hyphens and underscores left out: 'Team7', 'team 7' and 'team-7' are
    one; 'Batch 1.1' and 'Batch 11' are two."""
    return "".join(c for c in title.casefold() if not c.isspace() and c not in "-_")


def _refuse_near_title(client: Any, title: str) -> None:
    """Before a project is created: refuse a title that differs from an existing one only by case,
    spaces or punctuation (a typo of the team's project, which would quietly get a second one)."""
    near = sorted({p.title for p in list_projects(client) if isinstance(getattr(p, "title", None), str)
                   and p.title != title and _title_key(p.title) == _title_key(title)})
    if near and _title_key(title):
        raise UserError(f"no project is titled {title!r}, but {' and '.join(map(repr, near))} "
                        f"{'is' if len(near) == 1 else 'are'}: give --project {near[0]!r} (titles match exactly, "
                        "case and spaces included), or a title less like it for a new project; nothing was created")


def _ensure_project(client: Any, project: Any | None, title: str, config: str, instructions: str,
                    overlap: int | None = None, kind: str = "claims",
                    notes: list[str] | None = None, workspace: str | Path | None = None) -> tuple[Any, bool]:
    """``project`` (``find_project``'s for ``title``) set up for this push, or a new one; whether it is new."""
    from label_studio_sdk.core.api_error import ApiError

    if project is not None:
        found = project_kind(client, project)
        if found is not None and found != kind:   # before anything is changed
            raise UserError(f"project {title!r} is a {found} project; push {kind} under another --project title")
        new = marker_record(config)
        change = project_change(title, project.label_config, new, (project.total_annotations_number or 0) > 0,
                                workspace) if new is not None else None
        if change and notes is not None:
            notes.append(change)
    settings = {"expert_instruction": instructions, "show_instruction": True, "sampling": "Uncertainty sampling"}
    if overlap is not None:
        settings.update(overlap_settings(overlap))
    if project is None:
        _refuse_near_title(client, title)
        created = client.projects.create(title=title, label_config=config, **settings)
        if not _is_id(getattr(created, "id", None)):
            from annotate.studio_api import base_url, not_label_studio

            raise not_label_studio(base_url(client), "check --url (no project id came back when one was created)")
        return created, True
    if (project.label_config or "").strip() != config.strip():
        dropped = _dropped_labels(project.label_config or "", config)
        if dropped and (project.total_annotations_number or 0) > 0:
            raise UserError(f"project {title!r} holds annotations with labels the new config lacks "
                            f"({', '.join(dropped)}); push with the scheme it was made with, or under another --project title")
        try:
            client.projects.update(id=project.id, label_config=config, **settings)
        except ApiError as err:
            from annotate.studio_api import api_error_text, client_key

            raise UserError(f"project {title!r} has a label config the new one cannot replace "
                            f"({api_error_text(err, client_key(client))}); "
                            "push under another --project title") from None
    else:
        changes: dict[str, Any] = {}
        if (getattr(project, "expert_instruction", None) or "") != instructions:
            changes["expert_instruction"] = instructions   # as this version writes them (no cue lists)
        if overlap is not None and (project.maximum_annotations != overlap
                                    or project.overlap_cohort_percentage != 100):
            changes.update(overlap_settings(overlap))
        if changes:
            client.projects.update(id=project.id, **changes)
    return project, False


def _patch_each(client: Any, calls: list[tuple[str, dict[str, Any]]], bar: Any) -> None:
    """PATCH each (path, body), ``WORKERS`` at a time; the first refusal stops the rest."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(WORKERS)
    try:
        for _ in pool.map(lambda call: _api(client, call[0], method="PATCH", json=call[1]), calls):
            bar.update(1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def apply_refresh(client: Any, project_id: int, refresh: Refresh, bar: Any, chunk_size: int = CHUNK) -> None:
    """Send what ``plan_refresh`` decided: each task's new data (one PATCH a task), the stale
    pre-labels of tasks holding only pushed versions deleted and imported again in bulk (the data
    manager's Delete Predictions on the chunk's tasks, then one import), and the others one by one.
    Each step is safe to cut off: a push run again finds what is still stale."""
    _patch_each(client, [(f"api/tasks/{tid}/", {"data": data}) for tid, data in sorted(refresh.data.items())], bar)
    for chunk in _chunks(sorted(refresh.replace), chunk_size):
        _api(client, "api/dm/actions", method="POST", params={"id": "delete_tasks_predictions", "project": project_id},
             json={"selectedItems": {"all": False, "included": chunk}})
        client.projects.import_predictions(id=project_id, request=[{"task": tid, **prediction} for tid in chunk
                                                                   for prediction in refresh.replace[tid]])
        bar.update(len(chunk))
    _patch_each(client, [(f"api/predictions/{pid}/", body) for pid, body in sorted(refresh.patch.items())], bar)


# A task nobody worked on, as the data manager filters it: checked by the server when it deletes, so a
# task annotated, skipped or drafted after the push read the project is not deleted.
UNWORKED = {"conjunction": "and", "items": [
    {"filter": "filter:tasks:total_annotations", "operator": "equal", "type": "Number", "value": 0},
    {"filter": "filter:tasks:cancelled_annotations", "operator": "equal", "type": "Number", "value": 0},
    {"filter": "filter:tasks:draft_exists", "operator": "equal", "type": "Boolean", "value": False}]}


def delete_unworked(client: Any, project_id: int, task_ids: list[int], bar: Any, chunk_size: int = CHUNK) -> int:
    """Delete those of ``task_ids`` nobody has worked on (the data manager's Delete Tasks, a chunk a
    request, ``UNWORKED`` checked by the server); how many went."""
    deleted = 0
    for chunk in _chunks(sorted(task_ids), chunk_size):
        body = _api(client, "api/dm/actions", method="POST", params={"id": "delete_tasks", "project": project_id},
                    json={"filters": UNWORKED, "selectedItems": {"all": False, "included": chunk}})
        deleted += body.get("processed_items", 0) if isinstance(body, dict) and _is_id(body.get("processed_items")) else 0
        bar.update(len(chunk))
    return deleted


NOTES_SAID = "push_notes.json"   # in the workspace: what the last push into each project said of tasks it kept
# and gone, and the text of each edited document it took (``PushNotes``)


def _notes_said(path: Path) -> dict[str, Any]:
    """The workspace's push_notes.json ({} when missing or unreadable: said again in full, and written anew)."""
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        known = {}
    return known if isinstance(known, dict) else {}


def _stamp(path: Path) -> tuple[int, int] | None:
    """When and how big push_notes.json was last written (None: missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _digest(what: Any) -> str:
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]


class PushNotes:
    """What the last push from a workspace into a project said of the tasks it kept and of gone ones
    (by digest), and which text of each edited document it took: the workspace's push_notes.json,
    read once when made. A push tells it what it says (``said``, ``take``) and ``write`` records all
    of it once the push is done (a push cut off records nothing). Without a workspace it holds and
    records nothing; a read-only workspace records nothing."""

    def __init__(self, workspace: str | Path | None, url: str, project_id: int) -> None:
        there = workspace is not None and Path(workspace).is_dir()
        self.path = Path(workspace) / NOTES_SAID if there else None
        self.prefix = f"{url.rstrip('/')} {project_id}"
        self.stamp = _stamp(self.path) if self.path is not None else None
        self.known = _notes_said(self.path) if self.path is not None else {}
        self.changes: dict[str, Any] = {}   # key -> its value for the next push (None: forget it)

    def said(self, what: Any, kind: str = "kept") -> bool:
        """Whether the last push said the same of its ``kind`` of tasks (kept, gone; ``what``, compared
        by digest; None: none; False without a workspace); ``what`` is what this push says."""
        if self.path is None:
            return False
        key = f"{self.prefix} {kind}"
        self.changes[key] = None if what is None else _digest(what)
        return what is not None and self.known.get(key) == self.changes[key]

    def taken(self) -> dict[str, str]:
        """Which text of each edited document a push from the workspace last matched to this project's
        tasks (the project's doc_id -> the doc_id made from that text; ``annotate.push_match``). The
        project keeps an edited document's first id only: without this, claims made again from a text
        it took already (after an upgrade of the splitter, by `stance claims`) were told as the
        document changed since it was pushed."""
        held = self.known.get(f"{self.prefix} versions")
        return {str(k): str(v) for k, v in held.items()} if isinstance(held, dict) else {}

    def take(self, taken: dict[str, str]) -> None:
        """Add this push's texts taken to those ``taken`` lists."""
        known = self.taken()
        now = {**known, **taken}
        if self.path is not None and now != known:
            self.changes[f"{self.prefix} versions"] = dict(sorted(now.items()))

    def write(self) -> None:
        """Record what this push said, when it differs from what the file holds (read again first only
        when another push wrote the file since it was read: each keeps the others' projects)."""
        if self.path is None:
            return
        known = self.known if _stamp(self.path) == self.stamp else _notes_said(self.path)
        now = {k: v for k, v in known.items() if k not in self.changes or self.changes[k] is not None}
        now.update((k, v) for k, v in self.changes.items() if v is not None)
        if now != known:
            with contextlib.suppress(OSError, UserError):
                with atomic_write(self.path) as f:
                    f.write(json.dumps(now, indent=2, sort_keys=True) + "\n")


def _default_view(client: Any, project_id: int, tasks: list[dict[str, Any]]) -> None:
    """A first data manager tab for a new project (a convenience: a server that refuses it changes nothing)."""
    view = default_view(project_id, tasks)
    with contextlib.suppress(Exception):
        client._client_wrapper.httpx_client.request("api/dm/views/", method="POST", json=view)


def push_tasks(client: Any, title: str, config: str, instructions: str, tasks: list[dict[str, Any]],
               key: str, chunk_size: int = CHUNK, progress: bool = True, overlap: int | None = None,
               keep_trained: bool = False, known_files: dict[str, str] | None = None,
               workspace: str | Path | None = None, prune: bool = False,
               file_sentences: dict[str, set[str]] | None = None, file_claims: set[str] | None = None) -> dict[str, Any]:
    """Create or reuse project ``title`` and bring ``tasks`` into it without doubling any.

    ``key`` names the data field holding each task's stable id. ``overlap`` sets the annotators a
    task (None: a new project gets Label Studio's 1, an existing one keeps its setting). With
    ``keep_trained``, bootstrap pre-labels never switch a project that shows a trained model's
    pre-labels back to the bootstrap. A claim task of an edited document whose sentence a task of
    that document's earlier text holds is not imported (``annotate.push_match``; ``known_files``: the
    file of each doc_id whose tasks carry none). A task already there whose claim the push makes
    otherwise gets the push's data and pre-label in place, unless someone annotated, skipped or drafted
    it (``annotate.push_refresh``). A claim task of a document the file holds (``file_sentences``: doc_id ->
    its sentences, every row of the file; ``file_claims``: their claim_ids) whose sentence is gone is
    named in a note; with ``prune``, deleted unless someone worked on it. Returns counts of what was
    added, updated, unchanged, kept and deleted,
    ``claim_ids`` and ``doc_ids`` (the push's ids -> the ids the project holds them under, where they
    differ), and ``notes`` to print. ``workspace`` (its ``schemes.json``) names the project's scheme
    file in errors.
    """
    from tqdm import tqdm

    kind = "pairs" if key == "pair_id" else "claims"
    notes: list[str] = []   # a scheme change of the project's, then the model version's
    project = find_project(client, title)   # read once: the view to push and the project to push into
    read: TasksRead | None = None   # its tasks, when the view's check read them
    if kind == "claims":
        config, read = shown_config(client, project, config, tasks, notes, progress)
    project, created = _ensure_project(client, project, title, config, instructions, overlap, kind, notes, workspace)
    if created:
        _default_view(client, project.id, tasks)
    known: dict[str, int] = {}
    versions: dict[int, set[str]] = {}
    datas: dict[int, dict[str, Any]] = {}
    worked: set[int] = set()   # tasks someone annotated, skipped or drafted: never changed
    held: dict[int, list[dict[str, Any]]] = {}
    if not created and (project.task_number or 0) > 0:
        if read is None:   # not read for the view, or some of its tasks were changed since
            read = existing_tasks(client, project.id, key, datas=datas, worked=worked), datas, worked
        known, datas, worked = read
        held = existing_predictions(client, project.id)
        versions = _versions(held)
    from annotate.studio_api import base_url

    # An edited document's sentences that have a task already (under the claim_id of the document's
    # earlier text) are not imported again: that task stands for them (annotate.push_match).
    url = base_url(client)
    told = PushNotes(workspace, url, project.id)   # push_notes.json read once, written once at the end
    matched = match(tasks, datas, known_files, told.taken()) if kind == "claims" else Matched()
    stands = {**known, **matched.tasks}
    # Least certain pre-label first: Label Studio numbers tasks in import order, and a labelling URL
    # opened directly serves them by number (the project's sampling and first tab sort by score).
    new = sorted((t for t in tasks if t["data"][key] not in stands), key=_certainty)
    for task in new:   # an edited document's new sentences keep the document id its other tasks have
        doc = task["data"].get("doc_id")
        if doc in matched.doc_ids:
            task["data"] = {**task["data"], "doc_id": matched.doc_ids[doc]}
    note = edited_note(matched.files)
    if note:
        notes.append(note)
    refresh = plan_refresh(tasks, key, stands, datas, worked, held)
    kept_said = told.said(sorted(refresh.kept.items()) or None)
    note = kept_reminder(refresh.kept) if kept_said else kept_note(refresh.kept, url, project.id)
    if note:
        notes.append(note)
    gone: list[int] = []
    if kind == "claims" and file_sentences is not None and datas:
        sentences = document_sentences(file_sentences, matched.doc_ids, matched.replaced)
        gone = gone_tasks(datas, sentences, file_claims or set(), set(matched.tasks.values()))
    gone_worked = [tid for tid in gone if tid in worked]
    gone_free = [tid for tid in gone if tid not in worked]
    extra = []   # predictions of a model version an existing task lacks
    for task in tasks:
        task_id = stands.get(task["data"][key])
        if task_id is None:
            continue
        for prediction in task.get("predictions", []):
            if prediction["model_version"] not in versions.get(task_id, set()):
                versions.setdefault(task_id, set()).add(prediction["model_version"])
                extra.append({"task": task_id, **prediction})

    changes = len(refresh.data) + len(refresh.replace) + len(refresh.patch)
    deleted = 0
    with tqdm(total=len(new) + len(extra) + changes + (len(gone_free) if prune else 0), unit="task", desc=f"push {title}", leave=False,
              disable=None if progress and (new or extra or changes) else True) as bar:   # None: only on a terminal
        for chunk in _chunks(new, chunk_size):
            client.projects.import_tasks(id=project.id, request=chunk)
            bar.update(len(chunk))
        for chunk in _chunks(extra, chunk_size):
            client.projects.import_predictions(id=project.id, request=chunk)
            bar.update(len(chunk))
        apply_refresh(client, project.id, refresh, bar, chunk_size)
        if prune and gone_free:   # last: a push cut off before it leaves them, and the next finds them again
            deleted = delete_unworked(client, project.id, gone_free, bar, chunk_size)
    # worked-on tasks whose sentence is gone, and nothing else to say of gone ones: one line when said before
    gone_said = told.said(gone_worked if gone_worked and not gone_free else None, kind="gone")
    if gone:
        names = sorted({str(datas[tid].get(ORIGIN_FIELD) or datas[tid].get("title") or datas[tid].get("doc_id"))
                        for tid in gone})
        notes.append(gone_reminder(gone_worked) if gone_said else
                     gone_note(len(gone_free), gone_worked, names, deleted if prune else None))

    version = _majority_version(tasks)
    switched = kept = False
    now = client.projects.get(id=project.id)
    current = previous = now.model_version or None
    # The project shows the pre-labels of the version pushed, when this push brought any. Pushing
    # again what is all there already (re-running `stance run` after a model's pre-labels went in)
    # leaves the project on the newer model.
    if version is not None and current != version and (new or extra or not current):
        if keep_trained and is_bootstrap(version) and not is_bootstrap(current):
            kept = True   # `stance run` on the bootstrap never undoes a trained model's pre-labels
            if new:
                notes.append(
                    f"the project keeps showing the trained model's pre-labels ({current}); the {len(new)} new "
                    f"claim(s) carry the bootstrap's ({version}), which Label Studio does not show while the "
                    f"project is on {current}, and its queue serves them after the pre-labelled ones")
        else:
            client.projects.update(id=project.id, model_version=version)
            current, switched = version, True
            if is_bootstrap(version) and previous and not is_bootstrap(previous):
                notes.append(f"the project's pre-labels switched from the trained model {previous} back to the "
                             f"bootstrap {version}; push the trained model's pre-labels again "
                             "(`stance prelabel --model MODEL_DIR`, then `stance push`) to switch back")
    told.take({project_doc: doc for doc, project_doc in matched.doc_ids.items()})
    told.write()
    n_per_task = getattr(now, "maximum_annotations", None)
    if _is_id(n_per_task) and n_per_task > 1:
        people = _people(client)
        if people is not None and people < n_per_task:
            notes.append(f"the project asks {n_per_task} annotators a task but the organisation has {people} "
                         f"{'person' if people == 1 else 'people'}: no task can be finished until more join "
                         "(Organization, then Add People), or push again with a lower --overlap")
    return {"project_id": project.id, "project": title, "created": created, "tasks_added": len(new),
            "tasks_present": len(tasks) - len(new), "tasks_kept": len(matched.tasks),
            "tasks_updated": len(refresh.updated), "tasks_unchanged": refresh.unchanged,
            "tasks_annotated_kept": len(refresh.kept), "annotated_kept_ids": sorted(refresh.kept),
            "tasks_gone": len(gone), "gone_worked_ids": gone_worked, "tasks_pruned": deleted,
            "fields_updated": dict(sorted(refresh.fields.items())),
            "predictions_refreshed": len(refresh.replace) + len(refresh.patch),
            "claim_ids": matched.claim_ids, "doc_ids": matched.doc_ids,
            "predictions_added": len(extra), "model_version": version,
            "model_version_switched": switched, "model_version_kept": kept, "previous_model_version": previous,
            "project_model_version": current,
            "overlap": n_per_task if _is_id(n_per_task) else None, "notes": notes}


def _project_record(workspace: str | Path | None, url: str | None, title: str) -> Any:
    """The scheme record of project ``title`` (None: no such project, or it records none)."""
    from annotate import studio

    client, _ = studio.connect(workspace, url=url)
    found = find_project(client, title)
    return local_record(workspace, title, marker_record(getattr(found, "label_config", None))) if found is not None else None


def check_title(project: str) -> None:
    """A UserError for a title Label Studio would refuse (its length), before anything is done."""
    low, high = TITLE_LENGTH
    if not low <= len(project.strip()) <= high:
        raise UserError(f"--project {project!r}: Label Studio takes project titles of {low} to {high} "
                        f"characters (this one has {len(project.strip())}); choose another title")


def _refuse_pair_rows(rows: list[dict[str, Any]], path: Path) -> None:
    """A UserError when the first row that is not a claim row is a pair row (``stance compare``'s
    pairs.jsonl given as claims): what helps is --pairs, not a word on schemes."""
    for n, row in enumerate(rows, start=1):
        if isinstance(row, dict) and row.get("claim_id") and isinstance(row.get("text"), str):
            continue
        found = [k for k in ("claim_a", "claim_b", "text_a", "text_b") if isinstance(row, dict) and k in row]
        if found:
            pid = row.get("pair_id")
            where = f"row {n}" + (f" (pair_id {pid})" if isinstance(pid, (str, int)) and pid else "")
            raise UserError(f"{path}: {where} is a pair row ({', '.join(found[:2])}): push this file with --pairs "
                            f"(`stance push --pairs {path} --project TITLE`), claims with --in")
        return


def push(path: str | Path, project: str, workspace: str | Path | None = None, url: str | None = None,
         scheme: Any = None, scope: str = "statements", pairs: bool = False,
         chunk_size: int = CHUNK, progress: bool = True, overlap: int | None = None,
         keep_trained: bool = False, known_files: dict[str, str] | None = None, prune: bool = False) -> dict[str, Any]:
    """Push a pre-labelled claims JSONL (or, with ``pairs``, a pairs JSONL) to project ``project``.

    Everything is converted and validated before the server is contacted. ``scope`` says which claim
    rows go (``corpus.claimfilter.in_scope``). ``overlap``, ``keep_trained``, ``known_files`` and
    ``prune`` as in ``push_tasks``: a task whose sentence no row of the file holds any more (every row
    counts, in scope or not) is gone. A claim task carries its file relative to the corpus (``source_file``), which tells
    an edited document's earlier tasks in a later push.
    ``scheme`` (a name, a YAML path or a loaded scheme; None: the one the pre-labels record, else the
    project's) is recorded in the project's label config (``annotate.project_scheme``). Returns what
    was added, with ``notes`` and ``warnings`` to print.
    """
    from annotate import studio, studio_api

    if scope not in SCOPES:
        raise UserError(f"--scope {scope!r}: expected one of {', '.join(SCOPES)}")
    if overlap is not None:
        overlap_settings(overlap)   # a bad value fails before anything is read or sent
    if prune and pairs:
        raise UserError("--prune deletes claim tasks whose sentence is gone; a pairs project has none to prune "
                        "(leave out --prune, or push claims with --in)")
    check_title(project)
    path = Path(path)
    tasks: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    skipped = duplicates = structure = 0
    notes: list[str] = []
    warnings: list[str] = []
    left_out: dict[str, dict[str, str]] = {}
    if pairs:
        config, instructions, key = lc.pairs_config(), lc.PAIRS_INSTRUCTIONS, "pair_id"
        convert = lambda pair, _: pair_to_task(pair)   # noqa: E731
        rows = read_jsonl(path)
    else:
        rows = list(read_jsonl(path))
        if not rows:   # said before any scheme is looked for, or the server asked
            raise UserError(f"{path}: no claims in it (an empty file); give the file `stance claims` or "
                            "`stance prelabel` wrote")
        _refuse_pair_rows(rows, path)   # before the scheme, which a pair row has none of, or the server
        resolved = claims_scheme(rows, scheme, path, project, lambda: _project_record(workspace, url, project))
        scheme, notes = resolved.scheme, list(resolved.notes)
        config = with_marker(lc.label_config(scheme), resolved.record)
        instructions, key = lc.instructions(scheme), "claim_id"
        # What pre-labelling recorded (the scheme's file, the model's directory) stays on this machine.
        # an interviewee's answer shows the interviewer's question before it (from the file's other rows)
        questions = interview_questions(rows)

        def convert(row: dict[str, Any], i: int) -> dict[str, Any]:
            fields: dict[str, str] = {}   # metadata the task cannot carry, named in a note
            task = claim_to_task({k: v for k, v in row.items() if k not in provenance.ROW_FIELDS}, scheme,
                                 questions.get(i), left_out=fields)
            if fields:
                left_out[str(row.get("claim_id"))] = fields
            return task
        model_dir = provenance.rows_model_dir(rows)
        warning = provenance.model_warning(model_dir) if model_dir else None
        if warning:
            warnings.append(warning)
    files = {} if pairs else relative_files(rows)
    for n, row in enumerate(rows, start=1):
        where = f"row {n}" + (f" ({key} {row[key]})" if isinstance(row.get(key), (str, int)) and row[key] else "")
        try:
            if not pairs and row.get("reason") in STRUCTURE:
                structure += 1   # "---", "title: ...", "Q:": even --all leaves them out
                continue
            if not pairs and not in_scope(row, scope):
                skipped += 1
                continue
            task = convert(row, n - 1)
            if files and isinstance(row.get("source_file"), str) and row["source_file"] in files:
                task["data"][ORIGIN_FIELD] = files[row["source_file"]]
        except ValueError as err:
            raise UserError(f"{path}: {where}: {err}") from None
        if task["data"][key] in seen:
            duplicates += 1
            continue
        seen.add(task["data"][key])
        tasks.append((where, task))
    dropped = left_out_note(left_out)
    if dropped:
        notes.append(dropped)
    if not tasks:
        raise UserError(f"{path}: nothing to push" + (f" (no row is one of the {scope}; --all pushes every sentence)"
                                                      if skipped else " (only front matter, bylines, datelines and "
                                                      "speaker markers)" if structure else ""))
    _validate(tasks, config, path)
    file_sentences: dict[str, set[str]] | None = None   # every row's, in scope or not: what the file still holds
    file_claims: set[str] = set()
    if not pairs:
        file_sentences = {}
        for row in rows:
            if isinstance(row, dict) and row.get("claim_id") is not None:
                file_claims.add(str(row["claim_id"]))
                file_sentences.setdefault(str(row.get("doc_id")), set()).add(str(row.get("text")))

    client, info = studio.connect(workspace, url=url)
    from label_studio_sdk.core.api_error import ApiError
    import httpx

    try:
        summary = push_tasks(client, project, config, instructions, [t for _, t in tasks], key,
                             chunk_size=chunk_size, progress=progress, overlap=overlap, keep_trained=keep_trained,
                             known_files=known_files, workspace=workspace, prune=prune,
                             file_sentences=file_sentences, file_claims=file_claims)
    except httpx.HTTPError as err:
        raise UserError(f"Label Studio at {info['url']} stopped answering during the push ({type(err).__name__}); "
                        "start it again and re-run the same command: it adds only what is missing") from None
    except ApiError as err:
        raise UserError(f"Label Studio at {info['url']} refused the push "
                        f"({err.status_code}: {studio_api.api_error_text(err, info['api_key'])}); "
                        "re-run the same command once fixed: it adds only what is missing") from None
    summary["notes"] = notes + summary["notes"]
    if not pairs:   # where the scheme's YAML is, which the project's label config leaves out
        remember(workspace, project, resolved.record)
    summary.update(url=info["url"], rows=len(tasks), out_of_scope_skipped=skipped, scope=scope, structure_skipped=structure,
                   duplicates_skipped=duplicates, warnings=warnings,
                   project_url=f"{info['url']}/projects/{summary['project_id']}/data")
    return summary
