"""Labelled claims for training and evaluation: loading, checking, and splits that never leak a document.

Labelled data comes as a JSONL file (rows with ``text`` and ``label``, any other field kept as
metadata) or as a ``datasets`` directory written by ``stance pull`` (``save_to_disk``; a
``DatasetDict`` or a single ``Dataset``, ``label`` a ``ClassLabel`` or a string column).
"""

from __future__ import annotations

import hashlib
import re
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError

# The known shortcut of the dev data: Kremlin-aligned outlets spell the capital "Kiev", the others "Kyiv".
_KIEV = re.compile(r"\bKiev(?=\b|an\b|s\b)")


def normalise_spelling(text: str) -> str:
    """``text`` with the Russian transliteration "Kiev" replaced by "Kyiv" (a style, not a stance)."""
    return _KIEV.sub("Kyiv", text)


def text_hash(text: str) -> str:
    """A short content hash of a claim text, used to spot test rows that were trained on."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


UNLABELLED_HINT = "unlabelled claims go to `stance prelabel`, not training"


def load_labelled(path: str | Path, label_ids: list[str] | None = None, *, flag: str = "",
                  unlabelled: str = UNLABELLED_HINT) -> list[dict[str, Any]]:
    """Rows with a non-empty ``text`` and a ``label`` from a JSONL file, a Parquet file (a ``split``
    column, as `stance pull` writes, keeps its test split apart) or a dataset directory.

    With ``label_ids`` (the scheme's labels) an unknown label is an error naming the row and the scheme.
    ``flag`` (``--labels``) opens the message naming a bad row; ``unlabelled`` says where rows without
    a label belong, in the command's own words.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or directory; give a .jsonl or .parquet file or a dataset directory")
    if path.is_dir() and (path / "dataset").is_dir() and not (path / "dataset_dict.json").exists():
        path = path / "dataset"   # the folder `stance pull --out` wrote: its dataset
    if path.is_dir():
        rows, where = _load_dataset_dir(path), lambda i: f"{flag}{path} row {i + 1}"   # counted from 1, as lines are
    elif path.suffix.lower() == ".parquet":   # labels.parquet of `stance pull`, or any table of claims
        rows, where = _load_parquet(path), lambda i: f"{flag}{path} row {i + 1}"
    else:
        from corpus.files import read_jsonl

        rows, where = list(read_jsonl(path)), lambda i: f"{flag}{path}:{i + 1}"
    if not rows:
        raise UserError(f"{path}: no rows; it needs labelled claims (text and label)")
    known = set(label_ids) if label_ids is not None else None
    out = []
    for i, row in enumerate(rows):
        text, label = row.get("text"), row.get("label")
        if text is None and isinstance(row.get("text_a"), str) and isinstance(row.get("text_b"), str):
            raise UserError(f"{where(i)}: a claim pair (text_a, text_b), from the pull of a pairs project; "
                            "give the pull of a claims project (rows with text and label)")
        if not isinstance(text, str) or not text.strip():
            raise UserError(f"{where(i)}: no text; every row needs a non-empty 'text' field")
        if label is None or label == "":
            raise UserError(f"{where(i)}: no label; every row needs a 'label' field ({unlabelled})")
        label = str(label)
        if known is not None and label not in known:
            raise UserError(f"{where(i)}: label {label!r} is not in the scheme "
                            f"({', '.join(label_ids or [])}); pass --scheme or fix the label")
        out.append({**row, "text": text, "label": label})
    return out


def _load_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises its own error types for every kind of damage
        raise UserError(f"{path}: not a readable Parquet file ({str(err).splitlines()[0][:120]}); "
                        "give the labels.parquet `stance pull` wrote, or a .jsonl file") from None
    return table.to_pylist()


def _load_dataset_dir(path: Path) -> list[dict[str, Any]]:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError) as err:
        raise UserError(f"{path}: not a dataset directory from `stance pull` ({str(err).splitlines()[0][:100]}); "
                        "give the pull's folder or its dataset/ subfolder, labels.jsonl or labels.parquet") from None
    parts = dict(loaded) if isinstance(loaded, datasets.DatasetDict) else {"train": loaded}
    rows: list[dict[str, Any]] = []
    for split, part in parts.items():
        feature = part.features.get("label")
        names = feature.names if isinstance(feature, datasets.ClassLabel) else None
        for row in part:
            if names is not None and isinstance(row.get("label"), int):
                # -1 is a ClassLabel's "no label": an unlabelled row, not a label outside the scheme
                row = {**row, "label": names[row["label"]] if 0 <= row["label"] < len(names) else None}
            rows.append({"split": split, **row})   # which split of the DatasetDict it came from
    return rows


def test_split(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows outside the ``test`` split, rows in it) of rows loaded from a `stance pull` dataset."""
    rest = [r for r in rows if r.get("split") != "test"]
    return rest, [r for r in rows if r.get("split") == "test"]


def document_key(row: dict[str, Any], index: int) -> str:
    """The document a claim comes from: ``doc_id``, else ``url``, else the row itself.

    Claims of one document stay on one side of every split. The outlet is deliberately not a group:
    it would turn a random split into a split by outlet.
    """
    for field in ("doc_id", "url"):
        value = row.get(field)
        if value not in (None, ""):
            return f"{field}:{value}"
    return f"row:{index}"


def document_hashes(rows: list[dict[str, Any]]) -> list[str]:
    """Short hashes of the documents ``rows`` name (``doc_id``, else ``url``; rows naming neither are
    no document), sorted: what a model records of its training documents for `stance evaluate`."""
    keys = {document_key(r, i) for i, r in enumerate(rows)}
    return sorted(hashlib.sha1(key.encode("utf-8")).hexdigest()[:16] for key in keys if not key.startswith("row:"))


def split_groups(rows: list[dict[str, Any]], by_document: bool = True) -> list[Any]:
    """The group of each row for a validation split: its ``document_key`` (``by_document``), else the
    row itself; rows with the same text in several groups (a repost, a syndicated copy) join one, under
    its first key, so no claim text sits on both sides. Rows without such a copy keep their own key."""
    keys: list[Any] = [document_key(r, i) for i, r in enumerate(rows)] if by_document else list(range(len(rows)))
    parent: dict[Any, Any] = {}

    def root(x: Any) -> Any:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])   # path halving: one text in every document stays linear
            x = parent[x]
        return x

    first: dict[str, Any] = {}
    for key, row in zip(keys, rows):
        text = text_hash(row["text"])
        if text not in first:
            first[text] = key
            continue
        a, b = root(key), root(first[text])
        if a != b:
            parent[max(a, b, key=str)] = min(a, b, key=str)
    return [root(key) for key in keys]


def validation_folds(val_fraction: float) -> int:
    """How many folds a validation share of ``val_fraction`` takes (one of them is held out)."""
    return max(2, round(1 / max(val_fraction, 1e-3)))


def split_unit(rows: list[dict[str, Any]], val_fraction: float) -> str:
    """What a validation split holds out: whole documents, or claims when the documents are too few."""
    return "document" if len(set(split_groups(rows))) >= validation_folds(val_fraction) else "claim"


def split_by_document(rows: list[dict[str, Any]], val_fraction: float, seed: int
                      ) -> tuple[list[int], list[int]]:
    """Indices of a seeded train / validation split, stratified by label and grouped by document
    (``split_groups``: copies of one text in several documents stay together)."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = [r["label"] for r in rows]
    groups = split_groups(rows)
    n_splits = validation_folds(val_fraction)
    smallest = min(Counter(labels).values())
    if smallest < 2:
        raise UserError(f"too few labelled claims to hold out a validation split (label "
                        f"{min(Counter(labels), key=Counter(labels).get)!r} has {smallest}); label a few more claims")
    if split_unit(rows, val_fraction) == "claim":
        # Too few documents to hold whole ones out: split by claim, and say that claims of one
        # document now sit on both sides (the validation figures are optimistic).
        print(f"note: only {len(set(groups))} documents, fewer than the {n_splits} a document-level "
              "validation split needs: validation is split by claim", file=sys.stderr)
        groups = split_groups(rows, by_document=False)   # copies of one text still on one side
    # The validation share stays ``val_fraction`` even when a label is rare: with fewer folds (one
    # per claim of the rarest label) a first pull with a label on 2 claims put half of it in validation.
    # (and at most as many folds as the commonest label has claims, which scikit-learn requires)
    folds = StratifiedGroupKFold(n_splits=min(n_splits, len(set(groups)), max(Counter(labels).values())),
                                 shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        train_idx, val_idx = next(folds.split(np.zeros(len(rows)), labels, groups))
    return sorted(train_idx.tolist()), sorted(val_idx.tolist())


def is_tie(row: dict[str, Any]) -> bool:
    """Whether a row's label broke a tie between annotators (`stance pull`: ``rule == "tie->latest"``,
    the tied labels in ``tied_labels``): with two annotators, every disagreement."""
    return row.get("rule") == "tie->latest" or bool(row.get("tied_labels"))


def agreement_filter(rows: list[dict[str, Any]], exclude_ties: bool = False, min_agreement: float | None = None,
                     where: str = "the data") -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows kept, and how many were left out: ``ties`` (with ``exclude_ties``) and ``low_agreement``
    (``agreement`` below ``min_agreement``; a row one annotator labelled has agreement null and is kept).

    Either option on data without the columns `stance pull` writes is an error naming them.
    """
    if exclude_ties and not any("rule" in r or "tied_labels" in r for r in rows):
        raise UserError(f"--exclude-ties: no row of {where} has a 'rule' or 'tied_labels' field (the columns "
                        "`stance pull` writes); leave the option out or train on a pulled dataset")
    if min_agreement is not None and not any("agreement" in r for r in rows):
        raise UserError(f"--min-agreement: no row of {where} has an 'agreement' field (a column `stance pull` "
                        "writes); leave the option out or train on a pulled dataset")
    kept, left_out = [], {"ties": 0, "low_agreement": 0}
    for row in rows:
        if exclude_ties and is_tie(row):
            left_out["ties"] += 1
        elif min_agreement is not None and row.get("agreement") is not None \
                and _agreement(row, where) < min_agreement - 1e-9:
            left_out["low_agreement"] += 1
        else:
            kept.append(row)
    return kept, left_out


def _agreement(row: dict[str, Any], where: str) -> float:
    """A row's ``agreement`` as a number from 0 to 1 (NaN, as pandas writes a null, stays unknown and
    the row is kept), else an error naming the row."""
    value = row["agreement"]
    if isinstance(value, float) and value != value:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not 0 <= number <= 1:
        name = row.get("id") or row.get("claim_id") or repr(str(row.get("text", ""))[:40])
        raise UserError(f"--min-agreement: the row {name} of {where} has agreement {value!r}, not a number from 0 "
                        "to 1 (the share `stance pull` writes); fix that row or leave out --min-agreement")
    return number
