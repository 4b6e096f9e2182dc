"""Labelled claims as a ``datasets.DatasetDict`` split by document, plus Parquet for pandas users.

A document's split comes from a hash of its id (sha1 buckets 80/10/10), so no document's claims
straddle two splits and a document in test stays in test as annotation goes on. While a split's
bucket is still empty (small corpora: with fewer than about 30 documents it often is), the document
whose hash lies nearest that bucket is moved into it; only such moved documents may change split in
a later pull, and the split summary lists them. With fewer than three documents everything goes to
train (there is nothing to hold out honestly).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SPLITS = ("train", "validation", "test")
SPLIT_COLUMN = "split"   # labels.parquet's column naming each row's split
FRACTIONS = (0.8, 0.1, 0.1)
MIN_DOCUMENTS = 3
# Columns of labels.jsonl that stay out of the dataset: per-annotator votes are a dict that Arrow
# would turn into a struct with one field per annotator.
DROPPED = ("votes",)
# Columns left out when no row has any: ``cues`` holds framing-cue spans annotators may mark, and
# most never do; an always-empty list column would only puzzle a reader (the card says so).
DROPPED_WHEN_EMPTY = ("cues",)
# Columns whose type is known although a pull may hold no value of them (every claim labelled once,
# no tie, no pre-label): Arrow would type them null.
KNOWN_TYPES = {"agreement": "float64", "prelabel_score": "float64", "changed_prelabel": "bool",
               "annotators": "list<string>", "annotator_labels": "list<string>", "tied_labels": "list<string>",
               "notes": "list<string>", "problems": "list<string>", "flagged": "bool"}
# The leading columns of a claims dataset; a pairs pull passes its own (annotate/pairs_pull.py).
CLAIM_COLUMNS = ("claim_id", "doc_id", "text", "label")


def _bucket(doc_id: str) -> float:
    """A number in [0, 1) fixed by the document id."""
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12], 16) / float(16 ** 12)


def _bucket_split(bucket: float) -> str:
    return "train" if bucket < FRACTIONS[0] else "validation" if bucket < FRACTIONS[0] + FRACTIONS[1] else "test"


def _distance(bucket: float, split: str) -> float:
    """How far a hash bucket lies from a split's range of buckets."""
    low = sum(FRACTIONS[:SPLITS.index(split)])
    high = low + FRACTIONS[SPLITS.index(split)]
    return max(low - bucket, bucket - high, 0.0)


def document_splits(doc_ids: Sequence[str], unit: str = "document") -> tuple[dict[str, str], str | None]:
    """Each document's split and a note when the split had to bend.

    Documents fall into train / validation / test by a hash of their id (80/10/10). When that leaves
    a split empty (few documents), the document whose hash is nearest that split's range, taken from
    a split that keeps at least one, is moved into it; every other document stays in its hash's split,
    so adding documents moves none of them. ``unit`` names what an id stands for ("document pair").
    """
    bucket = {d: _bucket(d) for d in set(doc_ids)}   # a sha1 a document, once
    docs = sorted(bucket, key=lambda d: (bucket[d], d))
    if len(docs) < MIN_DOCUMENTS:
        return ({d: "train" for d in docs},
                f"only {len(docs)} {unit}(s): every row is in train, no validation or test split")
    split = {d: _bucket_split(bucket[d]) for d in docs}
    moved = {}
    for empty in SPLITS:
        if empty in split.values():
            continue
        sizes = {name: sum(1 for s in split.values() if s == name) for name in SPLITS}
        donors = [d for d in docs if sizes[split[d]] >= 2 and d not in moved]
        doc = min(donors, key=lambda d: (_distance(bucket[d], empty), d))
        moved[doc] = (split[doc], empty)
        split[doc] = empty
    note = None
    if moved:
        note = (f"{len(docs)} {unit}s: the sha1 buckets left "
                + " and ".join(sorted({to for _, to in moved.values()}, key=SPLITS.index)) + " empty, so "
                + "; ".join(f"{d} moved from {was} to {to}" for d, (was, to) in moved.items())
                + f" (the nearest hash); moved {unit}s may change split in a later pull, every other {unit} keeps its split")
    return split, note


def split_rule(group: str, note: str | None, unit: str = "document") -> str:
    """The split rule as the report and the card state it: when it is and is not fixed across pulls."""
    rule = f"by {unit}: sha1({group}) buckets 80/10/10"
    if note and note.startswith("only"):
        return rule + f"; fewer than {MIN_DOCUMENTS} {unit}s so far: all in train, to be re-split when there are more"
    if note:
        return rule + (f"; while a split's bucket is empty the {unit} of the nearest hash is moved into it, and only "
                       f"those moved {unit}s may change split in a later pull: every other {unit} keeps its split")
    return rule + f", fixed across pulls (a {unit} keeps its split as {unit}s are added)"


def _column(values: list[Any]) -> list[Any]:
    """One metadata column made Arrow-friendly: lists of strings (or of like records) stay lists,
    other nested values become JSON text, mixed scalar types text."""
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, list) for v in present):
        try:
            pa.array(values)   # lists of strings, or of records with the same fields and types
            return values
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
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
    if any(SPLIT_COLUMN in row for row in labels):   # labels.parquet adds its own: a second would clash
        labels = [{(f"meta_{k}" if k == SPLIT_COLUMN else k): v for k, v in row.items()} for row in labels]
    keys: list[str] = []
    for row in labels:
        keys.extend(k for k in row if k not in keys and k not in DROPPED)
    keys = [k for k in keys if k not in DROPPED_WHEN_EMPTY or any(row.get(k) for row in labels)]
    first = list(first)
    columns = {name: [row.get(name) for row in labels] for name in first + [k for k in keys if k not in first]}
    columns["label"] = [index[label] for label in columns["label"]]
    columns[group] = [str(d) if d is not None else str(c) for d, c in zip(columns[group], columns[key])]
    for name in list(columns):
        if name not in first:
            columns[name] = _column(columns[name])
    return columns


def _arrow_type(name: str, inferred: Any) -> Any:
    """A column's Arrow type: the known one, else the inferred one with null (a column with no value
    in this pull, say ``outlet``) read as string, never Arrow's null type."""
    import pyarrow as pa

    known = KNOWN_TYPES.get(name)
    if known == "list<string>":
        return pa.list_(pa.string())
    if known is not None:
        return pa.type_for_alias(known)
    if pa.types.is_null(inferred):
        return pa.string()
    if pa.types.is_list(inferred) and pa.types.is_null(inferred.value_type):
        return pa.list_(pa.string())
    return inferred


def _features(columns: dict[str, list[Any]], label_ids: Sequence[str]) -> Any:
    """Features inferred from every row at once (so all splits agree), ``label`` a ClassLabel, no
    column typed null."""
    import datasets
    import pyarrow as pa

    schema = pa.Table.from_pydict({k: v for k, v in columns.items() if k != "label"}).schema
    schema = pa.schema([pa.field(f.name, _arrow_type(f.name, f.type)) for f in schema])
    inferred = datasets.Features.from_arrow_schema(schema)
    return datasets.Features({key: datasets.ClassLabel(names=list(label_ids)) if key == "label" else inferred[key]
                              for key in columns})


def build_dataset(labels: Sequence[dict[str, Any]], label_ids: Sequence[str], first: Sequence[str] = CLAIM_COLUMNS,
                  group: str = "doc_id", key: str = "claim_id", description: str = "") -> tuple[Any, dict[str, Any]]:
    """A DatasetDict (``label`` a ClassLabel of ``label_ids``) split by document (the ``group``
    column: doc_id, or a pair's two documents), and the split summary; ``description`` goes to
    each split's dataset_info."""
    import datasets

    columns = dataset_columns(labels, label_ids, first, group, key)
    unit = "document" if group == "doc_id" else "document pair"
    split_of, note = document_splits(columns[group], unit)
    parts = {}
    for name in SPLITS:
        rows = [i for i, doc in enumerate(columns[group]) if split_of[doc] == name]
        if rows or name == "train":
            parts[name] = {key: [values[i] for i in rows] for key, values in columns.items()}
    features = _features(columns, label_ids)
    info = datasets.DatasetInfo(description=description, features=features, license="unknown")
    dd = datasets.DatasetDict({name: datasets.Dataset.from_dict(part, features=features, info=info.copy())
                               for name, part in parts.items()})
    summary = {
        "splits": {name: len(part) for name, part in dd.items()},
        "documents": {name: sum(1 for s in split_of.values() if s == name) for name in dd},
        "rule": split_rule(group, note, unit),
        "note": note,
    }
    return dd, summary


def write_dataset(labels: Sequence[dict[str, Any]], label_ids: Sequence[str], out_dir: str | Path,
                  report: dict[str, Any] | None = None, **layout: Any) -> dict[str, Any]:
    """Save ``out_dir/dataset`` (save_to_disk) and ``out_dir/labels.parquet`` (label as its name, with a
    ``split`` column); return the split summary. ``layout``: ``first``, ``group``, ``key`` of build_dataset.
    With the pull's ``report`` the dataset gets its card (``dataset/README.md``) and description."""
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    from annotate import dataset_card

    out = Path(out_dir)
    dd, summary = build_dataset(labels, label_ids, description=dataset_card.description(report) if report else "",
                                **layout)
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
        tables.append(table.append_column(SPLIT_COLUMN, pa.array([name] * len(table), pa.string())))
    pq.write_table(pa.concat_tables(tables), str(out / "labels.parquet"))
    summary["parquet"] = "labels.parquet"
    if report is not None:
        card = dataset_card.render_card(dd, report, summary)
        (out / "dataset" / "README.md").write_text(card, encoding="utf-8")
        summary["card"] = "dataset/README.md"
    return summary
