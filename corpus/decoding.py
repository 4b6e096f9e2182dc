"""Bytes to text: a file's size limit, the sniff that tells UTF-8 text from binary, UTF-16 or another
encoding (the same test for every format), and decoding, each problem a ``Skipped`` naming the fix.
"""

from __future__ import annotations

import codecs
import math
import os
import re
from typing import IO, Any

from corpus.sources import KNOWN, OnSkip, Skipped, Source

SNIFF_BYTES = 8192  # how much of a file is looked at to tell text from binary
# Bytes that plain text hardly ever holds (tab, newlines, form feed, escape are fine).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    return (f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            f"{reencode_hint(data[:SNIFF_BYTES], data[:err.start].isascii(), data[err.start:err.start + SNIFF_BYTES])}")


def not_utf8_file(path: str) -> str:
    """``_not_utf8`` for a file found not UTF-8 while it was read as a stream (a CSV past the bytes
    sniffed): read again, a chunk at a time, to find the first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    head, offset, before_ascii = b"", 0, True
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                head = head or chunk[:SNIFF_BYTES]
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as err:   # err.object: the bytes held back from the last chunk, then this one
                    data = err.object
                    bad = offset - (len(data) - len(chunk)) + err.start
                    window = data[err.start:err.start + SNIFF_BYTES]
                    hint = reencode_hint(head, before_ascii and data[:err.start].isascii(), window)
                    return f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {bad}); {hint}"
                before_ascii = before_ascii and chunk.isascii()
                offset += len(chunk)
    except OSError:
        pass
    return "not UTF-8; re-encode it as UTF-8"


# A charset an HTML page (<meta charset=...>, http-equiv) or an XML prolog declares.
_DECLARED = re.compile(rb"""<(?:meta\b[^>]*?\bcharset|\?xml\b[^>]*?\bencoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def reencode_hint(head: bytes, before_ascii: bool, window: bytes) -> str:
    """How to make UTF-8 of a file that starts with ``head`` and whose first byte that is not UTF-8
    starts ``window``, with only ASCII before it (``before_ascii``) or not.

    UTF-8 letters before it: fix the bad bytes alone (re-encoding the whole would garble them). Else
    the charset a page declares; else Cyrillic's cp1251 or koi8-r when the 8-bit bytes run in words
    (one accented letter in a Latin word does not); else latin1. ``iconv -f latin1``, once the advice
    for every file, makes a Russian cp1251 file valid, unreadable UTF-8 (Москва: Ìîñêâà), then read
    with no warning.
    """
    if not before_ascii:
        return ("the text before it is UTF-8, so fix that byte in an editor (or drop every such byte: "
                "iconv -c -f utf-8 -t utf-8)")
    declared = _DECLARED.search(head)
    if declared is not None:
        name = declared.group(1).decode("ascii")
        try:
            if codecs.lookup(name).name != "utf-8":
                return f"re-encode it as UTF-8 from the charset it declares, e.g. iconv -f {name} -t utf-8"
        except LookupError:
            pass
    high = [i for i, byte in enumerate(window) if byte >= 0x80]
    in_runs = sum(1 for i in high if (i > 0 and window[i - 1] >= 0x80) or (i + 1 < len(window) and window[i + 1] >= 0x80))
    if high and in_runs >= 0.6 * len(high):   # words of 8-bit letters: Cyrillic (Russian, Ukrainian, ...)
        koi_lower = sum(1 for i in high if 0xC0 <= window[i] <= 0xDF)   # lower case in koi8-r, upper case in cp1251
        name = "koi8-r" if koi_lower > len(high) - koi_lower else "cp1251"
        return (f"re-encode it as UTF-8, e.g. iconv -f {name} -t utf-8 (its bytes read as Cyrillic in {name}; "
                "check the result)")
    return "re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8"


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


def _read_bytes(path: str, max_mb: float, on_skip: OnSkip, whole: bool = False) -> bytes | None:
    """The file's bytes; None after one skip line when it is over the limit or cannot be read. A
    ``whole`` file (a Telegram export) cannot be split: the fix named is the limit alone."""
    try:
        size = os.path.getsize(path)
        if size > max_mb * 1024 * 1024:
            shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"
            fix = (f"raise the limit with --max-file-mb (stance claims and stance run take it; "
                   f"--max-file-mb {math.ceil(size / 1024 / 1024) + 1} reads this one)" if whole
                   else "split it or raise the limit with --max-file-mb")
            on_skip(Skipped(path, f"{shown} is over the {max_mb:g} MB limit per file; {fix}"))
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
    if source.opened is not None:
        source.opened.append(handle)
    return handle


# A JSON escape of a UTF-16 surrogate: a pair is one character once parsed, a lone one (an emoji cut in
# two by an export or a script) stays a surrogate, which no UTF-8 file can hold.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def may_hold_surrogates(raw: bytes) -> bool:
    """Could JSON text ``raw`` parse to strings holding a lone surrogate (does it escape one)?"""
    return _ESCAPED_SURROGATE.search(raw) is not None


def replace_surrogates(value: Any) -> tuple[Any, int]:
    """Parsed JSON with each lone surrogate in its strings and keys replaced by U+FFFD, and how many.

    One character for one, so offsets into a text hold. Lists and objects are changed in place.
    """
    count = 0

    def fixed(text: str) -> str:
        nonlocal count
        text, n = _SURROGATE.subn("\ufffd", text)
        count += n
        return text

    if isinstance(value, str):
        return fixed(value), count
    stack = [value] if isinstance(value, (dict, list)) else []
    while stack:   # no recursion: a deep nest is read as deep as the parser allowed
        item = stack.pop()
        pairs = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
        if isinstance(item, dict):
            item.clear()
        for key, child in pairs:
            if isinstance(child, str):
                child = fixed(child)
            elif isinstance(child, (dict, list)):
                stack.append(child)
            item[fixed(key) if isinstance(key, str) else key] = child
    return value, count


def surrogates_note(path: str, count: int) -> str:
    """The note for a file whose JSON held ``count`` lone surrogates, replaced."""
    return (f"{path}: {count} lone UTF-16 surrogate{'s' if count > 1 else ''} (half of an emoji, cut) replaced "
            "with U+FFFD (the replacement character), one character for one, so offsets hold; fix the file to keep the character")
