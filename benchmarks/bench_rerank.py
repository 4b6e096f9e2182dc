"""MAP@5 of the match reranker (models/rerank.py) on the CLEF 2020 CheckThat! task 2 dev tweets.

One run prints, under the same k-fold cross-validation over the dev QUERIES (the reranker is
trained on k-1 folds of tweets and scores the held-out fold; folds as in bench_match.py):
plain MiniLM cosine, the first-stage fusion (shipped match settings), fusion + reranker, and
fusion + reranker without the duplicate-copy features (what the generic features alone give).
Then the time per query of `Matcher.top` with and without the reranker (embeddings cached).

``--save`` then trains the reranker on all dev tweets and writes its coefficients (JSON, no data
rows) to models/weights/rerank.json, the file `stance match` loads:

    .venv/bin/python benchmarks/bench_rerank.py [--data ../shared/data] [--depth 30] [--save]

``--cross-encoder`` adds the third stage (models/cross_encoder.py): in each fold a LoRA MiniLM
cross-encoder is trained on the other folds' tweets (one positive and five hard negatives from the
fusion's top 12) and blended with the fold's reranker over its best ``cross_depth`` rows. About
8 minutes of training a fold on one core; ``--cross-folds 1`` measures the first fold only,
``--cross-folds 0`` none. With ``--save`` it also trains one on all dev tweets and writes it to
models/weights/cross_encoder/ (1.3 MB):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_rerank.py --cross-encoder --save

The first-stage settings were themselves chosen on all dev tweets (bench_match.py: 5-fold CV 0.865
against 0.871 on all of them), so the fusion row is slightly optimistic; the reranker's gain over it
is measured on held-out tweets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_match import load_claim_retrieval  # noqa: E402

from models.cache import embeddings_dir  # noqa: E402
from models.embedding_cache import EmbeddingCache  # noqa: E402
from models.matcher import Matcher, MatchSettings, prepare  # noqa: E402
from models.matching import average_precision_at, average_precisions  # noqa: E402
from models.cross_encoder import CROSS_DIR, blend, train_cross_encoder  # noqa: E402
from models.rerank import FEATURES, WEIGHTS, Featurizer, train_reranker  # noqa: E402

COPY_FEATURES = ("duplicate_above", "duplicate_below", "duplicate_single", "duplicate_double")


def ap_of_order(candidates: np.ndarray, scores: np.ndarray, relevant: set[int]) -> float:
    """AP@5 of the candidates ordered by ``scores`` (relevant rows outside the list count as misses)."""
    order = np.argsort(-scores, kind="stable")
    return average_precision_at(candidates[order].tolist(), relevant, 5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=str(embeddings_dir()))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=MatchSettings().rerank_depth)
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--save", action="store_true", help=f"train on all dev tweets, write {WEIGHTS}")
    ap.add_argument("--cross-encoder", action="store_true", help="measure (and save) the cross-encoder too")
    ap.add_argument("--cross-folds", type=int, default=None, help="folds to train it on (default: all)")
    ap.add_argument("--cross-epochs", type=float, default=1.5)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
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

    q_clean = prepare(q_raw, settings)
    with_cross, crossed = np.zeros(len(queries)), []
    cross_time = {"train": 0.0, "score": 0.0, "queries": 0}
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
        if args.cross_encoder and f < (args.folds if args.cross_folds is None else args.cross_folds):
            model = train_reranker(x[train], is_rel[train], c=args.c)
            t0 = time.perf_counter()
            cross = cross_encoder_for(train, idx, relevant, matcher.texts, q_clean, args.cross_epochs)
            cross_time["train"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            for t, s in zip(test, model.score(x[test])):
                order = np.argsort(-s, kind="stable")
                top, rest = order[:settings.cross_depth], order[settings.cross_depth:]
                ce = cross.score([q_clean[t]] * len(top), [matcher.texts[j] for j in idx[t][top]])
                mixed = blend(s[top], ce, settings.cross_weight)
                ranked = np.concatenate([idx[t][top][np.argsort(-mixed, kind="stable")], idx[t][rest]])
                with_cross[t] = average_precision_at(ranked.tolist(), relevant[t], 5)
            cross_time["score"] += time.perf_counter() - t0
            cross_time["queries"] += len(test)
            crossed.extend(test.tolist())
            print(f"fold {f}: fusion+reranker+cross-encoder {with_cross[test].mean():.4f}", file=sys.stderr)

    # Time per query, embeddings cached: first stage alone, then with the reranker (its TF-IDF
    # fit on the corpus counted once in the matcher's construction, not per query). The
    # cross-encoder, on by default in MatchSettings, is off here (--cross-encoder prints its time).
    card = {"data": "CLEF 2020 CheckThat! task 2 dev tweets against its 10,375 claims",
            "queries": len(queries), "depth": args.depth, "c": args.c, "loss": "pairwise logistic",
            f"cv{args.folds}_map5": {"minilm": round(float(minilm.mean()), 4),
                                     "fusion": round(float(fusion.mean()), 4),
                                     "fusion_reranker": round(float(reranked["all"].mean()), 4)},
            "rebuild": "python benchmarks/bench_rerank.py --save"}
    final = train_reranker(x, is_rel, c=args.c, card=card)
    timing = {}
    for name, on in (("fusion", False), ("fusion+reranker", True)):
        st = MatchSettings(rerank=on, rerank_depth=args.depth, cross_encoder=False)
        m = Matcher([c["text"] for c in claims], embed, st, reranker=final)
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

    if crossed:
        rows = np.array(crossed)
        print(f"on the {len(rows)} tweets of the {len(rows) // max(1, len(queries) // args.folds)} "
              f"cross-encoder fold(s): fusion {fusion[rows].mean():.4f}, fusion+reranker "
              f"{reranked['all'][rows].mean():.4f}, fusion+reranker+cross-encoder {with_cross[rows].mean():.4f} "
              f"(depth {settings.cross_depth}, weight {settings.cross_weight})")
        print(f"cross-encoder: {cross_time['train'] / 60:.1f} min training, "
              f"{cross_time['score'] / max(1, cross_time['queries']) * 1000:.0f} ms a query scoring "
              f"({torch.get_num_threads()} thread(s))")

    if args.save:
        path = final.save(WEIGHTS)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
        if args.cross_encoder:
            cross = cross_encoder_for(np.arange(len(queries)), idx, relevant, matcher.texts, q_clean,
                                      args.cross_epochs)
            card = {"data": "CLEF 2020 CheckThat! task 2 dev tweets against its 10,375 claims",
                    "queries": len(queries), "epochs": args.cross_epochs,
                    "negatives": "5 of the fusion's top 12", "rebuild":
                    "OMP_NUM_THREADS=1 python benchmarks/bench_rerank.py --cross-encoder --save"}
            if crossed:
                card["cv_map5_on_its_folds"] = round(float(with_cross[np.array(crossed)].mean()), 4)
            path = cross.save(CROSS_DIR, card)
            size = sum(p.stat().st_size for p in path.iterdir())
            print(f"wrote {path} ({size} bytes)")


def cross_encoder_for(train: np.ndarray, idx: np.ndarray, relevant: list[set[int]], texts: list[str],
                      queries: list[str], epochs: float) -> Any:
    """A cross-encoder trained on the ``train`` tweets: their first relevant claim against five of
    the other claims in the fusion's top 12."""
    rows = [t for t in train if relevant[t]]
    positives = [texts[min(relevant[t])] for t in rows]
    negatives = [[texts[j] for j in idx[t][:12] if j not in relevant[t]] for t in rows]
    return train_cross_encoder([queries[t] for t in rows], positives, negatives, epochs=epochs)


if __name__ == "__main__":
    main()
