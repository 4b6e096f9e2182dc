"""Whom quoted and reported speech is attributed to (corpus/quotes.py): bodies, groups, lead-ins."""

from __future__ import annotations

import time

import pytest

from corpus.extraction import extract_claims
from corpus.quotes import attributed_speaker
from corpus.records import QUOTED, Document


@pytest.mark.parametrize("sentence, expected", [
    # "General" opens the body's name, as "Ukrainian General Staff" keeps it; a General's name loses the title
    ("The strike killed 12 soldiers, according to the General Staff.", (True, "General Staff")),
    ("According to the General Staff, 12 soldiers were killed.", (True, "General Staff")),
    ("The strike killed 12 soldiers, according to General Staff data.", (True, "General Staff")),
    ("The General Staff said that 12 soldiers were killed.", (True, "General Staff")),
    ('"Twelve soldiers were killed," the General Staff said.', (True, "General Staff")),
    ('"Twelve soldiers were killed," said the General Staff.', (True, "General Staff")),
    ('General Staff: "Twelve soldiers were killed."', (True, "General Staff")),
    ("The resolution passed, according to the General Assembly.", (True, "General Assembly")),
    ("The strike killed 12 soldiers, according to the Ukrainian General Staff.", (True, "Ukrainian General Staff")),
    ("The strike killed 12 soldiers, according to the Defence Ministry.", (True, "Defence Ministry")),
    ("The strike killed 12 soldiers, according to Russia's Ministry of Defence.", (True, "Russia's Ministry of Defence")),
    ("The strike killed 12 soldiers, according to General Valery Zaluzhny.", (True, "Valery Zaluzhny")),
    ("The strike killed 12 soldiers, according to Colonel General Oleksandr Syrskyi.", (True, "Oleksandr Syrskyi")),
    ("General Zaluzhny said that 12 soldiers were killed.", (True, "Zaluzhny")),
])
def test_a_body_a_title_opens_keeps_it(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # a quotation opening the clause after a semicolon, its verb after it, is quoted
    ('The building was hit; "we saw the debris," said a witness.', (True, None)),
    ('The building was hit; "we saw the debris", said a witness.', (True, None)),
    ('The building was hit; "we saw the debris," said the mayor.', (True, None)),
    ('"We saw the debris", said a witness.', (True, None)),   # the comma after the quote mark
    ('The building was hit; "we saw the debris," said Peskov on Monday.', (True, "Peskov")),
    ('The building was hit; "we saw the debris," a witness said.', (True, None)),
    # a quotation inside the writer's clause is no one's
    ('The building was hit; the "debris," said a witness, was everywhere.', (False, None)),
])
def test_a_quotation_after_a_semicolon_is_quoted(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # a group and its place after the verb, as before it
    ('"The talks failed," said officials in Brussels.', (True, "officials in Brussels")),
    ('"The talks failed," said officials in Brussels on Monday.', (True, "officials in Brussels")),
    ('"The talks failed," officials in Brussels said.', (True, "officials in Brussels")),
    ('"The talks failed," said Western officials in Brussels.', (True, "Western officials in Brussels")),
    ('"The talks failed," Western officials in Brussels said.', (True, "Western officials in Brussels")),
    ('"The talks failed," said analysts in Kyiv, adding that prices rose.', (True, "analysts in Kyiv")),
    ('"The talks failed," said residents of Kharkiv.', (True, "residents of Kharkiv")),
    ('"The talks failed," said officials in a statement.', (True, None)),
    ('"The talks failed," said officials.', (True, None)),
])
def test_a_group_and_its_place_after_the_verb_is_named_as_before_it(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # "In Lavrov's words" names whose words, as "In the words of Lavrov" does
    ('In Lavrov\'s words, "the West has lied."', (True, "Lavrov")),
    ('In Sergei Lavrov’s own words, "the West has lied."', (True, "Sergei Lavrov")),
    ('In Lavrov\'s words: "the West has lied."', (True, "Lavrov")),
    ('In the Kremlin\'s words, "the West has lied."', (True, "Kremlin")),
    ('In the minister\'s words, "the West has lied."', (True, None)),
    ('In the words of Lavrov, "the West has lied."', (True, "Lavrov")),
    ('In other words, "the West has lied."', (False, None)),
    ('In my words, "the West has lied."', (False, None)),
    ('In Lavrov\'s view, "the West has lied."', (False, None)),
    # "As X put it," names a group or a body as "As Scholz put it," names Scholz
    ('As Kremlin officials put it, "the West has lied."', (True, "Kremlin officials")),
    ('As Kremlin officials put it: "the West has lied."', (True, "Kremlin officials")),
    ('As Western officials put it, "the West has lied."', (True, "Western officials")),
    ('As officials in Brussels put it, "the West has lied."', (True, "officials in Brussels")),
    ('As a Kremlin spokesman put it, "the West has lied."', (True, "Kremlin")),
    ('As experts put it, "the West has lied."', (True, None)),
    ('As Scholz put it bluntly, "the West has lied."', (True, "Scholz")),
    ('As Scholz put it, "the West has lied."', (True, "Scholz")),
    ('As I put it, "the West has lied."', (False, None)),
    ('As Scholz put it, the West has lied.', (False, None)),
])
def test_whose_words_and_as_x_put_it_name_whom_they_quote(sentence, expected):
    assert attributed_speaker(sentence) == expected


def test_a_block_s_lead_in_with_whose_words_or_put_it_names_it() -> None:
    def block(lead: str) -> tuple:
        doc = Document("d", f"The Kremlin spoke.\n\n{lead}\n\n> The talks are over.\n", {"format": "md"})
        return [(c.speaker, c.speaker_name) for c in extract_claims(doc)][-1]
    assert block("In Lavrov's words,") == (QUOTED, "Lavrov")
    assert block("As Kremlin officials put it,") == (QUOTED, "Kremlin officials")
    assert block("As Scholz put it,") == (QUOTED, "Scholz")
    assert block("As I put it,")[0] != QUOTED   # the writer's own words


@pytest.mark.parametrize("sentence, expected", [
    # names listed with commas are all named, as "Russia and China said" names both; in a quotation's lead too
    ("Moscow, Kyiv and Minsk said the talks would resume.", (True, "Moscow, Kyiv and Minsk")),
    ("Moscow, Kyiv, and Minsk said that the talks would resume.", (True, "Moscow, Kyiv, and Minsk")),
    ("Britain, France and Germany said in a statement that the talks would resume.",
     (True, "Britain, France and Germany")),
    ("Joe Biden, Vladimir Putin and Xi Jinping said the talks would resume.",
     (True, "Joe Biden, Vladimir Putin and Xi Jinping")),
    ('Moscow, Kyiv and Minsk said: "The talks will resume."', (True, "Moscow, Kyiv and Minsk")),
    ('Russia and China said: "The talks will resume."', (True, "Russia and China")),
    ("Russia and China said the talks would resume.", (True, "Russia and China")),
    # a lead-in, an appositive, a place's list: as before
    ("On Monday, Russia and China said the talks would resume.", (True, "Russia and China")),
    ("Sergei Lavrov, Russia's foreign minister, said the talks would resume.", (True, "Sergei Lavrov")),
    ("During a 1962 speech at Annapolis, General Thomas Hale told assembled cadets: \"The next war.\"",
     (True, "Thomas Hale")),
])
def test_names_listed_are_all_named(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # a group's name opens in lower case wherever the sentence puts it; a side's capital stays
    ("Officials in Brussels said that prices rose.", (True, "officials in Brussels")),
    ("Prices rose, officials in Brussels said.", (True, "officials in Brussels")),
    ('Officials in Brussels said: "Prices rose."', (True, "officials in Brussels")),   # was "Brussels"
    ("Residents of Kharkiv said the power was out.", (True, "residents of Kharkiv")),
    ("Sources close to the Kremlin said that prices rose.", (True, "sources close to the Kremlin")),
    ("Western officials said that prices rose.", (True, "Western officials")),
    ("Economist Paul Krugman wrote that prices rose.", (True, "Economist Paul Krugman")),
    # a place of several words, in every position
    ("Officials in New York said that prices rose.", (True, "officials in New York")),
    ('"Prices rose," officials in New York said.', (True, "officials in New York")),
    ('"Prices rose," said officials in New York.', (True, "officials in New York")),
    ("Prices rose, according to officials in New York.", (True, "officials in New York")),
])
def test_a_group_s_name_is_written_one_way_wherever_it_stands(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # "said", a bare noun and a verb in the past: reported speech, as "..., analysts in Kyiv said" is
    ("Analysts in Kyiv said prices rose again.", (True, "analysts in Kyiv")),
    ("Prices rose again, analysts in Kyiv said.", (True, "analysts in Kyiv")),
    ("Officials said food prices rose sharply.", (True, None)),
    ("Kremlin officials said troops withdrew overnight.", (True, "Kremlin officials")),
    ("The governor said ten people died.", (True, None)),
    ("Ukraine said talks went well.", (True, "Ukraine")),
    # what one says, a question word, a verb in -eed: the writer's narrative
    ("Troops in Kyiv said goodbye to their families.", (False, None)),
    ("The villagers said farewell to the troops who left.", (False, None)),
    ("The priest said mass attended by hundreds.", (False, None)),
    ("The soldiers said prayers before dawn.", (False, None)),
    ("Its vectors say which encoder made them.", (False, None)),
    ("The leaders say independent inspectors need to visit.", (False, None)),
])
def test_said_a_bare_noun_and_a_past_verb_reports_speech(sentence, expected):
    assert attributed_speaker(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "The soldier said goodnight and left.",
    "Hillary Clinton said bye and walked away.",
    "The captain said enough and turned back.",
    "The sergeant said bye then left.",
])
def test_said_a_word_and_then_an_act_is_narrative(sentence):
    # "said X and VERBed" tells what one said and then did, not a clause's subject and its verb
    assert attributed_speaker(sentence) == (False, None)


def test_an_organisation_named_for_a_cause_keeps_its_capital():
    # "Witnesses for Peace" is a proper name, not a group of witnesses in a place
    assert attributed_speaker("Witnesses for Peace said that it was wrong.") == (True, "Witnesses for Peace")


@pytest.mark.timeout(60)
def test_names_listed_before_a_quotation_are_read_in_time_linear_in_the_sentence() -> None:
    sentence = "Aa, " * 8000 + 'Bb said: "We will not negotiate."'   # 32 KB with no stop: a list from each name
    started = time.process_time()
    attributed_speaker(sentence)
    assert time.process_time() - started < 2.0
    assert attributed_speaker('Moscow, Kyiv and Minsk said: "We will not negotiate."') == (True, "Moscow, Kyiv and Minsk")


@pytest.mark.timeout(60)
def test_a_possessive_lead_in_is_read_in_time_linear_in_the_sentence() -> None:
    sentence = "In The " * 8000 + 'X, "We will not negotiate."'   # 56 KB: whose words, sought from every "In"
    started = time.process_time()
    attributed_speaker(sentence)
    assert time.process_time() - started < 2.0
    assert attributed_speaker('In Lavrov\'s words, "We will not negotiate."') == (True, "Lavrov")


@pytest.mark.parametrize("sentence, expected", [
    ("The Economist magazine said that the plan fails.", "Economist magazine"),
    ("The Observer newspaper said that talks stalled.", "Observer newspaper"),
    ("Insider magazine said that the deal fell through.", "Insider magazine"),
    ("Representative in Congress Jim Banks said that it failed.", "Representative in Congress Jim Banks"),
    ("Residents of Kharkiv said that the shelling went on.", "residents of Kharkiv"),   # a group: lower case
])
def test_a_singular_group_noun_opening_a_title_keeps_its_capital(sentence, expected):
    # "The Economist", "Insider": a publication's name, never lower-cased as "officials in Brussels" is
    assert attributed_speaker(sentence) == (True, expected)


@pytest.mark.parametrize("sentence", [
    "Needless to say prices rose.",
    "Needless to say the plan failed.",
    "Suffice it to say things changed.",
    "Let's say prices doubled.",
    "Let us say the talks fail.",
    "Safe to say the deal collapsed.",
])
def test_to_say_and_lets_say_are_the_writers_idiom(sentence):
    # no one speaks in "Needless to say ...": the words before "say" are no speaker's name
    assert attributed_speaker(sentence) == (False, None)
