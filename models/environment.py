"""The environment variables that set how models run, read in one place and checked before a command
starts its work: a typo is named at once, not minutes later when a model first needs it (or never,
when that run happens not to need it)."""

from __future__ import annotations

import os

from corpus.errors import UserError

# Each variable: what its value is called in the message, and the values it takes ("auto" first).
CHOICES = {
    "CLAIMSTANCE_RUNTIME": ("a runtime", ("auto", "openvino", "onnxruntime")),
    "CLAIMSTANCE_PRECISION": ("a precision", ("auto", "bf16", "f32")),
    "CLAIMSTANCE_INT8": ("a setting", ("auto", "1", "0")),
    "CLAIMSTANCE_BACKEND": ("a backend", ("auto", "torch")),
}


def setting(name: str) -> str:
    """The value of ``name`` (one of ``CHOICES``), "auto" when unset; a value it does not take is a
    ``UserError`` naming the variable and the values it does."""
    noun, allowed = CHOICES[name]
    value = os.environ.get(name, "auto")
    if value not in allowed:
        raise UserError(f"{name}={value!r} is not {noun}; use {', '.join(allowed[:-1])} or {allowed[-1]}")
    return value


def check_settings() -> None:
    """Every setting of ``CHOICES`` and the cache's bound (CLAIMSTANCE_CACHE_MB), checked: the
    commands that run a model call this first."""
    from models.cache import cache_limit

    for name in CHOICES:
        setting(name)
    cache_limit()
