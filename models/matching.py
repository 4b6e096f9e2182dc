"""Claim matching over rows: ``match(corpus, queries, k, settings, embed)`` gives each query row its
best corpus rows (by models.matcher's stages) with their MiniLM cosine and what describes them;
the embedding functions of `stance match` (the packaged MiniLM or a model directory, the LoRA query
adapter), cached by content hash; ``run_match``, the command's file edge; and AP@k for evaluating
a ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from models.cache import embeddings_dir
from models.matcher import Embed, Matcher, MatchSettings, prepare


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
    from pathlib import Path

    from models.embedding_cache import EmbeddingCache
    from models.encoder import load_encoder

    if model is not None and not Path(model).is_dir():
        raise UserError(f"--model {model}: no such model directory; check the path, or omit --model to use "
                        "the packaged MiniLM")
    if model is not None and not Path(model, "config.json").exists():
        raise UserError(f"--model {model}: not a model directory (no config.json); "
                        "omit --model to use the packaged MiniLM")
    encoder = load_encoder(str(Path(model).resolve())) if model else None
    name = "all-MiniLM-L6-v2" if model is None else f"{Path(model).name}-{model_key(model)}"
    store = EmbeddingCache(Path(cache) if cache else embeddings_dir(), model_name=name,
                           runtime=None if encoder is None else encoder.runtime)
    return lambda texts: store.embed(list(texts), encoder=encoder, progress=progress)


def model_key(model: str | Path) -> str:
    """A model directory's cache key: its path and its weight files' names, sizes and modification
    times, so a model trained again into the same directory is embedded again, not served the old
    model's vectors."""
    import hashlib
    from pathlib import Path

    root = Path(model).resolve()
    parts = [str(root)] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(root.iterdir())
                           if p.is_file() and p.suffix in (".safetensors", ".bin", ".onnx", ".json")]
    return hashlib.sha1("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def adapter_embed(cache: str | None = None, adapter: str | None = None, progress: bool = False) -> Embed:
    """Query embeddings from the MiniLM with the LoRA query adapter (models.match_adapter), cached by
    content hash under the adapter's weights hash; the model loads only when a text is new."""
    from pathlib import Path

    from models.embedding_cache import EmbeddingCache
    from models.match_adapter import adapter_id, load_adapter

    class Lazy:
        encoder: Any = None
        runtime = "torch"   # QueryEncoder's, known without loading it

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
    store = EmbeddingCache(Path(cache) if cache else embeddings_dir(), model_name=name, runtime=lazy.runtime)
    return lambda texts: store.embed(list(texts), encoder=lazy, progress=progress)


def run_match(corpus: str, queries: str, top_k: int, out: str, config: str | None = None,
              model: str | None = None, cache: str | None = None, progress: bool = True,
              other_documents: bool = False) -> int:
    """`stance match`: read both JSONL files, write one line of matches per query; return the count."""
    from corpus.files import check_not_input, check_output_file, check_writable, read_jsonl, write_jsonl
    from models.compare_settings import load_compare_settings

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
