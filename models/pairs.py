"""Pairs of claims from different documents that make the same point.

The claim rows that take part, each claim's nearest claims of other documents above the threshold
(models.neighbours) or, a little below it, two claims that are each other's nearest in the other's
document (mutual nearest neighbours, as bitext mining pairs sentences), and the pair row an annotator judges: both claims, their documents, voices,
stances, similarity and a suggested relation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpus.claimfilter import in_scope
from corpus.errors import UserError
from corpus.records import is_claim_flag, source_name
from models.compare_settings import CompareSettings
from models.neighbours import search

RELATIONS = ("agree", "contradict", "same_point_different_framing", "unrelated")

# Words that flip a statement: a near-identical pair where only one side holds one reads as a contradiction.
_NEGATIONS = frozenset("not no never none nothing nobody neither nor cannot can't won't isn't aren't "
                       "wasn't weren't doesn't don't didn't deny denies denied false untrue".split())
_WORD = re.compile(r"[\w’']+", re.U)


def claim_rows(rows: Sequence[dict[str, Any]], settings: CompareSettings,
               where: str = "input") -> list[dict[str, Any]]:
    """The rows that take part (``settings.scope``: claims, statements or all), each with id, doc and text."""
    out = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        for key in ("claim_id", "doc_id", "text"):
            if row.get(key) in (None, ""):
                raise UserError(f"{where}: row {n} has no {key}; compare needs claim rows from "
                                "`stance claims` (then `stance prelabel` for stances)")
        if not isinstance(row["text"], str):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): text {row['text']!r} is not a "
                            "string; give claim rows from `stance claims`")
        try:
            is_claim_flag(row)
        except ValueError as err:
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): {err}; give claim rows from "
                            "`stance claims`") from None
        score = row.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): score {score!r} is not a number; "
                            "give the rows `stance prelabel` wrote")
        if not in_scope(row, settings.scope):  # never "---", "By NAME", "RIGA, Sept 2 (X).", "Q:"
            continue
        if str(row["claim_id"]) in seen:
            continue
        seen.add(str(row["claim_id"]))
        out.append(row)
    return out


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def suggest_relation(similarity: float, stance_a: Any, stance_b: Any, text_a: str, text_b: str,
                     settings: CompareSettings, mutual: bool = False) -> str | None:
    """A pre-label for annotators from similarity and stances (they correct it in Label Studio);
    None when a claim has no stance and the similarity alone cannot tell. Below ``unrelated_below``
    a pair is "unrelated", but mutual nearest claims get no suggestion there: being each other's best
    match made them a pair, and annotators judge it with nothing pre-selected."""
    if similarity < settings.unrelated_below:
        return None if mutual else "unrelated"
    if similarity >= settings.contradict_above:
        neg_a, neg_b = _words(text_a) & _NEGATIONS, _words(text_b) & _NEGATIONS
        if bool(neg_a) != bool(neg_b):
            return "contradict"
    if stance_a is None or stance_b is None:
        return None
    if stance_a != stance_b:
        return "same_point_different_framing"
    return "agree"


def pair_id(claim_a: str, claim_b: str) -> str:
    """A stable id of an unordered pair of claims."""
    a, b = sorted((claim_a, claim_b))
    return hashlib.sha1(f"{a}\x00{b}".encode()).hexdigest()[:16]


def make_pair(a: dict[str, Any], b: dict[str, Any], similarity: float,
              settings: CompareSettings, mutual: bool = False) -> dict[str, Any]:
    """The pair row: what an annotator needs to judge it, flat ``_a``/``_b`` fields."""
    pair: dict[str, Any] = {"pair_id": pair_id(str(a["claim_id"]), str(b["claim_id"])),
                            "claim_a": str(a["claim_id"]), "claim_b": str(b["claim_id"]),
                            "doc_a": str(a["doc_id"]), "doc_b": str(b["doc_id"])}
    for side, row in (("a", a), ("b", b)):
        pair[f"text_{side}"] = row["text"]
        pair[f"context_{side}"] = row.get("context") or row["text"]
        for key in ("start", "context_start", "title", "outlet", "source_type", "speaker", "speaker_name"):
            pair[f"{key}_{side}"] = row.get(key)
        pair[f"source_{side}"] = source_name(row)
        pair[f"stance_{side}"] = row.get("prediction")
        pair[f"stance_score_{side}"] = row.get("score")
        # Who gave the stance: "annotators" (compare --labels) or "model" (a pre-label); None: none.
        pair[f"stance_by_{side}"] = row.get("stance_by") or ("model" if row.get("prediction") is not None else None)
    pair["similarity"] = round(float(similarity), 4)
    pair["contrasting"] = (pair["stance_a"] is not None and pair["stance_b"] is not None
                           and pair["stance_a"] != pair["stance_b"])
    pair["mutual"] = mutual   # each the other's nearest claim in its document
    pair["suggested"] = suggest_relation(similarity, pair["stance_a"], pair["stance_b"],
                                         a["text"], b["text"], settings, mutual)
    pair["cluster"] = None
    return pair


def mutual_nearest(idx: np.ndarray, groups: np.ndarray) -> set[tuple[int, int]]:
    """Pairs (i < j) that are each other's nearest row in the other's group, among the neighbours
    ``idx`` lists (best first; -1 for none): j is the first row of its group in i's list, and i the
    first of its group in j's."""
    first: dict[int, dict[int, int]] = {}
    for i, row in enumerate(idx):
        seen: dict[int, int] = {}
        for j in row:
            if j >= 0 and int(groups[j]) not in seen:
                seen[int(groups[j])] = int(j)
        first[i] = seen
    return {(min(i, j), max(i, j)) for i, seen in first.items() for j in seen.values()
            if first[j].get(int(groups[i])) == i}


def find_pairs(rows: Sequence[dict[str, Any]], vectors: np.ndarray,
               settings: CompareSettings) -> list[dict[str, Any]]:
    """Cross-document pairs: each claim's ``top_k`` nearest claims of other documents above
    ``min_similarity``, and mutual nearest claims of two documents above ``mutual_similarity``."""
    docs = {d: i for i, d in enumerate(dict.fromkeys(str(r["doc_id"]) for r in rows))}
    groups = np.array([docs[str(r["doc_id"])] for r in rows], dtype=np.int64)
    idx, val = search(vectors, vectors, settings.top_k, query_groups=groups, corpus_groups=groups,
                      exact_max=settings.match.exact_max, memory_mb=settings.match.memory_mb)
    mutual = mutual_nearest(idx, groups) if settings.mutual_similarity is not None else set()
    floor = settings.min_similarity if settings.mutual_similarity is None else \
        min(settings.min_similarity, settings.mutual_similarity)
    best: dict[tuple[int, int], float] = {}
    for i in range(len(rows)):
        for j, sim in zip(idx[i], val[i]):
            if j < 0 or sim < floor:
                continue
            key = (min(i, int(j)), max(i, int(j)))
            if sim < settings.min_similarity and key not in mutual:
                continue
            best[key] = max(best.get(key, -1.0), float(sim))
    pairs = [make_pair(rows[i], rows[j], sim, settings, mutual=(i, j) in mutual) for (i, j), sim in best.items()]
    pairs.sort(key=lambda p: (-p["similarity"], p["pair_id"]))
    return pairs
