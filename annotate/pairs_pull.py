"""Pull a comparison project (`stance push --pairs`): claim pairs and their judged relation.

The export, the agreement figures, the resolution rule and the writing are those of
``annotate.pull``; this module only says what a pair's rows hold. A pairs pull writes
``annotations.jsonl`` (one row an annotation: both claims, their documents and texts, the relation
id, the annotator, the suggested relation shown), ``labels.jsonl`` (one row a pair, the relation
resolved across annotators by ``agreement.resolve``) and a ``DatasetDict`` with ``text_a``,
``text_b`` and ``label`` (a ClassLabel of the relation ids) that trains a pair classifier, split by
the pair's two documents so no document pair straddles two splits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from annotate import labelconfig as lc
from annotate import pull_rows


class Relation(NamedTuple):
    id: str
    name: str


class RelationScheme(NamedTuple):
    """The relations of a pairs project, shaped like a label scheme (``name``, ``labels``)."""
    name: str
    labels: tuple[Relation, ...]


RELATION_SCHEME = RelationScheme("pair_relation", tuple(Relation(rid, name) for rid, name, _, _ in lc.RELATIONS))
# Task data of a pair (claim_tasks.pair_to_task) that a row keeps; the rest only serves the annotation view.
PAIR_FIELDS = ("pair_id", "claim_a", "claim_b", "doc_a", "doc_b", "text_a", "text_b", "stance_a", "stance_b",
               "similarity")
PAIR_DISPLAY = frozenset({"a_html", "b_html", "a_source", "b_source", "pair_line"})
# The split unit: both documents of the pair, sorted, so (a, b) and (b, a) fall together.
DOC_PAIR = "doc_pair"
DATASET_LAYOUT = {"first": ("text_a", "text_b", "label", "pair_id", "doc_a", "doc_b"), "group": DOC_PAIR,
                  "key": "pair_id"}


def is_pairs_config(config: str | None) -> bool:
    """Whether a label config is the comparison view (a ``relation`` Choices on ``claim_a``)."""
    return lc.config_kind(config) == "pairs"


def is_pairs_export(tasks: Sequence[dict[str, Any]]) -> bool:
    """Whether exported tasks are claim pairs (their data holds ``pair_id`` and ``claim_a``)."""
    return any("pair_id" in (task.get("data") or {}) and "claim_a" in (task.get("data") or {}) for task in tasks)


def doc_pair(doc_a: Any, doc_b: Any) -> str | None:
    """The two documents of a pair as one split key, order-free; None when neither is known."""
    docs = sorted(str(d) for d in (doc_a, doc_b) if d is not None)
    return " | ".join(docs) if docs else None


def annotation_to_pair_row(task: dict[str, Any], annotation: dict[str, Any], scheme: Any = RELATION_SCHEME,
                           users: dict[int, str] | None = None,
                           lookup: dict[str, str] | None = None) -> dict[str, Any]:
    """One row of a pairs ``annotations.jsonl``: the pair's fields, then ``pull_rows.annotation_fields``
    (``label`` and ``prediction`` are relation ids). ValueError when a choice is not a relation."""
    data = task.get("data") or {}
    row = {name: data.get(name) for name in PAIR_FIELDS}
    row.update(pull_rows.annotation_fields(task, annotation, scheme, users, lookup, control=lc.RELATION))
    extra = {k: v for k, v in data.items() if k not in PAIR_FIELDS and k not in PAIR_DISPLAY}
    for side in ("a", "b"):   # the paragraph each claim was shown in, when the data has none of its own
        context = pull_rows.context_from_html(data.get(f"{side}_html"))
        if context is not None and f"context_{side}" not in extra:
            extra[f"context_{side}"] = context
    return pull_rows._with_meta(row, extra)


def tasks_to_pair_rows(tasks: Sequence[dict[str, Any]], users: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Annotation rows of every exported pair task, ordered by pair then time; errors name the task."""
    return pull_rows.tasks_to_rows(tasks, RELATION_SCHEME, users, key="pair_id", convert=annotation_to_pair_row)


def pair_label_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row a pair with a (non-skipped) label: its relation resolved across annotators, and ``doc_pair``."""
    labels = pull_rows.label_rows(rows, key="pair_id", carry=PAIR_FIELDS[1:])
    for row in labels:
        row[DOC_PAIR] = doc_pair(row.get("doc_a"), row.get("doc_b"))
    return labels


__all__ = ["RELATION_SCHEME", "PAIR_FIELDS", "DATASET_LAYOUT", "is_pairs_config", "is_pairs_export", "doc_pair",
           "annotation_to_pair_row", "tasks_to_pair_rows", "pair_label_rows"]
