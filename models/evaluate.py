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

import difflib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from corpus.records import UNKNOWN_SOURCE, source_name
from models.model_dir import model_config
from models.data import document_hashes, is_tie, load_labelled, test_split, text_hash
from models.evaluation_report import FEW, markdown, render_html, write_plots
from models.metrics import MIN_FOR_INTERVALS, fitted_baseline, intervals, score, tfidf_baseline
from models.provenance import DEFAULT_SCHEME

BY_DEFAULT = ("outlet", "source_type", "speaker", "source", "voice")
REPORT_FILES = ("report.json", "index.html")   # an earlier report, which a new one may replace
REPORT_WRITTEN = ("report.md", "predictions.jsonl", "*.png")   # and what else it holds


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


# The bootstrap this far ahead of a trained model, and evaluate says to stay with it (train's margin).
BOOTSTRAP_MARGIN = 0.05


def bootstrap_proba(rows: list[dict[str, Any]], scheme: Any, cols: list[int]) -> np.ndarray:
    """The bootstrap's probabilities over the scheme columns ``cols`` (the labels present), renormalised."""
    from models.bootstrap import Bootstrap

    proba = np.asarray(Bootstrap(scheme).predict_proba(rows))[:, cols]
    return proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)


ERRORS_SHOWN = 30


def confident_errors(rows: list[dict[str, Any]], y: np.ndarray, proba: np.ndarray, labels: list[str],
                     limit: int = ERRORS_SHOWN) -> list[dict[str, Any]]:
    """The ``limit`` misclassified claims the model was surest of: where to start reading (a label
    to correct, a cue the model over-trusts, an outlet's style it learned)."""
    pred = proba.argmax(axis=1)
    wrong = np.nonzero(pred != y)[0]
    wrong = wrong[np.argsort(-proba[wrong, pred[wrong]], kind="stable")][:limit]
    return [{"id": rows[i].get("id", rows[i].get("claim_id")), "text": rows[i]["text"], "label": labels[y[i]],
             "predicted": labels[pred[i]], "confidence": round(float(proba[i, pred[i]]), 4),
             **{k: rows[i][k] for k in ("outlet", "source_type", "speaker") if rows[i].get(k) not in (None, "")},
             "source": _source(rows[i])}
            for i in wrong]


def _source(row: dict[str, Any]) -> str:
    """What the errors table names as a claim's source: ``source_name``'s outlet, author, platform,
    site or file, else the row's source type (a bare document id or "unknown source" says nothing)."""
    return _named(row) or str(row.get("source_type") or "")


def _named(row: dict[str, Any]) -> str | None:
    """A claim's source by ``source_name`` (outlet, author and platform, site, title or file); None
    when its metadata names none (a bare document id or "unknown source")."""
    name = source_name(row)
    return None if name in (UNKNOWN_SOURCE, str(row.get("doc_id"))) else name


def _members(value: Any) -> list[Any]:
    """The group names one row's value of a ``--by`` field stands for: each member of a list (a
    claim's ``annotators``), once; the value itself otherwise."""
    if isinstance(value, (list, tuple, set, frozenset)) or (hasattr(value, "tolist") and hasattr(value, "ndim")
                                                            and getattr(value, "ndim", 0) > 0):
        members = list(value.tolist() if hasattr(value, "tolist") else value)
        return list(dict.fromkeys(str(m) if isinstance(m, (dict, list)) else m for m in members))
    return [value]


def group_rows(rows: list[dict[str, Any]], field: str, value_of: Any = None) -> dict[str, list[int]]:
    """The indices of ``rows`` in each group of ``field`` (``value_of(row)`` instead of the field when
    given): a row without the field (None, "", an empty list) in "(no FIELD)"; a row whose value is a
    list (``annotators``: ["alice", "bob"]) in the group of each member, so groups may overlap."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        value = value_of(r) if value_of is not None else r.get(field)
        members = [m for m in _members(value) if m not in (None, "")]
        for member in members or [None]:
            groups.setdefault(f"(no {field})" if member is None else str(member), []).append(i)
    return groups


def overlap_note(field: str, n: int, groups: dict[str, list[int]]) -> str:
    """What to know of a field whose groups overlap (a list-valued field): empty when they do not."""
    total = sum(len(idx) for idx in groups.values())
    if total == n:
        return ""
    note = (f"--by {field}: a claim with several {field} counts under each ({n} claims, {total} places in "
            f"{len(groups)} groups, as a multi-label breakdown counts them): the groups overlap, so their sizes add "
            "up to more than the claims scored; the overall figures count each claim once")
    if field == "annotators":
        note += (", and each group scores the model against the resolved label of the claims that annotator "
                 "labelled, not against their own label (`--data annotations.jsonl --by annotator` does that)")
    return note


def leave_out_seen(rows: list[dict[str, Any]], record: dict[str, Any]) -> tuple[list[dict[str, Any]], int, int]:
    """The rows whose text the model was neither trained nor tuned on, and how many of each were left out."""
    rows, trained = leave_out_trained(rows, record.get("train_hashes") or [])
    rows, tuned = leave_out_trained(rows, record.get("validation_hashes") or [])
    return rows, trained, tuned


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
        # Every split: rows are picked by the hashes of the texts trained on, and a later pull of the
        # same project may have moved a trained-on document into its test split (under 30 documents).
        candidates = load_labelled(where, label_ids)
    except UserError as err:
        return None, f"the model's training data at {where} could not be read ({err})"
    picked, missing = pick_training_rows(candidates, hashes)
    if missing:
        return None, f"{where} no longer holds {missing} of the model's {len(set(hashes))} training claims"
    if len({r["label"] for r in picked}) < 2:
        return None, f"the model's training claims in {where} hold fewer than two labels"
    return picked, ""


SPLITS = ("test", "all")


def default_split(model: str) -> str:
    """"all" for the bootstrap (trained on no claim); "test" for a trained model. Its training and
    validation claims are left out by hash wherever they sit, but the rest of the train split shares
    documents with them (and holds the ties ``--exclude-ties`` left out): the test split, whose
    documents it never saw, is the fair default."""
    return "all" if model == "bootstrap" else "test"


def rows_in_words(rows: list[dict[str, Any]]) -> str:
    """How many rows are scored, in words: "5 claims", or "5 annotations of 3 claims" when rows repeat
    a claim (``annotations.jsonl`` of `stance pull`: one row per annotator of a claim)."""
    ids = [row.get("claim_id") for row in rows]
    distinct = len(set(ids))
    if None not in ids and distinct < len(rows):
        return f"{len(rows)} annotations of {distinct} claims"
    return f"{len(rows)} claims"


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
        return rows, f"{data} ({rows_in_words(rows)})"
    rank = {"train": 0, "validation": 1, "test": 2}
    order = sorted(splits, key=lambda name: (rank.get(name, 3), name))
    return rows, (f"every split of {data} ({', '.join(f'{name} {splits[name]}' for name in order)}: "
                  f"{rows_in_words(rows)})")


def evaluate(model: str, data: str | Path, out_dir: str | Path, scheme: str | None = None,
             by: list[str] | None = None, folds: int = 5, seed: int = 13, split: str | None = None
             ) -> dict[str, Any]:
    """Score ``model`` on ``data`` without the claims it was trained or tuned on, beside a TF-IDF
    baseline; write report.json, report.md, PNGs, index.html and predictions.jsonl into ``out_dir``.

    ``split``: "test" scores a pulled dataset's test split, "all" every row; None: ``default_split``.
    """
    from corpus.files import atomic_dir, check_output_dir, check_writable, write_jsonl
    from models.schemes import load_scheme

    check_output_dir(out_dir, REPORT_FILES, REPORT_WRITTEN)
    check_writable(out_dir)   # a read-only folder: refused now, not after the model has scored every claim
    record = {} if model == "bootstrap" else model_config(model)   # claimstance.json, read once
    # a model's own scheme, else the default
    scheme = scheme or record.get("scheme_path") or record.get("scheme") or DEFAULT_SCHEME
    scheme_obj = load_scheme(scheme)
    rows = load_labelled(data, scheme_obj.label_ids)
    if model != "bootstrap" and not Path(model).is_dir():
        raise UserError(f"{model}: no such model directory; give a directory from `stance train` or 'bootstrap'")
    # The test split of a pulled dataset (which `stance train` never trains on), or every split.
    if split is None:   # a trained model: the test split, when there is one
        split = default_split(model)
        if split == "test" and not test_split(rows)[1]:
            split = "all"
    every, (rows, scored) = rows, choose_rows(rows, split, data)
    # Claims the model was trained or tuned on would flatter it: they are left out of every figure.
    rows, trained, tuned = leave_out_seen(rows, record)
    left_out = trained + tuned
    seen = left_out_words(trained, tuned)
    if left_out and not rows:
        unseen = leave_out_seen(every, record)[0] if split == "test" else []
        raise UserError(f"{data}: the model {model} was trained or tuned on every one of its claims (the "
                        f"{seen}); " + (
                            "the test split holds only claims it saw (trained on a whole labels.jsonl, or a "
                            "later pull of under 30 documents moved them there): --split all scores the "
                            f"{len(unseen)} claims of every split it was neither trained nor tuned on" if unseen else
                            "evaluate on held-out claims (the test split of a `stance pull` dataset, or claims "
                            "labelled after training)"))
    every_row = f"every row of {scored}" + (f" except the {seen}" if left_out else "")
    if left_out:
        scored += f"; left out the {seen}"
    # Predictions are compared over the labels the data holds (a two-label data set is not scored
    # on a third label the scheme has); probabilities are renormalised over those labels.
    present = {r["label"] for r in rows}
    labels = [label for label in scheme_obj.label_ids if label in present]
    if len(labels) < 2:
        kept = f" once the {seen} are left out" if left_out else ""
        small = ""
        if split == "test":
            small = (f"; that is {scored}, a tenth of the documents: "
                     + ("--split all scores every split" if model == "bootstrap" else
                        "label claims of more documents, or score claims labelled after training (a JSONL of "
                        "`text` and `label`)"))
        elif left_out:   # what the model never saw holds one label: the fix is claims it never saw, of more labels
            small = ("; score it on more claims it never saw: label claims of more documents, or claims labelled "
                     "after training (a JSONL of `text` and `label`)")
        else:
            small = f"; give claims of two or more of the scheme's labels ({', '.join(scheme_obj.label_ids)})"
        raise UserError(f"{data}: holds only the label(s) {sorted(present)}{kept}; evaluation needs two or more"
                        + small)
    proba_all, info = predict_rows(model, rows, scheme_obj)
    proba_all = np.asarray(proba_all)
    scheme_ids = list(scheme_obj.label_ids)
    predicted = [scheme_ids[i] for i in proba_all.argmax(axis=1)]   # over every label of the scheme
    elsewhere = Counter(label for label in predicted if label not in present)
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
                     + ("bootstrap: the scheme's bootstrap (`stance prelabel` with no model), on the same claims. "
                        if model != "bootstrap" else "") +
                     "Breakdowns by a metadata field average F1 over the labels present in each group, so "
                     f"they do not compare with the overall figure; groups of fewer than {FEW} claims are "
                     "marked (few claims). ECE, the expected calibration error: how far the model's "
                     "confidence (its top probability, renormalised over the labels present) is from its "
                     "accuracy, over 10 equal-width bins of confidence weighted by their claims (0 is perfect)."),
        "overall": score(y, proba, labels),
    }
    trained_documents = set(record.get("train_documents") or ())
    shared = sum(1 for r in rows if trained_documents & set(document_hashes([r])))
    if shared:
        # Said plainly: the network learnt those documents' other claims (their outlet, style, topic).
        report["documents_note"] = (
            f"{shared} of the {len(rows)} claims scored come from documents the model was trained or tuned on "
            "(the same doc_id, else url), though not those claims themselves: these figures flatter it; score "
            "claims of other documents (the test split of a `stance pull` dataset) for a fair figure")
    raw_accuracy = float(np.mean([label == r["label"] for label, r in zip(predicted, rows)]))
    report["accuracy_as_predicted"] = round(raw_accuracy, 4)
    if elsewhere:
        # Said plainly: the pull report, which compares raw pre-labels, counts these as disagreements.
        report["note"] = (f"{sum(elsewhere.values())} of {len(rows)} claims were predicted "
                          + ", ".join(f"{label!r} ({n})" for label, n in elsewhere.items())
                          + ", a label no claim here has; scored over the labels present, each counts as its "
                          "most probable present label. As predicted, over every label of the scheme, "
                          f"accuracy is {raw_accuracy:.3f}")
    reads_source_type = ("source_type" in scheme_obj.labellers and any(lab.source_types for lab in scheme_obj.labels)
                         and (model == "bootstrap" or "source_type" in ((record.get("blend") or {}).get("cue_votes") or {})
                              or bool((record.get("blend") or {}).get("domain"))))   # claims the gate hands to the bootstrap
    bare = sum(1 for r in rows if r.get("source_type") in (None, "") or r.get("speaker") in (None, ""))
    if reads_source_type and bare:
        # Said plainly: a text-and-label file scores another bootstrap than the claims file's rows get.
        report["metadata_note"] = (
            f"{bare} of the {len(rows)} claims have no source_type or no speaker (voice), which the bootstrap's "
            "source_type labeller reads (a distant label for the voice that speaks for the document): it abstains "
            "on them, so these figures can differ from what `stance prelabel` gives the same claims as rows of "
            "`stance claims` (which carry both); to score those, give the rows their claims-file fields (join by "
            "claim_id)")
    if any(r.get("source_type") not in (None, "") for r in rows) and reads_source_type:
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
    chance = 1 / len(labels)
    if report["baseline"]["macro_f1"] <= chance:
        # Said plainly: a baseline below a uniform guess is a broken bar, not a low one.
        report["baseline_note"] = (
            f"the TF-IDF baseline scores at or below chance here (macro-F1 {report['baseline']['macro_f1']:.3f}, a "
            f"uniform guess over {len(labels)} labels {chance:.3f}): on {len(rows)} claims its training folds are "
            "too small or too unlike the claims they score, so it is no bar to clear"
            + ("; compare with the bootstrap instead" if model != "bootstrap" else ""))
    report["intervals"] = intervals(y, proba.argmax(axis=1), np.asarray(baseline).argmax(axis=1), len(labels))
    boot = None
    if model != "bootstrap":
        # The bootstrap (what `stance prelabel` gives with no model) beside the model: the bar it must clear.
        boot = bootstrap_proba(rows, scheme_obj, cols)
        report["bootstrap"] = score(y, boot, labels)
        ci = intervals(y, proba.argmax(axis=1), boot.argmax(axis=1), len(labels))
        report["intervals_bootstrap"] = ci if "none" in ci else {"bootstrap": ci["baseline"], "difference": ci["difference"]}
        ahead = report["bootstrap"]["macro_f1"] - report["overall"]["macro_f1"]
        figures = (f"on these {len(rows)} claims the bootstrap alone scores macro-F1 "
                   f"{report['bootstrap']['macro_f1']:.3f}, this model {report['overall']['macro_f1']:.3f}")
        if len(rows) < MIN_FOR_INTERVALS and abs(ahead) >= BOOTSTRAP_MARGIN:
            # advice from a handful of claims is noise: the intervals' own minimum
            report["bootstrap_note"] = (
                f"{figures}: too few claims to tell which pre-labels better (at least {MIN_FOR_INTERVALS}, as for "
                "the intervals); label more claims and evaluate again")
        elif ahead >= BOOTSTRAP_MARGIN:
            report["bootstrap_note"] = (
                f"{figures}: keep pre-labelling with the bootstrap (leave out "
                "--model) until a model trained on more claims, from more documents, does better here")
    report["errors"] = confident_errors(rows, y, proba, labels)
    fields = by if by is not None else [f for f in BY_DEFAULT if any(f in r for r in rows)]
    # By default each claim's source as every other view names it (outlet, else author or handle and
    # platform, site or file), not the bare outlet field: documents without one were one "(no outlet)".
    derived = not any("source" in r for r in rows) and any(_named(r) for r in rows)   # `--by source` too
    if derived and by is None:
        fields = ["source"] + [f for f in fields if f != "outlet"]
    report["by"] = {}
    for field in fields:
        if not (derived and field == "source") and not any(field in r for r in rows):
            close = difflib.get_close_matches(field, sorted({k for r in rows for k in r}), n=1)
            raise UserError(f"--by {field}: no row of {data} has that field"
                            + ("; nor does any name a source (outlet, author, platform or site)" if field == "source"
                               else "")
                            + (f"; did you mean --by {close[0]}?" if close else "; give a field its rows have"))
        groups = group_rows(rows, field, (lambda r: _named(r)) if derived and field == "source" else None)
        report["by"][field] = {value: score(y[idx], proba[idx], labels, support_only=True)
                               for value, idx in sorted(groups.items(), key=lambda kv: -len(kv[1]))}
        note = overlap_note(field, len(rows), groups)
        if note:
            report.setdefault("by_overlap", {})[field] = {"claims": len(rows), "in_groups": sum(map(len, groups.values()))}
            report["by_note"] = "; ".join(filter(None, (report.get("by_note"), note)))
        if boot is not None:
            for value, idx in groups.items():
                scored = score(y[idx], boot[idx], labels, support_only=True)
                report["by"][field][value]["bootstrap_macro_f1"] = scored["macro_f1"]
                report["by"][field][value]["bootstrap_accuracy"] = scored["accuracy"]
    with atomic_dir(out_dir, REPORT_FILES, REPORT_WRITTEN) as tmp:
        write_plots(report, tmp)
        (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "report.md").write_text(markdown(report), encoding="utf-8")
        (tmp / "index.html").write_text(render_html(report), encoding="utf-8")
        # What the model said (over every label of the scheme), and what it was scored as.
        write_jsonl(tmp / "predictions.jsonl", (
            {"id": r.get("id", r.get("claim_id")),
             **{k: r[k] for k in ("claim_id", "doc_id", "outlet", "source_type", "speaker") if r.get(k) not in (None, "")},
             "text": r["text"], "label": r["label"], "model_version": report.get("version"), "prediction": said,
             "probs": {lab: round(float(v), 4) for lab, v in zip(scheme_ids, p_all)},
             "scored_as": labels[int(p.argmax())]}
            for r, said, p_all, p in zip(rows, predicted, proba_all, proba)))
    report["out_dir"] = str(out_dir)
    return report
