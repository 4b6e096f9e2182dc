"""Voices: who speaks in each paragraph and sentence of a document.

Generic rules first, then what the manifest's ``voices:`` hints state (a user's knowledge wins):

- a ``By X and Y`` line near the top names the author(s), whose prose the rest is;
- interview turns open a paragraph (``Question:``, ``Q:``, ``A:``, ``Answer:``, ``NAME:``) and last
  until the next turn marker, the end of a repost, or the comments; in a broadcast transcript
  (``ANCHOR:``, ``CORRESPONDENT:``, ``PESKOV:``) the broadcaster's people speak in the document's
  voice and the others they show are quoted;
- a blog post (``kind`` containing ``blog``, or with no kind but an interview closed by an
  editorial marker such as ``[My Emphasis]``) speaks in the blogger's voice around what it
  reposts; the repost ends at a hint or at that marker;
- a comments section starts at a hint, a ``Comments`` heading, a ``NAME says:`` line, or (after a
  repost) at a short informal paragraph opening with an interjection;
- in the comments, a paragraph opening with a ``handle:`` (``Greg_in_Ohio: ...``, ``Old Soldier: ...``)
  names its commenter, and the handle is split out like a turn marker;
- an embedded post (a tweet's ``— Russian MFA (@mfa_russia) March 11, 2026`` signature line after
  its text) is a quotation of its account, not the document's voice; the signature is its byline;
- YAML front matter at the top of a Markdown file (the reader passes its end as the hint
  ``front_matter_end``) is metadata spoken by nobody in the text: its lines are kind ``front_matter``;
- in the document's own voice, and in an interview's turns, a sentence with attributed quoted or
  reported speech (``"...", he said``, ``said X``, ``"...", foreign ministry spokeswoman X said``,
  ``X said that``, ``according to X``, an answer's ``As Lavrov said, "..."``) is ``quoted``. A
  descriptor without a capitalised name (``"...", the deputy minister said``, ``one of them said``)
  is ``quoted`` with no name: a role is not an identity. quotes.py finds that speech, and
  quotations.py carries a quotation's speaker across the sentences it spans;
- a quotation block (``> ...``) in an interview's turn, or in the writer's own prose, is whom it names
  (quote_blocks.py).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, replace
from typing import Any

from corpus.quotations import QUOTING, carry_quotations, single_quotations
from corpus.names import clean_name, strip_titles
from corpus.quote_blocks import block_voices
from corpus.quotes import attributed_speaker
from corpus.records import AUTHOR, BLOGGER, COMMENTER, INTERVIEWEE, INTERVIEWER, QUOTED
from corpus.transcripts import COUNTRIES, EDITOR_LABEL, GENERIC_SPEAKERS, is_broadcast, is_broadcaster, is_place, shown_to_speak
from corpus.voice_markers import (BYLINE_LEADS, COMMENTS_HEADING, INTERJECTION, INTRO_NAME, REPOST_END,
                                  comment_byline, comment_handle, dated_lead_in, editorial_marker, emphasised_byline, parse_byline,
                                  post_signature, prose_lead_in, quote_header, turn_marker)

__all__ = ["ROW_HINTS", "Voice", "editorial_marker", "paragraph_voices", "parse_byline", "sentence_voice",
           "sentence_voices"]

ROW_HINTS = ("interviewer", "interviewee", "reposted_from")   # metadata fields read as voice hints


@dataclass(frozen=True)
class Voice:
    """The voice of one paragraph: a role from records.SPEAKERS, a name when known.

    ``marker_end`` is the offset just after a turn marker (``Question:``) or a commenter's handle
    opening the paragraph; ``kind`` is ``byline``, ``heading``, ``front_matter`` or ``text``;
    ``editor`` is the document's own voice inside a repost or interview, which speaks its editorial
    markers (``[My Emphasis]``); ``within`` is the turn a quotation block (``> ...``) stands in;
    ``lead_in`` marks a turn's paragraph whose last sentence leads up to such a block (``Lavrov wrote
    this week:``): that sentence is the turn's own, not the words of whom it names.
    """

    speaker: str
    speaker_name: str | None = None
    marker_end: int | None = None
    kind: str = "text"
    editor: Voice | None = None
    within: Voice | None = None
    lead_in: bool = False


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


def _author_names(meta: dict[str, Any], hints: dict[str, Any], byline: list[str] | None) -> list[str]:
    """The document's authors one by one (a hint, the byline, or the ``authors``, ``author`` or ``blogger`` metadata)."""
    value = hints.get("author") or byline or meta.get("authors") or meta.get("author") or meta.get("blogger")
    values = value if isinstance(value, list) else [value]
    return [name.strip() for v in values if isinstance(v, str)
            for name in re.split(r",|;|\s+(?:and|&|и|і)\s+", v) if name.strip()]


def _names_author(label: str, author: str) -> bool:
    """``Maria Ivanova:``, ``Ivanova:``, ``Maria:`` or ``MARIA IVANOVA:`` for the author Maria Ivanova."""
    words, full = label.lower().split(), author.lower().split()
    return bool(words and full) and (words[-1] == full[-1] or (len(words) == 1 and words[0] == full[0]))


def _thread_header(paras: list[str], i: int) -> bool:
    """True when the ``NAME said:`` line ``paras[i]`` heads a post of a thread: another such line follows
    with words of the post's own (not all in its '>' quotation) between them, and no comments heading
    first ("Lavrov said:" over a block, then "Peskov said:" over another, are an article's lead-ins)."""
    replied = False
    for para in paras[i + 1:]:
        if len(para) <= 80 and COMMENTS_HEADING.match(para):
            return False
        if len(para) <= 80 and comment_byline(para):
            return replied
        replied = replied or not para.startswith(">")
    return False


# a document's kind naming an article ("news", "news_article", "analysis", "op-ed", "opinion"): its "Lavrov
# said:" lines are lead-ins ("commentary" is a writer's, not readers' comments)
_ARTICLE_KINDS = frozenset("article articles news report story analysis editorial oped opinion commentary column "
                           "feature".split())


class _NamedBefore:
    """Where a document's own words (from ``top``; not '>' blocks, post headers or handle lines) first name a
    person or a body, as ``_article_lead_in`` asks of each ``NAME said:`` line: the document read once, each
    name looked for once (asking each line's name of every paragraph before it was quadratic)."""

    def __init__(self, paras: list[str], top: int) -> None:
        self.paras, self.top = paras, top
        self.starts: list[int] = []   # where each own paragraph starts in self.text, by index in self.index
        self.index: list[int] = []
        self.text = ""
        self.words: dict[str, int] | None = None
        self.first: dict[tuple[str, int], int | None] = {}

    def at(self, key: str, flags: int) -> int | None:
        """The index of the first own paragraph holding ``key`` with no word character or '@' either side."""
        if self.words is None:
            own = [(j, p) for j, p in enumerate(self.paras[self.top:], self.top) if not p.startswith(">")
                   and not (len(p) <= 80 and comment_byline(p)) and not comment_handle(p)]
            self.words = {}
            for j, p in reversed(own):   # each run of word characters and '@' by its first paragraph
                self.words.update(dict.fromkeys(re.findall(r"[\w@]+", p), j))
            self.index = [j for j, _ in own]
            self.starts = list(itertools.accumulate((len(p) + 1 for _, p in own[:-1]), initial=0))
            self.text = "\n".join(p for _, p in own)   # a line break stands alone as a paragraph's ends do
        if flags == 0 and re.fullmatch(r"\w+", key):
            return self.words.get(key)   # "Lavrov" stands alone exactly where it is a whole such run
        if (key, flags) not in self.first:
            if flags == 0:
                at = self._find(key)
            else:
                m = re.search(rf"(?<![\w@]){re.escape(key)}(?![\w@])", self.text, flags)
                at = m.start() if m else -1
            self.first[key, flags] = self.index[bisect.bisect_right(self.starts, at) - 1] if at >= 0 else None
        return self.first[key, flags]

    def _find(self, key: str) -> int:
        """The first place of ``key`` in the text with no word character or '@' either side, or -1, as the
        look-behind pattern above finds it (str.find is fast where a pattern opening with a look-behind tries
        every character: 2,000 names over 265 KB took 8.9 s that way)."""
        at = self.text.find(key)
        while at >= 0:
            before, after = self.text[at - 1:at] if at else "", self.text[at + len(key):at + len(key) + 1]
            if not re.match(r"[\w@]", before) and not re.match(r"[\w@]", after):
                return at
            at = self.text.find(key, at + 1)
        return -1


def _article_lead_in(paras: list[str], i: int, byline: int | None, named: _NamedBefore) -> bool:
    """True when the ``NAME said:`` line ``paras[i]`` (a person's or a body's form, undated: ``prose_lead_in``)
    shows itself an article's lead-in: the article names that person or body in its text before the line
    (``Foreign Minister Sergei Lavrov ...`` over ``Lavrov said:``; in a thread the quoted are commenters, not
    named in the posts before), or a ``By X`` byline heads the document and the verb is ``said``/``wrote`` (a
    comments platform's header says ``says:``)."""
    name = comment_byline(paras[i]) or ""
    words = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I).split()
    if not words:
        return False
    key = words[-1] if len(words[-1].rstrip(".")) > 2 else " ".join(words)   # "Maria K." is not "K."
    flags = 0 if key[:1].isupper() else re.I
    said = re.search(r"\s(?:said|wrote)\s*:?\s*$", paras[i]) is not None or dated_lead_in(paras[i])
    if byline is not None and byline < i and said and paras[byline].lstrip("*_")[:3].lower() == "by ":
        return True
    first = named.at(key, flags)
    return first is not None and first < i


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
        return clean_name(m.group(0))
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


def _is_place_label(label: str) -> bool:
    return is_place(label) or label.lower() in COUNTRIES


def _answering_names(markers: list, opening: list[str], interviewer: Any, interviewee: Any) -> set[str]:
    """The labels of name turns that speak in an interview of ``Question:``/``Q:`` turns: a label the
    hints name (its surname or initials), or one whose every turn comes right after a ``Question:``
    turn, one of those turns asking ("...?")."""
    names = {m[1] for m in markers if m and m[0] == "?" and not _is_place_label(m[1])}   # not "Moscow:"
    if not names or not any(m and m[0] == INTERVIEWER for m in markers):
        return set()   # no "Question:" turns: a lone "Note:" or "MOSCOW:" is nobody's turn
    hinted = {name for name in names for hint in (interviewer, interviewee) if isinstance(hint, str) and hint.strip()
              and (_same_person(name, hint) or _abbreviates(name, hint.strip()))}
    follows: dict[str, list[int | None]] = {}   # a name's turns: the question turn before each, if any
    before = None
    for i, m in enumerate(markers):
        if not m:
            continue
        if m[0] == "?":
            follows.setdefault(m[1], []).append(before if before is not None and markers[before][0] == INTERVIEWER
                                                else None)
        before = i
    # every turn answers a question turn, and one of those asks ("Question: Many say ..." need not)
    return hinted | {name for name, asked in follows.items() if None not in asked
                     and any(opening[q].rstrip().endswith("?") for q in asked)}


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
    byline_names: list[str] | None = None
    if hints.get("byline", True):
        for i in range(top, min(top + 3, n)):
            names = (parse_byline(paras[i]) if paras[i].startswith(BYLINE_LEADS)
                     else emphasised_byline(paras[i]) if paras[i][:1] in "*_" else None)
            if names:
                byline = i
                # "Posted by Klaus Meinhardt, Mittelstand Notes, 21 January 2026": the blog is no author
                outlets = {str(meta[k]).strip().lower() for k in ("outlet", "site_name", "platform")
                           if isinstance(meta.get(k), str)}
                names = [name for name in names if name.lower() not in outlets] or names
                own_name = str(hints["author"]) if hints.get("author") else _join_names(names)
                byline_names = names
                break

    # the interview or repost region [rs, re]
    markers = [turn_marker(p) if i >= top else None for i, p in enumerate(paras)]
    # a turn's first words: the marker's paragraph, or the next one when the marker stands alone
    opening = [paras[i + 1] if m and m[2] >= len(paras[i]) and i + 1 < n else paras[i]
               for i, m in enumerate(markers)]
    named = [(m[1], opening[i]) for i, m in enumerate(markers) if m and m[0] == "?"]
    broadcast = is_broadcast([(m[1], m[3], opening[i]) for i, m in enumerate(markers) if m and m[0] == "?"], kind)
    resets: set[int] = set()   # a broadcast's "MOSCOW:" paragraph: no turn, the document's own voice again
    if broadcast:
        # "CHANCE:" later in the transcript is the "MATTHEW CHANCE, CNN ... CORRESPONDENT:" of before
        full = {m[1].split()[-1].lower(): m for m in markers if m and m[0] == "?" and len(m[1].split()) > 1}
        for i, m in enumerate(markers):
            if m and m[0] == "?" and " " not in m[1] and m[1].lower() in full:
                markers[i] = ("?", full[m[1].lower()][1], m[2], full[m[1].lower()][3])
            if m and m[0] == "?" and not shown_to_speak(m[1], m[3]):
                markers[i] = None
                resets.add(i)
            elif m is None and i >= top and EDITOR_LABEL.match(paras[i]):
                resets.add(i)   # "EDITOR'S NOTE: ...", "UPDATE: ..." inside a turn: the document's own voice
    else:
        # a Markdown round-up's bold "**Russia:**", "**Kyiv:**" open its sections: no turns
        markers = [None if m and m[0] == "?" and paras[i][:1] in "*_" and _is_place_label(m[1]) else m
                   for i, m in enumerate(markers)]
        named = [(m[1], opening[i]) for i, m in enumerate(markers) if m and m[0] == "?"]
        if len({name for name, _ in named}) < 2 or not any("?" in p for _, p in named):
            # an interview has two speakers and a question: "Note: ..." or "MOSCOW: ..." is not one. A name
            # that answers a "Question:" turn ("Question: ..." then "Vollmer: ..."), or that the hints name
            # as the interviewer or interviewee, is the second speaker all the same.
            answers = _answering_names(markers, opening, hints.get("interviewer"), hints.get("interviewee"))
            markers = [m if m and (m[0] != "?" or m[1] in answers) else None for m in markers]
    rs = _find(paras, hints.get("repost_start"))
    if rs is None:
        rs = next((i for i, m in enumerate(markers) if m), None)
    re_ = None
    if rs is not None:
        re_ = _find(paras, hints.get("repost_end"), rs)
        if re_ is None:
            re_ = next((i for i in range(rs, n) if "[" in paras[i] and REPOST_END.search(paras[i])), None)
            # "[My Emphasis]" closing an interview is how a blogger marks what they reposted
            blogish = blogish or (re_ is not None and "kind" not in meta)
    own_role = BLOGGER if blogish else AUTHOR

    # the comments section
    cs = _find(paras, hints.get("comments_start"), (re_ + 1) if re_ is not None else 0)
    if cs is None and isinstance(hints.get("comments_offset"), int):  # set by the HTML reader
        cs = next((i for i, (s, _) in enumerate(paragraphs) if s >= hints["comments_offset"]), None)
    if cs is None:
        after = (re_ + 1) if re_ is not None else (byline + 1 if byline is not None else top + 1)
        # a "NAME said:" line that could be an article's lead-in ("Lavrov said:" over a quotation) opens
        # the comments only in a forum's or comments' kind ("forum", "forum_thread", "blog_comments"; not
        # "commentary") or as a thread's post header (_thread_header)
        # that is not a thread's but an article's when the kind names an article ("news", "analysis") or the
        # line shows itself a lead-in (_article_lead_in: the article named Lavrov before, or has a "By" byline)
        kind_words = set(re.split(r"[\W_]+", re.sub(r"(?<![a-z])op[\W_]ed(?![a-z])", "oped", kind)))   # "op-ed"
        thread = not {"forum", "thread", "comment", "comments"}.isdisjoint(kind_words)
        article = not _ARTICLE_KINDS.isdisjoint(kind_words)
        named = _NamedBefore(paras, top)
        for i in range(after, n):
            if len(paras[i]) <= 80 and COMMENTS_HEADING.match(paras[i]):
                cs = i
                break
            if len(paras[i]) <= 80 and comment_byline(paras[i]):
                if thread:
                    cs = i
                    break
                if dated_lead_in(paras[i]):
                    # "Lavrov said on 5 May 2024:" is a lead-in only right over a '>' block with the article's
                    # evidence; a dated comment header ("Anna K. wrote on May 5, 2024 at 3:12 pm") opens them
                    if not (i + 1 < n and paras[i + 1].startswith(">") and (
                            article or _article_lead_in(paras, i, None if blogish else byline, named))):
                        cs = i
                        break
                elif not prose_lead_in(paras[i]) or (
                        not article and not _article_lead_in(paras, i, None if blogish else byline, named)
                        and _thread_header(paras, i)):
                    cs = i
                    break
    if cs is None and blogish and re_ is not None:
        # the blogger closes a repost with a paragraph; a short informal one after that is a comment
        cs = next((i for i in range(re_ + 2, n) if INTERJECTION.match(paras[i])), None)
    if rs is not None and cs is not None and rs >= cs:
        rs = re_ = None
    if rs is not None and (re_ is None or (cs is not None and re_ >= cs)):
        re_ = (cs - 1) if cs is not None else n - 1

    # names for interview roles
    interviewer = hints.get("interviewer")
    interviewee = hints.get("interviewee")
    if rs is not None and not interviewee and rs > 0:
        m = INTRO_NAME.search(paras[rs - 1])
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
            if broadcast and not _same_person(name, interviewee) and not _same_person(name, interviewer):
                # the anchor and the correspondent speak for the broadcaster (in a blog's repost, for the
                # broadcaster reposted, not the blogger); whoever they show is quoted
                qualifier = next((m[3] for m in markers if m and m[1] == name), None)
                roles[name] = AUTHOR if is_broadcaster(name, qualifier) and not blogish else QUOTED
            elif _same_person(name, interviewee):
                roles[name] = INTERVIEWEE
            elif _same_person(name, interviewer):
                roles[name] = INTERVIEWER
            else:
                roles[name] = INTERVIEWER if sum(flags) * 2 > len(flags) else INTERVIEWEE
    # A two-person dialogue of names where the questions name no asker (most of no one's turns ask): the
    # document's author, labelling herself, is the one asking, when her turns ask at all. Not in a panel of
    # three or more, where the writer may be a panellist, nor when a hint or a "Q:" turn names the asker.
    writer = None
    if (rs is not None and not broadcast and not interviewer and len(roles) == 2
            and INTERVIEWER not in roles.values()
            and not any(markers[i] and markers[i][0] == INTERVIEWER for i in range(rs, re_ + 1))):
        authors = _author_names(meta, hints, byline_names)
        writers = [(label, author) for label in roles for author in authors
                   if _names_author(label, author) and not _same_person(label, interviewee)]
        if len(writers) == 1 and any(asks[writers[0][0]]):
            writer = writers[0]
            roles[writer[0]] = INTERVIEWER

    named = _hinted_names(roles, interviewer, interviewee)
    if writer:
        named[writer[0]] = writer[1]   # "Ivanova:" is the author Maria Ivanova, as a hint's name is
    if broadcast:  # "PESKOV:" is the "Kremlin spokesman Dmitry Peskov" the anchor introduced
        for label in roles:
            first = next(i for i, m in enumerate(markers) if m and m[1] == label)
            shown = strip_titles(label.title() if label.isupper() and len(label) > 3 else label)
            if label.lower().startswith("unidentified"):
                named.setdefault(label, None)
            elif roles[label] == QUOTED and label.lower() not in GENERIC_SPEAKERS:
                named.setdefault(label, strip_titles(_full_name(shown, text[:paragraphs[first][0]])))
            else:
                named.setdefault(label, shown)

    voices: list[Voice] = []
    own = Voice(own_role, own_name)
    # an embedded post ("<blockquote class="twitter-tweet">"): its signature line, and the paragraph
    # before it, are the account's, quoted, not the document's own voice
    posts: dict[int, Voice] = {}
    for i in range(top, n):
        account = post_signature(paras[i]) if paras[i][:1] in "—–-" else None
        if account:
            posts[i] = Voice(QUOTED, account, kind="byline")
            if i - 1 > top and i - 1 != byline and (i - 1) not in posts:
                posts[i - 1] = Voice(QUOTED, account, editor=own)
    turn: Voice | None = None
    comment_name: str | None = None   # the post's writer: its header's name ("Maria K. says:", "Maria K.: ...")
    quoting: str | None = None        # whom a forum's "Greg_in_Ohio said:" over a '>' block quotes, in the block
    said_post = False                 # the post's header is a "NAME said:" line and words of the post followed it
    said_header = False
    spoken: list[tuple[str, str | None, int] | None] = [None] * n   # an interview turn's paragraphs (quote_blocks)
    for i, (start, _end) in enumerate(paragraphs):
        if i < top:
            voices.append(Voice(own_role, own_name, kind="front_matter"))
        elif i == byline:
            voices.append(Voice(own_role, own_name, kind="byline"))
        elif cs is not None and i >= cs:
            name = comment_byline(paras[i])
            handle = None if name else comment_handle(paras[i])
            if quoting and not paras[i].startswith(">"):
                quoting = None   # the reply under the quoted post: its writer's, the header's above (if any)
            if name and i + 1 < n and paras[i + 1].startswith(">") and quote_header(paras[i]):
                # a forum's quotation of an earlier post ("Greg_in_Ohio said:" over a '>' block) inside
                # another's reply: the header and the block are Greg's words, the reply under it is not
                if said_post:
                    # "Greg said:" over words of his own, then "Maria said:" over a block: a thread of "said:"
                    # headers, where this starts the next post, whose writer the copy does not show (not Greg)
                    comment_name, said_header, said_post = None, False, False
                quoting = name
                voices.append(Voice(COMMENTER, quoting, kind="heading"))
            elif quoting:
                voices.append(Voice(COMMENTER, quoting))
            elif name:
                comment_name, said_header, said_post = name, quote_header(paras[i]) is not None, False
                voices.append(Voice(COMMENTER, comment_name, kind="heading"))
            elif COMMENTS_HEADING.match(paras[i]):
                voices.append(Voice(COMMENTER, None, kind="heading"))
            elif handle:
                comment_name, said_header, said_post = handle[0], False, False
                voices.append(Voice(COMMENTER, comment_name, marker_end=start + handle[1]))
            else:
                said_post = said_post or (said_header and not paras[i].startswith(">"))
                voices.append(Voice(COMMENTER, comment_name))
        elif rs is not None and rs <= i <= re_:
            m = markers[i]
            if m:
                role = roles.get(m[1], INTERVIEWEE) if m[0] == "?" else m[0]
                name = named.get(m[1], m[1]) if m[0] == "?" else (interviewer if role == INTERVIEWER else interviewee)
                turn = Voice(role, name, editor=own)
                voices.append(Voice(role, name, marker_end=start + m[2], editor=own))
                if role in (INTERVIEWER, INTERVIEWEE):
                    spoken[i] = (role, name, start + m[2])
            elif i in resets:
                turn = None
                voices.append(own)
            elif i in posts:
                # an embedded post (an HTML page's tweet, its '>' gone): the account's; in a turn, read in
                # the turn as a quotation block is
                voices.append(posts[i] if turn is None
                              else replace(posts[i], within=Voice(turn.speaker, turn.speaker_name)))
            elif turn is not None:
                voices.append(turn)
                if turn.speaker in (INTERVIEWER, INTERVIEWEE):
                    spoken[i] = (turn.speaker, turn.speaker_name, start)
            else:
                voices.append(Voice(QUOTED, hints.get("reposted_from"), editor=own))
        else:
            voices.append(posts.get(i, own))
            if i not in posts:
                spoken[i] = (own_role, own_name, start)   # the writer's own prose: its blocks read as a turn's
    # a quotation block (">") in a turn or in the writer's prose: the words of whom it names (quote_blocks.py)
    # an HTML page's <blockquote>s (the reader's hint: trafilatura keeps no '>'), by paragraph, each with the
    # name its <footer> or <cite> signs it with ([start, end, "Maria Zakharova"]), if any
    marked: list[tuple[list[int], str | None]] = []
    for span in hints.get("quote_blocks") or ():
        if (isinstance(span, (list, tuple)) and len(span) in (2, 3) and all(isinstance(x, int) for x in span[:2])
                and (len(span) == 2 or span[2] is None or isinstance(span[2], str))):
            run = [i for i, (s, _) in enumerate(paragraphs) if span[0] <= s < span[1]]
            if run:
                marked.append((run, span[2] if len(span) == 3 else None))
    blocks, leads = block_voices(text, paragraphs, spoken, marked)
    for i, (role, name, kind) in blocks.items():
        voices[i] = Voice(role, name, kind=kind, editor=own, within=Voice(voices[i].speaker, voices[i].speaker_name))
    for i in leads:
        voices[i] = replace(voices[i], lead_in=True)
    return voices


def sentence_voice(sentence: str, base: Voice) -> tuple[str, str | None]:
    """The voice of one sentence: ``quoted`` when it carries attributed speech, else the paragraph's."""
    if base.speaker not in QUOTING or base.kind != "text":
        return base.speaker, base.speaker_name
    quoted, name = attributed_speaker(sentence)
    return (QUOTED, name) if quoted else (base.speaker, base.speaker_name)


def sentence_voices(text: str, spans: list[tuple[int, int]], base: Voice) -> list[tuple[str, str | None]]:
    """The voices of one paragraph's sentences (``spans`` into ``text``, in order).

    Each sentence gets ``sentence_voice``, but a lead-in to a quotation block (the last sentence of a
    ``lead_in`` paragraph, ending in a colon, or in a comma after "To quote X") keeps the paragraph's
    voice; then a quotation's speaker is carried across the sentences it spans (``quotations.carry_quotations``).
    """
    if base.speaker == QUOTED and base.within is not None and base.kind == "text" and spans:
        # a quotation block in a turn: its sentences read as the turn's would be, what they give the
        # turn's voice is the block's ('> "...," Peskov said.' is Peskov's, the rest whom the block names)
        turn = (base.within.speaker, base.within.speaker_name)
        return [(base.speaker, base.speaker_name) if found == turn else found
                for found in sentence_voices(text, spans, Voice(*turn))]
    if base.speaker not in QUOTING or base.kind != "text" or not spans:
        return [(base.speaker, base.speaker_name)] * len(spans)  # comments, headings, people a broadcast shows
    first = spans[0][0]
    double = single_quotations(text, first, spans[-1][1])
    if double is not None:   # "Peskov said: 'We will not ...'": read as with double quotation marks
        text, spans = double, [(s - first, e - first) for s, e in spans]
    found = [sentence_voice(text[s:e], base) for s, e in spans]
    if base.lead_in and text[spans[-1][0]:spans[-1][1]].rstrip(" \t*_").endswith((":", ",")):
        found[-1] = (base.speaker, base.speaker_name)   # "Lavrov wrote this week:" over the block of his words
    return carry_quotations(text, spans, found)
