"""Top-k nearest neighbours of unit vectors by inner product, at any corpus size.

Exact in row blocks (matrix product, then a partial sort of each block) up to ``exact_max`` corpus
rows, a faiss HNSW index beyond. Rows can carry groups (documents) so that a row never matches its
own group: that is how `stance compare` keeps only cross-document pairs.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np


def _block_rows(n_corpus: int, memory_mb: int) -> int:
    return max(1, min(4096, (memory_mb << 20) // max(1, 8 * n_corpus)))


def _topk(block: "Any", k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` columns of each row, best first (torch.topk: ~50x faster here than argpartition)."""
    import torch

    k = min(k, block.shape[1])
    values, index = torch.topk(block, k, dim=1, largest=True, sorted=True)
    return index.numpy().astype(np.int64), values.numpy().astype(np.float32)


def search(queries: np.ndarray, corpus: np.ndarray, k: int, *,
           query_groups: np.ndarray | None = None, corpus_groups: np.ndarray | None = None,
           method: Literal["auto", "exact", "faiss"] = "auto", exact_max: int = 30_000,
           memory_mb: int = 256, ef_search: int = 96, progress: bool = False,
           ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` corpus rows of highest inner product for each query: (indices, scores), best first.

    A query never matches a corpus row of the same group (pass the same ids for both to exclude
    self-matches, or document ids to keep cross-document matches only). Missing slots hold -1 and
    -inf. ``method="auto"`` is exact blocked search up to ``exact_max`` corpus rows, a faiss HNSW
    graph beyond (approximate: about 99% of the exact neighbours on sentence embeddings).
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    corpus = np.ascontiguousarray(corpus, dtype=np.float32)
    if (query_groups is None) != (corpus_groups is None):
        raise ValueError("pass both query_groups and corpus_groups, or neither")
    nq, nc = len(queries), len(corpus)
    idx = np.full((nq, k), -1, dtype=np.int64)
    val = np.full((nq, k), -np.inf, dtype=np.float32)
    if nq == 0 or nc == 0 or k <= 0:
        return idx, val
    if method == "auto":
        method = "exact" if nc <= exact_max else "faiss"
    if method == "faiss":
        return _search_faiss(queries, corpus, k, query_groups, corpus_groups, ef_search, idx, val)
    import torch

    from models.base_model import set_threads

    set_threads()
    ct = torch.from_numpy(corpus)
    cg = None if corpus_groups is None else torch.from_numpy(np.asarray(corpus_groups))
    step = _block_rows(nc, memory_mb)
    starts = range(0, nq, step)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc="searching", unit="block", leave=False, disable=None)
    with torch.inference_mode():
        for s in starts:
            block = torch.from_numpy(queries[s:s + step]) @ ct.T
            if cg is not None:
                qg = torch.from_numpy(np.asarray(query_groups[s:s + step]))
                block.masked_fill_(qg[:, None] == cg[None, :], -math.inf)
            i, v = _topk(block, k)
            idx[s:s + len(i), :i.shape[1]] = i
            val[s:s + len(v), :v.shape[1]] = v
    idx[~np.isfinite(val)] = -1
    return idx, val


def _search_faiss(queries: np.ndarray, corpus: np.ndarray, k: int, query_groups: Any,
                  corpus_groups: Any, ef_search: int, idx: np.ndarray, val: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Approximate search in a faiss HNSW graph (M=16). On 10,375 real MiniLM claim embeddings it
    found 98.7% of the exact top 10 at ef_search=96 (an IVF index at a similar cost: 78-93%)."""
    import os

    import faiss

    faiss.omp_set_num_threads(max(1, os.cpu_count() or 1))
    index = faiss.IndexHNSWFlat(corpus.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 40
    index.add(corpus)
    extra = 0
    if corpus_groups is not None:
        extra = int(np.unique(np.asarray(corpus_groups), return_counts=True)[1].max())
    want = min(len(corpus), k + extra)
    index.hnsw.efSearch = max(ef_search, 2 * want)
    scores, found = index.search(queries, want)
    keep = found >= 0
    if corpus_groups is not None:
        keep &= np.asarray(corpus_groups)[np.maximum(found, 0)] != np.asarray(query_groups)[:, None]
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]  # kept hits first, still best first
    kept = np.take_along_axis(keep, order, axis=1)
    width = order.shape[1]
    idx[:, :width] = np.where(kept, np.take_along_axis(found, order, axis=1), -1)
    val[:, :width] = np.where(kept, np.take_along_axis(scores, order, axis=1), -np.inf)
    return idx, val
