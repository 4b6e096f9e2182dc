"""Voices in the forms of channel posts, state-media copy and analysts' notes (a fresh user's findings,
in hand-written text): 'Name: "quote"', "X wrote on his Telegram channel", "X accused Y of "..."", a
role in lower case before a full name, a surname the writer opens a sentence with; and what stays."""

from __future__ import annotations

from corpus.claimfilter import classify
from corpus.extraction import extract_claims
from corpus.records import AUTHOR, QUOTED, Document


def voices(text: str, **meta) -> list[tuple[str, str, str | None]]:
    return [(c.text, c.speaker, c.speaker_name) for c in extract_claims(Document("d", text, meta))]


def test_a_name_a_colon_and_a_quotation_is_that_person_quoted() -> None:
    text = 'Lavrova: "Western media again show staged pictures. The blame lies with Kiev alone."'
    assert voices(text, outlet="Some Channel Z") == [
        ('Lavrova: "Western media again show staged pictures.', QUOTED, "Lavrova"),
        ('The blame lies with Kiev alone."', QUOTED, "Lavrova")]
    assert voices('Deputy Minister Ivan Sokolov: «We will answer.»')[0][1:] == (QUOTED, "Ivan Sokolov")


def test_a_label_a_place_or_a_dateline_before_a_colon_is_no_one() -> None:
    for text in ('Update: "The toll has risen to twelve," the regional office reported late on Friday.',
                 'Claim: "Fragments of a US rocket were found at the site."',
                 'Kharkiv: "There was nothing military anywhere near the block."',
                 'MOSCOW: "The strike hit a deployment point of foreign fighters."'):
        assert voices(text)[0][2] is None, text
    assert voices('Claim: "Fragments of a US rocket were found at the site."', author="A. Writer")[0][1] == AUTHOR


def test_interview_turns_keep_their_roles() -> None:
    text = ('Adler: What did you see that night?\n\nPetrenko: "We saw the trail of a missile over the roofs."\n\n'
            'Adler: Was it an air defence missile?\n\nPetrenko: "No, it came from the north."')
    rows = [(c.speaker, c.speaker_name, c.reason) for c in extract_claims(Document("d", text))]
    assert rows[:4] == [("interviewer", "Adler", "speaker_marker"), ("interviewer", "Adler", "question"),
                        ("interviewee", "Petrenko", "speaker_marker"), ("interviewee", "Petrenko", "not_checkworthy")]
    assert rows[4:] == rows[:4]


def test_wrote_on_a_telegram_channel_attributes_the_sentence() -> None:
    text = ("Videos from the scene show the spiral trail of an air defence missile, military blogger "
            "Pavel Gordeyev wrote on his Telegram channel.")
    assert voices(text, author="A. Writer")[0][1:] == (QUOTED, "Pavel Gordeyev")


def test_accused_of_with_a_quotation_is_the_accuser_s_speech() -> None:
    text = ('Foreign Ministry spokeswoman Irina Volkova accused Western media of spreading "staged footage '
            'prepared by the special services."\n\n"Kiev alone is responsible," Volkova said in Moscow.')
    assert [r[1:] for r in voices(text, author="A. Writer")] == [(QUOTED, "Irina Volkova"), (QUOTED, "Irina Volkova")]
    # the accused, not the accuser, and no quotation: the writer's own sentences
    for text in ('Volkova was accused of spreading "staged footage" by independent reporters.',
                 "The ministry accused Western media of lying about the strike."):
        assert voices(text, author="A. Writer")[0][1:] == (AUTHOR, "A. Writer"), text


def test_a_role_in_lower_case_before_a_full_name_is_dropped_and_she_is_that_person() -> None:
    text = ('Local resident Halyna Moroz, 71, said the blast threw her out of bed. '
            '"This is our home, not a base," she told reporters.')
    assert [r[1:] for r in voices(text, author="A. Writer")] == [(QUOTED, "Halyna Moroz"), (QUOTED, "Halyna Moroz")]
    # two people are no one name; a place after a preposition is not who speaks
    assert voices("Joe Biden and Vladimir Putin said the talks were over.")[0][2] == "Joe Biden and Vladimir Putin"
    assert voices("Residents of New York said the water was cut off.")[0][2] == "residents of New York"


def test_a_surname_opening_the_writer_s_sentence_gives_the_next_pronoun_a_name() -> None:
    text = ('Orlov repeated the standard line. "Our army strikes only military targets," he said.\n\n'
            'Lavrova went further. "The blame lies with Kiev," she told a briefing.')
    assert [r[2] for r in voices(text, author="A. Writer") if r[1] == QUOTED] == ["Orlov", "Lavrova"]


def test_a_body_a_place_or_a_pronoun_that_does_not_fit_gives_no_name() -> None:
    for text in ('Gazprom repeated its line. "Deliveries go on as planned," he said.',
                 'Orlov repeated the standard line. "Our army strikes only military targets," she said.',
                 'Rostov suffered heavy shelling. "We hid in the cellar," he said.',
                 'Orlov met the envoy. "We agreed on nothing," he said.'):
        assert [r[2] for r in voices(text) if r[1] == QUOTED] == [None], text


def test_a_note_to_self_is_filler() -> None:
    for text in ("TODO: check whether the video of 15 March is the one posted on X.",
                 "XXX: the second video is from 2022, not from this strike.", "- FIXME: source for 40 killed?"):
        assert classify(text)[1] in ("filler", "question"), text
    assert classify("TODO: check whether the video of 15 March is the one posted on X.") == (False, "filler")
    assert classify("No: the building was residential, the governor said on Telegram.")[1] != "filler"


def test_an_nb_line_is_read_as_any_other_sentence() -> None:
    # "NB:" marks what matters: a fact there is a claim as it would be without the marker
    text = "the governor later raised the toll to twelve, after two more bodies were found in Kharkiv."
    assert classify("NB: " + text) == classify(text[0].upper() + text[1:])
    assert classify("NB: " + text)[1] != "filler"
    assert classify("N.B.: the ministry's figure of 40 killed in Kharkiv was revised to 12 on Monday.")[1] != "filler"


def test_a_headline_before_a_colon_is_no_speaker_and_its_verb_is_dropped() -> None:
    # a headline's or a live page's words: no one speaks
    for text in ('Ukraine War Latest: "Eleven dead" in Kharkiv strike.',
                 'Kharkiv Strike: "Eleven dead," officials say nothing more.',
                 'Donbas Frontline Report: "The line holds near the river."',
                 'Live Updates: "Air raid alert across the region."'):
        assert voices(text, author="A. Writer")[0][1:] == (AUTHOR, "A. Writer"), text
    # a headline's verb after the speaker: the speaker alone; a country that says is no one
    assert voices('Zelenskyy Says: "We need more Patriots."')[0][1:] == (QUOTED, "Zelenskyy")
    assert voices('Maria Zakharova Says: "Western media lie again."')[0][1:] == (QUOTED, "Maria Zakharova")
    assert voices('Ukraine Says: "We need more Patriots."', author="A. Writer")[0][1:] == (AUTHOR, "A. Writer")


def test_three_words_before_a_colon_speak_when_a_person_s_or_a_body_s_name() -> None:
    assert voices('Ursula von der Leyen: "We stand with Ukraine."')[0][1:] == (QUOTED, "Ursula von der Leyen")
    assert voices('Yevgeny Viktorovich Prigozhin: "We are leaving."')[0][1:] == (
        QUOTED, "Yevgeny Viktorovich Prigozhin")
    assert voices('Russian Defence Ministry: "Our forces struck a depot."')[0][1:] == (
        QUOTED, "Russian Defence Ministry")
    assert voices('Kharkiv Governor Oleh Syniehubov: "Eleven people were killed."')[0][1:] == (
        QUOTED, "Oleh Syniehubov")
    # a place standing for a body that speaks
    assert voices('White House: "We condemn the strike."')[0][1:] == (QUOTED, "White House")
