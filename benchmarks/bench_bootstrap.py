"""How well do the weak labellers do with no training and no metadata?

Runs the bootstrap on a labelled JSONL (default ../shared/data/ruwa-dev.jsonl) with only each row's
text, compares the probabilities of two labels (default kremlin_framing vs independent_reporting,
neutral ignored) and prints macro-F1 for: the full bootstrap, the bootstrap without the Kiev/Kyiv
spelling cue, cues only, similarity only, and the description-similarity-only baseline; the mean of
five 100-claim batches; the same on three small self-written cross-domain sets (disinformation
narratives vs rebuttals); then the labeller table (coverage, overlaps, conflicts, accuracy).
Every printed figure goes to benchmarks/results/bench_bootstrap-YYYYmmdd-HHMMSS.json too, with the
command, the git commit and the host's load (see benchmarks/_record.py); figures only, no claim texts.

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

from _record import run_context, write_results  # noqa: E402

from corpus.files import read_jsonl  # noqa: E402
from models.bootstrap import Bootstrap  # noqa: E402
from models.encoder import load_encoder  # noqa: E402
from models.schemes import load_scheme  # noqa: E402


# Cross-domain check. Self-written (by the author of this benchmark, not taken from any dataset): summaries of pro-Kremlin disinformation
# narratives (kremlin_framing) and fact statements that rebut them (independent_reporting).
DISINFO = [
    ("The West is waging a hybrid war against Russia and wants to dismember it.", "kremlin_framing"),
    ("Ukraine is run by neo-Nazis who came to power in a Western-backed coup.", "kremlin_framing"),
    ("NATO provoked the conflict by moving its bases up to Russia's borders.", "kremlin_framing"),
    ("The Pentagon secretly operated dozens of military biolabs on Ukrainian soil.", "kremlin_framing"),
    ("The killings in Bucha were a staged provocation by Ukrainian special services.", "kremlin_framing"),
    ("Kyiv has been committing genocide against the people of Donbas for eight years.", "kremlin_framing"),
    ("Russia is defending itself from Western aggression and the expansion of NATO.", "kremlin_framing"),
    ("Anti-Russian sanctions are destroying Europe's economy while the US profits.", "kremlin_framing"),
    ("Ukraine is not a real state but an artificial creation of the Bolsheviks.", "kremlin_framing"),
    ("Zelensky is a puppet of Washington who takes orders from his American handlers.", "kremlin_framing"),
    ("The maternity hospital in Mariupol was used as a base by Azov fighters, so the images are fake.", "kremlin_framing"),
    ("Western countries are using Ukraine as a tool to weaken Russia.", "kremlin_framing"),
    ("The referendums showed that the residents freely chose to join Russia.", "kremlin_framing"),
    ("Poland is preparing to occupy western Ukraine with NATO's blessing.", "kremlin_framing"),
    ("Russophobia is the real driver of European policy towards Moscow.", "kremlin_framing"),
    ("The United States blew up the gas pipelines to make Europe dependent on American energy.", "kremlin_framing"),
    ("Ukrainian forces shell their own cities to blame Russia.", "kremlin_framing"),
    ("Russia is saving the world from a global Anglo-Saxon dictatorship.", "kremlin_framing"),
    ("There is no evidence that Ukraine hosts US-run biological weapons laboratories.", "independent_reporting"),
    ("Russia's full-scale invasion of Ukraine was unprovoked and violated international law.", "independent_reporting"),
    ("Independent investigations found that Russian soldiers executed civilians in Bucha.", "independent_reporting"),
    ("Ukraine has a democratically elected president who is Jewish; the neo-Nazi claim is baseless.", "independent_reporting"),
    ("NATO is a defensive alliance and did not threaten Russia before the invasion.", "independent_reporting"),
    ("UN monitors found no signs of genocide in eastern Ukraine before 2022.", "independent_reporting"),
    ("The votes in occupied regions were held at gunpoint and are not recognised by the UN.", "independent_reporting"),
    ("Satellite imagery contradicts Moscow's claim that the bodies appeared after its troops left.", "independent_reporting"),
    ("This is a recurring pro-Kremlin narrative aimed at justifying the war.", "independent_reporting"),
    ("The maternity hospital was a functioning medical facility, journalists on the scene confirmed.", "independent_reporting"),
    ("Ukraine's statehood is recognised internationally and its borders were guaranteed by Russia in 1994.", "independent_reporting"),
    ("Fact-checkers traced the video to a film set, not to a battlefield.", "independent_reporting"),
    ("The sanctions were imposed in response to Russia's aggression against Ukraine.", "independent_reporting"),
    ("Investigators have not attributed the pipeline blasts to the United States.", "independent_reporting"),
    ("Russian forces have repeatedly struck civilian infrastructure, the UN has documented.", "independent_reporting"),
    ("The claim misrepresents the facts: Ukraine never planned an attack on Donbas.", "independent_reporting"),
    ("Human rights groups documented the forced deportation of Ukrainian children to Russia.", "independent_reporting"),
    ("The Kremlin's claims of a Western plot are not supported by any evidence.", "independent_reporting"),
]


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
    context = run_context(argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO / "../shared/data/ruwa-dev.jsonl"))
    ap.add_argument("--scheme", default="kremlin_framing")
    ap.add_argument("--labels", nargs=2, default=["kremlin_framing", "independent_reporting"])
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
    results, seconds = {}, {}
    for name, exclude in variants:
        boot = Bootstrap(scheme, encoder=encoder, exclude=_expand(scheme, exclude))
        start = time.perf_counter()
        results[name] = score(boot.predict_proba(rows))
        seconds[name] = time.perf_counter() - start
        print(f"{name:48} {results[name]:8.3f} {seconds[name]:8.1f}")
    # No shortcut at all: every "Kiev" spelled "Kyiv" in the text, and the spelling labeller off.
    import re

    same = [{"text": re.sub(r"\bKiev", "Kyiv", r["text"])} for r in rows]
    boot = Bootstrap(scheme, encoder=encoder, exclude=("kiev_spelling",))
    results["no Kiev"] = score(boot.predict_proba(same))
    print(f"{'text respelled Kiev->Kyiv, no spelling cue':48} {results['no Kiev']:8.3f}")
    # Baseline: cosine to each label's description, nothing else.
    emb = encoder.encode([r["text"] for r in rows])
    desc = encoder.encode([scheme.label(lab).description for lab in args.labels])
    base = macro_f1(gold, (emb @ desc.T).argmax(axis=1))
    print(f"{'baseline: similarity to label descriptions only':48} {base:8.3f}")
    worth = {"as a labeller": results[variants[0][0]] - results[variants[1][0]],
             "with the spelling gone from the text": results[variants[0][0]] - results["no Kiev"]}
    print(f"Kiev/Kyiv spelling worth: {worth['as a labeller']:+.3f} macro-F1 as a "
          f"labeller, {worth['with the spelling gone from the text']:+.3f} with the spelling gone from the text")

    # Held-out claims of the dev kind come in batches: the end model learns from the batch it labels,
    # so a small batch is the harder case. Five random 100-claim subsets, each pre-labelled alone.
    rng = np.random.default_rng(0)
    subsets = [rng.choice(len(rows), 100, replace=False) for _ in range(5)] if len(rows) > 100 else []
    sub: list[float] = []
    if subsets:
        boot = Bootstrap(scheme, encoder=encoder)
        sub = [macro_f1(gold[i], boot.predict_proba([rows[j] for j in i])[:, cols].argmax(axis=1)) for i in subsets]
        print(f"{'bootstrap, five 100-claim batches: mean (min)':48} {np.mean(sub):8.3f} ({min(sub):.3f})")

    # Cross-domain: narratives vs rebuttals, same two labels, three self-written sets: DISINFO above,
    # crossdomain_proxy.jsonl, and crossdomain_blind.jsonl (written without reading the scheme).
    sets = [(f"{len(DISINFO)} sentences in this file", [{"text": t, "label": lab} for t, lab in DISINFO])]
    for name in ("crossdomain_proxy.jsonl", "crossdomain_blind.jsonl"):
        path = REPO / "benchmarks" / name
        if path.exists():
            sets.append((name, list(read_jsonl(path))))
    print()
    cross = []
    for name, d_labelled in sets:
        d_rows = [{"text": r["text"]} for r in d_labelled]
        d_gold = np.array([args.labels.index(r["label"]) for r in d_labelled])
        d_probs = Bootstrap(scheme, encoder=encoder).predict_proba(d_rows)
        d_desc = macro_f1(d_gold, (encoder.encode([r["text"] for r in d_rows]) @ desc.T).argmax(axis=1))
        d_boot = macro_f1(d_gold, d_probs[:, cols].argmax(axis=1))
        cross.append({"set": name, "claims": len(d_rows), "bootstrap": d_boot, "description-only baseline": d_desc})
        print(f"cross-domain, {name} ({len(d_rows)}): bootstrap "
              f"{d_boot:.3f}, description-only baseline {d_desc:.3f}")

    import pandas as pd

    table = Bootstrap(scheme, encoder=encoder).labeller_table(
        [{"text": r["text"], "label": r["label"]} for r in labelled])
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print()
        print(table.to_string(index=False))

    macro = {name: results[name] for name, _ in variants}
    macro["text respelled Kiev->Kyiv, no spelling cue"] = results["no Kiev"]
    macro["baseline: similarity to label descriptions only"] = base
    record = {**context, "arguments": vars(args), "claims": len(rows), "macro_f1": macro, "seconds": seconds,
              "kiev_spelling_worth": worth,
              "batches_of_100": {"macro_f1": sub, "mean": float(np.mean(sub)) if sub else None,
                                 "min": min(sub) if sub else None},
              "cross_domain": cross, "labeller_table": table.to_dict(orient="records")}
    path = write_results("bench_bootstrap", record)
    print(f"written to {path}")
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
