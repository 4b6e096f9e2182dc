"""Broadcast transcripts: which turn labels are the broadcaster's own people, which are people it
shows, and which are no one's voice ("MOSCOW:", "BREAKING:", an editor's note). voices.py uses them
to read ``ANCHOR:``, ``CORRESPONDENT:``, ``PESKOV:`` and ``WOLF BLITZER, CNN ANCHOR:`` turns.
"""

from __future__ import annotations

import re

from corpus.names import FEMALE_NAMES, MALE_NAMES

_FIRST_NAMES = FEMALE_NAMES | MALE_NAMES

# turn labels of a broadcast's own people: they speak in the document's voice
BROADCASTERS = frozenset("""anchor host presenter newsreader correspondent reporter narrator moderator
    announcer voiceover journalist""".split())
# labels that open a news paragraph without being anyone's voice: places of datelines, banners
NOT_VOICES = frozenset("""moscow kyiv kiev london washington paris berlin brussels warsaw beijing tokyo ankara
    istanbul geneva vienna rome madrid minsk tbilisi riga vilnius tallinn helsinki stockholm oslo copenhagen
    prague budapest bucharest sofia belgrade chisinau donetsk luhansk lugansk kharkiv kharkov odesa odessa lviv
    dnipro zaporizhzhia kherson mariupol bakhmut belgorod kursk bryansk crimea sevastopol simferopol rostov
    grozny tehran damascus jerusalem cairo doha dubai riyadh delhi ottawa canberra seoul un nato eu kremlin
    pentagon breaking live exclusive watch video photos analysis opinion developing alert flash urgent
    headline headlines summary correction transcript""".split()) | {"new york", "united nations", "white house",
                                                        "st. petersburg", "st petersburg", "saint petersburg"} | {
    # towns of the war's datelines and of the region's, none of them a person's name too
    *"""avdiivka pokrovsk kramatorsk sloviansk sumy chernihiv mykolaiv irpin bucha kupiansk vuhledar toretsk
    lysychansk sievierodonetsk severodonetsk melitopol berdiansk enerhodar nikopol izium horlivka makiivka
    poltava vinnytsia zhytomyr cherkasy uzhhorod ternopil chernivtsi lutsk rivne kaliningrad pskov murmansk
    novorossiysk volgograd voronezh krasnodar yekaterinburg novosibirsk vladivostok sochi rafah jabalia ramallah
    nablus jenin hebron beirut baghdad kabul aleppo idlib sanaa khartoum pyongyang taipei yerevan baku astana
    tashkent""".split(),
    "khan younis", "khan yunis", "tel aviv", "west bank", "hong kong", "the hague", "new delhi",
    "kryvyi rih", "ivano-frankivsk"}
# a label ending in one of these is a place ("GAZA CITY:", "DONETSK OBLAST:", "RAFAH CROSSING:")
PLACE_KINDS = frozenset("""city region oblast province district governorate county strip crossing village town
    border frontline airport peninsula heights camp""".split())
# a person's office: after a place it names who speaks ("GAZA CITY MAYOR:", "MOSCOW MAYOR SERGEI SOBYANIN:")
OFFICES = frozenset("""mayor governor minister president premier spokesman spokeswoman spokesperson ambassador
    envoy commander senator lawmaker deputy chairman chairwoman diplomat""".split())
EDITOR_LABEL = re.compile(r"(?:editor['’]?s? note|note|update|updated|correction|clarification)\s*:", re.I)
# countries (after a place, a dateline's; alone, a body that speaks as "it")
COUNTRIES = frozenset("""russia ukraine america britain england france germany china poland belarus georgia
    moldova hungary romania turkey iran israel syria india japan canada us usa uk europe estonia latvia
    lithuania finland sweden norway denmark netherlands belgium italy spain czechia slovakia bulgaria serbia
    croatia kazakhstan armenia azerbaijan lebanon iraq egypt qatar gaza palestine""".split()) | {
    "united states", "united kingdom", "south korea", "north korea"}
# turn labels of people a broadcast shows without naming them
GENERIC_SPEAKERS = frozenset("""resident residents witness guest caller soldier volunteer doctor man woman
    boy girl voice interpreter translator official protester unidentified speaker student teacher farmer
    driver nurse mother father villager refugee participant panelist audience""".split())


def is_broadcaster(label: str, qualifier: str | None) -> bool:
    """A turn label of the broadcast's own people: "ANCHOR:", "WOLF BLITZER, CNN ANCHOR:"."""
    return any(w in BROADCASTERS for w in f"{label} {qualifier or ''}".lower().split())


def is_broadcast(turns: list[tuple[str, str | None, str]], kind: str) -> bool:
    """Is this a broadcast transcript: three or more turns (label, the role after it, first words) of
    two or more labels, one of them an anchor or a correspondent, or the document's kind saying
    transcript and no turn asking a question (that is an interview). Its turns need no question."""
    labels = {name.lower() for name, _, _ in turns}
    if len(turns) < 3 or len(labels) < 2:
        return False
    if any(is_broadcaster(name, qualifier) for name, qualifier, _ in turns):
        return True
    return any(word in kind for word in ("transcript", "broadcast", "podcast")) and not any("?" in p for _, _, p in turns)


def is_place(label: str) -> bool:
    """Is a turn label a place or a news word, not a person ("MOSCOW:", "GAZA CITY:", "KHAN YOUNIS:",
    "BREAKING NEWS:", "KHARKIV REGION:")? The caller first takes a person's word or office as a
    person ("MOSCOW CORRESPONDENT:", "GAZA CITY MAYOR:")."""
    words = label.lower().split()
    if label.lower() in NOT_VOICES or any(w in NOT_VOICES for w in words):
        return True
    if any(f"{a} {b}" in NOT_VOICES for a, b in zip(words, words[1:])):
        return True    # "TEL AVIV SUBURBS:"
    # "JABALIA CAMP:" is a place, "SARAH CAMP:" a person: a first name before the place word
    return len(words) > 1 and words[-1] in PLACE_KINDS and words[0] not in _FIRST_NAMES


def shown_to_speak(label: str, qualifier: str | None) -> bool:
    """Is a broadcast's turn label a person: a broadcaster, a generic speaker or an office ("MOSCOW
    CORRESPONDENT:", "EU OFFICIAL:", "GAZA CITY MAYOR:"), or any label but a place, a news word or a place and its country ("MOSCOW:",
    "GAZA CITY:", "KYIV, UKRAINE:", "POKROVSK, UKRAINE:", "BREAKING:" are a wire item's dateline or a banner)."""
    words = label.lower().split()
    if is_broadcaster(label, None) or any(w in GENERIC_SPEAKERS or w in OFFICES for w in words):
        return True    # "MOSCOW CORRESPONDENT:", "EU OFFICIAL:", "GAZA CITY MAYOR:" are people
    if is_place(label):
        return False   # "MOSCOW:", "GAZA CITY:", "KYIV, UKRAINE:", "BREAKING NEWS:", "KHARKIV REGION:"
    # "POKROVSK, UKRAINE:": one word and a country is a place's dateline ("PRES. VOLODYMYR ZELENSKYY,
    # UKRAINE:" is a person's label)
    return not (qualifier and qualifier.lower() in COUNTRIES and len(words) == 1)
