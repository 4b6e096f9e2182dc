"""Evaluation: metrics on hand-made predictions, and the written report (model predictions faked)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import models.evaluate as ev
from corpus.errors import UserError


def test_score_and_calibration_values() -> None:
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2]])
    out = ev.score(y, proba, ["a", "b"])
    assert out["confusion"] == [[2, 0], [1, 1]]
    assert out["accuracy"] == 0.75
    assert out["per_label"]["a"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert out["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2, abs=1e-4)
    # Bins: 0.6 and 0.7 alone (correct), 0.8 (wrong) and 0.9 (right) share the top bins.
    ece, bins = ev.expected_calibration_error(np.array([0.9, 0.6, 0.7, 0.8]), np.array([1, 1, 1, 0]) == 1)
    assert ece == pytest.approx((0.1 + 0.4 + 0.3 + 0.8) / 4, abs=1e-4)
    assert [b["count"] for b in bins] == [1, 1, 1, 1]


def _rows() -> list[dict]:
    rows = []
    for i in range(12):
        rows.append({"id": f"k{i}", "text": f"The Kiev regime claim number {i} <b>", "label": "kremlin_framing",
                     "outlet": "<script>state.example</script>" if i % 2 else "wire.example", "doc_id": f"dk{i}"})
        rows.append({"id": f"i{i}", "text": f"Officials said report number {i}", "label": "independent_reporting",
                     "outlet": "paper.example", "doc_id": f"di{i}"})
    return rows


def test_evaluate_writes_report_figures_and_escaped_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    data = tmp_path / "held_out.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    def fake_predict(model: str, got: list[dict], scheme: object) -> tuple[np.ndarray, dict]:
        # kremlin rows right except one, independent rows right; neutral column ignored by evaluation
        out = np.array([[0.8, 0.1, 0.1] if r["label"] == "kremlin_framing" else [0.1, 0.7, 0.2] for r in got])
        out[0] = [0.2, 0.7, 0.1]
        out[2] = [0.3, 0.2, 0.5]   # neutral overall; kremlin_framing (right) among the labels present
        return out, {"model": model, "version": "fake-1"}

    monkeypatch.setattr(ev, "predict_rows", fake_predict)
    report = ev.evaluate("bootstrap", data, tmp_path / "report", by=["outlet"], folds=3)
    assert report["labels"] == ["kremlin_framing", "independent_reporting"]
    assert report["overall"]["confusion"] == [[11, 1], [0, 12]]
    assert report["overall"]["accuracy"] == pytest.approx(23 / 24, abs=1e-4)
    assert set(report["by"]["outlet"]) == {"paper.example", "wire.example", "<script>state.example</script>"}
    assert report["by"]["outlet"]["wire.example"]["accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    assert report["by"]["outlet"]["paper.example"]["macro_f1"] == 1.0   # one label there: F1 over it alone
    assert report["baseline"]["macro_f1"] > 0.9   # "Kiev regime" vs "Officials said" is easy for TF-IDF
    # Row k1's most probable label overall is neutral, which no row here has: the report says so.
    assert report["note"].startswith("1 of 24 claims were predicted 'neutral' (1), a label no claim here has")
    assert "Note: 1 of 24 claims" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    written = [json.loads(line) for line in (tmp_path / "report" / "predictions.jsonl").read_text().splitlines()]
    assert (written[2]["prediction"], written[2]["scored_as"]) == ("neutral", "kremlin_framing")
    assert written[2]["probs"] == {"kremlin_framing": 0.3, "independent_reporting": 0.2, "neutral": 0.5}
    out = tmp_path / "report"
    for name in ("report.json", "report.md", "index.html", "confusion.png", "reliability.png", "predictions.jsonl"):
        assert (out / name).stat().st_size > 0, name
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;state.example&lt;/script&gt;" in page
    assert 'src="confusion.png"' in page and 'src="reliability.png"' in page
    assert "| model | 24 | " in (out / "report.md").read_text(encoding="utf-8")


def test_evaluate_rejects_bad_input(tmp_path: Path) -> None:
    data = tmp_path / "one_label.jsonl"
    data.write_text(json.dumps({"text": "x", "label": "neutral"}) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="needs two or more"):
        ev.evaluate("bootstrap", data, tmp_path / "r")
    with pytest.raises(UserError, match="no such model directory"):
        ev.evaluate(str(tmp_path / "missing"), data, tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_baseline_holds_out_claims_when_documents_are_too_few() -> None:
    labels = ["kremlin_framing", "independent_reporting"]
    rows = _rows()
    _, by_document = ev.tfidf_baseline(rows, labels, folds=3)
    assert "3-fold" in by_document and by_document.endswith("grouped by document")
    # The loop's first pull: two documents, one label each. Grouped by document, every training fold
    # would hold one label; the folds hold out claims instead, and the protocol says so.
    for r in rows:
        r["doc_id"] = "interview" if r["label"] == "kremlin_framing" else "investigation"
    proba, by_claim = ev.tfidf_baseline(rows, labels, folds=5)
    assert by_claim.endswith("grouped by claim")
    assert proba.shape == (24, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == [labels.index(r["label"]) for r in rows]).mean() > 0.9


def test_evaluate_on_a_pulled_dataset_scores_its_test_split_only(tmp_path, monkeypatch):
    import datasets

    from models.data import load_labelled, test_split

    rows = _rows()
    names = ["kremlin_framing", "independent_reporting", "neutral"]
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names),
                                  "doc_id": datasets.Value("string")})

    def part(chunk):
        return datasets.Dataset.from_dict({"text": [r["text"] for r in chunk],
                                           "label": [names.index(r["label"]) for r in chunk],
                                           "doc_id": [r["doc_id"] for r in chunk]}, features=features)

    datasets.DatasetDict({"train": part(rows[:16]), "test": part(rows[16:])}).save_to_disk(str(tmp_path / "ds"))
    loaded = load_labelled(tmp_path / "ds", names)
    rest, test = test_split(loaded)
    assert [r["split"] for r in rest] == ["train"] * 16 and len(test) == 8
    assert [r["text"] for r in test] == [r["text"] for r in rows[16:]] and test[0]["label"] in names

    seen = []

    def fake_predict(model, got, scheme):
        seen.append(len(got))
        return np.array([[0.8, 0.1, 0.1] if r["label"] == "kremlin_framing" else [0.1, 0.8, 0.1] for r in got]), \
            {"model": model, "version": "fake-1"}

    monkeypatch.setattr(ev, "predict_rows", fake_predict)
    report = ev.evaluate("bootstrap", tmp_path / "ds", tmp_path / "report", by=[], folds=2)
    assert seen == [8] and report["n"] == 8
    assert f"the test split of {tmp_path / 'ds'} (8 of 24 claims)" in report["protocol"]
    assert report["scored"] == f"the test split of {tmp_path / 'ds'} (8 of 24 claims)"
