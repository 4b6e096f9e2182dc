"""Who speaks in a news story's sentences: pronouns, characterising verbs, attributions after a
partial quotation, party tags and lead-ins (a fresh user's findings, in hand-written text)."""

from __future__ import annotations

import time

import pytest

from corpus.extraction import extract_claims
from corpus.names import clean_name
from corpus.quotations import pronoun_names
from corpus.readers import read_documents
from corpus.records import AUTHOR, QUOTED, Document
from corpus.voices import Voice, parse_byline, sentence_voice


def voices(text: str, **meta) -> list[tuple[str, str, str | None]]:
    return [(c.text, c.speaker, c.speaker_name) for c in extract_claims(Document("d", text, meta))]


def test_she_said_takes_the_person_named_in_her_paragraph_not_the_one_quoted_before() -> None:
    text = ('"Fines alone do not deter the traders," said Paul Meyer, a former customs official.\n\n'
            'Foreign Ministry spokeswoman Anna Petrova dismissed the findings as "a Western invention" '
            'on Friday. "Our exports are lawful," she said.')
    assert voices(text, author="Olga Brenner")[1:] == [
        ('Foreign Ministry spokeswoman Anna Petrova dismissed the findings as "a Western invention" on Friday.',
         QUOTED, "Anna Petrova"),
        ('"Our exports are lawful," she said.', QUOTED, "Anna Petrova")]


def test_a_person_a_role_introduces_in_the_writer_s_sentence_is_who_he_is() -> None:
    text = ('"The cap works," said Paul Meyer, a former customs official.\n\n'
            'Kremlin spokesman Dmitry Orlov arrived late for the briefing. "Nothing will change," he said.')
    rows = voices(text, author="Olga Brenner")
    assert rows[1] == ("Kremlin spokesman Dmitry Orlov arrived late for the briefing.", AUTHOR, "Olga Brenner")
    assert rows[2] == ('"Nothing will change," he said.', QUOTED, "Dmitry Orlov")
    # a surname alone is him when the document quotes him in full; a place opening a sentence is no one
    text = ('"We will not pay," said Dmitry Orlov.\n\n"The cap works," said Paul Meyer.\n\n'
            'Orlov left the room. "It is theft," he said.')
    names = [name for _, _, name in voices(text)]
    assert names == ["Dmitry Orlov", "Paul Meyer", None, "Dmitry Orlov"]
    assert [name for _, _, name in voices('In Geneva, talks went on. "They failed," she said.')] == [None, None]


def test_a_verb_that_characterises_before_a_quotation_is_speech() -> None:
    text = ('According to Orlov, the new rules "will change nothing." He called them "a sign of weakness."\n\n'
            'The posters read "robbery." Critics have called the plan "a gift to smugglers."')
    assert [(speaker, name) for _, speaker, name in voices(text)] == [
        (QUOTED, "Orlov"), (QUOTED, "Orlov"), (AUTHOR, None), (QUOTED, None)]


@pytest.mark.parametrize("sentence, expected", [
    ('Russia will answer the sanctions "in a way that hurts," Foreign Ministry spokeswoman Anna Petrova said '
     'on Monday.', (QUOTED, "Anna Petrova")),
    ('Moscow sees the region as a "safety belt," the former secretary of state said', (QUOTED, None)),
    ('Economy Minister Ivan Sokolov described the measures as "economic suicide."', (QUOTED, "Ivan Sokolov")),
    ('George Harlan once described the treaty as being like "a sieve with a lid."', (QUOTED, "George Harlan")),
    ('In a speech to the Duma in 2024, Ivan Sokolov described the cap as "a sieve."', (QUOTED, "Ivan Sokolov")),
    # not speech: a participle, a description, a relative clause, a clause before the verb, a negation
    ('A plan called "Safe Harbour" was rejected.', (AUTHOR, "Jane Roe")),
    ('The operation, called "Harbour", began in May.', (AUTHOR, "Jane Roe")),
    ('A document described as "secret" was leaked.', (AUTHOR, "Jane Roe")),
    ('The reports, which Moscow called "lies," were published in May.', (AUTHOR, "Jane Roe")),
    ('Leaked transcripts show that the minister described voters as "a basket of fools."', (AUTHOR, "Jane Roe")),
    ('The chief executive called for a boycott of the shops selling "Happy Holidays" cards.', (AUTHOR, "Jane Roe")),
    ('The Kremlin has never called the war "a war."', (AUTHOR, "Jane Roe")),
    ('Officials described the drills as routine.', (AUTHOR, "Jane Roe")),
])
def test_characterising_verbs_and_partial_quotes(sentence: str, expected: tuple) -> None:
    assert sentence_voice(sentence, Voice(AUTHOR, "Jane Roe")) == expected


def test_a_party_or_state_tag_and_a_title_are_no_part_of_a_name() -> None:
    text = ("Sen. Roger Hale (R-Miss.) said Washington should go further. "
            '"We need to hit the shadow fleet harder," he told the committee.\n\n'
            "Rep. Anna Cole (D-N.Y.) said the bill would pass.")
    assert [name for _, _, name in voices(text)] == ["Roger Hale", "Roger Hale", "Anna Cole"]
    assert clean_name("Jane Ross (R)") == "Jane Ross"
    assert clean_name("Tom Lee (I-Vt.)") == "Tom Lee"
    assert clean_name("Radio Free Europe (RFE)") == "Radio Free Europe (RFE)"   # an acronym is no party


@pytest.mark.parametrize("sentence, expected", [
    ("Three years into the war, some politicians in Berlin say the sanctions have failed.", (QUOTED, None)),
    ("Two days later, the Foreign Ministry said the talks were over.", (QUOTED, "Foreign Ministry")),
    ("Amid the protests, Ivan Sokolov said that the plan stood.", (QUOTED, "Ivan Sokolov")),
    ("With prices rising the ministry said that it would cap fuel costs.", (QUOTED, None)),
    ("Despite the sanctions Russia says its economy grew.", (QUOTED, None)),
])
def test_a_sentence_opening_phrase_is_never_a_speaker_s_name(sentence: str, expected: tuple) -> None:
    assert sentence_voice(sentence, Voice(AUTHOR, "Jane Roe")) == expected


def test_an_embedded_post_is_its_account_s_quotation(tmp_path) -> None:
    page = ("<html><head><title>Moscow answers</title></head><body><article><h1>Moscow answers</h1>"
            "<p>Russia will answer the new measures, its diplomats said on Monday.</p>"
            '<blockquote class="twitter-tweet"><p>The package is an act of economic suicide. Brussels never learns.</p>'
            "&mdash; Example Ministry (@example_mfa) <a href='https://x.com/s/1'>March 11, 2026</a></blockquote>"
            "<p>The measures take effect on Friday, officials in Brussels said.</p></article></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "page.html")])
    rows = [(c.text, c.speaker, c.speaker_name, c.reason) for c in extract_claims(doc)]
    account = "Example Ministry (@example_mfa)"
    assert rows[2:5] == [
        ("The package is an act of economic suicide.", QUOTED, account, "not_checkworthy"),
        ("Brussels never learns.", QUOTED, account, "not_checkworthy"),
        ("— Example Ministry (@example_mfa) March 11, 2026", QUOTED, account, "byline")]
    assert [row[1] for row in rows[:2] + rows[5:]] == [AUTHOR, QUOTED, QUOTED]


def test_a_dash_line_without_a_handle_is_no_post_s_signature() -> None:
    text = "The talks failed.\n— Anna Petrova, Foreign Ministry\n- Prices rose in May (see chart)."
    assert [speaker for _, speaker, _ in voices(text)] == [AUTHOR, AUTHOR, AUTHOR]


def _page(head: str, meta_line: str) -> str:
    return (f"<html><head><title>Kyiv hit by drones</title>{head}</head><body><nav><ul><li>World</li>"
            "<li>By Region</li></ul></nav><article><h1>Kyiv hit by drones</h1>"
            f"{meta_line}<p>Drones struck two districts of Kyiv overnight, damaging homes and a school, "
            "the city's military administration said on Tuesday morning.</p>"
            "<p>It was the third such attack on the capital this month.</p></article></body></html>")


def test_a_page_s_visible_byline_names_its_author_when_its_metadata_does_not(tmp_path) -> None:
    byline = '<div class="meta">By <a href="/authors/mh">Mira Holt</a> | March 11, 2026 | 4 min read</div>'
    (tmp_path / "a.html").write_text(_page("", byline), encoding="utf-8")
    (tmp_path / "b.html").write_text(_page('<meta name="author" content="Lena Vos">', byline), encoding="utf-8")
    (tmp_path / "c.html").write_text(_page("", ""), encoding="utf-8")
    docs = {d.path.rsplit("/", 1)[-1]: d for d in read_documents([str(tmp_path)])}
    assert docs["a.html"].meta["author"] == "Mira Holt" and docs["a.html"].meta["authors"] == ["Mira Holt"]
    assert docs["b.html"].meta["author"] == "Lena Vos"      # the page's metadata wins
    assert "author" not in docs["c.html"].meta             # "By Region" in the menu is no byline
    assert {(c.speaker, c.speaker_name) for c in extract_claims(docs["a.html"]) if c.speaker == AUTHOR} == {
        (AUTHOR, "Mira Holt")}


@pytest.mark.parametrize("sentence, expected", [
    ("Some politicians in Berlin and Budapest say the sanctions have failed.", (QUOTED, None)),
    ("Many Western analysts said that the cap was working.", (QUOTED, None)),
    ("Most say the war is over.", (AUTHOR, "Jane Roe")),          # a generalisation: the writer's
    ("Most of the grain went to rich European countries, not to the poorest states that need it.",
     (AUTHOR, "Jane Roe")),
])
def test_a_quantified_group_reports_speech_without_a_name(sentence: str, expected: tuple) -> None:
    assert sentence_voice(sentence, Voice(AUTHOR, "Jane Roe")) == expected


def test_a_pronoun_chain_runs_on_and_a_lone_name_reaches_only_its_paragraph() -> None:
    text = ('Maria Lind said the talks had failed.\n\nShe added that Moscow was to blame.\n\n'
            'She also said the sanctions would stay.\n\n'
            '"Supplies are normal," Sobolev said. He added that prices would rise.\n\n'
            'The report was written by Anna Petrova. "Nothing has changed," she said.\n\n'
            'Sen. Tom Reyes (R-S.C.) called the strikes "a war crime." "We must act," he said.')
    # the name reaches one paragraph past where she was named, not on along the pronouns that took it
    assert [name for _, _, name in voices(text)] == [
        "Maria Lind", "Maria Lind", None, "Sobolev", "Sobolev", None, None, "Tom Reyes", "Tom Reyes"]


def test_he_after_a_one_word_name_takes_it_only_when_it_reads_as_a_surname() -> None:
    text = ("Gas exports fell in May, Gazprom said on Monday. He added that the pipeline would reopen.\n\n"
            "Peskov said the talks had failed. He added that the sanctions were illegal.\n\n"
            "Rostov said the bridge was closed. He added that it would reopen.\n\n"
            "Zakharova told reporters the video was fake. She added that Kiev was lying.")
    assert [name for _, _, name in voices(text)] == [
        "Gazprom", None, "Peskov", "Peskov", "Rostov", None, "Zakharova", "Zakharova"]


def test_she_said_never_takes_a_victim_s_name_nor_one_a_sentence_about_someone_else_passes() -> None:
    text = ("Opposition leader Pavel Sirin was poisoned with a nerve agent in August. His wife Yulia Sirina "
            'blamed the Kremlin. "Putin ordered it," she said.\n\n'
            "Reporter Evan Gold was arrested in Perm in March. His mother, Ella Gold, has campaigned for his "
            'release. "He is innocent," she said.\n\n'
            'Activist Ivan Kotov died in prison in February. "They killed him," she said.\n\n'
            "Foreign Minister Sergei Lavrov was sharply criticised by his German counterpart. "
            '"He lies," she said.\n\n'
            "President Oleg Marko was attacked by a television host on Sunday. "
            '"He is a clown," he said on air.')
    assert [name for _, speaker, name in voices(text) if speaker == QUOTED] == [None] * 5


def test_a_pronoun_that_does_not_fit_the_name_gets_none() -> None:
    text = 'Kremlin spokesman Dmitry Orlov met reporters. "The sanctions are working," she said.'
    assert voices(text)[1] == ('"The sanctions are working," she said.', QUOTED, None)
    text = 'Foreign Ministry spokeswoman Maria Petrova met reporters. "The sanctions fail," she said.'
    assert voices(text)[1][2] == "Maria Petrova"


def test_a_possessive_is_no_speaker_s_name() -> None:
    text = ("President Putin's decree on mobilisation took effect on Wednesday. "
            '"Nobody asked us," she said outside the recruitment office.\n\n'
            "Defence Minister Shoigu's deputy was arrested in April. \"It is a purge,\" he told the BBC.")
    assert [name for _, _, name in voices(text)] == [None] * 4


def test_a_person_named_after_a_lead_in_is_the_nearest_one() -> None:
    text = ('"We need more air defence," Zelensky said on Monday. Later, Defence Minister Rustem Umerov '
            'arrived in Washington. "The talks were productive," he said.')
    assert [name for _, _, name in voices(text)] == ["Zelensky", None, "Rustem Umerov"]


def test_a_sentence_opening_with_by_and_a_day_or_month_is_no_byline(tmp_path) -> None:
    page = ("<html><head><title>Talks stall</title></head><body><article><h1>Talks stall</h1>"
            "<p>Talks ended without agreement on Friday.</p><p>By Sunday, neither side had set a date.</p>"
            "<p>Moscow insisted that any ceasefire must be preceded by a withdrawal from the four regions it claims, "
            "a demand Kyiv has repeatedly rejected as a call for capitulation dressed up as diplomacy.</p>"
            "</article></body></html>")
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Avdiivka falls\n\nBy February, the town had been almost surrounded.\n\n"
                                    "Troops left on Saturday.\n", encoding="utf-8")
    for doc in read_documents([str(tmp_path)]):
        assert "author" not in doc.meta
        assert {(c.speaker_name, c.reason == "byline") for c in extract_claims(doc) if c.speaker == AUTHOR} == {
            (None, False)}
    assert parse_byline("By Jana Kovac | March 11, 2026") == ["Jana Kovac"]
    assert parse_byline("By John Smith, with reporting by Anna Lee") == ["John Smith"]
    assert parse_byline("By Putin's order") is None


@pytest.mark.parametrize("sentence, expected", [
    # a call, a meeting called, troops called up: no speech
    ('Zelensky called Biden on Tuesday to discuss the "next steps" on air defence.', (AUTHOR, "Jane Roe")),
    ('President Macron called an emergency meeting of the "Defence Council" on Sunday.', (AUTHOR, "Jane Roe")),
    ('Putin called up 300,000 reservists in a "partial mobilisation" in September 2022.', (AUTHOR, "Jane Roe")),
    # a name given to a thing; two voices side by side
    ('The ministry dubbed the new drone "Geran-2" after it entered service.', (AUTHOR, "Jane Roe")),
    ('Kyiv terms the attacks "terrorism" while Moscow calls them "retaliation."', (AUTHOR, "Jane Roe")),
    # still characterisations
    ('Ivan Sokolov called his colleagues at the channel "soldiers of the information war" in 2012.',
     (QUOTED, "Ivan Sokolov")),
    ('Critics called the vote "a sham."', (QUOTED, None)),   # a group: speech, no name
    ('Ukrainian officials branded the vote "null and void."', (QUOTED, "Ukrainian officials")),
])
def test_a_call_a_meeting_and_a_name_given_are_no_characterisation(sentence: str, expected: tuple) -> None:
    assert sentence_voice(sentence, Voice(AUTHOR, "Jane Roe")) == expected


def test_a_sign_off_or_contributor_line_with_a_handle_is_no_embedded_post() -> None:
    text = ("The price cap was meant to cut Russia's oil revenue.\n\nEurope must close the loopholes now.\n\n"
            "— Jana Kovac (@jkovac)\n\nKyiv did not comment.\n\n"
            "— Jane Doe (@janedoe_news) contributed reporting from Kyiv.")
    assert {speaker for _, speaker, _ in voices(text, author="Jana Kovac")} == {AUTHOR}


def test_a_first_name_before_a_place_word_is_a_person_s_turn() -> None:
    text = ("WOLF BLITZER, CNN ANCHOR: Let's go to Gaza now.\n\nJABALIA CAMP: Strikes hit a school overnight.\n\n"
            "SARAH CAMP: I saw the bodies in the street myself.\n\nWOLF BLITZER, CNN ANCHOR: Thank you.")
    rows = voices(text, kind="transcript")
    assert ("I saw the bodies in the street myself.", QUOTED, "Sarah Camp") in rows
    assert [row for row in rows if row[2] == "Jabalia Camp"] == []


def test_a_body_or_someone_s_office_acting_in_between_ends_the_chain() -> None:
    text = ('Dmitry Orlov said the talks were over. The White House rejected the claim. "Nonsense," he said.\n\n'
            "Dmitry Orlov said the talks were over. Asked about the plan, Zelensky's office declined to comment. "
            '"We will see," he said.\n\n'
            'Kremlin spokesman Dmitry Orlov was asked about the strikes. "No comment," he said.')
    assert [name for _, _, name in voices(text)] == [
        "Dmitry Orlov", None, None, "Dmitry Orlov", None, None, None, "Dmitry Orlov"]


def test_another_person_of_the_same_surname_or_a_titled_name_in_between_ends_the_chain() -> None:
    text = ('"The shelling went on," Natalia Kovalenko said. Official Boris Kovalenko arrived on Monday. '
            '"We need more help," she said.\n\n'
            'Dmitry Orlov said the talks were over. He later met President Biden. "Nonsense," he said.')
    assert [name for _, _, name in voices(text)] == [
        "Natalia Kovalenko", None, None, "Dmitry Orlov", None, None]


def test_the_chain_is_read_in_time_linear_in_the_document() -> None:
    rows = []
    for i in range(6000):   # a surname index: the previous code compared every quoted name for each sentence
        rows += [(QUOTED, f"Natalia Kovalenko{i}", f'"The shelling went on," Natalia Kovalenko{i} said.', i),
                 (AUTHOR, "Jane Roe", f"Kovalenko{i} arrived in the city on Monday.", i),
                 (QUOTED, None, '"We need more help," she said.', i)]
    started = time.perf_counter()
    names = pronoun_names(rows)
    assert time.perf_counter() - started < 2.0    # about 0.1 s; the quadratic scan took 5 s
    assert names[2] == "Natalia Kovalenko0" and names[-1] == "Natalia Kovalenko5999"


def test_a_name_no_list_holds_opening_a_sentence_in_between_ends_the_chain() -> None:
    text = ('Prime Minister David Levin spoke to parliament. Hamas rejected his plan. "They will not disarm," he said.\n\n'
            'Prime Minister David Levin spoke to parliament. Russian troops shelled the border. "We will answer," he said.')
    assert [name for _, _, name in voices(text)] == [None, None, None, None, None, "David Levin"]


def test_a_pronoun_that_the_name_cannot_check_gets_no_name_after_another_person_or_pronoun() -> None:
    text = ('Dana Weiss flew to Cairo. President Abdel Karim al-Masri met her at the airport. '
            '"Egypt is vital," she said.\n\n'
            'Minister Tariq Haddad met his counterpart in Amman. "The blockade must end," she said.\n\n'
            'President Katalin Novak resigned in February. "I made a mistake," he said.')
    names = [name for _, _, name in voices(text)]
    assert names[2] is None and names[4] is None and names[6] is None
    assert "Abdel Karim" not in names


def test_called_with_an_owner_and_a_title_names_a_thing_in_the_writer_s_voice() -> None:
    rows = voices('He called his book "The Future Is Ours". Critics called the vote a "sham".')
    assert rows == [('He called his book "The Future Is Ours".', AUTHOR, None),
                    ('Critics called the vote a "sham".', QUOTED, None)]


def test_single_straight_quotes_that_can_only_be_quotation_marks_are_read_as_double_ones() -> None:
    text = ("Zakharova said: 'We will not negotiate. The West has lied.' Talks stalled.\n\n"
            "'We will not negotiate,' Shoigu said.\n\n"
            "'We will not negotiate. The West has lied,' Kremlin spokesman Dmitry Peskov told reporters.\n\n"
            "Lavrov said 'we will not negotiate'.")
    assert voices(text, author="Jane Roe") == [
        ("Zakharova said: 'We will not negotiate.", QUOTED, "Zakharova"),
        ("The West has lied.'", QUOTED, "Zakharova"),            # the rest of her quotation
        ("Talks stalled.", AUTHOR, "Jane Roe"),
        ("'We will not negotiate,' Shoigu said.", QUOTED, "Shoigu"),
        ("'We will not negotiate.", QUOTED, "Dmitry Peskov"),
        ("The West has lied,' Kremlin spokesman Dmitry Peskov told reporters.", QUOTED, "Dmitry Peskov"),
        ("Lavrov said 'we will not negotiate'.", QUOTED, "Lavrov")]


def test_apostrophes_and_single_quotes_inside_double_ones_quote_no_one() -> None:
    text = ("Russia's 'special operation' began in the '90s, and rock 'n' roll was banned.\n\n"
            "The soldiers' families, the officers' wives: 'ordinary people' paid.\n\n"
            "'Tis the season of the spokesmen's briefings.\n\n"
            "\"He told me 'no,' and left,\" Peskov said. 'Nothing more.'")
    assert voices(text, author="Jane Roe") == [
        ("Russia's 'special operation' began in the '90s, and rock 'n' roll was banned.", AUTHOR, "Jane Roe"),
        ("The soldiers' families, the officers' wives: 'ordinary people' paid.", AUTHOR, "Jane Roe"),
        ("'Tis the season of the spokesmen's briefings.", AUTHOR, "Jane Roe"),
        # a paragraph with double quotation marks keeps its single ones as they are
        ("\"He told me 'no,' and left,\" Peskov said.", QUOTED, "Peskov"),
        ("'Nothing more.'", AUTHOR, "Jane Roe")]
