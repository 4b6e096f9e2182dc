"""Rows named in input errors: counted from 1 in every format, and a pre-label the scheme lacks."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from claimstance.cli import main
from corpus.errors import UserError
from models.data import load_labelled


def test_a_parquet_row_is_counted_from_1_as_a_jsonl_line_is(tmp_path):
    rows = [{"text": "One claim.", "label": "neutral"}, {"text": "", "label": "neutral"}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pairs.parquet")
    with pytest.raises(UserError, match=r"pairs.parquet row 2: no text"):
        load_labelled(tmp_path / "pairs.parquet")
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(UserError, match=r"pairs.jsonl:2: no text"):
        load_labelled(tmp_path / "pairs.jsonl")


def test_a_pairs_pull_given_for_labelled_claims_is_named_as_one(tmp_path, capsys):
    # QA: `stance compare --labels PAIRS_PULL` (or train/evaluate --data) said "no text" of a row that
    # has two: a pull of a pairs project.
    pair = {"pair_id": "p1", "text_a": "Kyiv said drones fell.", "text_b": "Moscow said drones fell.",
            "label": "contradict"}
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(pair) + "\n", encoding="utf-8")
    message = (f"{labels}:1: a claim pair (text_a, text_b), from the pull of a pairs project; give the pull of a "
               "claims project (rows with text and label)")
    with pytest.raises(UserError) as err:
        load_labelled(labels)
    assert str(err.value) == message
    claims = tmp_path / "pre.jsonl"
    claims.write_text(json.dumps({"claim_id": "a", "doc_id": "d1", "text": "Kyiv said drones fell.",
                                  "prediction": "neutral"}) + "\n", encoding="utf-8")
    assert main(["compare", "--in", str(claims), "--out", str(tmp_path / "cmp"), "--labels", str(labels)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"error: --labels {message}"
    assert main(["evaluate", "--model", "bootstrap", "--data", str(labels), "--out", str(tmp_path / "ev")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"error: {message}"
    assert not (tmp_path / "cmp").exists() and not (tmp_path / "ev").exists()


def test_compare_refuses_a_prediction_that_is_no_label_of_the_scheme(tmp_path, capsys):
    rows = [{"claim_id": "a", "doc_id": "d1", "text": "Kyiv said drones fell.", "prediction": "neutral",
             "scheme": "kremlin_framing", "scheme_source": "kremlin_framing"},
            {"claim_id": "b", "doc_id": "d2", "text": "Moscow said drones fell.", "prediction": "<i>x</i>",
             "scheme": "kremlin_framing", "scheme_source": "kremlin_framing"}]
    path = tmp_path / "pre.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["compare", "--in", str(path), "--out", str(tmp_path / "cmp")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: {path}: row 2 (claim_id b): prediction '<i>x</i>' is not a label of scheme 'kremlin_framing' "
        "(kremlin_framing, independent_reporting, neutral); pre-label the claims again with `stance prelabel`, "
        "or fix that row")
    assert not (tmp_path / "cmp").exists()
