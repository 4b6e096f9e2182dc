"""The match reranker: pure feature code on hand-made strings, the linear model, `stance match` with it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from claimstance.cli import main
from conftest import bag_embed
from corpus.errors import UserError
from models import matching
from models.matcher import Matcher, MatchSettings
from models.matching import match
from models.rerank import (FEATURES, LIST_FEATURES, PAIR_FEATURES, SIGNALS, WEIGHTS, Featurizer, Reranker,
                           author, capitalised, content_words, duplicate_key, list_features, numbers,
                           pair_features, pairwise_differences, quote_style, train_reranker)




def test_token_helpers():
    assert numbers("The Dow dropped 1,377 points in 2.5 days, not 1000.") == {"1377", "2.5", "1000"}
    assert numbers("pic.twitter.com/0eJtwJyS1J and abc123") == set()
    assert capitalised("Pope Francis met Barack Obama. Then he left.") == {"francis", "barack", "obama"}
    assert content_words("The cat and THE dog's bowl") == {"cat", "dog's", "bowl"}
    assert author("Wall now! — Donald J. Trump (@realDonaldTrump) June 5, 2018") == "Donald J. Trump"
    assert author("No signature here") == ""
    assert duplicate_key("He said 'no.'") == duplicate_key('He said "no."') == "he said no"


def test_quote_style_tells_quotation_from_apostrophe():
    assert quote_style('Trump said "no obstruction."') == (True, False)
    assert quote_style("Trump said 'no obstruction.'") == (False, True)
    assert quote_style("Voters called it 'rigged' online") == (False, True)
    assert quote_style("The dog's bowl isn't empty") == (False, False)
    assert quote_style("Kaspersky's “backdoor” claim") == (True, False)


def test_pair_features_count_shared_numbers_years_names_and_author():
    query = "The Dow dropped 1,377 points in 2 days — Stephen Schwartz (@AtomicAnalyst) October 12, 2018"
    claim = "In November 2012, Donald Trump said a 1,000 point Dow drop in 2 days means impeachment."
    f = dict(zip(PAIR_FEATURES, pair_features(query, claim)))
    assert f["word_cosine"] == 0.0 and f["char_cosine"] == 0.0  # filled by the Featurizer
    assert f["numbers_shared"] == 1.0                            # "2"
    assert f["numbers_missing"] == pytest.approx(2 / 3)          # 2012 and 1000 are not in the query
    assert f["years_shared"] == 0.0 and f["years_missing"] == 1.0
    assert f["names_coverage"] == pytest.approx(1 / 4)           # Dow; not November, Donald, Trump
    assert f["author_in_claim"] == 0.0
    f = dict(zip(PAIR_FEATURES, pair_features("Ask Ukraine", "Barack Obama tweeted in 2019",
                                              raw_query="Ask Ukraine — Barack Obama (@BarackObama) Oct 4, 2019")))
    assert f["author_in_claim"] == 1.0
    assert f["length_ratio"] == pytest.approx(np.log(5 / 2))


def test_list_features_gaps_ranks_and_copies():
    signals = {"fused": np.array([0.9, 0.8, 0.5], np.float32), "dense": np.array([0.7, 0.9, 0.1], np.float32),
               "raw": np.array([0.6, 0.6, 0.2], np.float32), "bm25": np.array([1.0, 0.0, 0.5], np.float32)}
    cands = ["Trump said 'no obstruction.'", 'Trump said "no obstruction."', "A different claim."]
    f = {name: list_features(signals, cands)[:, k] for k, name in enumerate(LIST_FEATURES)}
    np.testing.assert_allclose(f["fused_gap"], [0.0, 0.1, 0.4], atol=1e-6)
    np.testing.assert_allclose(f["dense_rank"], np.log1p([1, 0, 2]), atol=1e-6)
    np.testing.assert_array_equal(f["duplicate_above"], [0, 1, 0])
    np.testing.assert_array_equal(f["duplicate_below"], [1, 0, 0])
    np.testing.assert_array_equal(f["duplicate_single"], [1, 0, 0])
    np.testing.assert_array_equal(f["duplicate_double"], [0, 1, 0])


def test_featurizer_block_and_tiny_corpora():
    corpus = ["Butterflies survived the Australian fires.", "A senator voted against border funding."]
    signals = {s: np.array([[0.5, 0.1]], np.float32) for s in SIGNALS}
    x = Featurizer(corpus).features(["butterflies survive the fires"], np.array([[0, 1]]), corpus, signals)
    assert x.shape == (1, 2, len(FEATURES))
    word = FEATURES.index("word_cosine")
    assert x[0, 0, word] > 0.3 and x[0, 1, word] == 0.0
    assert x[0, 0, FEATURES.index("char_cosine")] > x[0, 1, FEATURES.index("char_cosine")]
    stop = Featurizer(["the", "a"])  # no term survives the stop list: cosines stay 0
    x = stop.features(["the"], np.array([[0, 1]]), ["the", "a"], signals)
    assert x[0, :, word].tolist() == [0.0, 0.0]


def test_pairwise_training_learns_the_relevant_feature_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6, len(FEATURES))).astype(np.float32)
    relevant = np.zeros((40, 6), bool)
    best = rng.integers(0, 6, 40)
    relevant[np.arange(40), best] = True
    x[np.arange(40), best, FEATURES.index("char_cosine")] += 3.0
    assert pairwise_differences(x, relevant).shape == (40 * 5, len(FEATURES))
    model = train_reranker(x, relevant, card={"data": "synthetic"})
    assert int(np.argmax(np.abs(model.coef))) == FEATURES.index("char_cosine")
    assert (model.score(x).argmax(axis=1) == best).mean() > 0.9
    loaded = Reranker.load(model.save(tmp_path / "w" / "rerank.json"))
    np.testing.assert_allclose(loaded.score(x), model.score(x), rtol=1e-4, atol=1e-4)
    assert loaded.card == {"data": "synthetic"}
    with pytest.raises(ValueError, match="no query has both"):
        train_reranker(x, np.zeros((40, 6), bool))


def test_missing_or_stale_weights_are_one_line_errors(tmp_path):
    with pytest.raises(UserError, match="no reranker weights.*bench_rerank.py --save"):
        Reranker.load(tmp_path / "none.json")
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"features": ["fused"], "mean": [0], "scale": [1], "coef": [1]}))
    with pytest.raises(UserError, match="other features"):
        Reranker.load(stale)


def test_shipped_weights_load_and_are_small():
    model = Reranker.load()
    assert model.features == FEATURES and WEIGHTS.stat().st_size < 10_000
    assert model.card["queries"] > 0 and "rebuild" in model.card


def test_reranker_puts_the_double_quoted_copy_first():
    """The same claim filed twice: with the shipped weights the double-quoted copy wins (dev tweets)."""
    corpus = [{"id": "single", "text": "Trump proclaimed that 'the Dow drop means impeachment.'"},
              {"id": "double", "text": 'Trump proclaimed that "the Dow drop means impeachment."'},
              {"id": "other", "text": "Butterflies survived the Australian fires."}]
    out = match(corpus, [{"id": "q", "text": "The Dow drop means impeachment says Trump"}], 3, bag_embed,
                MatchSettings(cross_encoder=False))
    assert [m["id"] for m in out[0]["matches"]][:2] == ["double", "single"]
    off = Matcher([r["text"] for r in corpus], bag_embed, MatchSettings(rerank=False))
    assert set(off.top(["The Dow drop means impeachment says Trump"], 2)[0][0]) == {0, 1}


def write_tiny_inputs(tmp_path):
    corpus = tmp_path / "claims.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "text": "Vaccines contain microchips."},
        {"id": "2", "text": "The moon landing in 1969 was filmed in a studio."},
        {"id": "3", "text": "Bushfires in Australia killed 1 billion animals."}]) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(json.dumps(r) for r in [
        {"id": "t1", "text": "lol the 1969 moon landing was filmed in a studio #fake pic.twitter.com/x"},
        {"id": "t2", "text": "1 billion animals dead in the #AustralianBushfires"}]) + "\n")
    return corpus, queries


def test_match_cli_with_the_reranker_on_a_tiny_corpus(tmp_path, monkeypatch, capsys):
    import models.cross_encoder

    monkeypatch.setattr(matching, "encoder_embed", lambda model, cache, progress: bag_embed)
    monkeypatch.setattr(models.cross_encoder, "load_cross_encoder", lambda directory=None: StandInCross())
    corpus, queries = write_tiny_inputs(tmp_path)
    config = tmp_path / "compare.yaml"
    config.write_text("match:\n  rerank: true\n  rerank_depth: 3\n")
    out = tmp_path / "out.jsonl"
    assert main(["match", "--corpus", str(corpus), "--queries", str(queries), "--top-k", "2",
                 "--out", str(out), "--config", str(config)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["query_id"] for r in rows] == ["t1", "t2"]
    assert [r["matches"][0]["id"] for r in rows] == ["2", "3"]
    assert all(len(r["matches"]) == 2 and r["matches"][0]["score"] >= r["matches"][1]["score"] for r in rows)
    assert "wrote" in capsys.readouterr().out
    config.write_text(f"match:\n  rerank_weights: {tmp_path / 'missing.json'}\n")
    assert main(["match", "--corpus", str(corpus), "--queries", str(queries), "--out",
                 str(tmp_path / "o2.jsonl"), "--config", str(config)]) != 0
    err = capsys.readouterr().err
    assert "missing.json" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o2.jsonl").exists()


def test_blend_adds_weighted_z_scores_per_query():
    from models.cross_encoder import blend

    first = np.array([[3.0, 2.0, 1.0]])
    second = np.array([[0.0, 10.0, 5.0]])
    mixed = blend(first, second, 1.0)
    z = np.array([1.0, 0.0, -1.0]) / np.std([1.0, 0.0, -1.0])
    np.testing.assert_allclose(mixed[0], z + z[[2, 0, 1]], atol=1e-5)
    assert int(np.argmax(mixed)) == 1
    np.testing.assert_allclose(blend(first, second, 0.0)[0], z, atol=1e-5)


class StandInCross:
    """A cross-encoder stand-in: prefers claims that hold the word "wombat"."""

    def score(self, queries: list[str], claims: list[str]) -> np.ndarray:
        return np.array([float("wombat" in c.lower()) for c in claims], dtype=np.float32)


def test_cross_encoder_stage_reorders_the_reranked_top_rows():
    corpus = ["Butterflies survived the Australian fires.", "Butterflies hid in a wombat hole in the fires.",
              "A senator voted against border funding.", "Koalas survived the Australian fires."]
    query = ["Butterflies survived the Australian fires"]
    plain = Matcher(corpus, bag_embed, MatchSettings(cross_encoder=False)).top(query, 2)[0][0]
    assert plain[0] == 0
    crossed = Matcher(corpus, bag_embed, MatchSettings(cross_encoder=True, cross_depth=3, cross_weight=5.0),
                      cross_encoder=StandInCross())
    idx, scores = crossed.top(query, 2)
    assert idx[0, 0] == 1 and scores[0, 0] >= scores[0, 1]


def test_missing_cross_encoder_is_a_one_line_error(tmp_path):
    with pytest.raises(UserError, match="no cross_encoder.safetensors.*cross_encoder: false"):
        Matcher(["a claim"], bag_embed, MatchSettings(cross_encoder=True, cross_encoder_dir=str(tmp_path)))


@pytest.mark.slow
def test_cross_encoder_trains_saves_and_loads(tmp_path):
    from models.cross_encoder import load_cross_encoder, train_cross_encoder

    queries = ["butterflies in a wombat hole", "senator against border funding"]
    positives = ["Butterflies survived in a wombat hole.", "A senator voted against border funding."]
    negatives = [["Koalas died in the fires.", "The moon landing was filmed."],
                 ["Vaccines contain microchips.", "Koalas died in the fires."]]
    model = train_cross_encoder(queries, positives, negatives, epochs=1, group=3, batch_size=2,
                                progress=False)
    before = model.score(queries * 2, positives + [n[0] for n in negatives])
    directory = model.save(tmp_path / "ce", {"data": "hand-made"})
    assert sum(p.stat().st_size for p in directory.iterdir()) < 2_000_000
    loaded = load_cross_encoder(directory)   # its adapters merged into the weights: the same scores
    np.testing.assert_allclose(loaded.score(queries * 2, positives + [n[0] for n in negatives]), before,
                               rtol=1e-4, atol=1e-4)
    # pairs are batched by length: each score still lands on its own pair
    many_q, many_c = queries * 2 + queries[:1], positives + [n[0] for n in negatives] + [positives[1] * 3]
    import torch

    with torch.inference_mode():
        one_by_one = [float(loaded.forward([q], [c])) for q, c in zip(many_q, many_c)]
    np.testing.assert_allclose(loaded.score(many_q, many_c, batch_size=2), one_by_one, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="merged"):
        loaded.state()   # nothing to save: the adapters are gone


def test_shipped_config_keeps_the_code_defaults_of_the_match_stages():
    from models.compare_settings import load_compare_settings

    shipped, code = load_compare_settings().match, MatchSettings()
    for key in ("rerank", "rerank_depth", "rerank_weights", "cross_encoder", "cross_depth", "cross_weight"):
        assert getattr(shipped, key) == getattr(code, key), key


@pytest.mark.slow
def test_match_cli_with_the_shipped_cross_encoder(tmp_path, monkeypatch, capsys):
    """All three stages with the shipped weights (the real MiniLM cross-encoder) on a tiny corpus."""
    from models.cross_encoder import CROSS_DIR

    assert sum(p.stat().st_size for p in CROSS_DIR.iterdir()) < 2_000_000
    monkeypatch.setattr(matching, "encoder_embed", lambda model, cache, progress: bag_embed)
    corpus, queries = write_tiny_inputs(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["match", "--corpus", str(corpus), "--queries", str(queries), "--top-k", "3",
                 "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["matches"][0]["id"] for r in rows] == ["2", "3"]
    assert all(len(r["matches"]) == 3 for r in rows)
