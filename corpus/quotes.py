"""Quoted and reported speech: who a sentence of the document's own voice quotes or reports.

``attributed_speaker`` reads one sentence: a quote attributed after it (``"...", he said``,
``said X``, ``"...", foreign ministry spokeswoman X said``), before it (``X said: "..."``),
reported speech (``X said that``, ``X said it was``, ``..., the minister said.``) or ``according to
X``, or a quotation after a verb that characterises (``He called them "..."``, ``X dismissed the
reports as "..."``). A descriptor without a capitalised name (``"...", the deputy minister said``,
``one of them said``) is speech with no name: a role is not an identity; a group or a role names the
side or body that qualifies it (``Western officials``; a spokesperson's body: ``Kremlin spokesman`` ->
``Kremlin``), and nothing when alone (``Experts say``, ``Critics argued that``).

Names are cleaned in names.py; what reaches across sentences (a quotation's speaker, "She added", a
short name) is in quotations.py.
"""

from __future__ import annotations

import itertools
import re

from corpus.names import (NAME, PARTICLES, PERSON_TITLES, ROLE_WORDS, TITLES, clean_name, descriptor_name, gender,
                          strip_titles)
from corpus.transcripts import COUNTRIES, NOT_VOICES
from corpus.voice_markers import NOT_SPEAKERS

_ROLE_OR_TITLE = ROLE_WORDS | TITLES   # a word that names a role, not the person


SPEECH_VERB = (r"(?:said|says|say|told|tells|stated|states|claimed|claims|argued|argues|added|adds|"
                r"noted|notes|warned|warns|insisted|insists|announced|announces|declared|declares|"
                r"wrote|writes|explained|explains|asserted|asserts|stressed|stresses|emphasi[sz]ed)")
# verbs that characterise something in the speaker's words when a quotation follows: 'He called them "a
# sign of Western impotence."', 'Zakharova dismissed the reports as "another Western fabrication"'
# one names (it "a sign ..."), the other characterises as ("as another Western fabrication")
_NAMING_VERB = r"(?:called|calls|branded|brands|labell?ed|labels|termed|terms|dubbed|dubs)"
_AS_VERB = (r"(?:dismissed|dismisses|described|describes|denounced|denounces|condemned|condemns|hailed|hails|"
            r"derided|derides|decried|decries|characteri[sz]ed|characteri[sz]es|portrayed|portrays)")
# and one that accuses: 'Zakharova accused Western media of spreading "staged footage"'
_OF_VERB = r"(?:accused|accuses)"
CHARACTERISING_VERB = rf"(?:{_NAMING_VERB}|{_AS_VERB}|{_OF_VERB})"
# a literal alternation is the cheapest test that a sentence holds no speech verb at all
_VERB_HINT = re.compile(r" said| says| say | told| tell| stated| states| claim| argue| added| adds| report|"
                        r" noted| notes| warn| insist| announc| declar| wrote| writes| explain|"
                        r" assert| stress| emphasi|ccording to| put it| called| calls | branded| brands | label[ls]|"
                        r" termed| terms | dubbed| dubs | dismiss| describ| denounc| condemn| hailed| hails |"
                        r" deride| decri| characteri| portray| accuse")
_PRONOUNS = frozenset("he she they it".split())
# a question the writer asks, whatever it quotes: 'Did Peskov really say "we are ready?"', "Why did
# Lavrov say ...?"; not "When asked ..., Peskov said: ..." nor "Will Smith said: ..."
_AUXILIARY = r"(?:did|does|do|is|are|was|were|will|would|can|could|should|has|have|had)"
_WRITERS_QUESTION = re.compile(rf"(?:{_AUXILIARY}|(?:why|how|what|who|when|where|which)\s+{_AUXILIARY})\s", re.I)
_SPEECH_INTRODUCES = re.compile(rf"\b{SPEECH_VERB}\s*[:,]\s*[\"“«]")
# the speaker and whom they address, never someone quoted: "I said", "we told them", and an interview's
# "You said earlier that ..." (the other side of the conversation, in its own turn)
_PARTIES = frozenset("i we me us my our you your".split())
_OPENING_QUOTES = frozenset('"“«‘')
_PARTY_SUBJECTS = frozenset("I we We you You".split())   # as written: "the US" is no "us"
_QUANTIFIED = frozenset("some many most several few other".split())   # "Other analysts said": a group, no name
_NOT_SUBJECTS = frozenset("""it this that these those there here what which who most many some all every
    none nobody everyone everybody anyone anybody one many few both each other others
    such so and but or yet as if when while although because since however thus also""".split())
# whom words leading up to a quotation never name as its speaker: the parties, "To quote myself:"
_NOT_INTRODUCED = _PARTIES | _NOT_SUBJECTS | frozenset("myself ourselves yourself yourselves".split())
# words that only lead up to a quotation and name whose it is: "Here is how Lavrov put it:", "Here's what
# Lavrov wrote on Monday:", "As Lavrov put it:", "In the words of Sergei Lavrov:", "To quote Lavrov:"
_QUOTING_LEAD = (r"(?:\b[Ii]n\s+the\s+words\s+of|\b[Tt]o\s+quote|\b[Qq]uoting|\bI\s+(?:will\s+|shall\s+|must\s+)?quote|"
                 r"\b(?:[Ll]et\s+me|I'll|I’ll)\s+quote)")
# "In Lavrov's words", "In the Kremlin's own words": whose words, as "In the words of Lavrov" ("In his words" is
# _PRONOUN_LEAD's, "In other words" no one's); whose, of up to 80 characters as a name after "according to" (an
# unbounded one was sought from every "In" to the text's end: 3 s on 28 KB of "In The ...")
_POSSESSIVE_WORDS = r"\b[Ii]n\s+(?P<poss>(?:the|a|an)\s+[^:;,\"“«]{0,80}?|[A-Z][^:;,\"“«]{0,80}?)['’]s\s+(?:own\s+)?words"
_INTRODUCES = re.compile(
    rf"(?:\b(?:[Hh]ere(?:'s|’s|\s+is)|[Tt]his\s+is|[Tt]hat\s+is)\s+(?:how|what)|(?:^|[,;]\s*)[Aa]s)\s+(?P<who>[^:;]+?)\s+"
    rf"(?:(?:put|phrased|described)\s+it|{SPEECH_VERB}|posted)\b[^:]*:$"
    rf"|{_QUOTING_LEAD}\s+(?P<whom>[^:;]+?)\s*:$|{_POSSESSIVE_WORDS}\s*:$")
# the same with a comma for the colon: 'In the words of Sergei Lavrov, "..."', 'To quote Lavrov, the
# foreign minister, "..."'; whom it names holds no comma but an appositive's, since a comma may also end a
# lead-in of its own ('Quoting Lavrov, Peskov said, "..."' is Peskov's)
_INTRODUCES_COMMA = re.compile(
    rf"{_QUOTING_LEAD}\s+(?P<whom>[^:;,]+?(?:,\s+(?:the|a|an|his|her|its|their|[A-Z][\w.-]*['’]s)\s+[^:;,]+?)?)\s*,$"
    rf"|{_POSSESSIVE_WORDS}\s*,$"
    # 'As Kremlin officials put it, "..."', as 'As Kremlin officials put it:' and 'As Scholz put it, "..."'
    rf"|(?:^|[,;]\s*)[Aa]s\s+(?P<who>[^:;,\"“«]+?)\s+(?:put|phrased|described)\s+it(?:\s+[a-z]+){{0,2}}\s*,$")
_COMMA_QUOTE = re.compile(r",\s*[\"“«]")
_LEAD_QUOTE = re.compile(r"([^\"“«]{1,40}?[,:])\s*[\"“«]")   # a sentence's short lead-in, then a quotation
# pronouns a lead-in may name, whose name is elsewhere ("to quote him, ..."): no name given here
_OBJECT_PRONOUNS = frozenset("him her them it".split())


def pronoun_lead_pattern(possessive: str = "his|her|their|its", objective: str = "him|her|them",
                         capital: bool = False) -> str:
    """The pattern of a lead-in quoting a pronoun's person, to its comma or colon: "In his (own) words,", "To
    quote her:", "Quoting them,". ``possessive``, ``objective``: the pronouns it may name, as alternatives
    ("his|her", "him|her"); ``capital``: "In", "To", "Quoting" only, as a sentence opens with them."""
    in_, to, quoting = ("In", "To", "Quoting") if capital else ("[Ii]n", "[Tt]o", "[Qq]uoting")
    return (rf"(?:{in_}\s+(?:{possessive})\s+(?:own\s+)?words|{to}\s+quote\s+(?:{objective})|"
            rf"{quoting}\s+(?:{objective}))\s*[,:]")


# a lead-in quoting a pronoun's person: quoted, its name that of "he said" (quotations.pronoun_names)
_PRONOUN_LEAD = re.compile(pronoun_lead_pattern() + "$")
_QUOTE_THEN_VERB = re.compile(
    rf"[\"”»],?\s+(?:(?P<pro>he|she|they)\s+{SPEECH_VERB}|{SPEECH_VERB}\s+(?P<after>{NAME})|"
    rf"(?P<before>{NAME})\s+{SPEECH_VERB})\b")
# an appositive may open with a possessive or a role: "Sergei Lavrov, Russia's foreign minister, said"
_POSSESSIVE = r"[A-Z][\w.-]*['’]s"
_ROLE_WORD = (r"(?:president|minister|secretary|spokesman|spokeswoman|spokesperson|head|chief|deputy|"
              r"director|governor|mayor|ambassador|chairman|chairwoman|commander|editor|founder)\b")
# a quote that ends a clause (",", "?", "!"), then a descriptor and a speech verb, or the verb first:
# '"...," foreign ministry spokeswoman Maria Zakharova said' / '"...," said Kremlin spokesman Dmitry Peskov.'
# or a name with an appositive: '"...," Helena Moritz, a researcher at a London university, told VerifyDesk.'
# (or "Sergei Lavrov, Russia's foreign minister, said", "Ivan Petrov, head of the district, said")
_QUOTE_DESCRIPTOR = re.compile(
    rf"(?:[,?!…]\s*[\"”»]|[\"”»],)\s+(?:(?P<desc>(?:[\w'’.-]+\s+){{1,7}}?){SPEECH_VERB}\b|"
    rf"(?P<named>{NAME}),\s+(?:a|an|the|{_POSSESSIVE}|{_ROLE_WORD})\s+[^,;:!?\"“”«»]{{1,80}}?,\s+{SPEECH_VERB}\b|"
    rf"{SPEECH_VERB}\s+(?P<desc_after>[^,;:!?\"“”«»]{{1,80}}?)\s*(?:[,;:!?]|\.?\s*$))")
_DESC_STOP = frozenset("""i we me us my our you your and but or nor so yet as if when while because
    which that who whom whose what is was are were be been has have had do did does not never
    this these those there here then than""".split())
# where a name after the verb ends: '"...," said Peskov on Monday'
_DESC_END = frozenset("""on in at last this during after before earlier later yesterday today to from
    with for adding according speaking""".split())
# a clause, then ", <who> said." closing the sentence: reported speech, its last words perhaps quoted
# ('Russia will respond "in a way that hurts," Foreign Ministry spokeswoman Maria Zakharova said.')
_REPORTED_TAIL = re.compile(
    rf",[\"”»]?\s+(?P<desc>(?:[\w'’.-]+\s+){{0,6}}?[\w'’.-]+)\s+(?:{SPEECH_VERB}|reported|reports)"
    r"(?:(?:\s+(?:on|in|last|this|earlier|later)(?:\s+\w+){0,3}){1,2}|\s+(?:yesterday|today|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday))?\s*[.!]?\s*$")
# "Peskov said: "..."", and "As Lavrov said, "..."" or "As Scholz put it, "..."" (the "As" is no name);
# whom they told before a comma or colon ("Medinsky told the delegation, "...""), how they put it
# ("Peskov put it this way: "..."")
_TOLD_WHOM = r"(?:told|tells)\s+(?:(?:the|a|an|his|her|their|its)\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s*[:,]"
_PUT_IT = r"put\s+it(?:\s+(?:this\s+way|that\s+way|like\s+this|so|bluntly|simply|plainly))?"
_VERB_THEN_QUOTE = re.compile(rf"(?P<subj>{NAME}|[Hh]e|[Ss]he|[Tt]hey)\s+(?:(?:{SPEECH_VERB}|{_PUT_IT})\s*[:,]?|{_TOLD_WHOM})"
                              r"\s*[\"“«]")
_AS_LEAD = re.compile(r"(?:As|Like)\s+(?=\S)")
# a subject that goes on before the name _VERB_THEN_QUOTE finds: a title's "of" ("Speaker of the House Nancy
# Pelosi", whose name would be "House Nancy Pelosi"), a name before its suffix ("Martin Luther King, Jr.")
_TITLE_OF = re.compile(r"\bof(?:\s+the)?\s+$")
_SUFFIXES = frozenset("Jr Jr. Sr Sr.".split())
# names listed before the name _VERB_THEN_QUOTE finds: 'Russia and China said: "..."' names both, as "said that" does
# (its last name is enough: the whole list before it matches where that name does, and reading only the last one
# keeps the search linear; "Aa, Aa, ..." of 16 KB took 3 s with the list written out)
_LIST_BEFORE = re.compile(r"(?:^|\s)[A-Z][\w'’.-]*,?\s+(?:and|or|&)\s+$")
# the source runs to the first punctuation, but not to the stop of "U.S." or "Dr."
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+(?P<src>(?:[^,.;:!?()\"“”]|(?<=[A-Z])\.|(?<=\bMr)\.|(?<=\bMs)\.|"
                        r"(?<=\bDr)\.|(?<=\bMrs)\.|(?<=\bProf)\.){2,80})")
# what a source counted or wrote, not who it is: "according to UN figures", "Reuters calculations"
_RECORDS = re.compile(r"(?:(?<=\S)'s|’s)?(?:\s+(?:figures|data|estimates?|statistics|numbers|calculations|tallies|tally|"
                      r"counts?|reports?|records|analysis|research|polls?|surveys?|documents?))+$")
# a demonym alone ("Ukrainian figures" -> "Ukrainian") names nobody
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ian|ish|ese|an|i)$")


# a group or a role that speaks, not a person's name: "Experts say", "Western officials said", "a Kremlin spokesman"
_GROUPS = frozenset("""official officials expert experts critic critics analyst analysts observer observers source
    sources authorities scientist scientists researcher researchers resident residents diplomat diplomats lawmaker
    lawmakers legislator legislators commentator commentators activist activists witness witnesses locals economist
    economists historian historians campaigner campaigners opponent opponents supporter supporters sceptics skeptics
    insider insiders investigator investigators politicians representative representatives""".split())
# a group before the place _VERB_THEN_QUOTE finds: 'Officials in Brussels said: "..."' names the group and its place
_GROUP_PLACE_BEFORE = re.compile(rf"(?:^|\s)(?i:{'|'.join(sorted(_GROUPS))})\s+(?:in|of)\s+(?:the\s+)?$")
_SPOKESPEOPLE = frozenset("spokesman spokeswoman spokesperson spokesmen spokeswomen spokespeople".split())
# words before such a group that a sentence's first word capitalises and that name no side or body ("Senior
# officials", "Law enforcement officials"); any other capitalised word does ("Western", "NATO", "Fukushima").
# A rank, a number or a place opens no body's name ("Senior Kremlin officials" are the Kremlin's, "Local Kharkiv
# officials" Kharkiv's); the other words open one before a capitalised word that is no people's adjective ("Foreign
# Ministry spokeswoman", "Human Rights Watch researchers"; "Independent Russian analysts" are Russian analysts)
_RANK_QUALIFIERS = frozenset("""senior top leading many several some most other former retired unnamed anonymous
    outside prominent respected veteran concerned worried angry frustrated local""".split())
_GENERIC_QUALIFIERS = _RANK_QUALIFIERS | frozenset("""foreign military government law security intelligence
    independent health medical climate legal political economic financial defence defense police industry polling
    election scientific academic rights human""".split())


def _role_speaker(words: list[str], initial: bool) -> str | None:
    """Whom a group or a role with no person's name after it names (``words`` end in one of ``_GROUPS`` or
    a spokesperson): the body a spokesperson speaks for ("Kremlin spokesman" -> "Kremlin", as "a spokesman
    for the ministry" is the ministry's), a group with the side or body that qualifies it ("Western
    officials", "NASA scientists"), else no one ("Experts", "Critics", "Senior officials"). ``initial``: the
    first word opens the sentence, so a capital on the group itself or a generic word names nothing."""
    words = [w.strip(",;:") for w in words]
    first = words[0].lower()
    if initial and (first in _RANK_QUALIFIERS or first in _GROUPS or first in _SPOKESPEOPLE
                    or (first in _GENERIC_QUALIFIERS and (not words[1][:1].isupper() or _DEMONYM.match(words[1])))):
        words = [first] + words[1:]   # "Experts", "Senior officials": capitalised by where they stand
    caps = [i for i, w in enumerate(words[:-1]) if w[:1].isupper()]
    if not caps:
        return None
    if words[-1].lower() in _SPOKESPEOPLE:
        body = re.sub(r"['’]s$", "", " ".join(words[caps[0]:-1]))   # "the Kremlin's spokesman": the Kremlin
        return None if _DEMONYM.match(body) else body   # "a Russian spokesman": a people's adjective, no body
    return " ".join(words[caps[0]:])


def _is_role(words: list[str]) -> bool:
    """Do ``words`` end in a group or a role that speaks ("Western officials", "Kremlin spokesman")?"""
    return bool(words) and words[-1].strip(",;:.").lower() in _GROUPS | _SPOKESPEOPLE


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)


def _bare(name: str) -> str:
    """A name cleaned (clean_name) without its article: "the Kremlin spokesman" -> "Kremlin spokesman"."""
    return _ARTICLE.sub("", clean_name(name))


def _group_place(words: list[str], at: int) -> list[str]:
    """The place a group's "in" or "of" at ``words[at]`` names, its capitalised words from there on ("officials
    in New York on Monday" -> ["New", "York"]); [] when ``words[at]`` is no "in"/"of" after a group or no place
    follows it."""
    if at < 1 or words[at] not in ("in", "of") or words[at - 1].lower() not in _GROUPS:
        return []
    return list(itertools.takewhile(lambda w: w[:1].isupper(), words[at + 1:]))


def _located_group(words: list[str]) -> bool:
    """Are ``words`` a group and where it is, as a name ("officials in Brussels", "residents of Kharkiv"):
    kept as written wherever the attribution stands, as "Officials in Brussels said ..." keeps them."""
    at = [i for i, w in enumerate(words[:-1]) if w in ("in", "of")]   # "officials in New York": a place of 1-3 words
    place = _group_place(words, at[-1]) if at else []
    return bool(place) and at[-1] + 1 + len(place) == len(words) <= at[-1] + 4


def _descriptor_speaker(desc: str) -> str | None:
    """The name a descriptor after a quote gives: a person's or a body's (names.descriptor_name), else
    the side or body of a group or a spokesperson ('"...," Western officials said', 'a Kremlin spokesman'),
    or a group and its place ('..., officials in Brussels said')."""
    name = descriptor_name(desc)
    if name is None:
        words = _bare(desc).split()
        if _is_role(words):
            return _role_speaker(words, initial=False)
        if _located_group(words):
            return " ".join(words)
    return name


def _records_source(src: str) -> str:
    """An "according to" source without the records it is cited by: "UN figures" -> "UN", "Russia's
    data" -> "Russia", "Russian Defence Ministry data" -> "Russian Defence Ministry"; "Ukrainian
    figures" -> "" (a demonym names nobody). Other sources as given."""
    m = _RECORDS.search(src)
    if not m or m.start() == 0:
        return src
    head = src[:m.start()].rstrip()
    if not head.split()[-1][:1].isupper():   # "local hospital figures": no name before the records
        return src
    return "" if _DEMONYM.match(head) else head


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
# "X called them "...."", "X dismissed the reports as "..."": an object, then the quotation (not the
# participle of "a plan called "Peace"" nor "described as "secret"")
_CHARACTERISES = re.compile(
    rf"^(?P<subj>[A-Z][^!?;:\"“”«»]{{0,80}}?){_BETWEEN}\s+(?:(?P<naming>{_NAMING_VERB})\s+(?!(?:as|for|on|upon|in|to)\b)"
    rf"(?P<object>(?:[^\s\"“”«»]+\s+){{1,8}})|{_AS_VERB}\s+(?!as\b)[^\"“”«»]{{1,80}}?\s+as\s+(?:[\w'’-]+\s+){{0,3}}"
    rf"|{_OF_VERB}\s+(?!of\b)[^\"“”«»]{{1,80}}?\s+of\s+(?:[\w'’-]+\s+){{0,3}})[\"“«]")
# what names no speech after "called": a call ("called Biden on Tuesday to discuss"), a meeting called
# ("called an emergency meeting of the"), troops called up; a preposition or "to" in the object is one
_PARTICLES_AFTER_CALL = frozenset("up off back out over in".split())          # "called up 300,000 reservists"
_NOT_NAMING_OBJECT = frozenset("""to yesterday today tonight monday tuesday wednesday thursday friday saturday
    sunday""".split())   # "called Biden on Tuesday to discuss"
_CALLED_EVENT = re.compile(r"(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:meeting|summit|session|election|referendum|vote|strike|"
                           r"halt|ceasefire|truce|conference|briefing|debate|inquiry)s?\b", re.I)
# a second voice in the same sentence: 'Kyiv terms the attacks "terrorism" while Moscow calls them "retaliation."'
_SECOND_VOICE = re.compile(rf"\b(?:while|whereas|but|and|as)\s+(?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\s+"
                           rf"(?:{SPEECH_VERB}|{CHARACTERISING_VERB})\b")
# a name given to a thing: 'dubbed the new drone "Geran-2"' (a capitalised name of up to three words)
_GIVEN_NAME = re.compile(r"[\"“«][A-Z][\w'’-]*(?:[\s-][A-Z0-9][\w'’-]*){0,2}[\"”»]")
# a title after "called his book", "called the film": capitalised words, small ones between them
_TITLE = re.compile(r"[\"“«][A-Z][\w'’-]*(?:[\s-](?:[A-Z0-9][\w'’-]*|of|the|a|an|and|in|on|for|to|at|by|with|from)){0,7}"
                    r"[\"”»]")
_OWNER_OR_ARTICLE = frozenset("his her its their our my your the this that".split())
# the words a subject may hold besides capitalised ones: "Russia's embassy in Riga", "the foreign minister"
_SUBJECT_WORDS = frozenset("""the a an his her its their of for in at from by to former executive officer
    spokesman spokeswoman spokesperson official officials lawmaker lawmakers diplomat diplomats embassy ministry
    government military army office""".split())
# A subject may hold the full stops of abbreviations ("Dr.", "U.N."): the splitter ends sentences elsewhere.
# a US-style date after the verb, whose commas end no clause: "wrote on March 3, 2024:", "said on Monday, March
# 3, "..."", "told reporters on Mar. 3, 2024 that" (its "on March 3" alone is the time phrase's)
_US_DATE = (rf"\s+on\s+(?:(?:{_DAYS}),\s+)?(?:{_MONTHS}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
            r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,\s+\d{4})?")
_REPORTED = re.compile(
    rf"^(?P<subj>[A-Z][^!?;:\"“”]{{0,80}}?){_BETWEEN}\s+(?P<verb>{SPEECH_VERB})"
    r"(?:\s+(?:on|in|last|this|earlier|later|recently)(?:\s+\w+){0,2})?(?:\s+\w+)?"
    rf"(?:{_US_DATE})?\s*(?:that\b|:|,?\s*[\"“«])")
# "claims", "notes", "states" after one of these (or a possessive) are nouns: "spread false claims
# that", "its claims that", "Moscow's claims that"; "said" is a verb whatever comes before it
_NOUNS = frozenset("claims claim notes states".split())
_NOUN_BEFORE = frozenset("""the its his her their our your these those such false unfounded baseless
    repeated similar fresh new dubious bogus wild unsubstantiated any no own""".split())
# verbs in the past that end in no "-ed", after a bare noun: "Analysts in Kyiv said prices rose again"
_PAST_VERBS = ("rose|fell|grew|went|came|began|broke|brought|built|caught|drew|drove|fought|found|flew|froze|gave|got|"
               "held|kept|knew|led|left|lost|made|met|paid|ran|saw|sold|sent|shot|stood|stole|struck|swept|took|"
               "told|thought|threw|won|wrote|sank|shrank|spent|fled|sought|slid|hid|bore|forbade|overtook|withdrew")
# what "said" takes as its object, never a clause's subject: "Troops said goodbye to their families"
_SAID_OBJECTS = ("goodbye|farewell|hello|hi|thanks|grace|prayers?|sorry|mass|amen|yes|no|nothing|so|something|little|"
                 "which|what|who|whom|whose|how|why|where|when|whether|if|too|not|and|or|but")   # "say which encoder made"
# reported speech without "that": "X said it was seeking access", "X told reporters the damage was old".
# Only say/tell, whose object is what was said ("announced a ceasefire" is an act, not speech), and
# only before what opens a clause (not "said nothing", "said so", "said goodbye").
_REPORTED_BARE = re.compile(
    rf"^(?P<subj>[A-Z][^!?;:\"“”]{{0,80}}?){_BETWEEN}\s+(?:said|says|say|(?:told|tells)\s+\w+)"
    rf"{_WHEN},?\s+(?:it|he|she|they|we|there|this|these|those|the|a|an|its|his|her|their|our|all|some|most|many|"
    r"only|[A-Z][\w'’.-]*|\d|[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,2}\s+(?:is|are|was|were|had|has|have|will|would|"
    r"could|can|may|might|should|must)\b"
    rf"|(?!(?:{_SAID_OBJECTS})\b)[a-z][\w'’-]*(?:\s+(?!(?:and|or|but|then|nor)\b)[a-z][\w'’-]*)?\s+"
    rf"(?:[a-z]{{2,}}(?<!e)ed|{_PAST_VERBS})\b)")
# "said prices are ...", "said prices rose": a bare noun, then its verb; not what one says ("said goodbye to"),
# nor what one says and then does ("The soldier said goodnight and left")
# "to say" and "let's say" open the writer's own sentence: "Needless to say", "Suffice it to say", "Let us say"
# (not "Zelensky went on to say", someone's speech)
_SAY_IDIOM = re.compile(r"(?i:needless|suffice\s+it|(?:it\s+is\s+|it['’]s\s+)?(?:safe|fair|sad|strange|true)|truth|"
                        r"that\s+is|so)\s+to|[Ll]et(?:['’]s|\s+us)")


# prepositions that open a sentence with where, when or why: such a phrase is never who speaks
_OPENING_PREPOSITIONS = ("in|on|at|from|after|before|during|since|under|amid|amidst|despite|following|with|without|"
                         "for|over|across|throughout|within|into|by|against|among|beyond|unlike")
# what comes before the subject and its comma: "In November 2023, ...", "Three years into the war, ..."
_LEAD_IN = re.compile(rf"^(?:{_OPENING_PREPOSITIONS}|last|earlier|later|yesterday|today|this|"
                      r"according to|citing|quoting|speaking|responding|referring|commenting|asked|"
                      r"meanwhile|however|also|then|now|"
                      r"(?:\w+\s+){1,2}(?:years?|months?|weeks?|days?|hours?|decades?)\s+(?:into|after|later|ago|on|before|since))\b",
                      re.I)


# when, opening the sentence with no comma: "Last year Russia said", "On 24 February the ministry said"
_TIME_LEAD = re.compile(
    r"^(?:(?:(?:on|in|at|by|since|during|after|before|until|over|throughout)\s+(?:the\s+)?"
    r"(?:(?:past|last|next|early|late|mid-?|same|recent|coming|following|previous)\s+)*"
    r"|(?:last|this|next|earlier|later|early|late)\s+(?:this\s+)?)"
    rf"(?:{_DAYS}|{_MONTHS}|years?|months?|weeks?|days?|nights?|morning|afternoon|evening|weekend|spring|summer|"
    rf"autumn|fall|winter|\d{{1,4}}s?|\d{{1,2}}(?:st|nd|rd|th))(?:,?\s+(?:{_MONTHS}|\d{{1,4}}))*"
    r"|yesterday|today|tonight|earlier|later|previously|meanwhile|recently)\s+(?=\S)", re.I)
_LEAD_IN_COMMA = re.compile(r"([^,]{1,40}),\s+(?=[A-Z])")   # "Later, ", "On Monday, ", "In Moscow, "
_PREPOSITION_LEAD = re.compile(rf"(?:{_OPENING_PREPOSITIONS})\s", re.I)
_RELATIVE = frozenset("who whom which that".split())
_NEW_CLAUSE = re.compile(r"(?:and|but|while|yet|so|whereas)\s+(?=\S)", re.I)
_ROLE = re.compile(r"(?:the|a|an)\s+[a-z]", re.I)
# a conjunction or an adverb opening a sentence with no comma, before a name or "the ...": an answer's
# "And Peskov said ...", "Then Lavrov said ..." ("And so it was said" keeps it)
_OPENING_CONJUNCTION = re.compile(r"(?:And|But|Yet|So|Also|Then|Now|Still|Finally|Again|Even|Instead|Separately|Similarly|"
                                  r"Likewise|Moreover|Besides|Indeed|Thus)\s+(?=[A-Z]|the\s)")
_PERSON = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}")


_LISTING = frozenset("and or nor & versus vs".split())   # "Joe Biden and Vladimir Putin": two speakers, no one name


def _names_list(subject: str) -> str | None:
    """The whole of a subject that lists names with commas ("Moscow, Kyiv and Minsk", "Britain, France, and
    Germany"), named as "Russia and China" is; None for any other subject (a lead-in, "On Monday, Russia and
    China", an appositive, "Sergei Lavrov, Russia's foreign minister", a place's list, "Officials in Kyiv, Odesa
    and Lviv")."""
    subject = _OPENING_CONJUNCTION.sub("", subject.strip(), count=1)
    parts = [p.strip() for p in subject.split(",")]
    if len(parts) < 2 or not all(parts) or _LEAD_IN.match(parts[0]) or _TIME_LEAD.match(parts[0] + " ") \
            or parts[0].endswith("ly") or any(c.isdigit() for c in subject):
        return None
    words = [w for p in parts for w in p.split()]
    if not ({w.lower() for w in parts[-1].split()} & _LISTING) or words[-1].lower() in _LISTING or len(words) > 16 \
            or any(len(p.split()) > 4 for p in parts[:-1]) \
            or not all(w[:1].isupper() or w.lower() in _LISTING for w in words):
        return None
    return _bare(subject)


def _the_us(text: str, alone: bool = False) -> bool:
    """Does ``text`` open with "US", the country, which lower-cased reads as the party "us" ("US officials said",
    "according to US officials")? ``alone``: "US" may also be all of it ("US said")."""
    return text.startswith("US ") or (alone and text == "US")


def _subject_name(subject: str) -> tuple[bool, str | None]:
    """Is ``subject`` someone other than the writer, and their name if it is one.

    ``In May, the Hungarian authorities`` -> ``Hungarian authorities``; ``Last year Russia`` ->
    ``Russia``; ``the document`` -> no name; ``The minister, who`` -> no one (the verb is the relative
    clause's: ``The minister, who said ..., resigned.``; ``The minister, who was sacked,`` is the speaker).
    """
    parts = [p.strip() for p in subject.split(",") if p.strip()]
    if not parts or subject.split()[-1].lower() in _RELATIVE:
        return False, None
    if (listed := _names_list(subject)) is not None:
        return True, listed   # "Moscow, Kyiv and Minsk said": all of them, as "Russia and China said"
    # two parts, the first a clause of its own (a list, "A, B, and C say", has three or more)
    clause = _NEW_CLAUSE.match(parts[1]) if len(parts) == 2 and len(parts[0].split()) >= 3 else None
    if clause:  # "Rescuers worked through the day, and the emergency service says": the last clause's subject
        parts = [parts[-1][clause.end():]]
        subject = parts[0]
    # a lead-in ("In November 2023, ...") comes before the subject; an appositive comes after it
    subject = parts[-1] if len(parts) > 1 and (_LEAD_IN.match(parts[0]) or any(c.isdigit() for c in parts[0])) \
        else parts[0]
    subject = _TIME_LEAD.sub("", subject, count=1)
    subject = _OPENING_CONJUNCTION.sub("", subject, count=1)   # "And Peskov said", "But the ministry said"
    if len(parts) > 1 and subject is parts[0] and _ROLE.match(parts[0]) and _PERSON.fullmatch(parts[1]):
        subject = parts[1]  # "The head of Saxony, Michael Kretschmer, says": the appositive names the role
    words = subject.split()
    first = words[0].lower()
    if re.sub(r"['’](?:d|ll|m|ve|re)$", "", first) in _PARTIES and not _the_us(" ".join(words), alone=True):
        return False, None   # "I'd say", "we've said"
    if words[-1] in _PARTY_SUBJECTS:
        return False, None   # "In my book I wrote:", "In your book you wrote:": after a lead-in, the parties again
    if first in _PRONOUNS and len(words) == 1:
        return True, None
    if first in _QUANTIFIED and 1 < len(words) <= 8:
        return True, None  # "some politicians in Berlin say": a group reported, nameless ("Most say" is the writer's)
    if re.sub(r"['’]s$", "", first) in _NOT_SUBJECTS:   # "Here's what Lavrov wrote:", "It's what they said"
        return False, None
    if _PREPOSITION_LEAD.match(subject):
        return True, None  # "In Mariupol officials said": where the speaker is, and no telling where it ends
    if words[-1].lower() in _LISTING or words[-1].lower() == "but":
        return True, None  # "A medic sat down & sighed & told us "..."": clauses, the subject no name
    name = _bare(subject)
    words = name.split()
    if _is_role(words):   # "Experts say", "Western officials said", "Kremlin spokesman said": no person named
        return True, _role_speaker(words, initial=name == clean_name(subject))
    if name and (all(w[:1].isupper() for w in words)
                 or (len(words) > 2 and any(w.lower() in ROLE_WORDS for w in words[:-2]) and words[-1][:1].isupper())):
        # "Dr. Ihor Levchenko" -> "Ihor Levchenko", "Foreign Ministry spokeswoman Maria Zakharova" -> "Maria Zakharova"
        name = descriptor_name(name) or name
    elif name and len(words) > 2 and not (_LISTING & {w.lower() for w in words}):
        full = descriptor_name(name)   # "Local resident Nataliya Horobets" -> "Nataliya Horobets"
        if full and len(full.split()) >= 2 and words[len(words) - len(full.split()) - 1].islower():
            name = full
    named = any(w[:1].isupper() for w in name.split())
    if name.rstrip(".").lower() in TITLES:
        named = False  # "Spokesman says ...", "Governor says ...": a role, capitalised as a headline's first word
    return True, (name if named and len(name) <= 80 else None)


def sentence_subject(sentence: str) -> tuple[str | None, bool]:
    """The name a sentence opens with as its subject, and whether a role introduces it.

    ``Russia's Foreign Ministry spokeswoman Maria Zakharova dismissed ...`` -> ("Maria Zakharova", True);
    ``Zakharova arrived ...`` -> ("Zakharova", False); ``The chips were ...`` -> (None, False).
    """
    lead = _LEAD_IN_COMMA.match(sentence)
    if lead and (_LEAD_IN.match(lead.group(1)) or _TIME_LEAD.match(lead.group(1) + " ")):
        sentence = sentence[lead.end():]   # "Later, Defence Minister Rustem Umerov arrived ...": after the lead-in
    elif _PREPOSITION_LEAD.match(sentence):
        return None, False   # "In Moscow the ...": where, not who, and no telling where it ends
    run: list[str] = []
    for word in sentence.split()[:12]:
        bare = word.rstrip(".,").lower()
        if not (word[:1].isupper() or bare in ROLE_WORDS or bare in TITLES or (run and word in PARTICLES)):
            break
        run.append(word)
        if word.endswith(","):
            break
    if not run or run[-1].rstrip(".,").lower() in _ROLE_OR_TITLE or run[-1].rstrip(".,").endswith(("'s", "’s")):
        return None, False   # a role alone, or a possessive: "President Putin's decree took effect" is no one's act
    name = descriptor_name(" ".join(run))
    if not name:
        return None, False
    roled = any(w.rstrip(".,").lower() in ROLE_WORDS for w in run[:len(run) - len(name.split())])
    words = name.split()
    while len(words) > 2 and words[0].rstrip(".,").lower() in ROLE_WORDS:
        words, roled = words[1:], True   # "Official Boris Kovalenko" -> "Boris Kovalenko", by a role
    return " ".join(words), roled


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
        # unless it opens the clause after a semicolon: 'The building was hit; "we saw ...," said a witness' (not
        # after a colon: 'Kharkiv Strike: "Eleven dead," officials say nothing more' is a headline's)
        cut = head.rfind(";")
        rest = head[cut + 1:].lstrip()
        if cut < 0 or not rest.startswith(('"', "“", "«")) or any(q in rest[1:] for q in '"“”«»'):
            return False, None
    desc = m.group("desc") or m.group("named")
    if desc is None:  # the verb first: the name runs up to "on Monday", "in a statement", ...
        kept: list[str] = []
        after = m.group("desc_after").split()
        for i, word in enumerate(after):
            if place := _group_place(after, i):   # (kept is after[:i])
                kept += [word, *place]   # "said officials in Brussels on Monday": a group and its place
                break
            # "said Benjamin Hilgenstock of the Kyiv School of Economics": the name ends at "of";
            # "said a teacher who asked not to be named": the speaker ends where a clause on them starts
            if (word.lower() in _DESC_END or word.lower() in _RELATIVE
                    or (word == "of" and any(w[:1].isupper() for w in kept))):
                break
            kept.append(word)
        desc = " ".join(kept)
    # a capitalised word belongs to a name ("US President"), except the first person's
    words = [w.strip(".'’") for w in desc.split()]
    if not words or len(words) > 8 or _not_a_speaker(words):
        return False, None
    return True, _descriptor_speaker(desc)


_CLAUSE_WORDS = frozenset("and or but as while when whereas after before because since although if".split())
_AUXILIARIES = frozenset("is are was were has have had will would could can may might should must".split())


def _not_said(m: re.Match[str]) -> bool:
    """The words before the verb deny or only foresee the speech: ``Russia has never said``, ``would say``."""
    return any(w in _NOT_SAID or w.endswith(("n't", "n’t")) for w in m.group("between").split())


def _speaker_words(words: list[str]) -> bool:
    """Can ``words``, after a clause and its comma, be who says it: an article or a name first ("the regional
    governor", "Zelensky"), a pronoun, a number ("some analysts"), a group or a role anywhere in them
    ("officials in Brussels", "local officials", "police"), or one word ("rescuers")."""
    first = words[0].lower()
    return (first in ("the", "a", "an") or words[0][:1].isupper() or first in _PRONOUNS or first in _QUANTIFIED
            or len(words) == 1 or any(w.lower() in _GROUPS or w.lower() in _SPOKESPEOPLE
                                      or w.lower() in _GENERIC_QUALIFIERS for w in words))


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
    if _SAY_IDIOM.fullmatch(subject.strip()):
        return None   # "Needless to say prices rose", "Let's say prices doubled": the writer's, no one's speech
    if subject.endswith(",") and subject.count(",") < 2:
        return None
    parts = [p.split() for p in subject.split(",")]
    if len(parts) > 1 and parts[-1] and any(w.lower() in _AUXILIARIES for w in parts[0]):
        return " ".join(parts[-1])   # "Russian troops have left the plant, the nuclear company says"
    # a clause, not a name, then who says it: "Drones struck a depot overnight, the regional governor said
    # on Friday", "Prices rose again, analysts in Kyiv said on Monday, after ..."; of three words or of more
    # parts ("Kyiv, the capital, was hit again, officials said") only before a speaker in lower case, since
    # "Officials in Kyiv, Odesa and Lviv said" lists places; a clause of three words before one speaker
    # ("The talks failed, Lavrov said on Monday"), not before a list
    clause = [w for p in parts[:-1] for w in p]
    listed = not {"and", "&"}.isdisjoint(w.lower() for w in parts[-1])
    if (len(parts) >= 2 and 0 < len(parts[-1]) <= 6 and any(w[:1].islower() for w in clause)
            and parts[-1][0].lower() not in _LISTING and _speaker_words(parts[-1])
            and ((len(parts) == 2 and (len(clause) >= 4 or len(clause) == 3 and not listed))
                 or (len(clause) >= 3 and parts[-1][0][:1].islower()))):
        return " ".join(parts[-1])
    # "Biden pledges his support and said ...", "Ukraine accuses Russia ... as Moscow says ...": the
    # words before the verb are a clause, not who speaks; the sentence stays the writer's
    head = parts[0]
    if head[-1].lower() in _CLAUSE_WORDS or any(w.lower() in _CLAUSE_WORDS - {"and"} for w in head):
        return None
    return subject


def _plain_subject(subject: str) -> bool:
    """Is ``subject`` only who speaks, after any lead-in: a pronoun, or capitalised words with roles,
    bodies, articles and "of" among them ("Russia's Foreign Ministry spokeswoman Maria Zakharova")?
    Not a clause ("Leaked transcripts ... document that Hillary Clinton"), nor "The operation," of
    "The operation, called ..." (one comma: a participle; two make an appositive)."""
    if subject.endswith(",") and subject.count(",") < 2:
        return False
    parts = [p.strip() for p in subject.split(",") if p.strip()]
    while len(parts) > 1 and (_LEAD_IN.match(parts[0]) or any(c.isdigit() for c in parts[0])):
        parts.pop(0)
    words = _TIME_LEAD.sub("", clean_name(" ".join(parts)), count=1).split()   # "Sen. X (R-S.C.)": no tag
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return True
    return 0 < len(words) <= 9 and all(
        w[:1].isupper() or w.lower() in _SUBJECT_WORDS or w.rstrip(".").lower() in _ROLE_OR_TITLE
        or w in PARTICLES for w in words)


def _characterises(sentence: str, m: re.Match[str]) -> bool:
    """A match of ``_CHARACTERISES`` that reports one speaker's words: not a call, a meeting called or
    troops called up ("Zelensky called Biden on Tuesday to discuss the "next steps""), not a name
    given to a thing ('The ministry dubbed the new drone "Geran-2"'), not two voices set side by side."""
    if m.group("naming"):
        words = [w.lower().strip(",.") for w in m.group("object").split()]
        if words[0] in _PARTICLES_AFTER_CALL or _CALLED_EVENT.match(m.group("object")) \
                or any(w in _NOT_NAMING_OBJECT for w in words):
            return False
        if m.group("naming").lower().startswith("dub") and _GIVEN_NAME.match(sentence, m.end() - 1):
            return False
        if m.group("naming").lower().startswith("call") and words[0] in _OWNER_OR_ARTICLE and len(words) <= 4 \
                and not any(w in ("a", "an") for w in words[1:]) \
                and not words[-1].endswith("s") and _TITLE.match(sentence, m.end() - 1):
            return False   # 'He called his book "The Future Is History"': a title, the writer's ("the vote a "sham"" is not)
    return _SECOND_VOICE.search(sentence, m.end()) is None


def _not_a_speaker(words: list[str]) -> bool:
    """Words that make a descriptor no speaker: a lower-case stop word, or the first person."""
    return any(w.lower() in _DESC_STOP and (w.islower() or w in ("I", "We", "My", "Our")) for w in words)


# a post's or a headline's speaker, a colon, then the quotation: 'Zakharova: "Western media are again ..."'
# (a transcript's "PESKOV:" turns, a dateline's "MOSCOW:" are in capitals, and read elsewhere)
_NAME_COLON_QUOTE = re.compile(rf"(?P<name>{NAME})\s*:\s+[\"“«]")
# what opens a line with a colon and is no one: a label, a section, a place, a time
_NOT_COLON_SPEAKERS = NOT_SPEAKERS | frozenset("""nb todo fixme xxx video watch breaking urgent exclusive opinion quoting
    analysis live explainer quote quotes headline claim verdict fact check rating fake myth truth translation
    original caption context reality statement text transcript title timeline question answer q a via result
    results status problem lesson reason response reaction message motto slogan tagline subject topic theme issue
    target location place date time type outcome point fact facts hint tip alert credit credits thread post tweet
    poll day today yesterday tonight morning evening night lead january february march april may june july august
    september october november december monday tuesday wednesday thursday friday saturday sunday""".split())


# a headline's or a live page's words, never in a name: 'Ukraine War Latest: "..."', 'Kharkiv Strike: "..."'
_HEADLINE_WORDS = frozenset("""latest live liveblog update updates breaking developing recap roundup highlights
    explained war conflict crisis strike strikes attack attacks invasion offensive counteroffensive ceasefire
    talks summit""".split())
# a headline's verb after its speaker: 'Zelenskyy Says: "..."' is Zelenskyy's; anywhere else it is no name
_HEADLINE_VERBS = frozenset("""says said say tells told warns warned claims claimed vows vowed urges urged
    insists insisted denies denied admits admitted slams slammed accuses accused""".split())
# the word that makes three capitalised words or more a body's name ("Russian Defence Ministry", "Ukrainian
# General Staff", "The Moscow Times")
_BODY_WORDS = frozenset("""ministry mod office department group council committee command force forces army navy
    staff service services agency administration government party house times post press embassy police guard
    guards brigade battalion regiment corps bureau commission parliament assembly court prosecutor prosecutors
    union institute centre center foundation company corporation bank duma rada""".split())
# bodies a place's name stands for, that speak ('White House: "We condemn the strike."')
_SPEAKING_PLACES = frozenset({"white house", "kremlin", "pentagon", "elysee", "downing street"})
_INITIAL = re.compile(r"[A-Z]\.$|(?:Jr|Sr)\.?$")   # "John F. Kennedy", "Martin Luther King Jr."


def _person_or_body(words: list[str]) -> bool:
    """Do three capitalised words or more have a known name's shape: a person's (a first name or a surname
    that tells a gender, a particle, an initial) or a body's (a word such as Ministry, Office, Group)."""
    return (gender(" ".join(words)) is not None or any(w in PARTICLES for w in words[1:-1])
            or any(_INITIAL.match(w) for w in words[1:]) or any(w.lower() in _BODY_WORDS for w in words))


def _colon_speaker(sentence: str) -> str | None:
    """The name before ``: "`` opening the sentence ('Zakharova: "..."', 'Maria Zakharova: «...»'), when
    it is someone: not in capitals, not a label ("Update:", "Claim:"), a place or a country, no headline
    ("Ukraine War Latest:"), and of three words or more only in a person's or a body's shape. A headline's
    verb after the name is dropped ('Zelenskyy Says: "..."' -> "Zelenskyy")."""
    m = _NAME_COLON_QUOTE.match(sentence)
    if m is None:
        return None
    name = clean_name(m.group("name"))
    words = name.split()
    if len(words) > 1 and words[-1].lower() in _HEADLINE_VERBS:
        words = words[:-1]
        name = " ".join(words)
    lower = [w.lower().replace(".", "") for w in words]
    if name.isupper() or len(words) > 4 or any(w in _NOT_COLON_SPEAKERS or w in _HEADLINE_WORDS
                                               or w in _HEADLINE_VERBS for w in lower) \
            or (name.lower() in NOT_VOICES and name.lower() not in _SPEAKING_PLACES) or name.lower() in COUNTRIES:
        return None
    name = strip_titles(name)
    if any(w.rstrip(".").lower() in PERSON_TITLES for w in name.split()[:-1]):
        name = descriptor_name(name) or name   # "Kharkiv Governor Oleh Syniehubov" -> "Oleh Syniehubov"
    words = name.split()
    if len(words) >= 3 and not _person_or_body(words):
        return None   # "Donbas Frontline Report": a title-case phrase, no name
    return name


def introduced(text: str, end: int | None = None) -> str | None:
    """Whom words that only lead up to a quotation name, to its first comma (``text[:end]`` ending in the
    colon): "To quote Lavrov, the foreign minister:" -> "Lavrov", "Here is how the ministry put it:" ->
    "the ministry"; None when the words are no such lead-in. A quoting lead-in may end in a comma
    instead ("In the words of Sergei Lavrov," -> "Sergei Lavrov")."""
    end = len(text) if end is None else end
    m = (_INTRODUCES_COMMA if text.endswith(",", 0, end) else _INTRODUCES).search(text, 0, end)
    return None if m is None else (m.group("who") or m.group("poss") or m.group("whom")).split(",")[0].strip()


def pronoun_lead(text: str) -> bool:
    """Is ``text`` (ending in its comma or colon) a lead-in quoting a pronoun's person: "In his words,",
    "To quote her:"."""
    return _PRONOUN_LEAD.fullmatch(text.strip()) is not None


def introduced_name(who: str) -> str | None:
    """The name whom a lead-in introduces gives ("To quote Lavrov," -> "Lavrov"), as after a quote: a
    group's side or a spokesperson's body too ("To quote Kremlin officials," -> "Kremlin officials")."""
    return _group_case(_descriptor_speaker(who))


def _group_case(name: str | None) -> str | None:
    """A name opening with a group's common noun in lower case, wherever it stood: "Officials in Brussels" of
    "Officials in Brussels said ..." is the "officials in Brussels" of "..., officials in Brussels said", so
    that one group is one name ("Western officials", "Kremlin officials" keep the capital of their side, a role
    before a person's name its own: "Economist Paul Krugman"; an organisation's, "Witnesses for Peace", too). Only
    a plural noun: a singular one before a lower-case word is a title's ("The Economist magazine", "Insider
    magazine") or a person's role ("Representative in Congress Jim Banks")."""
    words = name.split() if name else []
    noun = words[0].lower() if words else ""
    if (len(words) > 1 and words[0][:1].isupper() and noun in _GROUPS and words[1][:1].islower()
            and noun + "s" not in _GROUPS and noun + "es" not in _GROUPS
            and words[1] not in ("for", "against", "without")):
        return name[:1].lower() + name[1:]
    return name


def attributed_speaker(sentence: str) -> tuple[bool, str | None]:
    """Does the sentence carry attributed speech, and the speaker's name when it gives one. A
    question asks about speech, it reports none ("Why do you say that?"). A group's name opens in lower case
    ("officials in Brussels"), wherever the sentence puts it (_group_case)."""
    quoted, name = _attributed_speaker(sentence)
    return quoted, _group_case(name) if name else name


def _attributed_speaker(sentence: str) -> tuple[bool, str | None]:
    """attributed_speaker, the name as the sentence writes it."""
    if sentence.find(":", 0, 48) > 0 and (name := _colon_speaker(sentence)):
        # 'Officials: "..."' names no one, as "Officials said" does
        return True, _role_speaker(name.split(), initial=True) if _is_role(name.split()) else name
    if (colon := sentence.find(":")) > 0 and sentence[colon + 1:].lstrip()[:1] in _OPENING_QUOTES \
            and (who := introduced(sentence, colon + 1)):   # "To quote , Lavrov:" names no one
        # 'Here is what Peskov said on Monday: "..."', 'To quote Lavrov: "..."': whom the quotation is
        if who.split()[0].lower() not in _NOT_INTRODUCED:
            return True, introduced_name(who)
    quotes = '"' in sentence or "“" in sentence or "«" in sentence   # what _COMMA_QUOTE and _LEAD_QUOTE need
    if quotes and (m := _COMMA_QUOTE.search(sentence)) and (who := introduced(sentence, m.start() + 1)) \
            and who.split()[0].lower() not in _NOT_INTRODUCED | _OBJECT_PRONOUNS:
        return True, introduced_name(who)   # 'In the words of Sergei Lavrov, "..."', 'To quote Lavrov, "..."'
    if quotes and (m := _LEAD_QUOTE.match(sentence)) and pronoun_lead(m.group(1)):
        return True, None   # 'In his words, "..."': whose, as for '"...," he said' (quotations.pronoun_names)
    if _VERB_HINT.search(sentence) is None:
        return False, None  # the common case, decided without a regex
    if sentence.rstrip(" \t)").endswith("?") or (
            _WRITERS_QUESTION.match(sentence) and sentence.rstrip(" \t)\"'”’»").endswith("?")
            and not _SPEECH_INTRODUCES.search(sentence)):
        return False, None   # the writer's question; a quoted one ends in a quote mark after its speaker's words
    if '"' in sentence or "“" in sentence or "”" in sentence or "«" in sentence or "»" in sentence:
        quoted, name = _quote_descriptor(sentence)
        if quoted:
            return True, name
        m = _QUOTE_THEN_VERB.search(sentence)
        if m:
            name = m.group("after") or m.group("before")
            if name is None or name.split()[0].lower() not in _PARTIES | _NOT_SUBJECTS:
                return True, clean_name(name) if name else None
        m = _VERB_THEN_QUOTE.search(sentence)
        if m and (_TITLE_OF.search(sentence, 0, m.start("subj")) or m.group("subj") in _SUFFIXES
                  or _LIST_BEFORE.search(sentence, 0, m.start("subj"))
                  or _GROUP_PLACE_BEFORE.search(sentence, 0, m.start("subj"))):
            m = None   # the whole subject, as "said that" reads it (_REPORTED, below)
        if m:
            other, name = _subject_name(_AS_LEAD.sub("", m.group("subj"), count=1))
            if other:
                return True, name
        m = _CHARACTERISES.match(sentence)
        if m and not _not_said(m) and _plain_subject(m.group("subj")) and _characterises(sentence, m):
            other, name = _subject_name(m.group("subj"))
            if other:
                return True, name
    if "ccording to" in sentence:
        m = _ACCORDING.search(sentence)
        if m:
            src = m.group("src").strip()
            src_words = src.lower().split()
            if src_words and (src_words[0] not in _PARTIES or _the_us(src)):
                name = clean_name(re.sub(r"^(?:the|a|an)\s+", "", src, flags=re.I))
                name = _records_source(name)   # "UN figures" -> "UN"
                if _is_role(name.split()):
                    name = _role_speaker(name.split(), initial=False) or ""   # "a Kremlin spokesman" -> "Kremlin"
                elif _located_group(name.split()):
                    return True, name   # "according to officials in Brussels"
                if name and all(w[:1].isupper() for w in name.split()):
                    name = descriptor_name(name) or name  # "Governor Vladimir Saldo" -> "Vladimir Saldo"
                return True, name if name[:1].isupper() else None
    m = _REPORTED.match(sentence)
    if m and m.group("verb").lower() in _NOUNS:
        before = sentence[:m.start("verb")].split()[-1].lower()
        if before in _NOUN_BEFORE or before.endswith(("'s", "’s", "s'", "s’")):
            m = None  # "Several channels spread false claims that ...": a noun, not the verb
    subject = (None if _not_said(m) else m.group("subj")) if m else _bare_reported(sentence)
    if subject and m and not m.group().endswith("that"):
        subject = _AS_LEAD.sub("", subject, count=1)   # 'As the minister said: "..."' quotes the minister
    if subject:
        other, name = _subject_name(subject)
        if other:
            return True, name
    m = _REPORTED_TAIL.search(sentence)
    if m:   # "..., the deputy minister said." / "..., Rosstat reported.": reported speech, no quotes
        words = [w.strip(".'’") for w in m.group("desc").split()]
        if words and not _not_a_speaker(words):
            return True, _descriptor_speaker(m.group("desc")) if words[0].lower() not in _PRONOUNS else None
    return False, None
