"""Claim filter: is a sentence a check-worthy claim, and if not, why not.

``classify(text)`` returns ``(is_claim, reason)``. Non-claims are flagged, never dropped. The gates
run in this order, each a precompiled regex or a set lookup (no model; about 20 MB/s of CPU time
on a shared 2-core machine, see benchmarks/bench_claimfilter.py):

==================  ========================================================================
reason              when
==================  ========================================================================
not_english         most of its letters are of a script other than Latin (Cyrillic, Greek, Arabic,
                    CJK, ...): the rules, the voices and the cues read English only (corpus/language.py)
editorial_marker    the sentence is only markers: "[My Emphasis]", "[Applause]", "(CROSSTALK)"
question            it ends with "?" (closing quotes/brackets aside), digits or not
dateline            a place and a date alone: "BELGOROD, March 14 (RosVest).", "Brussels, 10 March 2026"
heading             bylines ("By A and B"), "# Title", short lines without end punctuation
                    set in Title Case, a capitalised lead-in ending in ":" ("Now, Mr. X:")
greeting            thanks, greetings, welcomes, wishes ("Thank you, Jim.", "Good luck.")
filler              discourse only: "Well.", "That's right.", "Let me say this.", "Believe me.",
                    a note to self: "TODO: check the video.", "FIXME: ...", "XXX: ..." (not "NB:",
                    which marks what matters: "NB: the governor later raised the toll to twelve.")
fragment            fewer than three words, no letters, or a short list item ("Kaspersky Lab;")
claim               everything else whose check-worthiness score reaches the threshold
opinion             below the threshold, with opinion or intention cues ("will" in a schedule or an
                    open question is none: "The ministers will also discuss aid to Ukraine.")
not_checkworthy     below the threshold otherwise (vague or unimportant statements)
==================  ========================================================================

The score and its weights live in ``corpus/claimfilter_lexicon.py``, one readable table.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any

from corpus.language import foreign_script
from corpus.records import is_claim_flag
from corpus.claimfilter_lexicon import (
    BIAS, ENTITY_CAP, FEATURE_WEIGHTS, FIRST_WORD_CUES, NOT_NAMES, THRESHOLD, WORD_CUES,
    WORD_WEIGHTS,
)

CLAIM = "claim"
QUESTION = "question"
GREETING = "greeting"
HEADING = "heading"
FRAGMENT = "fragment"
EDITORIAL_MARKER = "editorial_marker"
FILLER = "filler"
OPINION = "opinion"
NOT_CHECKWORTHY = "not_checkworthy"
DATELINE = "dateline"
NOT_ENGLISH = "not_english"   # a sentence in another script: nothing of this package reads it
REASONS = (CLAIM, QUESTION, GREETING, HEADING, FRAGMENT, EDITORIAL_MARKER, FILLER, OPINION,
           NOT_CHECKWORTHY, DATELINE, NOT_ENGLISH)
# Reasons the claims step (corpus.extraction) gives from what a piece of text is, not from its words.
SPEAKER_MARKER = "speaker_marker"
BYLINE = "byline"
FRONT_MATTER = "front_matter"
TABLE = "table"   # a table's line ("| Kursk | 2 dead |", "|---|---|"): data, not a sentence of prose
HEADLINE = "headline"   # a document's own headline (its title as its first line): framing lives there
# A document's scaffolding, not anything said in it: never sent to annotators (not even by `push
# --all`) nor paired by `compare` ("---", "title: ...", "By NAME", "RIGA, Sept 2 (X).", "Q:").
STRUCTURE = (FRONT_MATTER, BYLINE, DATELINE, SPEAKER_MARKER)
# Non-claims that still assert something: where framing often lives ("The Anglo-Saxons will fight
# to the last Ukrainian.", a headline). With the claims they are the statements `stance push` sends
# by default.
ASSERTIONS = (OPINION, NOT_CHECKWORTHY, HEADLINE)
SCOPES = ("claims", "statements", "all")   # which rows `stance push` and `stance compare` take (in_scope)
SCOPE_WORDS = {"claims": "claims", "statements": "statements", "all": "sentences"}   # what a scope's rows are called

# Tokens are ASCII bytes: lower-cased text, encoded, every digit turned to "0" (so a digit test
# is one memchr) and every other byte that is not a letter, apostrophe or hyphen to space (a
# bytes table is several times faster than str.translate).
_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyz'-")
_TOKEN_TABLE = bytes(48 if 48 <= c <= 57 else c if c in _KEEP else 32 for c in range(256))
# What may follow the "?" of a question: closing quotes and brackets, emphasis, stray dots.
_QUESTION_TAIL = " \t\n\"'”’»)]*_.…"


def ends_in_question_mark(sentence: str) -> bool:
    """A "?" at the end, before any closing quotes, brackets or emphasis."""
    return sentence.rstrip(_QUESTION_TAIL).endswith("?")


def _token_bytes(low: str) -> bytes:
    if "’" in low:
        low = low.replace("’", "'")
    return low.encode("utf-8", "replace").translate(_TOKEN_TABLE)


_MARKER = (
    r"\[[^\[\]\n]{1,60}\]"
    r"|\((?:[A-Z][A-Z ,.'’-]{2,60}"
    r"|(?i:applause|laughter|laughs|laughing|crosstalk|cross talk|cheers|cheering|booing|boos|"
    r"inaudible|unintelligible|sic|emphasis added|emphasis mine|my emphasis|bell rings|"
    r"end (?:video )?clip|begin (?:video )?clip|video clip|commercial break|pause|silence|music)"
    r"[^()\n]{0,30}"
    r"|(?:(?:Additional )?[Rr]eporting|[Ee]diting|[Ww]riting|[Cc]ompiled) by [^()\n]{1,300})\)"  # a wire's credits
)
_ONLY_MARKERS = re.compile(rf"\s*(?:(?:{_MARKER})[\s.,;:!-]*)+")
_EDGE_MARKERS = re.compile(rf"^(?:\s*(?:{_MARKER}))+\s*|(?:\s*(?:{_MARKER}))+[\s.]*$")

_BYLINE = re.compile(
    r"(?:[Bb]y|BY|[Ww]ritten by|[Pp]osted by|[Rr]eported by|[Ss]tory by|[Ww]ords by)\s+"
    r"(?:(?:[A-Z][\w.'’-]*|and|&|van|von|de|da|del|la|le|bin)(?:[,\s]+|$)){1,12}"
)
# a wire story's place and date, split off as a sentence: "BELGOROD, March 14 (RosVest)."
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
_DATELINE = re.compile(r"[A-ZÀ-Þ][A-ZÀ-Þ .'’/-]{1,40},(?:\s+[A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)?,)?"  # "DONETSK, Ukraine,"
                       rf"\s+(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})"
                       r"(?:,?\s+\d{4})?(?:\s*\([^()\n]{1,50}\))?\s*[.:\u2014\u2013-]?"
                       # a news agency after the dash: "DONETSK, March 14 - RIA Novosti.", "... – TASS." (named:
                       # "KYIV, March 14 - Zelensky Resigns." is a headline)
                       r"(?:(?<=[\u2014\u2013-])\s*(?:RIA(?:\s+Novosti)?|TASS|Interfax(?:-Ukraine)?|Reuters|AP|AFP|"
                       r"Ukrinform|UNIAN|Xinhua|Sputnik|RT|RBC|BelTA|Anadolu|DPA|EFE|Bloomberg|Regnum|"
                       r"RIA\s+FAN|Lenta\.ru|Izvestia|Kommersant)\.?)?")
# a statement's or a letter's place and date on a line of their own, in Title Case: "Brussels, 10 March 2026"
_DATE = (rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH})(?:,?\s+\d{{4}})?"
         r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4}")
_PLACE_DATE = re.compile(r"[A-Z][a-zà-ÿ'’.-]+(?:[ -][A-Z][a-zà-ÿ'’.-]+){0,2},(?:\s+[A-Z][\w.-]+,)?"
                         rf"\s+(?:{_DATE})(?:\s*\([^()\n]{{1,50}}\))?\s*[.:\u2014\u2013-]?")
_MD_HEADING = re.compile(r"#{1,6}\s|\*\*[^*]+\*\*\s*$|={3,}|-{3,}\s*$")
_END_PUNCT = frozenset('.!?…"”’\')»')
_LEAD_IN_WORDS = frozenset({"now", "and", "so", "then", "next", "over", "to", "with", "the", "of"})

_INTERJECTIONS = (r"(?:(?:heh|hah|ha|oh|ah|well|and|so|again|hey|um|uh|now|look|ok|okay|yes|no|"
                  r"sir|ma'am|folks|everyone|everybody)[,!.]?\s+)*")
_GREETING = re.compile(
    _INTERJECTIONS
    + r"(?:thank(?:s(?! to)| you)|good (?:morning|afternoon|evening|night|luck|bye|to see)|"
    r"hello|hi\b|hey\b|welcome|congratulations|congrats|nice to|great to (?:see|be)|"
    r"glad to (?:see|be)|pleased to|happy to be|it'?s (?:good|great|nice|a pleasure|an honou?r) to|"
    r"it is (?:good|great|a pleasure|an honou?r) to|(?:a |my )?pleasure to|god bless|merry|"
    r"happy (?:birthday|holidays|new year|thanksgiving)|good-?bye|cheers|ladies and gentlemen|"
    r"(?:and )?(?:i|we) (?:also )?(?:want to |would like to |'d like to )?"
    r"(?:thank|congratulate|welcome)\b)",
    re.I,
)
_GREETING_MAX_WORDS = 14
_GREETING_WORDS = frozenset(
    b"thank thanks good hello hi hey welcome congratulations congrats nice great glad pleased "
    b"happy pleasure honor honour god merry goodbye good-bye bye cheers ladies".split()
)

_FILLER_WORDS = frozenset(
    "well yes no not okay ok right sure absolutely exactly correct wrong indeed look listen so oh "
    "um uh ah that that's is it it's this true false fine good go ahead hold on wait please excuse "
    "me sorry yeah yep nope all and but now then wonderful great really very much of course agreed "
    "anyway hmm huh wow heh ha haha sir ma'am mr senator governor president mister madam again "
    "thing here we are you there okay hey alright see".split()
)
_FILLER_OPENER = re.compile(
    r"(?:and |but |so |well,? |now,? |look,? |again,? )*"
    r"(?:let me|let's|let us|allow me|i'll tell you|i will tell you|i'd like to (?:say|respond|add|"
    r"go back|make|talk)|i want to (?:say|be clear|respond|talk|make|add)|believe me|mark my words|"
    r"i've got news|i have news|you know|i mean|here's the (?:thing|deal|point)|i tell you|"
    r"i'll tell you|i can tell you|(?:and )?i mean (?:it|that)|the answer is|excuse me|hold on|"
    r"go ahead|wait a (?:minute|second)|i'm sorry|that's (?:it|all)|you're (?:right|wrong)|"
    r"i agree|i disagree|no question|guess what|think about (?:it|that))\b",
    re.I,
)
_FILLER_MAX_WORDS = 9
# a writer's note to self, not a statement: "TODO: check whether the video ...", "FIXME: ..."; an "NB:"
# line marks what matters ("NB: the governor later raised the toll to twelve.") and is read as any other
_NOTE_TO_SELF = re.compile(r"(?:[-*•]\s+)?(?:TODO|TO ?DO|FIXME|XXX)\s*:", re.I)

# "I think ...", "We're going to ...", "Let me ...": a first-person subject with an opinion or
# intention verb at the start, after any leading discourse words. Checked on tokens, not a regex.
_LEADERS = frozenset(b"and but so now well look folks again frankly honestly listen yes no".split())
_FP_ALONE = frozenset(b"i'm i'll i'd we're we'll let let's you you're you've".split())
_FP_SUBJECT = frozenset(b"i we".split())
_FP_VERB = frozenset(
    b"think believe feel hope want will would need must should can cannot can't am have've "
    b"intend plan promise know say love don't".split()
)
_YEAR = re.compile(r"(?:1[89]|20)\d\d(?!\d)")
# Capitalised words inside the sentence (after a space): named entities, mostly. Titles and
# "America" are rhetoric as often as reference, so they do not count.
_ENTITY = re.compile(r"[ (“\"-]([A-Z][\w’'-]*[a-zA-Z])")
_NOT_ENTITIES = frozenset(
    "America Americans American God Mr Mrs Ms Dr Sir Senator Governor President Secretary "
    "Congressman Congresswoman Mayor Okay OK Yes No Thank Thanks Folks".split()
)
# "Question:", "Q:", "A:", "OBAMA:" before the sentence itself.
_SPEAKER_LABEL = re.compile(r"(?:Q|A|Question|Answer|QUESTION|ANSWER|[A-Z][A-Z.' -]{1,30}):\s+")
_BULLET = re.compile(r"[•*·▪‣◦\-–—]+\s+|\(?[0-9ivxIVX]{1,3}[.)]\s+|\(?[a-hA-H][.)]\s+")
_BULLET_FIRST = frozenset("•*·▪‣◦-–—(0123456789ivxIVXabcdefghABCDEFGH")

_WORD_WEIGHTS = {w.encode(): v for w, v in WORD_WEIGHTS.items()}
_get = _WORD_WEIGHTS.get
_FIRST_WORD_WEIGHTS = {w.encode(): v for _g, v, text in FIRST_WORD_CUES for w in text.split()}
_NOT_NAMES = frozenset(w.encode() for w in NOT_NAMES) | frozenset(_WORD_WEIGHTS)
_OPINION_CUES = frozenset(
    w.encode() for group, _weight, text in WORD_CUES if group in ("opinion", "intention")
    for w in text.split()
)
# "will" is an intention or a view ("We will win.", "The West will answer for this."), but not in a
# schedule ("The ministers will also discuss aid to Ukraine.") nor in an open question ("Hungary has
# not said whether it will support the proposal."), unless someone speaks of themselves or to the reader
_WILL_ONLY = frozenset({b"will"})
_PERSONAL_TOKENS = frozenset(b"i i'm i'll i'd i've me my we we're we'll we've us our you you're you'll you've your".split())
# a schedule or a procedure: "will also discuss", "will enter into force", "will meet on Tuesday", "talks
# will resume", "will meet his Turkish counterpart" (not "will meet Russia's aggression with force": "meet"
# only before a time, a place, a person's name or a counterpart)
_SCHEDULED = re.compile(
    r"\bwill\s+(?:also\s+|then\s+|now\s+|formally\s+|first\s+)?(?:discuss|hold|host|visit|travel|attend|"
    r"address|vote|consider|review|debate|present|publish|sign|convene|take\s+(?:effect|place|part)|"
    r"meet(?=\s+(?:on|in|at|with|next|this|later|again|today|tomorrow|for|[A-Z][\w-]*(?:['’]s\s+[A-Z]|\s|[.,])|"
    r"(?:his|her|their|its)\s+(?:\w+\s+)?counterparts?\b)|[.,]?$)|"
    r"enter\s+into\s+force|come\s+into\s+(?:force|effect)|be\s+(?:held|published|presented|discussed|considered|"
    r"reviewed|signed|debated|voted))\b"
    # what resumes on a schedule: talks, not strikes ("Russia will resume strikes" is a threat, a view)
    r"|\b(?:talks|negotiations|consultations|meetings?|sessions?|hearings?|flights|trains|classes)\s+"
    r"will\s+(?:resume|reconvene)\b")
# an open question: "Hungary has not said whether it will support ...", "It is unclear if the army will ..."
_OPEN_QUESTION = re.compile(
    r"\b(?:not\s+(?:yet\s+)?(?:said|say|clear|known|decided)|n['’]t\s+(?:yet\s+)?(?:said|say|decided)|"
    r"declined\s+to\s+say|unclear|unknown|undecided|(?:nobody|no\s+one)\s+knows|remains\s+to\s+be\s+seen|"
    r"asked|ask|wonder(?:s|ed)?)\s+(?:\w+\s+){0,2}(?:whether|if)\s+(?:[\w'-]+\s+){1,3}will\b")
# what makes a scheduled act a view after all: a second act ("will take effect ... and destroy the
# economy"), a purpose ("will travel to Washington to beg for money"), a clause on who or what ("the
# leaders who destroyed ..."), a condition ("only if Russia withdraws")
_MORE_THAN_A_SCHEDULE = re.compile(
    r"\band\s+[a-z]+\s+(?:the|a|an|its|their|his|her|our|this|that|these|those)\b|"
    r"(?<!\bbill)(?<!\bplan)(?<!\bproposal)(?<!\blaw)(?<!\bdraft)(?<!\bresolution)(?<!\bmotion)(?<!\bmeasures)"
    r"(?<!\bpackage)(?<!\bdecision)(?<!\brequest)(?<!\bdeal)(?<!\bagreement)(?<!\bsteps)(?<!\bways)"
    r"\s+to\s+(?!(?:the|a|an|its|their|his|her|this|that|these|those|all|each|every|both)\b)[a-z]+|"
    r"\b(?:who|which|whose|that|only|unless|if)\b")
_WILL = re.compile(rb"\bwill\b")


def _plain_will(s: str) -> bool:
    """A sentence whose one "will" tells a schedule or asks an open question, nothing more: not a view."""
    if len(_WILL.findall(s.encode().lower())) != 1:
        return False   # "History will judge whether Europe will regret this."
    if _OPEN_QUESTION.search(s.lower()):
        return True
    m = _SCHEDULED.search(s)
    return m is not None and _MORE_THAN_A_SCHEDULE.search(s, m.end()) is None


_FILLER_TOKENS = frozenset(w.encode() for w in _FILLER_WORDS)
_W_DIGIT = FEATURE_WEIGHTS["digit"]
_W_YEAR = FEATURE_WEIGHTS["year"]
_W_MONEY = FEATURE_WEIGHTS["percent_or_money"]
_W_ENTITY = FEATURE_WEIGHTS["entity"]
_W_SHORT = FEATURE_WEIGHTS["short"]
_W_SHORTISH = FEATURE_WEIGHTS["shortish"]
_W_LONG = FEATURE_WEIGHTS["long"]
_W_OPENER = FEATURE_WEIGHTS["first_person_opener"]


def in_scope(row: dict[str, Any], scope: str) -> bool:
    """Whether `stance push --scope SCOPE` sends this claims row, and `stance compare` pairs it:
    ``claims`` (``is_claim``), ``statements`` (claims, opinions, headlines and the other assertions
    the claim filter found not check-worthy: framing lives there too) or ``all``; never a document's
    scaffolding (front matter, bylines, datelines, speaker markers). ValueError when ``is_claim`` is
    not a boolean."""
    reason = row.get("reason")
    if reason in STRUCTURE:
        return False
    if is_claim_flag(row) or scope == "all":
        return True
    return scope == "statements" and reason in ASSERTIONS


def _heading_or_fragment(s: str) -> str | None:
    """``heading``/``fragment`` for lines that are not sentences; ``None`` for sentences."""
    last = s[-1]
    if last in _END_PUNCT and not (s[0] in "Bb#*=-" and (_BYLINE.fullmatch(s.rstrip(" ."))
                                                          or _MD_HEADING.match(s))):
        return None
    if _BYLINE.fullmatch(s.rstrip(" .")) or _MD_HEADING.match(s):
        return HEADING
    words = s.split()
    if last == ":":
        body = [w for w in words if w.lower().strip(",") not in _LEAD_IN_WORDS]
        if len(words) <= 8 and all(w[:1].isupper() or not w[:1].isalpha() for w in body):
            return HEADING
        return None
    if last in ";," and len(words) <= 6:
        return FRAGMENT
    if len(words) <= 14:
        capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
        if capitalised * 3 >= len(words) * 2 or s.isupper():
            return HEADING
    if len(words) <= 4:
        return FRAGMENT
    return None


def _first_person_opener(tokens: list[bytes]) -> bool:
    i, n = 0, len(tokens)
    while i < n - 1 and tokens[i] in _LEADERS:
        i += 1
    if i >= n:
        return False
    first = tokens[i]
    if first in _FP_ALONE:
        return True
    return first in _FP_SUBJECT and i + 1 < n and tokens[i + 1] in _FP_VERB


_ENTITY_MAX = _W_ENTITY * ENTITY_CAP


def _score(text: str, token_bytes: bytes, tokens: list[bytes], decide: bool = False) -> float:
    """The score; with ``decide`` it may stop early once the side of ``THRESHOLD`` is certain."""
    total = BIAS + sum(map(_get, tokens, repeat(0.0)))
    n = len(tokens)
    if n:
        total += _FIRST_WORD_WEIGHTS.get(tokens[0], 0.0)
    if n <= 5:
        total += _W_SHORT
    elif n <= 8:
        total += _W_SHORTISH
    elif n >= 15:
        total += _W_LONG
    if b"0" in token_bytes:
        total += _W_DIGIT
        if _YEAR.search(text):
            total += _W_YEAR
        if "%" in text or "$" in text or "£" in text or "€" in text:
            total += _W_MONEY
    if _first_person_opener(tokens):
        total += _W_OPENER
    # Named entities only add, and at most _ENTITY_MAX: the regex is the costliest step left.
    if decide and (total >= THRESHOLD or total + _ENTITY_MAX < THRESHOLD):
        return total
    found = _ENTITY.findall(text)
    entities = len(found) - len(_NOT_ENTITIES.intersection(found)) if found else 0
    if n and text[0].isupper() and tokens[0] not in _NOT_NAMES:
        entities += 1
    if entities:
        total += _W_ENTITY * min(entities, ENTITY_CAP)
    return total


def score(text: str) -> float:
    """The check-worthiness score of a sentence: a claim from ``THRESHOLD`` up (see the lexicon)."""
    token_bytes = _token_bytes(text.lower())
    return _score(text, token_bytes, token_bytes.split())


def classify(text: str) -> tuple[bool, str]:
    """Return ``(is_claim, reason)`` for one sentence; ``reason`` is ``claim`` for claims."""
    s = text.strip()
    if not s:
        return False, FRAGMENT
    if not s.isascii() and foreign_script(s):
        return False, NOT_ENGLISH
    if s.find(":", 1, 10) > 0 and _NOTE_TO_SELF.match(s):
        return False, FILLER
    if "[" in s or "(" in s:
        s = _EDGE_MARKERS.sub("", s).strip()
        if not s or (s[0] in "[(" and _ONLY_MARKERS.fullmatch(s)):
            return False, EDITORIAL_MARKER
    if ends_in_question_mark(s):
        return False, QUESTION
    if len(s) < 90 and (_DATELINE.fullmatch(s) if s[1:2].isupper() else (
            len(s) < 64 and s[:1].isupper() and "," in s[:45] and _PLACE_DATE.fullmatch(s))):
        return False, DATELINE
    prefix = (_BULLET.match(s) if s[0] in _BULLET_FIRST else None) or (
        _SPEAKER_LABEL.match(s) if ":" in s[:34] else None)
    if prefix:
        s = s[prefix.end():]
        if not s:
            return False, FRAGMENT
    if s[-1] not in _END_PUNCT or s[0] in "Bb#*=-":  # s may have lost a prefix: re-read its end
        reason = _heading_or_fragment(s)
        if reason is not None:
            return False, reason
    token_bytes = _token_bytes(s.lower())
    tokens = token_bytes.split()
    n = len(tokens)
    if n <= _GREETING_MAX_WORDS and not _GREETING_WORDS.isdisjoint(tokens) and _GREETING.match(s):
        return False, GREETING
    if n <= _FILLER_MAX_WORDS:
        if not tokens:
            return False, FRAGMENT
        if _FILLER_TOKENS.issuperset(tokens) or _FILLER_OPENER.match(s):
            return False, FILLER
        if n < 3:
            return False, FRAGMENT
    if _score(s, token_bytes, tokens, decide=True) >= THRESHOLD:
        return True, CLAIM
    cues = _OPINION_CUES.intersection(tokens)
    if cues == _WILL_ONLY and _PERSONAL_TOKENS.isdisjoint(tokens) and _plain_will(s):
        return False, NOT_CHECKWORTHY
    if cues or _first_person_opener(tokens):
        return False, OPINION
    return False, NOT_CHECKWORTHY
