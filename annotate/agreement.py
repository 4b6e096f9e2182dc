"""Agreement between annotators and the label each claim ends up with.

Label Studio's community edition has no agreement, review or adjudication: these are ours.
Everything here is pure: votes in, figures out. Labels are the scheme's ids (strings).

Resolution rule for one claim, from the latest vote of each annotator:
``single`` (one annotator), ``unanimous``, ``majority`` (more than half), ``plurality`` (the most
votes, not more than half, no tie), ``tie->latest`` (a tie for the most votes: the tied label whose
latest vote is newest wins, so a later pass by an adjudicator settles it).

``agreement`` is the share of annotators who chose the resolved label, and None for a claim only one
person labelled: nothing was checked, so it must not read as 1.0 like a unanimous claim.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

RULES = ("single", "unanimous", "majority", "plurality", "tie->latest")


def resolve(votes: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """Resolve ``(annotator, label, updated_at)`` votes of one claim into one label.

    Only each annotator's latest vote counts. Returns ``label``, ``rule`` (one of ``RULES``),
    ``agreement`` (share of annotators who chose that label; None with one annotator),
    ``n_annotators``, ``votes`` (annotator -> label, by annotator) and ``tied_labels`` (the labels
    tied for the most votes when the rule is ``tie->latest``, else empty).
    """
    if not votes:
        raise ValueError("resolve() needs at least one vote")
    latest: dict[str, tuple[str, str]] = {}
    for annotator, label, when in votes:
        if annotator not in latest or when >= latest[annotator][1]:
            latest[annotator] = (label, when)
    counts = Counter(label for label, _ in latest.values())
    n = len(latest)
    top = max(counts.values())
    tied = sorted(label for label, c in counts.items() if c == top)
    if n == 1:
        label, rule = tied[0], "single"
    elif len(counts) == 1:
        label, rule = tied[0], "unanimous"
    elif len(tied) == 1:
        label, rule = tied[0], "majority" if top * 2 > n else "plurality"
    else:
        newest = {lab: max(when for lb, when in latest.values() if lb == lab) for lab in tied}
        label, rule = max(tied, key=lambda lab: (newest[lab], lab)), "tie->latest"
    return {
        "label": label,
        "rule": rule,
        "agreement": None if n == 1 else round(counts[label] / n, 4),
        "n_annotators": n,
        "votes": {annotator: lab for annotator, (lab, _) in sorted(latest.items())},
        "tied_labels": tied if rule == "tie->latest" else [],
    }


MIN_PAIR_ITEMS = 5   # items two annotators must share for their kappa to enter the mean


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two annotators' labels on the same items; None when undefined.

    Undefined when there are no items or when chance agreement is 1 (both used one same label
    throughout, so agreement cannot be told from chance).
    """
    if len(a) != len(b):
        raise ValueError(f"cohen_kappa: {len(a)} labels against {len(b)}; give both annotators' labels on the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal labels; each unit is the labels it received.

    Units with fewer than two labels carry no pairing and are left out. None when undefined:
    fewer than two pairable labels, or a single label used throughout (no expected disagreement).
    """
    coincidence: dict[tuple[str, str], float] = defaultdict(float)
    for labels in units:
        m = len(labels)
        if m < 2:
            continue
        counts = Counter(labels)
        for c, k in itertools.product(counts, counts):
            pairs = counts[c] * (counts[k] - (1 if c == k else 0))
            if pairs:
                coincidence[(c, k)] += pairs / (m - 1)
    n_c: dict[str, float] = defaultdict(float)
    for (c, _), value in coincidence.items():
        n_c[c] += value
    n = sum(n_c.values())
    if n < 2:
        return None
    observed = sum(v for (c, k), v in coincidence.items() if c != k) / n
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n * (n - 1))
    if expected == 0:
        return None
    return 1.0 - observed / expected


def _latest_votes(rows: Iterable[dict[str, Any]], key: str = "claim_id") -> dict[str, dict[str, str]]:
    """item (``key``: claim_id, or pair_id for pairs) -> annotator -> label, from annotation rows
    (latest per annotator, skips left out)."""
    latest: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in rows:
        if row.get("label") is None:
            continue
        mine = latest[row[key]]
        when = row.get("updated_at") or ""
        if row["annotator"] not in mine or when >= mine[row["annotator"]][1]:
            mine[row["annotator"]] = (row["label"], when)
    return {cid: {ann: lab for ann, (lab, _) in votes.items()} for cid, votes in latest.items()}


def agreement_summary(rows: Sequence[dict[str, Any]], key: str = "claim_id") -> dict[str, Any]:
    """Pairwise Cohen's kappa and Krippendorff's alpha over annotation rows (``annotations.jsonl``);
    items are told apart by ``key`` (the ``n_claims`` figures count pairs in a pairs pull)."""
    votes = _latest_votes(rows, key)
    annotators = sorted({ann for by in votes.values() for ann in by})
    pairs = []
    for x, y in itertools.combinations(annotators, 2):
        shared = [cid for cid, by in votes.items() if x in by and y in by]
        a = [votes[cid][x] for cid in shared]
        b = [votes[cid][y] for cid in shared]
        kappa = cohen_kappa(a, b)
        pairs.append({
            "annotators": [x, y],
            "n_items": len(shared),
            "observed_agreement": round(sum(p == q for p, q in zip(a, b)) / len(shared), 4) if shared else None,
            "kappa": None if kappa is None else round(kappa, 4),
        })
    # A pair sharing a handful of items (a project owner who settled one tie) has a kappa that is
    # noise, and biased: one shared item agreed on has none (chance agreement 1), one disagreed on
    # has 0, so such pairs could only pull the mean down. They are listed, and left out of the mean.
    defined = [p for p in pairs if p["kappa"] is not None and p["n_items"] >= MIN_PAIR_ITEMS]
    weight = sum(p["n_items"] for p in defined)
    alpha = krippendorff_alpha(list(by.values()) for by in votes.values())
    multi = sum(1 for by in votes.values() if len(by) >= 2)
    return {
        "n_claims": len(votes),
        "n_claims_multiply_annotated": multi,
        "cohen_kappa": {
            "pairs": pairs,
            "mean_weighted": round(sum(p["kappa"] * p["n_items"] for p in defined) / weight, 4) if weight else None,
            "min_pair_items": MIN_PAIR_ITEMS,
            "pairs_left_out": sum(1 for p in pairs if 0 < p["n_items"] < MIN_PAIR_ITEMS),
        },
        "krippendorff_alpha": None if alpha is None else round(alpha, 4),
    }


def confusion(pairs: Iterable[tuple[str, str]], labels: Sequence[str]) -> dict[str, Any]:
    """Model-versus-human confusion from ``(human, model)`` label pairs: rows human, columns model."""
    matrix = {h: {m: 0 for m in labels} for h in labels}
    n = agree = 0
    for human, model in pairs:
        if human not in matrix or model not in matrix[human]:
            continue
        matrix[human][model] += 1
        n += 1
        agree += human == model
    return {"labels": list(labels), "rows": "human", "columns": "model", "matrix": matrix,
            "n": n, "accuracy": round(agree / n, 4) if n else None}


def acceptance(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How often a pre-label shown was accepted unchanged: overall, by model version, by annotator."""
    def rate(sub: list[dict[str, Any]]) -> dict[str, Any]:
        shown = [r for r in sub if r.get("accepted") is not None]
        yes = sum(1 for r in shown if r["accepted"])
        return {"shown": len(shown), "accepted": yes, "rate": round(yes / len(shown), 4) if shown else None}

    by_version: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_annotator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("accepted") is not None:
            by_version[str(row.get("model_version"))].append(row)
        by_annotator[row["annotator"]].append(row)
    return {**rate(list(rows)),
            "by_model_version": {v: rate(sub) for v, sub in sorted(by_version.items())},
            "by_annotator": {a: rate(sub) for a, sub in sorted(by_annotator.items())}}


def annotator_counts(rows: Sequence[dict[str, Any]], key: str = "claim_id") -> dict[str, dict[str, Any]]:
    """Per annotator: annotations, skips, items (``key``) labelled, median lead time in seconds."""
    out: dict[str, dict[str, Any]] = {}
    for annotator in sorted({r["annotator"] for r in rows}):
        mine = [r for r in rows if r["annotator"] == annotator]
        times = sorted(float(r["lead_time"]) for r in mine if isinstance(r.get("lead_time"), (int, float)))
        median = None
        if times:
            mid = len(times) // 2
            median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
        out[annotator] = {
            "annotations": len(mine),
            "skipped": sum(1 for r in mine if r.get("skipped")),
            "claims": len({r[key] for r in mine if r.get("label") is not None}),
            "median_lead_time": None if median is None else round(median, 2),
        }
    return out
