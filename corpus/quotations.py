"""Speech across sentences: a quotation's speaker, a pronoun's, a short name's.

``carry_quotations`` finds the quotations that open and close in a paragraph and carries a
speaker across the sentences of one quotation, and to an unattributed quotation that follows.
``pronoun_names`` gives "She added ..." the name of the person quoted just before, and
``full_names`` maps a document's short names ("Peskov") to its full ones ("Dmitry Peskov").
quotes.py reads each sentence on its own.
"""

from __future__ import annotations

import re

from corpus.names import NAME_WORD, PARTICLES, ROLE_WORDS, gender
from corpus.quotes import (CHARACTERISING_VERB, SPEECH_VERB, attributed_speaker, pronoun_lead_pattern,
                           sentence_subject)
from corpus.records import AUTHOR, BLOGGER, INTERVIEWEE, INTERVIEWER, QUOTED
from corpus.transcripts import COUNTRIES, NOT_VOICES

# the voices whose sentences may quote or report others: the writer's, and an interview's two sides
# (an answer's 'As Lavrov said, "..."' is Lavrov's, as it would be in the writer's prose)
QUOTING = (AUTHOR, BLOGGER, INTERVIEWEE, INTERVIEWER)

# "She added that ...", '"...," he said.', 'He called them "..."', 'In his words, "..."': speech by a pronoun,
# whose name an earlier sentence gave (a lead-in quoting "him" or "her" only, where the sentence opens)
_PRONOUN_SPEECH = re.compile(rf"(?:^|[,;]\s+)(?:[Hh]e|[Ss]he)\s+(?:also\s+|later\s+|then\s+|further\s+)?"
                             rf"(?:{SPEECH_VERB}|{CHARACTERISING_VERB})\b|"
                             rf"[\"”»],?\s+(?:he|she)\s+(?:also\s+)?{SPEECH_VERB}\b|"
                             rf"^{pronoun_lead_pattern('his|her', 'him|her', capital=True)}")
_LEADING = " \t\"'“”‘’«»-–—("


def pronoun_names(rows: list[tuple[str, str | None, str, int]]) -> list[str | None]:
    """The names of (speaker role, name, sentence, paragraph) rows, a nameless quoted "She added
    ..." given the name of the nearest person named before it, in its paragraph or the one before.

    That person is the nearest quoted sentence's when its name is a person's (the person a
    reporter's pronoun refers to: "Dmitry Peskov", or "Peskov" when the document named him in full;
    a surname alone, after the sentence's first word as in '"...," Peskov said.', only in its own
    paragraph, since a one-word name may be a company's; a body such as "Foreign Ministry" is "it",
    and a nameless quoted sentence in between breaks the chain), or the subject of a sentence of the
    writer's in between, when a role introduces it or the document quotes it ("Foreign Ministry
    spokeswoman Maria Zakharova arrived ...", "Zakharova arrived ..."). A wrong name is worse than
    none: the subject of a passive or of a death ("Navalny was poisoned", "Lavrov was criticised by
    ...") speaks no next quotation and, like any other person a writer's sentence names, ends the
    chain; a pronoun that does not fit the name ("she" after "Alexei Navalny") gets none; and a name
    reaches one paragraph past where the person was named, not from paragraph to paragraph along the
    pronouns that took it.
    """
    todo = [i for i, (role, name, _, _) in enumerate(rows) if role == QUOTED and name is None]
    if not todo:
        return [name for _, name, _, _ in rows]
    quoted = {name for role, name, _, _ in rows if role == QUOTED and name and _person(name)}
    surnames: dict[str, list[str]] = {}
    for full in quoted:
        surnames.setdefault(full.split()[-1], []).append(full)
    # a surname the document quotes alone, as a proper noun ('"...," Peskov said.'): a known speaker
    quoted |= {name for role, name, sentence, _ in rows
               if role == QUOTED and name and " " not in name and _named_after_first_word(name, sentence)}
    out: list[str | None] = []
    # the nearest person or quoted row before: its name, its paragraph, how many paragraphs on it reaches
    last: tuple[str | None, int, int] | None = None
    named = False   # the row before is a pronoun's speech given a name here
    others: set[str] = set()   # the genders of the pronouns the writer used after naming that person
    before = -1     # the paragraph of the row before
    # the paragraph of the next nameless quotation: a row more than a paragraph before it names no one there
    upcoming = iter(todo)
    next_todo = next(upcoming)
    for i, (role, name, sentence, paragraph) in enumerate(rows):
        if i > todo[-1]:
            out.extend(row[1] for row in rows[i:])   # no nameless quotation after: nothing left to name
            break
        if i > next_todo:
            next_todo = next(upcoming)
        if rows[next_todo][3] - paragraph > 1:
            last, named = None, False
            out.append(name)
            continue
        pronoun = None
        if role == QUOTED and name is None and named and paragraph == before \
                and not attributed_speaker(sentence)[0]:
            name = last[0]   # the rest of the quotation 'He called it "robbery. Theft."' began
        elif role == QUOTED and name is None and last is not None and last[0] and paragraph - last[1] <= last[2] \
                and (pronoun := _pronoun_speech(sentence)) and _fits(pronoun, last[0], others, surnames):
            name = last[0]
            named = True
        else:
            named = False
        if role == QUOTED and named:
            pass   # the person it was named after stays where they were named: the chain does not move on
        elif role == QUOTED and name and _person(name):
            last, others = (name, paragraph, 1), set()
        elif role == QUOTED:
            known = name and (_named_after_first_word(name, sentence) or _surname_opens(name, sentence))
            last, others = (name if known else None, paragraph, 0), set()
        elif role in QUOTING:   # an interview's turns read as the writer's prose
            subject = _subject_person(sentence, quoted, surnames)
            if subject:
                last = (subject, paragraph, 1)
                others = _pronoun_genders(sentence[sentence.find(subject) + len(subject):])
            elif last is not None and last[0] and (_names_another(sentence, last[0], surnames)
                                                   or _other_subject(sentence, last[0])):
                last = None   # "His wife Yulia Navalnaya blamed the Kremlin.": the nearest person is hers
            else:
                others |= _pronoun_genders(sentence)
        before = paragraph
        out.append(name)
    return out


_PRONOUN_WORD = re.compile(r"\b([Hh]e|[Ss]he|his|him|her)\b")
_SUBJECT_OF = {"his": "he", "him": "he", "her": "she"}   # "In his words," is speech by "he"


def _pronoun_speech(sentence: str) -> str | None:
    """"he" or "she" when the sentence is speech by that pronoun ("She added ...", '"...," he said.')."""
    m = _PRONOUN_SPEECH.search(sentence)
    if m is None:
        return None
    word = _PRONOUN_WORD.search(m.group()).group(1).lower()
    return _SUBJECT_OF.get(word, word)


def _fits(pronoun: str, name: str, others: set[str], surnames: dict[str, list[str]]) -> bool:
    """The pronoun may stand for the name: not "she" for "Alexei Navalny", nor "he" for "Maria Zakharova";
    and, when the name does not tell, not "she" after the writer's "his" or "he" after "her" (another
    person of the pronoun's gender may be around: "Ayman Safadi met his Hungarian counterpart ... she said").
    A one-word name takes "he" or "she" only when it reads as a surname ("Peskov") or the document
    named that person in full: "Gas exports fell, Gazprom said. He added ..." names no company."""
    said = gender(name)
    wanted = "f" if pronoun == "she" else "m"
    if said is None:
        if " " not in name.strip() and name not in surnames:
            return False
        return not others - {wanted}
    return said == wanted


_GENDERED = re.compile(r"\b(?:(he|his|him|himself)|(she|her|hers|herself))\b", re.I)


def _pronoun_genders(text: str) -> set[str]:
    """The genders of the third-person pronouns in ``text``: "m" for he/his/him, "f" for she/her."""
    return {"m" if m.group(1) else "f" for m in _GENDERED.finditer(text)}


# words that open a sentence without naming anyone: pronouns, adverbs of time or manner
_NOT_A_NAME = frozenset("""he she it they we i you this that these those there here later meanwhile however
    yesterday today tomorrow tonight now then still also earlier next last first finally instead indeed
    such both each every all some many most several few no one none other another while when after before
    since during despite although though if as so yet nor""".split())


def _other_subject(sentence: str, person: str) -> bool:
    """Does a sentence of the writer's open with a capitalised name that is not ``person``'s, any body,
    group, country or other person ("Hamas rejected his plan.")? Its spokesperson may speak next."""
    name, _ = sentence_subject(sentence)
    if not name:
        return False
    words = [re.sub(r"['’]s$", "", w.strip(".,'’")) for w in name.split()]
    words = [w for w in words if w]
    if not words or set(person.split()).issuperset(words):
        return False
    if len(words) == 1 and (words[0].lower() in _NOT_A_NAME or words[0].lower().endswith("ly")):
        return False
    after = sentence[sentence.find(name) + len(name):].split()
    # "Russian troops shelled the road.": a people's adjective before a noun, not a name; no guess
    return not (len(words) == 1 and _DEMONYM.search(words[0]) and after and after[0][:1].islower())


_DEMONYM = re.compile(r"(?:ian|ese|ish|i)$")


def _named_after_first_word(name: str, sentence: str) -> bool:
    """A one-word name that is a proper noun: capitalised after the sentence's first word ('"...,"
    Peskov said.', "According to Peskov, ..."), neither an acronym, a body, a place nor a country
    ("Officials said", "Gazprom said" open a sentence: no guess)."""
    at = sentence.find(name)
    low = name.lower()
    return (" " not in name and name[:1].isupper() and not name.isupper() and at > 0
            and bool(sentence[:at].strip(_LEADING)) and low not in _BODY_WORDS
            and low not in NOT_VOICES and low not in COUNTRIES)


def _surname_opens(name: str, sentence: str) -> bool:
    """A one-word name opening the sentence that reads as a surname ("Peskov said ...", "Zakharova
    told ..."), not a place ("Rostov", "Kiev"), a body or a country."""
    low = name.lower()
    return (" " not in name and name[:1].isupper() and not name.isupper() and gender(name) is not None
            and not sentence[:max(sentence.find(name), 0)].strip(_LEADING)
            and low not in _BODY_WORDS and low not in NOT_VOICES and low not in COUNTRIES)


# what follows a subject that speaks no next quotation: a passive ("was poisoned", "has been sharply
# criticised by", "is expected to"; "was asked about ..." leads to their answer), a death ("died in prison")
_PARTICIPLE = (r"(?:[a-z]+(?:ed|en|wn)|hit|shot|held|put|kept|left|sent|caught|brought|bought|built|found|fought|"
               r"seen|shown|told|sought|taught|struck|hung|born|dead|missing|set|cut|hurt|beaten)")
_PARTY = re.compile(r"^\s*\([^()]{1,20}\)")   # "Roger Wicker (R-Miss.) was ..."
_NOT_ACTING = re.compile(
    rf"^(?:,[^,]{{1,80}},)?\s+(?:(?:has|have|had|will|would|may|might|could)\s+)?"
    rf"(?:(?:was|were|is|are|be|been|being|got|gets|remains|remained)\s+(?:[a-z]+ly\s+|not\s+|also\s+|later\s+)*"
    rf"(?!(?:asked|questioned|pressed|quoted|interviewed)\b){_PARTICIPLE}\b"
    r"|(?:died|dies|perished|disappeared)\b)")


# what a person does before their next quotation: "Peskov repeated the standard line.", "Zakharova went further."
_STANCE_VERBS = frozenset("""said says told tells wrote writes repeated repeats went goes insisted insists added adds
    claimed claims denied denies rejected rejects dismissed dismisses replied replies responded responds answered
    answers countered counters argued argues explained explains stressed stresses warned warns noted notes declared
    declares announced announces echoed echoes doubled spoke speaks blamed blames accused accuses commented
    comments hit struck called calls reiterated reiterates""".split())


_NEXT_WORD = re.compile(r"\s+(\w+)")
_NAME_GOES_ON = re.compile(r"\s+[a-z]{1,4}-[A-Z]")   # "al-Sisi", "el-Baradei", "bin-Zayed"


def _subject_person(sentence: str, quoted: set[str], surnames: dict[str, list[str]]) -> str | None:
    """The person a sentence of the writer's opens with, when a role introduces them or the document
    quotes them: in full when the sentence gives a surname only ("Zakharova" -> "Maria Zakharova");
    not one the sentence says was acted on or died ("Alexei Navalny was poisoned ...")."""
    name, roled = sentence_subject(sentence)
    if not name:
        return None
    at = sentence.find(name)
    if at >= 0 and _NAME_GOES_ON.match(sentence, at + len(name)):
        return None   # "Abdel Fattah" of "Abdel Fattah al-Sisi": the full name as written, or none
    if at >= 0 and _NOT_ACTING.match(_PARTY.sub("", sentence[at + len(name):at + len(name) + 160], count=1)):
        return None
    full = [name] if name in quoted else surnames.get(name, [])
    if len(full) == 1:
        return full[0]
    if roled and (_person(name) or _named_after_first_word(name, f". {name}")):
        return name
    # "Peskov repeated the standard line.": a surname a Slavic language marks as a person's, then a
    # verb of speech or stance; a place or a body ("Rostov", "Gazprom") is never one
    if " " in name or at < 0 or gender(name) is None:
        return None
    after = _NEXT_WORD.match(sentence, at + len(name))
    return name if after and after.group(1).lower() in _STANCE_VERBS and _named_after_first_word(name, f". {name}") \
        else None


# two or more capitalised words, a title and a name ("President Putin's"), or one word: names a sentence holds
_CAPITALISED_RUN = re.compile(rf"[A-Z][\w'’.-]*(?:\s+{NAME_WORD})*")
_RUN_OPENERS = frozenset("the a an his her its their our my your this that these those in on at by for from "
                         "after before with without as when while but and or of to".split())


def _names_another(sentence: str, person: str, surnames: dict[str, list[str]]) -> bool:
    """Does a sentence of the writer's name a person other than ``person``: a person's two words ("His
    wife Yulia Navalnaya"), a title and a name ("President Putin's decree"), a surname the document
    quotes in full, someone's office ("Zelensky's office"), or a body, a capital or a country as its
    subject ("The White House rejected it.")?"""
    own = set(person.split())
    for m in _CAPITALISED_RUN.finditer(sentence):
        words = [w.strip(".,'’") for w in m.group().split()]
        while words and words[0].lower() in _RUN_OPENERS:
            words.pop(0)
        possessive = bool(words) and words[-1].endswith(("'s", "’s"))
        words = [re.sub(r"['’]s$", "", w) for w in words if w]
        titled = len(words) > 1 and words[0].lower() in ROLE_WORDS
        while len(words) > 1 and words[0].lower() in ROLE_WORDS:
            words.pop(0)
        if not words or own.issuperset(words):
            continue   # the person again ("Peskov", "Dmitry Peskov"); "Boris Kovalenko" is not "Natalia Kovalenko"
        low = " ".join(words).lower()
        place = low in NOT_VOICES or low in COUNTRIES
        if m.start() == 0 and (place or any(w.lower() in _BODY_WORDS for w in words) or words[0].isupper()):
            return True   # "The White House rejected it.", "Moscow denied it.": a body's spokesperson may speak next
        if titled or _person(" ".join(words)) or (len(words) == 1 and words[0] in surnames) \
                or (possessive and not place):   # "Zelensky's office declined to comment."
            return True
    return False


# words of a body's name: a body is "it", never "he" or "she"
_BODY_WORDS = frozenset("""ministry ministry's office service agency council committee department government
    administration commission court army forces command police bureau institute university kremlin news
    media press centre center group company bank union organization organisation mission embassy party
    parliament duma network channel channels reuters tass ria interfax agence associated""".split())


def _person(name: str) -> bool:
    """A name that reads as a person's: two or more capitalised words, none a word of a body's name, a
    place or a country ("Dmitry Peskov"; not "Foreign Ministry", and not a lone "Peskov": a one-word
    name is as often "Officials" or "Gazprom", and a wrong name is worse than none)."""
    words = name.split()
    if len(words) < 2 or not all(w[:1].isupper() or w in PARTICLES for w in words):
        return False   # one word may be a surname, or "Officials", "Gazprom", "Estonia": no guess
    if name.lower() in NOT_VOICES or name.lower() in COUNTRIES:
        return False   # "United States", "New York"
    return not any(w.lower().strip(".,") in _BODY_WORDS for w in words)   # "Israel Katz" is a person


def full_names(voices: list[tuple[str, str | None]]) -> dict[tuple[str, str], str]:
    """Short names of one document mapped to the full name they stand for there.

    ``voices`` are (speaker role, name) pairs. A later quoted "Peskov" is the document's quoted
    "Dmitry Peskov", and a "Ministry" its "Foreign Ministry": a one-word name that is the last word
    of a longer name of the same role maps to it, when exactly one such name occurs.
    """
    longer = {(role, name) for role, name in voices if name and " " in name}
    mapping: dict[tuple[str, str], str] = {}
    for role, name in {(r, n) for r, n in voices if n and " " not in n}:
        found = [full for r, full in longer if r == role and full.split()[-1] == name]
        if len(found) == 1:
            mapping[(role, name)] = found[0]
    return mapping


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


# where a straight single quote opens a quotation: after a colon, a sentence's end or a dash, or a verb of
# speech ("said 'we ...'", "As Lavrov put it, 'The ...'"); what stands before it, its spaces stripped
_SINGLE_OPENS_AFTER = re.compile(rf"(?:[:.!?…—–-]|\b(?:{SPEECH_VERB}|put\s+it),?)$")
_SINGLE_CLAUSE_END = ",.!?…"   # a quote closing after one of these ends a clause of the quotation: ",' Peskov said"


def single_quotations(text: str, start: int, end: int) -> str | None:
    """``text[start:end]`` with its straight single quotes that can only be quotation marks made double
    ones (same length, so offsets hold), or None when there are none (or the paragraph has double
    quotation marks, whose nested single ones are left alone).

    A quote opens at the paragraph's start or after a colon, a sentence's end, a dash or a verb of speech,
    before a letter ("Peskov said: 'We ...'", "'We ...,' Peskov said", "said 'we ...'"); it closes after a
    clause's end (",'", ".'", "?'") before a space or the end, or, when a colon or a verb opened it, after a
    letter before punctuation or the end ("'we will not negotiate'."). An apostrophe inside a word
    ("Russia's", "don't"), before a digit ("'90s"), after a plural ("the soldiers' families") or in "rock
    'n' roll" opens and closes nothing; a quote that opens where a quotation does but finds no closing one
    before another opening one ("said 'a' because 'b.'", "said: 'I told him, 'No.''") or the end leaves the
    whole paragraph as written.
    """
    if text.find("'", start, end) < 0 or _ANY_QUOTE.search(text, start, end):
        return None
    chars = list(text[start:end])
    changed = False
    i = text.find("'", start, end)
    while 0 <= i < end:
        after = text[i + 1] if i + 1 < end else " "
        if after.isalpha() and (i == start or text[i - 1].isspace()):
            k = i   # what stands before it, its spaces stripped (each run walked once: linear in the paragraph)
            while k > start and text[k - 1] in " \t":
                k -= 1
            lead = text[max(start, k - 40):k]   # a verb of speech is in its last 40 characters
            spoken = bool(lead) and lead[-1] not in ".!?…—–-"   # a colon or a verb, not a sentence's start
            if not lead or _SINGLE_OPENS_AFTER.search(lead):
                closing = _single_closing(text, i + 1, end, spoken)
                if closing is None:
                    return None   # a quotation we cannot close (nested, unclosed): the paragraph as written
                chars[i - start] = chars[closing - start] = '"'
                changed = True
                i = text.find("'", closing + 1, end)
                continue
        i = text.find("'", i + 1, end)
    return "".join(chars) if changed else None


def _single_closing(text: str, start: int, end: int, spoken: bool) -> int | None:
    """The offset of the straight single quote that closes a quotation opened just before ``start``."""
    j = text.find("'", start, end)
    while j >= 0:
        before, after = text[j - 1], text[j + 1] if j + 1 < end else " "
        if before.isspace() and after.isalnum():
            return None   # another opens ("said 'a' because 'b.'"): where this one closed is no telling
        if before in _SINGLE_CLAUSE_END and (after.isspace() or after in ")]"):
            return j
        if spoken and before.isalpha() and before not in "sS" and (j + 1 == end or after in ".,;:!?)]"):
            return j
        j = text.find("'", j + 1, end)
    return None


def _opens_sentence(text: str, s: int, e: int, quote: tuple[int, int]) -> bool:
    """The sentence ``text[s:e]`` starts with ``quote``, which runs to its end or beyond.

    ``"Stay away" is the slogan.`` starts with a quote but is the writer's sentence about it.
    """
    opening, closing = quote
    if opening != s + len(text[s:e]) - len(text[s:e].lstrip(_QUOTE_LEAD)):
        return False
    return closing >= e or not text[closing + 1:e].strip(_QUOTE_TAIL + _QUOTE_MARKS)


def carry_quotations(text: str, spans: list[tuple[int, int]],
                      own: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The voices of a paragraph's sentences (``spans`` into ``text``, in order, at least one).

    ``own`` holds each sentence's voice alone (``voices.sentence_voice``); quotations that open and close
    in the paragraph carry their speaker across sentences: every sentence of a quotation that spans
    several (``"A. B. C," he said.``) is the speaker's, up to the one holding its closing mark; and a
    sentence that is a quotation of its own with no attribution, right after a quoted sentence,
    continues it (``"...," Peskov said. "The Kiev regime bears full responsibility."``).
    """
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
