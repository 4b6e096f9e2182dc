"""What the command line prints, with the terminal controls that came from the data made visible.

Outlet names, file names, ids and claims reach the terminal in tables, ``note:`` and ``error:``
lines. An escape sequence among them (``ESC ] 0 ; title BEL``, ``ESC [ 2 J``) would retitle,
recolour or clear the user's terminal, and a right-to-left override (U+202E) would reverse the rest
of the line. Every such character is printed as its escape (``\\x1b``, ``\\u202e``) instead; tab and
newline pass, and so does a carriage return that opens a write (a progress bar redrawing its line).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from corpus.safetext import visible

__all__ = ["SafeStream", "protect", "shell_word", "summary_stream", "visible"]


def summary_stream(out: str | os.PathLike[str]) -> TextIO:
    """Where a command writing ``out`` prints its summary: stdout, unless ``out`` is stdout itself
    (``--out /dev/stdout | jq ...``, or ``--out F > F``), then stderr, so the data stays clean."""
    try:
        same = os.path.samestat(os.stat(out), os.fstat(1))
    except (OSError, ValueError):
        return sys.stdout
    return sys.stderr if same else sys.stdout


def print_notes(notes: Iterable[object], kind: str = "note") -> None:
    """Each of ``notes`` as one ``note:`` (or ``warning:``) line on stderr, where every command's go."""
    for note in notes:
        print(f"{kind}: {note}", file=sys.stderr)


def shell_word(value: object) -> str:
    """``value`` as one shell word, for a command a user copies from the terminal (``shlex.quote``):
    a project title with quotes, spaces or ``$(...)`` is pasted as itself."""
    return shlex.quote(str(value))


class SafeStream:
    """A text stream whose ``write`` shows terminal controls as escapes; the rest passes through.

    A reader that went away (`stance claims ... 2>&1 | head`) stops what is shown, never the work:
    the claims are still written.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        # A progress bar redraws its line with a leading carriage return; one further in came from
        # the data and would let a file name overwrite the line that names it.
        if self._closed:
            return len(text)
        bar = len(text) - len(text.lstrip("\r"))
        try:
            return self._stream.write(text[:bar] + visible(text[bar:]).replace("\r", "\\r"))
        except BrokenPipeError:
            self._closed = True
            return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._closed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def protect(stream: TextIO) -> TextIO:
    """``stream`` wrapped once (wrapping a wrapped stream again does nothing)."""
    return stream if isinstance(stream, SafeStream) else SafeStream(stream)  # type: ignore[return-value]
