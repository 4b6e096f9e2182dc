"""The suggested relation from each sentence's features read once (models.pairs.SentenceFeatures, as
PairTable uses it) equals suggest_relation read pair by pair, on the relation tests' sentences; PairTable's
rows, each claim's side made once, are make_pair's, and pairs.jsonl holds json.dumps of each."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from models.compare_settings import CompareSettings
from models.pairs import PairTable, SentenceFeatures, make_pair, suggest_relation
from tests.models import test_compare


def _sentences() -> list[str]:
    """Every sentence of test_compare's relation cases (suggested relation, opposite causes, quotes)."""
    texts: list[str] = []
    for test in (test_compare.test_suggested_relation, test_compare.test_opposite_causes_suggest_contradict):
        for case in test.pytestmark[0].args[1]:
            texts += [case[3], case[4]]
    for case in test_compare.test_the_same_quote_suggests_agree.pytestmark[0].args[1]:
        texts += [case[0], case[1]]
    texts += ["KHARKIV, Ukraine, March 14 (WNW) - A Russian missile hit Kharkiv on Saturday.",
              "On Tuesday, June 6, and on 7th June 2023 (2023-06-08) Shelling hit Kakhovka.",
              "Shelling hit Kramatorsk, NBC News Richard Lui reports.", "It was not Ukrainian, nor Russian.",
              "He called it «a lie» and “a fake”.", 'Zakharova: "Western media are circulating staged footage.', ""]
    return list(dict.fromkeys(texts))


SETTINGS = [CompareSettings(), CompareSettings(opposite_cause_above=None),
            CompareSettings(unrelated_below=0.2, contradict_above=0.6, opposite_cause_above=0.4)]


@pytest.mark.parametrize("settings", SETTINGS)
def test_features_read_once_give_the_relation_read_pair_by_pair(settings):
    texts = _sentences()
    assert len(texts) > 40
    features = SentenceFeatures(texts)
    stances = ["x", "y", None]
    seen = set()
    n = 0
    for i, j in itertools.product(range(len(texts)), repeat=2):
        for sim in (0.1, 0.3, 0.55, 0.65, 0.75, 0.85, 0.97):
            for mutual in (False, True):
                sa, sb = stances[(i + j) % 3], stances[(i * j + int(sim * 100)) % 3]
                expected = suggest_relation(sim, sa, sb, texts[i], texts[j], settings, mutual)
                assert features.suggest(sim, sa, sb, i, j, settings, mutual) == expected, (texts[i], texts[j], sim)
                seen.add(expected)
                n += 1
    assert seen == {"unrelated", None, "contradict", "agree", "same_point_different_framing"}   # every branch
    assert n > 10_000


def test_pair_table_suggests_what_make_pair_would():
    texts = _sentences()
    rows = [{"claim_id": f"c{k}", "doc_id": f"d{k % 3}", "text": t, "prediction": ["x", "y", None][k % 3]}
            for k, t in enumerate(texts)]
    rng = np.random.default_rng(3)
    pairs = sorted({(min(i, j), max(i, j)) for i, j in rng.integers(0, len(rows), (600, 2)) if i != j})
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    raw = rng.uniform(0.3, 1.0, len(pairs))
    mutual = rng.random(len(pairs)) < 0.3
    table = PairTable(rows, a, b, raw, mutual, CompareSettings())
    expected = [suggest_relation(float(v), rows[i]["prediction"], rows[j]["prediction"], rows[i]["text"],
                                 rows[j]["text"], CompareSettings(), bool(m))
                for i, j, v, m in zip(a.tolist(), b.tolist(), raw, mutual)]
    assert table.suggested == expected
    assert "contradict" in expected and "agree" in expected


def test_pair_table_rows_are_make_pair_s_rows_key_for_key_and_type_for_type():
    texts = _sentences()
    rows = [{"claim_id": k if k % 4 == 0 else f"c{k}", "doc_id": k % 3, "text": t, "start": k * 10,
             "context": None if k % 2 else f"{t} More.", "outlet": ["Wire", None, ""][k % 3],
             "author": "@someone" if k % 3 == 1 else None, "platform": "X",
             "prediction": ["x", "y", None][k % 3], "score": [0.5, None, 0.25][k % 3],
             "stance_by": "annotators" if k % 5 == 0 else None} for k, t in enumerate(texts)]
    rng = np.random.default_rng(5)
    pairs = sorted({(min(i, j), max(i, j)) for i, j in rng.integers(0, len(rows), (300, 2)) if i != j})
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    raw, mutual = rng.uniform(0.3, 1.0, len(pairs)).astype(np.float32), rng.random(len(pairs)) < 0.3
    table = PairTable(rows, a, b, raw, mutual, CompareSettings())
    expected = [make_pair(rows[i], rows[j], float(v), CompareSettings(), mutual=bool(m))
                for i, j, v, m in zip(a.tolist(), b.tolist(), raw, mutual)]
    got = list(table)
    assert [list(p.items()) for p in got] == [list(p.items()) for p in expected]   # order of keys too
    assert [[type(v) for v in p.values()] for p in got] == [[type(v) for v in p.values()] for p in expected]
    assert len({p["source_a"] for p in got}) > 1


def test_written_pairs_are_json_dumps_of_each_row_and_the_same_table(tmp_path):
    import json

    import pyarrow.parquet as pq

    from models.compare import PAIR_COLUMNS, _write_pairs

    rows = [{"claim_id": f"c{k}", "doc_id": f"d{k % 3}", "text": t + " «Ünïcødé» \u2028 \"q\"", "start": k,
             "outlet": [None, "Wire", 7][k % 3], "prediction": ["x", None][k % 2], "score": [0.5, None][k % 2]}
            for k, t in enumerate(_sentences())]
    a, b = np.arange(0, len(rows) - 1), np.arange(1, len(rows))
    table = PairTable(rows, a, b, np.linspace(0.4, 0.99, len(a)), a % 2 == 0, CompareSettings())
    table.cluster = [k % 4 or None for k in range(len(a))]
    _write_pairs(tmp_path / "pairs.jsonl", tmp_path / "pairs.parquet", table)
    expected = [{k: p.get(k) for k in PAIR_COLUMNS} for p in table]
    text = (tmp_path / "pairs.jsonl").read_text(encoding="utf-8")
    assert text == "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in expected)
    written = pq.read_table(tmp_path / "pairs.parquet").to_pydict()
    assert list(written) == PAIR_COLUMNS
    string = {"outlet_a", "outlet_b", "source_a", "stance_a", "suggested"}   # 7 as an outlet is the string "7"
    for key in PAIR_COLUMNS:
        assert written[key] == [str(p[key]) if key in string and p[key] is not None else p[key] for p in expected], key
    assert "7" in written["outlet_a"] and None in written["outlet_a"] and None in written["cluster"]
