"""Interview turns in two everyday forms: Markdown labels in bold or italics (``**Q:**``, ``__A:__``,
``**Vollmer:**``), and ``Question:`` turns answered by a surname (``Vollmer:``) the metadata names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimstance.cli import main
from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.records import AUTHOR, INTERVIEWEE, INTERVIEWER, QUOTED, Document
from corpus.sentences import split_paragraphs
from corpus.voice_markers import emphasised_byline, turn_marker
from corpus.voices import paragraph_voices


def voices_of(text: str, meta: dict | None = None) -> list[tuple[str, str | None]]:
    paragraphs = split_paragraphs(text)
    return [(v.speaker, v.speaker_name) for v in paragraph_voices(text, paragraphs, meta or {})]


@pytest.mark.parametrize("para, role, name, marker", [
    ("**Q:** Are the sanctions working?", INTERVIEWER, None, "**Q:**"),
    ("__A:__ It depends.", INTERVIEWEE, None, "__A:__"),
    ("*Q:* Why?", INTERVIEWER, None, "*Q:*"),
    ("_A:_ Yes.", INTERVIEWEE, None, "_A:_"),
    ("**Question:** Why?", INTERVIEWER, None, "**Question:**"),
    ("**Answer**: Because.", INTERVIEWEE, None, "**Answer**:"),
    ("*Q.* Why?", INTERVIEWER, None, "*Q.*"),
    ("**A.** Because.", INTERVIEWEE, None, "**A.**"),
    ("**Vollmer:** We lost a market.", "?", "Vollmer", "**Vollmer:**"),
    ("**Sergei Antonov**: We lost a market.", "?", "Sergei Antonov", "**Sergei Antonov**:"),
    ("**Q:**", INTERVIEWER, None, "**Q:**"),   # the marker alone, the question on the next line
])
def test_a_label_in_bold_or_italics_is_a_turn_marker(para: str, role: str, name: str | None, marker: str) -> None:
    found = turn_marker(para)
    assert found is not None and found[:2] == (role, name)
    assert para[:found[2]].rstrip() == marker


@pytest.mark.parametrize("para", [
    "**Why it matters:** The cap cuts revenue.",
    "**The Big Picture:** Prices fell.",
    "**Context:** The cap began in 2022.",
    "**Note:** This interview was edited.",
    "*Note.* This interview was edited.",
    "*Policy brief, Institute for Comparative Statecraft, March 2026. Author: Dr. Ruth Feldmann.*",
    "**Sanctions** are working: revenues fell.",
    "*Emphasis* first, then: a list.",
])
def test_bold_lead_ins_and_emphasis_are_no_turn_markers(para: str) -> None:
    assert turn_marker(para) is None


MD_INTERVIEW = """---
title: "Interview: sanctions work"
author: Olga Reznik
kind: interview
interviewer: Olga Reznik
interviewee: Sergei Antonov
---

# Interview: sanctions work

Sergei Antonov taught macroeconomics in Moscow until 2022.

**Q:** Are the sanctions working?

**A:** It depends on what you expect of them. Russian factories now pay twice as much for components.

**Q:** Critics say they hurt Europeans more.

**A:** That is simply not supported by the data.

**Q:** Thank you.
"""


def test_a_markdown_interview_in_bold_labels_gets_the_front_matter_s_people(tmp_path: Path) -> None:
    (tmp_path / "i.md").write_text(MD_INTERVIEW, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "i.md")])
    body = [c for c in extract_claims(doc) if c.start > MD_INTERVIEW.index("Sergei Antonov taught")]
    assert [(c.speaker, c.speaker_name, c.text) for c in body] == [
        (INTERVIEWER, "Olga Reznik", "**Q:**"),
        (INTERVIEWER, "Olga Reznik", "Are the sanctions working?"),
        (INTERVIEWEE, "Sergei Antonov", "**A:**"),
        (INTERVIEWEE, "Sergei Antonov", "It depends on what you expect of them."),
        (INTERVIEWEE, "Sergei Antonov", "Russian factories now pay twice as much for components."),
        (INTERVIEWER, "Olga Reznik", "**Q:**"),
        # what the question reports others saying is theirs, as in the writer's prose (a capitalised
        # first word is taken for a name: see the README's Limitations)
        (QUOTED, None, "Critics say they hurt Europeans more."),
        (INTERVIEWEE, "Sergei Antonov", "**A:**"),
        (INTERVIEWEE, "Sergei Antonov", "That is simply not supported by the data."),
        (INTERVIEWER, "Olga Reznik", "**Q:**"),
        (INTERVIEWER, "Olga Reznik", "Thank you."),
    ]
    # the labels are speaker markers, never claims; "Thank you." alone is a greeting, not a statement
    assert {c.reason for c in body if c.text.startswith("**")} == {"speaker_marker"}
    assert not any(c.is_claim for c in body if c.text.startswith("**"))
    assert (body[1].reason, body[-1].reason) == ("question", "greeting")
    # the bold labels give exactly what plain Q:/A: give, and no claim keeps the markup
    plain = MD_INTERVIEW.replace("**Q:**", "Q:").replace("**A:**", "A:")
    (tmp_path / "p.md").write_text(plain, encoding="utf-8")
    [pdoc] = read_documents([str(tmp_path / "p.md")])
    assert [(c.speaker, c.speaker_name, c.reason, c.text.strip("*")) for c in extract_claims(pdoc)] == [
        (c.speaker, c.speaker_name, c.reason, c.text.strip("*")) for c in extract_claims(doc)]
    assert not any("**" in c.text for c in extract_claims(doc) if c.reason != "speaker_marker")


@pytest.mark.parametrize("q, a", [("__Q:__", "__A:__"), ("*Q.*", "*A.*"), ("**Question:**", "**Answer:**")])
def test_other_emphasised_q_and_a_labels_alternate_the_turns(q: str, a: str) -> None:
    text = f"{q} Is it over?\n\n{a} Not yet. Fighting continues.\n\n{q} Why?\n\n{a} Nobody wants to stop."
    assert voices_of(text, {"interviewer": "Meduza", "interviewee": "Ivan Petrov"}) == [
        (INTERVIEWER, "Meduza"), (INTERVIEWEE, "Ivan Petrov")] * 2


QUESTION_SURNAME = ("Interview with a lobbyist\n\n"
                    "Question: Mr. Vollmer, how have sanctions affected your members?\n\n"
                    "Vollmer: We lost our second-largest export market overnight.\n\n"
                    "Question: Many say that is the price of standing with Ukraine.\n\n"
                    "Vollmer: Nobody in our association supports the war.\n\n"
                    "Question: What do you want Berlin to do?\n\n"
                    "Vollmer: Start by admitting that the policy is not working.")


def test_a_surname_answering_question_turns_is_the_interviewee_the_manifest_names() -> None:
    meta = {"voices": {"interviewer": "Wirtschaftsblick", "interviewee": "Gerhard Vollmer"}}
    assert voices_of(QUESTION_SURNAME, meta) == [(AUTHOR, None)] + [
        (INTERVIEWER, "Wirtschaftsblick"), (INTERVIEWEE, "Gerhard Vollmer")] * 3
    claims = extract_claims(Document("d", QUESTION_SURNAME, meta))
    vollmer = [(c.reason, c.text) for c in claims if c.speaker == INTERVIEWEE]
    assert vollmer[:2] == [("speaker_marker", "Vollmer:"),
                           ("not_checkworthy", "We lost our second-largest export market overnight.")]
    assert not any(c.text.startswith("Vollmer:") and c.reason != "speaker_marker" for c in claims)


def test_a_surname_answering_question_turns_is_a_turn_without_hints() -> None:
    # one name alone used to be no interview ("Note:", "MOSCOW:"): answering asked questions, it is one
    assert voices_of(QUESTION_SURNAME) == [(AUTHOR, None)] + [(INTERVIEWER, None), (INTERVIEWEE, "Vollmer")] * 3
    # in bold, in a Markdown file
    bold = QUESTION_SURNAME.replace("Question:", "**Question:**").replace("Vollmer:", "**Vollmer:**")
    assert voices_of(bold) == voices_of(QUESTION_SURNAME)


@pytest.mark.parametrize("text", [
    "Question: What happened?\n\nMoscow: The city was quiet on Sunday.",      # a dateline, not a turn
    "Question: Is it over?\n\nNote: This interview was edited.",
    "Q: What did Putin say?\n\nA: He said it was fine.\n\nPutin: Everything is fine.\n\nQ: Thanks.",
    "Sanctions, explained.\n\nCritics: They do not work?\n\nThe cap began in 2022.",  # no Question: turn
])
def test_a_lone_label_that_answers_no_question_turn_stays_no_turn(text: str) -> None:
    found = voices_of(text)
    labels = {"Moscow", "Note", "Putin", "Critics"}
    assert not any(name in labels for _, name in found)


def test_a_markdown_round_up_in_bold_places_and_lead_ins_stays_the_writer_s() -> None:
    text = ("By Jane Roe\n\n**Russia:** The Kremlin said talks had stalled. Who is to blame?\n\n"
            "**Ukraine:** Kyiv said it was ready to talk.\n\n**EU:** Brussels agreed a new package.\n\n"
            "**Why it matters:** Is the cap working? Prices fell.\n\n**Context:** Does it hold? Mostly.")
    assert {v for v in voices_of(text)} == {(AUTHOR, "Jane Roe")}


def test_stance_claims_reads_both_forms_with_a_manifest_and_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(MD_INTERVIEW, encoding="utf-8")
    (tmp_path / "b.txt").write_text(QUESTION_SURNAME, encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - file: b.txt\n    kind: interview\n    voices:\n      interviewer: Wirtschaftsblick\n"
        "      interviewee: Gerhard Vollmer\n", encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(tmp_path), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    turns = {(r["source_file"].rsplit("/", 1)[-1], r["speaker"], r["speaker_name"])
             for r in rows if r["reason"] == "speaker_marker"}
    assert turns == {("a.md", INTERVIEWER, "Olga Reznik"), ("a.md", INTERVIEWEE, "Sergei Antonov"),
                     ("b.txt", INTERVIEWER, "Wirtschaftsblick"), ("b.txt", INTERVIEWEE, "Gerhard Vollmer")}
    assert not any(r["text"].startswith(("**", "Vollmer:")) for r in rows if r["reason"] != "speaker_marker")


@pytest.mark.parametrize("para, names", [
    ("*Policy brief, Institute for Comparative Statecraft, March 2026. Author: Dr. Ruth Feldmann.*",
     ["Ruth Feldmann"]),
    ("*By Jane Roe*", ["Jane Roe"]),
    ("_By Jane Roe and John Smith_", ["Jane Roe", "John Smith"]),
    ("**Authors: Jane Roe and Dr. John Smith**", ["Jane Roe", "John Smith"]),
    ("*Updated March 2026. Text: Anna Kovalenko*", ["Anna Kovalenko"]),
    ("*This is an italic standfirst about sanctions.*", None),
    ("*Sanctions have failed, the author argues.*", None),
    ("*Author: March 2026*", None),
    ("*By Sunday, neither side had set a date.*", None),
    ("Policy brief, March 2026. Author: Dr. Ruth Feldmann.", None),   # no emphasis: a sentence as before
])
def test_an_emphasised_credit_line_is_a_byline(para: str, names: list[str] | None) -> None:
    assert emphasised_byline(para) == names


def test_a_markdown_brief_s_italic_credit_line_is_a_byline_not_a_claim() -> None:
    text = ("# Sanctions on Russia: what the evidence says\n\n"
            "*Policy brief, Institute for Comparative Statecraft, March 2026. Author: Dr. Ruth Feldmann.*\n\n"
            "## Summary\n\nChinese exports to Russia reached a record in 2024.")
    claims = extract_claims(Document("d", text, {}, "b.md"))
    assert [(c.reason, c.is_claim, c.speaker_name) for c in claims[1:3]] == [
        ("byline", False, "Ruth Feldmann"), ("byline", False, "Ruth Feldmann")]
    assert (claims[-1].reason, claims[-1].speaker, claims[-1].speaker_name) == ("claim", AUTHOR, "Ruth Feldmann")
    # an italic standfirst in the same place stays prose
    dek = text.replace("*Policy brief, Institute for Comparative Statecraft, March 2026. Author: Dr. Ruth Feldmann.*",
                       "*Chinese exports to Russia reached a record in 2024.*")
    assert extract_claims(Document("d", dek, {}, "b.md"))[1].reason != "byline"


@pytest.mark.parametrize("asks, answers", [("Interviewer:", "Antonov:"), ("**Interviewer:**", "**Antonov:**"),
                                           ("Interviewer:", "A:"), ("__Interviewer:__", "__A:__")])
def test_an_interviewer_label_is_the_interviewer_s_turn_plain_or_emphasised(asks: str, answers: str) -> None:
    # one of the two interviewer turns asks: the label says who asks, not the question marks
    text = (f"{asks} Are the sanctions working?\n\n{answers} It depends on what you expect of them.\n\n"
            f"{asks} Critics say they hurt Europeans more.\n\n{answers} That is simply not supported by the data.")
    hints = {"voices": {"interviewer": "Olga Reznik", "interviewee": "Sergei Antonov"}}
    assert voices_of(text, hints) == [(INTERVIEWER, "Olga Reznik"), (INTERVIEWEE, "Sergei Antonov")] * 2
    claims = extract_claims(Document("d", text, path="i.md", meta=hints))
    assert [c.text for c in claims if c.reason == "speaker_marker"] == [asks, answers] * 2
    assert not any(c.speaker_name == "Interviewer" for c in claims)


CYRILLIC_NAMES = """**Мария Иванова:** Ivan, what did you see in Mariupol?

**Иван Петров:** I saw the theatre after the bomb hit it. Hundreds of people were sheltering inside.

**Мария Иванова:** Russian television says the Azov battalion blew it up themselves.

**Иван Петров:** That is a lie. The Russian air force dropped the bomb, everyone in the city knew it."""


@pytest.mark.parametrize("text", [CYRILLIC_NAMES, CYRILLIC_NAMES.replace("**", "")])
def test_turn_labels_naming_people_in_cyrillic_are_turns_as_latin_ones_are(text: str) -> None:
    # QA: an English interview whose people are written in Cyrillic ('**Иван Петров:**', as a Russian
    # outlet's translation keeps them) was all the author's, each label inside its first claim, even
    # with the front matter naming both; 'Ivan Petrov:' was a turn
    hints = {"interviewer": "Мария Иванова", "interviewee": "Иван Петров"}
    assert voices_of(text, hints) == [(INTERVIEWER, "Мария Иванова"), (INTERVIEWEE, "Иван Петров")] * 2
    latin = text.replace("Мария Иванова", "Maria Ivanova").replace("Иван Петров", "Ivan Petrov")
    latin_hints = {"interviewer": "Maria Ivanova", "interviewee": "Ivan Petrov"}
    for hinted, latin_hinted in (({}, {}), (hints, latin_hints)):   # without hints, turns too, as in Latin letters
        assert [v for v, _ in voices_of(latin, latin_hinted)] == [v for v, _ in voices_of(text, hinted)]
    assert {name for _, name in voices_of(text)} == {"Мария Иванова", "Иван Петров"}
    claims = extract_claims(Document("d", text, {"voices": hints}))
    assert [c.text for c in claims if c.reason == "speaker_marker"] == [
        p[:p.index(":") + 1] + ("**" if p.startswith("**") else "") for p in text.split("\n\n")]


@pytest.mark.parametrize("text", [
    "Москва: в городе спокойно.\n\nИтоги: цены выросли. Почему?\n\nИсточник: Минфин.",   # a dateline, headings
    "**Россия:** Кремль заявил, что переговоры зашли в тупик. Кто виноват?\n\n**Украина:** Киев готов к диалогу.",
    "Корреспондент: Как идут переговоры?\n\nЛавров: Трудно.",   # one word: no telling a surname from those
])
def test_a_one_word_label_in_cyrillic_opens_no_turn(text: str) -> None:
    # English lists keep "Moscow:", "Note:" and "**Russia:**" from being turns; there are none in Russian
    assert {name for _, name in voices_of(text)} == {None}


AUTHOR_ASKS = """**Maria Ivanova:** Ivan, what did you see?

**Ivan Petrov:** The convoy stopped at the bridge. Then the shelling began.

**Maria Ivanova:** Russian television says the Azov battalion blew it up.

**Ivan Petrov:** That is a lie. The Russian air force dropped the bomb."""


@pytest.mark.parametrize("label", ["**Maria Ivanova:**", "**Ivanova:**", "**Maria:**", "Maria Ivanova:"])
def test_the_author_labelling_herself_in_a_dialogue_of_two_is_the_interviewer(label: str) -> None:
    # QA: with the front matter's 'author: Maria Ivanova' and no 'interviewer:', both people were the
    # interviewee, since only one of her two turns ends in a question
    text = AUTHOR_ASKS.replace("**Maria Ivanova:**", label)
    assert voices_of(text, {"author": "Maria Ivanova"}) == [(INTERVIEWER, "Maria Ivanova"),
                                                           (INTERVIEWEE, "Ivan Petrov")] * 2
    # nobody's author, or someone else's: the questions alone decide, as before
    for meta in ({}, {"author": "John Smith"}):
        assert {role for role, _ in voices_of(text, meta)} == {INTERVIEWEE}


def test_the_author_rule_reads_cyrillic_names_a_byline_and_a_transcript_s_capitals(tmp_path: Path) -> None:
    cyrillic = AUTHOR_ASKS.replace("Maria Ivanova", "Мария Иванова").replace("Ivan Petrov", "Иван Петров")
    assert voices_of(cyrillic, {"author": "Мария Иванова"}) == [(INTERVIEWER, "Мария Иванова"),
                                                               (INTERVIEWEE, "Иван Петров")] * 2
    caps = AUTHOR_ASKS.replace("**Maria Ivanova:**", "MARIA IVANOVA:").replace("**Ivan Petrov:**", "IVAN PETROV:")
    (tmp_path / "t.txt").write_text("By Maria Ivanova\n\n" + caps, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "t.txt")])
    assert [(c.speaker, c.speaker_name) for c in extract_claims(doc) if c.reason == "speaker_marker"] == [
        (INTERVIEWER, "Maria Ivanova"), (INTERVIEWEE, "IVAN PETROV")] * 2
    (tmp_path / "f.md").write_text("---\ntitle: What I saw\nauthor: Maria Ivanova\n---\n" + AUTHOR_ASKS, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "f.md")])
    assert [(c.speaker, c.speaker_name) for c in extract_claims(doc) if c.reason == "speaker_marker"] == [
        (INTERVIEWER, "Maria Ivanova"), (INTERVIEWEE, "Ivan Petrov")] * 2


def test_the_author_rule_never_overrides_the_questions_a_hint_or_a_panel() -> None:
    author = {"author": "Maria Ivanova"}
    # the other person asks in most of his turns: he is the interviewer, the author answers
    asked = ("**Ivan Petrov:** Maria, what did you see?\n\n**Maria Ivanova:** The convoy stopped. Why?\n\n"
             "**Ivan Petrov:** Who fired first?\n\n**Maria Ivanova:** I could not tell.")
    assert voices_of(asked, author) == [(INTERVIEWER, "Ivan Petrov"), (INTERVIEWEE, "Maria Ivanova")] * 2
    # the author's turns never ask: nothing says she is the one asking
    told = AUTHOR_ASKS.replace("Ivan, what did you see?", "Tell me what you saw.").replace(
        "Then the shelling began.", "Why would they stop?")
    assert {role for role, _ in voices_of(told, author)} == {INTERVIEWEE}
    # a hint naming the interviewer wins
    assert voices_of(AUTHOR_ASKS, {**author, "interviewer": "Ivan Petrov"})[:2] == [
        (INTERVIEWEE, "Maria Ivanova"), (INTERVIEWER, "Ivan Petrov")]
    # a panel of three: the writer may be one of the panellists, so the questions alone decide
    panel = AUTHOR_ASKS + "\n\n**Olga Reznik:** I saw it too. The bomb fell at noon."
    assert {role for role, _ in voices_of(panel, author)} == {INTERVIEWEE}
    # two authors, both labelled: no telling which asks
    assert {role for role, _ in voices_of(AUTHOR_ASKS, {"author": "Maria Ivanova and Ivan Petrov"})} == {INTERVIEWEE}
