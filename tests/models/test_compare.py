"""Cross-document pairs, topics, suggested relations, settings files and the compare CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from claimstance.cli import main
from corpus.errors import UserError
from models import compare as compare_mod
from models.compare import compare
from models.compare_settings import CompareSettings, load_compare_settings
from models.pairs import find_pairs, suggest_relation
from models.topics import cluster_pairs


def topic_embed(texts: list[str]) -> np.ndarray:
    """Stand-in encoder: one axis per topic word, so similarity is by hand-chosen topic."""
    axes = ["backdoor", "kaspersky", "surveillance", "weather"]
    out = np.zeros((len(texts), len(axes) + 1), dtype=np.float32)
    for i, text in enumerate(texts):
        low = text.lower()
        for j, word in enumerate(axes):
            out[i, j] = low.count(word)
        out[i, -1] = 0.3 + 0.01 * (len(text) % 7)  # a little noise shared by all
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def row(cid: str, doc: str, text: str, stance: str | None = "independent_reporting", **extra) -> dict:
    r = {"claim_id": cid, "doc_id": doc, "text": text, "is_claim": True, "prediction": stance,
         "score": 0.9, "speaker": "author", "speaker_name": None, "context": f"Before. {text} After.",
         "start": 8, "context_start": 0, "title": f"Title {doc}", "outlet": f"Outlet {doc}",
         "source_type": "state_media" if doc == "d1" else "independent"}
    r.update(extra)
    return r


ROWS = [
    row("a1", "d1", "Western software hides a backdoor for spies.", "kremlin_framing"),
    row("a2", "d1", "Kaspersky is a respected company.", "kremlin_framing"),
    row("a3", "d1", "The backdoor in the firewall is a backdoor too."),
    row("b1", "d2", "Investigators found a backdoor in the software."),
    row("b2", "d2", "Kaspersky worked with the security services."),
    row("b3", "d2", "The weather was fine.", is_claim=False),
    row("c1", "d3", "Surveillance know-how is sold abroad."),
    row("c2", "d3", "The weather in Moscow was cold."),
]


def test_pairs_are_cross_document_only_and_carry_both_claims():
    claims, pairs, clusters = compare(ROWS, topic_embed, CompareSettings(min_similarity=0.6, top_k=3))
    assert pairs, "expected pairs"
    for p in pairs:
        assert p["doc_a"] != p["doc_b"]
        assert p["similarity"] >= 0.6
    keyed = {frozenset((p["claim_a"], p["claim_b"])): p for p in pairs}
    assert frozenset(("a1", "b1")) in keyed
    assert frozenset(("a2", "b2")) in keyed
    assert frozenset(("a1", "a3")) not in keyed  # same document
    p = keyed[frozenset(("a2", "b2"))]
    side = "a" if p["claim_a"] == "a2" else "b"
    other = "b" if side == "a" else "a"
    assert p[f"text_{side}"] == "Kaspersky is a respected company."
    assert p[f"stance_{side}"] == "kremlin_framing" and p[f"stance_{other}"] == "independent_reporting"
    assert p[f"outlet_{side}"] == "Outlet d1" and p[f"source_type_{side}"] == "state_media"
    assert p[f"context_{side}"].startswith("Before. Kaspersky")
    assert p["contrasting"] is True
    assert p["suggested"] == "same_point_different_framing"
    assert len(p["pair_id"]) == 16
    # non-claims are left out unless asked for; opinions and other assertions take part by default
    assert "b3" not in {c["claim_id"] for c in claims}
    opinion = row("b4", "d2", "Kaspersky is a pillar of the Kremlin's backdoor.", is_claim=False, reason="opinion")
    assert "b4" in {c["claim_id"] for c in compare(ROWS + [opinion], topic_embed, CompareSettings())[0]}
    assert "b4" not in {c["claim_id"] for c in compare(ROWS + [opinion], topic_embed, CompareSettings(scope="claims"))[0]}
    _, pairs_all, _ = compare(ROWS, topic_embed, CompareSettings(min_similarity=0.6, scope="all"))
    assert any("b3" in (q["claim_a"], q["claim_b"]) for q in pairs_all)
    # Front matter and bylines are metadata: never paired, even with every sentence taking part.
    meta = [row("m1", "d1", "title: Weather", is_claim=False, reason="front_matter"),
            row("m2", "d2", "title: Weather", is_claim=False, reason="front_matter"),
            row("m3", "d3", "By Weather Desk", is_claim=False, reason="byline"),
            row("m4", "d3", "RIGA, Sept 2 (Weather Desk).", is_claim=False, reason="dateline")]
    claims_meta, _, _ = compare(ROWS + meta, topic_embed, CompareSettings(min_similarity=0.6, scope="all"))
    assert not {"m1", "m2", "m3", "m4"} & {c["claim_id"] for c in claims_meta}


def test_copies_of_one_text_take_one_of_a_claim_s_nearest_slots():
    def at(x: float) -> np.ndarray:   # cosine x with the first axis
        return np.array([x, np.sqrt(1 - x * x), 0.0], dtype=np.float32)

    post = "The Kiev regime shelled the market."
    # a state-media post reposted by three channels, and a rebuttal a little less like it than the copies
    rows = [row("r1", "ria", post), row("r2", "tg1", post), row("r3", "tg2", post), row("r4", "tg3", post),
            row("m1", "meduza", "State media said Ukraine shelled the market; the footage says otherwise.")]
    vectors = np.stack([at(1.0)] * 4 + [at(0.8)])
    pairs = find_pairs(rows, vectors, CompareSettings(min_similarity=0.55, mutual_similarity=None, top_k=1))
    got = {frozenset((p["claim_a"], p["claim_b"])) for p in pairs}
    # with one slot each, the copies had filled every post's slot with another copy: the rebuttal paired
    # with none of them. Now the copies are one text: each post's slot holds them all, the rebuttal's holds one
    assert {frozenset(("m1", c)) for c in ("r1", "r2", "r3", "r4")} <= got
    assert frozenset(("r1", "r2")) in got   # the copies are still pairs of each other
    from models.pairs import _distinct_top

    texts = [post] * 4 + ["rebuttal"]
    idx, _ = _distinct_top(np.array([[1, 2, 3, 4]]), np.array([[1.0, 1.0, 1.0, 0.8]], dtype=np.float32), texts, 1)
    assert idx.tolist() == [[1, 2, 3, 4]]   # r1's own copies take no slot: its one slot goes to the rebuttal


def test_the_order_of_the_input_rows_changes_nothing():
    # Documents in another order (claims files joined the other way round) had given other topic
    # numbers and swapped the sides of pairs; now rows are taken in document order.
    settings = CompareSettings(min_similarity=0.6, top_k=3)
    _, pairs, clusters = compare(ROWS, topic_embed, settings)
    for order in (ROWS[::-1], ROWS[3:] + ROWS[:3], [ROWS[n] for n in (6, 1, 3, 7, 0, 4, 2, 5)]):
        _, again, topics = compare(order, topic_embed, settings)
        assert json.dumps(again) == json.dumps(pairs)
        assert json.dumps(topics) == json.dumps(clusters)
    assert [p["claim_a"][0] <= p["claim_b"][0] for p in pairs] == [True] * len(pairs)   # d1 before d2 before d3
    assert len(clusters) >= 2


def test_mutual_nearest_pairs_every_copy_whatever_the_input_order():
    # Two copies of a post in two documents of one source, both at 0.5 from a claim of another source
    # (a mutual pair's range): the claim had been paired with whichever copy came first in the input.
    def unit(x: float) -> np.ndarray:
        return np.array([x, np.sqrt(1 - x * x)], dtype=np.float32)

    rows = [row("x1", "d1", "x", outlet="A"), row("y1", "d2", "y", outlet="B"), row("y2", "d3", "y", outlet="B")]
    vectors = np.stack([unit(1.0), unit(0.5), unit(0.5)])
    for order in ([0, 1, 2], [2, 1, 0], [0, 2, 1]):
        pairs = find_pairs([rows[n] for n in order], vectors[order], CompareSettings())
        assert {frozenset((p["claim_a"], p["claim_b"])) for p in pairs} == {frozenset(("x1", "y1")),
                                                                           frozenset(("x1", "y2"))}
        assert all(p["mutual"] for p in pairs)


def test_mutual_nearest_claims_pair_below_the_threshold_with_no_relation_suggested_under_0_5():
    from models.pairs import mutual_nearest

    # Rows 0, 1 in d1; 2, 3 in d2. 0 and 2 are each other's best across; 1's best in d2 is 2, but 2 prefers 0.
    idx = np.array([[2, 3], [2, 3], [0, 1], [1, 0]])
    groups = np.array([0, 0, 1, 1])
    assert mutual_nearest(idx, groups) == {(0, 2)}
    assert mutual_nearest(np.array([[2, 3], [3, 2], [0, 1], [1, 0]]), groups) == {(0, 2), (1, 3)}
    assert mutual_nearest(np.array([[-1], [-1]]), np.array([0, 1])) == set()

    def unit(x: float) -> np.ndarray:   # cosine x with the first axis
        return np.array([x, np.sqrt(1 - x * x), 0.0], dtype=np.float32)

    rows = [row("a1", "d1", "one"), row("a2", "d1", "two"), row("b1", "d2", "three"), row("b2", "d2", "four")]
    vectors = np.stack([np.array([1.0, 0.0, 0.0], dtype=np.float32), np.array([0.0, 0.0, 1.0], dtype=np.float32),
                        unit(0.48), np.array([0.0, 0.6, 0.8], dtype=np.float32)])
    # a1-b1 at 0.48 are mutual nearest; a2-b2 at 0.8 pass the threshold; a1-b2 and a2-b1 are no one's best
    pairs = find_pairs(rows, vectors, CompareSettings(min_similarity=0.55, top_k=2))
    got = {frozenset((p["claim_a"], p["claim_b"])): p for p in pairs}
    assert set(got) == {frozenset(("a1", "b1")), frozenset(("a2", "b2"))}
    assert got[frozenset(("a1", "b1"))]["mutual"] and got[frozenset(("a1", "b1"))]["similarity"] == 0.48
    assert got[frozenset(("a1", "b1"))]["suggested"] is None   # under unrelated_below: neither "unrelated" nor "agree"
    off = find_pairs(rows, vectors, CompareSettings(min_similarity=0.55, mutual_similarity=None, top_k=2))
    assert [frozenset((p["claim_a"], p["claim_b"])) for p in off] == [frozenset(("a2", "b2"))]
    high = find_pairs(rows, vectors, CompareSettings(min_similarity=0.55, mutual_similarity=0.49, top_k=2))
    assert len(high) == 1


def test_each_pair_appears_once():
    _, pairs, _ = compare(ROWS, topic_embed, CompareSettings(min_similarity=0.0, top_k=10))
    keys = [frozenset((p["claim_a"], p["claim_b"])) for p in pairs]
    assert len(keys) == len(set(keys))
    sims = [p["similarity"] for p in pairs]
    assert sims == sorted(sims, reverse=True)


def test_clusters_group_topics_across_documents_with_labels():
    claims, pairs, clusters = compare(ROWS, topic_embed, CompareSettings(min_similarity=0.6, top_k=3))
    members = [set(c["claims"]) for c in clusters]
    assert {"a1", "a3", "b1"} in members
    assert {"a2", "b2"} in members
    backdoor = next(c for c in clusters if "a1" in c["claims"])
    assert "backdoor" in backdoor["label"]
    assert backdoor["docs"] == ["d1", "d2"]
    assert backdoor["stances"] == {"independent_reporting": 2, "kremlin_framing": 1}
    assert backdoor["contrasting"] is True
    for p in pairs:
        if p["cluster"] is not None:
            assert {p["claim_a"], p["claim_b"]} <= set(clusters[p["cluster"]]["claims"])


def test_big_components_are_split():
    vecs = topic_embed([r["text"] for r in ROWS])
    settings = CompareSettings(min_similarity=0.0, top_k=10, max_cluster_size=2, cluster_similarity=0.9)
    claims = [r for r in ROWS if r["is_claim"]]
    vecs = topic_embed([r["text"] for r in claims])
    pairs = find_pairs(claims, vecs, settings)
    clusters = cluster_pairs(claims, vecs, pairs, settings)
    assert all(c["size"] <= 3 for c in clusters)


@pytest.mark.parametrize("sim,a,b,ta,tb,expected", [
    (0.3, "x", "x", "a", "b", "unrelated"),
    (0.7, "x", "x", "a", "b", "agree"),
    (0.7, "x", "y", "a", "b", "same_point_different_framing"),
    (0.9, "x", "x", "Russia attacked the plant.", "Russia never attacked the plant.", "contradict"),
    (0.7, "x", None, "a", "b", None),   # a claim without a stance: no guess
])
def test_suggested_relation(sim, a, b, ta, tb, expected):
    assert suggest_relation(sim, a, b, ta, tb, CompareSettings()) == expected


WIRE = "A Russian ballistic missile struck a five-storey apartment building in Kharkiv overnight."
CHANNEL = "BREAKING: Ukrainian air defence missile falls on apartment block in Kharkiv."


@pytest.mark.parametrize("sim,a,b,ta,tb,expected", [
    # opposite sides named as the cause of one event: an alternative narrative, whatever the stances
    (0.75, "x", "x", WIRE, CHANNEL, "contradict"),
    (0.75, "x", "y", "The Kakhovka dam was destroyed by shelling by Ukrainian forces.",
     "The Kakhovka dam, held by Russian troops, was blown up from inside.", "contradict"),
    (0.75, "x", "x", WIRE, "The khokhly are passing off their own air defence as our strike in Kharkiv.", "contradict"),
    (0.65, "x", "x", WIRE, CHANNEL, "agree"),                                   # under opposite_cause_above
    (0.75, "x", "x", WIRE, "A Russian missile hit the block, killing 11.", "agree"),  # the same side
    # one claim names both sides: no single cause
    (0.75, "x", "y", WIRE, "Ukrainian air defence failed to stop the Russian missile.", "same_point_different_framing"),
    (0.75, "x", "y", "Kharkiv strike: what the evidence says.", CHANNEL, "same_point_different_framing"),
    # the same place, whatever else is capitalised around it (a dateline, an agency, a month)
    (0.77, "x", "y", "KHARKIV, Ukraine, March 14 (WNW) - A Russian ballistic missile struck a building in the "
     "Ukrainian city of Kharkiv early on Saturday.", "BREAKING: Ukrainian air defence missile falls on a block in Kharkiv.",
     "contradict"),
    (0.79, "x", "y", "Investigators say the Kakhovka dam, held by Russian troops, was blown up from inside on June 6.",
     "The Kakhovka dam was destroyed on 6 June by shelling by Ukrainian forces, the head of Nova Kakhovka said.",
     "contradict"),
    # different strikes: other places, or the same place on another day, are no contradiction
    (0.83, "x", "x", "A Russian missile hit a school in Zaporizhzhia on Monday, killing three teachers.",
     "A Ukrainian missile hit a school in Horlivka last week, killing two pupils.", "agree"),
    (0.77, "x", "y", "Russian shelling killed two civilians in Kherson on Tuesday, regional officials said.",
     "Ukrainian shelling killed two civilians in Donetsk on Tuesday, the city's mayor said.",
     "same_point_different_framing"),
    (0.75, "x", "y", "Ukrainian drones struck an oil refinery in Bryansk overnight, the governor said.",
     "Russian drones struck an oil depot in Odesa overnight, the governor said.", "same_point_different_framing"),
    (0.77, "x", "y", "Russian shelling killed two civilians in Kherson on Tuesday.",
     "Ukrainian shelling killed two civilians in Kherson on Wednesday.", "same_point_different_framing"),
    (0.77, "x", "y", "Russian shelling hit Kherson on March 3.", "Ukrainian shelling hit Kherson on 4 March.",
     "same_point_different_framing"),
    # no place in one or both: nothing says it is one event
    (0.75, "x", "x", WIRE, "The khokhly are passing off their own air defence as our strike.", "agree"),
    (0.75, "x", "x", "A Russian missile struck the block.", "A Ukrainian air defence missile fell on the block.",
     "agree"),
    # "not X but Y" and "X, not Y" set one side against the other, "not" on both sides or not
    (0.97, "x", "x", "The missile that hit Kharkiv was not Ukrainian, investigators said, but a Russian Iskander.",
     "The missile that hit Kharkiv was Ukrainian, not a Russian Iskander, investigators said.", "contradict"),
    (0.97, "x", "x", "The missile that hit Kharkiv was not Ukrainian but a Russian Iskander.",
     "The missile that hit Kharkiv was Russian, not a Ukrainian one.", "agree"),
])
def test_opposite_causes_suggest_contradict(sim, a, b, ta, tb, expected):
    assert suggest_relation(sim, a, b, ta, tb, CompareSettings()) == expected
    if expected == "contradict":
        off = CompareSettings(opposite_cause_above=None)
        assert suggest_relation(sim, a, b, ta, tb, off) != "contradict"


def test_places_and_dates():
    from models.pairs import cause, dates, places, same_event

    assert places("KHARKIV, Ukraine, March 14 (WNW) - A Russian missile hit Kharkiv on Saturday.") == (
        {"kharkiv", "wnw"}, [{"kharkiv"}])
    assert places("Kharkiv strike: What the evidence says about Russia's claim") == ({"kharkiv"}, [])
    assert places("The dam was hit, the head of Nova Kakhovka said.") == ({"nova", "kakhovka"}, [{"nova", "kakhovka"}])
    assert dates("On Tuesday, June 6, and on 7th June 2023 (2023-06-08)") == ({(6, 6), (6, 7), (6, 8)}, {"tuesday"})
    assert same_event("Shelling hit Kakhovka.", "Shelling hit Nova Kakhovka.")
    assert not same_event("Shelling hit Kherson.", "Shelling hit Kherson, Governor Oleh Prokudin said.")
    assert not same_event("The dam was blown up.", "The dam was destroyed.")      # no place in either
    assert same_event("Shelling hit Kramatorsk, NBC News Richard Lui reports.", "Shelling hit Kramatorsk.")
    assert same_event("Shelling hit Kramatorsk in eastern Ukraine.", "Shelling hit Kramatorsk in Eastern Ukraine.")
    assert cause("It was not Ukrainian but a Russian Iskander.") == "Russia"
    assert cause("It was Ukrainian, not a Russian Iskander.") == "Ukraine"
    assert cause("Ukrainian officials said a Russian missile hit it.") == "Russia"   # the agent rule
    assert cause("It was not Ukrainian, nor Russian.") is None


PESKOV = '"Our military strikes only military targets," Peskov said.'


@pytest.mark.parametrize("ta,tb,expected", [
    # the same words quoted: the same statement, whoever quotes it and however its voice was pre-labelled
    (PESKOV, '"Our military strikes only military targets," he said.', "agree"),
    (PESKOV, "“Our military strikes only military targets”, the spokesman said.", "agree"),
    # a quote cut short, closing a quote begun in the sentence before
    ('"The responsibility for the deaths lies entirely with the Kiev regime and its sponsors," she said.',
     'Responsibility for the deaths lies entirely with the Kiev regime."', "agree"),
    # a quote inside the writer's own framing is not the whole statement; scare quotes are no quote
    (PESKOV, 'The ministry repeated that "our military strikes only military targets" while its strikes hit homes.',
     "same_point_different_framing"),
    ('Officials called the footage "staged footage".', 'The channel spread the "staged footage" line.',
     "same_point_different_framing"),
    (PESKOV, '"Our soldiers protect the civilians of the city," Peskov said.', "same_point_different_framing"),
])
def test_the_same_quote_suggests_agree(ta, tb, expected):
    assert suggest_relation(0.8, "kremlin_framing", "neutral", ta, tb, CompareSettings()) == expected


def test_quotes():
    from models.pairs import quotes

    assert quotes(PESKOV) == ["Our military strikes only military targets,"]
    assert quotes('Zakharova: "Western media are circulating staged footage.') == [
        "Western media are circulating staged footage."]
    assert quotes('lies with the Kiev regime."') == ["lies with the Kiev regime."]
    assert quotes("He called it «a lie» and “a fake”.") == ["a lie", "a fake"]
    assert quotes("No quote here.") == []


def test_pairs_are_across_sources_unless_within_source():
    rows = [row("a1", "d1", "The backdoor is real.", outlet="Channel Z"),
            row("a2", "d2", "The backdoor is real indeed.", outlet="Channel Z"),
            row("b1", "d3", "A backdoor was found.", outlet="Wire"),
            # no source named (a title only): a source of its own
            row("c1", "d4", "Backdoor found.", outlet=None), row("c2", "d5", "A backdoor, found.", outlet=None)]
    _, pairs, _ = compare(rows, topic_embed, CompareSettings(min_similarity=0.5, top_k=5))
    got = {frozenset((p["claim_a"], p["claim_b"])) for p in pairs}
    assert frozenset(("a1", "a2")) not in got                       # two posts of one channel
    assert {frozenset(("a1", "b1")), frozenset(("a2", "b1")), frozenset(("c1", "c2"))} <= got
    _, within, _ = compare(rows, topic_embed, CompareSettings(min_similarity=0.5, top_k=5, within_source=True))
    assert frozenset(("a1", "a2")) in {frozenset((p["claim_a"], p["claim_b"])) for p in within}
    # one source only: its documents are paired with each other, with a note
    notes: list[str] = []
    _, one, _ = compare(rows[:2], topic_embed, CompareSettings(min_similarity=0.5), where="in", notes=notes)
    assert [(p["claim_a"], p["claim_b"]) for p in one] == [("a1", "a2")]
    assert notes == ["every document is of one source, 'Channel Z', so its documents are paired with each other "
                     "(as within_source: true); give documents of other sources too to pair claims across sources"]
    notes.clear()
    assert compare(rows[:2], topic_embed, CompareSettings(min_similarity=0.5, within_source=True), notes=notes)[1]
    assert notes == []


def test_a_document_whose_rows_name_several_sources_is_never_paired_with_itself():
    # Posts of two authors read under one id (a JSONL of a thread's posts, `stance claims --id-column
    # thread`): the rows of d1 named two sources, so its two claims were paired with each other.
    rows = [row("a1", "d1", "The backdoor is real.", outlet=None, author="alice"),
            row("a2", "d1", "The backdoor is real indeed.", outlet=None, author="bob"),
            row("b1", "d2", "A backdoor was found.", outlet=None, author="carol")]
    for order in (rows, rows[::-1]):
        _, pairs, _ = compare(order, topic_embed, CompareSettings(min_similarity=0.5, top_k=5))
        assert {frozenset((p["claim_a"], p["claim_b"])) for p in pairs} == {frozenset(("a1", "b1")),
                                                                           frozenset(("a2", "b1"))}
    # d1 (alice and bob) and d2 of alice: one source, paired within it with the note
    notes: list[str] = []
    _, pairs, _ = compare(rows[:2] + [{**rows[2], "author": "alice"}], topic_embed,
                          CompareSettings(min_similarity=0.5, top_k=5), notes=notes)
    assert all(p["doc_a"] != p["doc_b"] for p in pairs) and len(pairs) == 2
    assert len(notes) == 1 and "every document is of one source, 'alice'" in notes[0]


def test_compare_needs_two_documents_and_claim_fields():
    with pytest.raises(UserError, match=r"at least two documents are needed to compare; found 1 \(doc_id d1\); give the "
                       "claims of other documents too"):
        compare([ROWS[0], ROWS[1]], topic_embed)
    # Each had been "claims of at least two documents are needed to compare; found 0", naming no fix.
    with pytest.raises(UserError, match=r"^in.jsonl: no rows; give the claims `stance claims` wrote"):
        compare([], topic_embed, where="in.jsonl")
    question = {**ROWS[5], "is_claim": False, "reason": "question"}   # b3, of d2
    with pytest.raises(UserError, match=r"in.jsonl: none of its 2 rows is one of the claims compare takes \(scope "
                       r"claims; .*\); --scope all \(scope: all\) compares every sentence"):
        compare([{**ROWS[1], "is_claim": False, "reason": "question"}, question], topic_embed,
                CompareSettings(scope="claims"), where="in.jsonl")
    with pytest.raises(UserError, match=r"found 1 \(doc_id d1\), and 1 other with none in scope claims; --scope all"):
        compare([ROWS[0], question], topic_embed, CompareSettings(scope="claims"), where="in.jsonl")
    byline = {**ROWS[3], "is_claim": False, "reason": "byline"}   # never takes part, whatever the scope
    with pytest.raises(UserError, match=r"in.jsonl: its one row is not one of the statements .*; give the claims of "
                       "other documents too"):
        compare([byline], topic_embed, where="in.jsonl")
    with pytest.raises(UserError, match="in.jsonl: row 1 has no doc_id"):
        compare([{"claim_id": "x", "text": "t"}], topic_embed, where="in.jsonl")
    # Blank texts had been embedded alike: every pair of their rows at similarity 1 (4,940 pairs of 168 rows)
    with pytest.raises(UserError, match="in.jsonl: row 2 has no text"):
        compare([ROWS[0], {**ROWS[3], "text": " \n "}], topic_embed, where="in.jsonl")
    with pytest.raises(UserError, match="in.jsonl: row 1 has no doc_id"):
        compare([{**ROWS[0], "doc_id": "  "}], topic_embed, where="in.jsonl")
    # A word for a score had stopped the Parquet writer with a pyarrow traceback.
    with pytest.raises(UserError, match=r"in.jsonl: row 2 \(claim_id b\): score 'high' is not a number"):
        compare([{**ROWS[0], "claim_id": "a"}, {**ROWS[1], "claim_id": "b", "score": "high"}], topic_embed,
                where="in.jsonl")
    # As push refuses it: "no" is not false, and would have been compared as a claim.
    with pytest.raises(UserError, match=r"row 1 \(claim_id a\): is_claim 'no' is not true or false"):
        compare([{**ROWS[0], "claim_id": "a", "is_claim": "no"}], topic_embed, where="in.jsonl")
    with pytest.raises(UserError, match=r"row 1 \(claim_id a\): text 42 is not a string"):
        compare([{**ROWS[0], "claim_id": "a", "text": 42}], topic_embed, where="in.jsonl")


def test_settings_from_compare_file_or_pipeline_file(tmp_path):
    own = tmp_path / "compare.yaml"
    own.write_text("min_similarity: 0.7\ntop_k: 3\nmatch:\n  lexical_weight: 0.5\n")
    s = load_compare_settings(own)
    assert (s.min_similarity, s.top_k, s.cluster_similarity, s.match.lexical_weight) == (0.7, 3, 0.7, 0.5)
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("scheme: kremlin_framing\ncompare:\n  min_similarity: 0.6\n  top_k: 2\n")
    assert load_compare_settings(pipeline).top_k == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("compare:\n  min_similarty: 0.6\n")
    with pytest.raises(UserError, match=r"bad.yaml: compare.min_similarty: unknown field \(check the spelling\)"):
        load_compare_settings(bad)
    bad.write_text("scheme: nosuch\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.yaml: compare.scheme: unknown scheme 'nosuch'"):
        load_compare_settings(bad)
    with pytest.raises(UserError, match="no such config file"):
        load_compare_settings(tmp_path / "none.yaml")
    assert load_compare_settings() == CompareSettings()  # configs/compare.yaml states the code defaults
    # Command-line options on top of the file; the topic threshold follows a new min_similarity
    # unless the file sets it; None means "not given".
    s = load_compare_settings(None, {"min_similarity": 0.45, "top_k": 8, "scope": None})
    assert (s.min_similarity, s.cluster_similarity, s.top_k, s.scope) == (0.45, 0.45, 8, "statements")
    own.write_text("cluster_similarity: 0.7\n")
    s = load_compare_settings(own, {"min_similarity": 0.45, "scope": "all"})
    assert (s.min_similarity, s.cluster_similarity, s.scope) == (0.45, 0.7, "all")
    # The older only_claims: true is scope claims, false all; a scope given beside it wins.
    own.write_text("only_claims: true\n")
    assert load_compare_settings(own).scope == "claims"
    assert load_compare_settings(own, {"scope": "statements"}).scope == "statements"
    assert CompareSettings(only_claims=False).scope == "all"


def test_compare_cli_writes_every_output(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: topic_embed)
    inp = tmp_path / "pre.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    out = tmp_path / "cmp"
    assert main(["compare", "--in", str(inp), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pairs" in printed and "report.html" in printed
    pairs = [json.loads(x) for x in (out / "pairs.jsonl").read_text().splitlines()]
    assert pairs and all(p["doc_a"] != p["doc_b"] for p in pairs)
    assert {"claim_a", "claim_b", "doc_a", "doc_b", "similarity", "stance_a", "stance_b",
            "suggested", "cluster", "text_a", "context_b", "speaker_a"} <= set(pairs[0])
    frame = pd.read_parquet(out / "pairs.parquet")
    assert len(frame) == len(pairs)
    clusters = pd.read_parquet(out / "clusters.parquet")
    assert len(clusters) == len((out / "clusters.jsonl").read_text().splitlines())
    # Typed columns: a column empty in this comparison keeps its type; stances are label -> count.
    import pyarrow.parquet as pq

    schema = pq.read_schema(out / "pairs.parquet")
    assert str(schema.field("speaker_name_a").type) == "string"   # null in every row here
    assert str(schema.field("similarity").type) == "double" and str(schema.field("cluster").type) == "int64"
    first = json.loads((out / "clusters.jsonl").read_text().splitlines()[0])
    assert dict(clusters["stances"].iloc[0]) == first["stances"]
    assert (out / "report.html").read_text().startswith("<!doctype html>")
    # The thresholds a researcher tries first are options, not only config keys.
    low = tmp_path / "low"
    assert main(["compare", "--in", str(inp), "--out", str(low), "--min-similarity", "0.1", "--top-k", "7",
                 "--all-sentences"]) == 0
    pairs_low = [json.loads(x) for x in (low / "pairs.jsonl").read_text().splitlines()]
    assert len(pairs_low) > len(pairs) and min(p["similarity"] for p in pairs_low) < 0.55
    assert any("b3" in (p["claim_a"], p["claim_b"]) for p in pairs_low)  # a non-claim row takes part
    assert "at least 0.10 alike; each claim keeps its 7 nearest" in (low / "report.html").read_text()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(["compare", "--in", str(inp), "--out", str(low), "--min-similarity", "2"])
    assert stopped.value.code == 2
    assert "--min-similarity: must be from -1.0 to 1.0, got 2" in capsys.readouterr().err


def test_annotators_labels_replace_the_pre_labels_they_corrected(tmp_path, monkeypatch, capsys):
    from models.compare import with_labels

    rows, n = with_labels(ROWS, [{"claim_id": "b1", "text": ROWS[3]["text"], "label": "kremlin_framing"},
                                 {"claim_id": "zz", "text": "not in the claims", "label": "neutral"}])
    assert n == 1
    by_id = {r["claim_id"]: r for r in rows}
    assert (by_id["b1"]["prediction"], by_id["b1"]["score"], by_id["b1"]["stance_by"]) == ("kremlin_framing", None,
                                                                                            "annotators")
    assert by_id["a1"]["prediction"] == "kremlin_framing" and by_id["a1"]["stance_by"] == "model"

    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: topic_embed)
    inp = tmp_path / "pre.jsonl"
    inp.write_text("".join(json.dumps({**r, "model_version": "boot-1"}) + "\n" for r in ROWS))
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"claim_id": "b1", "text": ROWS[3]["text"], "label": "kremlin_framing"}) + "\n")
    out = tmp_path / "cmp"
    assert main(["compare", "--in", str(inp), "--out", str(out), "--labels", str(labels), "--min-similarity", "0.6",
                 "--top-k", "3"]) == 0
    assert ("stances: the annotators' labels for 1 of the 7 claims compared, pre-labels for 6 (1 labelled claims "
            "matched the input)") in capsys.readouterr().out
    pairs = {frozenset((p["claim_a"], p["claim_b"])): p for p in map(json.loads, (out / "pairs.jsonl").read_text().splitlines())}
    p = pairs[frozenset(("a1", "b1"))]
    assert p["stance_a"] == p["stance_b"] == "kremlin_framing" and p["contrasting"] is False   # the correction counts
    side = "a" if p["claim_a"] == "b1" else "b"
    assert p[f"stance_by_{side}"] == "annotators" and p[f"stance_by_{'b' if side == 'a' else 'a'}"] == "model"
    page = " ".join((out / "report.html").read_text().split())
    assert "Stances are the annotators' labels for 1 of the 7 claims and the classifier's pre-labels (boot-1) for the rest." in page
    wrong = tmp_path / "wrong.jsonl"   # a label of another scheme
    wrong.write_text(json.dumps({"claim_id": "b1", "text": ROWS[3]["text"], "label": "pro_kremlin"}) + "\n")
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp3"), "--labels", str(wrong)]) != 0
    assert "label(s) 'pro_kremlin' not in scheme 'kremlin_framing'" in capsys.readouterr().err
    assert not (tmp_path / "cmp3").exists()
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"claim_id": "nope", "text": "x", "label": "neutral"}) + "\n")
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp2"), "--labels", str(other)]) != 0
    assert "none of its labelled claims is in" in capsys.readouterr().err


def test_the_report_follows_the_scheme_of_the_pre_labels(tmp_path, monkeypatch):
    from models.compare import scheme_of
    from models.schemes import load_scheme

    favor = list(load_scheme("favor_against").label_ids)
    # another scheme that merely shares the label ids is never taken: its cues would mislead
    assert scheme_of(set(favor[:2]), "kremlin_framing") is None
    assert scheme_of(set(favor[:2]), "favor_against") == "favor_against"
    assert scheme_of({"kremlin_framing"}, "kremlin_framing") == "kremlin_framing"
    assert scheme_of({"made_up"}, "kremlin_framing") is None
    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: topic_embed)
    inp = tmp_path / "pre.jsonl"
    inp.write_text("".join(json.dumps({**r, "prediction": favor[i % 2]}) + "\n" for i, r in enumerate(ROWS)))
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "none")]) == 0   # nothing recorded
    assert "Label scheme: none known for these stances" in (tmp_path / "none" / "report.html").read_text()
    # the scheme the pre-labels record (stance prelabel writes it), with no --scheme
    from models import provenance

    record = provenance.load("favor_against")[1]
    inp.write_text("".join(json.dumps({**r, "prediction": favor[i % 2], **provenance.row_fields(record)}) + "\n"
                           for i, r in enumerate(ROWS)))
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp")]) == 0
    page = (tmp_path / "cmp" / "report.html").read_text()
    from models import report

    names = {label.id: label.name for label in load_scheme("favor_against").labels}
    cued = report.scheme_cues("favor_against")   # the legend names the labels that have cue words
    assert cued and all(f'<mark class="cue cue{k}">{names[label]}</mark>' in page for k, label in enumerate(cued))
    assert "Kremlin framing" not in page


def test_compare_cli_bad_input_writes_nothing(tmp_path, capsys):
    inp = tmp_path / "pre.jsonl"
    inp.write_text('{"claim_id": "a"}\n')
    code = main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp")])
    err = capsys.readouterr().err
    assert code != 0 and "pre.jsonl: row 1 has no doc_id" in err
    assert not (tmp_path / "cmp").exists()


EVIL_DOC = (
    "Security software from Kaspersky contains backdoors for the Russian secret services "
    "<script>alert(\"xss\")</script> according to Western officials.\n\n"
    "The Kremlin exports its surveillance know-how to other authoritarian governments "
    "<img src=x onerror=\"alert(1)\"> and trains their security services.\n\n"
    "Russia is isolating its internet from the West in the name of information security.\n"
)


@pytest.mark.slow
def test_sample_corpus_end_to_end_with_html_in_claims(tmp_path):
    """The acceptance path: sample corpus plus a document holding HTML -> claims -> prelabel -> compare."""
    from html.parser import HTMLParser
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "corpus" / "sample"
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "evil.txt").write_text(EVIL_DOC, encoding="utf-8")
    claims, pre, out = tmp_path / "claims.jsonl", tmp_path / "pre.jsonl", tmp_path / "cmp"
    assert main(["claims", str(sample), str(evil), "--out", str(claims)]) == 0
    assert main(["prelabel", "--in", str(claims), "--out", str(pre)]) == 0
    assert main(["compare", "--in", str(pre), "--out", str(out), "--cache", str(tmp_path / "cache")]) == 0
    pairs = [json.loads(x) for x in (out / "pairs.jsonl").read_text().splitlines()]
    assert len(pairs) >= 5
    assert all(p["doc_a"] != p["doc_b"] for p in pairs)
    assert any(p["stance_a"] != p["stance_b"] for p in pairs)

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict]] = []
            self.text = ""

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, data):
            self.text += data

    page = Tags()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert not [t for t, _ in page.tags if t == "script"]
    assert all(a.get("src", "").startswith("data:image/png;base64,") for t, a in page.tags if t == "img")
    assert not any(k.startswith("on") for _, a in page.tags for k in a)
    assert "<script>alert(\"xss\")</script>" in page.text or "<img src=x onerror=\"alert(1)\">" in page.text


def test_compare_cli_within_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: topic_embed)
    inp = tmp_path / "pre.jsonl"
    posts = [row("a1", "d1", "The backdoor is real.", outlet="Channel Z"),
             row("a2", "d2", "The backdoor is real indeed.", outlet="Channel Z")]
    inp.write_text("".join(json.dumps(r) + "\n" for r in posts))
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "one")]) == 0
    err = capsys.readouterr().err
    assert "note: every document is of one source, 'Channel Z', so its documents are paired with each other" in err
    pairs = [json.loads(x) for x in (tmp_path / "one" / "pairs.jsonl").read_text().splitlines()]
    assert [(p["source_a"], p["source_b"]) for p in pairs] == [("Channel Z", "Channel Z")]
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "two"), "--within-source"]) == 0
    assert "one source" not in capsys.readouterr().err
    pairs = [json.loads(x) for x in (tmp_path / "two" / "pairs.jsonl").read_text().splitlines()]
    assert [(p["source_a"], p["source_b"]) for p in pairs] == [("Channel Z", "Channel Z")]


def test_claims_given_as_labels_are_told_in_compare_s_words(tmp_path, monkeypatch, capsys):
    # QA: `compare --labels claims.jsonl` said "unlabelled claims go to `stance prelabel`, not training"
    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: topic_embed)
    inp = tmp_path / "pre.jsonl"
    inp.write_text("".join(json.dumps({**r, "model_version": "boot-1"}) + "\n" for r in ROWS))
    claims = tmp_path / "claims.jsonl"
    claims.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in ("prediction", "score")}) + "\n"
                              for r in ROWS))
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp"), "--labels", str(claims)]) != 0
    err = capsys.readouterr().err
    assert f"--labels {claims}:1: no label" in err and "training" not in err
    assert "--labels takes the labels `stance pull` wrote (its --out folder, or labels.jsonl in it); claims to compare go in --in" in err
    assert not (tmp_path / "cmp").exists()
