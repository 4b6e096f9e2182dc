"""A cue the writer only mentions, in a short quotation, is not the writer's framing (models.labellers.mentions)."""

from __future__ import annotations

import pytest

from models.labellers import (APOSTROPHES, CueMatcher, apply_labellers, build_labellers, cue_group_labeller,
                              mentions)
from models.schemes import load_scheme


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("kremlin_framing")


@pytest.fixture(scope="module")
def cues(scheme):
    """The scheme's `cues` labellers by label: ``votes(text)`` lists the labels whose cues vote."""
    labellers = [lab for lab in build_labellers(scheme) if lab.name.startswith("cues:")]
    return lambda text: [lab.name.split(":", 1)[1] for lab in labellers if lab({"text": text})]


def quoted(text: str) -> list[str]:
    text = text.translate(APOSTROPHES)
    return [text[s:e] for s, e in mentions(text)]


def test_mentions_finds_short_quotations_in_every_kind_of_quotation_mark():
    assert quoted('He called the claim "a provocation." on Monday') == ["a provocation."]
    assert quoted("He called the claim \u201ca provocation\u201d on Monday") == ["a provocation"]
    assert quoted("He called the claim \u2018a provocation\u2019 on Monday") == ["a provocation"]
    assert quoted("He called the claim 'a provocation' on Monday") == ["a provocation"]
    assert quoted("He called the claim \u00aba provocation\u00bb on Monday") == ["a provocation"]
    assert quoted("He called the claim \u201ea provocation\u201c on Monday") == ["a provocation"]
    assert quoted('They said "one" and "two" in the end') == ["one", "two"]


def test_a_line_of_many_apostrophes_is_read_in_linear_time():
    import time

    line = " 'a" * 16000   # 48 KB: the unbounded span had taken 7-10 s here
    began = time.process_time()
    assert quoted(line) == [] or all(len(q) <= 300 for q in quoted(line))
    assert time.process_time() - began < 2.0


def test_apostrophes_open_or_close_no_quotation():
    assert quoted("Ukraine's military and Guterres' spokesman met Russia\u2019s envoy today") == []
    # The apostrophe inside a quotation does not close it; the one after "Guterres" closes nothing.
    assert quoted("Ukraine\u2019s army said \u2018we\u2019ll hold\u2019 the town, Guterres\u2019 aide says") == ["we'll hold"]
    # A straight quote after a comma closes (the tail of a quotation split off), so the next one opens.
    assert quoted('They will pay," he said, calling it "a provocation" on Monday.') == ["a provocation"]


def test_a_long_quotation_or_one_that_is_most_of_the_sentence_is_a_statement_not_a_mention():
    assert quoted('"The Kiev regime and its NATO handlers bear full responsibility."') == []
    assert quoted('"Kiev regime provocation," he said.') == []  # 3 words quoted, 2 around them
    assert quoted('The minister said the attack was "a deliberate act of terrorism against civilians" today, '
                  'on the record') == []  # 8 words quoted
    assert quoted('"This is terrorism carried out with Western weapons," Kremlin spokesman Dmitry Peskov said.') == []
    assert quoted("No quotation marks at all here") == []


def test_a_cue_only_mentioned_in_a_short_quotation_does_not_vote(cues):
    assert cues("Ukraine's military said it had not targeted the station and called the claim "
                '"a provocation."') == []
    assert cues('The leaked invoices, however, list payments for "content support of new regions", '
                "a term Russian officials use for the annexed territories.") == ["independent_reporting"]
    assert cues("John Doe was detained in early May and charged with \u201cmercenary activities\u201d by "
                "separatists.") == ["independent_reporting"]
    assert cues("Russia\u2019s \u00abSMO\u00bb goals, as the Kremlin put it, were not met.") == []  # an acronym cue


def test_a_cue_used_by_the_writer_or_the_quoted_speaker_still_votes(cues):
    assert cues('"The Kiev regime and its NATO handlers bear full responsibility."') == ["kremlin_framing"]
    assert cues("Ukraine's military said the provocation failed on Monday.") == ["kremlin_framing"]
    # Used outside the quotation as well as mentioned inside it.
    assert cues('The Kiev regime, which Moscow calls "the Kiev regime", keeps shelling the city.') == ["kremlin_framing"]
    # A short quotation that is most of a headline is the speaker's framing.
    assert cues('"Kiev regime provocation," Lavrov says') == ["kremlin_framing"]


def test_so_called_before_a_quoted_cue_is_a_mention_and_before_other_words_a_cue(cues):
    assert cues("Russia's so-called \"special military operation\" entered its third year on Monday.") == []
    assert cues("Russia's so-called \u201cSMO\u201d entered its third year on Monday.") == []
    assert cues("Russia's so-called special military operation entered its third year.") == ["kremlin_framing"]
    assert cues("The so-called \u201cBucha massacre\u201d was staged, the ministry said on Monday.") == ["kremlin_framing"]


def test_the_matcher_skips_mentions_only_when_asked_and_cue_groups_but_the_spelling_keep_them():
    text = 'Moscow calls the town "liberated" in every statement it issues.'
    assert CueMatcher(["liberated"]).search(text)
    assert not CueMatcher(["liberated"], skip_mentions=True).search(text)
    assert CueMatcher(["liberated"], skip_mentions=True).search(text.replace('"', ""))
    spellings = {"kremlin_framing": ["Kiev"], "independent_reporting": ["Kyiv"]}
    kiev = cue_group_labeller("kiev_spelling", spellings, 0.9)
    # an exile outlet quoting the Kremlin's phrase does not write "Kiev" itself
    assert kiev({"text": 'The Kremlin again blamed the so-called "Kiev regime" for the strike.'}) is None
    assert kiev({"text": "The Kiev regime shelled Donetsk again, the ministry said."}) == "kremlin_framing"
    other = cue_group_labeller("transliteration", {"kremlin_framing": ["Kiev"], "independent_reporting": ["Kyiv"]}, 0.9)
    assert other({"text": 'The Kremlin again blamed the so-called "Kiev regime" for the strike.'}) == "kremlin_framing"


def test_the_label_matrix_has_no_vote_for_a_mentioned_cue(scheme):
    labellers = build_labellers(scheme)
    column = [lab.name for lab in labellers].index("cues:kremlin_framing")
    rows = [{"text": 'Kyiv officials called the claim "a provocation" on Monday evening.'},
            {"text": "Kyiv officials said the provocation failed on Monday evening."}]
    matrix = apply_labellers(labellers, rows, scheme)
    assert matrix[0, column] == -1
    assert matrix[1, column] == scheme.index("kremlin_framing")
