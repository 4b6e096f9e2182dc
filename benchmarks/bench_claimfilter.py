"""Benchmark the claim filter: quality on the self-written dev set, and throughput.

    python benchmarks/bench_claimfilter.py [--dev tests/corpus/claimfilter_dev.tsv]
                                           [--claims ../shared/data/claim-retrieval-claims.jsonl]

Quality: macro-F1 of ``is_claim`` against CFS (check-worthy) vs NFS+UFS on the dev set, which is
SELF-WRITTEN in the style of debate transcripts (not real debate data), beside the rule
"has a digit" on the same rows; for the tune half, the holdout half and both; then on the blind
set, also self-written, but after the weights were frozen.
If the CheckThat! fact-checked claims file is there, also the share of those real claims that
``is_claim`` keeps (recall only: every row there is a claim someone fact-checked).
Throughput: MB/s of sentences through ``classify``, beside the has-a-digit rule in the same run
(the machine is shared, so the ratio is the steadier figure).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.claimfilter import classify  # noqa: E402
from corpus.sentences import split_paragraphs, split_sentences  # noqa: E402

_DIGIT = re.compile(r"\d")


def load_dev(path: Path) -> list[tuple[str, str, str]]:
    """Rows ``(split, cls, text)`` of the dev set; even rows are ``tune``, odd rows ``holdout``."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, text = line.split("\t", 1)
        rows.append(("tune" if len(rows) % 2 == 0 else "holdout", cls, text))
    return rows


def macro_f1(gold: list[bool], pred: list[bool]) -> float:
    """Mean of the F1 of the positive and of the negative class."""
    f1s = []
    for positive in (True, False):
        tp = sum(g == positive and p == positive for g, p in zip(gold, pred))
        fp = sum(g != positive and p == positive for g, p in zip(gold, pred))
        fn = sum(g == positive and p != positive for g, p in zip(gold, pred))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / 2


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def quality(rows: list[tuple[str, str, str]]) -> list[tuple[str, int, float, float]]:
    table = []
    for part in ("tune", "holdout", "all"):
        sel = [r for r in rows if part == "all" or r[0] == part]
        gold = [cls == "CFS" for _, cls, _ in sel]
        ours = [classify(text)[0] for _, _, text in sel]
        digit = [has_digit(text) for _, _, text in sel]
        table.append((part, len(sel), macro_f1(gold, ours), macro_f1(gold, digit)))
    return table


def sentences_for_speed(claims_path: Path, dev_rows: list[tuple[str, str, str]]) -> list[str]:
    sents = [text for _, _, text in dev_rows]
    for path in sorted((REPO / "corpus" / "sample").glob("*.txt")):
        doc = path.read_text(encoding="utf-8")
        for ps, pe in split_paragraphs(doc):
            sents.extend(doc[s:e] for s, e in split_sentences(doc, ps, pe))
    if claims_path.is_file():
        with claims_path.open(encoding="utf-8") as f:
            sents.extend(json.loads(line)["text"] for line in f if line.strip())
    return sents


def throughput(fn, sents: list[str], min_mb: float = 20.0) -> tuple[float, float]:
    """MB/s of UTF-8 sentence text through ``fn``: by wall clock, and by this process's CPU time."""
    size = sum(len(s.encode("utf-8")) for s in sents)
    rounds = max(1, int(min_mb * 1e6 / size))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for s in sents:
            fn(s)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return size * rounds / 1e6 / wall, size * rounds / 1e6 / cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=REPO / "tests" / "corpus" / "claimfilter_dev.tsv")
    ap.add_argument("--blind", type=Path,
                    default=REPO / "tests" / "corpus" / "claimfilter_blind.tsv")
    ap.add_argument("--claims", type=Path,
                    default=REPO.parent / "shared" / "data" / "claim-retrieval-claims.jsonl")
    args = ap.parse_args()

    rows = load_dev(args.dev)
    print(f"dev set: {args.dev} (SELF-WRITTEN, debate style; CFS vs NFS+UFS)")
    print(f"{'part':<8} {'rows':>5} {'claimfilter':>12} {'has-digit':>10}  (macro-F1)")
    for part, n, ours, digit in quality(rows):
        print(f"{part:<8} {n:>5} {ours:>12.3f} {digit:>10.3f}")
    blind = [("blind", cls, text) for _, cls, text in load_dev(args.blind)]
    *_, (_, n, ours, digit) = quality(blind)
    print(f"{'blind':<8} {n:>5} {ours:>12.3f} {digit:>10.3f}  "
          f"({args.blind.name}: SELF-WRITTEN after the weights were frozen, never tuned on)")

    if args.claims.is_file():
        with args.claims.open(encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
        kept = sum(classify(t)[0] for t in texts) / len(texts)
        digit = sum(map(has_digit, texts)) / len(texts)
        print(f"real fact-checked claims ({args.claims.name}, {len(texts)} rows): "
              f"kept as claims {kept:.1%} (has-digit {digit:.1%})")

    sents = sentences_for_speed(args.claims, rows)
    print(f"throughput over {len(sents)} sentences (MB/s; CPU = this process's CPU time, "
          f"steadier on a shared machine):")
    print(f"{'function':<16} {'wall':>7} {'CPU':>7} {'ratio to has-digit (CPU)':>26}")
    base = throughput(has_digit, sents)
    for name, fn in (("has-digit rule", has_digit), ("str.split", str.split),
                     ("classify", classify)):
        wall, cpu = base if fn is has_digit else throughput(fn, sents)
        print(f"{name:<16} {wall:>7.1f} {cpu:>7.1f} {cpu / base[1]:>26.2f}")


if __name__ == "__main__":
    main()
