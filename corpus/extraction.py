"""Claims from a document: every sentence, with exact offsets, its voice, a claim flag and context
(its paragraph, a window of a long one, or a one-sentence paragraph with its neighbours in its voice).

``extract_claims(doc)`` is pure; ``claim_rows(doc)`` gives the same as rows. ``document_row(doc)`` is
the documents-file row holding the text the offsets index: for a page, the text extracted from it,
which is in no file of the corpus.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from corpus.claimfilter import (BYLINE, DATELINE, EDITORIAL_MARKER, FILLER, FRONT_MATTER, HEADING, HEADLINE,
                                SPEAKER_MARKER, TABLE, classify)
from corpus.language import foreign_script
from corpus.readers import extractor
from corpus.quotations import full_names, pronoun_names
from corpus.records import COMMENTER, QUOTED, Claim, Document, make_claim_id, meta_columns
from corpus.sentences import (RULE_LINE, is_delimiter_row, is_table_line, is_text_ruled_heading, is_text_setext,
                              quote_depth, split_paragraphs, split_sentences)
from corpus.sources import document_format
from corpus.voices import Voice, editorial_marker, paragraph_voices, sentence_voices

_QUOTE_MARKS_ONLY = re.compile(r">(?:[ \t]*>)*")   # a line of quotation markers alone (its blank line)

# A claim's context is its paragraph; a paragraph longer than CONTEXT_MAX gives a window of
# neighbouring sentences instead, and a paragraph that is the sentence alone (a news story's
# one-sentence paragraphs, a list's items) takes in its neighbours in the same voice (_context).
CONTEXT_MAX = 1200   # characters: a longer paragraph gives a window; a widened context stays within it
CONTEXT_SPAN = 2     # sentences on each side in that window
# A paragraph holding one of these alone is a line of its own (a section title, "MOSCOW, May 3
# (X).", "[My Emphasis]"): it keeps its line as context and is never taken into another's.
_OWN_LINE = (HEADING, DATELINE, EDITORIAL_MARKER)
_QUESTION_TAIL = " \t\"'”’»)]"
# Markdown's block markup at the start of a line: a heading's #s, a quotation's >, a list item's
# bullet or number; nested ("> - ") they repeat. Not part of the sentence a claim quotes.
_MD_BLOCK = re.compile(r"[ \t]{0,3}(?:(?P<heading>#{1,6})[ \t]+|>[ \t]?|[*+-][ \t]+|\d{1,3}[.)][ \t]+)")
_MD_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")   # "## Reaction ##"
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*")   # "Title\n=====", "Subtitle\n-----": the line above is a heading


def _pieces(text: str, spans: list[tuple[int, int]], voice: Voice) -> list[tuple[int, int, str | None]]:
    """Sentence spans with a turn marker and editorial markers split off as pieces of their own.

    Each piece is ``(start, end, forced_reason)``; a forced reason makes it a non-claim.
    """
    pieces: list[tuple[int, int, str | None]] = []
    if voice.marker_end is not None and spans:
        ps = spans[0][0]
        mend = ps + len(text[ps:voice.marker_end].rstrip())
        pieces.append((ps, mend, SPEAKER_MARKER))
        rest = []
        for s, e in spans:
            if e <= mend:
                continue
            if s < mend:
                s = mend
                while s < e and text[s].isspace():
                    s += 1
            rest.append((s, e))
        spans = rest
    for s, e in spans:
        m = editorial_marker(text[s:e])
        if m is None:
            pieces.append((s, e, None))
            continue
        ms, me = s + m.start(), s + m.end()
        before = s + len(text[s:ms].rstrip())
        if before > s:
            pieces.append((s, before, None))
        pieces.append((ms, me, "editorial_marker"))
        after = me
        while after < e and text[after].isspace():
            after += 1
        if after < e:
            pieces.append((after, e, None))
    return pieces


def _without_markup(text: str, s: int, e: int) -> tuple[int, int, bool]:
    """The span of a Markdown sentence without the block markup that opens its line (and a heading's
    closing #s): ``(start, end, is_heading)``. A sentence that is nothing but markup stays whole.
    A nested list item's line is indented: only spaces or tabs may stand before the sentence."""
    if text[text.rfind("\n", 0, s) + 1:s].strip(" \t"):
        return s, e, False
    start, heading = s, False
    while (m := _MD_BLOCK.match(text, start, e)) and m.end() < e:
        heading = heading or m.group("heading") is not None
        start = m.end()
    if heading and (close := _MD_HEADING_CLOSE.search(text, start, e)) and close.start() > start:
        e = close.start()
    return start, e, heading


def _setext_heading(text: str, paragraphs: list[tuple[int, int]], p: int) -> bool:
    """Whether paragraph ``p`` of a Markdown text is a setext heading: underlined on the next line by
    ``=``s or ``-``s (with a blank line between, ``---`` is a thematic break), and no list item,
    quotation or sentence ending in a period ("... died.\n---" is taken for a sentence and a rule)."""
    if p + 1 >= len(paragraphs):
        return False
    (ps, pe), (ns, ne) = paragraphs[p], paragraphs[p + 1]
    return (_SETEXT_UNDERLINE.fullmatch(text, ns, ne) is not None and text.count("\n", pe, ns) == 1
            and text[pe - 1] != "." and not _MD_BLOCK.match(text, ps, pe) and RULE_LINE.fullmatch(text, ps, pe) is None)


def _text_heading(text: str, paragraphs: list[tuple[int, int]], p: int, voice: Voice) -> bool:
    """Whether paragraph ``p`` of a plain text is a heading: over its underline ("Background" over "----------",
    ``is_text_setext``) or alone under a rule line ("----------" over "Background", ``is_text_ruled_heading``)."""
    ps, pe = paragraphs[p]
    if (p + 1 < len(paragraphs) and text[paragraphs[p + 1][0]] in "=-"
            and is_text_setext(text, ps, pe, *paragraphs[p + 1], paragraphs[p - 1][1] if p else -1)):
        return True
    return (voice.marker_end is None and p > 0 and text[paragraphs[p - 1][0]] in "=-"
            and is_text_ruled_heading(text, ps, pe, *paragraphs[p - 1], paragraphs[p - 2][1] if p > 1 else -1,
                                      paragraphs[p + 1][0] if p + 1 < len(paragraphs) else -1))


def _flag(sentence: str, forced: str | None) -> tuple[bool, str]:
    if forced and not (forced == HEADLINE and foreign_script(sentence)):
        return False, forced   # a headline in Cyrillic is no statement anything here reads: not_english
    is_claim, reason = classify(sentence)
    if is_claim and sentence.rstrip(_QUESTION_TAIL).endswith("?"):
        return False, "question"
    return is_claim, reason


def _sentences(doc: Document) -> Iterator[tuple]:
    """(start, end, is_claim, reason, speaker, speaker_name, context_start, context_end, paragraph),
    a short name ("Peskov") given as the document's full one ("Dmitry Peskov"), and "She added ..." the
    name of who was quoted just before."""
    rows = list(_raw_sentences(doc))
    names = full_names([(row[4], row[5]) for row in rows])
    if names:
        rows = [row[:5] + (names.get((row[4], row[5]), row[5]),) + row[6:] for row in rows]
    if any(row[4] == QUOTED and row[5] is None for row in rows):
        said = pronoun_names([(row[4], row[5], doc.text[row[0]:row[1]], row[8]) for row in rows])
        rows = [row[:5] + (name,) + row[6:] for row, name in zip(rows, said)]
    return iter(rows)


def _raw_sentences(doc: Document) -> Iterator[tuple]:
    text = doc.text
    paragraphs = split_paragraphs(text)
    voices = paragraph_voices(text, paragraphs, doc.meta)
    hints = doc.meta.get("voices")
    headline_end = hints.get("headline_end") if isinstance(hints, dict) else None  # set by the readers
    headline_end = headline_end if isinstance(headline_end, int) else 0
    markdown = document_format(doc.path) == "markdown"
    tables = _tables(text, paragraphs, voices)
    rows: list[list[tuple]] = []   # each paragraph's sentences
    prose: list[bool] = []         # whether a paragraph is prose, which a neighbour may take in (_context)
    alone: list[bool] = []         # whether it holds one sentence (besides a turn marker)
    for p, ((ps, pe), voice) in enumerate(zip(paragraphs, voices)):
        # a rule line ("* * *", "---", a setext heading's "=====") is markup alone: one filler piece, never
        # in a neighbour's context
        # so is a quotation's blank line ('>', '>>' in an e-mail reply)
        rule = voice.kind == "text" and (RULE_LINE.fullmatch(text, ps, pe) is not None
                                         or _QUOTE_MARKS_ONLY.fullmatch(text, ps, pe) is not None)
        # a table's line ("| Kursk | 2 dead |", "|---|---|") is a row of data, not prose: one table piece
        # in its table's context, never in a neighbour's
        table = tables.get(p)
        if rule or table:
            # in Markdown a table's line in a quotation leaves out its ">"s, as a claim does
            start = quote_depth(text, ps, pe)[1] if table and markdown else ps
            pieces = [(start, pe, FILLER if rule else TABLE)]
        else:
            pieces = _pieces(text, split_sentences(text, ps, pe), voice)
        headings: set[int] = set()
        if markdown and not rule and not table:
            trimmed = [_without_markup(text, s, e) for s, e, _ in pieces]
            headings = {i for i, (_, _, heading) in enumerate(trimmed) if heading}
            pieces = [(s, e, forced) for (s, e, _), (_, _, forced) in zip(trimmed, pieces)]
            if voice.kind == "text" and _setext_heading(text, paragraphs, p):
                headings = {i for i, (_, _, forced) in enumerate(pieces) if forced is None}
        elif (not markdown and not rule and not table and voice.kind == "text"
              and _text_heading(text, paragraphs, p, voice)):   # "Background\n----------", "----------\nBackground"
            headings = {i for i, (_, _, forced) in enumerate(pieces) if forced is None}
        said = sentence_voices(text, [(s, e) for s, e, _ in pieces], voice)  # quotes run across sentences
        window = pe - ps > CONTEXT_MAX
        rows.append([])
        titled = False   # the headline or a heading is in the paragraph
        for i, (s, e, forced) in enumerate(pieces):
            sentence = text[s:e]
            if voice.kind == "byline":
                forced = forced or BYLINE
            elif voice.kind == "front_matter":
                forced = FRONT_MATTER  # metadata, not prose: no piece of it is a claim
            elif e <= headline_end:  # the document's headline: a statement, not a section heading
                forced = forced or HEADLINE
            elif voice.kind == "heading" or i in headings:  # "## Comments", "jdoe says:", "## Reaction"
                forced = forced or HEADING
            titled = titled or forced in (HEADLINE, HEADING)
            is_claim, reason = _flag(sentence, forced)
            if forced == "editorial_marker" and voice.editor is not None:
                speaker, name = voice.editor.speaker, voice.editor.speaker_name  # "[My Emphasis]": the blogger's
            elif forced:
                speaker, name = voice.speaker, voice.speaker_name
            else:
                speaker, name = said[i]
            if table:
                cs, ce = table
            elif window:
                cs = pieces[max(0, i - CONTEXT_SPAN)][0]
                ce = pieces[min(len(pieces) - 1, i + CONTEXT_SPAN)][1]
            elif i in headings and len(pieces) == 1:
                cs, ce = s, e   # a Markdown heading's line is its context: without its #s, as its claim
            else:
                cs, ce = ps, pe
            rows[-1].append((s, e, is_claim, reason, speaker, name, cs, ce, p))
        said_rows = [row for row in rows[-1] if row[3] != SPEAKER_MARKER]
        alone.append(not window and len(said_rows) == 1)
        prose.append(voice.kind == "text" and not titled and not rule and not table
                     and not (alone[-1] and said_rows[0][3] in _OWN_LINE))
    for p, paragraph_rows in enumerate(rows):
        if alone[p] and prose[p]:
            cs, ce = _context(paragraphs, voices, prose, p)
            paragraph_rows = [row[:6] + (cs, ce, p) for row in paragraph_rows]
        yield from paragraph_rows


def _tables(text: str, paragraphs: list[tuple[int, int]], voices: list[Voice]) -> dict[int, tuple[int, int]]:
    """The paragraphs that are a table's lines (``corpus.sentences.is_table_line``, one line each), with
    the span of their table: the lines with no blank line between them, or the line alone when the table
    is longer than CONTEXT_MAX. A table written without outer pipes counts from its delimiter row
    (``--- | ---``): the line above it holding a pipe (its header) and the lines below it holding one,
    down to a blank line or a line without a pipe. A quotation's lines are read after their ``>`` markers
    (``> | Kursk | 2 dead |``), a table's lines all in one quotation depth."""
    tables: dict[int, tuple[int, int]] = {}
    run: list[int] = []
    delimited = False   # the run has a delimiter row: lines holding a pipe below it are rows
    depth = 0           # the run's quotation depth

    def close() -> None:
        nonlocal delimited
        cs, ce = paragraphs[run[0]][0], paragraphs[run[-1]][1]
        for q in run:
            tables[q] = (cs, ce) if ce - cs <= CONTEXT_MAX else paragraphs[q]
        run.clear()
        delimited = False

    def pipe_line(q: int) -> bool:   # one line holding a pipe, no front matter
        qs, qe = paragraphs[q]
        return voices[q].kind != "front_matter" and text.find("|", qs, qe) >= 0 and text.find("\n", qs, qe) < 0

    def under(q: int) -> bool:   # no blank line above paragraph q
        return q > 0 and text.count("\n", paragraphs[q - 1][1], paragraphs[q][0]) == 1

    for p, (ps, pe) in enumerate(paragraphs):
        d, c = quote_depth(text, ps, pe)
        if c < pe and text[c] in "|-:" and voices[p].kind != "front_matter" and is_table_line(text, c, pe):
            if run and (not under(p) or d != depth):
                close()
            depth = d
            if is_delimiter_row(text, c, pe):
                if (not run and under(p) and p - 1 not in tables and pipe_line(p - 1)
                        and quote_depth(text, *paragraphs[p - 1])[0] == d):
                    run.append(p - 1)   # a header row without outer pipes
                delimited = True
            run.append(p)
        elif run and delimited and under(p) and d == depth and pipe_line(p):
            run.append(p)   # a row without outer pipes
        elif run:
            close()
    if run:
        close()
    return tables


def _context(paragraphs: list[tuple[int, int]], voices: list[Voice], prose: list[bool], p: int) -> tuple[int, int]:
    """The context of paragraph ``p``, which holds one sentence: the paragraph with the one before it
    and the one after it, each when it is prose in the same voice (kind, role and name) and the same
    turn, and the whole no longer than CONTEXT_MAX (the one before is taken first: it leads up to the
    sentence; a quotation block in an interview's turn, "Lavrov wrote:" over "> ...", is in that turn).
    A turn marker opening a paragraph ("A:", a commenter's handle) starts a new turn; a
    comment whose commenter is not named has no known end, so it takes in nothing."""
    cs, ce = paragraphs[p]
    voice = voices[p]
    if voice.speaker == COMMENTER and voice.speaker_name is None:
        return cs, ce

    def turn(v: Voice) -> tuple[str, str, str | None]:
        said = v.within or v   # a quotation block in an interview's turn is read in that turn
        return v.kind, said.speaker, said.speaker_name

    def same(q: int) -> bool:
        return prose[q] and turn(voices[q]) == turn(voice)

    if p > 0 and voice.marker_end is None and same(p - 1) and ce - paragraphs[p - 1][0] <= CONTEXT_MAX:
        cs = paragraphs[p - 1][0]
    if (p + 1 < len(paragraphs) and voices[p + 1].marker_end is None and same(p + 1)
            and paragraphs[p + 1][1] - cs <= CONTEXT_MAX):
        ce = paragraphs[p + 1][1]
    return cs, ce


def _row_meta(doc: Document) -> dict[str, Any]:
    """Document metadata as claim-row columns (voice hints stay behind; clashes get ``meta_``: ``meta_columns``)."""
    return meta_columns({k: v for k, v in doc.meta.items() if k != "voices"})


def extract_claims(doc: Document) -> list[Claim]:
    """Every sentence of ``doc`` as a Claim, ordered by offset; non-claims are kept and flagged."""
    meta = {k: v for k, v in doc.meta.items() if k != "voices"}
    text = doc.text
    return [
        Claim(claim_id=make_claim_id(doc.doc_id, s, e, text[s:e]), doc_id=doc.doc_id, text=text[s:e],
              start=s, end=e, is_claim=is_claim, reason=reason, speaker=speaker, speaker_name=name,
              context=text[cs:ce], context_start=cs, paragraph=p, sentence=n, meta=meta)
        for n, (s, e, is_claim, reason, speaker, name, cs, ce, p) in enumerate(_sentences(doc))
    ]


def claim_rows(doc: Document) -> Iterator[dict[str, Any]]:
    """The rows of ``extract_claims(doc)`` (``Claim.to_row``), built without the dataclass detour."""
    meta = _row_meta(doc)
    text, doc_id = doc.text, doc.doc_id
    context_key, context = None, ""
    for n, (s, e, is_claim, reason, speaker, name, cs, ce, p) in enumerate(_sentences(doc)):
        sentence = text[s:e]
        if (cs, ce) != context_key:
            context_key, context = (cs, ce), text[cs:ce]
        row = {"claim_id": make_claim_id(doc_id, s, e, sentence), "doc_id": doc_id, "text": sentence,
               "start": s, "end": e, "is_claim": is_claim, "reason": reason, "speaker": speaker,
               "speaker_name": name, "context": context, "context_start": cs, "paragraph": p,
               "sentence": n}
        row.update(meta)
        yield row


def document_row(doc: Document) -> dict[str, Any]:
    """The documents-file row of ``doc``: the exact text its claims' offsets index, and where it came from.

    ``text[start:end]`` of this row is a claim's ``text``; ``sha1`` is of the text's UTF-8 bytes. A page
    also names the extractor (and its version) that made the text, since another version may give
    another text and other offsets.
    """
    fmt = document_format(doc.path)
    row: dict[str, Any] = {"doc_id": doc.doc_id, "source_file": doc.meta.get("source_file", doc.path),
                           "format": fmt, "sha1": hashlib.sha1(doc.text.encode("utf-8")).hexdigest()}
    if fmt == "html":
        row.update(extractor())
    row["text"] = doc.text  # last: the short fields stay readable at the head of a line
    return row
