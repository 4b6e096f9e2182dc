"""How well do the weak labellers do with no training and no metadata?

Runs the bootstrap on a labelled JSONL (default ../shared/data/ruwa-dev.jsonl) with only each row's
text, compares the probabilities of two labels (default kremlin_framing vs independent_reporting,
neutral ignored) and prints macro-F1 for: the full bootstrap, the bootstrap without the Kiev/Kyiv
spelling cue, cues only, similarity only, and the description-similarity-only baseline; then the
labeller table (coverage, overlaps, conflicts, accuracy).

    python benchmarks/bench_bootstrap.py --data ../shared/data/ruwa-dev.jsonl
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.files import read_jsonl  # noqa: E402
from models.bootstrap import Bootstrap  # noqa: E402
from models.encoder import load_encoder  # noqa: E402
from models.schemes import load_scheme  # noqa: E402


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the labels present in ``gold``."""
    scores = []
    for label in np.unique(gold):
        tp = int(((pred == label) & (gold == label)).sum())
        fp = int(((pred == label) & (gold != label)).sum())
        fn = int(((pred != label) & (gold == label)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


class CachedEncoder:
    """Embeds each distinct text once across the variants of one run."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts, batch_size=64, progress=False):
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            for text, vec in zip(missing, self.encoder.encode(missing, batch_size=batch_size, progress=progress)):
                self.memo[text] = vec
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO / "../shared/data/ruwa-dev.jsonl"))
    ap.add_argument("--scheme", default="kremlin_framing")
    ap.add_argument("--labels", nargs=2, default=["kremlin_framing", "independent_reporting"])
    ap.add_argument("--table", action="store_true", help="print the labeller table (default: yes)", default=True)
    args = ap.parse_args(argv)

    scheme = load_scheme(args.scheme)
    labelled = [r for r in read_jsonl(args.data) if r.get("label") in args.labels]
    rows = [{"text": r["text"]} for r in labelled]  # text only: no outlet, no source type
    cols = [scheme.index(lab) for lab in args.labels]
    gold = np.array([args.labels.index(r["label"]) for r in labelled])
    encoder = CachedEncoder(load_encoder())

    def score(probs: np.ndarray) -> float:
        return macro_f1(gold, probs[:, cols].argmax(axis=1))

    print(f"{len(rows)} claims from {args.data}; labels compared: {' vs '.join(args.labels)}; text only")
    print(f"{'variant':48} {'macro-F1':>8} {'seconds':>8}")
    variants = [
        ("bootstrap (all labellers, end model)", ()),
        ("bootstrap without the Kiev/Kyiv spelling cue", ("kiev_spelling",)),
        ("bootstrap without the end model", ("end_model",)),
        ("cues only (no embeddings)", ("similarity", "end_model")),
        ("similarity to descriptions + examples only", ("cues", "cue_groups", "end_model")),
    ]
    results = {}
    for name, exclude in variants:
        boot = Bootstrap(scheme, encoder=encoder, exclude=_expand(scheme, exclude))
        start = time.perf_counter()
        results[name] = score(boot.predict_proba(rows))
        print(f"{name:48} {results[name]:8.3f} {time.perf_counter() - start:8.1f}")
    # Baseline: cosine to each label's description, nothing else.
    emb = encoder.encode([r["text"] for r in rows])
    desc = encoder.encode([scheme.label(lab).description for lab in args.labels])
    base = macro_f1(gold, (emb @ desc.T).argmax(axis=1))
    print(f"{'baseline: similarity to label descriptions only':48} {base:8.3f}")
    print(f"Kiev/Kyiv cue worth: {results[variants[0][0]] - results[variants[1][0]]:+.3f} macro-F1")

    import pandas as pd

    table = Bootstrap(scheme, encoder=encoder).labeller_table(
        [{"text": r["text"], "label": r["label"]} for r in labelled])
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print()
        print(table.to_string(index=False))
    return 0


def _expand(scheme, exclude) -> tuple[str, ...]:
    """``cues`` stands for every per-label cue labeller."""
    out = []
    for name in exclude:
        out.extend([f"cues:{lab}" for lab in scheme.label_ids] if name == "cues" else [name])
    if "cues" in exclude or "cue_groups" in exclude:
        groups = {g for lab in scheme.labels for g in lab.cue_groups}
        out.extend(groups if "cue_groups" in exclude else [])
    return tuple(out)


if __name__ == "__main__":
    sys.exit(main())
