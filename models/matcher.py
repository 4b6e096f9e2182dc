"""The matcher: a corpus ready for queries, and how it ranks corpus rows for query texts.

``MatchSettings`` (the `match:` config); texts as the matcher sees them (tweet cleaning,
models.textclean); Okapi BM25; the dense MiniLM cosine fused with the normalised BM25 score; and
``Matcher``, whose first stage takes the fused candidates (models.neighbours' top-k) and whose later
stages, when the settings turn them on, order them again: a learned reranker over the top
``rerank_depth`` rows (models.rerank), then a cross-encoder over its top ``cross_depth`` rows, or
``k`` rows up to ``CROSS_MAX`` (models.cross_encoder). With either stage on, the scores are the last
stage's, comparable within one query only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse

from models.neighbours import _block_rows, _topk
from models.rerank import WEIGHTS, Featurizer, Reranker
from models.textclean import clean_text

Embed = Callable[[list[str]], np.ndarray]

# The most rows per query the cross-encoder reads for a large k (it reads cross_depth rows, 10,
# for k <= 10): each row is a model pass, so k = 200 had cost 20x the default. Rows below keep
# the reranker's order.
CROSS_MAX = 50


class MatchSettings(BaseModel):
    """How `stance match` ranks corpus rows; the defaults are the cross-validated choice."""

    model_config = ConfigDict(extra="forbid")

    adapter: bool = False                       # queries through the LoRA-adapted MiniLM (models/match_adapter)
    clean: bool = True                          # tweet cleaning of queries and corpus
    handles: Literal["split", "keep", "drop"] = "split"
    drop_signature: bool = False                # drop "— Name (@handle) Date"; it names who said it: keep it
    raw_weight: float = Field(0.2, ge=0, le=1)  # share of the uncleaned query's cosine in the dense score
    fusion: Literal["mix", "rrf", "dense", "lexical"] = "mix"
    lexical_weight: float = Field(0.15, ge=0)   # mix: dense + w * bm25 / max bm25 of the query
    rrf_k: int = Field(60, ge=1)                # rrf: sum of 1 / (rrf_k + rank)
    bm25_k1: float = Field(1.5, gt=0)
    bm25_b: float = Field(0.5, ge=0, le=1)
    rerank: bool = True                         # second stage: models.rerank over the top rerank_depth rows
    rerank_depth: int = Field(30, ge=2, le=1000)
    rerank_weights: str | None = None           # None: the shipped models/weights/rerank.json
    cross_encoder: bool = True                  # third stage: models.cross_encoder over the reranked top rows
    cross_depth: int = Field(10, ge=2, le=1000)
    cross_weight: float = Field(0.75, ge=0)     # its z-score's weight beside the reranker's
    cross_encoder_dir: str | None = None        # None: the shipped models/weights/cross_encoder/
    exact_max: int = Field(30_000, ge=1)        # corpora larger than this go to a faiss HNSW index
    memory_mb: int = Field(256, ge=16)          # size of one block of the similarity matrix
    only_claims: bool = True                    # leave out corpus rows flagged is_claim false (questions, fillers)


# --- lexical ----------------------------------------------------------------------------------

class Bm25:
    """Okapi BM25 over scikit-learn token counts; ``score`` gives a dense (queries x docs) block."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.k1, self.b = k1, b
        self.vectorizer = CountVectorizer(lowercase=True, stop_words="english",
                                          token_pattern=r"(?u)\b\w\w+\b", dtype=np.float32)
        self.weights: sparse.csr_matrix | None = None

    def fit(self, docs: Sequence[str]) -> "Bm25":
        try:
            tf = self.vectorizer.fit_transform(docs).tocsr()
        except ValueError:  # no word outside the stop list in any row: BM25 scores 0 everywhere
            self.vectorizer = None
            self.weights = sparse.csr_matrix((0, len(docs)), dtype=np.float32)
            return self
        n = tf.shape[0]
        doc_len = np.asarray(tf.sum(axis=1)).ravel()
        avg = float(doc_len.mean()) if n and doc_len.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = np.repeat(self.k1 * (1 - self.b + self.b * doc_len / avg), np.diff(tf.indptr))
        tf.data = tf.data * (self.k1 + 1) / (tf.data + norm) * idf[tf.indices]
        self.weights = tf.T.tocsr()  # terms x docs, so a query block multiplies on the left
        return self

    def score(self, queries: Sequence[str]) -> np.ndarray:
        if self.weights is None:
            raise RuntimeError("Bm25.fit first")
        if self.vectorizer is None:
            return np.zeros((len(queries), self.weights.shape[1]), dtype=np.float32)
        q = self.vectorizer.transform(queries)
        q.data[:] = 1.0  # a repeated query word counts once
        return np.asarray((q @ self.weights).todense(), dtype=np.float32)


# --- fused retrieval --------------------------------------------------------------------------

def prepare(texts: Sequence[str], settings: MatchSettings) -> list[str]:
    """The texts as the matcher sees them (cleaned when ``settings.clean``)."""
    if not settings.clean:
        return [t.strip() or t for t in texts]
    return [clean_text(t, handles=settings.handles, drop_signature=settings.drop_signature) for t in texts]


def _rank_scores(block: np.ndarray, rrf_k: int) -> np.ndarray:
    ranks = np.empty_like(block, dtype=np.float32)
    order = np.argsort(-block, axis=1, kind="stable")
    rows = np.arange(block.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, block.shape[1] + 1, dtype=np.float32)[None, :]
    return 1.0 / (rrf_k + ranks)


def fuse(dense: np.ndarray, lexical: np.ndarray, settings: MatchSettings) -> np.ndarray:
    """One score per (query, corpus row) from the dense and BM25 blocks, by ``settings.fusion``."""
    if settings.fusion == "dense":
        return dense
    if settings.fusion == "lexical":
        return lexical
    if settings.fusion == "rrf":
        return _rank_scores(dense, settings.rrf_k) + _rank_scores(lexical, settings.rrf_k)
    top = lexical.max(axis=1, keepdims=True)
    return dense + settings.lexical_weight * lexical / np.where(top > 0, top, 1.0)


class Matcher:
    """A corpus ready for queries: cleaned texts, their embeddings and a BM25 index."""

    def __init__(self, corpus_texts: Sequence[str], embed: Embed, settings: MatchSettings,
                 query_embed: Embed | None = None, reranker: Reranker | None = None,
                 cross_encoder: Any = None) -> None:
        self.settings = settings
        self.embed = embed
        self.query_embed = query_embed or embed  # the cleaned query's encoder (the adapter, if any)
        self.texts = prepare(corpus_texts, settings)
        self.vectors = np.asarray(embed(self.texts), dtype=np.float32)
        self.bm25 = Bm25(settings.bm25_k1, settings.bm25_b).fit(self.texts) \
            if settings.fusion != "dense" else None
        self.reranker: Reranker | None = None
        if settings.rerank:
            self.reranker = reranker or Reranker.load(settings.rerank_weights or WEIGHTS)
            self.featurizer = Featurizer(self.texts)
        self.cross: Any = cross_encoder  # loaded on first use: scoring alone needs no model
        self.use_cross = settings.rerank and settings.cross_encoder
        if self.use_cross and cross_encoder is None:
            from models.cross_encoder import check_cross_encoder

            check_cross_encoder(settings.cross_encoder_dir)

    def signals(self, query_texts: Sequence[str]) -> dict[str, np.ndarray]:
        """(queries x corpus) blocks: ``dense`` (cleaned query's cosine), ``raw`` (uncleaned query's
        cosine, when blended in), ``bm25`` (over the query's best row, when fused) and ``fused``."""
        cleaned = prepare(query_texts, self.settings)
        dense = np.asarray(self.query_embed(cleaned), dtype=np.float32) @ self.vectors.T
        out = {"dense": dense}
        share = self.settings.raw_weight if self.settings.clean else 0.0
        if share > 0:  # cleaning loses a little (a handle, an emoji's word): blend the raw text back in
            out["raw"] = np.asarray(self.embed(list(query_texts)), dtype=np.float32) @ self.vectors.T
            dense = (1 - share) * dense + share * out["raw"]
        if self.bm25 is None:
            out["fused"] = dense
            return out
        lexical = self.bm25.score(cleaned)
        top = lexical.max(axis=1, keepdims=True)
        out["bm25"] = lexical / np.where(top > 0, top, 1.0)
        out["fused"] = fuse(dense, lexical, self.settings)
        return out

    def scores(self, query_texts: Sequence[str]) -> np.ndarray:
        """The fused (queries x corpus) score block for a few queries."""
        return self.signals(query_texts)["fused"]

    def candidates(self, query_texts: Sequence[str], n: int, progress: bool = False,
                   groups: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The best ``n`` corpus rows per query by fused score (queries x n, best first) and each
        signal of models.rerank.SIGNALS at those rows (``raw`` is ``dense`` and ``bm25`` 0 when the
        settings leave them out). ``groups`` (query groups, corpus groups) keeps each query from
        the corpus rows of its own group (its document) while others are left."""
        import torch

        nq, n = len(query_texts), min(n, len(self.texts))
        idx = np.zeros((nq, n), dtype=np.int64)
        out = {name: np.zeros((nq, n), dtype=np.float32) for name in ("fused", "dense", "raw", "bm25")}
        step = _block_rows(len(self.texts), self.settings.memory_mb)
        starts = range(0, nq, step)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="matching", unit="block", leave=False, disable=None)
        for s in starts:
            blocks = self.signals(query_texts[s:s + step])
            blocks.setdefault("raw", blocks["dense"])
            if groups is not None:   # the query's own document last (a finite floor: later stages read it)
                own = groups[0][s:s + step, None] == groups[1][None, :]
                blocks["fused"] = np.where(own, np.float32(-1e6), blocks["fused"])
            i, _ = _topk(torch.from_numpy(np.ascontiguousarray(blocks["fused"])), n)
            idx[s:s + len(i)] = i
            for name in out:
                if name in blocks:
                    out[name][s:s + len(i)] = np.take_along_axis(blocks[name], i, axis=1)
        return idx, out

    def top(self, query_texts: Sequence[str], k: int, progress: bool = False,
            groups: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(indices, scores) of the best ``k`` corpus rows per query, best first.

        With the reranker on, the first stage's best ``max(k, rerank_depth)`` rows are ordered
        again and the scores are the reranker's (comparable within one query only).
        """
        if self.reranker is not None:
            return self.reranked(query_texts, k, progress=progress, groups=groups)
        idx, signals = self.candidates(query_texts, k, progress=progress, groups=groups)
        return idx, signals["fused"]

    def reranked(self, query_texts: Sequence[str], k: int, progress: bool = False,
                 groups: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(indices, reranker scores) of the best ``k`` rows per query after the second stage."""
        if self.reranker is None:
            raise RuntimeError("Matcher built with rerank off")
        query_texts = list(query_texts)
        idx, signals = self.candidates(query_texts, max(k, self.settings.rerank_depth), progress=progress,
                                       groups=groups)
        x = self.featurizer.features(prepare(query_texts, self.settings), idx, self.texts, signals,
                                     raw_queries=query_texts)
        scores = self.reranker.score(x).astype(np.float32)
        order = np.argsort(-scores, axis=1, kind="stable")
        idx, scores = np.take_along_axis(idx, order, axis=1), np.take_along_axis(scores, order, axis=1)
        if not self.use_cross:
            return idx[:, :k], scores[:, :k]
        if self.cross is None:
            from models.cross_encoder import load_cross_encoder

            self.cross = load_cross_encoder(self.settings.cross_encoder_dir)
        return self.cross_reranked(prepare(query_texts, self.settings), idx, scores, k, progress)

    def cross_reranked(self, queries: Sequence[str], idx: np.ndarray, scores: np.ndarray, k: int,
                       progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The reranked rows' best ``max(cross_depth, min(k, CROSS_MAX))`` ordered again by the
        cross-encoder's score blended with the reranker's; (indices, scores) of the best ``k``. Rows
        below that depth follow in the reranker's order, their scores continuing below the blended
        ones (the reranker's z-distance from the last cross-encoded row)."""
        from models.cross_encoder import blend

        depth = min(idx.shape[1], max(self.settings.cross_depth, min(k, CROSS_MAX)))
        rest_idx, rest = idx[:, depth:k], scores[:, depth:k]
        idx, scores = idx[:, :depth], scores[:, :depth]
        pairs = [(q, self.texts[j]) for q, row in zip(queries, idx) for j in row]
        cross = np.zeros(len(pairs), dtype=np.float32)
        starts = range(0, len(pairs), 64)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="cross-encoding", unit="batch", leave=False, disable=None)
        for s in starts:
            chunk = pairs[s:s + 64]
            cross[s:s + len(chunk)] = self.cross.score([a for a, _ in chunk], [b for _, b in chunk])
        mixed = blend(scores, cross.reshape(idx.shape), self.settings.cross_weight)
        order = np.argsort(-mixed, axis=1, kind="stable")[:, :k]
        idx, mixed = np.take_along_axis(idx, order, axis=1), np.take_along_axis(mixed, order, axis=1)
        if rest_idx.shape[1] == 0:
            return idx, mixed
        spread = scores.std(axis=1, keepdims=True) + 1e-6
        below = mixed.min(axis=1, keepdims=True) - (scores[:, -1:] - rest) / spread - 1e-3
        return np.hstack([idx, rest_idx]), np.hstack([mixed, below.astype(np.float32)])
