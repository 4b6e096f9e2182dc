"""Names of who speaks: a capitalised name's pattern, the titles and roles before it, a name cleaned
of its punctuation, titles and party tags, and the name a descriptor gives ("foreign ministry
spokeswoman Maria Zakharova" -> "Maria Zakharova"). quotes.py and voices.py share them.
"""

from __future__ import annotations

import re

_PARTICLE_WORDS = ("de", "van", "von", "der", "al", "bin", "da", "di", "le", "la")   # inside a name
PARTICLES = frozenset(_PARTICLE_WORDS)
NAME_WORD = rf"(?:[A-Z][\w'’.-]*|{'|'.join(_PARTICLE_WORDS)})"   # a name's next word: capitalised, or a particle
NAME = rf"[A-Z][\w'’.-]*(?:\s+{NAME_WORD}){{0,4}}"   # a capitalised name of up to five words
# titles before a person's name ("President Joe Biden"), and words that qualify them ("Deputy Foreign")
PERSON_TITLES = frozenset("""president pres minister secretary senator sen rep representative gen general
    col colonel lt maj major ambassador chancellor spokesman spokeswoman spokesperson chairman
    chairwoman director commander governor gov mayor mr ms mrs dr prof""".split())
TITLES = PERSON_TITLES | frozenset("vice prime deputy foreign defence defense interior finance chief".split())
# words of a role before a name in a subject ("the head of the region Vyacheslav Gladkov said")
ROLE_WORDS = PERSON_TITLES | frozenset("head chief leader adviser advisor aide official envoy".split())
# a name after one of these is where or whom the speaker is near, not the speaker ("for" is kept:
# "a spokesman for the Foreign Ministry" speaks for it)
_PLACE_PREPOSITIONS = frozenset("in to from at near of with by close outside inside".split())

# a party or state after a name is no part of it: "Roger Wicker (R-Miss.)", "Adam Schiff (D-CA)", "(R)"
_PARTY_TAG = re.compile(r"\s*\((?:[RDI]|Rep|Dem|Ind|Con|Lab|LD|SNP)(?:\s*[-–,]\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?\)")
_KEEPS_STOP = re.compile(r"(?:^|\s)(?:(?:[A-Z]\.)+|Jr\.|Sr\.)$")  # "Nadiya K.", "U.S.", "John Smith Jr."
# bodies a title's word opens: "General Staff", "General Assembly" are no General's, unlike "General Zaluzhny"
_TITLED_BODIES = frozenset("staff assembly directorate secretariat headquarters command".split())


def _body_after(words: list[str], i: int) -> bool:
    """Does ``words[i]`` (a title's word) open a body's name: "General Staff", "Ukrainian General Staff"?"""
    return i + 1 < len(words) and re.sub(r"['’]s$", "", words[i + 1]).lower() in _TITLED_BODIES


def strip_titles(name: str) -> str:
    """A person's name without the titles before it: "Minister Sergey Lavrov" -> "Sergey Lavrov",
    "President Zelensky" -> "Zelensky"; a name that is all title stays as it is."""
    words = name.split()
    i = 0
    while i < len(words) - 1 and words[i].rstrip(".").lower() in TITLES and not _body_after(words, i):
        i += 1
    return " ".join(words[i:])


def clean_name(name: str) -> str:
    """A name with its spaces collapsed, a party or state tag ("(R-Miss.)") and the punctuation around it dropped."""
    if "(" in name:
        name = _PARTY_TAG.sub("", name)
    name = re.sub(r"\s+", " ", name).strip(" ,;:")
    if not _KEEPS_STOP.search(name):
        name = name.rstrip(".").rstrip(" ,;:")
    return name.lstrip(".")


def descriptor_name(desc: str) -> str | None:
    """The person or body a descriptor names: its last run of capitalised words, titles dropped.

    ``foreign ministry spokeswoman Maria Zakharova`` -> ``Maria Zakharova``; ``US President Joe
    Biden`` -> ``Joe Biden``; ``the Foreign Ministry`` -> ``Foreign Ministry``; ``one of them`` -> None.
    """
    words = clean_name(desc).split()
    run: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        # a particle inside a name: "Ursula von der Leyen", "Charles de Gaulle"
        inside = run and word in PARTICLES and any(w[:1].isupper() for w in words[max(0, i - 2):i])
        if not (word[:1].isupper() or inside):
            break
        run.insert(0, word)
    while run and run[0].lower() in ("the", "a", "an"):
        run.pop(0)
    before = words[len(words) - len(run) - 1].lower() if len(run) < len(words) else ""
    if before in ("the", "a", "an") and len(run) + 1 < len(words):
        before = words[len(words) - len(run) - 2].lower()
    if not run or before in _PLACE_PREPOSITIONS:
        return None  # "a mother in Hungary", "an adviser to President Zelenskyy": not who speaks
    titled = [j for j, word in enumerate(run[:-1]) if word.rstrip(".").lower() in PERSON_TITLES
              and run[j + 1].rstrip(".").lower() not in TITLES]
    if titled and len(run) - titled[-1] > 2:
        run = run[titled[-1] + 1:]  # "European Commission President Ursula von der Leyen" -> "Ursula von der Leyen"
    while len(run) > 2 and (run[0].rstrip(".").lower() in TITLES or (run[0].isupper() and len(run[0]) > 1)) \
            and not _body_after(run, 0):
        run.pop(0)
    if len(run) == 2 and run[0].rstrip(".").lower() in PERSON_TITLES and run[1].rstrip(".").lower() not in TITLES \
            and not _body_after(run, 0):
        run.pop(0)  # "Minister Lavrov" -> "Lavrov"; "Foreign Ministry", "General Staff" stay
    name = " ".join(run)
    return name if len(name) <= 80 else None


# first names whose bearer a reporter calls "she" or "he": a pronoun that does not fit the name before it
# refers to someone else (a small list of the names of the region's news; others are not checked)
FEMALE_NAMES = frozenset("""maria anna olga yulia julia elena yelena natalia natalya tatiana tatyana svetlana irina
    ekaterina yekaterina evgenia yevgenia ella kaja ursula annalena angela kamala hillary nancy marine giorgia liz
    theresa jana sarah jane mary emma anne nadia nadiya oksana iryna olena lyudmila ludmila viktoria victoria
    margarita daria darya sofia sophie kristina veronika vera galina larisa alla inna marina valentina lisa laura
    claire catherine kate helen helena karin kristalina roberta mette sanna zuzana maia salome lina mira lena
    alice susan linda karen nina rita ruth nataliya halyna liudmyla tetiana svitlana kateryna khrystyna
    viktoriya olha ulyana yana alina hanna mariia nadiia katalin judit eszter zsuzsanna ildiko aisha ayesha
    fatima fatma leila layla hanan amira yasmin zeynep ayse elif emine meral ingrid birgit
    sabine petra heike""".split())
MALE_NAMES = frozenset("""vladimir dmitry dmitri sergei sergey alexei alexey alexander aleksandr volodymyr olaf
    emmanuel joe joseph donald viktor robert mark mykhailo rustem evan ivan peter paul john james boris yevgeny
    evgeny nikolai mikhail andrei andriy oleksandr oleksiy petro vitali vitaliy denys denis igor ihor oleg yuri
    yury antony jens rishi keir friedrich recep narendra benjamin lloyd jake kirill ramzan maxim pavel anatoly
    gennady valery vasily alexandr michael david richard william thomas charles george jean pierre luis carlos
    tom roger lindsey adam chuck mitch marco ilya roman kyrylo valerii dmytro oleh mykola taras bohdan serhiy
    serhii andrii yurii vasyl oleksii yevhen maksym artem vadym anatoliy valeriy pavlo stepan vitalii
    kostiantyn hennadiy rustem ayman mohammed muhammad mohammad ahmed ahmad abdel abdul ali hassan hussein
    khaled khalid omar youssef yusuf ibrahim mahmoud mustafa hakan mevlut ahmet mehmet kemal bulent
    laszlo gergely zoltan istvan gabor janos tibor hans klaus wolfgang jurgen frank horst""".split())
# surnames a Slavic language makes female or male ("Zakharova", "Navalnaya"; "Peskov", "Zelensky")
_FEMALE_SURNAME = re.compile(r"(?:ova|eva|yova|aya|skaya|ska|cka)$")
_MALE_SURNAME = re.compile(r"(?:ov|ev|yov|sky|skiy|skyi|ski|ovich|evich)$")


def gender(name: str) -> str | None:
    """'f' or 'm' when a person's name says which ("Maria Zakharova", "Peskov"), else None."""
    words = name.lower().replace("’", "'").split()
    if not words:
        return None
    if len(words) > 1 and words[0] in FEMALE_NAMES:
        return "f"
    if len(words) > 1 and words[0] in MALE_NAMES:
        return "m"
    last = words[-1]
    if _FEMALE_SURNAME.search(last):
        return "f"
    return "m" if _MALE_SURNAME.search(last) else None
