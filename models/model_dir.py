"""A model directory from `stance train`: its ``claimstance.json`` record, what training noted, and
the checks that turn a missing, incomplete or damaged directory into one clear error before any work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corpus.errors import UserError

CONFIG_NAME = "claimstance.json"


def model_config(model_dir: str | Path) -> dict[str, Any]:
    """The ``claimstance.json`` of a model directory; {} when it is no model (missing, unreadable or
    not an object: ``StanceClassifier.from_pretrained`` then says why)."""
    try:
        config = json.loads((Path(model_dir) / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def model_scheme(model_dir: str | Path) -> str | None:
    """The scheme a model directory was trained with (its YAML path, else its name); None when the
    directory is no model."""
    config = model_config(model_dir)
    return config.get("scheme_path") or config.get("scheme")


def model_notes(model_dir: str | Path) -> list[str]:
    """What `stance train` warned about a model directory (its ``notes``); [] when none or no model."""
    notes = model_config(model_dir).get("notes")
    return [str(note) for note in notes] if isinstance(notes, list) else []


def scheme_change_note(model_dir: str | Path, scheme: Any) -> str | None:
    """A note when ``scheme`` is the scheme a model was fitted with, changed since (its cues, examples
    or weights): the blend reads the labellers as they are now, its weights were fitted on the old."""
    config = model_config(model_dir)
    fitted = config.get("scheme_version")
    if not isinstance(fitted, str) or scheme is None or scheme.name != config.get("scheme") or scheme.version == fitted:
        return None   # another scheme altogether is checked where the model loads (its labels)
    return (f"fitted with scheme {scheme.name!r} as it was then (version {fitted}), which has changed since "
            f"(now {scheme.version}): the blend's cue votes and domain gate were fitted on the old cues and "
            "examples; train again (`stance train`) to fit them to the new")


def _check_transformers_config(model_dir: Path, labels: list[Any]) -> None:
    """config.json must be a transformers config for these labels: a hand-edited or swapped one would
    fail deep inside transformers ("Unrecognized model", "ignore_mismatched_sizes")."""
    path = model_dir / "config.json"
    if not path.exists():
        raise UserError(f"{model_dir}: no config.json; the model directory is incomplete, retrain it")
    try:
        hf = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not readable JSON ({getattr(err, 'msg', type(err).__name__)}); retrain the "
                        "model or copy the directory again") from None
    why = None
    if not isinstance(hf, dict) or not hf.get("model_type"):
        why = "no model_type"
    elif len(hf.get("id2label") or {}) != len(labels):
        why = f"{len(hf.get('id2label') or {})} output labels, {CONFIG_NAME} names {len(labels)}"
    if why:
        raise UserError(f"{path}: not the transformers config of this model ({why}); retrain the model or copy "
                        "the directory again")


def check_model_dir(model_dir: str | Path) -> dict[str, Any]:
    """The ``claimstance.json`` of a directory from `stance train`, after checking its files (one clear
    error for a missing, incomplete or damaged directory, before any work is done)."""
    model_dir = Path(model_dir)
    config_path = model_dir / CONFIG_NAME
    if not config_path.exists():
        raise UserError(f"{model_dir}: not a model directory from `stance train` "
                        f"(no {CONFIG_NAME}); train one or check the path")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except ValueError as err:   # malformed JSON, or not text at all
        raise UserError(f"{config_path}: not readable JSON ({getattr(err, 'msg', type(err).__name__)}); "
                        "retrain the model") from None
    if not isinstance(config, dict) or not isinstance(config.get("labels"), list) or not config.get("scheme"):
        raise UserError(f"{config_path}: not the record `stance train` writes (no labels or scheme); retrain "
                        "the model")
    _check_transformers_config(model_dir, config["labels"])
    _check_weights(model_dir)
    if not any((model_dir / name).exists() for name in ("tokenizer.json", "vocab.txt")):
        # transformers builds an empty vocabulary then: every word [UNK], confident nonsense, exit 0
        raise UserError(f"{model_dir}: no tokenizer.json; the model directory is incomplete, copy it again "
                        "or retrain it")
    return config


def _check_weights(model_dir: Path) -> None:
    """Read the weights' header now (a few bytes), so a truncated or corrupt file is one clear error
    rather than a safetensors traceback on first use."""
    from safetensors import safe_open

    weights = model_dir / "model.safetensors"
    if not weights.exists():
        raise UserError(f"{model_dir}: no model.safetensors; the model directory is incomplete, retrain it")
    try:
        with safe_open(str(weights), framework="np") as handle:
            handle.keys()
    except Exception as err:  # safetensors raises its own error types for every kind of damage
        raise UserError(f"{weights}: damaged ({str(err).splitlines()[0][:120]}); retrain the model "
                        "or copy it again") from None
