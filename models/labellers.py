"""The bootstrap's weak labellers, in the manner of Snorkel's labelling functions, and their votes.

Each labeller is a small named function ``row -> label id | ABSTAIN``. The scheme's config lists
which ones run (``labellers``) and holds their cue phrases:

- ``cues``: one labeller per label, firing when the claim contains one of that label's cue phrases;
- ``cue_groups``: one labeller per named group of cues (e.g. ``kiev_spelling``), so that a
  researcher can see, and switch off, what a single habit such as a spelling is worth;
- ``source_type``: the document's source type as a distant label, only for the voices that speak for
  the document (``corpus.records.DOCUMENT_VOICES``), never for quoted people or reader comments.

(``similarity`` is applied in batch by ``models.bootstrap``.) A labeller with accuracy ``a`` that
votes for a label adds ``log(a (k - 1) / (1 - a))`` to that label's log-odds (``add_votes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.records import DOCUMENT_VOICES
from models.schemes import KNOWN_LABELLERS, Scheme

ABSTAIN = None
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Labeller:
    """A named labelling function: ``fn(row)`` returns a label id or ``ABSTAIN`` (None)."""

    name: str
    fn: Callable[[dict[str, Any]], str | None]
    accuracy: float
    polarity: tuple[str, ...]

    def __call__(self, row: dict[str, Any]) -> str | None:
        return self.fn(row)


def phrase_pattern(phrase: str) -> str:
    """A cue phrase as a regex: whole words, ``*`` a word suffix, flexible spaces and hyphens.
    A cue starting with ``re:`` is a raw regular expression (case-sensitive unless it says ``(?i)``)."""
    if phrase.startswith("re:"):
        return phrase[3:]
    parts = []
    for token in re.split(r"(\*|\s+|-)", phrase.strip().translate(APOSTROPHES)):
        if not token:
            continue
        if token == "*":
            parts.append(r"[\w-]*")
        elif token.isspace():
            parts.append(r"\s+")
        elif token == "-":
            parts.append(r"[-\s]?")
        else:
            parts.append(re.escape(token))
    return "".join(parts) + r"(?!\w)"


class CueMatcher:
    """Finds any of a list of cue phrases in a text, whole words only.

    Acronyms (``SMO``, ``DPR``) and ``re:`` cues match case-sensitively; the rest are matched in the
    lower-cased text without the IGNORECASE flag, which Python's regex engine runs several times faster.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = [p for p in phrases if p.strip()]
        exact = [phrase_pattern(p) for p in phrases if _is_acronym(p)]
        loose = [phrase_pattern(p.lower()) for p in phrases if not _is_acronym(p)]
        self.exact = re.compile(r"\b(?:" + "|".join(exact) + ")") if exact else None
        self.loose = re.compile(r"\b(?:" + "|".join(loose) + ")") if loose else None

    @staticmethod
    def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
        if pattern is None:
            return False
        for match in pattern.finditer(text):
            # A cue does not match inside a hyphenated compound ("pro-Kremlin" is not "Kremlin").
            if match.start() == 0 or text[match.start() - 1] != "-":
                return True
        return False

    def search(self, text: str, lower: str | None = None) -> bool:
        """Whether ``text`` has a cue. ``lower``: the text already normalised and lower-cased (the
        applier passes it so that a row is prepared once for all labellers)."""
        if lower is None:
            text = text.translate(APOSTROPHES)
            lower = text.lower()
        return self._found(self.exact, text) or self._found(self.loose, lower)


def _is_acronym(phrase: str) -> bool:
    if phrase.startswith("re:"):
        return True
    letters = [c for c in phrase if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _texts(row: dict[str, Any]) -> tuple[str, str]:
    """The claim text with apostrophes normalised, and its lower-cased form (computed once per row)."""
    cached = row.get("_cue_text")
    if cached is not None:
        return cached
    text = str(row.get("text") or "").translate(APOSTROPHES)
    return text, text.lower()


def cue_labeller(name: str, label_id: str, phrases: list[str], accuracy: float) -> Labeller:
    """Votes ``label_id`` when the claim contains one of ``phrases``."""
    matcher = CueMatcher(phrases)

    def fn(row: dict[str, Any]) -> str | None:
        return label_id if matcher.search(*_texts(row)) else ABSTAIN

    return Labeller(name, fn, accuracy, (label_id,))


def cue_group_labeller(name: str, groups: dict[str, list[str]], accuracy: float) -> Labeller:
    """One habit seen from every label (e.g. Kiev vs Kyiv): votes the label whose cues occur,
    abstains when none or several labels' cues do."""
    matchers = {label_id: CueMatcher(phrases) for label_id, phrases in groups.items()}

    def fn(row: dict[str, Any]) -> str | None:
        text, lower = _texts(row)
        hits = [label_id for label_id, matcher in matchers.items() if matcher.search(text, lower)]
        return hits[0] if len(hits) == 1 else ABSTAIN

    return Labeller(name, fn, accuracy, tuple(groups))


def source_type_labeller(scheme: Scheme, accuracy: float) -> Labeller:
    """The document's source type as a distant label, only for voices that speak for the document."""
    by_type: dict[str, str] = {}
    for label in scheme.labels:
        by_type[label.id] = label.id
        for source_type in label.source_types:
            by_type[source_type] = label.id

    def fn(row: dict[str, Any]) -> str | None:
        if row.get("speaker") not in DOCUMENT_VOICES:
            return ABSTAIN
        return by_type.get(str(row.get("source_type") or ""), ABSTAIN)

    return Labeller("source_type", fn, accuracy, tuple(lab.id for lab in scheme.labels if lab.source_types))


def build_labellers(scheme: Scheme, exclude: Iterable[str] = ()) -> list[Labeller]:
    """The scheme's row-wise labellers in config order (``similarity`` is applied in batch)."""
    skip = set(exclude)
    acc = scheme.combiner.accuracy
    default = scheme.combiner.default_accuracy
    out: list[Labeller] = []
    for kind in scheme.labellers:
        if kind not in KNOWN_LABELLERS:
            raise ValueError(f"unknown labeller {kind!r}; known: {', '.join(KNOWN_LABELLERS)}")
        if kind == "cues":
            for label in scheme.labels:
                name = f"cues:{label.id}"
                if label.cues and name not in skip:
                    out.append(cue_labeller(name, label.id, label.cues, acc.get(name, default)))
        elif kind == "cue_groups":
            groups: dict[str, dict[str, list[str]]] = {}
            for label in scheme.labels:
                for group, phrases in label.cue_groups.items():
                    groups.setdefault(group, {})[label.id] = phrases
            for group, by_label in groups.items():
                if group not in skip:
                    out.append(cue_group_labeller(group, by_label, acc.get(group, default)))
        elif kind == "source_type" and "source_type" not in skip:
            out.append(source_type_labeller(scheme, acc.get("source_type", default)))
    return out


def apply_labellers(labellers: list[Labeller], rows: list[dict[str, Any]], scheme: Scheme) -> np.ndarray:
    """The label matrix: rows x labellers, a label's column index or -1 for ABSTAIN."""
    index = {label_id: i for i, label_id in enumerate(scheme.label_ids)}
    matrix = np.full((len(rows), len(labellers)), -1, dtype=np.int64)
    views = []
    for row in rows:
        text = str(row.get("text") or "").translate(APOSTROPHES)
        views.append({**row, "_cue_text": (text, text.lower())})
    for j, labeller in enumerate(labellers):
        for i, row in enumerate(views):
            vote = labeller(row)
            if vote is not ABSTAIN:
                matrix[i, j] = index[vote]
    return matrix


def accuracy_weight(accuracy: Any, k: int) -> Any:
    """A labeller's vote as log-odds: ``log(a (k - 1) / (1 - a))`` for accuracy ``a`` over ``k``
    labels (0 at chance, 1 / k)."""
    a = np.asarray(accuracy, dtype=np.float64)
    return np.log(a * (k - 1) / (1 - a))


def add_votes(logits: np.ndarray, matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Add labeller j's weight to the column each row's vote names in ``matrix`` (-1: abstain), in place."""
    for j in range(matrix.shape[1]):
        fired = matrix[:, j] >= 0
        logits[np.nonzero(fired)[0], matrix[fired, j]] += weights[j]
    return logits
