"""The bootstrap's weak labellers, in the manner of Snorkel's labelling functions, and their votes.

Each labeller is a small named function ``row -> label id | ABSTAIN``. The scheme's config lists
which ones run (``labellers``) and holds their cue phrases:

- ``cues``: one labeller per label, firing when the claim contains one of that label's cue phrases
  used, not only mentioned: a cue that occurs only inside short quotations embedded in a longer
  sentence (``called the claim "a provocation"``) is the quoted party's word, not the writer's
  (``CueMatcher(..., skip_mentions=True)``, see ``mentions``);
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
from models.schemes import KNOWN_LABELLERS, Scheme, regex_cue

ABSTAIN = None
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

# Quoted spans in a text whose apostrophes went through APOSTROPHES (so curly single quotes are
# straight ones): straight double quotes, curly ones (German „...“ too) and guillemets, each paired
# with the next closing mark; a straight or single quote opens only before a word and after none
# (the "," of `pay," he said` closes), and closes only after one, so that the apostrophes of
# "Ukraine's" and "Guterres' spokesman" open or close nothing.
# Each branch starts with its mark (the look-behinds come after it), which lets the regex engine skip
# to the next quotation mark: a few microseconds for a sentence.
# (spans of at most 300 characters: a mention is a few words, and an unbounded lazy span made one long
# line of many apostrophes quadratic, 10 s for 48 KB; a longer quotation is a statement and votes anyway)
_QUOTED = re.compile('"(?<![\\w,.;:!?%\']")(?=\\S)([^"\\n]{1,300}?)(?<=\\S)"(?!\\w)'
                     "|[\u201c\u201e\u00ab\u2039]([^\"\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a\\n]{1,300})[\u201c\u201d\u00bb\u203a]"
                     "|'(?<![\\w']')(?=[^\\s'])([^\\n]{1,300}?)(?<=[^\\s'])'(?!\\w)")
MENTION_MAX_WORDS = 6  # a quotation of at most this many words ...
MENTION_MIN_CONTEXT = 4  # ... with at least this many words (and as many as it has) outside it
_DISTANCING = re.compile(r"so[-\s]?called\s*$", re.IGNORECASE)  # "so-called" right before a quotation mentions it too


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
        return regex_cue(phrase)
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


def mentions(text: str) -> list[tuple[int, int]]:
    """The quotations in ``text`` that mention a term rather than report a statement, as the
    ``(start, end)`` of the quoted words: at most ``MENTION_MAX_WORDS`` words, embedded in a sentence
    with at least ``MENTION_MIN_CONTEXT`` words, and as many as the quotation has, outside it
    (``called the claim "a provocation"``). A longer quotation, or one that is most of the sentence
    (``"The Kiev regime bears full responsibility."``), is the quoted speaker's own framing."""
    spans = [m.span(m.lastindex or 0) for m in _QUOTED.finditer(text)]
    if not spans:
        return spans
    words = len(text.split())
    out = []
    for start, end in spans:
        quoted = len(text[start:end].split())
        if quoted <= MENTION_MAX_WORDS and words - quoted >= max(MENTION_MIN_CONTEXT, quoted):
            out.append((start, end))
    return out


class CueMatcher:
    """Finds any of a list of cue phrases in a text, whole words only.

    Acronyms (``SMO``, ``DPR``) and ``re:`` cues match case-sensitively; the rest are matched in the
    lower-cased text without the IGNORECASE flag, which Python's regex engine runs several times faster.
    With ``skip_mentions``, a cue found only inside ``mentions`` (short quotations in a longer
    sentence) is not found; neither is "so-called" right before such a quotation that holds a cue
    (``Russia's so-called "special military operation"``: the writer keeps the term at a distance).
    """

    def __init__(self, phrases: Iterable[str], skip_mentions: bool = False) -> None:
        phrases = [p for p in phrases if p.strip()]
        exact = [phrase_pattern(p) for p in phrases if _is_acronym(p)]
        loose = [phrase_pattern(p.lower()) for p in phrases if not _is_acronym(p)]
        self.exact = re.compile(r"\b(?:" + "|".join(exact) + ")") if exact else None
        self.loose = re.compile(r"\b(?:" + "|".join(loose) + ")") if loose else None
        self.skip_mentions = skip_mentions

    def _found(self, pattern: re.Pattern[str] | None, subject: str, text: str, lower: str) -> bool:
        """Whether ``pattern`` finds a cue in ``subject`` (``text`` for the exact pattern, ``lower`` for
        the loose one)."""
        if pattern is None:
            return False
        spans: list[tuple[int, int]] | None = None
        for match in pattern.finditer(subject):
            start, end = match.span()
            # A cue does not match inside a hyphenated compound ("pro-Kremlin" is not "Kremlin").
            if start and subject[start - 1] == "-":
                continue
            if not self.skip_mentions:
                return True
            if spans is None:  # only for texts with a cue: most have none
                spans = mentions(subject)
            if not spans or not self._mentioned(start, end, subject, text, lower, spans):
                return True
        return False

    def _mentioned(self, start: int, end: int, subject: str, text: str, lower: str,
                   spans: list[tuple[int, int]]) -> bool:
        """Whether the cue at ``subject[start:end]`` is only mentioned: inside one of ``spans``, or
        "so-called" followed by spaces and the opening mark of a span that holds a cue of its own."""
        for s, e in spans:
            if s <= start and end <= e:
                return True
            if e > start:  # the first quotation not before the cue
                return (s > end and _DISTANCING.match(subject, start, end) is not None
                        and not subject[end:s - 1].strip() and self._cue_in(text, lower, s, e))
        return False

    def _cue_in(self, text: str, lower: str, start: int, end: int) -> bool:
        if len(text) != len(lower):  # lower-casing moved the offsets (a dotted capital I): no span is shared
            return False
        return any(p is not None and p.search(t, start, end) is not None
                   for p, t in ((self.exact, text), (self.loose, lower)))

    def search(self, text: str, lower: str | None = None) -> bool:
        """Whether ``text`` has a cue. ``lower``: the text already normalised and lower-cased (the
        applier passes it so that a row is prepared once for all labellers)."""
        if lower is None:
            text = text.translate(APOSTROPHES)
            lower = text.lower()
        return self._found(self.exact, text, text, lower) or self._found(self.loose, lower, text, lower)


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
    """Votes ``label_id`` when the claim uses one of ``phrases`` (not only in ``mentions``)."""
    matcher = CueMatcher(phrases, skip_mentions=True)

    def fn(row: dict[str, Any]) -> str | None:
        return label_id if matcher.search(*_texts(row)) else ABSTAIN

    return Labeller(name, fn, accuracy, (label_id,))


# Groups whose cue in a short quotation is the writer quoting the other side, not writing so: an exile
# outlet's `the so-called "Kiev regime"` (a place name's spelling in a quoted phrase is the phrase's).
MENTION_GROUPS = frozenset({"kiev_spelling"})


def cue_group_labeller(name: str, groups: dict[str, list[str]], accuracy: float) -> Labeller:
    """One habit seen from every label (e.g. Kiev vs Kyiv): votes the label whose cues occur,
    abstains when none or several labels' cues do."""
    matchers = {label_id: CueMatcher(phrases, skip_mentions=name in MENTION_GROUPS)
                for label_id, phrases in groups.items()}

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


APPLY_CHUNK = 4096


def apply_labellers(labellers: list[Labeller], rows: list[dict[str, Any]], scheme: Scheme) -> np.ndarray:
    """The label matrix: rows x labellers, a label's column index or -1 for ABSTAIN."""
    index = {label_id: i for i, label_id in enumerate(scheme.label_ids)}
    matrix = np.full((len(rows), len(labellers)), -1, dtype=np.int64)
    # Each row prepared once for all labellers, a chunk at a time (the copies of a whole input held
    # a few KB a claim).
    for start in range(0, len(rows), APPLY_CHUNK):
        views = []
        for row in rows[start:start + APPLY_CHUNK]:
            text = str(row.get("text") or "").translate(APOSTROPHES)
            views.append({**row, "_cue_text": (text, text.lower())})
        for j, labeller in enumerate(labellers):
            for i, row in enumerate(views, start):
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
