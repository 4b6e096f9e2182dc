"""Cue words of a label scheme found in a claim and marked in HTML, for the report of `stance compare`.

Pure: a loaded scheme and texts in, escaped HTML out (``html.escape`` on every piece of text, the
bidirectional controls shown as visible markers first, as ``models.report`` explains).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from corpus.safetext import html_text as _e, marked
from models.schemes import regex_cue

_TOKEN = re.compile(r"[\w’']+", re.U)

# Colours a page has for labels (``mark.cue0`` ... in models.report, and its bars' deep shades): a label's
# colour is its place in the scheme, so a 5-label scheme's fifth is not its first's colour; beyond 8 they repeat.
N_COLOURS = 8


def label_places(scheme: Any) -> dict[str, int]:
    """Each label id's place in the scheme, from 0: what its colour follows."""
    return {str(label.id): k for k, label in enumerate(getattr(scheme, "labels", []))}


def label_cues(scheme: Any) -> dict[str, list[str]]:
    """Cue phrases of a loaded scheme by label id, in its label order (labels without cues left out)."""
    out: dict[str, list[str]] = {}
    for label in getattr(scheme, "labels", []):
        words = list(getattr(label, "cues", []) or [])
        for group in (getattr(label, "cue_groups", {}) or {}).values():
            words.extend(group)
        words = [str(w) for w in words if str(w).strip()]
        if words:
            out[str(label.id)] = words
    return out


def cue_pattern(cues: dict[str, list[str]], places: dict[str, int] | None = None) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any cue phrase as whole words (``*`` ends a stem),
    longest phrase first; the group that matched, ``c<k>_<n>``, names the label whose place is k in
    ``places`` (``label_places``: its place in the scheme, labels without cues counted), else the k-th
    label of ``cues``. A phrase that two labels list counts for the first."""
    owner: dict[str, int] = {}
    for i, (label, words) in enumerate(cues.items()):
        k = places.get(label, i) if places else i
        for w in words:
            owner.setdefault(w.strip(), k)
    if not owner:
        return None
    phrases = sorted(owner, key=len, reverse=True)
    alternatives = []
    for n, phrase in enumerate(phrases):
        if phrase.startswith("re:"):   # a regular expression, read as the labeller reads it: case-sensitive but for (?i)
            body = f"(?-i:{regex_cue(phrase)})"
        else:
            body = re.escape(phrase).replace(r"\*", r"\w*")
        alternatives.append(f"(?P<c{owner[phrase]}_{n}>{body})")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I)


def highlight(text: str, cues: re.Pattern[str] | None = None, diff: Iterable[str] = ()) -> str:
    """``text`` escaped, with cue phrases (class ``cue cue<k>``, k the label's place in the scheme)
    and the words in ``diff`` wrapped in <mark>."""
    text = marked(text)
    diff = {d.lower() for d in diff}
    spans: list[tuple[int, int, str]] = []
    if cues is not None:
        spans = [(m.start(), m.end(), f"cue cue{int((m.lastgroup or 'c0_').split('_')[0][1:]) % N_COLOURS}")
                 for m in cues.finditer(text)]
    taken = [False] * (len(text) + 1)
    for s, e, _ in spans:
        for i in range(s, e):
            taken[i] = True
    for m in _TOKEN.finditer(text):
        if m.group(0).lower() in diff and not any(taken[m.start():m.end()]):
            spans.append((m.start(), m.end(), "diff"))
    spans.sort()
    out, pos = [], 0
    for s, e, kind in spans:
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f'<mark class="{kind}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def label_names(scheme: Any) -> dict[str, str]:
    """Label id -> the display name (``name``; the scheme check refuses an empty one) by which the
    report's scheme line, cue legend, charts' legends and stance badges name it. Empty without a scheme."""
    return {str(label.id): str(label.name) for label in getattr(scheme, "labels", [])}


def cue_legend(scheme: Any, cues: dict[str, list[str]]) -> str:
    """"Highlighted: cue words of <label>, of <label>" with each label's colour; empty without cues."""
    names = label_names(scheme)
    places = label_places(scheme)
    marks = [f'<mark class="cue cue{places.get(label, k) % N_COLOURS}">{_e(names.get(label, label))}</mark>'
             for k, label in enumerate(cues)]
    if not marks:
        return ""
    return ("Highlighted: the cue words the bootstrap reads for " + ", ".join(marks)
            + " (a word list, not a judgement of the claim). ")
