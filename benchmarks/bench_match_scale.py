"""Speed and memory of top-k similarity search: all rows of a corpus against each other.

Each case runs in a fresh process so its peak memory (max RSS) is its own. Cases:
  naive   the full n x n similarity matrix, then a partial sort of every row (only where it fits)
  exact   models.neighbours.search, blocked exact (matrix product per block + top-k per block)
  faiss   models.neighbours.search with method="faiss" (an HNSW graph, M=16), with its
          recall@k against exact search on a sample of queries
  grouped the faiss case with groups as `stance compare` has them (a row never matches its own
          group): one large source holding 40% of the rows, the rest in documents of 25 rows
Vectors are unit vectors, either uniformly random or clustered (points around 2,000 topic
centres at cosine ~0.7, closer to what sentence embeddings look like; random vectors have no
neighbourhood structure, so approximate search is at its worst on them).

    .venv/bin/python benchmarks/bench_match_scale.py [--n 100000] [--naive-n 20000] [--k 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def vectors(n: int, dim: int, kind: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "random":
        x = rng.standard_normal((n, dim), dtype=np.float32)
    else:
        centres = rng.standard_normal((2000, dim), dtype=np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        x = centres[rng.integers(0, 2000, n)] + rng.standard_normal((n, dim), dtype=np.float32) / np.sqrt(dim)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def run_case(case: str, n: int, dim: int, k: int, kind: str, queries: int) -> dict:
    """One case in this process: returns seconds, peak RSS and (faiss) recall."""
    from models.neighbours import search

    x = vectors(n, dim, kind)
    q = x[:queries] if queries else x
    ids = np.arange(n)
    if case == "grouped":   # one source of 40% of the rows, then documents of 25
        ids = np.where(ids < int(0.4 * n), 0, 1 + ids // 25)
        case = "faiss"
    qids = ids[:len(q)]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    out: dict = {}
    if case == "naive":
        sims = q @ x.T
        sims[np.arange(len(q)), qids] = -np.inf
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1)
        found = np.take_along_axis(top, order, axis=1)
    else:
        found, _ = search(q, x, k, query_groups=qids, corpus_groups=ids, method=case)
    out["seconds"] = time.perf_counter() - t0
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["data_mb"] = base_rss / 1024
    if case == "faiss":
        sample = np.random.default_rng(1).choice(len(q), size=min(1000, len(q)), replace=False)
        exact, _ = search(q[sample], x, k, query_groups=qids[sample], corpus_groups=ids, method="exact")
        hits = sum(len(set(a) & set(b)) for a, b in zip(found[sample], exact))
        out["recall"] = hits / (len(sample) * k)
    return out


def child(case: str, n: int, dim: int, k: int, kind: str, queries: int = 0) -> dict:
    cmd = [sys.executable, __file__, "--child", case, "--n", str(n), "--dim", str(dim), "--k", str(k),
           "--kind", kind, "--queries", str(queries)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{case} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--naive-n", type=int, default=20_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--kind", default="both", choices=["random", "clustered", "both"])
    ap.add_argument("--exact-queries", type=int, default=10_000,
                    help="exact search at full n runs this many queries and extrapolates (0: all)")
    ap.add_argument("--child", default=None)
    ap.add_argument("--queries", type=int, default=0)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.n, args.dim, args.k, args.kind, args.queries)))
        return
    kinds = ["random", "clustered"] if args.kind == "both" else [args.kind]
    print(f"top-{args.k} self-matching of unit vectors, dim {args.dim}; peak = max RSS of the process")
    print(f"{'case':<34}{'n':>8}{'seconds':>10}{'peak MB':>10}{'recall':>8}  note")
    m = args.naive_n
    naive = child("naive", m, args.dim, args.k, "random")
    exact_small = child("exact", m, args.dim, args.k, "random")
    print(f"{'naive full matrix':<34}{m:>8}{naive['seconds']:>10.1f}{naive['peak_mb']:>10.0f}{'1.000':>8}")
    print(f"{'blocked exact':<34}{m:>8}{exact_small['seconds']:>10.1f}{exact_small['peak_mb']:>10.0f}{'1.000':>8}"
          f"  {naive['seconds'] / exact_small['seconds']:.1f}x faster, "
          f"{naive['peak_mb'] / exact_small['peak_mb']:.1f}x less memory than naive")
    n = args.n
    print(f"{'naive full matrix':<34}{n:>8}{'-':>10}{n * n * 4 / 2**20:>10.0f}{'':>8}  not run: the matrix alone needs this")
    part = child("exact", n, args.dim, args.k, "random", args.exact_queries)
    scale = n / args.exact_queries if args.exact_queries else 1
    print(f"{'blocked exact':<34}{n:>8}{part['seconds'] * scale:>10.1f}{part['peak_mb']:>10.0f}{'1.000':>8}"
          + (f"  extrapolated from {args.exact_queries} queries ({part['seconds']:.1f} s)" if scale != 1 else ""))
    for case, kind in [("faiss", k) for k in kinds] + [("grouped", "clustered")]:
        f = child(case, n, args.dim, args.k, kind)
        name = f"faiss HNSW, {kind}" + (", grouped" if case == "grouped" else "")
        print(f"{name:<34}{n:>8}{f['seconds']:>10.1f}{f['peak_mb']:>10.0f}{f['recall']:>8.3f}"
              f"  {part['seconds'] * scale / f['seconds']:.1f}x faster than blocked exact")


if __name__ == "__main__":
    main()
