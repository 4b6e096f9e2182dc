"""Fitting the blend of a fine-tuned network with the bootstrap, on the training and validation splits.

The temperature, the bootstrap's weight in domain, the domain gate (training claims against the
anchors of ``gate_anchors``) and the cue votes (the bootstrap's row-wise labellers weighted by their
log-odds of being right on the training claims). ``fit_blend`` returns the ``blend`` record of a
model's claimstance.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from models.classifier import StanceClassifier, blend, in_domain_probability, named_source, softmax
from models.finetune import TrainSettings, macro_f1

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sample"


def _scheme_anchors(scheme: Any) -> list[str]:
    """The descriptions and example claims of ``scheme`` and of every bundled scheme."""
    from models.schemes import SCHEME_DIR, load_scheme

    schemes = [scheme] + [load_scheme(str(p)) for p in sorted(SCHEME_DIR.glob("*.yaml"))
                          if p.stem != getattr(scheme, "name", None)]
    return ([label.description for s in schemes for label in s.labels]
            + [ex for s in schemes for label in s.labels for ex in label.examples])


def _sample_sentences() -> list[str]:
    """The sentences of four words or more of the bundled sample corpus."""
    from corpus.sentences import split_sentences

    out = []
    for path in sorted(SAMPLE_CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text[a:b] for a, b in split_sentences(text) if len(text[a:b].split()) >= 4]
    return out


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def gate_anchors(scheme: Any, background: bool = True) -> list[str]:
    """Claims "not written like the training data" for the domain gate: the descriptions and example
    claims of ``scheme`` and of every bundled scheme, and the sentences of the bundled sample corpus."""
    return _unique(_scheme_anchors(scheme) + (_sample_sentences() if background else []))


def anchors_for(scheme: Any, train_rows: list[dict[str, Any]], background: bool = True) -> list[str]:
    """``gate_anchors``, without the sample corpus's sentences when the training claims come from it
    (a tenth of them, three at least): they are not "written elsewhere" then (the README's walkthrough
    trains on that corpus), and as anchors they would teach the gate to distrust the network on the
    very claims it learnt."""
    plain = _scheme_anchors(scheme)
    if not background:
        return _unique(plain)
    sample = _sample_sentences()
    own = {" ".join(a.split()) for a in set(_unique(sample)) - set(_unique(plain))}
    shared = sum(" ".join(str(r["text"]).split()) in own for r in train_rows)
    if shared >= max(3, 0.1 * len(train_rows)):   # a tenth of them, not one sentence quoted by chance
        return _unique(plain)
    return _unique(plain + sample)


def fit_domain_gate(clf: StanceClassifier, train_rows: list[dict[str, Any]], settings: TrainSettings
                    ) -> dict[str, Any] | None:
    """Logistic regression on sentence embeddings (``settings.gate_space``) and hashed words:
    training claims (1) against the anchors of ``gate_anchors`` (0), i.e. "written like the
    training data" against "written like a claim elsewhere"."""
    from sklearn.linear_model import LogisticRegression

    if len(clf.scheme.labels) + sum(len(label.examples) for label in clf.scheme.labels) < 10:
        return None  # too few examples to tell styles apart: the fine-tuned model always leads
    anchors = anchors_for(clf.scheme, train_rows, settings.gate_background)
    texts = [r["text"] for r in train_rows] + anchors
    if settings.gate_space == "classifier":
        emb = clf.outputs(texts)[1]
    else:
        emb = clf.bootstrap.encoder.encode(texts)
    if settings.gate_words > 0:
        from models.end_model import word_features
        from scipy import sparse

        emb = sparse.hstack([sparse.csr_matrix(emb), word_features(texts, settings.gate_words)], format="csr")
    y = np.r_[np.ones(len(train_rows)), np.zeros(len(anchors))]
    model = LogisticRegression(C=settings.domain_c, class_weight="balanced", max_iter=5000).fit(emb, y)
    return {"coef": [round(float(c), 6) for c in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 6),
            "words": settings.gate_words, "gate_low": 0.0, "gate_high": settings.gate_high,
            "anchors": len(anchors), "space": settings.gate_space}


def calibrate_gate(domain: dict[str, Any], val_embeddings: np.ndarray, settings: TrainSettings,
                   val_texts: list[str] | None = None) -> dict[str, Any]:
    """Thresholds of the gate: the network's share is full at ``gate_high`` (by default even odds) and
    reaches 0 at ``gate_low``. With ``gate_quantile`` > 0, ``gate_high`` is lowered until all but that
    share of the held-out in-domain claims count as fully in domain (noisy on a small validation split)."""
    high = settings.gate_high
    if settings.gate_quantile > 0:
        p_in = in_domain_probability(val_embeddings, domain, val_texts)
        high = min(high, float(np.quantile(p_in, settings.gate_quantile)))
    return {**domain, "gate_high": round(high, 4), "gate_low": round(high * settings.gate_low_fraction, 4)}


def seen_source_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many of ``rows`` each named source has (``named_source``; rows naming none are not
    counted), most first: names and counts only, for the seen-sources rule."""
    from collections import Counter

    counts = Counter(name for name in map(named_source, rows) if name)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# Below this many validation claims a 0.05 difference is one or two claims (training's notes use the same
# bar, models.training.MIN_VALIDATION_TO_TRUST): whether the network learnt its sources is not measured.
MIN_VALIDATION_FOR_SEEN_SOURCES = 30


def seen_sources_decision(without: dict[float, float], with_rule: dict[float, float], n_validation: int,
                          n_seen: int) -> dict[str, Any]:
    """Whether the seen-sources rule applies, decided at training on the validation claims: only with
    ``MIN_VALIDATION_FOR_SEEN_SOURCES`` of them or more, and only when the blend with the rule scores
    at least as well there as the gate alone (best bootstrap weight each). A network trained on a few
    dozen claims can be weaker than the bootstrap on its own sources; the gate's hand-over then helps."""
    on, off = max(with_rule.values()), max(without.values())
    applied = n_validation >= MIN_VALIDATION_FOR_SEEN_SOURCES and on >= off - 1e-9
    if n_validation < MIN_VALIDATION_FOR_SEEN_SOURCES:
        why = f"off: {n_validation} validation claims, fewer than {MIN_VALIDATION_FOR_SEEN_SOURCES}"
    else:
        why = (f"{'on' if applied else 'off'}: validation macro-F1 {on:.4f} with the rule, {off:.4f} without "
               f"({n_seen} of {n_validation} validation claims from seen sources)")
    return {"applied": applied, "validation_f1_with_rule": round(on, 4), "validation_f1_without": round(off, 4),
            "validation_claims_from_seen_sources": n_seen, "decision": why}


def cue_vote_weights(labellers: list[Any], matrix: np.ndarray, gold: list[str], scheme_labels: list[str],
                     model_labels: list[str], min_fired: int = 5) -> dict[str, dict[str, float]]:
    """Per row-wise labeller: how often it fires on the training claims (on one of the model's
    labels), how often it is right, and its weight ``log(a (K - 1) / (1 - a))`` with ``a`` the
    Laplace-smoothed accuracy over K model labels; rare or no-better-than-chance labellers get none."""
    from models.labellers import accuracy_weight

    k = len(model_labels)
    known = [scheme_labels.index(label) for label in model_labels]
    gold_index = np.array([scheme_labels.index(g) for g in gold])
    out: dict[str, dict[str, float]] = {}
    for j, labeller in enumerate(labellers):
        on = np.isin(matrix[:, j], known)
        fired = int(on.sum())
        if fired < min_fired:
            continue
        accuracy = (int((matrix[on, j] == gold_index[on]).sum()) + 1) / (fired + k)
        weight = float(accuracy_weight(accuracy, k))
        if weight > 0:
            out[labeller.name] = {"fired": fired, "accuracy": round(accuracy, 4), "weight": round(weight, 4)}
    return out


# The network's mean top probability within this share of the way from uniform (1 / labels) to 1
# counts as near-uniform: 0.1 above uniform for three labels (0.433), 0.075 for two (0.575).
NEAR_UNIFORM_SHARE = 0.15


def is_flat(blend: dict[str, Any], n_labels: int) -> bool:
    """The network's probabilities are near-uniform after its fitted temperature (it decides nothing)."""
    top = blend.get("validation_mean_top_probability")
    return top is not None and top < 1 / n_labels + NEAR_UNIFORM_SHARE * (1 - 1 / n_labels)


def fit_blend(clf: StanceClassifier, train_rows: list[dict[str, Any]], val_rows: list[dict[str, Any]],
              settings: TrainSettings) -> dict[str, Any]:
    """Temperature, domain gate and bootstrap weight: the gate from the training split, the rest from
    the validation split."""
    labels = clf.model_labels
    y_val = np.array([labels.index(r["label"]) for r in val_rows])
    logits, val_features = clf.outputs([r["text"] for r in val_rows])
    # Temperature: the one that minimises validation log-loss (fine-tuned models are over-confident).
    temps = np.geomspace(0.5, 20, 60)
    nll = [-np.log(softmax(logits / t)[np.arange(len(y_val)), y_val] + 1e-12).mean() for t in temps]
    temperature = float(temps[int(np.argmin(nll))])
    out: dict[str, Any] = {"enabled": settings.blend, "temperature": round(temperature, 4), "bootstrap_weight": 0.0,
                           # How far the temperature flattens the network (1 / labels: uniform): read by the notes.
                           "validation_mean_top_probability": round(float(softmax(logits / temperature).max(1).mean()), 4)}
    if not settings.blend:
        return out
    clf.config["blend"] = out  # read by the classifier's cue_logits and domain_gate below
    # A network the temperature leaves near-uniform learnt nothing the validation claims show: with the
    # domain gate on, every claim goes to the bootstrap (the cue votes alone, which decided in its
    # place, scored below the bootstrap on a researcher's first pulls: 0.54 against 0.64 over 73 claims).
    out["network_flat"] = bool(settings.domain_gate and is_flat(out, len(labels)))
    if settings.cue_votes:
        out["cue_votes"] = cue_vote_weights(clf.bootstrap.labellers, clf.bootstrap.apply(train_rows),
                                            [r["label"] for r in train_rows], clf.scheme.label_ids, labels,
                                            settings.cue_votes_min_fired)
    z_val = logits / temperature + (clf.cue_logits(val_rows) if settings.cue_votes else 0.0)
    domain = fit_domain_gate(clf, train_rows, settings) if settings.domain_gate else None
    if domain is not None:
        val_emb = val_features if settings.gate_space == "classifier" else clf.bootstrap.embed(val_rows)
        domain = calibrate_gate(domain, val_emb, settings, [r["text"] for r in val_rows])
    out["domain"] = domain
    g = clf.domain_gate(val_rows, val_features)
    p_model = softmax(z_val)
    p_boot = clf.bootstrap_proba(val_rows)
    known = np.array([clf.labels.index(label) for label in labels])

    def f1_by_weight(g: np.ndarray) -> dict[float, float]:
        return {w: macro_f1(y_val, blend(p_model, p_boot, known, g, w)[:, known].argmax(1), len(labels))
                for w in settings.bootstrap_weights}

    if domain is not None and settings.seen_source_min > 0 and out["network_flat"]:
        out["seen_sources"] = {"min_claims": settings.seen_source_min, "applied": False,
                               "claims": seen_source_counts(train_rows + val_rows),
                               "decision": "off: the network is near-uniform, so every claim goes to the bootstrap"}
    elif domain is not None and settings.seen_source_min > 0:
        out["seen_sources"] = seen = {"min_claims": settings.seen_source_min,
                                      "claims": seen_source_counts(train_rows + val_rows)}
        g_seen = clf.domain_gate(val_rows, val_features)
        seen.update(seen_sources_decision(f1_by_weight(g), f1_by_weight(g_seen), len(val_rows),
                                          int(clf.seen_source(val_rows).sum())))
        if seen["applied"]:
            g = g_seen   # w is fitted as the blend will predict
    # The bootstrap's weight in domain: the best validation macro-F1; ties go to the larger weight.
    scores = f1_by_weight(g)
    best = max(scores.values())
    chosen = max(w for w, s in scores.items() if s >= best - 1e-9)
    out["validation_mean_top_probability_blend"] = round(float(
        blend(p_model, p_boot, known, g, chosen).max(1).mean()), 4)   # over the scheme's labels
    out.update(bootstrap_weight=chosen,
               validation_f1_by_weight={str(w): round(s, 4) for w, s in scores.items()},
               validation_f1_model_alone=round(macro_f1(y_val, logits.argmax(1), len(labels)), 4),
               validation_f1_with_cue_votes=round(macro_f1(y_val, z_val.argmax(1), len(labels)), 4),
               validation_f1_bootstrap_alone=round(macro_f1(y_val, p_boot[:, known].argmax(1), len(labels)), 4),
               validation_gate_mean=round(float(g.mean()), 4),
               validation_fully_in_domain=round(float((g >= 1).mean()), 4))
    return out

