"""Pairs of claims from different sources that make the same point.

The claim rows that take part, each claim's nearest claims of other sources above the threshold
(models.neighbours) or, a little below it, two claims that are each other's nearest in the other's
source (mutual nearest neighbours, as bitext mining pairs sentences), and the pair row an annotator
judges: both claims, their documents, voices, stances, similarity and a suggested relation. A source
is what a document names (outlet, author, platform or site): the posts of one channel are not
compared with each other unless ``within_source`` is set (models.compare sets it for a corpus of one
source).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpus.claimfilter import in_scope
from corpus.errors import UserError
from corpus.records import is_claim_flag, named_source, source_name
from models.compare_settings import CompareSettings
from models.neighbours import search

RELATIONS = ("agree", "contradict", "same_point_different_framing", "unrelated")

# Words that flip a statement: a near-identical pair where only one side holds one reads as a contradiction.
_NEGATIONS = frozenset("not no never none nothing nobody neither nor cannot can't won't isn't aren't "
                       "wasn't weren't doesn't don't didn't deny denies denied false untrue".split())
_WORD = re.compile(r"[\w’']+", re.U)

# Who did it: a side named as the one that fired, struck or shelled ("a Russian ballistic missile struck",
# "Ukrainian air defence missile falls", "shelling by Ukrainian forces", "their own air defence").
# A similar pair in which each claim names one side only, and not the same one, gives opposite causes
# of one event: the core move of an alternative narrative.
_AGENT_NOUN = (r"(?:missiles?|rockets?|strikes?|attacks?|shelling|bombardment|drones?|forces|troops|army|military|"
               r"soldiers|air[- ]defen[cs]e|artillery|shells?|bombs?|warplanes?|jets?|saboteurs|militants|units?)")
_AGENT_VERB = r"(?:struck|strikes|attacked|attacks|shelled|shells|fired|fires|hit|hits|launched|bombed|destroyed|blew up|shot down)"
_AGENTS = {
    "Russia": (rf"\b(?:Russian|Russia's|Moscow's|Kremlin's)\s+(?:[\w-]+\s+){{0,2}}?{_AGENT_NOUN}\b",
               rf"\b(?:Russia|Moscow)\s+{_AGENT_VERB}\b",
               r"\bby (?:the )?Russia(?:n (?:forces|troops|army|military))?\b"),
    "Ukraine": (rf"\b(?:Ukrainian|Ukraine's|Kiev's|Kyiv's|AFU|Kiev regime's|Kyiv regime's)\s+(?:[\w-]+\s+){{0,2}}?"
                rf"{_AGENT_NOUN}\b",
                rf"\b(?:Ukraine|Kiev|Kyiv|the Kiev regime|the AFU)\s+{_AGENT_VERB}\b",
                r"\bby (?:the )?(?:Ukrainian (?:forces|troops|army|military|air defen[cs]e)|Kiev|Kyiv|the AFU)\b",
                rf"\bown {_AGENT_NOUN}\b"),
}
_AGENT_PATTERNS = {side: re.compile("|".join(p)) for side, p in _AGENTS.items()}

# Quoted words: “…”, «…», „…“ and straight double quotes (an unpaired one opens or closes a quote that
# runs on from or into the next sentence).
_QUOTE_PAIRS = re.compile(r"“([^”]*)”|«([^»]*)»|„([^“”]*)[“”]")
_MIN_QUOTE_WORDS = 4     # shorter quotes are scare quotes ("staged footage"), not a statement
_QUOTE_SHARE = 0.5       # the quote is most of the sentence: the sentence repeats the statement
_SAME_QUOTE = 0.8        # share of the shorter quote's words in the longer one


def claim_rows(rows: Sequence[dict[str, Any]], settings: CompareSettings,
               where: str = "input") -> list[dict[str, Any]]:
    """The rows that take part (``settings.scope``: claims, statements or all), each with id, doc and
    text, in document order (``_document_order``), so that the input's order of rows changes nothing."""
    out = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        for key in ("claim_id", "doc_id", "text"):
            value = row.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):   # "   ": one vector for all
                raise UserError(f"{where}: row {n} has no {key}; compare needs claim rows from "
                                "`stance claims` (then `stance prelabel` for stances)")
        if not isinstance(row["text"], str):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): text {row['text']!r} is not a "
                            "string; give claim rows from `stance claims`")
        try:
            is_claim_flag(row)
        except ValueError as err:
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): {err}; give claim rows from "
                            "`stance claims`") from None
        score = row.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise UserError(f"{where}: row {n} (claim_id {row['claim_id']}): score {score!r} is not a number; "
                            "give the rows `stance prelabel` wrote")
        if not in_scope(row, settings.scope):  # never "---", "By NAME", "RIGA, Sept 2 (X).", "Q:"
            continue
        if str(row["claim_id"]) in seen:
            continue
        seen.add(str(row["claim_id"]))
        out.append(row)
    out.sort(key=_document_order)   # the input's order of documents gave other topic numbers and pair sides
    return out


def _document_order(row: dict[str, Any]) -> tuple[str, int, int, str]:
    """Documents by id, each one's sentences by offset, then id (rows without an offset keep their order)."""
    start = row.get("start")
    if isinstance(start, int) and not isinstance(start, bool):
        return str(row["doc_id"]), 0, start, str(row["claim_id"])
    return str(row["doc_id"]), 1, 0, ""


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def agents(text: str) -> set[str]:
    """The sides (Russia, Ukraine) a sentence names as the one that fired, struck or shelled."""
    return {side for side, pattern in _AGENT_PATTERNS.items() if pattern.search(text)}


# A side named after "not" ("was not Ukrainian", "not a Russian Iskander"): "not X but Y" and "Y, not X"
# name Y as the cause, whatever the nouns, and two such sentences naming each other's X say the opposite
# even when both hold a "not".
_SIDE_WORDS = {"Russia": re.compile(r"\b(?:Russian|Russia|Moscow|Kremlin)(?:[’']s)?\b"),
               "Ukraine": re.compile(r"\b(?:Ukrainian|Ukraine|Kyiv|Kiev)(?:[’']s)?\b")}
_NOT_BEFORE = re.compile(r"\b(?:not|nor|neither|never)\s+(?:(?:an?|the|one|by)\s+)?$", re.I)


def contrasted_side(text: str) -> str | None:
    """The side a sentence names as the cause in place of the other ("was not Ukrainian ... but a Russian
    Iskander", "was Ukrainian, not a Russian Iskander"): one side only after a "not", the other only not."""
    negated: set[str] = set()
    affirmed: set[str] = set()
    for side, pattern in _SIDE_WORDS.items():
        for m in pattern.finditer(text):
            (negated if _NOT_BEFORE.search(text[:m.start()]) else affirmed).add(side)
    if len(negated) == 1 and len(affirmed) == 1 and negated != affirmed:
        return next(iter(affirmed))
    return None


def cause(text: str) -> str | None:
    """The one side a sentence names as the one that fired or struck, if one: the side it sets
    against the other ("not X but Y"), else the only side ``agents`` finds."""
    side = contrasted_side(text)
    if side is not None:
        return side
    found = agents(text)
    return next(iter(found)) if len(found) == 1 else None


def opposite_causes(text_a: str, text_b: str) -> bool:
    """Each sentence names one side as the cause, and not the same side, of what reads as the same
    event (``same_event``)."""
    a, b = cause(text_a), cause(text_b)
    return a is not None and b is not None and a != b and same_event(text_a, text_b)


# The same event: a place both name, no place one names and the other not, and, when both give one,
# the same date. A place is a run of capitalised words ("Nova Kakhovka"), less the sides, months, days
# and titles below. A run after the sentence's start, a colon, a quote or a dash may be an ordinary word
# ("BREAKING: Ukrainian", "Kharkiv strike: What"), and one with a word in capitals may be an agency or
# its reporter ("NBC News Richard Lui"): those count when the other sentence names them too, and are
# not missed when it does not. Names of people count as places otherwise: a pair whose sentences name
# different people is not taken for one event either. On RUWA's headlines (ruwa-dev, pairs from 0.55,
# all under opposite_cause_above) opposite causes alone give 13 pairs, one of them the same strike
# (Kramatorsk station); with a place shared, or none named by either, and no other check, 3 (that one
# and 2 wrong, one of them naming no place); with these rules that one only.
_MONTHS = ("january february march april may june july august september october november december".split())
_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NOT_PLACES = frozenset(_MONTHS + _DAYS + [m[:3] for m in _MONTHS] + (
    "russia russian russians moscow kremlin ukraine ukrainian ukrainians kyiv kiev afu soviet "
    "president governor mayor minister ministry defence defense general colonel mr mrs ms dr head "
    "breaking update photo video watch i a an the this that these those it its in on at of by for from to "
    "with what who when where why how there here he she they we you his her their our after before as but "
    "and or if while according despite since until yesterday today overnight north south east west northern "
    "southern eastern western central northeastern northwestern southeastern southwestern").split())
_TOKEN = re.compile(r"[^\W\d_][\w’'-]*", re.U)
_AFTER_START = re.compile(r"(?:^|[:\"“”«»„(\-–—.!?])\s*$")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")\b|\b(" + "|".join(_MONTHS)
                        + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b|\b\d{4}-(\d{2})-(\d{2})\b", re.I)
_WEEKDAY = re.compile(r"\b(" + "|".join(_DAYS) + r")\b", re.I)


def _place_word(word: str) -> str | None:
    word = re.sub(r"[’']s$", "", word).strip("’'-").lower()
    return None if not word or word in _NOT_PLACES else word


def places(text: str) -> tuple[set[str], list[set[str]]]:
    """(named, sure): the place words of a sentence (lower case), and the runs of them that cannot be
    an ordinary capitalised word (not after its start, a colon, a quote or a dash; no word in capitals)."""
    runs: list[tuple[int, list[str]]] = []     # (start, words) of each run of capitalised words
    prev_end, prev_upper = 0, False
    for match in _TOKEN.finditer(text):
        word = match.group()
        upper = word[0].isupper()
        if upper and prev_upper and text[prev_end:match.start()] in (" ", "\t"):
            runs[-1][1].append(word)
        elif upper:
            runs.append((match.start(), [word]))
        prev_end, prev_upper = match.end(), upper
    named: set[str] = set()
    sure: list[set[str]] = []
    for start, run in runs:
        kept = {k for k in map(_place_word, run) if k}
        named |= kept
        if kept and not _AFTER_START.search(text[:start]) and not any(len(w) > 1 and w.isupper() for w in run):
            sure.append(kept)
    return named, sure


def dates(text: str) -> tuple[set[tuple[int, int]], set[str]]:
    """(day and month, weekdays) a sentence gives: "June 6", "6 June", "2023-06-06"; "on Tuesday"."""
    days: set[tuple[int, int]] = set()
    for m in _DAY_MONTH.finditer(text):
        if m.group(1):
            days.add((_MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))))
        elif m.group(3):
            days.add((_MONTHS.index(m.group(3).lower()) + 1, int(m.group(4))))
        else:
            days.add((int(m.group(5)), int(m.group(6))))
    return days, {d.lower() for d in _WEEKDAY.findall(text)}


def same_event(text_a: str, text_b: str) -> bool:
    """Both sentences name a place, no place named surely in one is missing from the other, and the
    dates agree where both give one (of the same kind: a day of a month, a weekday)."""
    return _same_event(places(text_a), places(text_b), dates(text_a), dates(text_b))


def _same_event(places_a: tuple[set[str], list[set[str]]], places_b: tuple[set[str], list[set[str]]],
                dates_a: tuple[set[Any], set[str]], dates_b: tuple[set[Any], set[str]]) -> bool:
    """``same_event`` from each sentence's ``places`` and ``dates``."""
    named_a, sure_a = places_a
    named_b, sure_b = places_b
    if any(not run & named_b for run in sure_a) or any(not run & named_a for run in sure_b):
        return False
    if not named_a & named_b:   # no place in one or both: nothing says it is the same event
        return False
    for x, y in zip(dates_a, dates_b):
        if x and y and not x & y:
            return False
    return True


def quotes(text: str) -> list[str]:
    """The quoted passages of a sentence. A lone straight quote opens a quote that runs to the end
    when words follow it, else it closes one that began in the sentence before."""
    found = [next(g for g in m.groups() if g is not None) for m in _QUOTE_PAIRS.finditer(text)]
    parts = _QUOTE_PAIRS.sub(" ", text).split('"')
    found += parts[1:-1:2]                      # between paired straight quotes
    if len(parts) % 2 == 0:                     # an odd number of straight quotes: the last is unpaired
        if _WORD.search(parts[-1]):
            found.append(parts[-1])
        elif len(parts) == 2:
            found.append(parts[0])
    return [q for q in found if q.strip()]


def shared_quote(text_a: str, text_b: str) -> bool:
    """Both sentences are mostly one quote, and the quotes are (near) the same words: the same
    statement repeated, whoever reports it."""
    return _shared_quote(main_quotes(text_a), main_quotes(text_b))


def main_quotes(text: str) -> list[set[str]]:
    """The words (lower case) of each quote that is most of the sentence (``_QUOTE_SHARE``) and no
    scare quote (``_MIN_QUOTE_WORDS``)."""
    total = len(_WORD.findall(text)) or 1
    out = []
    for q in quotes(text):
        words = [w.lower() for w in _WORD.findall(q)]
        if len(words) >= _MIN_QUOTE_WORDS and len(words) >= _QUOTE_SHARE * total:
            out.append(set(words))
    return out


def _shared_quote(quotes_a: list[set[str]], quotes_b: list[set[str]]) -> bool:
    """``shared_quote`` from each sentence's ``main_quotes``."""
    for a in quotes_a:
        for b in quotes_b:
            if len(a & b) >= _SAME_QUOTE * min(len(a), len(b)):
                return True
    return False


def suggest_relation(similarity: float, stance_a: Any, stance_b: Any, text_a: str, text_b: str,
                     settings: CompareSettings, mutual: bool = False) -> str | None:
    """A pre-label for annotators from similarity, wording and stances (they correct it in Label
    Studio); None when a claim has no stance and the rest cannot tell. Below ``unrelated_below`` a
    pair is "unrelated", but mutual nearest claims get no suggestion there: being each other's best
    match made them a pair, and annotators judge it with nothing pre-selected. "contradict": a
    near-identical pair with one side negated, or a similar pair naming opposite sides as the cause
    of the same event (``opposite_cause_above``, ``same_event``); "agree": both repeat the same quote; then by stances."""
    if similarity < settings.unrelated_below:
        return None if mutual else "unrelated"
    if similarity >= settings.contradict_above:
        neg_a, neg_b = _words(text_a) & _NEGATIONS, _words(text_b) & _NEGATIONS
        if bool(neg_a) != bool(neg_b):
            return "contradict"
    if settings.opposite_cause_above is not None and similarity >= settings.opposite_cause_above \
            and opposite_causes(text_a, text_b):
        return "contradict"
    if shared_quote(text_a, text_b):   # the same words quoted are the same framing, whoever quotes them
        return "agree"
    return _by_stances(stance_a, stance_b)


def _by_stances(stance_a: Any, stance_b: Any) -> str | None:
    """The relation stances alone suggest, when nothing in the wording decided: None when a claim has none."""
    if stance_a is None or stance_b is None:
        return None
    return "same_point_different_framing" if stance_a != stance_b else "agree"


class SentenceFeatures:
    """What ``suggest_relation`` reads of each sentence, found once a text when first asked for and
    kept, so that a sentence in many pairs is read once: whether it holds a negation, the side it
    names as the cause, its places, dates and main quotes. ``suggest`` gives what ``suggest_relation``
    gives for two of the texts, by index."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self._found: dict[str, list[Any]] = {}   # text -> its features, each _UNSET until needed

    def _get(self, n: int, k: int, compute: Any) -> Any:
        text = self.texts[n]
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = [_UNSET] * 5
        if found[k] is _UNSET:
            found[k] = compute(text)
        return found[k]

    def negated(self, n: int) -> bool:
        return self._get(n, 0, lambda t: bool(_words(t) & _NEGATIONS))

    def cause(self, n: int) -> str | None:
        return self._get(n, 1, cause)

    def places(self, n: int) -> tuple[set[str], list[set[str]]]:
        return self._get(n, 2, places)

    def dates(self, n: int) -> tuple[set[tuple[int, int]], set[str]]:
        return self._get(n, 3, dates)

    def main_quotes(self, n: int) -> list[set[str]]:
        return self._get(n, 4, main_quotes)

    def suggest(self, similarity: float, stance_a: Any, stance_b: Any, a: int, b: int,
                settings: CompareSettings, mutual: bool = False) -> str | None:
        """``suggest_relation`` for texts ``a`` and ``b``, step for step, from their features."""
        if similarity < settings.unrelated_below:
            return None if mutual else "unrelated"
        if similarity >= settings.contradict_above and self.negated(a) != self.negated(b):
            return "contradict"
        if settings.opposite_cause_above is not None and similarity >= settings.opposite_cause_above:
            cause_a, cause_b = self.cause(a), self.cause(b)
            if cause_a is not None and cause_b is not None and cause_a != cause_b \
                    and _same_event(self.places(a), self.places(b), self.dates(a), self.dates(b)):
                return "contradict"
        if _shared_quote(self.main_quotes(a), self.main_quotes(b)):
            return "agree"
        return _by_stances(stance_a, stance_b)


_UNSET = object()


def pair_id(claim_a: str, claim_b: str) -> str:
    """A stable id of an unordered pair of claims."""
    a, b = sorted((claim_a, claim_b))
    return hashlib.sha1(f"{a}\x00{b}".encode()).hexdigest()[:16]


def make_pair(a: dict[str, Any], b: dict[str, Any], similarity: float,
              settings: CompareSettings, mutual: bool = False) -> dict[str, Any]:
    """The pair row: what an annotator needs to judge it, flat ``_a``/``_b`` fields."""
    pair: dict[str, Any] = {"pair_id": pair_id(str(a["claim_id"]), str(b["claim_id"])),
                            "claim_a": str(a["claim_id"]), "claim_b": str(b["claim_id"]),
                            "doc_a": str(a["doc_id"]), "doc_b": str(b["doc_id"])}
    pair.update(_side(a, "a"))
    pair.update(_side(b, "b"))
    pair["similarity"] = round(float(similarity), 4)
    pair["contrasting"] = (pair["stance_a"] is not None and pair["stance_b"] is not None
                           and pair["stance_a"] != pair["stance_b"])
    pair["mutual"] = mutual   # each the other's nearest claim in its document
    pair["suggested"] = suggest_relation(similarity, pair["stance_a"], pair["stance_b"], a["text"], b["text"],
                                         settings, mutual)
    pair["cluster"] = None
    return pair


_SIDE_KEYS = ("start", "context_start", "title", "outlet", "source_type", "speaker", "speaker_name")


def _side(row: dict[str, Any], side: str) -> dict[str, Any]:
    """A claim's fields of a pair row on side ``side`` ("a" or "b"), text to stance_by."""
    out: dict[str, Any] = {f"text_{side}": row["text"], f"context_{side}": row.get("context") or row["text"]}
    for key in _SIDE_KEYS:
        out[f"{key}_{side}"] = row.get(key)
    out[f"source_{side}"] = source_name(row)
    out[f"stance_{side}"] = row.get("prediction")
    out[f"stance_score_{side}"] = row.get("score")
    # Who gave the stance: "annotators" (compare --labels) or "model" (a pre-label); None: none.
    out[f"stance_by_{side}"] = row.get("stance_by") or ("model" if row.get("prediction") is not None else None)
    return out


def source_group(row: dict[str, Any]) -> str:
    """The source a claim is compared across: its document's outlet, source, author, platform or site
    (``corpus.records.named_source``); a document that names none (only a title, file or id) is its own."""
    name = named_source(row)
    return f"doc\x00{row['doc_id']}" if name is None else f"source\x00{name}"


def document_groups(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Each row's ``source_group``, one a document: rows of one ``doc_id`` that name different
    sources (posts of several authors read under one id) all take the first of their groups in
    sorted order, so that a document's claims are never paired with each other."""
    first: dict[str, str] = {}
    for row in rows:
        doc, group = str(row["doc_id"]), source_group(row)
        if doc not in first or group < first[doc]:
            first[doc] = group
    return [first[str(row["doc_id"])] for row in rows]


def mutual_nearest(idx: np.ndarray, groups: np.ndarray, texts: Sequence[str] | None = None
                   ) -> set[tuple[int, int]]:
    """Pairs (i < j) that are each other's nearest row in the other's group, among the neighbours
    ``idx`` lists (best first; -1 for none): j is the first row of its group in i's list, and i the
    first of its group in j's. With ``texts``, copies of one text are one row: every copy of the
    first text of a group is its nearest (two copies tie, and which came first was input order)."""
    key = (lambda n: n) if texts is None else (lambda n: texts[n])
    first: dict[int, dict[int, Any]] = {}
    for i, row in enumerate(idx):
        seen: dict[int, Any] = {}
        for j in row:
            if j >= 0 and int(groups[j]) not in seen:
                seen[int(groups[j])] = key(int(j))
        first[i] = seen
    return {(min(i, int(j)), max(i, int(j))) for i, row in enumerate(idx) for j in row
            if j >= 0 and first[i].get(int(groups[j])) == key(int(j))
            and first[int(j)].get(int(groups[i])) == key(i)}


MAX_EXTRA_COPIES = 45   # neighbours searched beyond top_k for copies of one text (a much-reposted post)


def _distinct_top(idx: np.ndarray, val: np.ndarray, texts: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's neighbours (best first) up to its ``k``-th distinct text, every copy of those texts
    kept, and copies of its own text kept without taking a slot; the rest -1 / -inf."""
    out_idx, out_val = np.full_like(idx, -1), np.full_like(val, -np.inf)
    for i in range(len(idx)):
        seen: set[str] = {texts[i]}
        k_i = k + 1   # its own text is not one of the k
        n = 0
        for j, v in zip(idx[i], val[i]):
            if j < 0:
                break
            text = texts[int(j)]
            if text not in seen:
                if len(seen) == k_i:
                    continue   # a new text past the k-th: copies of kept ones may still follow
                seen.add(text)
            out_idx[i, n], out_val[i, n] = j, v
            n += 1
    return out_idx, out_val


class PairTable(Sequence[dict[str, Any]]):
    """The pairs of a comparison as columns, in pair-row order: the two claims' row numbers in
    ``rows`` (``a`` < ``b``), the similarity, whether they are mutual nearest claims, the suggested
    relation, whether the stances contrast, the topic (``cluster``, set by models.topics). Item ``n``
    is the pair row ``make_pair`` gives, built when asked for: about 200 bytes a pair are held
    instead of a row of 36 fields (the sample's two documents repeated to 20,100 claims: 627,000
    pairs; `stance compare` peaked at 3.58 GB holding their rows, at 0.82 GB with this)."""

    def __init__(self, rows: Sequence[dict[str, Any]], a: np.ndarray, b: np.ndarray, raw: np.ndarray,
                 mutual: np.ndarray, settings: CompareSettings, ids: np.ndarray | None = None) -> None:
        self.rows, self.a, self.b, self.raw, self.mutual, self.settings = rows, a, b, raw, mutual, settings
        # each pair's pair_id as 16 ASCII bytes (16 bytes a pair), from pair_table, which sorted by them
        self.ids = ids if ids is not None else np.array(
            [pair_id(str(rows[i]["claim_id"]), str(rows[j]["claim_id"])) for i, j in zip(a.tolist(), b.tolist())],
            dtype="S16")
        self.similarity = [round(float(v), 4) for v in raw]   # as the pair row holds it
        stance = [r.get("prediction") for r in rows]
        self.contrasting = np.array([stance[i] is not None and stance[j] is not None and stance[i] != stance[j]
                                     for i, j in zip(a.tolist(), b.tolist())], dtype=bool)
        features = SentenceFeatures([r["text"] for r in rows])   # each text read once, not once a pair
        self.suggested = [features.suggest(float(v), stance[i], stance[j], i, j, settings, bool(m))
                          for i, j, v, m in zip(a.tolist(), b.tolist(), raw, mutual)]
        self.cluster: list[int | None] = [None] * len(a)
        self._row_ids: dict[int, tuple[str, str]] = {}
        self._sides: dict[tuple[int, str], dict[str, Any]] = {}   # a claim's side of a pair row (_side)

    def __len__(self) -> int:
        return len(self.a)

    def __getitem__(self, n: Any) -> Any:
        if isinstance(n, slice):
            return [self[k] for k in range(*n.indices(len(self)))]
        if n < 0:
            n += len(self)
        if not 0 <= n < len(self):
            raise IndexError(n)
        # make_pair's row, each claim's side of it made once (a claim is in many pairs)
        i, j = int(self.a[n]), int(self.b[n])
        claim_a, doc_a = self._ids(i)
        claim_b, doc_b = self._ids(j)
        pair: dict[str, Any] = {"pair_id": self.ids[n].decode(), "claim_a": claim_a, "claim_b": claim_b,
                                "doc_a": doc_a, "doc_b": doc_b}
        pair.update(self._side(i, "a"))
        pair.update(self._side(j, "b"))
        pair["similarity"] = self.similarity[n]
        pair["contrasting"] = bool(self.contrasting[n])
        pair["mutual"] = bool(self.mutual[n])
        pair["suggested"] = self.suggested[n]
        pair["cluster"] = self.cluster[n]
        return pair

    def _ids(self, i: int) -> tuple[str, str]:
        found = self._row_ids.get(i)
        if found is None:
            found = self._row_ids[i] = (str(self.rows[i]["claim_id"]), str(self.rows[i]["doc_id"]))
        return found

    def _side(self, i: int, side: str) -> dict[str, Any]:
        found = self._sides.get((i, side))
        if found is None:
            found = self._sides[(i, side)] = _side(self.rows[i], side)
        return found

    def __iter__(self) -> Any:
        return (self[n] for n in range(len(self)))

    def column(self, key: str) -> Sequence[Any]:
        """One field of every pair, without building the rows: claim_a, claim_b, similarity,
        contrasting, mutual, suggested, cluster."""
        if key in ("claim_a", "claim_b"):
            return [str(self.rows[i]["claim_id"]) for i in (self.a if key == "claim_a" else self.b).tolist()]
        if key in ("contrasting", "mutual"):
            return getattr(self, key).tolist()
        if key in ("similarity", "suggested", "cluster"):
            return getattr(self, key)
        return [p.get(key) for p in self]


def column(pairs: Sequence[dict[str, Any]], key: str) -> Sequence[Any]:
    """``key`` of every pair: of a PairTable without building its rows."""
    return pairs.column(key) if isinstance(pairs, PairTable) else [p.get(key) for p in pairs]


def find_pairs(rows: Sequence[dict[str, Any]], vectors: np.ndarray,
               settings: CompareSettings, progress: bool | None = None) -> list[dict[str, Any]]:
    """``pair_table``'s pairs as rows (``make_pair``), most similar first."""
    return list(pair_table(rows, vectors, settings, progress))


def nearest_claims(rows: Sequence[dict[str, Any]], vectors: np.ndarray, settings: CompareSettings,
                   progress: bool | None = None) -> tuple[np.ndarray, np.ndarray, set[tuple[int, int]], float]:
    """Each claim's ``top_k`` nearest claims of other sources (row numbers, -1 for none, and their
    similarities), the mutual nearest pairs (lower row first), and the lowest similarity a pair may have."""
    keys = [str(r["doc_id"]) for r in rows] if settings.within_source else document_groups(rows)
    ids = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    groups = np.array([ids[k] for k in keys], dtype=np.int64)
    # Reposts: copies of one text (in other sources) count as one of a claim's top_k, so that they
    # do not crowd out the different claims that answer it; the search reaches deeper to find them.
    texts = [" ".join(str(r["text"]).split()).casefold() for r in rows]
    copies = max(Counter(texts).values(), default=1)
    depth = min(settings.top_k * copies, settings.top_k + MAX_EXTRA_COPIES)
    idx, val = search(vectors, vectors, depth, query_groups=groups, corpus_groups=groups,
                      exact_max=settings.match.exact_max, memory_mb=settings.match.memory_mb,
                      progress=len(rows) > 20_000 if progress is None else progress)
    if depth > settings.top_k:
        idx, val = _distinct_top(idx, val, texts, settings.top_k)
    mutual = mutual_nearest(idx, groups, texts) if settings.mutual_similarity is not None else set()
    floor = settings.min_similarity if settings.mutual_similarity is None else \
        min(settings.min_similarity, settings.mutual_similarity)
    return idx, val, mutual, floor


def pair_table(rows: Sequence[dict[str, Any]], vectors: np.ndarray,
               settings: CompareSettings, progress: bool | None = None) -> PairTable:
    """Cross-source pairs: each claim's ``top_k`` nearest claims of other sources above
    ``min_similarity``, and mutual nearest claims of two sources above ``mutual_similarity``
    (``within_source``: of other documents, one source's included). ``progress`` (None: when over
    20,000 rows) shows the search's bar on stderr."""
    idx, val, mutual, floor = nearest_claims(rows, vectors, settings, progress)
    # Every (claim, neighbour) at least ``floor`` alike, as one number a pair (lower row * n + higher);
    # below min_similarity only mutual nearest ones; a pair found from both sides keeps its best score.
    n = len(rows)
    left = np.repeat(np.arange(n, dtype=np.int64), idx.shape[1])
    right, sim = idx.ravel(), val.ravel()
    keep = (right >= 0) & (sim >= floor)
    left, right, sim = left[keep], right[keep], sim[keep]
    code = np.minimum(left, right) * n + np.maximum(left, right)
    mutual_codes = np.array(sorted(i * n + j for i, j in mutual), dtype=np.int64)
    keep = (sim >= settings.min_similarity) | np.isin(code, mutual_codes)
    code, sim = code[keep], sim[keep]
    order = np.argsort(code, kind="stable")
    code, sim = code[order], sim[order]
    start = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else np.zeros(0, dtype=np.int64)
    code = code[start]
    best = np.maximum.reduceat(sim, start).astype(np.float64) if len(start) else np.zeros(0)
    a, b = code // n, code % n
    ids = [pair_id(str(rows[i]["claim_id"]), str(rows[j]["claim_id"])) for i, j in zip(a.tolist(), b.tolist())]
    rounded = [round(float(v), 4) for v in best]
    order = np.array(sorted(range(len(code)), key=lambda k: (-rounded[k], ids[k])), dtype=np.int64)
    return PairTable(rows, a[order], b[order], best[order], np.isin(code[order], mutual_codes), settings,
                     np.array(ids, dtype="S16")[order])
