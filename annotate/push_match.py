"""Edited documents: which tasks already in a project stand for a push's new claims. No server here.

A file document's id is a hash of its text, and a claim's id a hash of its document's id, offsets and
text: after one sentence of a file is edited, every claim of the file has a new id. A push then
finds, for each document whose claims are not all in the project, the document it replaces there: one
read from the same file (the ``source_file`` tasks carry, relative to the corpus; in a file of
several documents, with the same ``title`` too), else one a claim shares its sentence, offsets and
source with (tasks pushed before tasks carried their file). In a file of several documents only ids
made from the text pair (a row or post with an id of its own is another document when its id differs). Each new claim whose sentence is the text
of a task of that document which no claim of the push holds any more is not imported: that task (and
its annotations) stands for it. The document's new tasks carry the replaced document's id, so a
project keeps one id for a file across edits (its split in a pulled dataset stays put).
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

ORIGIN_FIELD = "source_file"   # a task's file, relative to the corpus (``relative_files``)


def relative_files(rows: list[dict[str, Any]]) -> dict[str, str]:
    """``{source_file: path relative to the folder holding all of them}`` for claim rows: the same file
    gets the same name whether the corpus was given as ``corpus``, ``./corpus`` or an absolute path
    (and no path of this machine reaches the project)."""
    files = sorted({str(row["source_file"]) for row in rows if isinstance(row.get("source_file"), str)
                    and row["source_file"].strip()})
    if not files:
        return {}
    absolute = {f: os.path.abspath(f) for f in files}
    try:
        root = os.path.commonpath([os.path.dirname(a) for a in absolute.values()])
    except ValueError:   # files on different drives: their names alone
        return {f: os.path.basename(f) for f in files}
    return {f: os.path.relpath(a, root).replace(os.sep, "/") for f, a in absolute.items()}


def place(data: dict[str, Any]) -> tuple[Any, ...] | None:
    """Where a claim task's sentence sits, whatever its claim_id: its text, offsets and source (None
    for a task without them, or a pair)."""
    if "text" not in data or "start" not in data:
        return None
    return (str(data["text"]), data.get("start"), data.get("end"),
            *(str(data.get(k) or "") for k in ("outlet", "author", "title", "date", "url")))


@dataclass
class Matched:
    """What ``match`` found: the task each kept claim is, the document ids the project keeps, and per
    edited file (its name in the project) the claims kept and added and the tasks left."""

    tasks: dict[str, int] = field(default_factory=dict)            # new claim_id -> task id standing for it
    claim_ids: dict[str, str] = field(default_factory=dict)        # new claim_id -> that task's claim_id
    doc_ids: dict[str, str] = field(default_factory=dict)          # doc_id of the push -> the project's doc_id
    files: dict[str, Counter] = field(default_factory=dict)        # file -> {"kept", "added", "left"}
    replaced: dict[str, str] = field(default_factory=dict)         # the project's doc_id an edited one replaced -> it


def _hashed(doc_id: str) -> bool:
    """Whether a document id was made from the document's content (``corpus.records.content_id``)."""
    return re.fullmatch(r"[0-9a-f]{16}", doc_id) is not None


def _origin(data: dict[str, Any], multi: set[str], known: dict[str, str]) -> tuple[str, str] | None:
    """A task's (or a new task's) file, with its title in a file of several documents; None when unknown."""
    file = data.get(ORIGIN_FIELD) or known.get(str(data.get("doc_id")))
    if not isinstance(file, str) or not file:
        return None
    return file, str(data.get("title") or "") if file in multi else ""


def match(tasks: list[dict[str, Any]], existing: dict[int, dict[str, Any]],
          known_files: dict[str, str] | None = None, texts_taken: dict[str, str] | None = None) -> Matched:
    """Which of ``tasks`` (claim tasks of a push) the project's tasks (``existing``: task id -> data)
    already hold: by claim_id, or, for an edited document, by its sentence (module docstring).
    ``known_files`` maps doc_ids of tasks that carry no file (pushed by an older stance) to their file.
    ``texts_taken``: the project's doc_id -> the doc_id of the text a previous push matched to it; claims
    made again from that text add nothing to ``files`` (the document did not change since)."""
    known = known_files or {}
    texts_taken = texts_taken or {}
    out = Matched()
    by_claim = {str(d.get("claim_id")): tid for tid, d in sorted(existing.items()) if d.get("claim_id") is not None}
    pushed_claims = {str(t["data"]["claim_id"]) for t in tasks}
    pushed_docs = {str(t["data"].get("doc_id")) for t in tasks}
    docs_of_file: dict[str, set[str]] = defaultdict(set)
    for t in tasks:
        if isinstance(t["data"].get(ORIGIN_FIELD), str):
            docs_of_file[t["data"][ORIGIN_FIELD]].add(str(t["data"].get("doc_id")))
    multi = {f for f, docs in docs_of_file.items() if len(docs) > 1}
    project_docs = {str(d.get("doc_id")) for d in existing.values()}

    # Tasks no claim of the push holds any more (an edited sentence's old version, or every task of a
    # document whose id changed): the ones that may stand for a new claim.
    stale: dict[str, list[int]] = defaultdict(list)   # doc_id -> task ids, in sentence order
    for tid, d in sorted(existing.items(), key=lambda kv: (kv[1].get("start") or 0, kv[0])):
        if str(d.get("claim_id")) not in pushed_claims and place(d) is not None:
            stale[str(d.get("doc_id"))].append(tid)
    gone_by_origin: dict[tuple[str, str], set[str]] = defaultdict(set)
    gone_by_place: dict[tuple[Any, ...], str] = {}
    for doc, tids in stale.items():
        if doc in pushed_docs:
            continue
        for tid in tids:
            origin = _origin(existing[tid], multi, known)
            if origin is not None:
                gone_by_origin[origin].add(doc)
            gone_by_place.setdefault(place(existing[tid]), doc)

    taken: set[int] = set()
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in tasks:
        by_doc[str(t["data"].get("doc_id"))].append(t["data"])
    for doc, claims in by_doc.items():
        # A document some of whose claims are in the project under another document id (its earlier
        # new sentences, given the replaced document's id by an earlier push) keeps that id.
        held = Counter(str(existing[by_claim[c["claim_id"]]].get("doc_id")) for c in claims if c["claim_id"] in by_claim)
        fresh = [c for c in claims if c["claim_id"] not in by_claim]
        if not fresh:
            if held and held.most_common(1)[0][0] != doc:
                out.doc_ids[doc] = held.most_common(1)[0][0]
            continue
        if doc in project_docs:
            replaced = {doc}
        else:
            replaced = set()
            for c in fresh:
                origin = _origin(c, multi, {})
                if origin is not None:
                    replaced |= gone_by_origin.get(origin, set())
                if place(c) in gone_by_place:
                    replaced.add(gone_by_place[place(c)])
            replaced |= {d for d in held if d != doc}
            file = fresh[0].get(ORIGIN_FIELD)
            if not isinstance(file, str) or file in multi:
                # a row (or post) with an id of its own is another document when its id differs: only
                # ids made from the text (an edited row without one) are paired
                replaced = {d for d in replaced if _hashed(d)} if _hashed(doc) else set()
        if not replaced:
            continue
        out.replaced.update((old, doc) for old in replaced)
        pool: dict[str, list[int]] = defaultdict(list)   # sentence -> stale task ids standing free
        for old in sorted(replaced):
            for tid in stale.get(old, []):
                if tid not in taken:
                    pool[str(existing[tid]["text"])].append(tid)
        used: Counter = Counter()
        counts = Counter()
        for c in fresh:
            free = pool.get(str(c["text"]))
            if free:
                tid = free.pop(0)
                taken.add(tid)
                out.tasks[c["claim_id"]] = tid
                out.claim_ids[c["claim_id"]] = str(existing[tid]["claim_id"])
                used[str(existing[tid].get("doc_id"))] += 1
                counts["kept"] += 1
            else:
                counts["added"] += 1
        counts["left"] = sum(len(tids) for tids in pool.values())
        if doc not in project_docs:
            keep = (held + used).most_common(1)[0][0] if held or used else sorted(replaced)[0]
            out.doc_ids[doc] = keep
        # else said by the push that gave its new sentences the old id, or that took this text (the
        # project keeps the old id only: claims made again from the text carry the text's)
        if counts["added"] or not (held or texts_taken.get(out.doc_ids.get(doc, doc)) == doc):
            name = fresh[0].get(ORIGIN_FIELD) or fresh[0].get("title") or doc
            out.files.setdefault(str(name), Counter({"kept": 0, "added": 0, "left": 0})).update(counts)
    return out


def edited_note(files: dict[str, Counter], shown: int = 5) -> str | None:
    """One note on the documents edited since they were pushed: per file, the sentences that keep
    their task, the new tasks, and the tasks whose sentence is gone (left in the project)."""
    if not files:
        return None
    parts = []
    for name, c in sorted(files.items())[:shown]:
        part = f"{name} ({c['kept']} sentence(s) keep their task, {c['added']} new or changed sentence(s) get a new task"
        part += f", {c['left']} task(s) whose sentence is no longer there are left in the project)" if c["left"] else ")"
        parts.append(part)
    more = len(files) - shown
    return (f"{len(files)} document(s) changed since they were pushed: " + "; ".join(parts)
            + (f"; and {more} more" if more > 0 else "")
            + ". Kept tasks keep their annotations and claim_id")
