"""Quotation blocks: whose words a Markdown ``>`` block in an interview's turn, or in the writer's prose, holds.

An interviewee who reads out a statement, an interviewer who puts a post to them, or a writer who cites
a statement, a document or an epigraph sets it off as a quotation block (``> ...``): its words are not
the turn's (or the writer's) own. ``block_voices`` names them, first what names them best (the writer's
prose is read as a turn of the author's or blogger's; an HTML page's ``<blockquote>``, whose ``>`` the
extractor drops, comes as runs of paragraphs the reader marked, and is read the same):

- a signature line closing the block (``> — Maria Zakharova``; an embedded post's ``> — Russian MFA
  (@mfa_russia) March 11, 2026``) gives its speaker, and is the block's byline; so does the name an HTML
  blockquote's ``<footer>`` or closing ``<cite>`` gives (the reader's hint), the extractor having dropped it;
- else the turn's words that lead up to it (its last sentence before the block, ending in a colon):
  ``Lavrov wrote:`` is Lavrov's, ``The ministry wrote:`` a quotation with no name (the writer's rules
  for attributed speech, quotes.py), and so are the words that only lead up to a quotation: ``Here is
  how Lavrov put it:``, ``As Lavrov put it:``, ``In the words of Sergei Lavrov:``, ``To quote
  Lavrov:`` (or ``To quote Lavrov,``, a comma ending such a lead-in); ``I wrote at the time:`` (or
  ``To quote myself:``) keeps the turn's own voice, and ``In
  your book you wrote:`` (``To quote you:``) gives the other side of the interview;
- else it is quoted material with no name: ``>`` sets off someone else's words (an epigraph, a
  document's excerpt, a post), and a writer's stance is not read from what they cite.

The lead-in itself stays the turn's sentence (``voices.sentence_voices``): the interviewee says
``Lavrov wrote this week:``, Lavrov the block.

A block that repeats words the document says elsewhere (a pull quote) is the turn's, unless only another
voice says them as its own (an answer pulled into the writer's introduction is the interviewee's; what a
paragraph quotes is not its own words), and a block right
under a turn label standing alone (``**A:**`` over ``> It depends.``) is the turn's own text. Sentences
inside a block are read by the same rules (``voices.sentence_voices``): ``> "...," Peskov said.`` is
Peskov's.
"""

from __future__ import annotations

import re

from corpus.names import clean_name
from corpus.quotes import SPEECH_VERB, attributed_speaker, introduced, introduced_name, pronoun_lead
from corpus.records import INTERVIEWEE, INTERVIEWER, QUOTED
from corpus.sentences import split_sentences
from corpus.voice_markers import post_signature

__all__ = ["block_voices", "is_block", "signature_name"]

_BLOCK = re.compile(r"[ \t]{0,3}>")
# "> — Maria Zakharova", "> -- Sergei Lavrov, Russia's foreign minister", "> — Сергей Лавров" (a "> - " is a list item)
_SIGNATURE = re.compile(r"[ \t]{0,3}>?[ \t]*(?:—|–|―|--)[ \t]*(?P<name>[A-ZА-ЯЁ@][^\n]{0,119}?)[ \t]*")
_MARKS = re.compile(r"(?m)^[ \t]{0,3}(?:>[ \t]?)+|[\"“”‘«»*_]")
# who speaks in a lead-in: "I wrote at the time:", "as we have said:" (the turn's own words), "you wrote:"
_BETWEEN = r"(?:(?:have|has|had|once|also|then|already|recently|just|even|previously|earlier|[a-z]+ly)\s+){0,2}"
_OWN = re.compile(rf"\b(?:I|[Ww]e)\s+{_BETWEEN}(?:{SPEECH_VERB}|put it)\b")
_ADDRESSED = re.compile(rf"\b[Yy]ou\s+{_BETWEEN}(?:{SPEECH_VERB}|put it)\b")
_OTHER_SIDE = {INTERVIEWER: INTERVIEWEE, INTERVIEWEE: INTERVIEWER}
_MYSELF = frozenset("me myself us ourselves".split())
_YOU = frozenset("you yourself yourselves".split())
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")   # Markdown emphasis, not a handle's "_" ("@mfa_russia")
_QUOTATION = re.compile(r'"[^"\n]*"|“[^”\n]*”|«[^»\n]*»')   # a paragraph's quotations, not its own words
_PULL_QUOTE_MIN = 20   # characters a block must repeat to be a pull quote of the document's words


def is_block(text: str, start: int, end: int) -> bool:
    """Does the paragraph ``text[start:end]`` open a quotation block's line (``> ...``)?"""
    return _BLOCK.match(text, start, end) is not None


def _plain(words: str) -> str:
    """Words without quotation and emphasis marks, their spaces made one, apostrophes straight and
    case folded: what a pull quote repeats (set as ``“The Kremlin’s strategy”`` over ``the Kremlin's``)."""
    words = _MARKS.sub(" ", words.replace("’", "'")).strip().strip("'")
    return " ".join(words.split()).casefold()


def signature_name(line: str) -> str | None:
    """The speaker a signature line names (``— Maria Zakharova, Foreign Ministry spokeswoman``), else None."""
    return _signature(line, 0, len(line))


def _signature(text: str, start: int, end: int) -> str | None:
    """The speaker a block's signature line names (``> — Maria Zakharova, Foreign Ministry spokeswoman``)."""
    m = _SIGNATURE.fullmatch(text, start, end)
    if m is None:
        return None
    account = post_signature(text[start:end].lstrip(" \t>"))
    if account:
        return account
    name = clean_name(m.group("name").split(",")[0])
    words = name.split()
    return name if 0 < len(words) <= 5 and all(w[:1].isupper() or w[:1] == "@" for w in words[:1] + words[-1:]) \
        else None


def block_voices(text: str, paragraphs: list[tuple[int, int]], spoken: list[tuple[str, str | None, int] | None],
                 marked: list[tuple[list[int], str | None]] = ()
                 ) -> tuple[dict[int, tuple[str, str | None, str]], set[int]]:
    """The voices of the quotation blocks in an interview's turns and the writer's prose, by paragraph
    index: (role, name, kind),
    the kind ``byline`` for a signature line, else ``text``; and the paragraphs whose last sentence is a
    block's lead-in (``Lavrov wrote this week:``), the turn's own words that only introduce it.

    ``spoken[i]`` is (role, name, where its words start) for a paragraph of an interviewer's or an
    interviewee's turn (after a turn label, the label's end) or of the writer's own prose (the author's
    or the blogger's), None for any other. A block is a run
    of ``>`` paragraphs with no blank line between them, or one of ``marked``'s runs of paragraph
    indices (an HTML page's ``<blockquote>``, whose text has no ``>``), each with the name the page signs
    it with in a ``<footer>`` or ``<cite>`` the extractor dropped (None for none): as a signature line;
    one the rules leave to the turn is not in the result.
    """
    quoted = {i for run, _ in marked for i in run}

    def inside(j: int) -> bool:
        return j in quoted or is_block(text, *paragraphs[j])

    runs: list[list[int]] = []
    for i, (s, e) in enumerate(paragraphs):
        if spoken[i] is None or spoken[i][2] > s or i in quoted or not is_block(text, s, e):
            continue
        if runs and runs[-1][-1] == i - 1 and text.count("\n", paragraphs[i - 1][1], s) == 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    signers: dict[int, str] = {}   # a marked run's first paragraph: the name the page signs it with
    for run, signer in marked:   # a blockquote's paragraphs in a turn or the writer's prose, not its turn label's
        run = [i for i in run if spoken[i] is not None and spoken[i][2] <= paragraphs[i][0]]
        if run:
            runs.append(run)
            if signer:
                signers[run[0]] = signer
    runs.sort()
    if not runs:
        return {}, set()
    sides: dict[str, str | None] = {}   # each role's name, as its first turn gives it
    for said in spoken:
        if said is not None:
            sides.setdefault(said[0], said[1])
    # who says what in their own words, what they quote aside ('you wrote that "Europe is sleepwalking"')
    prose = [(spoken[j][:2], text[max(s, spoken[j][2]):e]) for j, (s, e) in enumerate(paragraphs)
            if spoken[j] is not None and not inside(j)]   # the turns' and the writer's own, no block
    owned = [(who, _plain(_QUOTATION.sub(" ", own))) for who, own in prose]
    outside = " ".join(_plain(own) for _, own in prose)
    found: dict[int, tuple[str, str | None, str]] = {}
    leads: set[int] = set()
    for run in runs:
        first = run[0]
        before = spoken[first - 1] if first > 0 else None
        if before is not None and before[2] >= paragraphs[first - 1][1]:
            continue   # "**A:**" alone over "> It depends.": the answer's own text, set off
        signed = {i: who for i in run if (who := _signature(text, *paragraphs[i]))}
        signer = None if signed else signers.get(first)   # the page's <footer>/<cite>, a line of its own
        if signer:   # dropped by the extractor, or kept as the name alone: that line is the byline
            signed = {i: signer for i in run
                      if _plain(text[slice(*paragraphs[i])]).strip(" —–―-") == signer.casefold()}
        lead = None if first == 0 or inside(first - 1) else _lead_in(text, paragraphs[first - 1], before, spoken[first])
        if lead:
            leads.add(first - 1)
        if signed or signer:
            voice: tuple[str, str | None] | None = (QUOTED, signed[max(signed)] if signed else signer)
        elif lead:
            voice = _lead_voice(lead, spoken[first], sides)
        elif len(words := _plain(" ".join(text[s:e] for s, e in (paragraphs[i] for i in run)))) >= _PULL_QUOTE_MIN \
                and words in outside:
            # a pull quote: the document says these words itself; the turn's, unless only another voice
            # says them as its own (the interviewee's answer pulled into the writer's introduction)
            sayers = [who for who, own in owned if words in own]
            if not sayers or spoken[first][:2] in sayers:
                continue
            voice = sayers[0]
        else:
            voice = (QUOTED, None)
        if voice is not None:
            found.update((i, voice + ("byline" if i in signed else "text",)) for i in run)
    return found, leads


def _lead_in(text: str, paragraph: tuple[int, int], before: tuple[str, str | None, int] | None,
             turn: tuple[str, str | None, int]) -> str | None:
    """The sentence of the turn that leads up to a block: the last of the paragraph before it, when
    that is the same turn's words (no block) and the sentence ends in a colon ("Lavrov wrote:")."""
    s, e = paragraph
    if before is None or before[:2] != turn[:2]:
        return None
    spans = split_sentences(text, max(s, before[2]), e)
    lead = text[spans[-1][0]:spans[-1][1]].strip(" \t*_") if spans else ""
    if lead.endswith(",") and (introduced(_EMPHASIS.sub("", lead)) or pronoun_lead(_EMPHASIS.sub("", lead))):
        return _EMPHASIS.sub("", lead)   # "In the words of Sergei Lavrov,", "In his words,": a comma ends it too
    return _EMPHASIS.sub("", lead) if lead.endswith(":") else None   # "**Dmitry Peskov** said:"


def _lead_voice(lead: str, turn: tuple[str, str | None, int], sides: dict[str, str | None]) -> tuple[str, str | None] | None:
    """The voice a lead-in gives the block after it; None for the turn's own words."""
    if _OWN.search(lead):
        return None   # "I wrote at the time:": the turn's own words
    who = introduced(lead) or ""
    if who.lower() in _MYSELF:
        return None   # "To quote myself:"
    if _ADDRESSED.search(lead) or who.lower() in _YOU:
        other = _OTHER_SIDE.get(turn[0])
        if other is None:
            return QUOTED, None   # the writer's "You wrote to us last week:": no side of an interview
        return other, sides.get(other)   # "In your book you wrote:": the other side's words
    if who:
        return QUOTED, introduced_name(who)   # "To quote Lavrov:", "To quote Kremlin officials:"; "the ministry": no name
    quoted, name = attributed_speaker(lead)
    return QUOTED, (name if quoted else None)   # "Here is what the ministry posted:": quoted, no name
