"""Text from the data, made safe to show: in HTML, in Markdown, on a terminal.

Claims, outlet names, file names and project titles come from documents and servers the user does
not control. ``html_text`` escapes them for a page; ``markdown_text`` for a Markdown table or
paragraph (a renderer passes raw HTML through, and a ``|`` splits a cell). Both show the
bidirectional controls (embeddings, overrides, isolates, the left-to-right and right-to-left marks)
as visible markers, ``⟨U+202E⟩`` (``marked``): as they are they are invisible and reorder whatever
follows them on a line (a claim ending in U+202E turned a report's own "(Kremlin)" into
"(nilmerK)"), and dropped they would hide that the text holds them. The stored text never changes:
only what is shown. ``visible`` writes every terminal control as its escape.
"""

from __future__ import annotations

import html
import re
from typing import Any

# U+200E-U+200F (marks), U+202A-U+202E (embeddings, overrides) and U+2066-U+2069 (isolates).
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 controls but tab, newline and carriage return; DEL and the C1 controls; the bidi controls.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def marker(control: str) -> str:
    """How a bidi control is shown: ``⟨U+202E⟩``, plain visible text without a direction of its own."""
    return f"\u27e8U+{ord(control):04X}\u27e9"


def marked(text: str) -> str:
    """``text`` with each bidi control shown as its ``marker``: nothing in it reorders what follows."""
    return BIDI_CONTROLS.sub(lambda m: marker(m.group(0)), text)


def text_offset(text: str, shown: int, end: bool = False) -> int:
    """The offset in ``text`` of offset ``shown`` in ``marked(text)``: a start inside a marker is its
    control's, an ``end`` inside one is just after its control (a span keeps a control it touches)."""
    position = 0   # where text[i] starts in the marked text
    for i, char in enumerate(text):
        width = len(marker(char)) if BIDI_CONTROLS.fullmatch(char) else 1
        if shown < position + width:
            return i + (1 if end and shown > position else 0)
        position += width
    return len(text)


def html_text(value: Any) -> str:
    """``value`` as text for an HTML page or attribute: escaped, bidi controls shown as markers
    (``marked``); None is ''."""
    return html.escape(marked("" if value is None else str(value)))


def markdown_text(value: Any) -> str:
    """``value`` as text for Markdown: ``<``, ``>``, ``&`` escaped as in HTML, ``|``, ``[`` and ``]``
    with a backslash (a cell stays one cell; a link or a remote image from the data stays text), bidi
    controls shown as markers, line breaks made spaces (a table row is one line)."""
    text = marked("" if value is None else str(value))
    escaped = html.escape(text, quote=False).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
    return " ".join(escaped.splitlines())


def visible(text: str) -> str:
    """``text`` with every terminal control written as its escape (``\\x1b``, ``\\u202e``)."""
    return _TERMINAL_CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
