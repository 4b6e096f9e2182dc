"""Evaluation: metrics on hand-made predictions, and the written report (model predictions faked)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import models.evaluate as ev
from corpus.errors import UserError
from models import evaluation_report, metrics


def test_score_and_calibration_values() -> None:
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2]])
    out = ev.score(y, proba, ["a", "b"])
    assert out["confusion"] == [[2, 0], [1, 1]]
    assert out["accuracy"] == 0.75
    assert out["per_label"]["a"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert out["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2, abs=1e-4)
    # Bins: 0.6 and 0.7 alone (correct), 0.8 (wrong) and 0.9 (right) share the top bins.
    ece, bins = metrics.expected_calibration_error(np.array([0.9, 0.6, 0.7, 0.8]), np.array([1, 1, 1, 0]) == 1)
    assert ece == pytest.approx((0.1 + 0.4 + 0.3 + 0.8) / 4, abs=1e-4)
    assert [b["count"] for b in bins] == [1, 1, 1, 1]


def test_resampled_macro_f1_matches_sklearn_on_the_full_sample() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    pred = np.where(rng.random(200) < 0.8, y, rng.integers(0, 3, 200))
    draws = metrics.macro_f1_resampled(y, [pred, y], 3, resamples=300)
    full = f1_score(y, pred, average="macro")
    assert draws.shape == (300, 2) and (draws[:, 1] == 1.0).all()   # perfect predictions: 1 on every resample
    assert abs(np.median(draws[:, 0]) - full) < 0.02 and draws[:, 0].std() > 0.005
    ci = ev.intervals(y, pred, y, 3, resamples=300)
    assert ci["baseline"] == [1.0, 1.0] and ci["difference"][1] < 0 and ci["model"][0] < full < ci["model"][1]


def test_intervals_of_a_perfect_model_on_lopsided_data_stay_at_one() -> None:
    y = np.array([0] * 40 + [1] * 6)
    ci = ev.intervals(y, y.copy(), np.zeros(46, dtype=int), 2, resamples=300)
    assert ci["model"] == [1.0, 1.0]   # a resample without label 1 is not an F1 of 0 for it
    # Too few claims, or a label with too few, for resampling to mean anything: no interval, and why.
    few = ev.intervals(np.array([0] * 18 + [1] * 2), np.zeros(20, dtype=int), np.zeros(20, dtype=int), 2)
    assert few == {"none": "no interval: fewer than 20 claims, or a label with fewer than 5; resampling so few "
                           "says little"}


def test_a_text_repeated_in_two_documents_stays_on_one_side_of_every_fold() -> None:
    rows = [{"text": f"claim {i}", "label": "a" if i % 2 else "b", "doc_id": f"d{i}"} for i in range(20)]
    rows += [{**r, "doc_id": f"copy-{r['doc_id']}"} for r in rows]   # every claim syndicated elsewhere
    groups = metrics.fold_groups(rows)
    assert len(set(groups)) == 20 and all(groups[i] == groups[i + 20] for i in range(20))


def test_a_label_with_one_claim_gets_a_baseline_not_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()[:20] + [{"id": "n0", "text": "The weather was mild.", "label": "neutral", "doc_id": "dn"}]
    data = tmp_path / "one_neutral.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    report = ev.evaluate("bootstrap", data, tmp_path / "r", by=[])
    assert report["labels"] == ["kremlin_framing", "independent_reporting", "neutral"] and report["n"] == 21
    assert "not stratified: label 'neutral' has one claim" in report["protocol"]
    assert report["baseline"]["n"] == 21


def test_the_default_breakdown_names_each_claim_s_source_as_the_other_views_do(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    for r in rows[:6]:   # a blog with no outlet: its author names it, as in the comparison report
        r.pop("outlet")
        r["author"] = "Klaus Meinhardt"
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    report = ev.evaluate("bootstrap", data, tmp_path / "r", folds=2)
    assert "outlet" not in report["by"]
    assert {k: v["n"] for k, v in report["by"]["source"].items()} == {
        "paper.example": 9, "Klaus Meinhardt": 6, "<script>state.example</script>": 5, "wire.example": 4}
    # asked for by name, the outlet field is grouped as it is; the source can be asked for too
    assert "(no outlet)" in ev.evaluate("bootstrap", data, tmp_path / "r", by=["outlet"], folds=2)["by"]["outlet"]
    assert ev.evaluate("bootstrap", data, tmp_path / "r", by=["source"], folds=2)["by"]["source"].keys() == \
        report["by"]["source"].keys()


def test_a_baseline_at_or_below_chance_is_said_to_be_no_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    rows[0]["outlet"] = ""
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    report = ev.evaluate("bootstrap", data, tmp_path / "r", by=["outlet"])
    assert report["baseline"]["macro_f1"] > 0.5 and "baseline_note" not in report   # it learns this data
    # a claim without the field is its own group, named so that no value (a label "none") is taken for it
    assert report["by"]["outlet"]["(no outlet)"]["n"] == 1

    def backwards(rows, labels, *args, **kwargs):   # folds that teach the opposite: every claim the other label
        proba = np.zeros((len(rows), len(labels)))
        for i, r in enumerate(rows):
            proba[i, 1 - labels.index(r["label"])] = 1.0
        return proba, "2-fold cross-validation on these rows"

    monkeypatch.setattr(ev, "tfidf_baseline", backwards)
    report = ev.evaluate("bootstrap", data, tmp_path / "r", by=[])
    assert report["baseline"]["macro_f1"] == 0.0
    assert report["baseline_note"] == (
        "the TF-IDF baseline scores at or below chance here (macro-F1 0.000, a uniform guess over 2 labels 0.500): "
        "on 24 claims its training folds are too small or too unlike the claims they score, so it is no bar to clear")
    assert report["baseline_note"] in evaluation_report.notes(report)


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
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| model | 24 | " in md
    # Markdown renderers pass raw HTML through: the outlet is escaped there too.
    assert "<script>" not in md and "outlet=&lt;script&gt;state.example&lt;/script&gt;" in md
    assert "default-src 'none'; img-src 'self'" in page
    # 95% intervals: the model's macro-F1 lies inside its own, the difference's is paired.
    ci = report["intervals"]
    assert ci["model"][0] <= report["overall"]["macro_f1"] <= ci["model"][1] <= 1.0
    assert ci["baseline"][0] <= report["baseline"]["macro_f1"] <= ci["baseline"][1]
    assert ci["difference"][0] <= report["overall"]["macro_f1"] - report["baseline"]["macro_f1"] <= ci["difference"][1]
    assert "95% intervals of macro-F1 (1,000 bootstrap resamples of the 24 claims): model " in page
    # The one error is listed with its escaped text; groups under 20 claims are marked.
    assert report["errors"] == [{"id": "k0", "text": "The Kiev regime claim number 0 <b>", "label": "kremlin_framing",
                                 "predicted": "independent_reporting", "confidence": 0.7778,
                                 "outlet": "wire.example", "source": "wire.example"}]
    assert "Errors the model was surest of" in page and "The Kiev regime claim number 0 &lt;b&gt;" in page
    assert "outlet=paper.example (few claims)" in page
    assert "source_type_note" not in report   # no row has a source type
    # ... so the bootstrap's source_type labeller abstained on every claim: said, as these figures differ
    # from what the same claims get as claims-file rows
    assert report["metadata_note"].startswith(f"{len(rows)} of the {len(rows)} claims have no source_type or no "
                                              "speaker (voice)")
    for r in rows:
        r["source_type"] = "state_media" if r["label"] == "kremlin_framing" else "independent"
        r["speaker"] = "author"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ev.evaluate("bootstrap", data, tmp_path / "report", by=["source_type"], folds=3)
    assert report["source_type_note"].startswith("the model reads each claim's source_type as evidence")
    with pytest.raises(UserError, match=r"^--by source_typ: no row of .* has that field; did you mean --by "
                                        r"source_type\?$"):
        ev.evaluate("bootstrap", data, tmp_path / "typo", by=["source_typ"], folds=3)
    with pytest.raises(UserError, match=r"has that field; give a field its rows have$"):
        ev.evaluate("bootstrap", data, tmp_path / "typo", by=["zzzz"], folds=3)
    assert not (tmp_path / "typo").exists()   # nothing written
    assert "metadata_note" not in report
    assert "reads each claim&#x27;s source_type as evidence" in (out / "index.html").read_text(encoding="utf-8")
    assert "anchoring_note" not in report
    # Labels corrected from this very model's pre-labels: the report says they flatter it.
    for r in rows:
        r["prelabel_version"] = "fake-1"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ev.evaluate("bootstrap", data, tmp_path / "report", by=[], folds=3)
    assert report["anchoring_note"].startswith("these labels were made by annotators who saw a pre-label already "
                                               "selected (fake-1); this model made some of them")


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
    assert "3-fold" in by_document and by_document.endswith("grouped by document (and repeated text)")
    # The loop's first pull: two documents, one label each. Grouped by document, every training fold
    # would hold one label; the folds hold out claims instead, and the protocol says so.
    for r in rows:
        r["doc_id"] = "interview" if r["label"] == "kremlin_framing" else "investigation"
    proba, by_claim = ev.tfidf_baseline(rows, labels, folds=5)
    assert "grouped by claim, not document: claims of one document sit on both sides" in by_claim
    assert proba.shape == (24, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == [labels.index(r["label"]) for r in rows]).mean() > 0.9


def test_the_baseline_takes_no_more_folds_than_the_data_has_distinct_texts() -> None:
    """Reposts: ten claims that are five copies each of two texts gave scikit-learn's traceback
    ("n_splits=5 greater than the number of groups: 2"); copies stay in one fold, the folds are fewer."""
    labels = ["kremlin_framing", "independent_reporting"]
    rows = [{"text": "The Kiev regime shelled Donetsk.", "label": labels[0], "doc_id": f"k{i}"} for i in range(5)]
    rows += [{"text": "Russia invaded Ukraine, officials said.", "label": labels[1], "doc_id": f"i{i}"} for i in range(5)]
    proba, how = ev.tfidf_baseline(rows, labels, folds=5)
    assert how.startswith("2-fold cross-validation") and proba.shape == (10, 2)
    # Each text's fold trained on the other text alone: it cannot be right, and it is not flattered.
    assert (proba.argmax(axis=1) != [labels.index(r["label"]) for r in rows]).all()
    four = [{**r, "text": r["text"] + f" ({i % 2})"} for i, r in enumerate(rows)]
    assert ev.tfidf_baseline(four, labels, folds=5)[1].startswith("4-fold cross-validation")   # 4 texts
    same = [{**r, "text": "One text."} for r in rows]
    _, how = ev.tfidf_baseline(same, labels, folds=5)
    assert how == "5-fold cross-validation on these rows by claim, not stratified: every claim has the same text"


def _pulled(tmp_path: Path, rows: list[dict]) -> Path:
    """A `stance pull` dataset of ``rows``: train 14, validation 2, test 8."""
    import datasets

    names = ["kremlin_framing", "independent_reporting", "neutral"]
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names),
                                  "doc_id": datasets.Value("string")})

    def part(chunk):
        return datasets.Dataset.from_dict({"text": [r["text"] for r in chunk],
                                           "label": [names.index(r["label"]) for r in chunk],
                                           "doc_id": [r["doc_id"] for r in chunk]}, features=features)

    datasets.DatasetDict({"train": part(rows[:14]), "validation": part(rows[14:16]),
                          "test": part(rows[16:])}).save_to_disk(str(tmp_path / "ds"))
    return tmp_path / "ds"


def test_evaluate_on_a_pulled_dataset_scores_the_split_asked_for(tmp_path, monkeypatch):
    from models.data import load_labelled, test_split

    rows = _rows()
    names = ["kremlin_framing", "independent_reporting", "neutral"]
    ds = _pulled(tmp_path, rows)
    loaded = load_labelled(ds, names)
    rest, test = test_split(loaded)
    assert [r["split"] for r in rest] == ["train"] * 14 + ["validation"] * 2 and len(test) == 8
    assert [r["text"] for r in test] == [r["text"] for r in rows[16:]] and test[0]["label"] in names

    seen = []

    def fake_predict(model, got, scheme):
        seen.append(len(got))
        return _fake_predict(model, got, scheme)

    monkeypatch.setattr(ev, "predict_rows", fake_predict)
    # The bootstrap was trained on none of these claims: every split is scored, and the report says so.
    report = ev.evaluate("bootstrap", ds, tmp_path / "report", by=[], folds=2)
    assert seen == [24] and report["n"] == 24 and report["split"] == "all"
    assert report["scored"] == f"every split of {ds} (train 14, validation 2, test 8: 24 claims)"
    assert f"every row of every split of {ds} (train 14, validation 2, test 8: 24 claims)" in report["protocol"]
    # --split test: the test split alone, as before.
    report = ev.evaluate("bootstrap", ds, tmp_path / "report", by=[], folds=2, split="test")
    assert seen[-1] == 8 and report["n"] == 8
    assert report["scored"] == f"the test split of {ds} (8 of 24 claims)"
    assert f"the test split of {ds} (8 of 24 claims)" in report["protocol"]
    # Data without a test split: asking for it is one clear line.
    assert "ties_note" not in report
    data = tmp_path / "plain.jsonl"
    data.write_text("".join(json.dumps({**r, "rule": "tie->latest" if i < 3 else "unanimous"}) + "\n"
                            for i, r in enumerate(rows)), encoding="utf-8")
    with pytest.raises(UserError, match=r"--split test: .*plain.jsonl has no test split .*use --split all"):
        ev.evaluate("bootstrap", data, tmp_path / "r2", by=[], split="test")
    report = ev.evaluate("bootstrap", data, tmp_path / "r2", by=[])
    assert report["scored"] == f"{data} (24 claims)"
    # Ties among the claims scored: their labels are whoever labelled last, and the report says so.
    assert report["ties_note"].startswith("3 of the 24 claims scored are ties between annotators, resolved to "
                                          "whoever labelled last (rule 'tie->latest')")
    assert evaluation_report.notes(report) == [report["metadata_note"], report["ties_note"]]   # text and label alone


def test_a_test_split_of_one_label_says_how_to_get_figures(tmp_path):
    rows = _rows()
    rows = rows[:16] + [{**r, "label": "kremlin_framing"} for r in rows[16:]]
    ds = _pulled(tmp_path, rows)
    with pytest.raises(UserError, match=r"holds only the label\(s\) \['kremlin_framing'\]; evaluation needs two or "
                                        r"more; that is the test split of .* \(8 of 24 claims\), a tenth of the "
                                        r"documents: --split all scores every split"):
        ev.evaluate("bootstrap", ds, tmp_path / "r", by=[], split="test")


def test_a_trained_model_on_its_own_pull_is_scored_on_the_split_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from claimstance.cli import main

    rows = _rows()
    ds = _pulled(tmp_path, rows)
    # Trained on 12 of the train split, validated on 2 of it and the 2 of the validation split; 2 claims
    # of the train split were left out of training (ties, say).
    model = _model_dir(tmp_path, rows[:12], ds, val_rows=rows[12:13] + rows[14:16])
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    # By default the test split: the rest of the train split shares documents with the training claims.
    assert main(["evaluate", "--model", str(model), "--data", str(ds), "--out", str(tmp_path / "r")]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["split"] == "test" and report["n"] == 8
    assert capsys.readouterr().out.startswith(f"scored on the test split of {ds} (8 of 24 claims)")
    # --split all: every claim the model never saw, the two left out of training included.
    assert main(["evaluate", "--model", str(model), "--data", str(ds), "--out", str(tmp_path / "r"),
                 "--split", "all"]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["split"] == "all" and report["n"] == 9
    assert report["rows_seen_in_training"] == 12 and report["rows_seen_in_validation"] == 3
    scored = {json.loads(x)["text"] for x in (tmp_path / "r" / "predictions.jsonl").read_text().splitlines()}
    assert scored == {r["text"] for r in rows[13:14] + rows[16:]}
    out = capsys.readouterr().out
    assert out.startswith(f"scored on every split of {ds} (train 14, validation 2, test 8: 24 claims); left out "
                          "the 12 claims the model was trained on and 3 it was tuned on")
    assert ev.default_split(str(model)) == "test" and ev.default_split("bootstrap") == "all"


def test_the_terminal_table_keeps_names_and_their_few_claims_mark_whole() -> None:
    lines = [("model", 30, 0.396, 0.467, 0.473),
             ("outlet=Kontur Investigations (few claims)", 5, 0.444, 0.8, 0.192),
             ("source_type=independent_reporting (few claims)", 12, 0.368, 0.583, 0.409)]
    table = evaluation_report.terminal_table(lines)
    assert table[2].startswith("outlet=Kontur Investigations (few claims)     ")
    # a name holding a control is measured as the terminal prints it, escaped: the figures line up
    shifted = evaluation_report.terminal_table([("a\u202eb", 3, 0.5, 0.5, 0.1), ("abcdefghij", 3, 0.5, 0.5, 0.1)])
    assert shifted[1] == "a\\u202eb       3     0.500     0.500  0.100" and len(shifted[1]) == len(shifted[2])
    assert table[3] == "source_type=independent_reporting (few claims)    12     0.368     0.583  0.409"
    assert table[0] == " " * 46 + "     n  macro-F1  accuracy    ECE"
    # A name longer than the column wraps between words; the mark stays on one line, the figures on the last.
    long = [("outlet=The Very Long Name Of An Investigative Outlet Somewhere In Europe (few claims)", 4,
             0.5, 0.5, 0.1)]
    wrapped = evaluation_report.terminal_table(long, max_width=40)
    assert wrapped[1:] == ["outlet=The Very Long Name Of An",
                           "Investigative Outlet Somewhere In",
                           "Europe (few claims)" + " " * 21 + "     4     0.500     0.500  0.100"]


def test_claims_the_model_was_trained_on_are_left_out_and_counted() -> None:
    from models.data import text_hash

    rows = _rows()
    kept, left_out = ev.leave_out_trained(rows, [text_hash(rows[0]["text"]), text_hash("  " + rows[3]["text"]),
                                                 text_hash("a claim not in these rows")])
    assert left_out == 2   # the hash ignores spacing: rows[3] counts
    assert [r["id"] for r in kept] == [r["id"] for r in rows if r["id"] not in ("k0", "i1")]
    assert ev.leave_out_trained(rows, []) == (rows, 0)


def test_baseline_rows_are_chosen_by_hash_and_missing_ones_counted() -> None:
    from models.data import text_hash

    rows = _rows()
    hashes = sorted(text_hash(r["text"]) for r in rows[:10])
    picked, missing = ev.pick_training_rows(rows, hashes)
    assert [r["id"] for r in picked] == [r["id"] for r in rows[:10]] and missing == 0
    picked, missing = ev.pick_training_rows(rows[2:], hashes)   # the file lost two training claims
    assert len(picked) == 8 and missing == 2


def _model_dir(tmp_path: Path, train_rows: list[dict], train_data: Path | None,
               val_rows: list[dict] = ()) -> Path:
    from models.data import text_hash

    model = tmp_path / "model"
    model.mkdir()
    record = {"scheme": "kremlin_framing", "labels": ["kremlin_framing", "independent_reporting"],
              "version": "fake-1", "train_hashes": sorted(text_hash(r["text"]) for r in train_rows),
              "validation_hashes": sorted(text_hash(r["text"]) for r in val_rows)}
    if train_data is not None:
        record["train_data"] = str(train_data)
    (model / "claimstance.json").write_text(json.dumps(record), encoding="utf-8")
    return model


def _fake_predict(model: str, got: list[dict], scheme: object) -> tuple[np.ndarray, dict]:
    out = np.array([[0.8, 0.1, 0.1] if r["label"] == "kremlin_framing" else [0.1, 0.8, 0.1] for r in got])
    return out, {"model": model, "version": "fake-1"}


def test_model_training_rows_says_why_it_cannot_find_them(tmp_path: Path) -> None:
    rows = _rows()
    labels = ["kremlin_framing", "independent_reporting", "neutral"]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    record = json.loads((_model_dir(tmp_path, rows[:16], data) / "claimstance.json").read_text())
    found, why = ev.model_training_rows(record, labels)
    assert [r["id"] for r in found] == [r["id"] for r in rows[:16]] and why == ""
    assert ev.model_training_rows({}, labels) == (None, "the bootstrap has no training claims")
    assert "does not record its training data" in ev.model_training_rows(
        {k: v for k, v in record.items() if k != "train_data"}, labels)[1]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[4:]), encoding="utf-8")   # edited since
    assert ev.model_training_rows(record, labels) == (
        None, f"{data} no longer holds 4 of the model's 16 training claims")
    data.unlink()
    assert ev.model_training_rows(record, labels) == (None, f"the model's training data was not found at {data}")


def test_model_training_rows_are_found_in_a_later_pulls_test_split(tmp_path: Path) -> None:
    # Under 30 documents a later pull of the same project may move a trained-on document into the
    # test split: its claims are still the model's training claims, not "no longer held".
    rows = _rows()
    labels = ["kremlin_framing", "independent_reporting", "neutral"]
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps({**r, "split": "test" if i < 3 else "train"}) + "\n"
                            for i, r in enumerate(rows)), encoding="utf-8")
    record = json.loads((_model_dir(tmp_path, rows[:16], data) / "claimstance.json").read_text())
    found, why = ev.model_training_rows(record, labels)
    assert why == "" and sorted(r["id"] for r in found) == sorted(r["id"] for r in rows[:16])


def test_baseline_is_trained_on_the_models_training_claims_and_seen_claims_are_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from claimstance.cli import main

    rows = _rows()
    train_data = tmp_path / "train.jsonl"   # what the model saw: 14 claims trained on, 2 validation claims
    train_data.write_text("".join(json.dumps(r) + "\n" for r in rows[:16]), encoding="utf-8")
    model = _model_dir(tmp_path, rows[:14], train_data, val_rows=rows[14:16])
    data = tmp_path / "eval.jsonl"   # 2 claims it was trained on, 2 it was tuned on, 8 it never saw
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[12:]), encoding="utf-8")
    seen: list[int] = []

    def fake_predict(model: str, got: list[dict], scheme: object) -> tuple[np.ndarray, dict]:
        seen.append(len(got))
        return _fake_predict(model, got, scheme)

    monkeypatch.setattr(ev, "predict_rows", fake_predict)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert seen == [8] and report["n"] == 8 and report["overall"]["n"] == 8 and report["baseline"]["n"] == 8
    assert report["rows_seen_in_training"] == 2 and report["rows_seen_in_validation"] == 2
    assert report["left_out"] == "left out the 2 claims the model was trained on and 2 it was tuned on (its validation claims, which chose its epoch and fitted its blend)"
    assert report["baseline_kind"] == "training_claims"
    assert report["baseline_how"] == "trained on the model's 14 training claims"
    assert f"(read again from {train_data}), scored on the same 8 claims as the model" in report["protocol"]
    assert report["baseline"]["accuracy"] == 1.0   # "Kiev regime" vs "Officials said" again
    assert len((tmp_path / "r" / "predictions.jsonl").read_text().splitlines()) == 8
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "Left out the 2 claims the model was trained on and 2 it was tuned on (its validation claims, which chose its epoch and fitted its blend): every figure here is on the other 8." in md
    assert "scored as given on every row of " + str(data) + " (12 claims) except the 2 claims the model was trained on and 2 it was tuned on (its validation claims, which chose its epoch and fitted its blend)" in md
    assert "| TF-IDF+LR (model's train) | 8 |" in md
    out = capsys.readouterr().out
    assert "left out the 2 claims the model was trained on and 2 it was tuned on (its validation claims, which chose its epoch and fitted its blend)\n" in out
    assert "TF-IDF baseline: trained on the model's 14 training claims\n" in out
    predictions = [json.loads(x) for x in (tmp_path / "r" / "predictions.jsonl").read_text().splitlines()]
    assert predictions[0]["model_version"] == "fake-1"

    # The training data moved: the baseline is cross-validated on the evaluated claims, and says why.
    train_data.rename(tmp_path / "moved.jsonl")
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r2")]) == 0
    report = json.loads((tmp_path / "r2" / "report.json").read_text(encoding="utf-8"))
    assert report["baseline_kind"] == "cross_validation" and report["n"] == 8
    assert report["baseline_how"] == ("cross-validated within the evaluation data (the model's training data "
                                      f"was not found at {train_data})")
    assert f"TF-IDF baseline: {report['baseline_how']}\n" in capsys.readouterr().out


def test_claims_of_the_documents_a_model_was_trained_on_are_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """New claims of a training document (labelled in a later pull) are not the claims trained on, so
    they are scored; the network learnt their document's other claims, and the report says so."""
    from claimstance.cli import main
    from models.data import document_hashes

    rows = _rows()
    model = _model_dir(tmp_path, rows[:14], None, val_rows=rows[14:16])
    record = json.loads((model / "claimstance.json").read_text(encoding="utf-8"))
    (model / "claimstance.json").write_text(json.dumps({**record, "train_documents": document_hashes(rows[:16])}))
    later = [{**r, "id": f"new-{r['id']}", "text": r["text"] + " again"} for r in rows[:3]]   # dk0, di0, dk1
    later.append({"id": "url-1", "text": "Officials said a new report", "label": "independent_reporting"})
    data = tmp_path / "eval.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[16:] + later), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    note = ("3 of the 12 claims scored come from documents the model was trained or tuned on (the same doc_id, "
            "else url), though not those claims themselves: these figures flatter it")
    assert note in capsys.readouterr().out
    assert note in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert document_hashes([{"text": "x"}, {"text": "y", "url": "u"}, {"text": "z", "url": "u"}]) == \
        document_hashes([{"url": "u"}])   # one document; a row naming none is none
    # A model trained before it recorded its documents: no note.
    (model / "claimstance.json").write_text(json.dumps(record))
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    assert "documents the model was trained" not in capsys.readouterr().out


def test_evaluating_only_claims_the_model_was_trained_on_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from claimstance.cli import main

    rows = _rows()
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    model = _model_dir(tmp_path, rows[:20], data, val_rows=rows[20:])
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) != 0
    err = capsys.readouterr().err
    assert err == (f"error: {data}: the model {model} was trained or tuned on every one of its claims (the 20 claims "
                   "the model was trained on and 4 it was tuned on (its validation claims, which chose its epoch and "
                   "fitted its blend)); evaluate on held-out claims (the test split of a `stance pull` dataset, or "
                   "claims labelled after training)\n")
    assert not (tmp_path / "r").exists()


def test_one_label_left_once_seen_claims_are_out_is_refused_with_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # QA: the refusal named the problem only ("evaluation needs two or more"), not what to do.
    from claimstance.cli import main

    rows = _rows()
    unseen = [r for r in rows[20:] if r["label"] == rows[20]["label"]]
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[:20] + unseen), encoding="utf-8")
    model = _model_dir(tmp_path, rows[:20], data)
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) != 0
    err = capsys.readouterr().err
    assert err.startswith(f"error: {data}: holds only the label(s) ['{rows[20]['label']}'] once the 20 claims the "
                          "model was trained on are left out; evaluation needs two or more")
    assert err.endswith("; score it on more claims it never saw: label claims of more documents, or claims labelled "
                        "after training (a JSONL of `text` and `label`)\n")
    one = tmp_path / "one_label.jsonl"
    one.write_text(json.dumps({"text": "x", "label": "neutral"}) + "\n", encoding="utf-8")
    assert main(["evaluate", "--model", "bootstrap", "--data", str(one), "--out", str(tmp_path / "r")]) != 0
    assert capsys.readouterr().err.endswith("evaluation needs two or more; give claims of two or more of the "
                                            "scheme's labels (kremlin_framing, independent_reporting, neutral)\n")
    assert not (tmp_path / "r").exists()


def test_a_test_split_of_seen_claims_points_to_the_unseen_claims_of_the_other_splits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A later pull (under 30 documents) moved the documents the model trained on into its test split,
    # while claims labelled since sit in train: the refusal says where the held-out claims are.
    from claimstance.cli import main

    rows = _rows()
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps({**r, "split": "test" if i < 16 else "train"}) + "\n"
                            for i, r in enumerate(rows)), encoding="utf-8")
    model = _model_dir(tmp_path, rows[:16], data)
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r")]) != 0
    err = capsys.readouterr().err
    assert err.endswith("(the 16 claims the model was trained on); the test split holds only claims it saw (trained "
                        "on a whole labels.jsonl, or a later pull of under 30 documents moved them there): "
                        f"--split all scores the {len(rows) - 16} claims of every split it was neither trained nor "
                        "tuned on\n")
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r"),
                 "--split", "all"]) == 0
    assert json.loads((tmp_path / "r" / "report.json").read_text())["n"] == len(rows) - 16


@pytest.mark.slow
def test_a_trained_model_is_scored_without_its_training_claims_against_a_baseline_fitted_on_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from models.training import TrainSettings, train

    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _rows()), encoding="utf-8")
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    result = train(data, tmp_path / "model", seed=5, progress=False,
                   settings=TrainSettings(epochs=1, max_length=48, val_fraction=0.25))
    config = json.loads((tmp_path / "model" / "claimstance.json").read_text(encoding="utf-8"))
    assert config["train_data"] == str(data.resolve())
    assert len(config["validation_hashes"]) == result["validation_claims"] == 24 - result["train_claims"]
    # Its own training file plus four claims it never saw: the training and the validation claims
    # (which chose its epoch and fitted its blend) are left out, the four new ones scored.
    fresh = [{"text": f"Officials said on day {i} that the talks went on.", "label": "independent_reporting"}
             for i in range(2)] + [{"text": f"The Kiev regime shelled town number {i}.", "label": "kremlin_framing"}
                                   for i in range(2)]
    both = tmp_path / "both.jsonl"
    both.write_text(data.read_text(encoding="utf-8") + "".join(json.dumps(r) + "\n" for r in fresh), encoding="utf-8")
    report = ev.evaluate(str(tmp_path / "model"), both, tmp_path / "report", by=[])
    assert report["rows_seen_in_training"] == result["train_claims"]
    assert report["rows_seen_in_validation"] == result["validation_claims"]
    assert report["n"] == 4
    assert report["baseline_how"] == f"trained on the model's {result['train_claims']} training claims"
    assert report["overall"]["n"] == report["baseline"]["n"] == report["n"]
    with pytest.raises(UserError, match="was trained or tuned on every one of its claims"):
        ev.evaluate(str(tmp_path / "model"), data, tmp_path / "report2", by=[])


def test_a_label_no_scored_claim_has_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Independent and neutral claims only: the model cannot be shown wrong toward kremlin_framing.
    rows = [{"id": f"i{i}", "text": f"Officials said report number {i}", "label": "independent_reporting",
             "doc_id": f"di{i}"} for i in range(12)]
    rows += [{"id": f"n{i}", "text": f"The meeting is scheduled for day {i}", "label": "neutral", "doc_id": f"dn{i}"}
             for i in range(12)]
    data = tmp_path / "no_kremlin.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", lambda model, got, scheme: (
        np.array([[0.1, 0.8, 0.1] if r["label"] == "independent_reporting" else [0.1, 0.1, 0.8] for r in got]),
        {"model": model, "version": "fake-1"}))
    report = ev.evaluate("bootstrap", data, tmp_path / "r", by=[])
    assert report["absent_note"].startswith("no claim scored here is labelled 'kremlin_framing', a label the model "
                                            "predicts: the figures cover independent_reporting, neutral only")
    assert report["absent_note"] in evaluation_report.notes(report)
    # Data with no neutral claim, the common case for distant labels, gets no such note.
    two = tmp_path / "two_labels.jsonl"
    two.write_text("".join(json.dumps(r) + "\n" for r in _rows()), encoding="utf-8")
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    assert "absent_note" not in ev.evaluate("bootstrap", two, tmp_path / "r2", by=[])


def test_the_errors_table_names_each_claim_s_source_as_the_other_views_do() -> None:
    rows = [{"id": "a", "text": "Sanctions work.", "outlet": "Reuters"},
            {"id": "b", "text": "Sanctions fail.", "handle": "@hausfrau_kiel", "platform": "X"},
            {"id": "c", "text": "Nobody knows.", "doc_id": "p3", "source_type": "social"},
            {"id": "d", "text": "Maybe.", "doc_id": "p4"}]
    y = np.array([0, 0, 0, 0])
    proba = np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    errors = ev.confident_errors(rows, y, proba, ["favor", "against"])
    assert [w["source"] for w in errors] == ["Reuters", "@hausfrau_kiel (X)", "social", ""]


def _model_wrong_on_wire(model: str, got: list[dict], scheme: object) -> tuple[np.ndarray, dict]:
    """A stand-in model: right on every independent claim, wrong on the kremlin claims of wire.example."""
    out = np.array([[0.8, 0.1, 0.1] if r["label"] == "kremlin_framing" and r["outlet"] != "wire.example"
                    else [0.1, 0.8, 0.1] for r in got])
    return out, {"model": model, "version": "fake-1"}


def _bootstrap_always_right(got: list[dict], scheme: object, cols: list[int]) -> np.ndarray:
    """A stand-in bootstrap, right on every claim."""
    return np.array([[0.9, 0.1] if r["label"] == "kremlin_framing" else [0.2, 0.8] for r in got])


def test_a_trained_model_is_shown_beside_the_bootstrap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`stance evaluate --model DIR` scores the bootstrap on the same claims: the table, the
    intervals, the by-field breakdown and a note when it is clearly ahead; never for the bootstrap."""
    from claimstance.cli import main

    rows = _rows()
    model = _model_dir(tmp_path, [], None)
    data = tmp_path / "heldout.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    monkeypatch.setattr(ev, "predict_rows", _model_wrong_on_wire)
    monkeypatch.setattr(ev, "bootstrap_proba", _bootstrap_always_right)
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "r"),
                 "--by", "outlet"]) == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["bootstrap"]["macro_f1"] == 1.0 and report["overall"]["macro_f1"] == pytest.approx(0.7333, abs=1e-4)
    table = printed.splitlines()
    assert table[2].startswith("model ") and table[3].startswith("TF-IDF+LR (CV) ")
    assert table[4].startswith("bootstrap (no model) ") and table[4].endswith("    24     1.000     1.000  0.150")
    assert report["bootstrap_note"] == (
        "on these 24 claims the bootstrap alone scores macro-F1 1.000, this model 0.733: keep pre-labelling with the "
        "bootstrap (leave out --model) until a model trained on more claims, from more documents, does better here")
    assert f"note: {report['bootstrap_note']}\n" in printed
    assert report["by"]["outlet"]["wire.example"]["macro_f1"] == 0.0
    assert report["by"]["outlet"]["wire.example"]["bootstrap_macro_f1"] == 1.0
    assert report["by"]["outlet"]["wire.example"]["bootstrap_accuracy"] == 1.0
    assert report["by"]["outlet"]["wire.example"]["accuracy"] == 0.0
    boot_ci = report["intervals_bootstrap"]
    assert boot_ci["bootstrap"] == [1.0, 1.0] and boot_ci["difference"][1] < 0
    assert ", bootstrap (no model) 1.000 to 1.000, model minus bootstrap " in printed
    assert "the scheme's bootstrap (`stance prelabel` with no model), on the same claims" in report["protocol"]
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "| bootstrap (no model) | 24 | 1.000 | 1.000 |" in md and "## Bootstrap (no model): per label" in md
    assert "| model macro-F1 | bootstrap macro-F1 | model accuracy | bootstrap accuracy |" in md
    assert "| outlet=wire.example (few claims) | 6 | 0.000 | 1.000 | 0.000 | 1.000 |" in md
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "<tr><td>bootstrap (no model)</td><td>24</td><td>1.000</td>" in page
    assert "<tr><td>outlet=&lt;script&gt;state.example&lt;/script&gt; (few claims)</td><td>6</td><td>1.000</td>" \
           "<td>1.000</td><td>1.000</td><td>1.000</td></tr>" in page   # macro-F1 and accuracy, model and bootstrap
    # The bootstrap evaluated: no second bootstrap beside it.
    monkeypatch.setattr(ev, "predict_rows", _fake_predict)
    report = ev.evaluate("bootstrap", data, tmp_path / "r2", by=["outlet"], folds=3)
    assert "bootstrap" not in report and "bootstrap_note" not in report
    assert "bootstrap_macro_f1" not in report["by"]["outlet"]["wire.example"]
    assert "bootstrap (no model)" not in (tmp_path / "r2" / "report.md").read_text(encoding="utf-8")


def test_the_bootstrap_advice_needs_as_many_claims_as_an_interval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under MIN_FOR_INTERVALS (20) claims, a bootstrap ahead is said to be too few claims to tell, not
    'keep the bootstrap'; from 20 on, the advice as before."""
    from models.metrics import MIN_FOR_INTERVALS

    monkeypatch.setattr(ev, "predict_rows", _model_wrong_on_wire)
    monkeypatch.setattr(ev, "bootstrap_proba", _bootstrap_always_right)
    model = _model_dir(tmp_path, [], None)
    for n, advice in ((8, False), (MIN_FOR_INTERVALS - 1, False), (MIN_FOR_INTERVALS, True)):
        data = tmp_path / f"held_{n}.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in _rows()[:n]), encoding="utf-8")
        report = ev.evaluate(str(model), data, tmp_path / f"r{n}", folds=3)
        assert report["bootstrap"]["macro_f1"] - report["overall"]["macro_f1"] >= ev.BOOTSTRAP_MARGIN
        note = report["bootstrap_note"]
        assert note.startswith(f"on these {n} claims the bootstrap alone scores macro-F1 1.000, this model ")
        assert ("keep pre-labelling with the bootstrap" in note) is advice, n
        if not advice:
            assert note.endswith(": too few claims to tell which pre-labels better (at least 20, as for the "
                                 "intervals); label more claims and evaluate again")
            assert report["bootstrap_note"] in (tmp_path / f"r{n}" / "report.md").read_text(encoding="utf-8")


def test_a_list_valued_by_field_counts_each_claim_in_each_member_s_group(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--by annotators` on labels.jsonl: a claim annotated by alice and bob is in alice's group and
    in bob's (not in one "alice,bob" group), the report says the groups overlap, and the page
    escapes an annotator's name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    carol = "<img src=x onerror=alert(1)>carol\u202e"
    rows = _rows()
    for i, r in enumerate(rows):
        r["annotators"] = (["alice", "bob"] if i < 8 else ["bob"] if i < 16 else [carol] if i < 22 else [])
    rows[1]["annotators"] = ["bob", "alice", "bob"]   # a name twice in one row counts once

    def wrong_on_two(model: str, got: list[dict], scheme: object) -> tuple[np.ndarray, dict]:
        out, info = _fake_predict(model, got, scheme)
        for i, r in enumerate(got):
            if r["id"] in ("k0", "i4"):   # rows 0 (alice, bob) and 9 (bob)
                out[i] = out[i][[1, 0, 2]]
        return out, info

    monkeypatch.setattr(ev, "predict_rows", wrong_on_two)
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ev.evaluate("bootstrap", data, tmp_path / "r", by=["annotators"], folds=2)
    groups = report["by"]["annotators"]
    assert {k: v["n"] for k, v in groups.items()} == {"bob": 16, "alice": 8, carol: 6, "(no annotators)": 2}
    assert groups["alice"]["accuracy"] == pytest.approx(7 / 8, abs=1e-4)
    assert groups["bob"]["accuracy"] == pytest.approx(14 / 16, abs=1e-4)
    assert groups[carol]["accuracy"] == 1.0 and report["overall"]["accuracy"] == pytest.approx(22 / 24, abs=1e-4)
    assert report["by_overlap"] == {"annotators": {"claims": 24, "in_groups": 32}}
    assert report["by_note"].startswith(
        "--by annotators: a claim with several annotators counts under each (24 claims, 32 places in 4 groups, as "
        "a multi-label breakdown counts them): the groups overlap, so their sizes add up to more than the claims "
        "scored; the overall figures count each claim once, and each group scores the model against the resolved "
        "label")
    assert report["by_note"] in evaluation_report.notes(report)
    names = [name for name, *_ in evaluation_report.summary_table(report)]
    assert "annotators=alice (few claims)" in names and "annotators=bob (few claims)" in names
    assert not any("alice,bob" in name or "'alice'" in name for name in names)
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "\u202e" not in page
    assert "annotators=&lt;img src=x onerror=alert(1)&gt;carol⟨U+202E⟩" in page
    assert "the groups overlap, so their sizes add up to more than the claims scored" in page
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "| annotators=alice (few claims) | 8 |" in md and "<img" not in md and "the groups overlap" in md
    # A single-valued field has no such note; labels.parquet (a list column) groups the same way.
    assert "by_note" not in ev.evaluate("bootstrap", data, tmp_path / "r", by=["outlet"], folds=2)
    table = tmp_path / "labels.parquet"
    pq.write_table(pa.Table.from_pylist(rows), table)
    again = ev.evaluate("bootstrap", table, tmp_path / "rp", by=["annotators"], folds=2)
    assert {k: v["n"] for k, v in again["by"]["annotators"].items()} == {k: v["n"] for k, v in groups.items()}


def test_annotation_rows_are_counted_as_annotations_of_claims() -> None:
    # QA: `--data annotations.jsonl` (a row per annotator of a claim) said "(5 claims)" for 5
    # annotations of 3 claims.
    rows = [{"claim_id": c, "annotator": a, "label": "neutral"}
            for c, a in [("c1", "alice"), ("c1", "bob"), ("c2", "alice"), ("c2", "bob"), ("c3", "bob")]]
    assert ev.choose_rows(rows, "all", "annotations.jsonl")[1] == "annotations.jsonl (5 annotations of 3 claims)"
    assert ev.rows_in_words(rows[::2]) == "3 claims"
    assert ev.rows_in_words([{"id": "k0"}, {"id": "k0"}]) == "2 claims"   # no claim ids: rows are claims
