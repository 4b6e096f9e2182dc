"""What a push changes in the tasks a project holds already: their data and pre-labels, when the
claims were made again (a better splitter, a corrected document, new metadata). No server here:
``annotate.push`` reads the project and sends what ``plan_refresh`` decides.

A task nobody has worked on (no annotation, no skip, no draft) gets the data the push makes for its
claim, in place (its id, claim_id, doc_id and file stay the project's), and its pre-label of the
pushed model version when that changed. A task somebody has worked on is never touched: an annotation
was made on what the task showed, and a cue span's offsets point into its text; it is reported with
the fields that differ instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Fields that say which claim, document and file a task is: the project's values stand (an edited
# document's tasks keep the ids and the file name they were pushed with: ``annotate.push_match``).
IDENTITY = ("claim_id", "pair_id", "doc_id", "source_file")
# A pre-label's score moving less than this is no change: the bootstrap fits its end model over all
# the claims of a run, so every score of a run on changed claims moves a little, its label not.
SCORE_CHANGE = 0.01


def _same(a: Any, b: Any) -> bool:
    """Equal once through JSON (as Label Studio stores them): tuples and lists, 1 and 1.0 alike."""
    return bool(json.loads(json.dumps(a)) == json.loads(json.dumps(b)))


def wanted_data(pushed: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """The data a task should hold: the push's, with the project's ids and file (``IDENTITY``)."""
    out = dict(pushed)
    for key in IDENTITY:
        if key in held:
            out[key] = held[key]
    return out


def changed_fields(wanted: dict[str, Any], held: dict[str, Any]) -> list[str]:
    """The data fields whose value differs (a field on one side only counts), sorted."""
    return sorted(k for k in set(wanted) | set(held) if k not in wanted or k not in held or not _same(wanted[k], held[k]))


def _shown_same(wanted: Any, held: Any) -> bool:
    """A list of names pushed where the task holds it joined with commas, as pushes before lists were
    kept made it: the annotator saw the same line, so the task did not change for them."""
    return (isinstance(wanted, list) and isinstance(held, str)
            and all(isinstance(v, str) for v in wanted) and ", ".join(wanted) == held)


def _result(prediction: dict[str, Any]) -> list[Any]:
    """A prediction's result as compared: what each item chose, not the ids the server adds."""
    return [{k: item.get(k) for k in ("from_name", "to_name", "type", "value")}
            for item in prediction.get("result") or [] if isinstance(item, dict)]


def same_prelabel(pushed: dict[str, Any], held: dict[str, Any]) -> bool:
    """Whether a held prediction says what the pushed one says: the same choice, the score within
    ``SCORE_CHANGE``."""
    if not _same(_result(pushed), _result(held)):
        return False
    a, b = pushed.get("score"), held.get("score")
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return a == b
    return abs(float(a) - float(b)) < SCORE_CHANGE


@dataclass
class Refresh:
    """What ``plan_refresh`` decided for the tasks a push found in the project."""

    data: dict[int, dict[str, Any]] = field(default_factory=dict)     # task id -> its new data (one PATCH each)
    # task id -> every prediction it should hold (the pushed ones and its other model versions'), for
    # tasks whose stale pre-labels are all of versions the push brings: replaced in bulk
    replace: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # prediction id -> its new result and score, on tasks that hold other model versions' pre-labels too
    patch: dict[int, dict[str, Any]] = field(default_factory=dict)
    updated: list[int] = field(default_factory=list)                  # task ids given new data or pre-labels
    unchanged: int = 0
    kept: dict[int, list[str]] = field(default_factory=dict)          # worked-on task id -> what differs
    fields: dict[str, int] = field(default_factory=dict)              # data field -> tasks updated in it


def plan_refresh(tasks: list[dict[str, Any]], key: str, stands: dict[str, int], held: dict[int, dict[str, Any]],
                 worked: set[int], predictions: dict[int, list[dict[str, Any]]]) -> Refresh:
    """For each of ``tasks`` (a push's) that a project task stands for (``stands``: key -> task id),
    what to change in that task. ``held``: task id -> its data; ``worked``: the task ids someone
    annotated, skipped or drafted; ``predictions``: task id -> its predictions as the server lists
    them (``id``, ``model_version``, ``result``, ``score``). A pushed pre-label of a model version
    the task lacks is not handled here (the push adds it, annotated or not)."""
    out = Refresh()
    for task in tasks:
        tid = stands.get(task["data"][key])
        if tid is None or tid not in held:
            continue
        wanted = wanted_data(task["data"], held[tid])
        fields = changed_fields(wanted, held[tid])
        has = predictions.get(tid, [])
        stale: list[tuple[dict[str, Any], dict[str, Any]]] = []   # (pushed prediction, the held one it replaces)
        for pushed in task.get("predictions", []):
            same_version = [p for p in has if p.get("model_version") == pushed["model_version"]]
            if same_version and not any(same_prelabel(pushed, p) for p in same_version):
                stale.append((pushed, max(same_version, key=lambda p: p.get("id") or 0)))
        if not fields and not stale:
            out.unchanged += 1
            continue
        if tid in worked:
            fields = [f for f in fields if not _shown_same(wanted.get(f), held[tid].get(f))]
            if not fields and not stale:
                out.unchanged += 1
            else:
                out.kept[tid] = fields + (["pre-label"] if stale else [])
            continue
        out.updated.append(tid)
        if fields:
            out.data[tid] = wanted
            for name in fields:
                out.fields[name] = out.fields.get(name, 0) + 1
        if not stale:
            continue
        pushed_versions = {p["model_version"] for p in task.get("predictions", [])}
        if all(p.get("model_version") in pushed_versions for p in has):
            # every pre-label the task holds is of a version this push brings: delete them and import
            # the push's (a push cut off between the two adds them again, as to any task lacking them)
            out.replace[tid] = [{k: p[k] for k in ("model_version", "score", "result") if k in p}
                                for p in task["predictions"]]
        else:   # other models' pre-labels stay as they are: the stale ones are changed one by one
            for pushed, old in stale:
                out.patch[old["id"]] = {"result": pushed["result"], "score": pushed["score"]}
    return out


# What a kept task's differing data fields are to its annotator, in the order a note names them.
_KINDS = (("text", ("text", "text_shown")), ("offsets", ("start", "end", "context_start")),
          ("context", ("context_html", "source_line")))


def differs(fields: list[str]) -> list[str]:
    """What a task's differing fields amount to: 'text', 'offsets', 'context', 'metadata' (any other
    data field, the title or outlet say), 'pre-label'; in that order, each once."""
    out = [kind for kind, names in _KINDS if any(f in names for f in fields)]
    named = {f for _, names in _KINDS for f in names} | {"pre-label"}
    out += ["metadata"] if any(f not in named for f in fields) else []
    return out + (["pre-label"] if "pre-label" in fields else [])


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else ""


def _task_ids(ids: list[int], shown: int = 20) -> str:
    """Task ids as a note lists them: the first ``shown``, then ' ...' when there are more."""
    return ", ".join(map(str, ids[:shown])) + (" ..." if len(ids) > shown else "")


def kept_note(kept: dict[int, list[str]], url: str, project_id: int, shown: int = 5) -> str | None:
    """The note on tasks someone worked on whose claim the push would change: how many, what differs
    (their text, or only offsets, context, metadata or pre-label), where to see them, and what to do."""
    if not kept:
        return None
    counts: dict[str, int] = {}
    for fields in kept.values():
        for name in fields:
            counts[name] = counts.get(name, 0) + 1
    what = ", ".join(f"{name} ({n})" for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    differing = differs(list(counts))
    kinds = _and(differing)
    ids = sorted(kept)
    links = ", ".join(f"{url}/projects/{project_id}/data?task={tid}" for tid in ids[:shown])
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    same_text = "" if "text" in differing else " (their claim's text is the same)"
    return (f"{len(kept)} annotated task(s) kept their old {kinds}{same_text}: an annotation, a skip or a draft was "
            f"made on what they show, so the push left them as they were (it would have changed {what}); "
            f"see them in Label Studio: {links}{more} (task ids {_task_ids(ids)}); to show one the new {kinds}, "
            "delete its annotations there (Data Manager, select, Delete Annotations) and push again")


def kept_reminder(kept: dict[int, list[str]]) -> str:
    """One line for kept tasks a previous push from this workspace named already, none changed since."""
    return (f"{len(kept)} annotated task(s) still keep their old {_and(differs(sorted({f for v in kept.values() for f in v})))}"
            f", as the previous push said (task ids {_task_ids(sorted(kept))})")


def document_sentences(file_sentences: dict[str, set[str]], doc_ids: dict[str, str],
                       replaced: dict[str, str]) -> dict[str, set[str]]:
    """The pushed file's sentences (``file_sentences``: the push's doc_id -> its sentences) by the
    project's doc_id, as ``gone_tasks`` takes them: a document the project holds under another id
    (``doc_ids``: the push's doc_id -> the project's) under that one, and an edited document's earlier
    text (``replaced``: the project's doc_id -> the push's it was replaced by) given its new text's."""
    sentences: dict[str, set[str]] = {}
    for doc, texts in file_sentences.items():
        sentences.setdefault(doc_ids.get(doc, doc), set()).update(texts)
    for old, doc in replaced.items():
        sentences.setdefault(old, set()).update(file_sentences.get(doc, set()))
    return sentences


def gone_tasks(held: dict[int, dict[str, Any]], sentences: dict[str, set[str]], claim_ids: set[str],
               standing: set[int]) -> list[int]:
    """The claim tasks whose sentence is gone: of a document the push holds (``sentences``: the
    project's doc_id -> the sentences the pushed file has of it, every row, in scope or not), neither
    their claim_id among the file's (``claim_ids``) nor their text among their document's, and
    standing for no pushed claim (``standing``: task ids). A task of a document the file does not
    hold is never one: the file may be one of several pushed into the project."""
    return sorted(tid for tid, d in held.items()
                  if d.get("claim_id") is not None and tid not in standing and str(d.get("doc_id")) in sentences
                  and str(d["claim_id"]) not in claim_ids and str(d.get("text")) not in sentences[str(d.get("doc_id"))])


def gone_note(free: int, worked: list[int], documents: list[str], deleted: int | None = None,
              shown: int = 5) -> str | None:
    """The note on tasks whose sentence is gone: how many, of which documents, what is left in the
    queue (``free``: nobody worked on them) or was deleted (``deleted``, with --prune; None without),
    and the worked-on ones (task ids), which stay."""
    n = free + len(worked)
    if not n:
        return None
    docs = ", ".join(documents[:shown]) + (f" and {len(documents) - shown} more" if len(documents) > shown else "")
    parts = []
    if deleted is None and free:
        parts.append(f"{free} nobody worked on {'stays' if free == 1 else 'stay'} in the labelling queue; push again "
                     f"with --prune to delete {'it' if free == 1 else 'them'}")
    elif deleted is not None and free:
        more = free - deleted
        parts.append(f"{deleted} nobody had worked on {'was' if deleted == 1 else 'were'} deleted" + (
            f" ({more} more {'was' if more == 1 else 'were'} annotated, skipped or drafted meanwhile and "
            f"{'stays' if more == 1 else 'stay'})" if deleted < free else ""))
    if worked:
        parts.append(f"{len(worked)} annotated, skipped or drafted {'stays' if len(worked) == 1 else 'stay'}, --prune "
                     f"or not (task ids {_task_ids(worked)}): `stance pull` keeps their labels, on the text they were labelled on; "
                     "delete one in Label Studio if its label should go")
    return f"{n} task(s) {'held' if deleted is not None else 'hold'} a sentence their document no longer has ({docs}): " + "; ".join(parts)


def gone_reminder(worked: list[int]) -> str:
    """One line for worked-on tasks whose sentence is gone that the previous push named already."""
    return (f"{len(worked)} annotated, skipped or drafted task(s) whose sentence is gone still "
            f"{'stays' if len(worked) == 1 else 'stay'}, as the previous "
            f"push said (task ids {_task_ids(worked)})")
