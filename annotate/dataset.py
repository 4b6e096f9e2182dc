"""Labelled claims as a ``datasets.DatasetDict`` split by document, plus Parquet for pandas users.

A document's split comes from a hash of its id, so it never changes between pulls: a document in
test stays in test as annotation goes on, and no document's claims straddle two splits. With fewer
than three documents everything goes to train (there is nothing to hold out honestly).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SPLITS = ("train", "validation", "test")
FRACTIONS = (0.8, 0.1, 0.1)
MIN_DOCUMENTS = 3
# Columns of labels.jsonl that stay out of the dataset: per-annotator votes are a dict that Arrow
# would turn into a struct with one field per annotator.
DROPPED = ("votes",)
# The leading columns of a claims dataset; a pairs pull passes its own (annotate/pairs_pull.py).
CLAIM_COLUMNS = ("claim_id", "doc_id", "text", "label")


def _bucket(doc_id: str) -> float:
    """A number in [0, 1) fixed by the document id."""
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12], 16) / float(16 ** 12)


def document_splits(doc_ids: Sequence[str], unit: str = "document") -> tuple[dict[str, str], str | None]:
    """Each document's split and a note when the split had to bend.

    Documents fall into train / validation / test by a hash of their id (80/10/10); when that leaves
    a split empty (few documents), the documents are allocated by hash rank instead. ``unit`` names
    what an id stands for in the note ("document pair" for a pairs pull).
    """
    docs = sorted(set(doc_ids), key=lambda d: (_bucket(d), d))
    if len(docs) < MIN_DOCUMENTS:
        return ({d: "train" for d in docs},
                f"only {len(docs)} {unit}(s): every row is in train, no validation or test split")
    cut_train, cut_val = FRACTIONS[0], FRACTIONS[0] + FRACTIONS[1]
    split = {d: "train" if _bucket(d) < cut_train else "validation" if _bucket(d) < cut_val else "test" for d in docs}
    note = None
    if set(split.values()) != set(SPLITS):
        # Too few documents for the hash buckets to fill every split: allocate by hash rank instead,
        # the highest-hashed documents held out (still fixed by the ids alone).
        n_test = n_val = max(1, round(len(docs) * FRACTIONS[2]))
        split = {d: "test" if i < n_test else "validation" if i < n_test + n_val else "train"
                 for i, d in enumerate(reversed(docs))}
        note = f"{len(docs)} {unit}s: splits allocated by hash rank so that none is empty"
    return split, note


def _column(values: list[Any]) -> list[Any]:
    """One metadata column made Arrow-friendly: nested values as JSON text, mixed types as text."""
    present = [v for v in values if v is not None]
    if any(isinstance(v, (dict, list)) for v in present):
        return [None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values]
    kinds = {bool if isinstance(v, bool) else int if isinstance(v, int) else type(v) for v in present}
    if kinds <= {int, float} and float in kinds:
        return [None if v is None else float(v) for v in values]
    if len(kinds) > 1:
        return [None if v is None else str(v) for v in values]
    return values


def dataset_columns(labels: Sequence[dict[str, Any]], label_ids: Sequence[str],
                    first: Sequence[str] = CLAIM_COLUMNS, group: str = "doc_id",
                    key: str = "claim_id") -> dict[str, list[Any]]:
    """Column lists of the dataset: ``first`` (claim_id, doc_id, text, label: an index into
    ``label_ids``), then the rest; ``group`` (the split unit) as text, the item's ``key`` when missing."""
    index = {lid: i for i, lid in enumerate(label_ids)}
    keys: list[str] = []
    for row in labels:
        keys.extend(k for k in row if k not in keys and k not in DROPPED)
    first = list(first)
    columns = {name: [row.get(name) for row in labels] for name in first + [k for k in keys if k not in first]}
    columns["label"] = [index[label] for label in columns["label"]]
    columns[group] = [str(d) if d is not None else str(c) for d, c in zip(columns[group], columns[key])]
    for name in list(columns):
        if name not in first:
            columns[name] = _column(columns[name])
    return columns


def _features(columns: dict[str, list[Any]], label_ids: Sequence[str]) -> Any:
    """Features inferred from every row at once (so all splits agree), ``label`` a ClassLabel."""
    import datasets
    import pyarrow as pa

    schema = pa.Table.from_pydict({k: v for k, v in columns.items() if k != "label"}).schema
    inferred = datasets.Features.from_arrow_schema(schema)
    return datasets.Features({key: datasets.ClassLabel(names=list(label_ids)) if key == "label" else inferred[key]
                              for key in columns})


def build_dataset(labels: Sequence[dict[str, Any]], label_ids: Sequence[str], first: Sequence[str] = CLAIM_COLUMNS,
                  group: str = "doc_id", key: str = "claim_id") -> tuple[Any, dict[str, Any]]:
    """A DatasetDict (``label`` a ClassLabel of ``label_ids``) split by document (the ``group``
    column: doc_id, or a pair's two documents), and the split summary."""
    import datasets

    columns = dataset_columns(labels, label_ids, first, group, key)
    split_of, note = document_splits(columns[group], "document" if group == "doc_id" else "document pair")
    parts = {}
    for name in SPLITS:
        rows = [i for i, doc in enumerate(columns[group]) if split_of[doc] == name]
        if rows or name == "train":
            parts[name] = {key: [values[i] for i in rows] for key, values in columns.items()}
    features = _features(columns, label_ids)
    dd = datasets.DatasetDict({name: datasets.Dataset.from_dict(part, features=features)
                               for name, part in parts.items()})
    summary = {
        "splits": {name: len(part) for name, part in dd.items()},
        "documents": {name: sum(1 for s in split_of.values() if s == name) for name in dd},
        "rule": f"by document: sha1({group}) buckets 80/10/10, fixed across pulls",
        "note": note,
    }
    return dd, summary


def write_dataset(labels: Sequence[dict[str, Any]], label_ids: Sequence[str], out_dir: str | Path,
                  **layout: Any) -> dict[str, Any]:
    """Save ``out_dir/dataset`` (save_to_disk) and ``out_dir/labels.parquet`` (label as its id, with a
    ``split`` column); return the split summary. ``layout``: ``first``, ``group``, ``key`` of build_dataset."""
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    dd, summary = build_dataset(labels, label_ids, **layout)
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()   # one "Saving the dataset" bar per split is noise here
    try:
        dd.save_to_disk(str(out / "dataset"))
    finally:
        if bars:
            datasets.enable_progress_bars()
    tables = []
    for name, part in dd.items():
        table = part.data.table
        ids = pa.array([label_ids[i] for i in table.column("label").to_pylist()], pa.string())
        table = table.set_column(table.schema.get_field_index("label"), "label", ids)
        tables.append(table.append_column("split", pa.array([name] * len(table), pa.string())))
    pq.write_table(pa.concat_tables(tables), str(out / "labels.parquet"))
    summary["parquet"] = "labels.parquet"
    return summary
