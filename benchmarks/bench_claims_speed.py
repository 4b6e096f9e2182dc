"""Benchmark `stance claims` end to end, the sentence splitter alone, and pySBD in the same run.

    python benchmarks/bench_claims_speed.py [--mb 20] [--files 4000] [--pysbd-mb 0.3] [--no-small]

Generates about ``--mb`` MB of English plain text in ``--files`` .txt files in a temporary
directory (deterministic: the sentences of the bundled sample corpus, recombined into new
paragraphs and documents, some with a byline), then:

1. runs the whole command ``stance claims DIR --out X.jsonl`` as a subprocess, timing the wall
   clock and reading the peak resident memory of it and its workers (``os.wait4``);
   unless ``--no-small``, it also runs on a quarter of the files, to show memory stays flat;
2. times ``split_sentences`` alone over the same texts, in this process;
3. times pySBD (and syntok, if installed) on the first ``--pysbd-mb`` MB of the same texts;
4. scores the Golden Rules cases of tests/corpus/golden_rules.py with all three.

The machine is shared, so the ratios to pySBD (measured in the same run) are the steadier figures;
the CPU seconds of `stance claims` (all its processes) show what it costs when the cores are free.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "corpus"))

from corpus.sentences import split_paragraphs, split_sentences  # noqa: E402

SAMPLE = REPO / "corpus" / "sample"
NAMES = ["Anna Petrova", "John Miller", "Maria Garcia", "Li Wei", "Oleg Ivanov", "Sarah Brown"]


def sample_sentences() -> list[str]:
    """The sentences of the bundled sample corpus, one line each."""
    out = []
    for path in sorted(SAMPLE.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [" ".join(text[s:e].split()) for s, e in split_sentences(text)]
    return [s for s in out if len(s) > 1]


def make_corpus(root: Path, mb: float, files: int, seed: int = 0) -> list[Path]:
    """Write ``files`` documents totalling about ``mb`` MB into ``root``; return their paths."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    target = mb * 1e6 / files
    paths = []
    for i in range(files):
        size = target * rng.uniform(0.5, 1.5)
        parts = [f"By {rng.choice(NAMES)}\n\n"] if rng.random() < 0.3 else []
        n = sum(len(p) for p in parts)
        while n < size:
            para = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 6)))
            parts.append(para + ("\n\n" if rng.random() < 0.7 else "\n"))
            n += len(para) + 2
        path = root / f"doc_{i:05d}.txt"
        path.write_text("".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


def run_claims(inputs: list[str], out: Path) -> tuple[float, float, float, str]:
    """Run ``stance claims``; return (wall seconds, CPU seconds and peak RSS in MB of it and its
    workers, its last line of output)."""
    stance = shutil.which("stance", path=str(Path(sys.executable).parent)) or "stance"
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        t0 = time.perf_counter()
        proc = subprocess.Popen([stance, "claims", *inputs, "--out", str(out)], stdout=so, stderr=se)
        # wait4 gives this child's own usage, its workers included: ru_maxrss is the largest of them.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    if proc.returncode != 0:
        sys.exit(f"error: stance claims exited {proc.returncode}: {stderr.strip()[-500:]}")
    lines = stdout.strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def timed(fn, texts: list[str]) -> float:
    t0 = time.perf_counter()
    for text in texts:
        fn(text)
    return time.perf_counter() - t0


def golden_scores() -> list[tuple[str, int]]:
    from golden_rules import GOLDEN_RULES

    def ours(text: str) -> list[str]:
        return [text[s:e] for s, e in split_sentences(text)]

    scorers = [("claimstance", ours)]
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        scorers.append(("pySBD", lambda t: [s.strip() for s in seg.segment(t)]))
    except ImportError:
        pass
    try:
        import syntok.segmenter as syntok

        def syn(text: str) -> list[str]:
            return [text[sent[0].offset - len(sent[0].spacing) : sent[-1].offset + len(sent[-1].value)].strip()
                    for para in syntok.analyze(text) for sent in para]

        scorers.append(("syntok", syn))
    except ImportError:
        pass
    return [(name, sum(fn(t) == exp for _, t, exp in GOLDEN_RULES)) for name, fn in scorers]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    ap.add_argument("--files", type=int, default=4000, help="number of .txt files (default 4000)")
    ap.add_argument("--pysbd-mb", type=float, default=0.3, help="MB of the corpus given to pySBD (default 0.3)")
    ap.add_argument("--no-small", action="store_true", help="skip the quarter-size run (memory flatness)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="claims-bench-") as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        print(f"generating {args.mb:g} MB in {args.files} files ...", file=sys.stderr, flush=True)
        paths = make_corpus(root, args.mb, args.files, args.seed)
        texts = [p.read_text(encoding="utf-8") for p in paths]
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

        rows = []
        if not args.no_small:
            quarter = [str(p) for p in paths[: len(paths) // 4]]
            small_mb = sum(len(t.encode("utf-8")) for t in texts[: len(paths) // 4]) / 1e6
            print("stance claims on a quarter of the files ...", file=sys.stderr, flush=True)
            sec_s, cpu_s, rss_s, _ = run_claims(quarter, Path(tmp) / "small.jsonl")
            rows.append((f"stance claims, {len(quarter)} files", small_mb, sec_s, cpu_s, rss_s))
        print("stance claims on the whole corpus ...", file=sys.stderr, flush=True)
        sec, cpu, rss, summary = run_claims([str(root)], Path(tmp) / "claims.jsonl")
        rows.append((f"stance claims, {len(paths)} files", mb, sec, cpu, rss))

        print("split_sentences alone ...", file=sys.stderr, flush=True)
        split_sec = timed(split_sentences, texts)
        para_sec = timed(lambda t: [split_sentences(t, s, e) for s, e in split_paragraphs(t)], texts)

        subset, n = [], 0
        for t in texts:
            if n >= args.pysbd_mb * 1e6:
                break
            subset.append(t)
            n += len(t.encode("utf-8"))
        sub_mb = n / 1e6
        ours_sub = timed(split_sentences, subset)
        baselines = []
        try:
            import pysbd

            seg = pysbd.Segmenter(language="en", clean=False)
            print(f"pySBD on {sub_mb:.2f} MB ...", file=sys.stderr, flush=True)
            baselines.append(("pySBD", timed(seg.segment, subset)))
        except ImportError:
            print("pySBD not installed (pip install '.[bench]'): no baseline", file=sys.stderr, flush=True)
        try:
            import syntok.segmenter as syntok

            baselines.append(("syntok", timed(lambda t: [s for p in syntok.analyze(t) for s in p], subset)))
        except ImportError:
            pass

    pysbd_rate = next((sub_mb / s for name, s in baselines if name == "pySBD"), None)

    def ratio(rate: float) -> str:
        return f"{rate / pysbd_rate:8.0f}x" if pysbd_rate else "       -"

    print(f"\ncorpus: {mb:.1f} MB in {len(paths)} files, {os.cpu_count()} cores; {summary}")
    print(f"{'what':40} {'MB':>6} {'seconds':>8} {'MB/s':>7} {'vs pySBD':>9} {'peak RSS':>9} {'CPU s':>7}")
    for name, size, seconds, cpu_seconds, peak in rows:
        print(f"{name:40} {size:6.1f} {seconds:8.2f} {size / seconds:7.2f} {ratio(size / seconds)} "
              f"{peak:7.0f}MB {cpu_seconds:7.2f}")
    print(f"{'split_sentences, whole documents':40} {mb:6.1f} {split_sec:8.2f} {mb / split_sec:7.2f} {ratio(mb / split_sec)}")
    print(f"{'split_paragraphs + split_sentences each':40} {mb:6.1f} {para_sec:8.2f} {mb / para_sec:7.2f} {ratio(mb / para_sec)}")
    print(f"{'split_sentences, pySBD subset':40} {sub_mb:6.2f} {ours_sub:8.2f} {sub_mb / ours_sub:7.2f} {ratio(sub_mb / ours_sub)}")
    for name, seconds in baselines:
        print(f"{name + ', same subset':40} {sub_mb:6.2f} {seconds:8.2f} {sub_mb / seconds:7.2f} {ratio(sub_mb / seconds)}")
    print("\nGolden Rules (tests/corpus/golden_rules.py, 48 cases): "
          + ", ".join(f"{name} {score}/48" for name, score in golden_scores()))


if __name__ == "__main__":
    main()
