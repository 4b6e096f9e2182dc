"""Labelled claims as a ``datasets.DatasetDict`` split by document, plus Parquet for pandas users.

A document's split comes from a hash of its id (sha1 buckets 80/10/10), so no document's claims
straddle two splits and, from 30 documents on, a document in test stays in test as annotation goes
on. Below 30 documents the buckets often leave a split empty, or one large document gives test half
the claims (a tester's 49 claims: train 22, validation 1, test 26): the fewest documents are then
moved (or swapped) so each split holds about its share of the claims, and the split summary names
them; until there are 30 documents a later pull may move documents again. From 30 on, only a split
left empty takes a document. A split still far from its share is a warning. With fewer than three
documents everything goes to train (there is nothing to hold out honestly).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SPLITS = ("train", "validation", "test")
SPLIT_COLUMN = "split"   # labels.parquet's column naming each row's split
FRACTIONS = (0.8, 0.1, 0.1)
MIN_DOCUMENTS = 3
# Below this many documents, documents are moved so each split holds about its share of the claims;
# from it on, only a document filling an empty split is, and every other keeps its hash's split.
BALANCED_BELOW = 30
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


def _tolerance(fraction: float) -> float:
    """How far a split's share of the claims may stray from its fraction: 10 points for train, 5 for
    validation and test."""
    return min(fraction / 2, 0.1)


def far_splits(counts: dict[str, int]) -> list[str]:
    """The splits whose share of the claims strays beyond ``_tolerance`` by 2 claims or more (a
    handful of claims cannot be shared 80/10/10: 1 of 3 is no imbalance worth a word)."""
    total = sum(counts.values())
    far = []
    for name, fraction in zip(SPLITS, FRACTIONS):
        off = abs(counts.get(name, 0) - fraction * total)
        if total and off >= 2 and off / total > _tolerance(fraction) + 1e-9:
            far.append(name)
    return far


def _cost(counts: dict[str, int], total: int) -> float:
    """How far claim counts lie from 80/10/10 (chi-square), an empty split far worse than any imbalance."""
    return sum((counts[name] - f * total) ** 2 / (f * total) + (10.0 * total if counts[name] == 0 else 0.0)
               for name, f in zip(SPLITS, FRACTIONS))


def document_splits(doc_ids: Sequence[str], unit: str = "document") -> tuple[dict[str, str], str | None]:
    """Each document's split and a note when the split had to bend.

    ``doc_ids`` has one entry per claim (row), so a document's size is its number of claims. Documents
    fall into train / validation / test by a hash of their id (80/10/10). When that leaves a split
    empty, or (below ``BALANCED_BELOW`` documents) a split's share of the claims far from its fraction
    (``far_splits``: a large document in test), the fewest documents are moved, or swapped, each step
    the one that brings the claim counts nearest 80/10/10 (ties: the hash nearest the split); every
    other document stays in its hash's split. ``unit`` names what an id stands for ("document pair").
    """
    size = Counter(doc_ids)
    bucket = {d: _bucket(d) for d in size}   # a sha1 a document, once
    docs = sorted(bucket, key=lambda d: (bucket[d], d))
    if len(docs) < MIN_DOCUMENTS:
        return ({d: "train" for d in docs},
                f"only {len(docs)} {unit}(s): every row is in train, no validation or test split")
    total = sum(size.values())
    natural = {d: _bucket_split(bucket[d]) for d in docs}
    split = dict(natural)
    balance = len(docs) < BALANCED_BELOW

    def counts_of(assigned: dict[str, str]) -> dict[str, int]:
        counts = dict.fromkeys(SPLITS, 0)
        for d, name in assigned.items():
            counts[name] += size[d]
        return counts

    first = counts_of(split)
    for _ in range(2 * len(docs)):
        counts = counts_of(split)
        if all(counts.values()) and not (balance and far_splits(counts)):
            break
        now = _cost(counts, total)
        best: tuple[Any, ...] | None = None   # (cost, documents moved, hash distance, d, e, to)
        for i, d in enumerate(docs):
            for to in SPLITS:
                if to == split[d]:
                    continue
                after = {**counts, split[d]: counts[split[d]] - size[d]}
                after[to] += size[d]
                options = [((_cost(after, total), 1, _distance(bucket[d], to), d, "", to))]
                if balance:   # a swap: d goes to ``to`` and e, from ``to``, to d's split
                    for e in docs[i + 1:]:
                        if split[e] == to:
                            swapped = {**after, to: after[to] - size[e]}
                            swapped[split[d]] += size[e]
                            options.append((_cost(swapped, total), 2,
                                            _distance(bucket[d], to) + _distance(bucket[e], split[d]), d, e, to))
                for key in options:
                    if best is None or key < best:
                        best = key
        if best is None or best[0] >= now - 1e-9:
            break
        _, _, _, d, e, to = best
        if e:
            split[e] = split[d]
        split[d] = to
    moved = {d: (natural[d], split[d]) for d in docs if split[d] != natural[d]}
    note = None
    if moved:
        item = "pair" if unit == "document pair" else "claim"
        empty = [name for name in SPLITS if not first[name]]
        if balance and far_splits(first):
            why = (f"gave train {first['train']}, validation {first['validation']} and test {first['test']} of the "
                   f"{total} {item}s ({'/'.join(f'{first[n] / total:.0%}' for n in SPLITS)}, against 80/10/10)")
        else:
            why = "left " + " and ".join(empty) + " empty"
        note = (f"{len(docs)} {unit}s: the sha1 buckets {why}, so "
                + "; ".join(f"{d} moved from {was} to {to} ({size[d]} {item}{'s' if size[d] != 1 else ''})"
                            for d, (was, to) in moved.items())
                + f"; moved {unit}s may change split in a later pull"
                + (f", and others may move while there are fewer than {BALANCED_BELOW} {unit}s" if balance
                   else f", every other {unit} keeps its split"))
    return split, note


def split_warning(counts: dict[str, int], unit: str = "document", item: str = "claim") -> str | None:
    """A warning when a split still holds a share of the rows far from 80/10/10 (``far_splits``): a
    whole document cannot be cut, and one can outweigh a split's share."""
    far = far_splits(counts)
    if not far:
        return None
    total = sum(counts.values())
    said = "; ".join(f"{name} holds {counts[name]} of the {total} {item}s ({counts[name] / total:.0%}, "
                     f"its share {FRACTIONS[SPLITS.index(name)]:.0%})" for name in far)
    advice = f"label {item}s of more documents"
    if item == "claim" and "test" in far and counts["test"] > FRACTIONS[2] * total:   # pairs: no stance train
        advice += (f"; `stance train` holds the test split out for `stance evaluate`, so it trains on "
                   f"{counts['train'] + counts['validation']} {item}s: for a first loop on every labelled {item}, "
                   f"`stance train --data labels.jsonl` (no split column: nothing is held out; score that model on "
                   f"{item}s labelled later)")
    return f"the splits are far from 80/10/10 (a {unit} is never cut): {said}; {advice}"


def split_rule(group: str, note: str | None, unit: str = "document", n_documents: int | None = None) -> str:
    """The split rule as the report and the card state it: when it is and is not fixed across pulls."""
    rule = f"by {unit}: sha1({group}) buckets 80/10/10"
    if note and note.startswith("only"):
        return rule + f"; fewer than {MIN_DOCUMENTS} {unit}s so far: all in train, to be re-split when there are more"
    if (note and f"fewer than {BALANCED_BELOW}" in note) or (n_documents is not None and n_documents < BALANCED_BELOW):
        return rule + (f"; below {BALANCED_BELOW} {unit}s the fewest {unit}s are moved so that no split is empty and "
                       f"each holds about its share of the rows (train within 10 points, validation and test within 5); "
                       f"until there are {BALANCED_BELOW} {unit}s a later pull may move {unit}s again")
    if note:
        return rule + (f"; while a split's bucket is empty a {unit} is moved into it (the one that leaves the rows "
                       f"nearest 80/10/10), and only those moved {unit}s may change split in a later pull: every "
                       f"other {unit} keeps its split")
    return rule + f", fixed across pulls (a {unit} keeps its split as {unit}s are added)"


def _name(value: Any) -> bool:
    """A text or a number (not a boolean)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def is_name_list(value: Any) -> bool:
    """Whether ``value`` is a list of names: texts and numbers, no booleans, nothing nested."""
    return isinstance(value, list) and all(_name(v) for v in value)


def _name_or_names(value: Any) -> bool:
    """A text or number, or a list of them (no booleans, nothing nested)."""
    return _name(value) or is_name_list(value)


def _column(values: list[Any]) -> list[Any]:
    """One metadata column made Arrow-friendly: lists of names stay lists of texts (a lone name in
    a row of such a column becomes a list of one), lists of like records stay lists, other nested
    values become JSON text, mixed scalar types text."""
    import pyarrow as pa

    present = [v for v in values if v is not None]
    lists = sum(isinstance(v, list) for v in present)
    if 0 < lists < len(present) and all(_name_or_names(v) for v in present):
        # a list of names in some rows, one name in others (``tags``: ["war", "energy"], "war"): a
        # list of texts in every row, so the column is a Sequence(Value("string")) whatever rows a pull has
        return [None if v is None else [str(m) for m in v] if isinstance(v, list) else [str(v)] for v in values]
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
        "rule": split_rule(group, note, unit, len(split_of)),
        "note": note,
    }
    warning = split_warning({name: sum(1 for d in columns[group] if split_of[d] == name) for name in SPLITS},
                            unit, "pair" if unit == "document pair" else "claim")
    if warning:
        summary["warning"] = warning
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
