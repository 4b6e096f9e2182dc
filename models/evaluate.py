"""Scoring a stance model on labelled claims (``stance evaluate``): figures a reviewer can check.

Macro-F1, per-label precision / recall / F1, a confusion matrix, calibration (expected calibration
error and a reliability plot), the same broken down by metadata fields, and a TF-IDF + logistic
regression baseline.

Claims the model was trained on (their text hashes are in its ``train_hashes``) or tuned on (its
validation claims, ``validation_hashes``, which chose its epoch and fitted its blend) are left out
of every figure, and the report says how many. Of a `stance pull` dataset every split is scored for
the bootstrap, the test split for a trained model, whose other splits share documents with its
training claims (``split`` chooses). The baseline is fitted on the claims the model was
trained on (read again from the training data its directory records, when that still holds every
one of them) and scored on the same claims as the model. Otherwise (the bootstrap, a model whose
training data moved or changed) it is cross-validated on the evaluation data itself (stratified
folds grouped by document, or by claim when the documents are too few; seeded), and the report,
report.json and the terminal say which of the two was done.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from corpus.safetext import html_text, markdown_text
from models.data import document_key, is_tie, load_labelled, test_split, text_hash

BY_DEFAULT = ("outlet", "source_type", "speaker", "source", "voice")
ECE_BINS = 10
FEW = 20   # a group with fewer claims is marked: one claim moves its figures by 0.05 or more
REPORT_FILES = ("report.json", "index.html")   # an earlier report, which a new one may replace
REPORT_WRITTEN = ("report.md", "predictions.jsonl", "*.png")   # and what else it holds


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS
                               ) -> tuple[float, list[dict[str, float]]]:
    """ECE over equal-width confidence bins, and the bins (for the reliability plot)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece, n = [], 0.0, max(len(confidence), 1)
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        inside = (confidence > lo) & (confidence <= hi) if i else (confidence >= lo) & (confidence <= hi)
        if not inside.any():
            continue
        conf, acc = float(confidence[inside].mean()), float(correct[inside].mean())
        ece += inside.sum() / n * abs(acc - conf)
        table.append({"low": round(lo, 2), "high": round(hi, 2), "count": int(inside.sum()),
                      "confidence": round(conf, 4), "accuracy": round(acc, 4)})
    return round(float(ece), 4), table


def score(y_true: np.ndarray, proba: np.ndarray, labels: list[str], support_only: bool = False) -> dict[str, Any]:
    """Macro-F1, accuracy, per-label P/R/F1, confusion matrix and calibration of ``proba``.

    ``support_only`` averages the F1 over the labels present in ``y_true`` only (for a metadata group
    such as one outlet, whose claims may all carry one label).
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    pred = proba.argmax(axis=1)
    idx = list(range(len(labels)))
    p, r, f, s = precision_recall_fscore_support(y_true, pred, labels=idx, zero_division=0)
    ece, bins = expected_calibration_error(proba.max(axis=1), pred == y_true)
    return {
        "n": int(len(y_true)),
        "macro_f1": round(float(np.mean(f[s > 0] if support_only and (s > 0).any() else f)), 4),
        "accuracy": round(float((pred == y_true).mean()), 4) if len(y_true) else 0.0,
        "per_label": {labels[i]: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                                  "f1": round(float(f[i]), 4), "support": int(s[i])} for i in idx},
        "confusion": confusion_matrix(y_true, pred, labels=idx).tolist(),
        "ece": ece, "reliability": bins,
    }


def macro_f1_resampled(y_true: np.ndarray, preds: list[np.ndarray], n_labels: int, resamples: int = 1000,
                       seed: int = 13) -> np.ndarray:
    """Macro-F1 of each prediction vector in ``preds`` on ``resamples`` bootstrap resamples of the
    claims (the same resamples for all, so differences are paired): resamples x len(preds)."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    out = np.zeros((resamples, len(preds)))
    for b in range(resamples):
        idx = rng.integers(0, n, n)
        truth = y_true[idx]
        for k, pred in enumerate(preds):
            guess = pred[idx]
            tp = np.bincount(truth[truth == guess], minlength=n_labels)
            fp = np.bincount(guess, minlength=n_labels) - tp
            fn = np.bincount(truth, minlength=n_labels) - tp
            denom = 2 * tp + fp + fn
            f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
            # Over the labels this resample's claims hold, as the point estimate is over the labels
            # the evaluated claims hold (a rare label missing from a resample is not an F1 of 0).
            out[b, k] = np.mean(f1[np.bincount(truth, minlength=n_labels) > 0])
    return out


MIN_FOR_INTERVALS = 20
MIN_LABEL_FOR_INTERVALS = 5   # below, resamples missing the label sit high (coverage 0.90 at 3 claims)


def intervals(y_true: np.ndarray, model: np.ndarray, baseline: np.ndarray, n_labels: int,
              resamples: int = 1000, seed: int = 13) -> dict[str, list[float]]:
    """95% bootstrap intervals (percentile, claims resampled) of the model's and the baseline's
    macro-F1 and of their difference, from predicted label indices."""
    counts = np.bincount(y_true, minlength=n_labels)
    if len(y_true) < MIN_FOR_INTERVALS or counts[counts > 0].min() < MIN_LABEL_FOR_INTERVALS:
        return {"none": f"no interval: fewer than {MIN_FOR_INTERVALS} claims, or a label with fewer than "
                        f"{MIN_LABEL_FOR_INTERVALS}; resampling so few says little"}
    draws = macro_f1_resampled(y_true, [model, baseline], n_labels, resamples, seed)
    ci = lambda values: [round(float(v), 4) for v in np.percentile(values, [2.5, 97.5])]  # noqa: E731
    return {"model": ci(draws[:, 0]), "baseline": ci(draws[:, 1]), "difference": ci(draws[:, 0] - draws[:, 1])}


def fold_groups(rows: list[dict[str, Any]]) -> list[str]:
    """A group a claim for cross-validation: claims of one document, and claims with the same text in
    different documents (a syndicated copy), share one, so no text is on both sides of a fold."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = [(document_key(r, i), f"text:{text_hash(r['text'])}") for i, r in enumerate(rows)]
    for doc, text in keys:
        parent[root(doc)] = root(text)
    return [root(doc) for doc, _ in keys]


def tfidf_baseline(rows: list[dict[str, Any]], labels: list[str], folds: int = 5, seed: int = 13,
                   normalise: bool = False) -> tuple[np.ndarray, str]:
    """Out-of-fold probabilities of TF-IDF + logistic regression, and how they were cross-validated.

    Folds are stratified and hold out whole documents; with fewer documents than folds (the loop's
    first pull often comes from two or three) they hold out claims instead.
    """
    from sklearn.model_selection import KFold, StratifiedGroupKFold

    from models.data import normalise_spelling

    texts = [normalise_spelling(r["text"]) if normalise else r["text"] for r in rows]
    y = np.array([labels.index(r["label"]) for r in rows])
    groups = fold_groups(rows)
    rarest = int(np.bincount(y, minlength=len(labels)).min())
    if rarest < 2:
        # A label with one claim cannot be stratified: plain folds of claims, and the fold that holds
        # that claim trains without its label (the baseline cannot predict it there).
        plain = KFold(max(min(folds, len(rows)), 2), shuffle=True, random_state=seed).split(texts)
        return _out_of_fold(texts, y, plain, len(labels)), (
            f"{min(folds, len(rows))}-fold cross-validation on these rows by claim, not stratified: "
            f"label {labels[int(np.argmin(np.bincount(y, minlength=len(labels))))]!r} has one claim")
    folds = min(folds, rarest)
    def splits(groups: list[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        return list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(texts, y, groups))

    grouped_by, folded = "document (and repeated text)", None
    if len(set(groups)) >= folds:
        folded = splits(groups)
    # Too few documents, or documents of one label each, leave some training fold with one label:
    # the folds then hold out claims instead of documents (a repeated text still stays on one side).
    if folded is None or any(len(set(y[train_idx])) < len(labels) for train_idx, _ in folded):
        grouped_by = "claim, not document: claims of one document sit on both sides, which flatters the baseline"
        folded = splits([f"text:{text_hash(r['text'])}" for r in rows])
    return (_out_of_fold(texts, y, folded, len(labels)),
            f"{folds}-fold cross-validation on these rows, stratified by label, grouped by {grouped_by}")


def _tfidf_lr() -> Any:
    """The baseline: TF-IDF over words and word pairs, balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                         LogisticRegression(max_iter=2000, class_weight="balanced", C=10.0))


def _out_of_fold(texts: list[str], y: np.ndarray, folds: Any, n_labels: int) -> np.ndarray:
    """The baseline's probabilities of each claim from the fold that held it out; a training fold
    with a single label predicts it."""
    proba = np.zeros((len(texts), n_labels))
    for train_idx, test_idx in folds:
        present = np.unique(y[train_idx])
        if len(present) < 2:
            proba[np.ix_(test_idx, present)] = 1.0
            continue
        model = _tfidf_lr().fit([texts[i] for i in train_idx], y[train_idx])
        proba[np.ix_(test_idx, model.classes_)] = model.predict_proba([texts[i] for i in test_idx])
    return proba


def predict_rows(model: str, rows: list[dict[str, Any]], scheme: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Scheme-ordered probabilities of ``model`` (a model directory or "bootstrap") and its identity."""
    if model == "bootstrap":
        from models.bootstrap import Bootstrap

        boot = Bootstrap(scheme)
        return np.asarray(boot.predict_proba(rows)), {"model": "bootstrap", "version": boot.version}
    from models.classifier import StanceClassifier

    clf = StanceClassifier.from_pretrained(model, scheme)
    info = {"model": str(model), "version": clf.version, "trained_on": clf.model_labels}
    return clf.predict_proba(rows), info


def model_record(model: str) -> dict[str, Any]:
    """The ``claimstance.json`` of a model directory ({} for the bootstrap or an unreadable one:
    loading the model then says what is wrong)."""
    from models.classifier import CONFIG_NAME

    if model == "bootstrap":
        return {}
    try:
        record = json.loads((Path(model) / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


ERRORS_SHOWN = 30
SUMMARY_SHOWN = 52   # the model, the baseline and the 50 largest groups of a --by field


def confident_errors(rows: list[dict[str, Any]], y: np.ndarray, proba: np.ndarray, labels: list[str],
                     limit: int = ERRORS_SHOWN) -> list[dict[str, Any]]:
    """The ``limit`` misclassified claims the model was surest of: where to start reading (a label
    to correct, a cue the model over-trusts, an outlet's style it learned)."""
    pred = proba.argmax(axis=1)
    wrong = np.nonzero(pred != y)[0]
    wrong = wrong[np.argsort(-proba[wrong, pred[wrong]], kind="stable")][:limit]
    return [{"id": rows[i].get("id", rows[i].get("claim_id")), "text": rows[i]["text"], "label": labels[y[i]],
             "predicted": labels[pred[i]], "confidence": round(float(proba[i, pred[i]]), 4),
             **{k: rows[i][k] for k in ("outlet", "source_type", "speaker") if rows[i].get(k) not in (None, "")}}
            for i in wrong]


def left_out_words(trained: int, tuned: int) -> str:
    """"12 claims the model was trained on and 3 it was tuned on (...)" for reports and errors."""
    parts = []
    if trained:
        parts.append(f"{trained} claims the model was trained on")
    if tuned:
        parts.append(f"{tuned} {'it' if trained else 'the model'} was tuned on (its validation claims, "
                     "which chose its epoch and fitted its blend)")
    return " and ".join(parts)


def leave_out_trained(rows: list[dict[str, Any]], train_hashes: list[str]
                      ) -> tuple[list[dict[str, Any]], int]:
    """The rows whose text the model was not trained on, and how many were left out."""
    seen = set(train_hashes)
    kept = [r for r in rows if text_hash(r["text"]) not in seen]
    return kept, len(rows) - len(kept)


def pick_training_rows(candidates: list[dict[str, Any]], train_hashes: list[str]
                       ) -> tuple[list[dict[str, Any]], int]:
    """The rows of ``candidates`` the model was trained on (text hash in ``train_hashes``), and how
    many of its training texts ``candidates`` lacks (0: the training data is there, unchanged)."""
    wanted = set(train_hashes)
    picked = [r for r in candidates if text_hash(r["text"]) in wanted]
    return picked, len(wanted - {text_hash(r["text"]) for r in picked})


def model_training_rows(record: dict[str, Any], label_ids: list[str]
                        ) -> tuple[list[dict[str, Any]] | None, str]:
    """The claims a model was trained on, read again from its recorded training data, or None and why not."""
    hashes, where = record.get("train_hashes") or [], record.get("train_data")
    if not record:
        return None, "the bootstrap has no training claims"
    if not hashes or not where:
        return None, ("the model directory does not record its training data (models trained before "
                      "evaluate used it don't; retrain to record it)")
    if not Path(where).exists():
        return None, f"the model's training data was not found at {where}"
    try:
        # As `stance train` read it: a dataset's test split was never trained on.
        candidates, _ = test_split(load_labelled(where, label_ids))
    except UserError as err:
        return None, f"the model's training data at {where} could not be read ({err})"
    picked, missing = pick_training_rows(candidates, hashes)
    if missing:
        return None, f"{where} no longer holds {missing} of the model's {len(set(hashes))} training claims"
    if len({r["label"] for r in picked}) < 2:
        return None, f"the model's training claims in {where} hold fewer than two labels"
    return picked, ""


def fitted_baseline(train_rows: list[dict[str, Any]], rows: list[dict[str, Any]], labels: list[str],
                    normalise: bool = False) -> np.ndarray:
    """Probabilities over ``labels`` for ``rows`` of TF-IDF + logistic regression fitted on ``train_rows``.

    Fitted on every label the training rows hold; like the model's, its probabilities are
    renormalised over ``labels`` (the labels the evaluated claims hold).
    """
    from models.data import normalise_spelling

    prep = normalise_spelling if normalise else (lambda t: t)
    trained = sorted({r["label"] for r in train_rows})
    model = _tfidf_lr()
    model.fit([prep(r["text"]) for r in train_rows], [trained.index(r["label"]) for r in train_rows])
    raw = model.predict_proba([prep(r["text"]) for r in rows])
    proba = np.zeros((len(rows), len(labels)))
    for col, k in enumerate(model.classes_):
        if trained[k] in labels:
            proba[:, labels.index(trained[k])] = raw[:, col]
    total = proba.sum(axis=1, keepdims=True)
    # A claim whose probability sits wholly on labels absent here: spread evenly (no preference).
    return np.where(total > 0, proba / np.clip(total, 1e-12, None), 1.0 / len(labels))


SPLITS = ("test", "all")


def default_split(model: str) -> str:
    """"all" for the bootstrap (trained on no claim); "test" for a trained model. Its training and
    validation claims are left out by hash wherever they sit, but the rest of the train split shares
    documents with them (and holds the ties ``--exclude-ties`` left out): the test split, whose
    documents it never saw, is the fair default."""
    return "all" if model == "bootstrap" else "test"


def choose_rows(rows: list[dict[str, Any]], split: str, data: str | Path) -> tuple[list[dict[str, Any]], str]:
    """The rows to score for ``split`` ("test": a pulled dataset's test split; "all": every row) and
    which they are, in words."""
    if split not in SPLITS:
        raise UserError(f"--split {split}: expected one of {', '.join(SPLITS)}")
    _, test_rows = test_split(rows)
    splits = Counter(r.get("split") for r in rows if r.get("split"))
    if split == "test":
        if not test_rows:
            raise UserError(f"--split test: {data} has no test split (a `stance pull` dataset or its "
                            "labels.parquet has one once its documents are enough to fill one); use --split all")
        return test_rows, f"the test split of {data} ({len(test_rows)} of {len(rows)} claims)"
    if not splits:
        return rows, f"{data} ({len(rows)} claims)"
    rank = {"train": 0, "validation": 1, "test": 2}
    order = sorted(splits, key=lambda name: (rank.get(name, 3), name))
    return rows, (f"every split of {data} ({', '.join(f'{name} {splits[name]}' for name in order)}: "
                  f"{len(rows)} claims)")


def evaluate(model: str, data: str | Path, out_dir: str | Path, scheme: str | None = None,
             by: list[str] | None = None, folds: int = 5, seed: int = 13, split: str | None = None
             ) -> dict[str, Any]:
    """Score ``model`` on ``data`` without the claims it was trained or tuned on, beside a TF-IDF
    baseline; write report.json, report.md, PNGs, index.html and predictions.jsonl into ``out_dir``.

    ``split``: "test" scores a pulled dataset's test split, "all" every row; None: ``default_split``.
    """
    from corpus.files import atomic_dir, check_output_dir
    from models.schemes import load_scheme

    check_output_dir(out_dir, REPORT_FILES, REPORT_WRITTEN)
    if scheme is None:   # a model's own scheme, else the default
        from models.classifier import model_scheme

        scheme = (model_scheme(model) if model != "bootstrap" else None) or "kremlin_framing"
    scheme_obj = load_scheme(scheme)
    rows = load_labelled(data, scheme_obj.label_ids)
    if model != "bootstrap" and not Path(model).is_dir():
        raise UserError(f"{model}: no such model directory; give a directory from `stance train` or 'bootstrap'")
    record = model_record(model)
    # The test split of a pulled dataset (which `stance train` never trains on), or every split.
    if split is None:   # a trained model: the test split, when there is one
        split = default_split(model)
        if split == "test" and not test_split(rows)[1]:
            split = "all"
    rows, scored = choose_rows(rows, split, data)
    # Claims the model was trained or tuned on would flatter it: they are left out of every figure.
    rows, trained = leave_out_trained(rows, record.get("train_hashes") or [])
    rows, tuned = leave_out_trained(rows, record.get("validation_hashes") or [])
    left_out = trained + tuned
    seen = left_out_words(trained, tuned)
    if left_out and not rows:
        raise UserError(f"{data}: the model {model} was trained or tuned on every one of its claims (the "
                        f"{seen}); evaluate on held-out claims (the test split of a `stance pull` dataset, "
                        "or claims labelled after training)")
    every_row = f"every row of {scored}" + (f" except the {seen}" if left_out else "")
    if left_out:
        scored += f"; left out the {seen}"
    # Predictions are compared over the labels the data holds (a two-label data set is not scored
    # on a third label the scheme has); probabilities are renormalised over those labels.
    present = {r["label"] for r in rows}
    labels = [label for label in scheme_obj.label_ids if label in present]
    if len(labels) < 2:
        kept = f" once the {seen} are left out" if left_out else ""
        raise UserError(f"{data}: holds only the label(s) {sorted(present)}{kept}; evaluation needs two or more")
    proba_all, info = predict_rows(model, rows, scheme_obj)
    scheme_ids = list(scheme_obj.label_ids)
    elsewhere = Counter(scheme_ids[i] for i in np.asarray(proba_all).argmax(axis=1) if scheme_ids[i] not in present)
    cols = [scheme_ids.index(label) for label in labels]
    proba = proba_all[:, cols]
    proba = proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)
    y = np.array([labels.index(r["label"]) for r in rows])
    train_rows, why_not = model_training_rows(record, scheme_obj.label_ids)
    if train_rows is not None:
        baseline = fitted_baseline(train_rows, rows, labels, normalise=bool(record.get("normalise_spelling")))
        baseline_how = f"trained on the model's {len(train_rows)} training claims"
        protocol = (f"{baseline_how} (read again from {record['train_data']}), scored on the same "
                    f"{len(rows)} claims as the model")
    else:
        baseline, folded = tfidf_baseline(rows, labels, folds, seed, normalise=bool(record.get("normalise_spelling")))
        baseline_how = f"cross-validated within the evaluation data ({why_not})"
        protocol = f"cross-validated within the evaluation data: {folded}, seed {seed} ({why_not})"
    report: dict[str, Any] = {
        **info, "data": str(data), "scored": scored, "split": split, "scheme": scheme_obj.name, "labels": labels, "n": len(rows),
        "rows_seen_in_training": trained, "rows_seen_in_validation": tuned,
        "left_out": f"left out the {seen}" if left_out else "",
        "baseline_kind": "training_claims" if train_rows is not None else "cross_validation",
        "baseline_how": baseline_how,
        "label_counts": dict(Counter(r["label"] for r in rows)),
        "protocol": (f"model: scored as given on {every_row} (argmax over the labels present in the data). "
                     f"baseline: TF-IDF (1-2 grams) + logistic regression, {protocol}. "
                     "Breakdowns by a metadata field average F1 over the labels present in each group, so "
                     f"they do not compare with the overall figure; groups of fewer than {FEW} claims are "
                     "marked (few claims). ECE, the expected calibration error: how far the model's "
                     "confidence (its top probability, renormalised over the labels present) is from its "
                     "accuracy, over 10 equal-width bins of confidence weighted by their claims (0 is perfect)."),
        "overall": score(y, proba, labels),
    }
    raw_accuracy = float(np.mean([scheme_ids[i] == r["label"] for i, r in zip(np.asarray(proba_all).argmax(axis=1), rows)]))
    report["accuracy_as_predicted"] = round(raw_accuracy, 4)
    if elsewhere:
        # Said plainly: the pull report, which compares raw pre-labels, counts these as disagreements.
        report["note"] = (f"{sum(elsewhere.values())} of {len(rows)} claims were predicted "
                          + ", ".join(f"{label!r} ({n})" for label, n in elsewhere.items())
                          + ", a label no claim here has; scored over the labels present, each counts as its "
                          "most probable present label. As predicted, over every label of the scheme, "
                          f"accuracy is {raw_accuracy:.3f}")
    if any(r.get("source_type") not in (None, "") for r in rows) and (
            model == "bootstrap" or "source_type" in ((record.get("blend") or {}).get("cue_votes") or {})
            or (record.get("blend") or {}).get("domain")):   # claims the gate hands to the bootstrap
        # Said plainly: the metadata labeller votes the label a source's type stands for.
        report["source_type_note"] = ("the model reads each claim's source_type as evidence (the bootstrap's "
                                      "source_type labeller, a distant label for the voice that speaks for the "
                                      "document): where the labels follow the source type, these figures "
                                      "measure that as much as the text")
    absent = [label for label in (info.get("trained_on") or scheme_obj.label_ids)
              if label not in present and label != scheme_obj.neutral]   # data with no neutral claim is common
    if absent:
        # Said plainly: the model cannot be wrong toward a label no scored claim has, nor shown right on it.
        report["absent_note"] = (f"no claim scored here is labelled {' or '.join(map(repr, absent))}, a label the "
                                 f"model predicts: the figures cover {', '.join(labels)} only, and a claim "
                                 "predicted as an absent label counts as its most probable present one")
    ties = sum(1 for r in rows if is_tie(r))
    if ties:
        report["ties_note"] = (f"{ties} of the {len(rows)} claims scored are ties between annotators, resolved to "
                               "whoever labelled last (rule 'tie->latest'): their label is one of the tied ones, "
                               "not a decision; `--by rule` shows their figures apart")
    shown = sorted({str(r["prelabel_version"]) for r in rows if r.get("prelabel_version")})
    if shown:
        # Labels corrected from a pre-selected pre-label lean towards it (anchoring).
        own = report.get("version") in shown
        report["anchoring_note"] = (
            f"these labels were made by annotators who saw a pre-label already selected ({', '.join(shown)})"
            + ("; this model made some of them, so its figures here are inflated by that anchoring: "
               "judge it on claims labelled without its pre-labels" if own else
               "; a model that agrees with those pre-labels is favoured by that anchoring"))
    report["baseline"] = score(y, baseline, labels)
    report["intervals"] = intervals(y, proba.argmax(axis=1), np.asarray(baseline).argmax(axis=1), len(labels))
    report["errors"] = confident_errors(rows, y, proba, labels)
    fields = by if by is not None else [f for f in BY_DEFAULT if any(f in r for r in rows)]
    report["by"] = {}
    for field in fields:
        if not any(field in r for r in rows):
            raise UserError(f"--by {field}: no row of {data} has that field")
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            value = r.get(field)
            groups.setdefault("(none)" if value in (None, "") else str(value), []).append(i)
        report["by"][field] = {value: score(y[idx], proba[idx], labels, support_only=True)
                               for value, idx in sorted(groups.items(), key=lambda kv: -len(kv[1]))}
    with atomic_dir(out_dir, REPORT_FILES, REPORT_WRITTEN) as tmp:
        _plots(report, tmp)
        (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "report.md").write_text(markdown(report), encoding="utf-8")
        (tmp / "index.html").write_text(render_html(report), encoding="utf-8")
        with (tmp / "predictions.jsonl").open("w", encoding="utf-8") as handle:
            # What the model said (over every label of the scheme), and what it was scored as.
            for r, p_all, p in zip(rows, np.asarray(proba_all), proba):
                extra = {k: r[k] for k in ("claim_id", "doc_id", "outlet", "source_type", "speaker")
                         if r.get(k) not in (None, "")}
                handle.write(json.dumps({"id": r.get("id", r.get("claim_id")), **extra, "text": r["text"],
                                         "label": r["label"], "model_version": report.get("version"),
                                         "prediction": scheme_ids[int(p_all.argmax())],
                                         "probs": {lab: round(float(v), 4) for lab, v in zip(scheme_ids, p_all)},
                                         "scored_as": labels[int(p.argmax())]},
                                        ensure_ascii=False) + "\n")
    report["out_dir"] = str(out_dir)
    return report


def _plots(report: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = report["labels"]
    for name, part in (("confusion", report["overall"]), ("confusion_baseline", report["baseline"])):
        fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(labels), 1.2 + 1.2 * len(labels)))
        matrix = np.array(part["confusion"])
        ax.imshow(matrix, cmap="Blues")
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(j, i, str(v), ha="center", va="center",
                    color="white" if v > matrix.max() / 2 else "black")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{'model' if name == 'confusion' else 'TF-IDF baseline'}: macro-F1 {part['macro_f1']:.3f}",
                     fontsize=9)
        fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=110)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    for name, part in (("model", report["overall"]), ("TF-IDF baseline", report["baseline"])):
        bins = part["reliability"]
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-",
                label=f"{name} (ECE {part['ece']:.3f})")
        if name == "model":  # how many claims each point stands for: a bin of 2 says little
            for b in bins:
                ax.annotate(str(b["count"]), (b["confidence"], b["accuracy"]), textcoords="offset points",
                            xytext=(0, 6), ha="center", fontsize=7, color="#1f4e79")
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("reliability (numbers: the model's claims per bin)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "reliability.png", dpi=110)
    plt.close(fig)


def baseline_name(report: dict[str, Any]) -> str:
    """The baseline's line in the summary: how it was fitted, in a few characters."""
    return "TF-IDF+LR (CV)" if report.get("baseline_kind", "cross_validation") == "cross_validation" \
        else "TF-IDF+LR (model's train)"


def summary_table(report: dict[str, Any]) -> list[tuple[str, int, float, float, float]]:
    """(name, n, macro-F1, accuracy, ECE) lines: the model, the baseline, then each metadata value."""
    lines = [("model", report["n"], report["overall"]["macro_f1"], report["overall"]["accuracy"],
              report["overall"]["ece"]),
             (baseline_name(report), report["n"], report["baseline"]["macro_f1"], report["baseline"]["accuracy"],
              report["baseline"]["ece"])]
    for field, values in report["by"].items():
        for value, part in values.items():
            few = " (few claims)" if part["n"] < FEW else ""
            lines.append((f"{field}={value}{few}", part["n"], part["macro_f1"], part["accuracy"], part["ece"]))
    return lines


NAME_WIDTH = 60   # the terminal table's first column at most; longer names wrap at spaces


def terminal_table(lines: list[tuple[str, int, float, float, float]], max_width: int = NAME_WIDTH) -> list[str]:
    """``summary_table`` lines as text, a header first: the name column as wide as the longest name
    (up to ``max_width``); a longer name wraps between words, and "(few claims)" is never split."""
    import textwrap

    few = " (few claims)"
    width = max([len(name) for name, *_ in lines] + [10])
    width = min(width, max_width)
    out = [f"{'':{width}} {'n':>5} {'macro-F1':>9} {'accuracy':>9} {'ECE':>6}"]
    for name, n, f1, acc, ece in lines:
        glued = name.replace(few, few.replace(" ", "\u00a0"))   # textwrap never breaks at a no-break space
        parts = [part.replace("\u00a0", " ") for part in
                 textwrap.wrap(glued, width, break_on_hyphens=False)] or [""]
        out += parts[:-1]
        out.append(f"{parts[-1]:{width}} {n:>5} {f1:>9.3f} {acc:>9.3f} {ece:>6.3f}")
    return out


NOTE_KEYS = ("note", "absent_note", "source_type_note", "ties_note", "anchoring_note")


def notes(report: dict[str, Any]) -> list[str]:
    """The report's notes (predicted labels absent here, source_type read as evidence, ties, anchoring)."""
    return [report[key] for key in NOTE_KEYS if report.get(key)]


def interval_sentence(report: dict[str, Any]) -> str:
    """The 95% intervals in words; empty without them."""
    ci = report.get("intervals") or {}
    if not ci:
        return ""
    if "none" in ci:
        return str(ci["none"])
    show = lambda pair: f"{pair[0]:.3f} to {pair[1]:.3f}"  # noqa: E731
    return (f"95% intervals of macro-F1 (1,000 bootstrap resamples of the {report['n']} claims): model "
            f"{show(ci['model'])}, baseline {show(ci['baseline'])}, model minus baseline {show(ci['difference'])}")


def markdown(report: dict[str, Any]) -> str:
    """report.md: the same figures as a Markdown page; every text from the data escaped (``markdown_text``)."""
    m = markdown_text
    labels = [m(label) for label in report["labels"]]
    out = [f"# Evaluation of {m(report['model'])} ({m(report['version'])})", "",
           f"Data: {m(report['data'])}, {report['n']} claims; scheme {m(report['scheme'])}.", "",
           f"Protocol: {m(report['protocol'])}", ""]
    if report.get("left_out"):
        out += [f"{m(report['left_out'].capitalize())}: every figure here is on the other {report['n']}.", ""]
    if report.get("baseline_how"):
        out += [f"TF-IDF baseline: {m(report['baseline_how'])}.", ""]
    out += [f"Note: {m(note)}.\n" for note in notes(report)]
    if report.get("intervals"):
        out += [m(interval_sentence(report)) + ".", ""]
    out += ["| | n | macro-F1 | accuracy | ECE |", "|---|---:|---:|---:|---:|"]
    out += [f"| {m(name)} | {n} | {f1:.3f} | {acc:.3f} | {ece:.3f} |" for name, n, f1, acc, ece in summary_table(report)]
    for title, part in (("Model", report["overall"]), ("TF-IDF baseline", report["baseline"])):
        out += ["", f"## {title}: per label", "", "| label | precision | recall | F1 | support |",
                "|---|---:|---:|---:|---:|"]
        out += [f"| {m(k)} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
                for k, v in part["per_label"].items()]
        out += ["", "Confusion (rows true, columns predicted):", "",
                "| | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
        out += [f"| {labels[i]} | " + " | ".join(str(v) for v in row) + " |" for i, row in enumerate(part["confusion"])]
    return "\n".join(out) + "\n"


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page showing the figures and tables; every text shown is escaped."""
    e = html_text
    lines = summary_table(report)
    rows = "".join(f"<tr><td>{e(name)}</td><td>{n}</td><td>{f1:.3f}</td><td>{acc:.3f}</td><td>{ece:.3f}</td></tr>"
                   for name, n, f1, acc, ece in lines[:SUMMARY_SHOWN])
    if len(lines) > SUMMARY_SHOWN:
        rows += (f'<tr><td colspan="5">{len(lines) - SUMMARY_SHOWN} more groups, the smallest: in report.md and '
                 "report.json</td></tr>")
    labels = report["labels"]
    per_label = "".join(
        f"<tr><td>{e(k)}</td><td>{v['precision']:.3f}</td><td>{v['recall']:.3f}</td><td>{v['f1']:.3f}</td>"
        f"<td>{v['support']}</td></tr>" for k, v in report["overall"]["per_label"].items())
    confusion = "".join(f"<tr><th>{e(labels[i])}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                        for i, row in enumerate(report["overall"]["confusion"]))
    wrong = report.get("errors") or []
    errors = ("<p>None: every claim was scored as its label.</p>" if not wrong else
              f"<p>The {len(wrong)} misclassified claims with the highest confidence (all are in predictions.jsonl).</p>"
              "<table><tr><th>claim</th><th>label</th><th>predicted</th><th>confidence</th><th>source</th></tr>"
              + "".join(f"<tr><td style=\"text-align:left\">{e(w['text'])}</td><td>{e(w['label'])}</td>"
                        f"<td>{e(w['predicted'])}</td><td>{w['confidence']:.2f}</td>"
                        f"<td>{e(w.get('outlet') or w.get('source_type') or '')}</td></tr>" for w in wrong)
              + "</table>")
    warning = ""
    if report.get("left_out"):
        warning = f"<p>{e(report['left_out'].capitalize())}: every figure here is on the other {report['n']}.</p>"
    if report.get("baseline_how"):
        warning += f"<p>TF-IDF baseline: {e(report['baseline_how'])}.</p>"
    warning += "".join(f"<p><b>Note:</b> {e(note)}.</p>" for note in notes(report))
    if report.get("intervals"):
        warning += f"<p>{e(interval_sentence(report))}.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>Evaluation: {e(report['model'])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.warn{{color:#a00;font-weight:bold}}img{{max-width:100%}}</style></head>
<body><h1>Evaluation of {e(report['model'])}</h1>
<p>Version {e(report['version'])}; data {e(report['data'])} ({report['n']} claims); scheme {e(report['scheme'])}.</p>
<p>{e(report['protocol'])}</p>{warning}
<h2>Summary</h2><table><tr><th></th><th>n</th><th>macro-F1</th><th>accuracy</th><th>ECE</th></tr>{rows}</table>
<h2>Per label (model)</h2><table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{per_label}</table>
<h2>Confusion (rows true, columns predicted)</h2><table><tr><th></th>{''.join(f'<th>{e(x)}</th>' for x in labels)}</tr>{confusion}</table>
<img src="confusion.png" alt="confusion matrix of the model"> <img src="confusion_baseline.png" alt="confusion matrix of the TF-IDF baseline">
<h2>Calibration</h2><img src="reliability.png" alt="reliability plot">
<h2>Errors the model was surest of</h2>{errors}
</body></html>
"""
