"""The one exception type a user can cause: the CLI prints its message as one line and exits non-zero."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class UserError(Exception):
    """A problem the user can fix: the message names the value at fault and what to do.

    The CLI prints ``error: <message>`` and exits with ``exit_code`` (2 unless set).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def named_few(names: Sequence[str], shown: int = 3) -> str:
    """The first ``shown`` names and how many more: "a, b, c and 4 more" (for one line of a message)."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def json_problem(err: Any) -> str:
    """What a ``json.JSONDecodeError`` found, with where on its line: "Invalid control character at
    column 12" (its own message ends "at" and gave no place), "Expecting value at column 1"."""
    message = err.msg if err.msg.endswith(" at") else f"{err.msg} at"
    line = err.doc.rstrip("\r\n") if isinstance(err.doc, str) else None
    if line is not None and "\n" not in line:   # one JSONL line, its newline kept: never "column 1" past its end
        return f"{message} column {min(err.pos, len(line)) + 1}"
    return f"{message} column {err.colno}"


def why_missing(path: str | Path, what: str = "file") -> str:
    """Why ``path``, which does not exist, cannot be read: a link that loops or leads nowhere is named
    as one (it shows in a listing, so "no such file" had sent the user looking for a typo)."""
    if not os.path.islink(path):
        return f"no such {what}; check the path"
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "a symbolic link that loops; point it at the file or give the file itself"
    return f"a symbolic link to {os.readlink(path)}, which does not exist; check the link or give the file itself"
