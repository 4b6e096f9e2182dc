"""Claim-filter reasons a fresh user found wrong: a Title Case place and date is a dateline, and a
schedule or an open question is no opinion (hand-written sentences)."""

from __future__ import annotations

import pytest

from corpus.claimfilter import classify


@pytest.mark.parametrize("line", [
    "Brussels, 10 March 2026",
    "Kyiv, 24 February",
    "Moscow, March 9, 2026 (Eastbound) -",
    "The Hague, 2026-03-10",
    "Geneva, 10.03.2026",
    "BRUSSELS, 10 March 2026",
    "DONETSK, March 14 - RIA Novosti.",   # a wire's dateline with its agency after the dash
    "DONETSK, March 14 \u2013 TASS.",
])
def test_a_place_and_a_date_alone_are_a_dateline(line: str) -> None:
    assert classify(line) == (False, "dateline")


@pytest.mark.parametrize("line, reason", [
    ("Brussels never learns.", "not_checkworthy"),
    ("Sanctions Fatigue In Brussels, Berlin And Budapest", "heading"),
    ("Prices, wages and rents rose in March 2026.", "claim"),
    ("DONETSK, March 14 - Ukrainian forces shelled the city overnight.", "claim"),
    ("KYIV, March 14 - Zelensky Resigns.", "claim"),   # a Title Case headline after the dash, not an agency
])
def test_other_lines_with_a_comma_or_a_date_are_no_dateline(line: str, reason: str) -> None:
    assert classify(line)[1] == reason


@pytest.mark.parametrize("sentence", [
    "The ministers will also discuss aid to Ukraine.",
    "Hungary has not said whether it will support the proposal.",
    "The measures will enter into force on the day after their publication.",
    "The envoy will address the council on Friday.",
    "The foreign ministers will meet on Tuesday.",
    "It is unclear if the army will hold the town.",
    "The talks will resume on Tuesday.",
    "The minister will meet his Turkish counterpart in Geneva on Friday.",
])
def test_a_schedule_or_an_open_question_is_no_opinion(sentence: str) -> None:
    assert classify(sentence) == (False, "not_checkworthy")


@pytest.mark.parametrize("sentence", [
    "We will discuss aid to Ukraine.",               # the speaker's own intention
    "The West will answer for this.",                # a threat: a view
    "Europe should discuss aid to Ukraine.",         # what ought to be
    "Frankly, the ministers will discuss nothing.",  # an opinion word beside the schedule
    # a prediction or a view with "will" in it: not a plain schedule
    "NATO will meet Russia's aggression with force.",
    "The new sanctions will take effect in a year and destroy the Russian economy.",
    "Zelensky will travel to Washington to beg for more money.",
    "History will judge whether Europe will regret this.",
    "Ukraine will sign the deal only if Russia withdraws.",
    "The summit will host the leaders who destroyed Europe's economy.",
    "The talks will resume only if Kyiv capitulates.",
    "Russia will resume strikes on Ukraine's energy grid.",   # what resumes is no schedule
])
def test_an_intention_a_threat_or_a_should_stays_an_opinion(sentence: str) -> None:
    assert classify(sentence) == (False, "opinion")
