"""What one paragraph says about who speaks: a byline, a turn label, a commenter's line or handle, a
comments heading, an editorial marker, an embedded post's signature. voices.py reads these line by line to give each paragraph of a
document its voice.
"""

from __future__ import annotations

import re

from corpus.names import NAME, clean_name, strip_titles
from corpus.records import INTERVIEWEE, INTERVIEWER

# "By A and B", "Published 16 March 2026 by A", "Posted on May 5, 2024 by A"
BYLINE_LEADS = ("By", "by", "BY", "Published", "Posted", "Written", "Reported", "Updated")
_BYLINE = re.compile(rf"^(?:(?:Published|Posted|Written|Reported|Updated)(?:\s+(?:on\s+)?[\w,.: ]{{1,32}}?)?\s+by|By|by|BY)"
                     rf"\s+({NAME}(?:\s*(?:,|and|&)\s*{NAME})*)\s*(?:[,|–—-].{{0,60}})?$")
_BYLINE_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")

# a marker opens its paragraph, followed by the turn's text or alone (the text follows below);
# "Interviewer:" is the interviewer's turn as "Q:" is, whoever the hints name
_QA_MARKER = re.compile(r"(?:(?P<q>Question|Q|Interviewer)|(?P<a>Answer|A))\s*:(?:\s+(?=\S)|\s*$)")
# a name's capital: Latin, or Cyrillic ("Иван Петров:", an English interview keeping its people's names as written)
_CAPITAL = "[A-ZА-ЯЁІЇЄҐ]"
_CYRILLIC = re.compile("[А-ЯЁІЇЄҐ]")   # a name in Cyrillic is a turn's as a first name and a surname ("Иван Петров:")
# "PESKOV:", "Dmitry Peskov:", and a transcript's "WOLF BLITZER, CNN ANCHOR:" or
# "DMITRY PESKOV, KREMLIN SPOKESMAN (through translator):"
# a party or state after the name ("SEN. LINDSEY GRAHAM (R),", "REP. ADAM SCHIFF (D-CA),"), then a role
# of up to five capitalised words ("Kremlin Spokesman"), or in capitals and holding commas ("SENIOR
# FELLOW, ATLANTIC COUNCIL")
_NAME_MARKER = re.compile(rf"(?P<name>(?:{_CAPITAL}[\w'’.-]*\s+){{0,3}}{_CAPITAL}[\w'’-]*)(?:\s+\([A-Z][\w .-]{{0,11}}\))?"
                          r"(?:,\s+(?P<role>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*|[A-Z][A-Z0-9 .,'’&/-]{0,110}?[A-Z.]))?"
                          r"(?:\s+\([^()\n]{1,40}\))?"
                          r"\s*:(?:\s+(?=\S)|\s*$)")
NOT_SPEAKERS = frozenset("""note notes update updates editor editors source sources photo photos image
    related read see also warning summary background example disclaimer correction tags tag
    category categories posted filed share subscribe comment comments reply replies bottom line
    conclusion introduction abstract keywords key points takeaway tldr ps p.s edit by""".split())

_EDITORIAL = re.compile(
    r"\[(?:my emphasis|emphasis (?:mine|added|in (?:the )?original)|end (?:of )?(?:the )?"
    r"(?:quote|excerpt|interview|transcript|repost|article)|bold(?:ing)? mine|italics mine)\]", re.I)
# "[...]", "[sic]" and "[snip]" stand inside quoted sentences: they are not split out as markers.
REPOST_END = re.compile(
    r"\[(?:my emphasis|emphasis (?:mine|added)|end (?:of )?(?:the )?(?:quote|excerpt|interview|"
    r"transcript|repost|article)|bold(?:ing)? mine|italics mine)\]", re.I)

# "Comments", "3 Comments", "Replies", "Reader responses" open the comments, and "Discussion" or
# "Responses" with a count ("42 Responses", "Discussion (12)"): alone they are sections of a report.
# In Markdown only a comments heading does ("## Comments", "**Comments (3)**"): "## Replies" is a section.
COMMENTS_HEADING = re.compile(
    r"^(?:(?:\d+\s+)?(?:reader(?:s'?|'s)?\s+)?(?:comments?|replies)(?:\s*\(\d+\))?"
    r"|reader(?:s'?|'s)?\s+responses|\d+\s+(?:responses?|discussion)|(?:responses?|discussion)\s*\(\d+\)"
    r"|(?:#{1,6}\s+|\*\*)(?:\d+\s+)?(?:reader(?:s'?|'s)?\s+)?comments?(?:\s*\(\d+\))?)"
    r"\s*:?(?:\*\*)?$", re.I)
# "jdoe says:" / "Jane Doe said on May 5, 2024 at 3:12 pm" alone on a line opens a comment; after the verb
# only a date and time ("Russia's defence ministry said 12 drones were shot down." is a story's sentence)
_COMMENT_DATE = (r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
                 r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})")
_COMMENT_TIME = r"\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?"
_COMMENT_BYLINE = re.compile(r"^(?P<name>[\w'’.@ -]{1,40}?)\s+(?:says|said|wrote|writes)\s*:?\s*"
                             rf"(?:(?:on\s+)?{_COMMENT_DATE}(?:,?\s+(?:at\s+)?{_COMMENT_TIME})?|(?:at\s+)?{_COMMENT_TIME})?"
                             r"\s*:?$")
INTERJECTION = re.compile(
    r"^(?:heh|hah|haha|hehe|lol|lmao|wow|yeah|yep|yes|nope|meh|ugh|oh|ah|hmm+|thanks|thank you|"
    r"great (?:post|article|piece)|good (?:post|article|piece)|nice|agreed|indeed|exactly|sure|"
    r"well said|bravo|@\w+)\b", re.I)
# "Greg_in_Ohio: Great repost." / "Old Soldier: ..." opening a comment: one token, or up to 3 capitalised words
_COMMENT_HANDLE = re.compile(r"(?P<name>@?[^\s:\"“”«»()\[\]]{1,40}|(?:[A-Z0-9][\w'’.-]*\s+){1,2}[A-Z0-9][\w'’.-]*)"
                             r"\s*:(?:\s+(?=\S)|\s*$)")
INTRO_NAME = re.compile(rf"(?:(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+)?(?P<name>{NAME})\s*:\s*$")


def parse_byline(line: str) -> list[str] | None:
    """The names in a ``By X and Y`` line, or None when the line is not a byline."""
    line = line.strip()
    if len(line) > 150:
        return None
    m = _BYLINE.match(line)
    if not m or _clause_after(line[m.end(1):]):
        return None   # "By Sunday, neither side had set a date.": a sentence, no byline
    names = [clean_name(n) for n in _BYLINE_SPLIT.split(m.group(1)) if clean_name(n)]
    if any(_NOT_NAME.search(n) for n in names):
        return None   # "By February", "By Monday night", "By Putin's order"
    return names or None


# a Markdown byline in italics or bold under the title: "*By Jane Roe*", "*Policy brief, Institute for
# Comparative Statecraft, March 2026. Author: Dr. Ruth Feldmann.*"
_EMPHASIS_WRAP = re.compile(r"(?P<em>\*\*|__|\*|_)(?=\S)(?P<inner>[^*_\n]{3,200}?)(?<=\S)(?P=em)")
_AUTHOR_CREDIT = re.compile(rf"(?:^|[.;|–—]\s*)(?:Authors?|Written by|Text)\s*:?\s+(?:(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+)?"
                            rf"(?P<names>{NAME}(?:\s*(?:,|and|&)\s*(?:(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+)?{NAME})*)\s*\.?$")


def emphasised_byline(para: str) -> list[str] | None:
    """The names of a byline wrapped whole in Markdown emphasis: ``*By Jane Roe*``, or a credit line ending
    ``Author: X.`` (``*Policy brief, <org>, March 2026. Author: Dr. Ruth Feldmann.*``); else None."""
    m = _EMPHASIS_WRAP.fullmatch(para.strip())
    if m is None:
        return None
    inner = m.group("inner").strip()
    names = parse_byline(inner) if inner.startswith(BYLINE_LEADS) else None
    if names:
        return names
    credit = _AUTHOR_CREDIT.search(inner)
    if credit is None:
        return None
    names = [strip_titles(clean_name(n)) for n in _BYLINE_SPLIT.split(credit.group("names")) if clean_name(n)]
    return names if names and not any(_NOT_NAME.search(n) for n in names) else None


# a byline's name is no day, month, season nor possessive ("By Sunday", "By February", "By Putin's order")
_NOT_NAME = re.compile(r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
                       r"April|May|June|July|August|September|October|November|December|Spring|Summer|Autumn|"
                       r"Fall|Winter|Then|Now|Noon|Midnight|Dawn|Nightfall|Christmas|Easter)\b|['’]s\b")
_CLAUSE_WORDS = frozenset("""had has have was were is are will would could can did does not no neither nor
    never the a an it they we he she there this that""".split())


def _clause_after(tail: str) -> bool:
    """Words after a byline's names that make a clause ("By Sunday, neither side had set a date."), not a
    credit ("By Jana Kovac, Reuters", "By Jana Kovac | March 11, 2026", "By A, with reporting by B")."""
    words = tail.strip(" ,").split()
    return tail.lstrip().startswith(",") and len(words) >= 3 and (
        tail.rstrip().endswith((".", "!", "?")) or any(w.lower() in _CLAUSE_WORDS for w in words))


# a Markdown turn label in bold or italics: "**Q:**", "__A:__", "*Question:*", "**Vollmer**:", "**Q.**"
_EMPHASISED_MARKER = re.compile(rf"(?P<em>\*\*|__|\*|_)(?={_CAPITAL})(?P<label>[^*_:\n]{{1,120}}?)"
                                r"(?:(?P<inside>[:.])(?P=em)|(?P=em)\s*:)(?:\s+(?=\S)|\s*$)")

# the first word of a bold lead-in that opens a newsletter's or explainer's paragraph, no speaker's label
_LEAD_INS = frozenset("""the an what why how where when who which yes no go zoom driving between reality
    state catch flashback context details detail fact facts timeline data numbers highlights lesson lessons
    verdict claim claims rating sidebar tip tips pro con pros cons next meanwhile plus also more""".split())


def turn_marker(para: str) -> tuple[str, str | None, int, str | None] | None:
    """(role, name, marker length, the role after the name) when ``para`` opens with a turn marker.

    A Markdown label in bold or italics (``**Q:** ...``, ``__A:__``, ``*Question:*``, ``**Vollmer:**``)
    is a marker as the plain one is, and so is a Q or A with a full stop inside the emphasis
    (``**Q.**``); the marker's length takes in the closing emphasis.
    """
    if para.find(":", 0, 180) < 0 and not para.startswith(("*", "_")):  # the common case, without a regex
        return None
    if para.startswith(("*", "_")):
        m = _EMPHASISED_MARKER.match(para)
        if m is None:
            return None
        label = m.group("label").rstrip()
        if m.group("inside") == "." and label not in ("Q", "A"):
            return None   # "*Note.*", "**Update.**": no turn
        if label.split()[0].lower() in _LEAD_INS:
            return None   # "**Why it matters:**", "**The big picture:**", "**Context:**": a newsletter's lead-in
        found = _label_marker(label + ":")
        return found[:2] + (m.end(),) + found[3:] if found and found[2] == len(label) + 1 else None
    return _label_marker(para)


def _label_marker(para: str) -> tuple[str, str | None, int, str | None] | None:
    m = _QA_MARKER.match(para)
    if m:
        return (INTERVIEWER if m.group("q") else INTERVIEWEE), None, m.end(), None
    m = _NAME_MARKER.match(para)
    if m:
        name = m.group("name")
        words = name.lower().replace(".", "").split()
        if len(words) < 2 and _CYRILLIC.search(name):
            return None   # "Москва:", "Итоги:", "**Россия:**": no word list tells a place or a heading from a surname
        if len(name) <= 40 and not any(w in NOT_SPEAKERS for w in words):
            return "?", clean_name(name), m.end(), m.group("role")
    return None


# A commenter's name in Markdown bold or italics, as blog exports write it: "**Maria K.** says:",
# "*jdoe* wrote on May 5, 2024", "**Old Soldier:** The Kiev regime ...", "__Anna__: Sources?"
_EMPHASISED_NAME = re.compile(r"(?P<em>\*\*|__|\*|_)(?P<name>[^*\n]{1,40}?)(?P=em)(?=\s)")
_EMPHASISED_HANDLE = re.compile(r"(?P<em>\*\*|__|\*|_)(?P<name>[^*:\n]{1,40}?)(?::(?P=em)|(?P=em)\s*:)"
                                r"(?:\s+(?=\S)|\s*$)")


def comment_byline(para: str) -> str | None:
    """The commenter's name when ``para`` is a short ``NAME says:`` line (the name may be in Markdown
    bold or italics: ``**Maria K.** says:``)."""
    if len(para) > 80:
        return None
    em = _EMPHASISED_NAME.match(para) if para.startswith(("*", "_")) else None
    if em:
        para = em.group("name") + para[em.end():]
        if re.search(r"\ssaid\s*:?\s*$", para):
            return None   # "**Dmitry Peskov** said:" over a quotation: an article's, not a comment's
    m = _COMMENT_BYLINE.match(para)
    return clean_name(m.group("name")) if m else None


def _plain_name(para: str) -> str:
    """``para`` with the emphasis around a name opening it taken off (``**Maria K.** wrote:`` -> ``Maria K. wrote:``)."""
    em = _EMPHASISED_NAME.match(para) if para.startswith(("*", "_")) else None
    return em.group("name") + para[em.end():] if em else para


def prose_lead_in(para: str) -> bool:
    """True when ``para``, a ``NAME said:`` line (``comment_byline``), could as well be an article's lead-in
    (``Lavrov said:`` over a quotation): no date or time after the verb, and a name in a person's or a
    body's form, not a username's (``jdoe``, ``Greg_in_Ohio``, ``@ivan``, ``anna1984``)."""
    para = _plain_name(para)
    m = _COMMENT_BYLINE.match(para)
    if m is None:
        return False
    dated = any(c.isdigit() for c in para[m.end("name"):])
    return not dated and _person_form(m.group("name"))


def _person_form(name: str) -> bool:
    """A name in a person's or a body's form (``Lavrov``, ``Maria K.``, ``The ministry``), not a username's."""
    return name[:1].isupper() and not re.search(r"[\d_@]", name)


# "Lavrov said on 5 May 2024:" over a quotation: the verb, a date with no time of day, the colon last (a comment's
# header puts the colon after the verb, "Maria K. says: May 5, 2024 at 3:12 pm", or none, or gives the time)
_DATED_LEAD_IN = re.compile(rf"^(?P<name>[\w'’. -]{{1,40}}?)\s+(?:said|wrote)\s+(?:on\s+)?{_COMMENT_DATE}\s*:$")


def dated_lead_in(para: str) -> bool:
    """True when ``para``, a dated ``NAME said on DATE:`` line (``comment_byline``), could as well be an article's
    lead-in (``Lavrov said on 5 May 2024:``): ``said``/``wrote``, a date with no time of day, the colon after the
    date, and a name in a person's or a body's form (``prose_lead_in`` asks the same of an undated line)."""
    m = _DATED_LEAD_IN.match(_plain_name(para)) if len(para) <= 80 else None
    return m is not None and _person_form(m.group("name"))


def quote_header(para: str) -> str | None:
    """The quoted commenter's name when ``para`` is a forum's quotation header, ``NAME said:`` or ``NAME wrote:``
    (XenForo, phpBB) with nothing after the colon, no date: over a ``>`` block it quotes an earlier post inside
    another's reply (a WordPress post header says ``says:``, or is dated)."""
    m = _COMMENT_BYLINE.match(_plain_name(para)) if len(para) <= 80 and para.endswith(":") else None
    if m is None or not re.fullmatch(r"\s+(?:said|wrote)\s*:", m.string[m.end("name"):]):
        return None
    return clean_name(m.group("name"))


def comment_handle(para: str) -> tuple[str, int] | None:
    """(handle, marker length) when a comment opens with ``handle:`` (``Greg_in_Ohio: Great post.``), in
    Markdown bold or italics too (``**Old Soldier:** ...``; the length takes in the closing emphasis)."""
    if para.find(":", 0, 48) < 0:
        return None
    if para.startswith(("*", "_")):
        em = _EMPHASISED_HANDLE.match(para)
        plain = comment_handle(em.group("name") + ":") if em else None
        return (plain[0], em.end()) if em and plain else None
    m = _COMMENT_HANDLE.match(para)
    if m is None:
        return None
    name = m.group("name")
    words = name.lower().replace(".", "").split()
    if not any(c.isalpha() for c in name) or any(w in NOT_SPEAKERS for w in words):
        return None
    return clean_name(name), m.end()


_PAGE_START = (re.compile(r"<h1\b", re.I), re.compile(r"<article\b", re.I), re.compile(r"<body\b", re.I))
_PAGE_SKIP = re.compile(r"<(script|style|noscript|svg)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_PAGE_BLOCK = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|header|footer|section|article|aside|address|time|figure|"
                         r"figcaption|table|tr|td|blockquote|br|hr|dt|dd)\b[^>]*>", re.I)
_PAGE_TAG = re.compile(r"<[^>]*>")


def page_byline(page: str) -> list[str] | None:
    """The names of a ``By X`` line a page shows under its headline (``By Jana Kovac | March 11, 2026``),
    or None: looked for in the short lines from the first ``<h1>`` (else ``<article>``, ``<body>``) up to
    the first long one, where the story begins."""
    import html

    start = next((m.start() for pattern in _PAGE_START if (m := pattern.search(page)) is not None), 0)
    chunk = _PAGE_SKIP.sub(" ", page[start:start + 20000])
    text = html.unescape(_PAGE_TAG.sub("", _PAGE_BLOCK.sub("\n", chunk)))
    for line in (" ".join(line.split()) for line in text.splitlines()):
        if len(line) > 200:
            break
        names = parse_byline(line) if line.startswith(BYLINE_LEADS) else None
        if names:
            return names
    return None


# the signature an embedded post ends with: "— Russian MFA (@mfa_russia) March 11, 2026" (X, Bluesky,
# Threads), the account's name and handle, then the date it was posted (perhaps a time): an op-ed's
# sign-off "— Jana Kovac (@jkovac)" or "— Jane Doe (@jdoe) contributed reporting" has none
_POST_DATE = (r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2}"
              r"|\d{1,2}/\d{1,2}/\d{2,4})")
_POST_SIGNATURE = re.compile(r"[—–-]{1,2}\s*(?P<name>[^()\n]{1,60}?)\s*\((?P<handle>@[\w.]{1,60})\)"
                             rf"\s+(?:on\s+)?{_POST_DATE}(?:,?\s+(?:at\s+)?\d{{1,2}}:\d{{2}}(?:\s*[AaPp][Mm])?)?\s*")


def post_signature(para: str) -> str | None:
    """The account an embedded post's signature line names (``Russian MFA (@mfa_russia)``), else None."""
    m = _POST_SIGNATURE.fullmatch(para) if len(para) <= 140 else None
    return f"{clean_name(m.group('name'))} ({m.group('handle')})" if m else None


def editorial_marker(sentence: str) -> re.Match[str] | None:
    """An editorial marker such as ``[My Emphasis]`` in a sentence, if any."""
    return _EDITORIAL.search(sentence) if "[" in sentence else None
