"""Is a text English? The claim filter, the voices and the scheme's cues read English only.

Two cheap checks, no model:

- ``foreign_script(sentence)``: the script a sentence is written in when most of its letters are not
  Latin ("Cyrillic" for ``«Это провокация», — сказал Дмитрий Песков.``); such a sentence gets the claim
  filter's reason ``not_english``. A Latin sentence naming a place in Cyrillic stays English.
- ``english_share(text)``: the share of a document's Latin words that are common English function
  words (the, of, and, ...). English prose holds about a third to a half of them; German or French
  prose a few per cent (their "in", "a", "on"). Only a document of ``MIN_WORDS`` Latin words or more
  is measured: a short text says too little.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Letters of scripts other than Latin: Greek and Coptic, Cyrillic, Armenian, Hebrew, Arabic, Syriac,
# Thaana, the Indic scripts, Thai, Lao, Tibetan, Georgian, Hangul Jamo, Ethiopic, ... (U+0370 to U+1DFF,
# but not Latin Extended Additional at U+1E00), Greek Extended, Glagolitic to Cyrillic Extended-A,
# CJK (radicals, kana, Hangul syllables, ideographs), and the presentation forms of Hebrew and Arabic.
_NON_LATIN = re.compile("[\u0370-\u1dff\u1f00-\u1fff\u2c00-\u2dff\u2e80-\u9fff\ua000-\ud7ff\uf900-\ufaff"
                        "\ufb1d-\ufdff\ufe70-\ufefc\uff66-\uffdc]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
# what unicodedata calls a script, as a reader calls it
_SCRIPT_NAMES = {"CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean",
                 "IDEOGRAPHIC": "Chinese"}

MIN_WORDS = 50          # a document's Latin words needed before english_share says anything
ENGLISH_SHARE_MIN = 0.11   # below this share of English function words a document is not English (see the README)
_FUNCTION_WORDS = frozenset("""the of and to in a is that for it on was with as by at from be this are have
    has had not but an or his her their its they he she we you i our were which will would been who what
    there than into also about after more said no can could should one all when up out if so over""".split())
_WORD = re.compile(r"[a-z]+")


def foreign_script(sentence: str) -> str | None:
    """The script most of the sentence's letters are written in when it is not Latin ("Cyrillic",
    "Greek", "Arabic", "Hebrew", "Chinese", ...), else None (an ASCII sentence is decided at once)."""
    if sentence.isascii():
        return None
    foreign = _NON_LATIN.findall(sentence)
    if not foreign or len(foreign) <= len(_LATIN.findall(sentence)):
        return None
    return _commonest_script(foreign, majority=False)


def _commonest_script(foreign: list[str], majority: bool) -> str | None:
    """The script most of these letters of other scripts are in, by a reader's name; with ``majority``
    only when it holds more than half of them."""
    letters = [c for c in foreign if c.isalpha()]
    if not letters:
        return None   # CJK punctuation, symbols: no letters of another script
    scripts = Counter(unicodedata.name(c, "UNKNOWN").split()[0] for c in letters)
    script, count = scripts.most_common(1)[0]
    if majority and 2 * count <= len(letters):
        return None
    return _SCRIPT_NAMES.get(script, script.title())


def other_script(text: str) -> str | None:
    """The script the letters of ``text`` that are not Latin are mostly in, however few they are
    beside its Latin ones ("Cyrillic" for an English document quoting Russian), else None."""
    return None if text.isascii() else _commonest_script(_NON_LATIN.findall(text), majority=True)


def english_share(text: str, limit: int = 4_000) -> float | None:
    """The share of the Latin words of ``text`` (its first ``limit`` characters) that are English
    function words, or None when it holds fewer than ``MIN_WORDS`` of them."""
    if text.count(" ", 0, limit) < MIN_WORDS // 2:
        return None   # a headline, a post of a line: decided without a regex (words may break at newlines)
    words = _WORD.findall(text[:limit].lower())
    if len(words) < MIN_WORDS:
        return None
    return sum(map(_FUNCTION_WORDS.__contains__, words)) / len(words)


def looks_english(text: str) -> bool:
    """False only for a document of ``MIN_WORDS`` Latin words or more with few English function words."""
    head = text[:1_500].lower()
    if head.count(" the ") + head.count(" of ") + head.count(" and ") >= max(3, head.count(" ") // 12):
        return True   # the three commonest English words make a twelfth of the words: decided without a regex
    share = english_share(text)
    return share is None or share >= ENGLISH_SHARE_MIN


# (document's file name, sentences not in English, their script or None, whether the rest reads as English)
Found = tuple[str, int, "str | None", bool]


def document_language(name: str, text: str, not_english: int) -> Found:
    """What a document that is not (all) in English adds to ``language_notes``: its sentences in
    another script, or (when it has none) that its prose reads as no English at all."""
    if not_english:
        return name, not_english, other_script(text), True
    return name, 0, None, looks_english(text)


def _names(names: list[str]) -> str:
    counts = Counter(names)
    shown = [f"{n} ({c} rows)" if c > 1 else n for n, c in list(counts.items())[:3]]
    more = len(counts) - 3
    return ", ".join(shown) + (f" and {more} more files" if more > 0 else "")


def language_notes(found: list[Found]) -> list[str]:
    """The ``note:`` lines of ``stance claims`` for documents that are not (all) in English."""
    notes = []
    scripted = [f for f in found if f[1]]
    if scripted:
        sentences = sum(f[1] for f in scripted)
        scripts = ", ".join(sorted({f[2] for f in scripted if f[2]})) or "another"
        docs = len(scripted)
        many = sentences != 1
        notes.append(f"{sentences} sentence{'s' * many} in {docs} document{'s' * (docs != 1)} "
                     f"({_names([f[0] for f in scripted])}) {'are' if many else 'is'} not in English "
                     f"({scripts} script): claimstance reads English; translate {'them' if many else 'it'} first "
                     "(CSV or JSONL rows: --text-column naming a column of translations); "
                     f"{'they are' if many else 'it is'} kept as reason not_english, never "
                     f"{'claims' if many else 'a claim'}")
    latin = [f for f in found if not f[3]]
    if latin:
        docs = len(latin)
        notes.append(f"{docs} document{'s' * (docs != 1)} ({_names([f[0] for f in latin])}) "
                     f"{'seem' if docs != 1 else 'seems'} not to be in English (few words such as 'the', 'of', "
                     "'and'): claimstance reads English; translate "
                     f"{'them' if docs != 1 else 'it'} first")
    return notes
