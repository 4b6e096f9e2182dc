"""Text from the data, made safe to show: in HTML, in Markdown, on a terminal.

Claims, outlet names, file names and project titles come from documents and servers the user does
not control. ``html_text`` escapes them for a page; ``markdown_text`` for a Markdown table or
paragraph (a renderer passes raw HTML through, and a ``|`` splits a cell); both drop the
bidirectional embedding, override and isolate controls, which are invisible and reorder whatever
follows them on a line (a claim ending in U+202E turned a report's own "(Kremlin)" into
"(nilmerK)"). ``visible`` writes every terminal control as its escape.
"""

from __future__ import annotations

import html
import re
from typing import Any

# U+202A-U+202E (embeddings, overrides) and U+2066-U+2069 (isolates).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls but tab, newline and carriage return; DEL and the C1 controls; the bidi controls.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def html_text(value: Any) -> str:
    """``value`` as text for an HTML page or attribute: escaped, bidi controls dropped; None is ''."""
    return html.escape(BIDI_CONTROLS.sub("", "" if value is None else str(value)))


def markdown_text(value: Any) -> str:
    """``value`` as text for Markdown: ``<``, ``>``, ``&`` escaped as in HTML, ``|``, ``[`` and ``]``
    with a backslash (a cell stays one cell; a link or a remote image from the data stays text), bidi
    controls dropped, line breaks made spaces (a table row is one line)."""
    text = BIDI_CONTROLS.sub("", "" if value is None else str(value))
    escaped = html.escape(text, quote=False).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
    return " ".join(escaped.splitlines())


def visible(text: str) -> str:
    """``text`` with every terminal control written as its escape (``\\x1b``, ``\\u202e``)."""
    return _TERMINAL_CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
