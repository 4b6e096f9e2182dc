"""Bytes to text: a file's size limit, the sniff that tells UTF-8 text from binary, UTF-16 or another
encoding (the same test for every format), and decoding, each problem a ``Skipped`` naming the fix.
"""

from __future__ import annotations

import codecs
import os
from typing import IO

from corpus.sources import KNOWN, OnSkip, Skipped, Source

SNIFF_BYTES = 8192  # how much of a file is looked at to tell text from binary
# Bytes that plain text hardly ever holds (tab, newlines, form feed, escape are fine).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    return (f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8")


def _sniff(head: bytes) -> str | None:
    """Why a file that starts with ``head`` is not UTF-8 text (binary, UTF-16, another encoding), or None.

    The same test for every format, so that a binary file is one skip whatever its name.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text; re-encode it as UTF-8, e.g. iconv -f utf-16 -t utf-8"
    if b"\x00" in head:
        return f"looks binary (NUL bytes); only text files ({KNOWN}) are read"
    if head and len(head.translate(None, _CONTROL)) < 0.95 * len(head):  # text in any 8-bit encoding has ~none
        return f"looks binary (control bytes); only text files ({KNOWN}) are read"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError as err:
        return _not_utf8(head, err)
    return None


def _decode(data: bytes, where: str, on_skip: OnSkip) -> str | None:
    reason = _sniff(data[:SNIFF_BYTES])
    if reason is not None:
        on_skip(Skipped(where, reason))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        on_skip(Skipped(where, _not_utf8(data, err)))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        on_skip(Skipped(where, "empty (no text); add text or leave the file out"))
        return None
    return text


def _read_bytes(path: str, max_mb: float, on_skip: OnSkip) -> bytes | None:
    try:
        size = os.path.getsize(path)
        if size > max_mb * 1024 * 1024:
            shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"
            on_skip(Skipped(path, f"{shown} is over the {max_mb:g} MB limit per file; "
                                  "split it or raise the limit with --max-file-mb"))
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        on_skip(Skipped(path, f"cannot read it ({err.strerror or err}); check that it exists and is readable"))
        return None


def _open_sniffed(source: Source, on_skip: OnSkip) -> IO[bytes] | None:
    """The file open at its start; None after one skip line when it cannot be read or is no text."""
    try:
        handle = open(source.path, "rb")
    except OSError as err:
        on_skip(Skipped(source.path, f"cannot read it ({err.strerror or err}); check that it exists and is readable"))
        return None
    reason = _sniff(handle.read(SNIFF_BYTES))
    if reason is not None:
        handle.close()
        on_skip(Skipped(source.path, reason))
        return None
    handle.seek(0)
    return handle
