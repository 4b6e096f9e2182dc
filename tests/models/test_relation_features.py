"""The suggested relation from each sentence's features read once (models.pairs.SentenceFeatures, as
PairTable uses it) equals suggest_relation read pair by pair, on the relation tests' sentences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from models.compare_settings import CompareSettings
from models.pairs import PairTable, SentenceFeatures, suggest_relation
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
