"""The model `stance train` makes, scored on held-out dev claims and on three cross-domain sets.

For each seed: a stratified 80/20 split of the labelled claims (default ../shared/data/ruwa-dev.jsonl);
the default recipe of `stance train` (models.training.TrainSettings(), its own validation split and
early stopping inside the 80%) is fitted on the 80%, saved and loaded again as `stance prelabel
--model` loads it (its exported graphs: static int8 under OpenVINO, see models/int8.py), then scored on the held-out 20%, with TF-IDF +
logistic regression and the bootstrap on the same split, in the same run. The same model is then
scored on the self-written cross-domain sets (summaries of pro-Kremlin narratives against rebuttals:
benchmarks/crossdomain_proxy.jsonl, and crossdomain_blind.jsonl, written without reading the
scheme's cues or examples), blended and network alone, with the share of claims the domain gate
lets through to the network. Figures are macro-F1 over kremlin_framing and independent_reporting.

With ``--plain``, a plain fine-tune on the same split as a second baseline: the packaged MiniLM with
AutoModelForSequenceClassification, the usual Hugging Face recipe (learning rate 5e-5, 3 epochs,
batches of 16, linear decay, no warm-up, no early stopping, no blend), trained on all of the 80%.

With ``--folds K``, stratified K-fold cross-validation instead: every claim held out once, and one
macro-F1 over all the held-out predictions beside the per-fold figures.

With ``--by FIELD`` (with ``--folds``), the pooled figures again for each value of a field of the
claims (ruwa-dev's ``field``: ``title`` for headlines, ``desc`` for sub-headings), as macro-F1 and
errors: where the errors are.

With ``--seen-sources-off``, each model is scored twice on the same claims: as trained (with the
seen-sources rule when ``--settings`` turns it on: ``{"seen_source_min": 10}``), and with the rule
off, its gate alone deciding; the cross-domain sets the same.

With ``--train-fraction F``, a learning curve point: each split trains on a stratified share F of
its training part (seeded by the split) and is scored on the same held-out claims as before.

Every printed figure goes to benchmarks/results/bench_heldout-YYYYmmdd-HHMMSS.json too (see
benchmarks/_record.py): the per-split results (keyed "fold" under --folds, "seed" otherwise), the
means, the pooled figures under --folds, the mode, the settings, the command and the git commit.

    python benchmarks/bench_heldout.py [--data ../shared/data/ruwa-dev.jsonl] [--seeds 0,1 | --folds 5] [--plain]
        [--train-fraction 0.6] [--train-seed 13] [--by field] [--seen-sources-off]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _record import run_context, write_results  # noqa: E402
from bench_stance import LABELS, f1, tfidf, two  # noqa: E402

from corpus.files import read_jsonl  # noqa: E402

CROSS_DOMAIN = ("crossdomain_proxy.jsonl", "crossdomain_blind.jsonl")
# The usual Hugging Face recipe: no warm-up, no early stopping (the last epoch is kept), no blend.
PLAIN = {"learning_rate": 5e-5, "epochs": 3, "min_epochs": 1, "warmup_fraction": 0.0, "max_length": 128,
         "keep_best": False, "blend": False}


def _tfidf_variants() -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    return {
        "defaults": lambda: make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)),
        "LinearSVC": lambda: make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LinearSVC()),
        "char 2-5": lambda: make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                                          LogisticRegression(C=10.0, max_iter=3000)),
    }


def main(argv: list[str] | None = None) -> int:
    context = run_context(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "ruwa-dev.jsonl"))
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds of the 80/20 splits")
    parser.add_argument("--settings", default="{}", help='TrainSettings fields to change, as JSON: \'{"epochs": 5}\'')
    parser.add_argument("--plain", action="store_true", help="also a plain fine-tune (lr 5e-5, 3 epochs) on each split")
    parser.add_argument("--plain-settings", default="{}",
                        help='with --plain: its TrainSettings fields to change, as JSON: \'{"epochs": 10}\'')
    parser.add_argument("--plain-only", action="store_true",
                        help="the plain fine-tune and TF-IDF only, not the recipe (a sweep of the plain baseline)")
    parser.add_argument("--folds", type=int, default=0,
                        help="K-fold cross-validation (stratified, shuffled with seed 0) instead of --seeds")
    parser.add_argument("--tfidf-variants", action="store_true",
                        help="also three other TF-IDF set-ups (scikit-learn defaults, LinearSVC, character n-grams)")
    parser.add_argument("--train-seed", type=int, default=13,
                        help="seed of training (validation split, initialisation, batch order): the run-to-run spread")
    parser.add_argument("--train-fraction", type=float, default=1.0,
                        help="train on this stratified share of each split's training claims (learning curve)")
    parser.add_argument("--seen-sources-off", action="store_true",
                        help="also score each trained model with the seen-sources rule off (the same networks; "
                             "train with it on through --settings '{\"seen_source_min\": 10}')")
    parser.add_argument("--by", default="",
                        help="with --folds: the pooled figures for each value of this field of the claims (e.g. field)")
    args = parser.parse_args(argv)
    args.plain = args.plain or args.plain_only
    if args.by and not args.folds:
        parser.error("--by needs --folds (the pooled predictions it breaks down)")
    if not 0 < args.train_fraction <= 1:
        parser.error(f"--train-fraction must be in (0, 1], not {args.train_fraction}")

    from sklearn.model_selection import StratifiedKFold, train_test_split

    from models.bootstrap import Bootstrap
    from models.classifier import StanceClassifier
    from models.schemes import load_scheme
    from models.training import TrainSettings, fit_classifier

    variants = _tfidf_variants() if args.tfidf_variants else {}
    scheme = load_scheme("kremlin_framing")
    settings = TrainSettings(**json.loads(args.settings))
    rows = [r for r in read_jsonl(args.data) if r.get("label") in LABELS]
    sets = {name.split("_")[1].split(".")[0]: list(read_jsonl(ROOT / "benchmarks" / name)) for name in CROSS_DOMAIN}
    print(f"{len(rows)} claims from {args.data}; cross-domain: "
          + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    header = (f"{'seed':>4} {'test':>5} {'fine-tune':>9} {'alone':>6} {'TF-IDF':>6} {'boot':>6} "
              + " ".join(f"{k + ' blend/alone/boot/TF-IDF (gate pass)':>44}" for k in sets) + f" {'train s':>7}")
    print(header)
    results = []
    strata = [r["label"] for r in rows]
    if args.folds:  # every claim held out once; the first column is then the fold's number
        folds = StratifiedKFold(args.folds, shuffle=True, random_state=0).split(rows, strata)
        splits = [([rows[i] for i in a], [rows[i] for i in b]) for a, b in folds]
    else:
        splits = [train_test_split(rows, test_size=0.2, stratify=strata, random_state=int(seed))
                  for seed in args.seeds.split(",")]
    names = range(len(splits)) if args.folds else [int(seed) for seed in args.seeds.split(",")]
    split_key = "fold" if args.folds else "seed"
    ids = list(scheme.label_ids)

    def recipe(train: list[dict], test: list[dict], y: np.ndarray, res: dict, cells: list[str],
               pooled: dict[str, list[np.ndarray]]) -> float:
        """The `stance train` recipe on one split: its figures into ``res``, ``cells`` and ``pooled``."""
        started = time.monotonic()
        fitted, _ = fit_classifier(train, scheme, seed=args.train_seed, settings=settings, progress=False)
        seconds = time.monotonic() - started
        # Saved and loaded again, as `stance prelabel --model` and `stance evaluate` load it (ONNX
        # Runtime or OpenVINO, see models.onnx_graphs).
        model_dir = Path(tempfile.mkdtemp(prefix="bench-heldout-"))
        try:   # removed whatever happens: a saved model is large
            fitted.save_pretrained(model_dir)
            clf = StanceClassifier.from_pretrained(model_dir)
            boot = Bootstrap(scheme)
            blended, alone = two(clf.predict_proba(test), ids), two(clf.predict_proba(test, blended=False), ids)
            pooled.setdefault("fine-tune", []).append(blended)
            pooled.setdefault("network alone", []).append(alone)
            res.update({"train_seconds": round(seconds, 1),
                        "test/fine-tune": f1(y, blended),
                        "test/network alone": f1(y, alone),
                        "test/bootstrap": f1(y, two(boot.predict_proba([{"text": r["text"]} for r in test]), ids))})
            seen = clf.config["blend"].get("seen_sources")
            res["test/seen source share"] = float(clf.seen_source(test).mean())
            if seen:   # applied or not, as training decided on the validation claims
                res["seen sources"] = seen.get("decision", "")
            if args.seen_sources_off:   # the same network, its gate alone deciding every claim
                clf.config["blend"]["seen_sources"] = None
                off = two(clf.predict_proba(test), ids)
                pooled.setdefault("fine-tune, seen sources off", []).append(off)
                res["test/fine-tune, seen sources off"] = f1(y, off)
                for name, claims in sets.items():
                    yc = np.array([LABELS.index(r["label"]) for r in claims])
                    res[f"{name}/fine-tune, seen sources off"] = f1(yc, two(clf.predict_proba(claims), ids))
                clf.config["blend"]["seen_sources"] = seen
            for name, claims in sets.items():
                yc = np.array([LABELS.index(r["label"]) for r in claims])
                res[f"{name}/fine-tune"] = f1(yc, two(clf.predict_proba(claims), ids))
                res[f"{name}/network alone"] = f1(yc, two(clf.predict_proba(claims, blended=False), ids))
                res[f"{name}/bootstrap"] = f1(yc, two(boot.predict_proba([{"text": r["text"]} for r in claims]), ids))
                res[f"{name}/tfidf"] = f1(yc, tfidf(train, claims))
                res[f"{name}/gate pass"] = float((clf.domain_gate(claims) >= 1).mean())
                res[f"{name}/seen source share"] = float(clf.seen_source(claims).mean())
                cells.append(f"{res[f'{name}/fine-tune']:.3f}/{res[f'{name}/network alone']:.3f}/"
                             f"{res[f'{name}/bootstrap']:.3f}/{res[f'{name}/tfidf']:.3f} ({res[f'{name}/gate pass']:.2f})")
            if args.seen_sources_off:
                cells.append(f"seen sources off {res['test/fine-tune, seen sources off']:.3f} "
                             f"(on for {res['test/seen source share']:.2f}; {res.get('seen sources', 'not fitted')})")
        finally:
            shutil.rmtree(model_dir, ignore_errors=True)
        return seconds

    pooled: dict[str, list[np.ndarray]] = {}
    groups: list[list[str]] = []
    for seed, (train, test) in zip(names, splits):
        if args.train_fraction < 1:  # the same held-out claims, fewer training claims
            train, _ = train_test_split(train, train_size=args.train_fraction,
                                        stratify=[r["label"] for r in train], random_state=int(seed))
        y = np.array([LABELS.index(r["label"]) for r in test])
        pooled.setdefault("gold", []).append(y)
        groups.append([str(r.get(args.by, "")) for r in test] if args.by else [])
        res = {split_key: seed, "train_claims": len(train), "test_claims": len(test),
               "test/tfidf": f1(y, tfidf(train, test))}
        cells = []
        seconds = 0.0
        if args.tfidf_variants:
            for name, make in variants.items():
                model = make().fit([r["text"] for r in train], [LABELS.index(r["label"]) for r in train])
                pred = np.eye(len(LABELS))[model.predict([r["text"] for r in test])]
                pooled.setdefault(f"TF-IDF {name}", []).append(pred)
                res[f"test/tfidf {name}"] = f1(y, pred)
        if not args.plain_only:
            seconds = recipe(train, test, y, res, cells, pooled)
        if args.plain:
            plain = TrainSettings(**{**PLAIN, **json.loads(args.plain_settings)})
            # Trained on all of the 80%; the rows passed as validation only satisfy the API (no early
            # stopping, no blend).
            started = time.monotonic()
            plain_clf, _ = fit_classifier(train, scheme, seed=args.train_seed, settings=plain, progress=False,
                                          val_rows=train[:32])
            res["plain_train_seconds"] = round(time.monotonic() - started, 1)
            plain_pred = two(plain_clf.predict_proba(test, blended=False), ids)
            pooled.setdefault("plain fine-tune", []).append(plain_pred)
            res["test/plain fine-tune"] = f1(y, plain_pred)
            for name, claims in sets.items():
                yc = np.array([LABELS.index(r["label"]) for r in claims])
                res[f"{name}/plain fine-tune"] = f1(yc, two(plain_clf.predict_proba(claims, blended=False), ids))
            cells.append("plain fine-tune " + " / ".join(f"{res[k]:.3f}" for k in res if k.endswith("/plain fine-tune")))
        results.append(res)
        shown = {k: res.get(f"test/{k}", float("nan")) for k in ("fine-tune", "network alone", "tfidf", "bootstrap")}
        print(f"{seed:>4} {len(test):>5} {shown['fine-tune']:9.3f} {shown['network alone']:6.3f} "
              f"{shown['tfidf']:6.3f} {shown['bootstrap']:6.3f} " + " ".join(f"{c:>44}" for c in cells)
              + f" {seconds:7.0f}", flush=True)
    keys = [k for k in results[0] if "/" in k]
    mean = {k: float(np.mean([r[k] for r in results])) for k in keys}
    print("mean: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    mode = {"mode": "folds", "folds": args.folds} if args.folds else {"mode": "seeds", "seeds": list(names)}
    if args.folds:  # each claim predicted once: one macro-F1 over all of them
        gold = np.concatenate(pooled.pop("gold"))
        pooled_f1 = {k: f1(gold, np.concatenate(v)) for k, v in pooled.items()}
        print(f"pooled over the {args.folds} folds ({len(gold)} claims): "
              + ", ".join(f"{k} {v:.3f}" for k, v in pooled_f1.items()))
        mode["pooled"] = {"claims": len(gold), "macro_f1": pooled_f1}
        if args.by:
            by = np.array([g for fold in groups for g in fold])
            mode["pooled_by"] = {"field": args.by, "values": {}}
            for value in sorted(set(by.tolist())):
                on = by == value
                cells = {k: {"macro_f1": f1(gold[on], np.concatenate(v)[on]),
                             "errors": int((np.concatenate(v)[on].argmax(1) != gold[on]).sum())}
                         for k, v in pooled.items()}
                mode["pooled_by"]["values"][value] = {"claims": int(on.sum()), **cells}
                print(f"  {args.by}={value!r} ({int(on.sum())} claims): "
                      + ", ".join(f"{k} {c['macro_f1']:.3f} ({c['errors']} errors)" for k, c in cells.items()))
    record = {**context, "arguments": vars(args), **mode, "plain": args.plain, "data": args.data,
              "claims": len(rows), "cross_domain_claims": {k: len(v) for k, v in sets.items()},
              "train_seed": args.train_seed, "train_fraction": args.train_fraction,
              "settings": settings.model_dump(), "results": results, "mean": mean}
    path = write_results("bench_heldout", record)
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
