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
from typing import Callable

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


def _inline(text: str, escape: Callable[[str], str]) -> str:
    """``text`` (no line break) with its emphasis and links rendered, every piece escaped."""
    out: list[str] = []
    pos = 0
    for m in INLINE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        if m.group(5) is not None:   # a link: its text underlined, the target hidden (and in its title)
            out.append(HIDDEN.format("["))
            out.append(f'<u title="{html.escape(m.group(6), quote=True)}">{_inline(m.group(5), escape)}</u>')
            out.append(HIDDEN.format(escape(f"]({m.group(6)})")))
        else:
            marker, inner = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            tag = "b" if len(marker) == 2 else "i"
            out.append(HIDDEN.format(escape(marker)) + f"<{tag}>{_inline(inner, escape)}</{tag}>"
                       + HIDDEN.format(escape(marker)))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _table_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|")


def _line(line: str, at_start: bool, escape: Callable[[str], str]) -> str:
    """One line of a segment; ``at_start``: whether it begins a line of the context."""
    if not at_start:
        return _inline(line, escape)
    if _table_line(line):
        return "".join(FAINT.format("|") if part == "|" else _inline(part, escape)
                       for part in re.split(r"(\|)", line))
    prefix = ""
    m = HEADING.match(line)
    if m:
        return HIDDEN.format(escape(m.group(0))) + "<b>" + _inline(line[m.end():], escape) + "</b>"
    m = QUOTE.match(line)
    if m:
        prefix += HIDDEN.format(escape(m.group(0))) + QUOTE_BAR
        line = line[m.end():]
    m = BULLET.match(line)
    if m:
        prefix += escape(m.group(1)) + HIDDEN.format(escape(m.group(0)[len(m.group(1)):])) + SHOWN.format("• ")
        line = line[m.end():]
    return prefix + _inline(line, escape)


def markdown_html(segment: str, at_line_start: bool, escape: Callable[[str], str]) -> str:
    """A piece of a context (before the claim, the claim, after it) as the page shows it:
    ``at_line_start`` says whether it begins a line of the context (its start, or after a break)."""
    lines = segment.split("\n")
    return "\n".join(_line(line, at_line_start or i > 0, escape) for i, line in enumerate(lines))


# The claim's own line (a Label Studio Text, where framing cues are marked) shows text, never markup:
# there a marker the context hides is a zero-width space in its place, so that an offset into the
# line is one into the claim (``claim_tasks.shown_fields``; the pull reads a cue's text from the claim).
ZERO_WIDTH = "\u200b"


def _inline_markers(text: str, base: int, out: list[tuple[int, int]]) -> None:
    """The (start, end) of every emphasis and link marker of ``text`` (one line), as ``_inline`` hides them."""
    for m in INLINE.finditer(text):
        if m.group(5) is not None:   # '[' and '](target)'
            out.append((base + m.start(), base + m.start() + 1))
            _inline_markers(m.group(5), base + m.start(5), out)
            out.append((base + m.end(5), base + m.end()))
        else:
            group = 2 if m.group(1) else 4
            out.append((base + m.start(), base + m.start(group)))
            _inline_markers(m.group(group), base + m.start(group), out)
            out.append((base + m.end(group), base + m.end()))


def plain_shown(text: str) -> str:
    """The claim as its own line shows it: each character ``markdown_html`` hides (emphasis and link
    markers; after a line break in the claim, a heading's hashes and a quotation's '>') a zero-width
    space, a list item's '-' a bullet; every other character (bidi controls too) as it is, so the
    result is as long as ``text``. The claim's first line is not taken to open a line (a claim
    starts a sentence: the claims step leaves a list item's or heading's marker out of it)."""
    hidden: list[tuple[int, int]] = []
    bullets: list[int] = []
    base = 0
    for i, line in enumerate(text.split("\n")):
        rest = 0
        if i > 0 and _table_line(line):   # the pipes stay; each cell as a line's inside
            for part in re.finditer(r"[^|]+", line):
                _inline_markers(part.group(0), base + part.start(), hidden)
            base += len(line) + 1
            continue
        if i > 0:
            m = HEADING.match(line)
            q = None if m else QUOTE.match(line)
            rest = (m or q).end() if (m or q) else 0
            if rest:
                hidden.append((base, base + rest))
            b = None if m else BULLET.match(line, rest)
            if b:
                bullets.append(base + b.start(2))
                rest = b.end()
        _inline_markers(line[rest:], base + rest, hidden)
        base += len(line) + 1
    chars = list(text)
    for start, end in hidden:
        for j in range(start, end):
            if not BIDI_CONTROLS.match(chars[j]):
                chars[j] = ZERO_WIDTH
    for j in bullets:
        chars[j] = "\u2022"
    return "".join(chars)
