"""The command line's argument types and shared checks: numbers in a range, a JSONL output file, a
scope and its shorthand flag. argparse turns an ``ArgumentTypeError`` into one usage line.
"""

from __future__ import annotations

import argparse
import math
import os

from corpus.errors import UserError


def at_least(low: float, kind: type = int, high: float | None = None):
    """An argparse type: a number of ``kind`` in [low, high], else argparse's one-line error."""
    def parse(text: str) -> float:
        try:
            value = kind(text)
            if not math.isfinite(value):
                raise ValueError(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {'whole ' if kind is int else ''}number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value
    return parse


COUNT = at_least(1)
PORT = at_least(1, int, 65535)


def jsonl_out(text: str) -> str:
    """An argparse type for a JSONL output file: not a folder ("out/"), not another format's name."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text} names a folder; give a file name ({text.rstrip('/' + os.sep)}/out.jsonl)")
    if text.lower().endswith((".csv", ".parquet", ".tsv", ".xlsx")):
        raise argparse.ArgumentTypeError(f"{text}: the output is JSON lines; give a .jsonl name")
    return text


def scope_of(scope: str | None, everything: bool, flag: str, default: str | None = "statements") -> str | None:
    """The scope of --scope and its shorthand ``flag`` (--all): both given and different is a mistake."""
    if everything and scope not in (None, "all"):
        raise UserError(f"{flag} and --scope {scope} ask for different sentences; give one of them")
    return "all" if everything else (scope or default)
