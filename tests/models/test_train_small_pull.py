"""`stance train` on a small pull whose rarest label has one training claim: one line saying where the
claims are (train, validation, the test split held out) and the ways forward, before any training."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from claimstance.cli import main
from corpus.errors import UserError
from models import training


def _pull(folder: Path) -> Path:
    """labels.parquet (with its split column) and labels.jsonl (without) of a pull whose test split
    holds 3 of the 4 neutral claims."""
    rows = []
    for split, counts in (("train", {"kremlin_framing": 10, "independent_reporting": 8, "neutral": 1}),
                          ("validation", {"kremlin_framing": 1, "independent_reporting": 1}),
                          ("test", {"kremlin_framing": 2, "neutral": 3})):
        for label, n in counts.items():
            rows += [{"claim_id": f"{split}-{label}-{i}", "doc_id": f"{split}-doc{i % 3}",
                      "text": f"Claim {i} of {label} in {split}.", "label": label, "split": split} for i in range(n)]
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), str(folder / "labels.parquet"))
    (folder / "labels.jsonl").write_text("".join(json.dumps({k: v for k, v in r.items() if k != "split"}) + "\n"
                                                 for r in rows), encoding="utf-8")
    return folder


def test_too_few_training_claims_of_a_label_say_where_the_claims_are_and_what_to_do(tmp_path, capsys):
    pulled = _pull(tmp_path / "pulled")
    with pytest.raises(UserError) as err:
        training.train(pulled / "labels.parquet", tmp_path / "model")
    message = str(err.value)
    assert message.startswith(f"{pulled / 'labels.parquet'}: too few claims to hold out a validation split: label "
                              "'neutral' has 1 of the 21 training claims (train 19, validation 2; the test split's 5 "
                              "claims, neutral 3, are held out for `stance evaluate`); label more 'neutral' claims and "
                              "pull again; ")
    assert (f"for a first loop train on every labelled claim: `stance train --data {pulled / 'labels.jsonl'}` (no split "
            "column, so nothing is held out: score that model on claims labelled later)") in message
    assert not (tmp_path / "model").exists()
    # the CLI: one line, exit 2, nothing written
    assert main(["train", "--data", str(pulled / "labels.parquet"), "--out", str(tmp_path / "model")]) == 2
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("error: ") and len(printed.splitlines()) == 1 and not (tmp_path / "model").exists()
    # A table of one's own (clean.parquet) is not sent back to labels.jsonl, which holds the rows it left out.
    clean = pulled / "clean.parquet"
    pq.write_table(pq.read_table(str(pulled / "labels.parquet")), str(clean))
    with pytest.raises(UserError, match=r"drop the split column \(pandas: d.drop\(columns='split'\)\)"):
        training.train(clean, tmp_path / "model")
    # Data without a test split: the counts, and labelling more as the way forward.
    with pytest.raises(UserError, match=r"label 'neutral' has 1 of the 10 training claims; label more 'neutral' "
                                        r"claims$"):
        rows = [{"text": f"K {i}.", "label": "kremlin_framing"} for i in range(9)] + [{"text": "N.", "label": "neutral"}]
        plain = tmp_path / "plain.jsonl"
        plain.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        training.train(plain, tmp_path / "model")
