"""The Markdown a claim's context carries (``**Q:**``, ``*shadow fleet*``, ``> `` quotes, ``- `` list
items, ``#`` headings, a table's pipes), rendered for the annotator's page only.

The context stays an exact slice of its document: every character of it is in the markup as text,
and the markers an annotator should not read are there too, in a hidden ``<span data-md>``; what
the page adds (a bullet for a list item's ``-``) is in a ``<span data-md-shown>`` the pull drops
(``annotate.pull_rows.context_from_html``). Every piece of text is escaped by the caller's ``escape``
(``claim_tasks.shown_html``: bidi controls as markers); no document text is ever markup.
"""

from __future__ import annotations

import html
import re
from typing import Callable, Iterator

from corpus.safetext import BIDI_CONTROLS

HIDDEN = '<span data-md="" style="display: none">{}</span>'
SHOWN = '<span data-md-shown="" style="color: #888">{}</span>'   # page-only text, dropped by the pull
QUOTE_BAR = '<span style="border-left: 3px solid #bbb; margin-right: 0.5em"></span>'
FAINT = '<span style="color: #bbb">{}</span>'   # a table's pipes: kept, faint

# Line starts: a heading's hashes, a blockquote's '>', a list item's bullet, a table row's pipes.
HEADING = re.compile(r"#{1,6}[ \t]+")
QUOTE = re.compile(r"(?:>[ \t]?)+")
BULLET = re.compile(r"([ \t]*)([-*+])[ \t]+")
# Emphasis within a line: a marker opens before a non-space and closes after one; '*' and '_' not
# inside a word (snake_case, 5*3*2 stay as they are); '**'/'__' before '*'/'_'.
EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__)(?=[^\s*_])([^\n]*?[^\s*_])\1(?![\w*])"
                      r"|(?<![\w*])(\*|_)(?=[^\s*_])([^\n]*?[^\s*_])\3(?![\w*])")
LINK = re.compile(r"\[([^\[\]\n]+)\]\((\S+?)\)")
INLINE = re.compile(f"{EMPHASIS.pattern}|{LINK.pattern}")   # groups 1-4 emphasis, 5-6 a link


def _inline(text: str) -> Iterator[tuple[str, str]]:
    """The parts of ``text`` (no line break) with its emphasis and links (see ``_parts``)."""
    pos = 0
    for m in INLINE.finditer(text):
        yield "text", text[pos:m.start()]
        if m.group(5) is not None:   # a link: its text underlined, the target hidden (and in its title)
            yield "hidden", "["
            yield "tag", f'<u title="{html.escape(m.group(6), quote=True)}">'
            yield from _inline(m.group(5))
            yield "tag", "</u>"
            yield "hidden", f"]({m.group(6)})"
        else:
            marker, inner = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            tag = "b" if len(marker) == 2 else "i"
            yield "hidden", marker
            yield "tag", f"<{tag}>"
            yield from _inline(inner)
            yield "tag", f"</{tag}>"
            yield "hidden", marker
        pos = m.end()
    yield "text", text[pos:]


def _table_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|")


def _line(line: str, at_start: bool) -> Iterator[tuple[str, str]]:
    """The parts of one line of a segment; ``at_start``: whether it begins a line of the context."""
    if not at_start:
        yield from _inline(line)
        return
    if _table_line(line):
        for part in re.split(r"(\|)", line):
            if part == "|":
                yield "pipe", part
            else:
                yield from _inline(part)
        return
    m = HEADING.match(line)
    if m:
        yield "hidden", m.group(0)
        yield "tag", "<b>"
        yield from _inline(line[m.end():])
        yield "tag", "</b>"
        return
    m = QUOTE.match(line)
    if m:
        yield "hidden", m.group(0)
        yield "tag", QUOTE_BAR
        line = line[m.end():]
    m = BULLET.match(line)
    if m:
        yield "text", m.group(1)
        yield "bullet", m.group(0)[len(m.group(1)):]
        line = line[m.end():]
    yield from _inline(line)


def _parts(segment: str, at_line_start: bool) -> Iterator[tuple[str, str]]:
    """A piece of a context (before the claim, the claim, after it) as the page shows it, in order, as
    (kind, value): ``text`` shown as written; ``hidden``, a marker the page hides; ``bullet``, a list
    item's marker (hidden, a bullet shown in its place); ``pipe``, a table's, shown faint; ``break``,
    a line break; ``tag``, markup around what is shown (no character of the segment). Every character
    of ``segment`` is in exactly one value of the first five kinds, in order. ``at_line_start`` says
    whether it begins a line of the context (its start, or after a break)."""
    for i, line in enumerate(segment.split("\n")):
        if i:
            yield "break", "\n"
        yield from _line(line, at_line_start or i > 0)


def markdown_html(segment: str, at_line_start: bool, escape: Callable[[str], str]) -> str:
    """A piece of a context (before the claim, the claim, after it) as the page shows it:
    ``at_line_start`` says whether it begins a line of the context (its start, or after a break)."""
    out: list[str] = []
    for kind, value in _parts(segment, at_line_start):
        if kind == "text":
            out.append(escape(value))
        elif kind == "hidden":
            out.append(HIDDEN.format(escape(value)))
        elif kind == "bullet":
            out.append(HIDDEN.format(escape(value)) + SHOWN.format("• "))
        elif kind == "pipe":
            out.append(FAINT.format(value))
        else:   # a break, a tag
            out.append(value)
    return "".join(out)


# The claim's own line (a Label Studio Text, where framing cues are marked) shows text, never markup:
# there a marker the context hides is a zero-width space in its place, so that an offset into the
# line is one into the claim (``claim_tasks.shown_fields``; the pull reads a cue's text from the claim).
ZERO_WIDTH = "\u200b"


def plain_shown(text: str) -> str:
    """The claim as its own line shows it: each character ``markdown_html`` hides (emphasis and link
    markers; after a line break in the claim, a heading's hashes and a quotation's '>') a zero-width
    space, a list item's '-' a bullet; every other character (bidi controls too) as it is, so the
    result is as long as ``text``. The claim's first line is not taken to open a line (a claim
    starts a sentence: the claims step leaves a list item's or heading's marker out of it)."""
    out: list[str] = []
    for kind, value in _parts(text, False):
        if kind == "hidden":
            out.append("".join(c if BIDI_CONTROLS.match(c) else ZERO_WIDTH for c in value))
        elif kind == "bullet":
            out.append("\u2022" + value[1:])
        elif kind != "tag":
            out.append(value)
    return "".join(out)
