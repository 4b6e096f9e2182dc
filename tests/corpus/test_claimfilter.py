"""Tests for the claim filter: every reason, questions, the sample corpus, the dev-set figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.claimfilter import REASONS, classify, score
from corpus.claimfilter_lexicon import THRESHOLD
from corpus.sentences import split_paragraphs, split_sentences

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # questions, with and without numbers, with closing quotes after the mark
        ("Is it true that unemployment rose 3 percent in 2019?", "question"),
        ("Did he vote for the $700 billion bailout in 2008?", "question"),
        ("Senator, your response?", "question"),
        ('He asked, "Why did taxes go up 20% last year?"', "question"),
        ("What are the prospects for the adoption of a universal convention?  ", "question"),
        ("Did the deficit really fall by $1 trillion? (APPLAUSE)", "question"),
        ("So who paid the 35 percent tariff?...", "question"),
        # greetings, thanks, pleasantries
        ("Thank you, Jim.", "greeting"),
        ("Thank you very much.", "greeting"),
        ("Good evening, everybody.", "greeting"),
        ("I want to thank the university for hosting us.", "greeting"),
        ("Ladies and gentlemen, welcome to the second presidential debate.", "greeting"),
        ("Heh, good luck with all that.", "greeting"),
        ("It's great to be here in Ohio.", "greeting"),
        # headings, bylines, speaker lead-ins
        ("By Andrei Soldatov and Irina Borogan", "heading"),
        ("By Andrei Soldatov and Irina Borogan ", "heading"),
        ("Now, Mr. Lyukmanov:", "heading"),
        ("# Russia and the Internet", "heading"),
        ("The Kremlin's Cyber Export Drive", "heading"),
        ("RUSSIAN SECURITY CONFERENCE", "heading"),
        # fragments
        ("Kaspersky Lab;", "fragment"),
        ("• Kaspersky Lab;", "fragment"),
        ("Deal.\"", "fragment"),
        ("and the other", "fragment"),
        ("—", "fragment"),
        ("   ", "fragment"),
        # editorial markers
        ("[My Emphasis]", "editorial_marker"),
        ("[Applause]", "editorial_marker"),
        ("(CROSSTALK)", "editorial_marker"),
        ("(APPLAUSE) (LAUGHTER)", "editorial_marker"),
        ("(inaudible)", "editorial_marker"),
        # pure filler and discourse
        ("Well.", "filler"),
        ("Let me say this.", "filler"),
        ("That's right.", "filler"),
        ("No, no, no.", "filler"),
        ("Believe me.", "filler"),
        ("Let me finish.", "filler"),
        ("Excuse me.", "filler"),
        ("Hold on, hold on.", "filler"),
        ("That is not true.", "filler"),
        # assertive but not check-worthy
        ("I think the American people are tired of the same old promises.", "opinion"),
        ("We're going to make this country strong again.", "opinion"),
        ("This is very appealing to many regimes.", "not_checkworthy"),
    ],
)
def test_non_claims_carry_their_reason(text: str, reason: str) -> None:
    assert classify(text) == (False, reason)


@pytest.mark.parametrize(
    "text",
    [
        "Unemployment has gone up by two points since this administration took office.",
        "He voted against the prescription drug bill twice.",
        "We have lost 800,000 manufacturing jobs in the last four years.",
        "The Governor's plan would cut taxes for the wealthiest one percent by $200 billion.",
        "Iran has enriched enough uranium to build a bomb.",
        "China is the largest holder of our debt.",
        "Russia annexed Crimea in 2014.",
        "Thanks to the tax cuts, three million jobs were created.",
        # the trailing marker is dropped, the sentence is scored on its own
        "Teen pregnancy has dropped to the lowest level in 30 years. [My Emphasis]",
        # an interview label in front of an answer does not hide the claim
        "A: Indeed, over the past two years, Russia's information infrastructure has become the "
        "target of regular computer attacks.",
    ],
)
def test_check_worthy_sentences_are_claims(text: str) -> None:
    assert classify(text) == (True, "claim")


@pytest.mark.parametrize(("text", "expected"), [
    ("BELGOROD, March 14 (RosVest).", (False, "dateline")),
    ("RIGA, Sept 2 (Baltic Regional News).", (False, "dateline")),
    ("LONDON, 12 March 2024 -", (False, "dateline")),
    ("DÜSSELDORF, May 2 (dpa).", (False, "dateline")),
    ("DONETSK, Ukraine, March 14 (Reuters) -", (False, "dateline")),
    ("(Reporting by Global Wire staff; Editing by the Europe desk)", (False, "editorial_marker")),
    ("(Reporting by Olena Harmash in Kyiv, Guy Faulconbridge and Andrew Osborn in Moscow; additional reporting by "
     "Pavel Polityuk; Writing by Tom Balmforth; Editing by Alex Richardson and Frances Kerry)", (False, "editorial_marker")),
    # a dateline that opens the story's first sentence leaves the sentence a claim
    ("KYIV, Jan 5 (Reuters) - Ukraine said on Monday that 40 of 45 drones were shot down.", (True, "claim")),
])
def test_a_wire_story_s_dateline_and_credits_are_not_claims(text: str, expected: tuple[bool, str]) -> None:
    assert classify(text) == expected


def test_reasons_are_short_snake_case_ids() -> None:
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", r) for r in REASONS)
    assert {"claim", "question", "greeting", "heading", "fragment", "editorial_marker",
            "filler"} <= set(REASONS)


def test_score_orders_a_statistic_above_a_promise() -> None:
    assert score("Violent crime has increased 12 percent in our fifty largest cities.") > 0
    assert score("We will bring our troops home with honor.") < 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Andrei Soldatov and Irina Borogan", (False, "heading")),
        ("The day Putin was sworn in at the Kremlin, he signed the Executive Order on Russian "
         "development goals to 2036.", (True, "claim")),
        ("Ever since 2000, the Kremlin has been constantly and consistently expanding the areas "
         "that had to be protected from the West — the May 8 Executive Order, for instance, bans "
         "video games that “distort” Russian history.", (True, "claim")),
        ("This year, the conference gathered security mandarins from 106 countries.",
         (True, "claim")),
        ("For instance, Kaspersky Lab was banned from US federal government contracts because of "
         "questions about the highly intrusive way Kaspersky Lab software treats the computer "
         "systems they are supposed to protect.", (True, "claim")),
        ("In November 2023, the Hungarian authorities announced that most of the funds stolen in "
         "their country as a result of ICT crimes and telephone fraud ended up in Ukraine.",
         (True, "claim")),
        ("Now, Mr. Lyukmanov:", (False, "heading")),
        ("[My Emphasis]", (False, "editorial_marker")),
        ("Heh, good luck with all that.", (False, "greeting")),
        ("Question: What measures are being taken to combat the recruitment of terrorists and "
         "extremists, which, according to experts, is now 95% online?", (False, "question")),
    ],
)
def test_sample_corpus_sentences(text: str, expected: tuple[bool, str]) -> None:
    assert classify(text) == expected


def test_no_question_in_the_sample_corpus_is_a_claim() -> None:
    questions = 0
    for path in sorted((REPO / "corpus" / "sample").glob("*.txt")):
        doc = path.read_text(encoding="utf-8")
        for ps, pe in split_paragraphs(doc):
            for s, e in split_sentences(doc, ps, pe):
                text = doc[s:e]
                if text.rstrip(" \"'”’)").endswith("?"):
                    questions += 1
                    assert classify(text) == (False, "question"), text
    assert questions >= 8


def _macro_f1(gold: list[bool], pred: list[bool]) -> float:
    f1s = []
    for positive in (True, False):
        tp = sum(g == positive and p == positive for g, p in zip(gold, pred))
        wrong = sum(g != p and positive in (g, p) for g, p in zip(gold, pred))
        f1s.append(2 * tp / (2 * tp + wrong))
    return sum(f1s) / 2


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(("name", "min_rows"), [("claimfilter_dev.tsv", 200),
                                                ("claimfilter_blind.tsv", 50)])
def test_beats_the_has_a_digit_rule_on_the_self_written_sets(name: str, min_rows: int) -> None:
    rows = _rows(Path(__file__).with_name(name))
    assert len(rows) >= min_rows
    assert {cls for cls, _ in rows} == {"CFS", "NFS", "UFS"}
    gold = [cls == "CFS" for cls, _ in rows]
    ours = _macro_f1(gold, [classify(text)[0] for _, text in rows])
    digit = _macro_f1(gold, [bool(re.search(r"\d", text)) for _, text in rows])
    assert 0.55 <= digit <= 0.72  # about as hard for the digit rule as real debates (0.66)
    assert ours >= 0.85
    assert ours >= digit + 0.15


def test_score_and_classify_agree_on_every_scored_sentence() -> None:
    rows = _rows(Path(__file__).with_name("claimfilter_dev.tsv"))
    scored = 0
    for _, text in rows:
        is_claim, reason = classify(text)
        if reason in ("claim", "opinion", "not_checkworthy"):
            scored += 1
            assert (score(text) >= THRESHOLD) == is_claim, text
    assert scored >= 200
