"""Topics of a comparison: claims connected by pairs (big components split by average linkage),
each labelled by its top TF-IDF terms and described by its sources and stances.

Average linkage needs the dense distance matrix of a component (m x m floats): a component of
over ``LINKAGE_MAX`` claims is first cut into chunks of at most that many by k-means on the
embeddings (seeded, so the same input gives the same topics), then each chunk is linked as before.
Memory stays O(LINKAGE_MAX²) per linkage call; components at or under the cap are untouched.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpus.records import source_name
from models.compare_settings import CompareSettings
from models.pairs import PairTable, column, document_groups


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for node in range(n):
        members[root(node)].append(node)
    return [m for m in members.values() if len(m) > 1]


# Most claims one average-linkage call sees: its distance matrix is LINKAGE_MAX² floats (~64 MB
# at 4,000 as float32, sklearn copies it a few times). One component of 12,884 claims, linked whole,
# had taken `stance compare` to 4.6 GB; in chunks, topics add ~0.2 GB to the 1.0 GB before them.
LINKAGE_MAX = 4000
KMEANS_SEED = 0


def chunk_component(members: list[int], vectors: np.ndarray, cap: int = LINKAGE_MAX) -> list[list[int]]:
    """``members`` cut into chunks of at most ``cap`` claims by k-means on their vectors (seeded);
    a chunk still over the cap is cut again. At or under the cap: ``[members]`` unchanged."""
    if len(members) <= cap:
        return [members]
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    k = math.ceil(len(members) / cap)
    with warnings.catch_warnings():   # fewer distinct vectors than k: handled below
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=k, n_init=3, random_state=KMEANS_SEED).fit_predict(
            np.asarray(vectors[members], dtype=np.float64))
    parts: dict[int, list[int]] = defaultdict(list)
    for node, label in zip(members, labels):
        parts[int(label)].append(node)
    if len(parts) < 2:   # identical vectors: k-means cannot cut them, so cut by position
        return [members[i:i + cap] for i in range(0, len(members), cap)]
    chunks: list[list[int]] = []
    for label in sorted(parts):
        chunks.extend(chunk_component(parts[label], vectors, cap))
    return chunks


def _split(members: list[int], vectors: np.ndarray, settings: CompareSettings) -> list[list[int]]:
    """Split a chained component (at most LINKAGE_MAX claims) by average linkage at the cluster threshold."""
    from sklearn.cluster import AgglomerativeClustering

    sub = vectors[members]
    dist = np.clip(1.0 - sub @ sub.T, 0.0, 2.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - float(settings.cluster_similarity or 0)
                                     ).fit_predict(dist)
    groups: dict[int, list[int]] = defaultdict(list)
    for node, label in zip(members, labels):
        groups[int(label)].append(node)
    return list(groups.values())


def topic_labels(rows: Sequence[dict[str, Any]], clusters: list[list[int]], n_terms: int) -> list[str]:
    """A few top TF-IDF terms of each cluster, against all claims of the run."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not clusters:
        return []
    vec = TfidfVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_][\w’'-]+\b",
                          sublinear_tf=True)
    try:
        matrix = vec.fit_transform([str(r["text"]) for r in rows])
    except ValueError:  # only stop words
        return ["(no terms)"] * len(clusters)
    terms = vec.get_feature_names_out()
    labels = []
    for members in clusters:
        weights = np.asarray(matrix[members].sum(axis=0)).ravel()
        top = [terms[i] for i in np.argsort(-weights)[:n_terms] if weights[i] > 0]
        labels.append(", ".join(top) or "(no terms)")
    return labels


def cluster_pairs(rows: Sequence[dict[str, Any]], vectors: np.ndarray, pairs: Sequence[dict[str, Any]],
                  settings: CompareSettings) -> list[dict[str, Any]]:
    """Topics: connected components of the pair graph (big ones split); sets each pair's ``cluster``
    (a PairTable's in its column)."""
    threshold = float(settings.cluster_similarity if settings.cluster_similarity is not None
                      else settings.min_similarity)
    if isinstance(pairs, PairTable) and pairs.rows is rows:   # its columns, no pair row built
        ends = list(zip(pairs.a.tolist(), pairs.b.tolist()))
    else:
        pos = {str(r["claim_id"]): i for i, r in enumerate(rows)}
        ends = [(pos[a], pos[b]) for a, b in zip(column(pairs, "claim_a"), column(pairs, "claim_b"))]
    similarity, contrasting = column(pairs, "similarity"), column(pairs, "contrasting")
    edges = [e for e, sim in zip(ends, similarity) if sim >= threshold]
    groups: list[list[int]] = []
    big = []
    for members in _components(len(rows), edges):
        (big if len(members) > settings.max_cluster_size else groups).append(members)
    if big:
        from tqdm import tqdm

        long = sum(len(m) for m in big) > LINKAGE_MAX
        chunks = [c for members in big for c in chunk_component(members, vectors, LINKAGE_MAX)]
        for chunk in tqdm(chunks, desc="topics", unit="chunk", file=sys.stderr, disable=not long):
            # Every piece of a big component is linked, however small: a k-means piece of a few
            # unrelated claims is no topic (a component at or under the cap is one piece, as before).
            groups.extend(_split(chunk, vectors, settings) if len(chunk) > 1 else [chunk])
    # A topic joins claims of two sources (documents, within_source), as pairs do: the average linkage
    # of a big group could leave a piece of one source's claims, which no pair joins.
    side = [str(r["doc_id"]) for r in rows] if settings.within_source else document_groups(rows)
    groups = [sorted(g) for g in groups if len({side[i] for i in g}) > 1]
    groups.sort(key=lambda g: (-len(g), g[0]))
    labels = topic_labels(rows, groups, settings.label_terms)
    where = {node: c for c, g in enumerate(groups) for node in g}
    by_cluster: dict[int, list[int]] = defaultdict(list)   # the pairs of each topic, in pair order
    for n, (a, b) in enumerate(ends):
        ca, cb = where.get(a), where.get(b)
        topic = ca if ca is not None and ca == cb else None
        if isinstance(pairs, PairTable):
            pairs.cluster[n] = topic
        else:
            pairs[n]["cluster"] = topic
        if topic is not None:
            by_cluster[topic].append(n)
    clusters = []
    for c, members in enumerate(groups):
        stances = Counter(str(rows[i].get("prediction")) for i in members
                          if rows[i].get("prediction") is not None)
        sims = [similarity[n] for n in by_cluster[c]]
        clusters.append({
            "cluster": c, "label": labels[c], "size": len(members),
            "claims": [str(rows[i]["claim_id"]) for i in members],
            "docs": sorted({str(rows[i]["doc_id"]) for i in members}),
            "sources": sorted({source_name(rows[i]) for i in members}),
            "stances": dict(sorted(stances.items())),
            "contrasting": len(stances) > 1,
            "pairs": len(by_cluster[c]),
            "contrasting_pairs": sum(contrasting[n] for n in by_cluster[c]),
            "mean_similarity": round(float(np.mean(sims)), 4) if sims else None,
        })
    return clusters
