"""Exported Label Studio tasks turned into rows, resolved labels and report figures: pure, no server.

Pure converters turn each annotation of an exported task into a row of ``annotations.jsonl``
(``annotation_fields`` holds what a claim row and a pair row share) and each item's votes into a
row of ``labels.jsonl`` (resolved by ``agreement.resolve``); ``build_report`` gives the figures of
``report.json``. ``annotate.pull`` fetches the tasks and writes these; ``annotate.pairs_pull`` makes
the rows of a comparison project from the same pieces.
"""

from __future__ import annotations

import html
import re
import shlex
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from annotate import agreement
from annotate import labelconfig as lc
from corpus.errors import UserError
from corpus.safetext import marked, text_offset
from models.provenance import DEFAULT_SCHEME

# Task data fields that only serve the annotation view: not metadata of the claim.
DISPLAY_FIELDS = frozenset({"context_html", "source_line", "text_shown", "title_shown"})
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


def flag_note(report: dict[str, Any]) -> str:
    """The flagged claims' hint of a pull ``report``, ending in the `stance train` command: with a
    scheme of the project's own, ``--scheme`` and where it is (clean.parquet has no pull report
    beside it to say which). report.json, report.html and the terminal all take it from here."""
    source = report.get("scheme_source")
    if source and report.get("scheme") != DEFAULT_SCHEME:
        return f"{FLAG_NOTE} --scheme {shlex.quote(str(source))}"
    return FLAG_NOTE


TIE_ADVICE = ("adjudicate them: have a third annotator label them (a majority then settles each), "
              "or have the project owner re-label them (the latest vote wins a tie)")
DISPUTED_FILTER = "agreement < 1"   # pandas: d[d.agreement < 1]; a single annotator's null is left out
DISPUTED_RULES = (TIE_RULE, "plurality", "majority")   # the order the report lists them in


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
        if item.get("type") != "choices" or item.get("from_name") == lc.PROBLEM:   # a flag is no stance
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


def _flag_order(flags: Any) -> list[str]:
    """Problem flags in the labelling view's order, any other value after them by name."""
    return sorted(set(flags), key=lambda f: (lc.PROBLEM_IDS.index(f) if f in lc.PROBLEM_IDS else len(lc.PROBLEM_IDS), f))


def _problems(result: Sequence[dict[str, Any]]) -> list[str]:
    """The problem flags an annotator ticked (``not_a_claim``, ...), sorted; a value no config of
    `stance push` offers is kept as given."""
    flags = {PROBLEM_LOOKUP.get(str(value), PROBLEM_LOOKUP.get(str(value).casefold(), str(value)))
             for item in result or () if item.get("type") == "choices" and item.get("from_name") == lc.PROBLEM
             for value in (item.get("value") or {}).get("choices") or []}
    return _flag_order(flags)


def _cues(result: Sequence[dict[str, Any]], data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The framing-cue spans of a result, with offsets into the claim's ``text`` (``data``'s). A span
    marked on the shown text (``text_shown``, where a bidi control is a marker of several characters)
    is mapped back, and its text is the claim's own, controls and Markdown markers all."""
    text = (data or {}).get("text")
    # Tasks pushed before the view showed `text_shown` had their spans marked on `text` itself.
    shown = marked(text) if isinstance(text, str) and "text_shown" in (data or {}) else None
    cues = []
    for item in result or ():
        if item.get("type") != "labels":
            continue
        value = item.get("value") or {}
        start, end, said = value.get("start"), value.get("end"), value.get("text")
        if (shown is not None and shown != text and isinstance(start, int) and isinstance(end, int)
                and not (said is not None and text[start:end] == said != shown[start:end])):
            start, end = text_offset(text, start), text_offset(text, end, end=True)
        if shown is not None and isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
            said = text[start:end]   # the claim's own characters: the line shows its Markdown markers as zero-width spaces
        cues.append({"start": start, "end": end, "text": said, "label": (value.get("labels") or [None])[0]})
    return sorted(cues, key=lambda c: (c["start"] if isinstance(c["start"], int) else -1))


def _annotator(completed_by: Any, users: dict[int, str]) -> tuple[str, int | None]:
    """(email, id) of an annotation's author; the export gives an id, or a dict when expanded."""
    if isinstance(completed_by, dict):
        uid = completed_by.get("id")
        return str(completed_by.get("email") or users.get(uid) or f"user-{uid}"), uid
    if isinstance(completed_by, int):
        return users.get(completed_by, f"user-{completed_by}"), completed_by
    return "unknown", None


# A bidi control as `stance push` shows it in HTML (annotate.claim_tasks.shown_html).
BIDI_MARKER_HTML = re.compile(r'<span data-bidi="([0-9A-F]{4})"[^>]*>[^<]*</span>')


# What the page adds to a context and the pull drops (annotate.context_markdown): a list item's bullet.
SHOWN_ONLY_HTML = re.compile(r'<span data-md-shown=""[^>]*>[^<]*</span>')
TAG = re.compile(r"<[^>]*>")


def context_from_html(markup: Any) -> str | None:
    """The context an annotator saw around the claim, from the ``context_html`` of `stance push` (an
    interviewer's question's block, the context escaped, the claim in ``<mark>``, then the free
    metadata's block); None when the claim was shown alone (nothing around it). A bidi control
    shown as a marker is the control again; the context's text is every text in its markup, its
    Markdown markers (hidden on the page) included, less what the page adds (a list's bullets)."""
    if not isinstance(markup, str) or "<mark>" not in markup or "</mark>" not in markup:
        return None
    markup = BIDI_MARKER_HTML.sub(lambda m: chr(int(m.group(1), 16)), markup)
    if markup.startswith("<div"):   # the question's block: a div of its own, before the context
        markup = markup.split("</div>", 1)[-1]
    markup = markup.split("<div", 1)[0]   # and the metadata block after it (the context holds no div)
    before, rest = SHOWN_ONLY_HTML.sub("", markup).split("<mark>", 1)
    claim, after = rest.split("</mark>", 1)
    before, claim, after = (html.unescape(TAG.sub("", part)) for part in (before, claim, after))
    if not before and not after:
        return None
    return before + claim + after


def claim_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """A task's data minus the claim fields and the display-only fields; ``context`` (the text shown
    around the claim) recovered from ``context_html`` when the data has no ``context`` of its own."""
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
           "cues": _cues(annotation.get("result") or [], data),
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
            row["problems"] = _flag_order(flags)
            row["flagged"] = bool(flags)
        meta = {k: v for k, v in latest.items() if k not in ANNOTATION_FIELDS}
        out.append({**row, **{k: v for k, v in meta.items() if k not in row}})
    return out


def disputed(labels: Sequence[dict[str, Any]], key: str = "claim_id") -> list[dict[str, Any]]:
    """The label rows whose annotators disagree (two or more of them, not unanimous): ties first,
    then the least agreement, then by ``key``: the list a reviewer adjudicates."""
    rows = [r for r in labels if (r.get("n_annotators") or 0) >= 2 and r.get("rule") in DISPUTED_RULES]
    return sorted(rows, key=lambda r: (DISPUTED_RULES.index(r["rule"]), r.get("agreement") or 0.0, str(r[key])))


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
    skipped = [r for r in rows if r["skipped"]]
    return {
        "scheme": scheme.name,
        "n_tasks_exported": n_tasks,
        "n_annotations": len(rows),
        "n_skipped": len(skipped),
        "skipped": {
            "n": len(skipped),
            "n_items": len({r[key] for r in skipped}),
            "by_annotator": dict(sorted(Counter(r["annotator"] for r in skipped).items())),
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
        "disputed": {
            "n": sum(rules[rule] for rule in DISPUTED_RULES),
            "n_ties": rules[TIE_RULE],
            "n_outvoted": sum(rules[rule] for rule in DISPUTED_RULES if rule != TIE_RULE),
            "filter": DISPUTED_FILTER,
            "note": f"{unit}s whose annotators disagree: ties, and labels that outvoted a dissent; report.html "
                    "lists each with every annotator's label and the pre-label shown",
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
        "by_problem": {f: by_problem[f] for f in _flag_order({*lc.PROBLEM_IDS, *by_problem})},
        "filter": FLAG_FILTER,
        "note": FLAG_NOTE,
    }


__all__ = ["annotation_fields", "annotation_to_row", "tasks_to_rows", "label_rows", "build_report", "problem_summary",
           "flag_note",
           "disputed",
           "choice_to_label", "label_lookup", "claim_metadata", "context_from_html"]
