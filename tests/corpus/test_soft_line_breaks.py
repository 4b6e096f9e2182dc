"""A sentence runs across a soft line break inside a paragraph: a hard-wrapped quotation (``> ``) and a
line that stops where no sentence can ("... said President\\nZelensky"), whatever the next line starts
with. A blank line or a new block (heading, list item, rule, another quotation depth, a turn label
such as ``Q:``, ``**A:**`` or ``John Smith:``) still ends it. Offsets stay exact."""

from __future__ import annotations

import pytest

from corpus.extraction import extract_claims
from corpus.records import INTERVIEWEE, INTERVIEWER, Document
from corpus.sentences import split_paragraphs, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def paragraphs(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraphs(text)]


def claims(text: str, path: str = "story.md") -> list:
    found = extract_claims(Document("d", text, path=path))
    assert all(text[c.start:c.end] == c.text for c in found)
    assert all(text[c.context_start:c.context_start + len(c.context)] == c.context for c in found)
    return found


@pytest.mark.parametrize("text", [
    "> The minister said the\n> grid would hold.",
    "> The energy minister told reporters in Kyiv on Monday that the\n> Kremlin had hit three substations.",
    "> > The envoy told reporters in Geneva that the talks with the\n> > Russian side had failed.",
    # a lazy continuation line (no marker) in lower case still belongs to the quotation
    "> The energy minister told reporters in Kyiv on Monday that the\ngrid would hold.",
])
def test_a_hard_wrapped_quotation_is_one_sentence(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    "The talks in Istanbul ended without a deal on Monday, said President\nZelensky, who blamed Moscow.",
    "The talks in Istanbul ended without a deal on Monday, according to Mr.\nYermak, his chief of staff.",
    "The talks in Istanbul ended without a deal, he told reporters after his talks with Prime Minister\nShmyhal.",
    "Officials in Kyiv, Kharkiv, Dnipro, Zaporizhzhia, Mykolaiv, Kherson,\nOdesa and Lviv said the grid held.",
    "The minister said on Monday that the grid would hold through the winter and that the\nKremlin had failed.",
    # QA: a two-line paragraph broken after "since", "until" or "during" was split in two
    "Russian officials have repeatedly said that the sanctions imposed since\nFebruary have had no effect.",
    "The minister said the curfew in the city would stay in force at least until\nMonday, officials said.",
    "Three people were killed and eleven wounded in the shelling of Kherson during\nSunday's church service.",
    # QA: an abbreviation a number follows ends the line, the number opens the next: one sentence, as on one line
    "The figures were published by the Ministry of Defence of Ukraine on Jan.\n5, two days after the strikes.",
    "The Security Council said the sanctions imposed under resolution No.\n2231 would remain in force.",
    "NATO leaders discussed how to apply Art.\n5 of the Washington Treaty to attacks on undersea cables.",
])
def test_a_line_stopping_mid_sentence_runs_on_before_a_capital(text: str) -> None:
    assert sentences(text) == [text]
    assert paragraphs(text) == [text]


@pytest.mark.parametrize("text", [
    # a headline, a title ending in a title word, a "..., X says" headline: a line of its own
    "Grid operator warns of winter shortfall as strikes hit the east\nKYIV (Reuters) - The operator said so.",
    "Zelensky meets Polish Prime Minister in Warsaw to discuss the grain\nWarsaw (Reuters) - The leaders met.",
    "Russia will win the war against the West in the end, Putin says\nMOSCOW (Reuters) - Putin said so.",
    "Zelensky dismisses the army's Commander in Chief\nKYIV (Reuters) - The president said so on Monday.",
    "Zelensky sacks the deputy chief of staff of his Defence Minister\nKYIV (Reuters) - The president said so.",
    # a short line is no wrapped one: a section title ending in a preposition, a greeting
    "What we stand for\nWe are an independent think tank.",
    "Dear colleagues,\nThank you for coming.",
    "The shop is on the corner of Main St.\nThe owner said it was closed.",
    "The strikes hit three thermal power plants in the east of the country overnight.\n25 people were killed.",
])
def test_a_line_that_may_end_is_not_joined_to_a_capital(text: str) -> None:
    assert paragraphs(text) == text.split("\n")


@pytest.mark.parametrize("after", [
    "Q: Why did they fail?", "**Q:** Why did they fail?", "__A:__ Nobody wanted a deal.",
    "**Interviewer:** Why did they fail?", "Olga Reznik: Why did they fail?", "PESKOV: They did not.",
    "WOLF BLITZER, CNN ANCHOR: Thank you.", "DMITRY PESKOV, KREMLIN SPOKESMAN (through translator): No.",
    "## Why they failed", "- Nobody wanted a deal.", "1. Nobody wanted a deal.", "* * *", "***", "---", "___",
    "=====", "> > The envoy disagreed.", "> - Nobody wanted a deal.",
])
def test_a_new_block_ends_the_line_before(after: str) -> None:
    line = "The minister said on Monday that the talks in Istanbul had failed because of the"
    for text in (f"{line}\n{after}", f"> {line}\n{after}"):
        assert paragraphs(text)[-1] == after, text


def test_a_quotation_s_own_blank_line_ends_its_paragraph() -> None:
    text = "> The minister said the grid would hold, and the talks in Istanbul\n>\n> Next paragraph of the quote."
    assert paragraphs(text) == text.split("\n")


def test_a_markdown_claim_spanning_a_quotation_s_lines_keeps_its_markers_inside_and_exact_offsets() -> None:
    text = ("The ministry published a statement on Monday.\n\n"
            "> The energy minister told reporters in Kyiv on Monday that the\n"
            "> Kremlin had hit three substations overnight. Repairs will take weeks.\n")
    found = claims(text)
    assert [c.text for c in found] == [
        "The ministry published a statement on Monday.",
        "The energy minister told reporters in Kyiv on Monday that the\n> Kremlin had hit three substations overnight.",
        "Repairs will take weeks.",
    ]
    # the opening "> " is left out (start moves past it); the quotation is one paragraph, its context
    assert text[found[1].start - 2:found[1].start] == "> "
    assert found[1].paragraph == found[2].paragraph and found[1].context.startswith("> The energy minister")
    # the same text as plain text keeps every character, and the same one sentence
    assert claims(text, "story.txt")[1].text == "> " + found[1].text


def test_a_hard_wrapped_answer_stops_at_a_bold_turn_label() -> None:
    text = ("**Q:** Are the sanctions working, in your view, after two years of\n"
            "them?\n"
            "**A:** It depends on what you expect of them, and on how long the\n"
            "Kremlin can pay for the war.\n"
            "**Q:** Thank you.\n")
    found = claims(text, "interview.md")
    assert [(c.speaker, c.text) for c in found] == [
        (INTERVIEWER, "**Q:**"),
        (INTERVIEWER, "Are the sanctions working, in your view, after two years of\nthem?"),
        (INTERVIEWEE, "**A:**"),
        (INTERVIEWEE, "It depends on what you expect of them, and on how long the\nKremlin can pay for the war."),
        (INTERVIEWER, "**Q:**"),
        (INTERVIEWER, "Thank you."),
    ]
    assert {c.reason for c in found if c.text.startswith("**")} == {"speaker_marker"}


def test_a_list_item_goes_on_in_the_indented_line_under_it() -> None:
    text = ("- The ministry said its forces had destroyed eleven Ukrainian\n"
            "  Drones over the region.\n"
            "- Kyiv said it had lost two.\n"
            "  Nobody could check the figures.\n"   # after a full stop an indented line is a sentence of its own
            "1. The governor said the strikes had hit\n"
            "   Belgorod and Kursk overnight.\n"
            "  - A nested item is an item of its own\n")
    assert paragraphs(text) == [
        "- The ministry said its forces had destroyed eleven Ukrainian\n  Drones over the region.",
        "- Kyiv said it had lost two.", "Nobody could check the figures.",
        "1. The governor said the strikes had hit\n   Belgorod and Kursk overnight.",
        "- A nested item is an item of its own"]
    assert [c.text for c in claims(text)][0] == "The ministry said its forces had destroyed eleven Ukrainian\n  Drones over the region."
    # an indented line under a line that is no item is not taken for a continuation
    plain = "The ministry said its forces had destroyed eleven Ukrainian\n  Drones were also shot down."
    assert paragraphs(plain) == ["The ministry said its forces had destroyed eleven Ukrainian", "Drones were also shot down."]


@pytest.mark.parametrize("path", ["reply.txt", "reply.md"])
def test_a_quotation_s_blank_line_is_filler_not_a_fragment(path: str) -> None:
    # QA: an e-mail reply's '>' and '>>' lines (a quotation's blank lines) were rows of their own
    # flagged 'fragment', sent by --scope all, and taken into a neighbour's context
    text = ("> The ministry said on Monday that the grid had been restored.\n>\n"
            ">> The spokesman said forty missiles were fired.\n>>\n> Thanks, got it.\n")
    found = claims(text, path)
    marks = [c for c in found if not text[c.start:c.end].strip("> ")]
    assert [text[c.start:c.end].strip() for c in marks] == [">", ">>"] or [c.text for c in marks] == [">", ">"]
    assert all(c.reason == "filler" and not c.is_claim for c in marks)
    last = found[-1]
    assert last.text.endswith("Thanks, got it.") and ">>\n" not in last.context


@pytest.mark.parametrize("text", [
    # a line of any length stopping where neither a sentence nor a heading can, over a line opening with a name
    "The minister met with\nSergei Lavrov on Monday.",
    "Officials said\nKyiv would respond.",
    "The talks failed, said President\nZelensky.",
    "On Monday, officials said\nKyiv would respond.",
    "The envoy told\nReuters the talks had failed.",
    "Talks between\nUkraine and Russia ended on Friday.",
    "The minister met with\nNATO officials in Brussels.",
    "Russia and the\nWest disagree.",
    "> The minister met with\n> Sergei Lavrov on Monday.",
    "Speaking to reporters in Brussels on Monday, officials said\nKyiv would respond.",
    # a narrow column (no wrap width shows at under 55 characters): each line runs on to the name under it
    "The minister met with\nSergei Lavrov in\nGeneva, officials said.",
])
def test_a_line_stopping_where_nothing_ends_runs_on_to_a_name(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # a heading over its paragraph: a stranded preposition or verb after a wh-word or "to", Title Case
    "What we stand for\nAmnesty International believes in rights.",
    "Who We Work With\nAmnesty International and others.",
    "What Putin said\nVladimir Putin spoke for two hours.",
    "Nothing to worry about\nKyiv says the grid will hold.",
    # a headline over its story: "..., X said/says", a dateline
    "Russia will respond, Peskov said\nDmitry Peskov told reporters so on Monday.",
    "Kyiv will never surrender, Zelensky says\nVolodymyr Zelensky spoke on Monday.",
    "Officials said\nMOSCOW (Reuters) - The talks failed.",
    "Officials said\nKYIV, Ukraine (AP) - The talks failed.",
    # the next line opens a sentence, not a name: a word that starts one, a number
    "The minister met with\nThe press said nothing.",
    "Who we work with\nAfter the war we began again.",
    "Officials said\n25 people were killed.",
    # a greeting or signature, a byline's one word, an address, a turn label, a list item, short lines
    "Best regards,\nOlga Reznik",
    "By\nOlga Reznik",
    "Olga Reznik\nHead of Press",
    "Embassy of Ukraine\n12 Main Street",
    "Officials said\nOlga Reznik: The talks failed.",
    "Q: Who did you meet with\nA: Sergei Lavrov.",
    "- Meeting with\nSergei Lavrov",
    "Roses are red\nViolets are blue",
    "Why I love her\nAmnesty says.",
    # columns: a table's rows without pipes or with them, a manual's tab-aligned list
    "Region\tDead of\nKursk\t5",
    "Kursk | 2 dead of\nBelgorod | 1",
    "Token.Keyword        from\nIdentifier           users",
])
def test_a_line_before_a_capital_stays_apart_where_a_line_may_end(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


def test_a_line_run_on_to_a_name_is_one_claim() -> None:
    # split in two, "Officials said" was a heading and the claim lost who said it
    text = "The grid held.\n\nOfficials said\nKyiv had lost 40 percent of its power plants since October.\n"
    found = claims(text, "story.txt")
    assert [(c.text, c.is_claim, c.reason) for c in found] == [
        ("The grid held.", False, "not_checkworthy"),
        ("Officials said\nKyiv had lost 40 percent of its power plants since October.", True, "claim")]
    assert found[1].context == text.strip()


@pytest.mark.parametrize("text", [
    # a title after a word a sentence may end in, over a name the sentence goes on after
    "The foreign minister met Prime Minister\nShmyhal on Monday to discuss the grid.",
    "Zelensky met Prime Minister\nShmyhal, who stayed in Kyiv.",
    "The foreign minister met Prime Minister\nDenys Shmyhal on Monday.",
    "The foreign minister met Prime Minister\nShmyhal.",
    # a short line ending in "Mr.", "Dr.", "Gen." or an initial over a name
    "The deal was signed by Mr.\nSmith on Monday.",
    "He spoke to Dr.\nHouse yesterday.",
    "The army is led by Gen.\nSyrskyi.",
    "Surely you're joking, Mr.\nFeynman!",
    "The envoy met George W.\nBush in Texas.",
    # a short line ending in a comma after a name, over the list's next name
    "Officials in Kyiv,\nOdesa and Lviv said the grid held.",
    # a number or a lower-case word after a short line that stops where no sentence can
    "The death toll rose to\n12 on Monday.",
    "Officials said\nthe grid held.",
    "The strike killed\n12 people in Kharkiv.",
    "Russian shelling has killed\n3,000 civilians since March.",
    "Russia and\nthe West disagree.",
    # a lower-case word after "e.g." or "i.e."
    "Some attacks (e.g.\ndrone strikes) were not reported.",
    # Russian and Ukrainian: after a preposition or a conjunction, whatever opens the next line; an abbreviation
    "Министр встретился с\nСергеем Лавровым в понедельник.",
    "Министр заявил, что\nКиев ответит.",
    "Удар по\n12 объектам энергосистемы.",
    "Об этом заявил\nДмитрий Песков.",
    "Прем'єр-міністр зустрівся з\nДенисом Шмигалем.",
    "В 2022 г.\nвойска вошли в город.",
    "Это, т.е.\nпо сути, отказ.",
    "Улица им.\nГорького закрыта.",
    "Президент В. В.\nПутин заявил об этом.",
])
def test_a_line_stopping_where_nothing_ends_runs_on_to_what_goes_on(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # a headline ending in a title over a story opening with a name and a verb, or a dateline
    "Zelensky sacks his Defence Minister\nReznikov was dismissed on Monday.",
    "Zelensky meets Polish Prime Minister\nWarsaw (Reuters) - The leaders met.",
    "Kyiv mourns its Prime Minister\nShmyhal said nothing.",
    "Zelensky sacks his Defence Minister\nOleksii Reznikov was dismissed on Monday.",
    # a short line that may end, over a name, a number or a sentence
    "The talks were held in Geneva\nMonday.",
    "Three people were killed\n12 people were wounded.",
    "Officials said\n25 people were killed.",
    "The shop is on Main St.\nKyiv said it was closed.",
    "He fled to the U.S.\nThe minister said so.",
    "He fought in World War I.\nWalt Disney was born in Chicago.",
    "Plans by Inc.\nryukyu",
    # greetings, closings, addresses and references: a comma over a name that does not go on in a list
    "Dear Mr. Smith,\nWelcome to the conference.",
    "Best regards,\nOlga Reznik",
    "Unit 6, 116 Woodburn Road,\nBerala, NSW, 2141,",
    "Corrado, G. S.,\nDavis, A.,",
    "Dear colleagues,\nThank you and goodbye.",
    # code: no prose line under the function word
    "// or\nclient.dispatch(opts)",
    "echo a\nendfor",
    # Russian: a line that may end, over a capital
    "Это произошло в 2022 г.\nВ Москве было тихо.",
    "МОСКВА, 12 марта\nПесков заявил об этом.",
])
def test_a_line_that_may_end_stays_apart_from_the_next(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


@pytest.mark.parametrize("text", [
    # QA: a Russian or Ukrainian title, in lower case, over the name it goes with
    "Министр иностранных дел встретился с премьер-министром\nШмыгалем в понедельник.",
    "Об этом сообщил президент\nЗеленский, выступая в Раде.",
    "Украинский президент\nЗеленский заявил, что Киев ответит.",
    "Как заявил пресс-секретарь\nДмитрий Песков, переговоры продолжатся.",
    "Об этом сообщил глава\nМИД Сергей Лавров.",
    "Зеленский уволил министра\nРезникова в понедельник.",
    "Президент України зустрівся з прем'єр-міністром\nШмигалем у понеділок.",
    # a verb in the past over a count (the count after the verb: its subject)
    "В результате удара по Харькову погибли\n12 человек.",
    "По данным ГСЧС, в результате обстрела погибли\n1 200 человек.",
    "Внаслідок удару по Харкову загинули\n12 людей.",
    "Силы ПВО за ночь сбили\n25 беспилотников.",
])
def test_a_russian_title_or_verb_runs_on_to_its_name_or_count(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # a title over a name that opens a sentence of its own, a word that opens sentences, a line of one word
    "Зеленский уволил министра\nРезников ушел в отставку.",
    "Зеленський звільнив міністра\nРезніков пішов у відставку.",
    "Об этом заявил президент\nВ понедельник он уехал в Варшаву.",
    "Президент\nЗеленский заявил об этом.",
    # a verb whose subject came first (a count or a number before it), a line of two words
    "Три человека погибли\n12 человек ранены.",
    "В Харькове 3 человека погибли\n12 ранены.",
    "Число погибших\n12 человек.",
])
def test_a_russian_title_or_verb_stays_apart_where_a_line_may_end(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


@pytest.mark.parametrize("text", [
    # QA: a title and its complement in the genitive end the line (the body, the country, the ministry's field), over
    # the name the sentence goes on after (a full stop, a comma, a preposition)
    "Об этом заявил пресс-секретарь Кремля\nДмитрий Песков.",
    "Как заявил пресс-секретарь Кремля\nДмитрий Песков, переговоры продолжатся.",
    "Об этом сообщил глава МИД России\nСергей Лавров в понедельник.",
    "Об этом заявил министр иностранных дел\nСергей Лавров.",
    "Зеленский уволил министра обороны\nРезникова в понедельник.",
    "Как сообщил глава Офиса президента Украины\nАндрей Ермак, переговоры продолжатся.",
    "Про це заявив речник Повітряних сил\nЮрій Ігнат.",
    "Як зазначив міністр закордонних справ\nДмитро Кулеба, Київ не погодиться.",
])
def test_a_russian_title_and_its_complement_run_on_to_the_name(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # the name opens a sentence of its own (a verb after it), or a word that opens sentences does
    "Зеленский уволил министра обороны\nРезников ушел в отставку.",
    "Об этом заявил пресс-секретарь Кремля\nВ понедельник он уехал в Минск.",
    # the title opens the line: a caption or a signature over the name
    "Пресс-секретарь Кремля\nДмитрий Песков.",
    "Министр обороны\nСергей Шойгу",
    # not a complement: a name in the nominative, an adverb, two names ("Мария Захарова"), a line ending a sentence
    "Переговоры продолжатся, заявил президент Зеленский\nРоссия готова к ним.",
    "Об этом заявил президент сегодня\nЗеленский, выступая в Раде.",
    "Об этом заявила представитель МИД Мария Захарова\nРоссия ответит.",
    "Об этом заявил пресс-секретарь Кремля.\nДмитрий Песков, однако, ничего не сказал.",
])
def test_a_russian_title_and_its_complement_stay_apart_where_a_line_may_end(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


@pytest.mark.parametrize("text", [
    # QA: a line of two words, a verb in the past at its end, over a count (kept apart before as too short to tell)
    "Удар убил\n12 человек.",
    "Ракеты убили\n12 мирных жителей.",
    "Ракета вбила\n12 людей.",
    "ПВО сбили\n25 беспилотников за ночь.",
    # the last line of a paragraph already run together
    "Как сообщили спасатели, в результате\nудара погибли\n12 человек.",
])
def test_a_russian_line_of_two_words_runs_on_to_a_count(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # a heading's form (a question word first), a count before the verb, no verb, one word, a line ending a sentence
    "Что произошло\n24 февраля 2022 года Россия напала на Украину.",
    "Россия ответила\n24 февраля 2022 года войска вошли в Харьков.",
    "Итоги недели\n12 человек погибли за неделю.",
    "Що сталося\n24 лютого 2022 року Росія напала на Україну.",
    "Трое погибли\n12 ранены.",
    "Люди погибли\n12 человек ранены.",
    "Число погибших\n12 человек.",
    "Погибли\n12 человек.",
    "Удар убил 12 человек.\n12 ранены.",
])
def test_a_russian_line_of_two_words_stays_apart_where_it_may_end(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


@pytest.mark.parametrize("text", [
    # QA: a Ukrainian verb in the past in the masculine ends in "в" (втратив, знищив, випустив, вбив), not "л"
    "За добу ворог втратив\n1 200 осіб.",
    "Внаслідок удару ворог знищив\n12 будинків.",
    "Вночі противник випустив\n40 ракет по Києву.",
    "Удар вбив\n12 людей.",
    # a Russian gerund of the same form takes its object too
    "Противник отступил, потеряв\n1 200 человек.",
])
def test_a_ukrainian_verb_in_v_runs_on_to_a_count(text: str) -> None:
    assert paragraphs(text) == [text]
    assert sentences(text) == [text]


@pytest.mark.parametrize("text", [
    # a speech verb over a count opens a sentence ("Officials said" over "25 people were killed."), a count came
    # before the verb, a date under the line (a headline's lead), a noun in "в" (держав, справ), "ов", "ів"
    "Генштаб повідомив\n25 людей загинули.",
    "Один загинув\n12 поранені.",
    "Ворог атакував енергосистему\n12 березня 2024 року ракети влучили в Київ.",
    "Саміт лідерів держав\n12 країн підписали заяву.",
    "Рада у справах\n12 членів проголосували.",
    "Список учасників\n12 країн підписали заяву.",
    "Список будинків\n12 зруйновано.",
    "Удар вбив 12 людей.\n12 поранені.",
])
def test_a_ukrainian_word_in_v_stays_apart_where_a_line_may_end(text: str) -> None:
    assert paragraphs(text) == [line.strip() for line in text.split("\n")]


def test_a_plain_text_heading_between_rule_lines_is_a_heading() -> None:
    text = ("The grid held after the strikes on Monday.\n\n" + "=" * 32 + "\nWhy the talks in Istanbul failed\n"
            + "=" * 32 + "\n\nThe talks in Istanbul failed on Monday, officials said.\n")
    found = claims(text, "story.txt")
    heading = [c for c in found if c.text == "Why the talks in Istanbul failed"]
    assert [(c.is_claim, c.reason, c.context) for c in heading] == [(False, "heading", "Why the talks in Istanbul failed")]
    assert found[-1].context == "The talks in Istanbul failed on Monday, officials said."


@pytest.mark.parametrize("rule", ["-" * 32, "=" * 32, "---", "- - - - -"])
@pytest.mark.parametrize("before", ["", "The grid held.\n\n"])
def test_a_plain_text_line_alone_under_a_rule_is_a_heading(rule: str, before: str) -> None:
    # QA: a section title under a rule line, with no underline of its own, was a statement (not_checkworthy)
    # taken into the next paragraph's context
    text = f"{before}{rule}\nWhy the talks in Istanbul failed\n\nThe talks in Istanbul failed on Monday, officials said.\n"
    found = claims(text, "story.txt")
    heading = [c for c in found if c.text == "Why the talks in Istanbul failed"]
    assert [(c.is_claim, c.reason, c.context) for c in heading] == [(False, "heading", "Why the talks in Istanbul failed")]
    assert found[-1].context == "The talks in Istanbul failed on Monday, officials said."
    # at the text's end too
    assert claims(f"{before}{rule}\nWhy the talks in Istanbul failed\n", "story.txt")[-1].reason == "heading"


@pytest.mark.parametrize("text", [
    # a paragraph's line and a rule over a rule line too long to be its underline
    "The grid held.\n" + "-" * 32 + "\nThe talks in Istanbul failed, officials said\n" + "-" * 72 + "\n\nThe end.\n",
    # the rule is the underline of a paragraph's last line above it
    "The talks in Istanbul failed on Monday.\n" + "-" * 39 + "\nWhy the talks in Istanbul failed\n\nThe end.\n",
    # prose goes on under the line; a sentence; a story's scene break; an e-mail's signature mark
    "The grid held.\n\n" + "-" * 32 + "\nWhy the talks in Istanbul failed\nThe talks failed, officials said.\n",
    "The grid held.\n\n" + "-" * 32 + "\nThe talks in Istanbul failed on Monday.\n\nThe end.\n",
    "The grid held.\n\n* * *\nThe next morning the delegation left Moscow\n\nThe end.\n",
    "The grid held.\n\n-- \nsent from my phone\n",
    # a list item or a quotation under a rule
    "The grid held.\n\n" + "-" * 32 + "\n- Why the talks in Istanbul failed\n\nThe end.\n",
    "The grid held.\n\n" + "-" * 32 + "\n> Why the talks in Istanbul failed\n\nThe end.\n",
])
def test_a_line_under_a_rule_without_its_own_underline_is_no_heading(text: str) -> None:
    assert not [c for c in claims(text, "story.txt") if c.reason == "heading"]


def test_a_line_under_a_heading_s_underline_is_no_heading() -> None:
    # the rule is the underline of the heading above it; the line under it is its section's first
    text = "The talks in Istanbul\n" + "-" * 21 + "\nWhy the talks in Istanbul failed\n\nThe end.\n"
    assert [c.text for c in claims(text, "story.txt") if c.reason == "heading"] == ["The talks in Istanbul"]


def test_a_markdown_line_under_a_thematic_break_is_no_heading() -> None:
    # Markdown writes a heading with #s or an underline: "---" over a line is a break and a paragraph
    text = "The grid held.\n\n---\nWhy the talks in Istanbul failed\n\nThe end.\n"
    assert not [c for c in claims(text, "story.md") if c.reason == "heading"]


@pytest.mark.parametrize("text", [
    # review: a heading (a noun before the title, nothing in lower case) over a lead opening with the name, a caption's
    # or a signature's deputy title, over a name that goes on; the name stays the next paragraph's
    "Заявление министра обороны\nСергей Шойгу в понедельник заявил, что армия выполнит все задачи.",
    "Позиция главы МИД России\nСергей Лавров в интервью РИА Новости назвал переговоры бесполезными.",
    "Інтерв'ю міністра закордонних справ\nДмитро Кулеба в ефірі телемарафону розповів про нові санкції.",
    "Рішення голови Верховної Ради\nРуслан Стефанчук у понеділок підписав закон.",
    "Первый заместитель министра обороны\nАндрей Картаполов, 12 мая 2024 года",
])
def test_a_heading_or_a_caption_ending_in_a_title_stays_apart_from_the_name(text: str) -> None:
    assert paragraphs(text) == text.split("\n")


def test_a_title_after_a_lower_case_word_still_runs_on_to_the_name() -> None:
    for text in ("Переговоры провел заместитель министра обороны\nАлексей Фомин, сообщили в ведомстве.",
                 "Об этом сообщил глава Минобороны\nАндрей Белоусов на коллегии ведомства."):
        assert paragraphs(text) == [text]


@pytest.mark.parametrize("text", [
    # review: a line of two words, an adjective and a noun in "ла", "ло", "ли" (a heading), over a count; a noun in "ив"
    # (a genitive plural) over a count
    "Нічні обстріли\n5 областей зазнали ударів протягом ночі.",
    "Сельская школа\n12 учеников вернулись за парты после ремонта.",
    "Российские корабли\n3 корабля Черноморского флота получили повреждения.",
    "Новое начало\n15 семей переселенцев получили жилье в Днепре.",
    "Пакет инициатив\n12 законопроектов внесено в Госдуму.",
    "Список альтернатив\n5 вариантов предложили эксперты.",
])
def test_a_heading_of_two_words_over_a_count_stays_apart(text: str) -> None:
    assert paragraphs(text) == text.split("\n")
