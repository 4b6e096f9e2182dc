"""The figures of ``stance evaluate``: macro-F1, per-label P/R/F1, confusion, calibration (ECE),
bootstrap intervals of macro-F1, and the TF-IDF + logistic regression baseline (cross-validated
within the evaluation data, or fitted on a model's training claims). Arrays in, numbers out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.data import document_key, text_hash

ECE_BINS = 10


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
    by_text = [f"text:{text_hash(r['text'])}" for r in rows]
    if rarest < 2 or len(set(by_text)) < 2:
        # A label with one claim cannot be stratified (nor claims that are all one text grouped): plain
        # folds of claims, and the fold that holds that claim trains without its label (the baseline
        # cannot predict it there).
        plain = KFold(max(min(folds, len(rows)), 2), shuffle=True, random_state=seed).split(texts)
        why = (f"label {labels[int(np.argmin(np.bincount(y, minlength=len(labels))))]!r} has one claim" if rarest < 2
               else "every claim has the same text")
        return _out_of_fold(texts, y, plain, len(labels)), (
            f"{max(min(folds, len(rows)), 2)}-fold cross-validation on these rows by claim, not stratified: {why}")
    # No more folds than distinct texts: copies of one text stay in one fold (5 copies each of two
    # texts had raised scikit-learn's "n_splits=5 greater than the number of groups: 2").
    folds = min(folds, rarest, len(set(by_text)))
    def splits(groups: list[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        return list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(texts, y, groups))

    grouped_by, folded = "document (and repeated text)", None
    if len(set(groups)) >= folds:
        folded = splits(groups)
    # Too few documents, or documents of one label each, leave some training fold with one label:
    # the folds then hold out claims instead of documents (a repeated text still stays on one side).
    if folded is None or any(len(set(y[train_idx])) < len(labels) for train_idx, _ in folded):
        grouped_by = "claim, not document: claims of one document sit on both sides, which flatters the baseline"
        folded = splits(by_text)
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
