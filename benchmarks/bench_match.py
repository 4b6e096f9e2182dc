"""MAP@5 of claim matching on the CLEF 2020 CheckThat! task 2 dev tweets against the 10,375 claims.

Prints plain MiniLM cosine, TF-IDF, BM25 and the fused matcher. The fusion settings are chosen by
cross-validation: for each of 5 folds of the queries the best grid point on the other 4 folds is
scored on the held-out fold, and the mean held-out MAP@5 is the honest figure (the grid point
that is best on all dev queries is printed too, marked as tuned on itself).

    .venv/bin/python benchmarks/bench_match.py [--data ../shared/data] [--cache DIR]

The second and third stages of `stance match` (reranker, cross-encoder) are measured on top of the
shipped fusion by benchmarks/bench_rerank.py under the same folds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.cache import embeddings_dir  # noqa: E402
from models.embedding_cache import EmbeddingCache  # noqa: E402
from models.matcher import Bm25, MatchSettings, fuse, prepare  # noqa: E402
from models.matching import average_precisions  # noqa: E402


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_claim_retrieval(data: Path) -> tuple[list[dict], list[dict], list[set[int]]]:
    """The fact-checked claims, the dev tweets, and for each tweet the indices of its relevant claims."""
    claims = load(data / "claim-retrieval-claims.jsonl")
    queries = load(data / "claim-retrieval-dev-queries.jsonl")
    pos = {c["id"]: i for i, c in enumerate(claims)}
    return claims, queries, [{pos[r] for r in q["relevant"] if r in pos} for q in queries]


def map_at_5(scores: np.ndarray, relevant: list[set[int]], rows: np.ndarray | None = None) -> float:
    """Mean AP@5 of the score rows (queries x claims) given the relevant claim indices."""
    rows = np.arange(len(scores)) if rows is None else rows
    return float(average_precisions(scores[rows], [relevant[r] for r in rows]).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=str(embeddings_dir()))
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    claims, queries, relevant = load_claim_retrieval(Path(args.data))
    cache = EmbeddingCache(args.cache)
    c_raw = [c["text"] for c in claims]
    q_raw = [q["text"] for q in queries]

    t0 = time.perf_counter()
    results: list[tuple[str, float]] = []
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(sublinear_tf=True).fit(c_raw)
    tf_scores = (tfidf.transform(q_raw) @ tfidf.transform(c_raw).T).toarray()
    results.append(("TF-IDF cosine, raw text", map_at_5(tf_scores, relevant)))
    dense_raw = cache.embed(q_raw, progress=True) @ cache.embed(c_raw, progress=True).T
    results.append(("MiniLM cosine, raw text", map_at_5(dense_raw, relevant)))

    # Signals per cleaning variant; the grid then mixes them.
    variants = {"raw": MatchSettings(clean=False), "split": MatchSettings(handles="split"),
                "keep": MatchSettings(handles="keep"),
                "split+nosig": MatchSettings(handles="split", drop_signature=True)}
    signals: dict[str, tuple[np.ndarray, dict[tuple[float, float], np.ndarray]]] = {}
    raw_vs_clean: dict[str, np.ndarray] = {}
    q_raw_vec = cache.embed(q_raw)
    for name, st in variants.items():
        qt, ct = prepare(q_raw, st), prepare(c_raw, st)
        c_vec = cache.embed(ct, progress=True)
        dense = cache.embed(qt, progress=True) @ c_vec.T
        raw_vs_clean[name] = q_raw_vec @ c_vec.T
        lex = {}
        for k1, b in itertools.product((0.9, 1.2, 1.5), (0.5, 0.75, 0.9)):
            lex[(k1, b)] = Bm25(k1, b).fit(ct).score(qt)
        signals[name] = (dense, lex)
        results.append((f"MiniLM cosine, cleaning={name}", map_at_5(dense, relevant)))
        results.append((f"BM25 (1.2, 0.75), cleaning={name}", map_at_5(lex[(1.2, 0.75)], relevant)))

    grid: list[tuple[str, MatchSettings]] = []
    for name, (k1, b) in itertools.product(variants, signals["raw"][1]):
        base = dict(clean=name != "raw", handles=name.split("+")[0] if name != "raw" else "split",
                    drop_signature=name.endswith("+nosig"), bm25_k1=k1, bm25_b=b)
        for w, a in itertools.product((0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5),
                                      (0.0, 0.2, 0.35) if name != "raw" else (0.0,)):
            grid.append((name, MatchSettings(fusion="mix", lexical_weight=w, raw_weight=a, **base)))
        for rk in (10, 30, 60):
            grid.append((name, MatchSettings(fusion="rrf", rrf_k=rk, **base)))

    def fused(name: str, st: MatchSettings) -> np.ndarray:
        dense, lex = signals[name]
        if st.clean and st.raw_weight > 0:  # as Matcher.scores: the raw query's cosine blended in
            dense = (1 - st.raw_weight) * dense + st.raw_weight * raw_vs_clean[name]
        return fuse(dense, lex[(st.bm25_k1, st.bm25_b)], st)

    per_query = []
    for name, st in grid:
        per_query.append(average_precisions(fused(name, st), relevant))
    per_query_arr = np.stack(per_query)  # grid x queries

    rng = np.random.default_rng(13)
    folds = np.array_split(rng.permutation(len(queries)), args.folds)
    held = []
    for f, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(queries)), test)
        best = int(np.argmax(per_query_arr[:, train].mean(axis=1)))
        held.append(per_query_arr[best, test].mean())
        print(f"fold {f}: picked {grid[best][1].model_dump(include={'clean', 'handles', 'drop_signature', 'raw_weight', 'fusion', 'lexical_weight', 'rrf_k', 'bm25_k1', 'bm25_b'})}"
              f" held-out MAP@5 {held[-1]:.4f}", file=sys.stderr)
    best_all = int(np.argmax(per_query_arr.mean(axis=1)))
    results.append((f"fused, {args.folds}-fold CV (honest)", float(np.mean(held))))
    results.append(("fused, best grid point on all dev (tuned on itself)", float(per_query_arr[best_all].mean())))
    default = MatchSettings()
    name = "raw" if not default.clean else default.handles + ("+nosig" if default.drop_signature else "")
    results.append(("fused, shipped defaults (configs/compare.yaml)",
                    map_at_5(fused(name, default), relevant)))

    print(f"\nclaim matching, {len(queries)} dev tweets x {len(claims)} claims "
          f"({time.perf_counter() - t0:.0f} s after loading)")
    print(f"{'method':<58} MAP@5")
    for label, value in results:
        print(f"{label:<58} {value:.4f}")
    print(f"best on all dev: {grid[best_all][1].model_dump(include={'clean', 'handles', 'drop_signature', 'raw_weight', 'fusion', 'lexical_weight', 'rrf_k', 'bm25_k1', 'bm25_b'})}")


if __name__ == "__main__":
    main()
