"""Topics of `stance compare`: components split by average linkage, big ones chunked by k-means first."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering

from models import topics
from models.compare_settings import CompareSettings
from models.topics import chunk_component, cluster_pairs

WORDS = ["dam", "grain", "prisoner", "drone", "border", "sanction"]


def blobs(n_blobs: int, per_blob: int, noise: float, seed: int = 0) -> np.ndarray:
    """``per_blob`` unit vectors around each of ``n_blobs`` orthogonal centres."""
    rng = np.random.default_rng(seed)
    centres = np.eye(16, dtype=np.float32)[:n_blobs]
    out = np.repeat(centres, per_blob, axis=0) + noise * rng.standard_normal((n_blobs * per_blob, 16))
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def chained(vectors: np.ndarray, per_blob: int) -> tuple[list[dict], list[dict]]:
    """Rows of two documents (a blob's claims name its word), and pairs chaining every claim to the
    next: one component of all."""
    rows = [{"claim_id": f"c{i}", "doc_id": f"d{i % 2}", "text": f"The {WORDS[i // per_blob]} claim number {i}.",
             "prediction": "x" if i % 3 else "y", "outlet": f"Outlet {i % 2}"} for i in range(len(vectors))]
    pairs = [{"claim_a": f"c{i}", "claim_b": f"c{i + 1}", "similarity": 0.99, "contrasting": False}
             for i in range(len(vectors) - 1)]
    return rows, pairs


def old_groups(vectors: np.ndarray, settings: CompareSettings) -> list[list[int]]:
    """The topics of one chained component as the code before chunking made them (one dense linkage)."""
    dist = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - float(settings.cluster_similarity)
                                     ).fit_predict(dist)
    groups: dict[int, list[int]] = defaultdict(list)
    for node, label in enumerate(labels):
        groups[int(label)].append(node)
    return sorted((g for g in groups.values() if len({i % 2 for i in g}) > 1), key=lambda g: (-len(g), g[0]))


def members(clusters: list[dict]) -> list[list[int]]:
    return [[int(c[1:]) for c in cl["claims"]] for cl in clusters]


SETTINGS = CompareSettings(min_similarity=0.5, cluster_similarity=0.6, max_cluster_size=12)


@pytest.mark.parametrize("cap", [topics.LINKAGE_MAX, 240])   # 240: the component is exactly at the cap
def test_a_component_at_or_under_the_cap_gives_the_same_topics_as_one_dense_linkage(monkeypatch, cap):
    monkeypatch.setattr(topics, "LINKAGE_MAX", cap)
    vecs = blobs(4, 60, noise=0.35)
    rows, pairs = chained(vecs, 60)
    got = members(cluster_pairs(rows, vecs, pairs, SETTINGS))
    assert got == old_groups(vecs, SETTINGS)
    assert len(got) >= 4


def test_a_component_over_the_cap_is_linked_in_chunks_of_at_most_the_cap(monkeypatch, capsys):
    monkeypatch.setattr(topics, "LINKAGE_MAX", 70)
    seen: list[int] = []
    real_split = topics._split

    def spy(chunk, vectors, settings):
        seen.append(len(chunk))
        return real_split(chunk, vectors, settings)

    monkeypatch.setattr(topics, "_split", spy)
    vecs = blobs(4, 60, noise=0.1)
    rows, pairs = chained(vecs, 60)
    clusters = cluster_pairs(rows, vecs, pairs, SETTINGS)
    assert seen and max(seen) <= 70 and sum(seen) == 240
    # the four blobs come back whole, each a topic of its own
    assert sorted(members(clusters)) == [list(range(b * 60, b * 60 + 60)) for b in range(4)]
    assert [c["label"].split(", ")[0] for c in clusters] == ["dam", "grain", "prisoner", "drone"]
    assert "topics" in capsys.readouterr().err   # 240 claims over a cap of 70: a progress bar
    # the same input gives the same topics
    assert cluster_pairs(rows, vecs, [dict(p) for p in pairs], SETTINGS) == clusters


def test_short_clustering_shows_no_progress_bar(capsys):
    vecs = blobs(2, 20, noise=0.1)
    rows, pairs = chained(vecs, 20)
    cluster_pairs(rows, vecs, pairs, SETTINGS)
    assert capsys.readouterr().err == ""


def test_chunk_component_keeps_every_claim_once_within_the_cap():
    vecs = blobs(3, 50, noise=0.5, seed=1)
    ids = list(range(150))
    chunks = chunk_component(ids, vecs, cap=40)
    assert max(len(c) for c in chunks) <= 40
    assert sorted(i for c in chunks for i in c) == ids
    assert chunk_component(ids, vecs, cap=40) == chunks          # seeded
    assert chunk_component(ids, vecs, cap=150) == [ids]          # at the cap: untouched


def test_identical_vectors_that_k_means_cannot_cut_are_cut_by_position():
    vecs = np.tile(np.eye(4, dtype=np.float32)[:1], (10, 1))
    chunks = chunk_component(list(range(10)), vecs, cap=4)   # no ConvergenceWarning either
    assert chunks == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_a_small_piece_of_a_cut_component_is_linked_too(monkeypatch):
    """k-means can leave a few unrelated claims in one piece: linked like any piece, they are no topic."""
    settings = CompareSettings(min_similarity=0.5, cluster_similarity=0.6, max_cluster_size=12)
    vecs = np.vstack([blobs(2, 60, 0.1), np.eye(16, dtype=np.float32)[8:14]])   # 6 mutually orthogonal outliers
    rows, pairs = chained(vecs, 60)
    monkeypatch.setattr(topics, "LINKAGE_MAX", 61)
    for cluster in topics.cluster_pairs(rows, vecs, pairs, settings):
        ids = [int(claim[1:]) for claim in cluster["claims"]]
        sub = vecs[ids]
        assert float((sub @ sub.T)[np.triu_indices(len(ids), 1)].mean()) > 0.5, ids


def test_a_topic_holds_claims_of_two_sources_as_pairs_do():
    # A chained group of 9 pairs split by average linkage (max_cluster_size 4) had left c0 and c2, two
    # posts of outlet A that no pair joins (pairs join sources), as a topic of their own: 0 pairs, one source.
    from models.compare import compare

    vectors = np.array([[0.01, -0.09, 0.21, 0.54, 0.69, -0.43], [0.37, -0.47, -0.05, 0.25, -0.68, -0.34],
                        [-0.27, -0.03, -0.05, 0.65, 0.7, -0.13], [0.23, -0.66, -0.16, 0.47, 0.01, -0.52],
                        [0.33, 0.66, -0.01, 0.32, 0.02, -0.59], [0.07, -0.04, 0.08, 0.36, 0.11, -0.92],
                        [0.75, 0.4, -0.5, -0.03, 0.1, -0.12], [0.14, 0.46, -0.02, 0.64, 0.27, -0.53]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [{"claim_id": f"c{i}", "doc_id": f"d{i}", "text": f"text {i}", "outlet": outlet, "start": 0}
            for i, outlet in enumerate("AAABBCCD")]

    def embed(texts: list[str]) -> np.ndarray:
        return vectors[[int(t.split()[1]) for t in texts]]

    _, pairs, clusters = compare(rows, embed, CompareSettings(max_cluster_size=4, scheme=None))
    assert len(pairs) == 9 and clusters
    assert all(len(c["sources"]) > 1 for c in clusters), [c["claims"] for c in clusters]
    assert ["c0", "c2"] not in [c["claims"] for c in clusters]
    # documents of one source paired with each other (within_source): two of its documents make a topic
    _, _, within = compare(rows, embed, CompareSettings(max_cluster_size=4, scheme=None, within_source=True))
    assert any(len(c["sources"]) == 1 and len(c["docs"]) > 1 for c in within)
