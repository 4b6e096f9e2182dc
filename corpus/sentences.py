"""Paragraph and sentence splitting with exact character offsets (placeholder, being replaced)."""

from __future__ import annotations

import re

_PARA = re.compile(r"[^\n]+")
_SENT = re.compile(r"\S.*?(?:[.!?]+[\"'”’)\]]*(?=\s|$)|$)", re.S)


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, stripped of surrounding white space."""
    spans = []
    for m in _PARA.finditer(text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as offsets into ``text``; every non-space character is covered."""
    end = len(text) if end is None else end
    spans = []
    for m in _SENT.finditer(text, start, end):
        s, e = m.span()
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e))
    return spans
