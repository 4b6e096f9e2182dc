"""MAP@5 of the match reranker (models/rerank.py) on the CLEF 2020 CheckThat! task 2 dev tweets.

One run prints, under the same k-fold cross-validation over the dev QUERIES (the reranker is
trained on k-1 folds of tweets and scores the held-out fold; folds as in bench_match.py):
plain MiniLM cosine, the first-stage fusion (shipped match settings), fusion + reranker, and
fusion + reranker without the duplicate-copy features (what the generic features alone give).
Then the time per query of `Matcher.top` with and without the reranker (embeddings cached).

``--save`` then trains the reranker on all dev tweets and writes its coefficients (JSON, no data
rows) to models/weights/rerank.json, the file `stance match` loads:

    .venv/bin/python benchmarks/bench_rerank.py [--data ../shared/data] [--depth 30] [--save]

The first-stage settings were themselves chosen on all dev tweets (bench_match.py: 5-fold CV 0.865
against 0.871 on all of them), so the fusion row is slightly optimistic; the reranker's gain over it
is measured on held-out tweets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_match import load_claim_retrieval  # noqa: E402

from models.encoder import EmbeddingCache  # noqa: E402
from models.matching import Matcher, MatchSettings, average_precision_at, average_precisions, prepare  # noqa: E402
from models.rerank import FEATURES, WEIGHTS, Featurizer, train_reranker  # noqa: E402

COPY_FEATURES = ("duplicate_above", "duplicate_below", "duplicate_single", "duplicate_double")


def ap_of_order(candidates: np.ndarray, scores: np.ndarray, relevant: set[int]) -> float:
    """AP@5 of the candidates ordered by ``scores`` (relevant rows outside the list count as misses)."""
    order = np.argsort(-scores, kind="stable")
    return average_precision_at(candidates[order].tolist(), relevant, 5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "claimstance" / "embeddings"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=MatchSettings().rerank_depth)
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--save", action="store_true", help=f"train on all dev tweets, write {WEIGHTS}")
    args = ap.parse_args()
    claims, queries, relevant = load_claim_retrieval(Path(args.data))
    cache = EmbeddingCache(args.cache)
    embed = lambda texts: cache.embed(list(texts), progress=True)  # noqa: E731
    q_raw = [q["text"] for q in queries]

    settings = MatchSettings(rerank=False)
    matcher = Matcher([c["text"] for c in claims], embed, settings)
    idx, signals = matcher.candidates(q_raw, args.depth)
    featurizer = Featurizer(matcher.texts)
    x = featurizer.features(prepare(q_raw, settings), idx, matcher.texts, signals, raw_queries=q_raw)
    is_rel = np.array([[j in rel for j in row] for row, rel in zip(idx, relevant)])

    dense_raw = cache.embed(q_raw) @ cache.embed([c["text"] for c in claims]).T
    minilm = average_precisions(dense_raw, relevant)
    fusion = np.array([average_precision_at(row.tolist(), rel, 5) for row, rel in zip(idx, relevant)])

    generic = np.array([f not in COPY_FEATURES for f in FEATURES])
    reranked = {"all": np.zeros(len(queries)), "generic": np.zeros(len(queries))}
    rng = np.random.default_rng(13)
    folds = np.array_split(rng.permutation(len(queries)), args.folds)
    for f, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(queries)), test)
        for name, keep in (("all", np.ones(len(FEATURES), bool)), ("generic", generic)):
            model = train_reranker(x[train][:, :, keep], is_rel[train], c=args.c)
            scores = model.score(x[test][:, :, keep])
            reranked[name][test] = [ap_of_order(idx[t], s, relevant[t]) for t, s in zip(test, scores)]
        print(f"fold {f}: fusion {fusion[test].mean():.4f}  fusion+reranker {reranked['all'][test].mean():.4f}",
              file=sys.stderr)

    # Time per query, embeddings cached: first stage alone, then with the reranker (its TF-IDF
    # fit on the corpus counted once in the matcher's construction, not per query).
    card = {"data": "CLEF 2020 CheckThat! task 2 dev tweets against its 10,375 claims",
            "queries": len(queries), "depth": args.depth, "c": args.c, "loss": "pairwise logistic",
            f"cv{args.folds}_map5": {"minilm": round(float(minilm.mean()), 4),
                                     "fusion": round(float(fusion.mean()), 4),
                                     "fusion_reranker": round(float(reranked["all"].mean()), 4)},
            "rebuild": "python benchmarks/bench_rerank.py --save"}
    final = train_reranker(x, is_rel, c=args.c, card=card)
    timing = {}
    for name, on in (("fusion", False), ("fusion+reranker", True)):
        m = Matcher([c["text"] for c in claims], embed, MatchSettings(rerank=on, rerank_depth=args.depth),
                    reranker=final)
        t0 = time.perf_counter()
        m.top(q_raw, 5)
        timing[name] = (time.perf_counter() - t0) / len(q_raw) * 1000

    gain = reranked["all"] - fusion
    boot = np.random.default_rng(0).integers(0, len(gain), (2000, len(gain)))
    low, high = np.percentile(gain[boot].mean(axis=1), [2.5, 97.5])
    print(f"\nclaim matching, {len(queries)} dev tweets x {len(claims)} claims, {args.folds}-fold CV "
          f"over the tweets, rerank depth {args.depth}, recall@{args.depth} {is_rel.any(axis=1).mean():.3f}")
    print(f"{'method':<60} MAP@5")
    rows = [("MiniLM cosine, raw text", minilm.mean()),
            ("fusion (first stage, shipped settings)", fusion.mean()),
            ("fusion + reranker (held-out folds)", reranked["all"].mean()),
            ("fusion + reranker without the duplicate-copy features", reranked["generic"].mean())]
    for label, value in rows:
        print(f"{label:<60} {value:.4f}")
    print(f"reranker gain over fusion: {gain.mean():+.4f} (95% bootstrap over tweets {low:+.4f} .. {high:+.4f})")
    print(f"time per query (embeddings cached): fusion {timing['fusion']:.2f} ms, fusion+reranker "
          f"{timing['fusion+reranker']:.2f} ms ({timing['fusion+reranker'] / timing['fusion']:.1f}x)")

    if args.save:
        path = final.save(WEIGHTS)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
