"""The faiss path of models.neighbours with groups: bounded depth, the same neighbours as exact search
on small data (a lowered exact_max), and `stance compare`'s pairs unchanged by the path taken."""

from __future__ import annotations

import numpy as np
import pytest

from models import neighbours
from models.compare_settings import CompareSettings
from models.matcher import MatchSettings
from models.neighbours import search
from models.pairs import find_pairs


def clustered(n: int, dim: int = 24, seed: int = 0) -> np.ndarray:
    """Unit vectors around 40 topic centres (sentence embeddings have neighbourhoods; noise has none)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dim)).astype(np.float32)
    x = centres[rng.integers(0, 40, n)] + 0.5 * rng.standard_normal((n, dim)).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


# One large group (most rows: its nearest rows are mostly its own), a middle one, many small ones.
GROUPS = np.array([0] * 300 + [1] * 60 + [2 + i // 4 for i in range(140)])


def same_neighbours(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    assert np.array_equal(a[0], b[0])
    assert np.allclose(a[1], b[1], atol=1e-5)


@pytest.mark.parametrize("shared_depth, own_search, own_graph", [(64, 1024, 8192), (16, 1024, 8192),
                                                                  (16, 20, 8192), (16, 20, 50)])
def test_faiss_with_a_large_group_gives_the_exact_neighbours(monkeypatch, shared_depth, own_search, own_graph):
    # The queries the shared graph leaves go to: one masked exact search (16, 1024, _); exact search
    # against the other groups' rows (16, 20, 8192); a graph of the other groups' rows (16, 20, 50).
    monkeypatch.setattr(neighbours, "SHARED_DEPTH", shared_depth)
    monkeypatch.setattr(neighbours, "OWN_SEARCH_QUERIES", own_search)
    monkeypatch.setattr(neighbours, "OWN_GRAPH_QUERIES", own_graph)
    x = clustered(len(GROUPS))
    exact = search(x, x, 5, query_groups=GROUPS, corpus_groups=GROUPS, method="exact")
    approx = search(x, x, 5, query_groups=GROUPS, corpus_groups=GROUPS, exact_max=100)
    same_neighbours(approx, exact)
    assert (GROUPS[approx[0]] != GROUPS[:, None]).all()   # never its own group
    assert (approx[0] >= 0).all()


def test_faiss_never_asks_for_more_than_the_shared_depth(monkeypatch):
    asked: list[int] = []
    graph = neighbours._graph

    def spying(corpus):
        index = graph(corpus)
        search_orig = index.search

        class Spy:
            hnsw = index.hnsw

            def search(self, q, d):
                asked.append(d)
                return search_orig(q, d)
        return Spy()

    monkeypatch.setattr(neighbours, "_graph", spying)
    x = clustered(len(GROUPS))
    search(x, x, 5, query_groups=GROUPS, corpus_groups=GROUPS, method="faiss")
    # 2 x (5 + 4) rounded up for the groups of four, the cap for the middle and the large one
    # (the old path asked for 5 + 300 for every query)
    assert asked == [32, neighbours.SHARED_DEPTH]


def test_faiss_groups_may_be_strings_and_queries_differ_from_corpus():
    x = clustered(200, seed=3)
    q = clustered(30, seed=4)
    cg = np.array(["big"] * 150 + ["small"] * 50)
    qg = np.array(["big"] * 10 + ["small"] * 10 + ["none"] * 10)
    exact = search(q, x, 4, query_groups=qg, corpus_groups=cg, method="exact")
    same_neighbours(search(q, x, 4, query_groups=qg, corpus_groups=cg, method="faiss"), exact)
    assert (cg[exact[0][:10]] == "small").all() and (cg[exact[0][10:20]] == "big").all()


def test_faiss_pads_when_other_groups_hold_fewer_than_k():
    x = clustered(60, seed=5)
    groups = np.array([0] * 58 + [1, 1])
    idx, val = search(x, x, 3, query_groups=groups, corpus_groups=groups, method="faiss")
    assert set(idx[0][:2]) == {58, 59} and idx[0][2] == -1 and val[0][2] == -np.inf
    assert (groups[idx[58]] == 0).all()


def row(cid: str, doc: str, outlet: str | None) -> dict:
    return {"claim_id": cid, "doc_id": doc, "text": f"claim {cid}", "is_claim": True, "prediction": None,
            "outlet": outlet, "title": f"Title {doc}"}


def test_compare_pairs_are_the_same_on_the_faiss_path():
    # Two large sources and many small documents that name none (each its own source).
    rows = [row(f"a{i}", f"da{i // 50}", "Big A") for i in range(250)] + \
        [row(f"b{i}", f"db{i // 40}", "Big B") for i in range(120)] + \
        [row(f"c{i}", f"dc{i // 3}", None) for i in range(130)]
    x = clustered(len(rows), seed=7)
    exact = find_pairs(rows, x, CompareSettings(min_similarity=0.5, top_k=5))
    approx = find_pairs(rows, x, CompareSettings(min_similarity=0.5, top_k=5, match=MatchSettings(exact_max=100)))
    assert len(exact) > 100
    assert [(p["claim_a"], p["claim_b"], p["similarity"], p["mutual"]) for p in approx] == \
        [(p["claim_a"], p["claim_b"], p["similarity"], p["mutual"]) for p in exact]
