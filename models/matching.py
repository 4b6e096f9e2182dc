"""Claim matching: dense MiniLM cosine fused with BM25, and top-k search that scales.

Two layers:

* ``search(queries, corpus, k)``: nearest neighbours by inner product of unit vectors. Exact in
  row blocks (matrix product, then a partial sort of each block) up to ``exact_max`` corpus rows,
  a faiss HNSW index beyond. Rows can carry groups (documents) so that a row never matches its own
  group: that is how `stance compare` keeps only cross-document pairs.
* ``match(corpus, queries, k, settings, embed)``: retrieval of corpus rows for query texts, the
  dense score mixed with a normalised BM25 score after tweet cleaning (models.textclean); then,
  when ``settings.rerank``, a learned reranker over the top ``rerank_depth`` rows (models.rerank)
  and, when ``settings.cross_encoder``, a cross-encoder over its top ``cross_depth`` rows
  (models.cross_encoder). With either stage on, the scores written are the last stage's, comparable
  within one query only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse

from corpus.errors import UserError
from models.rerank import WEIGHTS, Featurizer, Reranker
from models.textclean import clean_text

Embed = Callable[[list[str]], np.ndarray]


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


# --- search -----------------------------------------------------------------------------------

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

    from models.encoder import set_threads

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
        """The reranked rows' best ``max(k, cross_depth)`` ordered again by the cross-encoder's score
        blended with the reranker's; (indices, blended scores) of the best ``k``."""
        from models.cross_encoder import blend

        depth = min(idx.shape[1], max(k, self.settings.cross_depth))
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
        return np.take_along_axis(idx, order, axis=1), np.take_along_axis(mixed, order, axis=1)


def _row_id(row: dict[str, Any], where: str, lineno: int) -> str:
    for key in ("id", "claim_id"):
        if row.get(key) not in (None, ""):
            return str(row[key])
    raise UserError(f"{where}: row {lineno} has no id (or claim_id); give every row an id")


def _unique_ids(rows: Sequence[dict[str, Any]], where: str) -> list[str]:
    """Every row's id; a repeated one is an error (a match would name two rows at once)."""
    ids, seen = [], {}
    for n, row in enumerate(rows, 1):
        key = _row_id(row, where, n)
        if key in seen:
            raise UserError(f"{where}: rows {seen[key]} and {n} share the id {key!r}; give every row its own id")
        seen[key] = n
        ids.append(key)
    return ids


def _row_text(row: dict[str, Any], where: str, lineno: int) -> str:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"{where}: row {lineno} has no text; give every row a non-empty text field")
    return text


def match(corpus: Sequence[dict[str, Any]], queries: Sequence[dict[str, Any]], top_k: int,
          embed: Embed, settings: MatchSettings | None = None, progress: bool = False,
          corpus_name: str = "corpus", queries_name: str = "queries",
          query_embed: Embed | None = None, other_documents: bool = False) -> list[dict[str, Any]]:
    """For each query row, its best ``top_k`` corpus rows: ``{"query_id", "query_text", "matches": [{id,
    score, cosine, text, and the row's doc_id, outlet, source_type, speaker, prediction when it has
    them}]}``.

    With ``settings.only_claims`` corpus rows flagged ``is_claim: false`` (questions, headings) are left
    out; rows without the flag (a claims database) all take part.

    ``query_embed`` encodes the cleaned queries (default: ``embed``); the raw-query blend and the
    corpus always use ``embed``. With ``other_documents`` a query with a ``doc_id`` is matched only
    against corpus rows of other documents (its counterparts elsewhere).
    """
    settings = settings or MatchSettings()
    if top_k < 1:
        raise UserError(f"--top-k {top_k}: must be at least 1")
    if not corpus:
        raise UserError(f"{corpus_name}: no rows; the corpus needs at least one row with id and text")
    if not queries:
        raise UserError(f"{queries_name}: no rows; give at least one query row with id and text")
    if settings.only_claims:
        corpus = [r for r in corpus if r.get("is_claim", True) is not False]
        if not corpus:
            raise UserError(f"{corpus_name}: every row is flagged is_claim false; set only_claims: false "
                            "under match: in the config to match them anyway")
    ids = _unique_ids(corpus, corpus_name)
    texts = [_row_text(r, corpus_name, n) for n, r in enumerate(corpus, 1)]
    q_ids = _unique_ids(queries, queries_name)
    q_texts = [_row_text(r, queries_name, n) for n, r in enumerate(queries, 1)]
    matcher = Matcher(texts, embed, settings, query_embed=query_embed)
    # A query that is itself a corpus row (same id, same text: one file given as both) is not its
    # own match; one more row is fetched so that it still gets ``top_k``.
    position = {(i, t): n for n, (i, t) in enumerate(zip(ids, texts))}
    itself = [position.get((qid, qt)) for qid, qt in zip(q_ids, q_texts)]
    extra = int(any(n is not None for n in itself))
    groups = None
    if other_documents:
        names: dict[str, int] = {}
        def group(row: dict[str, Any], n: int) -> int:   # a row without doc_id is its own document
            doc = row.get("doc_id")
            return names.setdefault(str(doc), len(names)) if doc not in (None, "") else -1 - n
        corpus_groups = np.array([group(r, n) for n, r in enumerate(corpus)])
        query_groups = np.array([group(r, len(corpus) + n) for n, r in enumerate(queries)])
        groups = (query_groups, corpus_groups)
    idx, val = matcher.top(q_texts, min(len(texts), top_k + extra), progress=progress, groups=groups)
    kept = [[(int(j), float(s)) for j, s in zip(i, v)
             if j != own and (groups is None or groups[1][j] != groups[0][q])][:top_k]
            for q, (i, v, own) in enumerate(zip(idx, val, itself))]
    # The score orders one query's matches only; the MiniLM cosine of the cleaned texts (what
    # `stance compare` calls similarity) compares across queries, so a threshold can say "no counterpart".
    q_vectors = np.asarray(embed(prepare(q_texts, settings)), dtype=np.float32)
    return [{"query_id": qid, "query_text": qt,
             "matches": [{"id": ids[j], "score": round(s, 6),
                          "cosine": round(float(q_vectors[n] @ matcher.vectors[j]), 4), "text": texts[j],
                          **_described(corpus[j])} for j, s in row]}
            for n, (qid, qt, row) in enumerate(zip(q_ids, q_texts, kept))]


DESCRIBING = ("doc_id", "outlet", "source_type", "speaker", "prediction")


def _described(row: dict[str, Any]) -> dict[str, Any]:
    """What a reader of a match needs beside its text, when the corpus row has it: its document,
    outlet, source type, voice and pre-labelled stance."""
    return {key: row[key] for key in DESCRIBING if row.get(key) not in (None, "")}


def average_precision_at(ranked: Sequence[Any], relevant: set[Any], k: int = 5) -> float:
    """AP@k as in CLEF CheckThat! 2020 task 2: precision at each relevant hit, over min(|rel|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k)


def average_precisions(scores: np.ndarray, relevant: Sequence[set[int]], k: int = 5) -> np.ndarray:
    """AP@k of each row of a (queries x corpus) score matrix; ``relevant`` holds column indices."""
    part = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    return np.array([average_precision_at(ranked.tolist(), rel, k) for ranked, rel in zip(top, relevant)])


# --- the file edge ----------------------------------------------------------------------------

def encoder_embed(model: str | None = None, cache: str | None = None, progress: bool = False) -> Embed:
    """Unit vectors from the packaged MiniLM (or the encoder in ``model``), cached by content hash."""
    import hashlib
    from pathlib import Path

    from models.encoder import EmbeddingCache, load_encoder

    if model is not None and not Path(model).is_dir():
        raise UserError(f"--model {model}: no such model directory; check the path, or omit --model to use "
                        "the packaged MiniLM")
    if model is not None and not Path(model, "config.json").exists():
        raise UserError(f"--model {model}: not a model directory (no config.json); "
                        "omit --model to use the packaged MiniLM")
    encoder = load_encoder(str(Path(model).resolve())) if model else None
    name = "all-MiniLM-L6-v2" if model is None else \
        f"{Path(model).name}-{hashlib.sha1(str(Path(model).resolve()).encode()).hexdigest()[:8]}"
    store = EmbeddingCache(Path(cache) if cache else Path.home() / ".cache" / "claimstance" / "embeddings",
                           model_name=name)
    return lambda texts: store.embed(list(texts), encoder=encoder, progress=progress)


def adapter_embed(cache: str | None = None, adapter: str | None = None, progress: bool = False) -> Embed:
    """Query embeddings from the MiniLM with the LoRA query adapter (models.match_adapter), cached by
    content hash under the adapter's weights hash; the model loads only when a text is new."""
    from pathlib import Path

    from models.encoder import EmbeddingCache
    from models.match_adapter import adapter_id, load_adapter

    class Lazy:
        encoder: Any = None

        def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
            if self.encoder is None:
                self.encoder = load_adapter(adapter)
            return self.encoder.encode(texts, batch_size=batch_size, progress=progress)

    lazy = Lazy()
    try:
        name = adapter_id(adapter)
    except FileNotFoundError:
        load_adapter(adapter)  # raises the one-line UserError naming the directory
        raise
    store = EmbeddingCache(Path(cache) if cache else Path.home() / ".cache" / "claimstance" / "embeddings",
                           model_name=name)
    return lambda texts: store.embed(list(texts), encoder=lazy, progress=progress)


def run_match(corpus: str, queries: str, top_k: int, out: str, config: str | None = None,
              model: str | None = None, cache: str | None = None, progress: bool = True,
              other_documents: bool = False) -> int:
    """`stance match`: read both JSONL files, write one line of matches per query; return the count."""
    from corpus.files import check_not_input, check_output_file, check_writable, read_jsonl, write_jsonl
    from models.compare import load_compare_settings

    check_output_file(out)   # before minutes of matching, not after
    check_not_input("--out", out, {"--corpus file": corpus, "--queries file": queries})
    if cache is not None:
        check_writable(Path(cache) / "embeddings.npy")

    settings = load_compare_settings(config).match
    corpus_rows = list(read_jsonl(corpus))
    query_rows = list(read_jsonl(queries))
    # The adapter was trained against the packaged MiniLM's claim embeddings: with --model, no adapter.
    query_embed = adapter_embed(cache, progress=progress) if settings.adapter and model is None else None
    results = match(corpus_rows, query_rows, top_k, encoder_embed(model, cache, progress), settings,
                    progress=progress, corpus_name=corpus, queries_name=queries, query_embed=query_embed,
                    other_documents=other_documents)
    return write_jsonl(out, results)
