"""Reading YAML settings files and turning validation errors into one line naming file and field.

Every stage's config (label schemes, compare settings, pipeline, manifests) goes through these two
functions, so a typo reads the same everywhere: ``configs/x.yaml: labels.1.hotkey: field required``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.errors import UserError


def read_yaml(path: str | Path, what: str = "config file", hint: str = "pass an existing YAML file") -> Any:
    """The parsed content of a YAML file; a missing, unreadable or malformed file is a UserError."""
    import yaml  # imported here: `stance claims` without a manifest never pays for it

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}; {hint}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read the {what} ({err}); check its permissions and encoding") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', None) or err}); "
                        f"fix the {what}") from None


def validation_error(source: str | Path, err: Any, prefix: str = "") -> UserError:
    """A pydantic ``ValidationError`` as one line: the source, the dotted field path, the problem.

    A misspelt key gives two errors, the unknown key and the required one it was meant to be: the
    unknown key is named, with the missing one beside it (``hotkee: unknown field; did you mean
    hotkey?``), not "hotkey: field required" alone.
    """
    errors = err.errors()
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    first = extra[0] if extra else errors[0]
    msg = first["msg"]
    if first["type"] == "missing":
        msg = "field required"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
        parent = tuple(first["loc"][:-1])
        meant = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent]
        if meant:
            msg = f"unknown field; did you mean {' or '.join(meant)}?"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    where = prefix + (".".join(str(part) for part in first["loc"]) or "(top level)")
    return UserError(f"{source}: {where}: {msg}")
