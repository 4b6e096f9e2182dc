"""`stance compare` at scale: the pairs held as columns (models.pairs.PairTable), their rows built when
written or shown, and the same pairs, topics and files as rows held at once."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from models import compare as compare_mod
from models.compare_settings import CompareSettings
from models import pairs as pairs_mod
from models.pairs import find_pairs, make_pair, nearest_claims


def _pairs_one_at_a_time(rows, vectors, settings):
    """The pairs as find_pairs made them before PairTable: a dict of the best score of each pair,
    then one row each, sorted by similarity and pair_id."""
    idx, val, mutual, floor = nearest_claims(rows, vectors, settings, progress=False)
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


def _rows(n_docs: int, per_doc: int, seed: int, copies: bool = False, ties: float = 0.15):
    """Claims of ``n_docs`` documents (each its own outlet but a few sharing one), vectors near one of
    8 topics or (a fifth) near none, some exact copies of others (``ties``; ``copies``: with their text),
    stances of three labels and none."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(8, 16))
    rows, vecs = [], []
    for d in range(n_docs):
        for k in range(per_doc):
            v = topics[(d * 3 + k) % 8] + rng.normal(scale=0.6, size=16)
            if rng.random() < 0.2:   # near no topic: its nearest claims are far, mutual pairs below the threshold
                v = rng.normal(size=16)
            text = f"Claim {k} of document {d}."
            if vecs and rng.random() < ties:   # an exact copy of an earlier vector: tied scores
                v = vecs[int(rng.integers(len(vecs)))].copy()
                if copies:
                    text = rows[int(rng.integers(len(rows)))]["text"]
            vecs.append(v)
            rows.append({"claim_id": f"c{d}-{k}", "doc_id": f"d{d}", "text": text,
                         "prediction": [None, "kremlin_framing", "neutral", "independent_reporting"][(d + k) % 4],
                         "score": 0.5, "outlet": f"outlet {d % (n_docs - 2)}"})
    vectors = np.asarray(vecs, dtype=np.float32)
    return rows, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("settings", [
    CompareSettings(min_similarity=0.55, mutual_similarity=0.3, top_k=5, scheme=None),
    CompareSettings(min_similarity=0.4, mutual_similarity=None, top_k=1, scheme=None),
    CompareSettings(min_similarity=0.7, mutual_similarity=0.2, top_k=3, within_source=True, scheme=None),
])
def test_the_pair_table_holds_the_pairs_found_one_at_a_time(seed, settings):
    rows, vectors = _rows(9, 30, seed, copies=seed % 2 == 1)
    expected = _pairs_one_at_a_time(rows, vectors, settings)
    table = pairs_mod.pair_table(rows, vectors, settings)
    assert len(expected) > 20   # the case is not empty: pairs, ties, mutual pairs kept below min_similarity
    assert any(p["mutual"] and p["similarity"] < settings.min_similarity for p in expected) == \
        (settings.mutual_similarity is not None)
    assert len({p["similarity"] for p in expected}) < len(expected)   # ties, sorted by pair_id
    assert list(table) == expected
    assert find_pairs(rows, vectors, settings) == expected
    assert table[-1] == expected[-1] and table[3:6] == expected[3:6]
    for key in ("claim_a", "claim_b", "similarity", "contrasting", "mutual", "suggested", "cluster", "doc_a"):
        assert list(table.column(key)) == [p[key] for p in expected]


def _compare_input(tmp_path, n_docs=40, per_doc=25, ties=0.15):
    """Claims whose vectors make many pairs: most claims near the claims of their topic in 39 other
    documents, so each keeps its top_k of them."""
    rows, vectors = _rows(n_docs, per_doc, seed=7, ties=ties)
    by_text = {r["text"]: v for r, v in zip(rows, vectors)}
    inp = tmp_path / "prelabeled.jsonl"
    inp.write_text("".join(json.dumps({**r, "is_claim": True, "source_type": "blog"}) + "\n" for r in rows),
                   encoding="utf-8")
    return inp, (lambda cache, progress: lambda texts: np.stack([by_text[t] for t in texts]))


def test_run_compare_holds_no_row_per_pair(tmp_path, monkeypatch):
    # 20,100 claims (the sample repeated) had 627,000 pairs held as rows: 3.9 GB, 5.9 GB in stance run.
    inp, embedder = _compare_input(tmp_path)
    monkeypatch.setattr(compare_mod, "embedder", embedder)
    monkeypatch.setattr(compare_mod, "PAIR_BATCH", 100, raising=False)
    compare_mod.run_compare(inp, tmp_path / "warm", overrides={"scheme": None})   # imports outside the count
    peaks, pairs = [], []
    for top_k in (8, 32):   # the same claims, more pairs: what a pair costs, whatever the claims do
        tracemalloc.start()
        try:
            done = compare_mod.run_compare(inp, tmp_path / f"top{top_k}",
                                           overrides={"top_k": top_k, "min_similarity": 0.3, "scheme": None})
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        pairs.append(done["pairs"])
        assert sum(1 for _ in open(tmp_path / f"top{top_k}" / "pairs.jsonl", encoding="utf-8")) == done["pairs"]
    assert pairs[1] - pairs[0] > 10_000
    # Rows held at once cost ~3.5 kB a pair more; the columns (and one batch of rows), a few hundred bytes.
    per_pair = (peaks[1] - peaks[0]) / (pairs[1] - pairs[0])
    assert per_pair < 1000, f"{per_pair:.0f} bytes a pair"


def test_pairs_written_a_batch_at_a_time_are_the_pairs_written_at_once(tmp_path, monkeypatch):
    inp, embedder = _compare_input(tmp_path, n_docs=12, per_doc=10)
    monkeypatch.setattr(compare_mod, "embedder", embedder)
    overrides = {"top_k": 4, "scheme": None}
    whole = compare_mod.run_compare(inp, tmp_path / "whole", overrides=overrides)
    monkeypatch.setattr(compare_mod, "PAIR_BATCH", 7, raising=False)
    batched = compare_mod.run_compare(inp, tmp_path / "batched", overrides=overrides)
    assert whole == {**batched, "out": whole["out"]} and whole["pairs"] > 3 * 7
    for name in ("pairs.jsonl", "clusters.jsonl", "clusters.parquet", "report.html"):
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "batched" / name).read_bytes(), name
    lines = [json.loads(line) for line in open(tmp_path / "whole" / "pairs.jsonl", encoding="utf-8")]
    assert len(lines) == whole["pairs"] and list(lines[0]) == compare_mod.PAIR_COLUMNS
    a, b = pd.read_parquet(tmp_path / "whole" / "pairs.parquet"), pd.read_parquet(tmp_path / "batched" / "pairs.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert list(a["pair_id"]) == [p["pair_id"] for p in lines]


def test_no_pairs_still_writes_both_pair_files(tmp_path, monkeypatch):
    inp, embedder = _compare_input(tmp_path, n_docs=4, per_doc=3, ties=0)
    monkeypatch.setattr(compare_mod, "embedder", embedder)
    done = compare_mod.run_compare(inp, tmp_path / "out", overrides={"min_similarity": 0.999, "mutual_similarity": 0.999,
                                                                     "scheme": None})
    assert done["pairs"] == 0
    assert (tmp_path / "out" / "pairs.jsonl").read_bytes() == b""
    assert len(pd.read_parquet(tmp_path / "out" / "pairs.parquet")) == 0
