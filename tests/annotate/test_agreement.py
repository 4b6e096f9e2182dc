"""Agreement figures and label resolution, on hand-made votes."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from annotate import agreement


def test_resolve_single_unanimous_majority_plurality():
    # one annotator: agreement is unknown (None), not 1.0 like a unanimous claim
    assert agreement.resolve([("a@x", "pro", "t1")]) == {
        "label": "pro", "rule": "single", "agreement": None, "n_annotators": 1, "votes": {"a@x": "pro"},
        "tied_labels": []}
    same = agreement.resolve([("a@x", "pro", "t1"), ("b@x", "pro", "t2")])
    assert (same["label"], same["rule"], same["agreement"]) == ("pro", "unanimous", 1.0)
    major = agreement.resolve([("a@x", "anti", "t1"), ("b@x", "pro", "t2"), ("c@x", "anti", "t3")])
    assert (major["label"], major["rule"], major["agreement"]) == ("anti", "majority", 0.6667)
    plural = agreement.resolve([("a", "x", "1"), ("b", "x", "2"), ("c", "y", "3"), ("d", "z", "4")])
    assert (plural["label"], plural["rule"], plural["agreement"]) == ("x", "plurality", 0.5)


def test_resolve_tie_goes_to_the_latest_vote():
    tie = agreement.resolve([("a@x", "pro", "2026-01-02T00:00:00Z"), ("b@x", "anti", "2026-01-01T00:00:00Z")])
    assert (tie["label"], tie["rule"], tie["agreement"]) == ("pro", "tie->latest", 0.5)
    assert tie["tied_labels"] == ["anti", "pro"]
    # an adjudicator's later vote breaks the tie the other way
    three = agreement.resolve([("a@x", "pro", "2026-01-02"), ("b@x", "anti", "2026-01-01"),
                               ("c@x", "neutral", "2026-01-03")])
    assert (three["label"], three["rule"], three["tied_labels"]) == ("neutral", "tie->latest", ["anti", "neutral", "pro"])
    # a third annotator siding with one of two tied labels makes a majority: no tie left
    settled = agreement.resolve([("a@x", "pro", "2026-01-02"), ("b@x", "anti", "2026-01-01"),
                                 ("c@x", "anti", "2026-01-03")])
    assert (settled["label"], settled["rule"], settled["tied_labels"]) == ("anti", "majority", [])


def test_resolve_counts_only_each_annotators_latest_vote():
    out = agreement.resolve([("a@x", "pro", "t1"), ("a@x", "anti", "t3"), ("b@x", "anti", "t2")])
    assert out["votes"] == {"a@x": "anti", "b@x": "anti"}
    assert (out["rule"], out["n_annotators"]) == ("unanimous", 2)
    with pytest.raises(ValueError, match="at least one vote"):
        agreement.resolve([])


def test_cohen_kappa_matches_hand_computation():
    a = ["pro", "pro", "anti", "anti", "pro", "neutral"]
    b = ["pro", "anti", "anti", "anti", "pro", "pro"]
    # observed 4/6; expected: pro 3/6*3/6 + anti 2/6*3/6 + neutral 1/6*0 = 15/36
    expected = (4 / 6 - 15 / 36) / (1 - 15 / 36)
    assert agreement.cohen_kappa(a, b) == pytest.approx(expected)
    assert agreement.cohen_kappa(["x", "y"], ["x", "y"]) == 1.0
    assert agreement.cohen_kappa(["x", "x"], ["x", "x"]) is None   # chance agreement is 1: undefined
    assert agreement.cohen_kappa([], []) is None
    with pytest.raises(ValueError, match="2 labels against 1"):
        agreement.cohen_kappa(["x", "y"], ["x"])


def test_krippendorff_alpha_agrees_with_the_krippendorff_package():
    units = [["pro", "pro", "anti"], ["anti", "anti"], ["neutral", "pro"], ["pro", "pro", "pro"],
             ["anti"], ["neutral", "neutral", "anti"]]
    codes = {"pro": 0, "anti": 1, "neutral": 2}
    matrix = np.full((3, len(units)), np.nan)
    for j, labels in enumerate(units):
        for i, label in enumerate(labels):
            matrix[i, j] = codes[label]
    reference = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert agreement.krippendorff_alpha(units) == pytest.approx(reference)
    assert agreement.krippendorff_alpha([["x", "x"], ["y", "y"]]) == pytest.approx(1.0)


def test_krippendorff_alpha_undefined_cases():
    assert agreement.krippendorff_alpha([["x"], ["y"]]) is None          # nothing pairable
    assert agreement.krippendorff_alpha([["x", "x"], ["x", "x"]]) is None  # one label throughout


def _row(claim, annotator, label, when, prediction=None):
    accepted = None if prediction is None else label == prediction
    return {"claim_id": claim, "annotator": annotator, "label": label, "updated_at": when,
            "prediction": prediction, "model_version": "v1" if prediction else None, "accepted": accepted,
            "skipped": label is None, "lead_time": 2.0}


def test_agreement_summary_pairs_and_alpha():
    rows = [_row("c1", "a", "pro", "1"), _row("c1", "b", "pro", "2"),
            _row("c2", "a", "anti", "1"), _row("c2", "b", "pro", "2"),
            _row("c3", "a", "anti", "1"), _row("c3", "b", "anti", "2"),
            _row("c4", "a", "pro", "1"), _row("c5", "b", None, "1")]
    out = agreement.agreement_summary(rows)
    assert out["n_claims"] == 4 and out["n_claims_multiply_annotated"] == 3
    (pair,) = out["cohen_kappa"]["pairs"]
    assert pair["annotators"] == ["a", "b"] and pair["n_items"] == 3
    assert pair["observed_agreement"] == pytest.approx(0.6667)
    assert pair["kappa"] == pytest.approx(round(agreement.cohen_kappa(["pro", "anti", "anti"], ["pro", "pro", "anti"]), 4))
    assert out["krippendorff_alpha"] == pytest.approx(
        round(agreement.krippendorff_alpha([["pro", "pro"], ["anti", "pro"], ["anti", "anti"], ["pro"]]), 4))
    assert out["cohen_kappa"]["mean_weighted"] is None and out["cohen_kappa"]["pairs_left_out"] == 1   # 3 shared


def test_the_kappa_mean_leaves_out_pairs_that_share_a_handful_of_items():
    labels = ["pro", "anti", "pro", "anti", "pro", "pro"]
    rows = [_row(f"c{i}", who, lab if who == "a" or i != 1 else "pro", "1")
            for i, lab in enumerate(labels) for who in ("a", "b")]
    rows.append(_row("c0", "owner", "anti", "2"))   # the project owner settles one claim, against both
    out = agreement.agreement_summary(rows)
    pairs = {tuple(p["annotators"]): p for p in out["cohen_kappa"]["pairs"]}
    assert pairs[("a", "owner")]["n_items"] == 1 and pairs[("a", "owner")]["kappa"] == 0.0   # one disagreement
    assert out["cohen_kappa"]["mean_weighted"] == pairs[("a", "b")]["kappa"]   # the owner's pairs left out
    assert out["cohen_kappa"]["pairs_left_out"] == 2


def test_confusion_acceptance_and_annotator_counts():
    conf = agreement.confusion([("pro", "pro"), ("anti", "pro"), ("anti", "anti"), ("x", "pro")], ["pro", "anti"])
    assert conf["matrix"] == {"pro": {"pro": 1, "anti": 0}, "anti": {"pro": 1, "anti": 1}}
    assert conf["n"] == 3 and conf["accuracy"] == pytest.approx(0.6667)
    rows = [_row("c1", "a", "pro", "1", "pro"), _row("c2", "a", "anti", "2", "pro"),
            _row("c1", "b", "pro", "3", "pro"), _row("c3", "b", "pro", "4")]
    acc = agreement.acceptance(rows)
    assert (acc["shown"], acc["accepted"], acc["rate"]) == (3, 2, pytest.approx(0.6667))
    assert acc["by_annotator"]["a"]["rate"] == 0.5 and acc["by_annotator"]["b"]["rate"] == 1.0
    assert acc["by_model_version"] == {"v1": {"shown": 3, "accepted": 2, "rate": pytest.approx(0.6667)}}
    counts = agreement.annotator_counts(rows + [_row("c4", "b", None, "5")])
    assert counts["b"] == {"annotations": 3, "skipped": 1, "claims": 2, "median_lead_time": 2.0}
    assert math.isclose(counts["a"]["median_lead_time"], 2.0)
