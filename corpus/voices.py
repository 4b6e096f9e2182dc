"""Voices: who speaks in each paragraph and sentence of a document.

Generic rules first, then what the manifest's ``voices:`` hints state (a user's knowledge wins):

- a ``By X and Y`` line near the top names the author(s), whose prose the rest is;
- interview turns open a paragraph (``Question:``, ``Q:``, ``A:``, ``Answer:``, ``NAME:``) and last
  until the next turn marker, the end of a repost, or the comments;
- a blog post (``kind`` containing ``blog``, or with no kind but an interview closed by an
  editorial marker such as ``[My Emphasis]``) speaks in the blogger's voice around what it
  reposts; the repost ends at a hint or at that marker;
- a comments section starts at a hint, a ``Comments`` heading, a ``NAME says:`` line, or (after a
  repost) at a short informal paragraph opening with an interjection;
- in the comments, a paragraph opening with a ``handle:`` (``Greg_in_Ohio: ...``, ``Old Soldier: ...``)
  names its commenter, and the handle is split out like a turn marker;
- YAML front matter at the top of a Markdown file (the reader passes its end as the hint
  ``front_matter_end``) is metadata spoken by nobody in the text: its lines are kind ``front_matter``;
- in the document's own voice, a sentence with attributed quoted or reported speech
  (``"...", he said``, ``said X``, ``"...", foreign ministry spokeswoman X said``, ``X said that``,
  ``according to X``) is ``quoted``. A descriptor without a capitalised name (``"...", the deputy
  minister said``, ``one of them said``) is ``quoted`` with no name: a role is not an identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from corpus.records import AUTHOR, BLOGGER, COMMENTER, INTERVIEWEE, INTERVIEWER, QUOTED

ROW_HINTS = ("interviewer", "interviewee", "reposted_from")   # metadata fields read as voice hints
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|de|van|von|der|al|bin|da|di|le|la)"
_NAME = rf"[A-Z][\w'’.-]*(?:\s+{_NAME_WORD}){{0,4}}"
_BYLINE = re.compile(rf"^By\s+({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:[,|–—-].{{0,60}})?$")
_BYLINE_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")

# a marker opens its paragraph, followed by the turn's text or alone (the text follows below)
_QA_MARKER = re.compile(r"(?:(?P<q>Question|Q)|(?P<a>Answer|A))\s*:(?:\s+(?=\S)|\s*$)")
_NAME_MARKER = re.compile(r"(?P<name>(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*)\s*:(?:\s+(?=\S)|\s*$)")
_NOT_SPEAKERS = frozenset("""note notes update updates editor editors source sources photo photos image
    related read see also warning summary background example disclaimer correction tags tag
    category categories posted filed share subscribe comment comments reply replies bottom line
    conclusion introduction abstract keywords key points takeaway tldr ps p.s edit by""".split())

_EDITORIAL = re.compile(
    r"\[(?:my emphasis|emphasis (?:mine|added|in (?:the )?original)|end (?:of )?(?:the )?"
    r"(?:quote|excerpt|interview|transcript|repost|article)|bold(?:ing)? mine|italics mine)\]", re.I)
# "[...]", "[sic]" and "[snip]" stand inside quoted sentences: they are not split out as markers.
_REPOST_END = re.compile(
    r"\[(?:my emphasis|emphasis (?:mine|added)|end (?:of )?(?:the )?(?:quote|excerpt|interview|"
    r"transcript|repost|article)|bold(?:ing)? mine|italics mine)\]", re.I)

_COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:reader(?:s'?|'s)?\s+)?(?:comments?|responses?|replies|discussion)"
    r"(?:\s*\(\d+\))?\s*:?$", re.I)
# "jdoe says:" / "Jane Doe said on May 5, 2024 at 3:12 pm" alone on a line opens a comment
_COMMENT_BYLINE = re.compile(r"^(?P<name>[\w'’.@ -]{1,40}?)\s+(?:says|said|wrote|writes)\s*:?\s*"
                             r"(?:(?:on\s+)?[\w ,]*\d[\w ,:.]*)?$")
_INTERJECTION = re.compile(
    r"^(?:heh|hah|haha|hehe|lol|lmao|wow|yeah|yep|yes|nope|meh|ugh|oh|ah|hmm+|thanks|thank you|"
    r"great (?:post|article|piece)|good (?:post|article|piece)|nice|agreed|indeed|exactly|sure|"
    r"well said|bravo|@\w+)\b", re.I)
# "Greg_in_Ohio: Great repost." / "Old Soldier: ..." opening a comment: one token, or up to 3 capitalised words
_COMMENT_HANDLE = re.compile(r"(?P<name>@?[^\s:\"“”«»()\[\]]{1,40}|(?:[A-Z0-9][\w'’.-]*\s+){1,2}[A-Z0-9][\w'’.-]*)"
                             r"\s*:(?:\s+(?=\S)|\s*$)")
_INTRO_NAME = re.compile(rf"(?:(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+)?(?P<name>{_NAME})\s*:\s*$")

_SPEECH_VERB = (r"(?:said|says|say|told|tells|stated|states|claimed|claims|argued|argues|added|adds|"
                r"noted|notes|warned|warns|insisted|insists|announced|announces|declared|declares|"
                r"wrote|writes|explained|explains|asserted|asserts|stressed|stresses|emphasi[sz]ed)")
# a literal alternation is the cheapest test that a sentence holds no speech verb at all
_VERB_HINT = re.compile(r" said| says| say | told| tell| stated| states| claim| argue| added| adds| report|"
                        r" noted| notes| warn| insist| announc| declar| wrote| writes| explain|"
                        r" assert| stress| emphasi|ccording to")
_PRONOUNS = frozenset("he she they it".split())
_FIRST_PERSON = frozenset("i we me us my our".split())
_NOT_SUBJECTS = frozenset("""it this that these those there here what which who most many some all every
    none nobody everyone everybody anyone anybody one many few both each other others
    such so and but or yet as if when while although because since however thus also""".split())
_QUOTE_THEN_VERB = re.compile(
    rf"[\"”»],?\s+(?:(?P<pro>he|she|they)\s+{_SPEECH_VERB}|{_SPEECH_VERB}\s+(?P<after>{_NAME})|"
    rf"(?P<before>{_NAME})\s+{_SPEECH_VERB})\b")
# a quote that ends a clause (",", "?", "!"), then a descriptor and a speech verb, or the verb first:
# '"...," foreign ministry spokeswoman Maria Zakharova said' / '"...," said Kremlin spokesman Dmitry Peskov.'
_QUOTE_DESCRIPTOR = re.compile(
    rf"[,?!…]\s*[\"”»]\s+(?:(?P<desc>(?:[\w'’.-]+\s+){{1,7}}?){_SPEECH_VERB}\b|"
    rf"{_SPEECH_VERB}\s+(?P<desc_after>[^,;:!?\"“”«»]{{1,80}}?)\s*(?:[,;:!?]|\.?\s*$))")
_DESC_STOP = frozenset("""i we me us my our you your and but or nor so yet as if when while because
    which that who whom whose what is was are were be been has have had do did does not never
    this these those there here then than""".split())
# titles before a person's name ("President Joe Biden"), and words that qualify them ("Deputy Foreign")
_PERSON_TITLES = frozenset("""president minister secretary senator sen rep representative gen general
    col colonel lt maj major ambassador chancellor spokesman spokeswoman spokesperson chairman
    chairwoman director commander governor gov mayor mr ms mrs dr prof""".split())
_TITLES = _PERSON_TITLES | frozenset("vice prime deputy foreign defence defense interior finance chief".split())
# a name after one of these is where or whom the speaker is near, not the speaker ("for" is kept:
# "a spokesman for the Foreign Ministry" speaks for it)
_PLACE_PREPOSITIONS = frozenset("in to from at near of with by close outside inside".split())
# where a name after the verb ends: '"...," said Peskov on Monday'
_DESC_END = frozenset("""on in at last this during after before earlier later yesterday today to from
    with for adding according speaking""".split())
# a clause, then ", <who> said." closing the sentence: reported speech without quotation marks
_REPORTED_TAIL = re.compile(
    rf",\s+(?P<desc>(?:[\w'’.-]+\s+){{0,6}}?[\w'’.-]+)\s+(?:{_SPEECH_VERB}|reported|reports)"
    r"(?:\s+(?:on|in|last|this|earlier|later)(?:\s+\w+){0,2}|\s+(?:yesterday|today|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday))?\s*[.!]?\s*$")
_VERB_THEN_QUOTE = re.compile(rf"(?P<subj>{_NAME}|[Hh]e|[Ss]he|[Tt]hey)\s+{_SPEECH_VERB}\s*[:,]?\s*[\"“«]")
# the source runs to the first punctuation, but not to the stop of "U.S." or "Dr."
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+(?P<src>(?:[^,.;:!?()\"“”]|(?<=[A-Z])\.|(?<=\bMr)\.|(?<=\bMs)\.|"
                        r"(?<=\bDr)\.|(?<=\bMrs)\.|(?<=\bProf)\.){2,80})")
# when a statement was made: "said on Monday", "said in a statement", "said Tuesday"
_WHEN = (r"(?:\s+(?:on|in|last|this|earlier|later|recently)(?:\s+\w+){0,2}|"
         r"\s+(?:yesterday|today|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?")
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# words between a subject and its speech verb that are not who speaks: "Peskov also said", "The Kremlin
# has repeatedly said", "Peskov on Monday said"; a negation, a modal or a passive among them ("has never
# said", "would say", "is said to") makes the sentence the writer's (_NOT_SAID)
_BETWEEN = (r"(?P<between>(?:\s+(?:has|had|have|did|does|do|is|are|was|were|be|been|also|later|repeatedly|"
            r"again|previously|earlier|long|often|recently|once|already|still|reportedly|allegedly|publicly|"
            r"privately|openly|officially|separately|subsequently|then|now|first|initially|since|even|too|"
            r"not|never|will|would|could|can|may|might|should|must|[a-z]+n[’']t|"
            rf"(?:on|last|this|earlier|later)\s+(?:{_DAYS}|week|month|year|night|morning|afternoon|evening|weekend)|"
            rf"yesterday|today|{_DAYS}))*)")
_NOT_SAID = frozenset("not never will would could can may might should must is are was were be been".split())
# A subject may hold the full stops of abbreviations ("Dr.", "U.N."): the splitter ends sentences elsewhere.
_REPORTED = re.compile(
    rf"^(?P<subj>[A-Z][^!?;:\"“”]{{0,80}}?){_BETWEEN}\s+{_SPEECH_VERB}"
    r"(?:\s+(?:on|in|last|this|earlier|later|recently)(?:\s+\w+){0,2})?(?:\s+\w+)?\s*(?:that\b|:|,?\s*[\"“«])")
# reported speech without "that": "X said it was seeking access", "X told reporters the damage was old".
# Only say/tell, whose object is what was said ("announced a ceasefire" is an act, not speech), and
# only before what opens a clause (not "said nothing", "said so", "said goodbye").
_REPORTED_BARE = re.compile(
    rf"^(?P<subj>[A-Z][^!?;:\"“”]{{0,80}}?){_BETWEEN}\s+(?:said|says|say|(?:told|tells)\s+\w+)"
    rf"{_WHEN},?\s+(?:it|he|she|they|we|there|this|these|those|the|a|an|its|his|her|their|our|all|some|most|many|"
    r"only|[A-Z][\w'’.-]*|\d|[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,2}\s+(?:is|are|was|were|had|has|have|will|would|"
    r"could|can|may|might|should|must)\b)")  # "said prices are ...": a bare noun, then its verb


@dataclass(frozen=True)
class Voice:
    """The voice of one paragraph: a role from records.SPEAKERS, a name when known.

    ``marker_end`` is the offset just after a turn marker (``Question:``) or a commenter's handle
    opening the paragraph; ``kind`` is ``byline``, ``heading``, ``front_matter`` or ``text``;
    ``editor`` is the document's own voice inside a repost or interview, which speaks its editorial
    markers (``[My Emphasis]``).
    """

    speaker: str
    speaker_name: str | None = None
    marker_end: int | None = None
    kind: str = "text"
    editor: Voice | None = None


_KEEPS_STOP = re.compile(r"(?:^|\s)(?:(?:[A-Z]\.)+|Jr\.|Sr\.)$")  # "Nadiya K.", "U.S.", "John Smith Jr."


def _clean(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,;:")
    if not _KEEPS_STOP.search(name):
        name = name.rstrip(".").rstrip(" ,;:")
    return name.lstrip(".")


def parse_byline(line: str) -> list[str] | None:
    """The names in a ``By X and Y`` line, or None when the line is not a byline."""
    line = line.strip()
    if len(line) > 150:
        return None
    m = _BYLINE.match(line)
    if not m:
        return None
    names = [_clean(n) for n in _BYLINE_SPLIT.split(m.group(1)) if _clean(n)]
    return names or None


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _own_name(meta: dict[str, Any], hints: dict[str, Any]) -> str | None:
    if hints.get("author"):
        return str(hints["author"])
    for key in ("authors", "author", "blogger"):
        value = meta.get(key)
        if isinstance(value, list) and value:
            return _join_names([str(v) for v in value])
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _turn_marker(para: str) -> tuple[str, str | None, int] | None:
    """(role, name, marker length) when ``para`` opens with an interview turn marker."""
    if para.find(":", 0, 48) < 0:  # the common case, decided without a regex
        return None
    m = _QA_MARKER.match(para)
    if m:
        return (INTERVIEWER if m.group("q") else INTERVIEWEE), None, m.end()
    m = _NAME_MARKER.match(para)
    if m:
        name = m.group("name")
        words = name.lower().replace(".", "").split()
        if len(name) <= 40 and not any(w in _NOT_SPEAKERS for w in words):
            return "?", _clean(name), m.end()
    return None


def _comment_byline(para: str) -> str | None:
    """The commenter's name when ``para`` is a short ``NAME says:`` line."""
    m = _COMMENT_BYLINE.match(para) if len(para) <= 80 else None
    return _clean(m.group("name")) if m else None


def _comment_handle(para: str) -> tuple[str, int] | None:
    """(handle, marker length) when a comment opens with ``handle:`` (``Greg_in_Ohio: Great post.``)."""
    if para.find(":", 0, 48) < 0:
        return None
    m = _COMMENT_HANDLE.match(para)
    if m is None:
        return None
    name = m.group("name")
    words = name.lower().replace(".", "").split()
    if not any(c.isalpha() for c in name) or any(w in _NOT_SPEAKERS for w in words):
        return None
    return _clean(name), m.end()


def _find(paras: list[str], needle: str | None, start: int = 0) -> int | None:
    """Index of the first paragraph from ``start`` that starts with (or else contains) ``needle``."""
    if not needle:
        return None
    needle = needle.strip()
    for i in range(start, len(paras)):
        if paras[i].startswith(needle):
            return i
    for i in range(start, len(paras)):
        if needle in paras[i]:
            return i
    return None


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a_words, b_words = a.lower().split(), b.lower().split()
    return a_words[-1] == b_words[-1]


def _full_name(surname: str, before: str) -> str:
    """``Lyukmanov`` -> ``Alexander Lyukmanov`` when the earlier text names them in full."""
    m = re.search(rf"((?:[A-Z][\w'’-]+\s+){{1,2}}){re.escape(surname)}\b", before)
    if m and not m.group(1).split()[0].rstrip(".") in ("Mr", "Ms", "Mrs", "Dr", "Prof"):
        return _clean(m.group(0))
    return surname


def _abbreviates(label: str, full: str) -> bool:
    """``RFL`` for ``Radio Free Liberty``: a label in capitals made of the name's initials."""
    initials = "".join(w[0] for w in full.split() if w[:1].isupper())
    return len(label) >= 2 and label.isupper() and label.replace(".", "") == initials


def _hinted_names(roles: dict[str, str], interviewer: str | None, interviewee: str | None) -> dict[str, str]:
    """The name a turn label stands for when the hints (a manifest, or a row's fields) name its role.

    ``Ostapenko:`` is ``Maria Ostapenko`` and ``RFL:`` the interviewer ``Radio Svoboda Lite``: a label
    is the hinted name when it is its surname or its initials, or the only label in that role.
    """
    named: dict[str, str] = {}
    for role, hint in ((INTERVIEWER, interviewer), (INTERVIEWEE, interviewee)):
        if not isinstance(hint, str) or not hint.strip():
            continue
        labels = [label for label, r in roles.items() if r == role]
        for label in labels:
            if len(labels) == 1 or _same_person(label, hint) or _abbreviates(label, hint):
                named[label] = hint.strip()
    return named


def paragraph_voices(text: str, paragraphs: list[tuple[int, int]], meta: dict[str, Any]) -> list[Voice]:
    """One Voice per paragraph span of ``text``, from generic rules and the meta's voice hints."""
    hints = meta.get("voices")
    hints = hints if isinstance(hints, dict) else {}  # a JSONL row may carry any "voices" field
    # A JSONL or CSV row names its interview's people as plain fields: they are hints too.
    hints = {**{k: meta[k] for k in ROW_HINTS if isinstance(meta.get(k), str) and meta[k].strip()}, **hints}
    paras = [text[s:e] for s, e in paragraphs]
    n = len(paras)
    kind = str(meta.get("kind") or "").lower()
    blogish = "blog" in kind or "repost_start" in hints or "repost_end" in hints
    own_name = _own_name(meta, hints)
    fm_end = hints.get("front_matter_end")
    # paragraphs [0, top) are the YAML front matter (set by the Markdown reader)
    top = sum(1 for s, _ in paragraphs if s < fm_end) if isinstance(fm_end, int) and fm_end > 0 else 0

    byline = None
    if hints.get("byline", True):
        for i in range(top, min(top + 3, n)):
            names = parse_byline(paras[i]) if paras[i].startswith("By") else None
            if names:
                byline = i
                own_name = str(hints["author"]) if hints.get("author") else _join_names(names)
                break

    # the interview or repost region [rs, re]
    markers = [_turn_marker(p) if i >= top else None for i, p in enumerate(paras)]
    # a turn's first words: the marker's paragraph, or the next one when the marker stands alone
    opening = [paras[i + 1] if m and m[2] >= len(paras[i]) and i + 1 < n else paras[i]
               for i, m in enumerate(markers)]
    named = [(m[1], opening[i]) for i, m in enumerate(markers) if m and m[0] == "?"]
    if len({name for name, _ in named}) < 2 or not any("?" in p for _, p in named):
        # a transcript has two speakers and a question: "Note: ..." or "MOSCOW: ..." is not one
        markers = [m if m and m[0] != "?" else None for m in markers]
    rs = _find(paras, hints.get("repost_start"))
    if rs is None:
        rs = next((i for i, m in enumerate(markers) if m), None)
    re_ = None
    if rs is not None:
        re_ = _find(paras, hints.get("repost_end"), rs)
        if re_ is None:
            re_ = next((i for i in range(rs, n) if "[" in paras[i] and _REPOST_END.search(paras[i])), None)
            # "[My Emphasis]" closing an interview is how a blogger marks what they reposted
            blogish = blogish or (re_ is not None and "kind" not in meta)
    own_role = BLOGGER if blogish else AUTHOR

    # the comments section
    cs = _find(paras, hints.get("comments_start"), (re_ + 1) if re_ is not None else 0)
    if cs is None and isinstance(hints.get("comments_offset"), int):  # set by the HTML reader
        cs = next((i for i, (s, _) in enumerate(paragraphs) if s >= hints["comments_offset"]), None)
    if cs is None:
        after = (re_ + 1) if re_ is not None else (byline + 1 if byline is not None else top + 1)
        for i in range(after, n):
            if len(paras[i]) <= 80 and (_COMMENTS_HEADING.match(paras[i]) or _comment_byline(paras[i])):
                cs = i
                break
    if cs is None and blogish and re_ is not None:
        # the blogger closes a repost with a paragraph; a short informal one after that is a comment
        cs = next((i for i in range(re_ + 2, n) if _INTERJECTION.match(paras[i])), None)
    if rs is not None and cs is not None and rs >= cs:
        rs = re_ = None
    if rs is not None and (re_ is None or (cs is not None and re_ >= cs)):
        re_ = (cs - 1) if cs is not None else n - 1

    # names for interview roles
    interviewer = hints.get("interviewer")
    interviewee = hints.get("interviewee")
    if rs is not None and not interviewee and rs > 0:
        m = _INTRO_NAME.search(paras[rs - 1])
        if m:
            interviewee = _full_name(m.group("name").split()[-1], text[: paragraphs[rs - 1][1]])
    roles: dict[str, str] = {}
    if rs is not None:
        asks: dict[str, list[bool]] = {}
        for i in range(rs, re_ + 1):
            m = markers[i]
            if m and m[0] == "?":
                asks.setdefault(m[1], []).append(opening[i].rstrip().endswith("?"))
        for name, flags in asks.items():
            if _same_person(name, interviewee):
                roles[name] = INTERVIEWEE
            elif _same_person(name, interviewer):
                roles[name] = INTERVIEWER
            else:
                roles[name] = INTERVIEWER if sum(flags) * 2 > len(flags) else INTERVIEWEE

    named = _hinted_names(roles, interviewer, interviewee)

    voices: list[Voice] = []
    own = Voice(own_role, own_name)
    turn: Voice | None = None
    comment_name: str | None = None
    for i, (start, _end) in enumerate(paragraphs):
        if i < top:
            voices.append(Voice(own_role, own_name, kind="front_matter"))
        elif i == byline:
            voices.append(Voice(own_role, own_name, kind="byline"))
        elif cs is not None and i >= cs:
            name = _comment_byline(paras[i])
            handle = None if name else _comment_handle(paras[i])
            if name:
                comment_name = name
                voices.append(Voice(COMMENTER, comment_name, kind="heading"))
            elif _COMMENTS_HEADING.match(paras[i]):
                voices.append(Voice(COMMENTER, None, kind="heading"))
            elif handle:
                comment_name = handle[0]
                voices.append(Voice(COMMENTER, comment_name, marker_end=start + handle[1]))
            else:
                voices.append(Voice(COMMENTER, comment_name))
        elif rs is not None and rs <= i <= re_:
            m = markers[i]
            if m:
                role = roles.get(m[1], INTERVIEWEE) if m[0] == "?" else m[0]
                name = named.get(m[1], m[1]) if m[0] == "?" else (interviewer if role == INTERVIEWER else interviewee)
                turn = Voice(role, name, editor=own)
                voices.append(Voice(role, name, marker_end=start + m[2], editor=own))
            elif turn is not None:
                voices.append(turn)
            else:
                voices.append(Voice(QUOTED, hints.get("reposted_from"), editor=own))
        else:
            voices.append(own)
    return voices


_LEAD_IN = re.compile(r"^(?:in|on|at|last|earlier|later|yesterday|today|this|since|after|before|during|"
                      r"citing|quoting|speaking|responding|referring|commenting|asked|"
                      r"meanwhile|however|also|then|now)\b", re.I)


# when, opening the sentence with no comma: "Last year Russia said", "On 24 February the ministry said"
_TIME_LEAD = re.compile(
    r"^(?:(?:(?:on|in|at|by|since|during|after|before|until|over|throughout)\s+(?:the\s+)?"
    r"(?:(?:past|last|next|early|late|mid-?|same|recent|coming|following|previous)\s+)*"
    r"|(?:last|this|next|earlier|later|early|late)\s+(?:this\s+)?)"
    rf"(?:{_DAYS}|{_MONTHS}|years?|months?|weeks?|days?|nights?|morning|afternoon|evening|weekend|spring|summer|"
    rf"autumn|fall|winter|\d{{1,4}}s?|\d{{1,2}}(?:st|nd|rd|th))(?:,?\s+(?:{_MONTHS}|\d{{1,4}}))*"
    r"|yesterday|today|tonight|earlier|later|previously|meanwhile|recently)\s+(?=\S)", re.I)
_PREPOSITION_LEAD = re.compile(r"(?:in|on|at|from|after|before|during|since|under|amid|despite|following)\s", re.I)
_RELATIVE = frozenset("who whom which that".split())
_ROLE = re.compile(r"(?:the|a|an)\s+[a-z]", re.I)
_PERSON = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}")


def _subject_name(subject: str) -> tuple[bool, str | None]:
    """Is ``subject`` someone other than the writer, and their name if it is one.

    ``In May, the Hungarian authorities`` -> ``Hungarian authorities``; ``Last year Russia`` ->
    ``Russia``; ``the document`` -> no name; ``The minister, who`` -> no one (the verb is the relative
    clause's: ``The minister, who said ..., resigned.``; ``The minister, who was sacked,`` is the speaker).
    """
    parts = [p.strip() for p in subject.split(",") if p.strip()]
    if not parts or subject.split()[-1].lower() in _RELATIVE:
        return False, None
    # a lead-in ("In November 2023, ...") comes before the subject; an appositive comes after it
    subject = parts[-1] if len(parts) > 1 and (_LEAD_IN.match(parts[0]) or any(c.isdigit() for c in parts[0])) \
        else parts[0]
    subject = _TIME_LEAD.sub("", subject, count=1)
    if len(parts) > 1 and subject is parts[0] and _ROLE.match(parts[0]) and _PERSON.fullmatch(parts[1]):
        subject = parts[1]  # "The head of Saxony, Michael Kretschmer, says": the appositive names the role
    words = subject.split()
    first = words[0].lower()
    if first in _FIRST_PERSON:
        return False, None
    if first in _PRONOUNS and len(words) == 1:
        return True, None
    if first in _NOT_SUBJECTS:
        return False, None
    if _PREPOSITION_LEAD.match(subject):
        return True, None  # "In Mariupol officials said": where the speaker is, and no telling where it ends
    name = re.sub(r"^(?:the|a|an)\s+", "", _clean(subject), flags=re.I)
    if name and all(w[:1].isupper() for w in name.split()):
        name = _descriptor_name(name) or name  # "Dr. Ihor Levchenko" -> "Ihor Levchenko", as after a quote
    named = any(w[:1].isupper() for w in name.split())
    if name.rstrip(".").lower() in _TITLES:
        named = False  # "Spokesman says ...", "Governor says ...": a role, capitalised as a headline's first word
    return True, (name if named and len(name) <= 80 else None)


def _descriptor_name(desc: str) -> str | None:
    """The person or body a descriptor names: its last run of capitalised words, titles dropped.

    ``foreign ministry spokeswoman Maria Zakharova`` -> ``Maria Zakharova``; ``US President Joe
    Biden`` -> ``Joe Biden``; ``the Foreign Ministry`` -> ``Foreign Ministry``; ``one of them`` -> None.
    """
    words = _clean(desc).split()
    run: list[str] = []
    for word in reversed(words):
        if not word[:1].isupper():
            break
        run.insert(0, word)
    while run and run[0].lower() in ("the", "a", "an"):
        run.pop(0)
    before = words[len(words) - len(run) - 1].lower() if len(run) < len(words) else ""
    if before in ("the", "a", "an") and len(run) + 1 < len(words):
        before = words[len(words) - len(run) - 2].lower()
    if not run or before in _PLACE_PREPOSITIONS:
        return None  # "a mother in Hungary", "an adviser to President Zelenskyy": not who speaks
    while len(run) > 2 and (run[0].rstrip(".").lower() in _TITLES or (run[0].isupper() and len(run[0]) > 1)):
        run.pop(0)
    if len(run) == 2 and run[0].rstrip(".").lower() in _PERSON_TITLES and run[1].rstrip(".").lower() not in _TITLES:
        run.pop(0)  # "Minister Lavrov" -> "Lavrov"; "Foreign Ministry" stays
    name = " ".join(run)
    return name if len(name) <= 80 else None


def _quote_descriptor(sentence: str) -> tuple[bool, str | None]:
    """Is the sentence a quote attributed by a descriptor after it, and the name the descriptor gives.

    Only a quote that opens the sentence, or that continues one opened in an earlier sentence,
    counts: scare quotes inside the writer's own sentence are not speech.
    """
    m = _QUOTE_DESCRIPTOR.search(sentence)
    if m is None:
        return False, None
    head = sentence[:m.start()].lstrip(" \t-–—")
    if not head.startswith(('"', "“", "«")) and any(q in head for q in '"“”«»'):
        return False, None
    desc = m.group("desc")
    if desc is None:  # the verb first: the name runs up to "on Monday", "in a statement", ...
        kept = []
        for word in m.group("desc_after").split():
            # "said Benjamin Hilgenstock of the Kyiv School of Economics": the name ends at "of"
            if word.lower() in _DESC_END or (word == "of" and any(w[:1].isupper() for w in kept)):
                break
            kept.append(word)
        desc = " ".join(kept)
    # a capitalised word belongs to a name ("US President"), except the first person's
    words = [w.strip(".'’") for w in desc.split()]
    if not words or len(words) > 8 or any(
            w.lower() in _DESC_STOP and (w.islower() or w in ("I", "We", "My", "Our")) for w in words):
        return False, None
    return True, _descriptor_name(desc)


_CLAUSE_WORDS = frozenset("and or but as while when whereas after before because since although if".split())
_AUXILIARIES = frozenset("is are was were has have had will would could can may might should must".split())


def _not_said(m: re.Match[str]) -> bool:
    """The words before the verb deny or only foresee the speech: ``Russia has never said``, ``would say``."""
    return any(w in _NOT_SAID or w.endswith(("n't", "n’t")) for w in m.group("between").split())


def _bare_reported(sentence: str) -> str | None:
    """Who speaks in ``X said it was ...`` (no "that"), or None when the sentence is not that.

    Not ``The talks are over, said Peskov`` (the clause before a comma is what was said, not who
    said it), but ``Dr. X, an engineer, said the ...``; in ``Troops have left, the company says, ...``
    the speaker is the words after the clause.
    """
    m = _REPORTED_BARE.match(sentence)
    if m is None or _not_said(m):
        return None
    subject = m.group("subj")
    if subject.endswith(",") and subject.count(",") < 2:
        return None
    parts = [p.split() for p in subject.split(",")]
    if len(parts) > 1 and parts[-1] and any(w.lower() in _AUXILIARIES for w in parts[0]):
        return " ".join(parts[-1])   # "Russian troops have left the plant, the nuclear company says"
    # "Biden pledges his support and said ...", "Ukraine accuses Russia ... as Moscow says ...": the
    # words before the verb are a clause, not who speaks; the sentence stays the writer's
    head = parts[0]
    if head[-1].lower() in _CLAUSE_WORDS or any(w.lower() in _CLAUSE_WORDS - {"and"} for w in head):
        return None
    return subject


def sentence_voice(sentence: str, base: Voice) -> tuple[str, str | None]:
    """The voice of one sentence: ``quoted`` when it carries attributed speech, else the paragraph's."""
    if base.speaker not in (AUTHOR, BLOGGER) or base.kind != "text":
        return base.speaker, base.speaker_name
    if _VERB_HINT.search(sentence) is None:
        return base.speaker, base.speaker_name  # the common case, decided without a regex
    if '"' in sentence or "“" in sentence or "”" in sentence or "«" in sentence or "»" in sentence:
        quoted, name = _quote_descriptor(sentence)
        if quoted:
            return QUOTED, name
        m = _QUOTE_THEN_VERB.search(sentence)
        if m:
            name = m.group("after") or m.group("before")
            if name is None or name.split()[0].lower() not in _FIRST_PERSON | _NOT_SUBJECTS:
                return QUOTED, _clean(name) if name else None
        m = _VERB_THEN_QUOTE.search(sentence)
        if m:
            other, name = _subject_name(m.group("subj"))
            if other:
                return QUOTED, name
    if "ccording to" in sentence:
        m = _ACCORDING.search(sentence)
        if m:
            src = m.group("src").strip()
            src_words = src.lower().split()
            if src_words and src_words[0] not in _FIRST_PERSON:
                name = _clean(re.sub(r"^(?:the|a|an)\s+", "", src, flags=re.I))
                if name and all(w[:1].isupper() for w in name.split()):
                    name = _descriptor_name(name) or name  # "Governor Vladimir Saldo" -> "Vladimir Saldo"
                return QUOTED, name if name[:1].isupper() else None
    m = _REPORTED.match(sentence)
    subject = (None if _not_said(m) else m.group("subj")) if m else _bare_reported(sentence)
    if subject:
        other, name = _subject_name(subject)
        if other:
            return QUOTED, name
    m = _REPORTED_TAIL.search(sentence)
    if m:   # "..., the deputy minister said." / "..., Rosstat reported.": reported speech, no quotes
        words = [w.strip(".'’") for w in m.group("desc").split()]
        if words and not any(w.lower() in _DESC_STOP and (w.islower() or w in ("I", "We", "My", "Our"))
                             for w in words):
            return QUOTED, _descriptor_name(m.group("desc")) if words[0].lower() not in _PRONOUNS else None
    return base.speaker, base.speaker_name


_QUOTE_MARKS = "\"“”«»"
_ANY_QUOTE = re.compile(r"[\"“”«»]")
_QUOTE_LEAD = " \t-–—"          # what may stand before a quote that opens a sentence
_QUOTE_TAIL = " \t.,;:!?…)]"     # what may follow the quote that closes it


def _quotations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quotations in ``text[start:end]`` that open and close there: (opening, closing mark offset).

    Double quotation marks only (a single one is too often an apostrophe). Curly marks and
    guillemets say which way they face; a straight one opens after a space and closes before one
    (else it closes an open quotation and opens otherwise); after a digit it is an inch mark
    (``a 12" gap``). A mark left without a partner opens nothing: a missing closing mark must not
    hand the rest of the paragraph to a speaker.
    """
    found: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _ANY_QUOTE.finditer(text, start, end):
        i, c = m.start(), m.group()
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if c == '"':
            if before.isdigit():
                continue
            if before.isspace() or before in "([{–—-":
                c = "“" if not after.isspace() or open_at is None else "”"
            elif after.isspace() or after in _QUOTE_TAIL:
                c = "”"
            else:
                c = "”" if open_at is not None else "“"
        if c in "“«":
            open_at = i          # an earlier opening left unclosed opened nothing
        elif open_at is not None:
            found.append((open_at, i))
            open_at = None
    return found


def _opens_sentence(text: str, s: int, e: int, quote: tuple[int, int]) -> bool:
    """The sentence ``text[s:e]`` starts with ``quote``, which runs to its end or beyond.

    ``"Stay away" is the slogan.`` starts with a quote but is the writer's sentence about it.
    """
    opening, closing = quote
    if opening != s + len(text[s:e]) - len(text[s:e].lstrip(_QUOTE_LEAD)):
        return False
    return closing >= e or not text[closing + 1:e].strip(_QUOTE_TAIL + _QUOTE_MARKS)


def sentence_voices(text: str, spans: list[tuple[int, int]], base: Voice) -> list[tuple[str, str | None]]:
    """The voices of one paragraph's sentences (``spans`` into ``text``, in order).

    Each sentence gets ``sentence_voice``; then quotations that open and close in the paragraph
    carry their speaker across sentences: every sentence of a quotation that spans several
    (``"A. B. C," he said.``) is the speaker's, up to the one holding its closing mark; and a
    sentence that is a quotation of its own with no attribution, right after a quoted sentence,
    continues it (``"...," Peskov said. "The Kiev regime bears full responsibility."``).
    """
    if base.speaker not in (AUTHOR, BLOGGER) or base.kind != "text" or not spans:
        return [(base.speaker, base.speaker_name)] * len(spans)  # turns, comments, headings: the paragraph's
    own = [sentence_voice(text[s:e], base) for s, e in spans]
    if _ANY_QUOTE.search(text, spans[0][0], spans[-1][1]) is None:
        return own  # the common case: no quotation in the paragraph
    voices = list(own)
    starts = [False] * len(spans)
    inside = [False] * len(spans)     # the sentence starts inside a quotation opened before it
    k = 0
    for opening, closing in _quotations(text, spans[0][0], spans[-1][1]):
        while k + 1 < len(spans) and spans[k][1] <= opening:
            k += 1
        j = k
        while j + 1 < len(spans) and spans[j + 1][0] <= closing:
            j += 1
        starts[k] = starts[k] or _opens_sentence(text, *spans[k], (opening, closing))
        for i in range(k + 1, j + 1):
            inside[i] = True
        speaker = next((voices[i] for i in range(k, j + 1) if voices[i][0] == QUOTED), None)
        if j > k and speaker is not None:
            for i in range(k, j + 1):
                if voices[i][0] != QUOTED and (i > k or starts[k]):
                    voices[i] = speaker  # the opening sentence only when it starts with the quote
    # a quotation right after a quoted sentence, with no attribution of its own, continues it
    for i in range(1, len(spans)):
        if voices[i][0] != QUOTED and voices[i - 1][0] == QUOTED and (starts[i] or inside[i]):
            voices[i] = voices[i - 1]
    return voices


def editorial_marker(sentence: str) -> re.Match[str] | None:
    """An editorial marker such as ``[My Emphasis]`` in a sentence, if any."""
    return _EDITORIAL.search(sentence) if "[" in sentence else None
