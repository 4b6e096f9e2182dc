"""`stance compare` and `stance match` against correspondences planted in a small corpus.

benchmarks/compare_planted/corpus/ holds six short news texts we wrote (two in the voice of Russian state
media, four of independent outlets) about three events: the Kakhovka dam breach, a prisoner
exchange and the end of the grain deal. compare_planted/planted.yaml lists thirteen pairs of sentences in different
documents that make the same point, each named by a phrase of either sentence. The script runs the
pipeline as a user would (`stance claims`, `stance prelabel` with the bootstrap, `stance compare`) and
counts, for several thresholds (alone, and with mutual nearest claims from a lower similarity: the
``mutual_similarity`` setting) and for each scope (claims, statements, all sentences), how many
planted pairs `stance compare` finds and how many other pairs it adds (not all of them wrong: the list is what we planted, not every defensible pair);
of the planted pairs found, how many get the relation planted.yaml gives them as the suggestion
("relation"), and how many pairs in all are suggested "contradict" and how many of those are planted
contradictions ("right"). It then asks `stance match` for each planted pair's sentence in an independent document, against the
state-media claims, and gives the rank of its counterpart.

Self-written and small: the figures show the trade-off of the threshold, they are not a
measurement of recall on real corpora.

    python benchmarks/bench_compare.py [--thresholds 0.4,0.45,0.5,0.55] [--mutual none,0.45,0.4] [--top-k 5]
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _record import run_context, write_results  # noqa: E402

CORPUS = ROOT / "benchmarks" / "compare_planted"


def planted_key(text_a: str, text_b: str, planted: dict[str, list[str]]) -> str | None:
    """The planted pair two sentences are, if any: one phrase in each sentence, either way round."""
    for key, (x, y) in planted.items():
        if (x in text_a and y in text_b) or (y in text_a and x in text_b):
            return key
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.4,0.45,0.5,0.55")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--mutual", default="none,0.45,0.4",
                        help="mutual_similarity values to try beside each threshold (none: threshold alone)")
    args = parser.parse_args(argv)
    context = run_context(argv)

    from claimstance.cli import main as stance
    from corpus.files import read_jsonl
    from models.compare import compare, embedder
    from models.compare_settings import CompareSettings
    from models.matcher import MatchSettings
    from models.matching import encoder_embed, match

    gold = yaml.safe_load((CORPUS / "planted.yaml").read_text(encoding="utf-8"))
    planted, relations = gold["pairs"], gold["relations"]
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    atexit.register(shutil.rmtree, work, True)   # claims, pre-labels and an embedding cache: scratch
    started = time.monotonic()
    assert stance(["claims", str(CORPUS / "corpus"), "--out", str(work / "claims.jsonl")]) == 0
    assert stance(["prelabel", "--in", str(work / "claims.jsonl"), "--out", str(work / "pre.jsonl")]) == 0
    rows = list(read_jsonl(work / "pre.jsonl"))
    embed = embedder(str(work / "cache"))
    print(f"{len(rows)} sentences of {len({r['doc_id'] for r in rows})} documents, {len(planted)} planted pairs "
          f"({time.monotonic() - started:.0f} s to claims and pre-labels)")
    print(f"{'threshold':>9} {'mutual from':>11} {'scope':>11} {'pairs':>5} {'planted found':>13} "
          f"{'other pairs':>11} {'relation':>8} {'contradict':>10} {'right':>5}")
    results = []
    mutuals = [None if m.strip() == "none" else float(m) for m in args.mutual.split(",")]
    for scope in ("claims", "statements", "all"):
        for threshold in (float(t) for t in args.thresholds.split(",")):
            for mutual in mutuals:
                if mutual is not None and mutual >= threshold:
                    continue   # the threshold alone already takes every mutual pair
                settings = CompareSettings(min_similarity=threshold, mutual_similarity=mutual, top_k=args.top_k,
                                           scope=scope)
                _, pairs, _ = compare(rows, embed, settings)
                keys = [planted_key(p["text_a"], p["text_b"], planted) for p in pairs]
                found = sorted({k for k in keys if k}, key=lambda k: int(k[1:]))
                suggested = {k: p["suggested"] for k, p in zip(keys, pairs) if k}
                res = {"threshold": threshold, "mutual_similarity": mutual, "scope": scope,
                       "pairs": len(pairs), "planted_found": len(found), "found": found,
                       "other_pairs": sum(k is None for k in keys),
                       "relation_right": sum(suggested[k] == relations[k] for k in found),
                       "contradict_suggested": sum(p["suggested"] == "contradict" for p in pairs),
                       "contradict_right": sum(suggested[k] == "contradict" == relations[k] for k in found),
                       "suggested": suggested}
                results.append(res)
                print(f"{threshold:9.2f} {'-' if mutual is None else f'{mutual:.2f}':>11} {scope:>11} "
                      f"{len(pairs):5d} {len(found):6d} of {len(planted):<3d} {res['other_pairs']:11d} "
                      f"{res['relation_right']:8d} {res['contradict_suggested']:10d} {res['contradict_right']:5d}")

    # stance match: each planted pair's independent sentence as a query against the state-media rows.
    state = {r["doc_id"] for r in rows if r.get("source_type") == "kremlin_framing"}
    corpus = [{**r, "id": r["claim_id"]} for r in rows if r["doc_id"] in state]
    queries, want = [], {}
    for key, (x, y) in planted.items():
        sides = [r for r in rows if x in r["text"] or y in r["text"]]
        query = next((r for r in sides if r["doc_id"] not in state), None)
        target = next((r for r in sides if r["doc_id"] in state), None)
        if query is not None and target is not None:
            queries.append({"id": key, "text": query["text"]})
            want[key] = target["claim_id"]
    out = match(corpus, queries, 3, encoder_embed(cache=str(work / "cache")),
                MatchSettings(only_claims=False))
    ranks = {r["query_id"]: next((n for n, m in enumerate(r["matches"], 1) if m["id"] == want[r["query_id"]]), None)
             for r in out}
    at1 = sum(v == 1 for v in ranks.values())
    at3 = sum(v is not None for v in ranks.values())
    print(f"stance match, independent sentence against {len(corpus)} state-media sentences: counterpart first "
          f"for {at1} of {len(ranks)}, in the top 3 for {at3}")
    path = write_results("bench_compare", {**context, "args": vars(args), "sentences": len(rows),
                                           "planted": len(planted), "compare": results,
                                           "match": {"queries": len(ranks), "at_1": at1, "at_3": at3,
                                                     "ranks": ranks}})
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
