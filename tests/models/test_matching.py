"""Tweet cleaning, BM25, fused ranking on a hand-made corpus, blocked search against brute force."""

from __future__ import annotations

import json

import numpy as np
import pytest

from claimstance.cli import main
from conftest import bag_embed
from models import matching, neighbours
from models.matcher import Bm25, Matcher, MatchSettings, fuse
from models.matching import average_precision_at, match
from models.neighbours import search
from models.textclean import clean_text, split_words




def test_clean_text_removes_links_signature_and_splits_tags():
    tweet = ("How are butterflies surviving the #AustralianFires? Footage pic.twitter.com/0eJtwJyS1J "
             "— Center for Bio Div (@CenterForBioDiv) January 14, 2020")
    assert clean_text(tweet) == "How are butterflies surviving the Australian Fires? Footage"


def test_clean_text_glued_links_handles_and_entities():
    tweet = "Ask @SenRonJohnson &amp; friends #border#emptychairspic.twitter.com/WqyOHs0NIX https://t.co/x1"
    assert clean_text(tweet) == "Ask Sen Ron Johnson & friends border emptychairs"
    assert clean_text(tweet, handles="drop") == "Ask & friends border emptychairs"
    assert clean_text(tweet, handles="keep").startswith("Ask @SenRonJohnson &")
    assert split_words("DefundTheCBC") == "Defund The CBC"
    with pytest.raises(ValueError, match="handles must be"):
        clean_text("x", handles="maybe")


def test_clean_text_keeps_plain_sentences_and_never_returns_empty():
    assert clean_text("The Kremlin denied it.") == "The Kremlin denied it."
    assert clean_text("https://t.co/abc") == "https://t.co/abc"


def test_bm25_prefers_the_rare_shared_word():
    docs = ["the cat sat on the mat", "the dog barked", "a cat and a dog"]
    scores = Bm25().fit(docs).score(["dog barked loudly", "zebra"])
    assert scores.shape == (2, 3)
    assert int(np.argmax(scores[0])) == 1
    assert scores[0, 0] == 0.0
    assert not scores[1].any()


def test_bm25_and_match_survive_a_corpus_of_stop_words():
    scores = Bm25().fit(["the", "a"]).score(["the cat"])
    assert scores.tolist() == [[0.0, 0.0]]
    out = match([{"id": "a", "text": "x"}], [{"id": "q", "text": "the"}], 3, bag_embed,
                MatchSettings(cross_encoder=False))
    assert [m["id"] for m in out[0]["matches"]] == ["a"]


def test_fusion_mixes_normalised_bm25_into_dense():
    dense = np.array([[0.50, 0.48, 0.10]], dtype=np.float32)
    lexical = np.array([[0.0, 4.0, 2.0]], dtype=np.float32)
    mixed = fuse(dense, lexical, MatchSettings(fusion="mix", lexical_weight=0.5))
    np.testing.assert_allclose(mixed, [[0.50, 0.98, 0.35]], rtol=1e-6)
    rrf = fuse(dense, lexical, MatchSettings(fusion="rrf", rrf_k=1))
    np.testing.assert_allclose(rrf, [[1 / 2 + 1 / 4, 1 / 3 + 1 / 2, 1 / 4 + 1 / 3]], rtol=1e-6)
    assert fuse(dense, lexical, MatchSettings(fusion="dense")) is dense


def test_match_ranks_the_repeated_claim_first_on_a_tiny_corpus():
    corpus = [{"id": "c1", "text": "Bushfires in Australia killed millions of animals."},
              {"id": "c2", "text": "A senator voted against border funding."},
              {"claim_id": "c3", "text": "Butterflies survived the Australian fires in a wombat hole."}]
    queries = [{"id": "q1", "text": "Butterflies survive in a wombat hole! #AustralianFires "
                                    "pic.twitter.com/abc — Bio (@bio) January 14, 2020"},
               {"id": "q2", "text": "@SenRonJohnson voted against #BorderFunding"}]
    out = match(corpus, queries, 2, bag_embed, MatchSettings(cross_encoder=False))
    assert [r["query_id"] for r in out] == ["q1", "q2"]
    assert out[0]["matches"][0]["id"] == "c3"
    assert out[1]["matches"][0]["id"] == "c2"
    assert len(out[0]["matches"]) == 2
    assert out[0]["matches"][0]["score"] >= out[0]["matches"][1]["score"]


def test_match_leaves_out_non_claims_and_gives_each_match_its_text():
    corpus = [{"id": "q", "text": "Is the oil price cap cutting Moscow's revenue?", "is_claim": False},
              {"id": "c", "text": "The oil price cap cut Moscow's revenue.", "is_claim": True},
              {"id": "d", "text": "Wheat prices rose."}]
    settings = MatchSettings(rerank=False, cross_encoder=False)
    out = match(corpus, [{"id": "t", "text": "oil price cap revenue Moscow"}], 3, bag_embed, settings)
    assert [m["id"] for m in out[0]["matches"]] == ["c", "d"]
    assert out[0]["matches"][0]["text"] == "The oil price cap cut Moscow's revenue."
    everything = match(corpus, [{"id": "t", "text": "oil price cap"}], 3, bag_embed,
                       settings.model_copy(update={"only_claims": False}))
    assert {m["id"] for m in everything[0]["matches"]} == {"q", "c", "d"}


def test_a_row_is_not_its_own_match_and_matches_say_where_they_come_from():
    corpus = [{"id": "c", "text": "The oil price cap cut Moscow's revenue.", "doc_id": "d1", "outlet": "RT",
               "source_type": "state_media", "prediction": "kremlin_framing", "speaker": None},
              {"id": "d", "text": "Moscow's revenue fell under the oil price cap.", "doc_id": "d2"},
              {"id": "e", "text": "Wheat prices rose."}]
    settings = MatchSettings(rerank=False, cross_encoder=False)
    # One file as corpus and queries: each query gets top_k matches, none of them itself.
    out = match(corpus, corpus, 2, bag_embed, settings)
    assert [[m["id"] for m in r["matches"]] for r in out] == [["d", "e"], ["c", "e"], ["c", "d"]] or \
        all(r["query_id"] not in {m["id"] for m in r["matches"]} and len(r["matches"]) == 2 for r in out)
    assert out[0]["query_text"] == corpus[0]["text"]
    first = out[1]["matches"][0]
    assert first == {"id": "c", "score": first["score"], "cosine": first["cosine"], "text": corpus[0]["text"],
                     "doc_id": "d1", "outlet": "RT", "source_type": "state_media",
                     "prediction": "kremlin_framing"}   # empty fields left out
    vectors = bag_embed([corpus[1]["text"], corpus[0]["text"]])
    assert first["cosine"] == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-4)
    assert -1 <= out[2]["matches"][0]["cosine"] <= 1
    # The same id with another text (two files numbered alike) is a different row: it stays.
    other = match(corpus, [{"id": "c", "text": "oil price cap revenue"}], 3, bag_embed, settings)
    assert "c" in {m["id"] for m in other[0]["matches"]}


def test_match_rejects_rows_without_ids_or_text():
    from corpus.errors import UserError

    with pytest.raises(UserError, match="corpus: row 2 has no id"):
        match([{"id": "a", "text": "x"}, {"text": "y"}], [{"id": "q", "text": "x"}], 1, bag_embed)
    with pytest.raises(UserError, match="queries: row 1 has no text"):
        match([{"id": "a", "text": "x"}], [{"id": "q", "text": " "}], 1, bag_embed)
    with pytest.raises(UserError, match="--top-k 0"):
        match([{"id": "a", "text": "x"}], [{"id": "q", "text": "x"}], 0, bag_embed)
    with pytest.raises(UserError, match="queries: no rows; give at least one query row"):
        match([{"id": "a", "text": "x"}], [], 1, bag_embed)
    with pytest.raises(UserError, match="corpus: rows 1 and 3 share the id 'a'; give every row its own id"):
        match([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}, {"claim_id": "a", "text": "z"}],
              [{"id": "q", "text": "x"}], 1, bag_embed)


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_blocked_search_equals_brute_force():
    corpus, queries = _unit(500, 16, 0), _unit(70, 16, 1)
    idx, val = search(queries, corpus, 7)
    full = queries @ corpus.T
    expect = np.argsort(-full, axis=1)[:, :7]
    np.testing.assert_array_equal(idx, expect)
    np.testing.assert_allclose(val, np.take_along_axis(full, expect, axis=1), rtol=1e-5)


def test_blocked_search_in_many_small_blocks_and_with_groups(monkeypatch):
    monkeypatch.setattr(neighbours, "_block_rows", lambda n, mb: 3)
    vecs = _unit(40, 8, 2)
    groups = np.arange(40) // 4  # ten documents of four rows
    idx, val = search(vecs, vecs, 5, query_groups=groups, corpus_groups=groups)
    full = vecs @ vecs.T
    full[groups[:, None] == groups[None, :]] = -np.inf
    expect = np.argsort(-full, axis=1)[:, :5]
    np.testing.assert_array_equal(idx, expect)
    assert (groups[idx] != groups[:, None]).all()


def test_search_pads_when_fewer_rows_than_k():
    vecs = _unit(3, 4, 3)
    idx, val = search(vecs, vecs, 5, query_groups=np.array([0, 0, 1]), corpus_groups=np.array([0, 0, 1]))
    assert idx[0].tolist()[1:] == [-1, -1, -1, -1] and idx[0, 0] == 2
    assert np.isneginf(val[0, 1:]).all()


def test_faiss_search_finds_near_duplicates():
    corpus = _unit(2000, 32, 4)
    queries = corpus[:50] + 0.01 * _unit(50, 32, 5)
    idx, _ = search(queries, corpus, 3, method="faiss")
    assert (idx[:, 0] == np.arange(50)).mean() >= 0.9
    groups = np.arange(2000)
    idx, val = search(corpus[:50], corpus, 3, query_groups=groups[:50], corpus_groups=groups, method="faiss")
    assert (idx != np.arange(50)[:, None]).all() and (idx >= 0).all()
    exact, _ = search(corpus[:50], corpus, 3, query_groups=groups[:50], corpus_groups=groups)
    assert np.mean([len(set(a) & set(b)) / 3 for a, b in zip(idx, exact)]) >= 0.9


def test_average_precision_at_5():
    assert average_precision_at(["a", "b", "c"], {"a"}) == 1.0
    assert average_precision_at(["x", "a"], {"a"}) == 0.5
    assert average_precision_at(["x", "y", "z", "w", "v", "a"], {"a"}) == 0.0
    assert average_precision_at(["a", "x", "b"], {"a", "b"}) == pytest.approx((1 + 2 / 3) / 2)


class FlatCross:
    """A cross-encoder stand-in with no opinion (every pair scores 0): the reranker's order stays."""

    def score(self, queries: list[str], claims: list[str]) -> np.ndarray:
        return np.zeros(len(claims), dtype=np.float32)


def test_match_cli_writes_one_line_per_query(tmp_path, monkeypatch, capsys):
    import models.cross_encoder

    monkeypatch.setattr(matching, "encoder_embed", lambda model, cache, progress: bag_embed)
    monkeypatch.setattr(models.cross_encoder, "load_cross_encoder", lambda directory=None: FlatCross())
    corpus = tmp_path / "claims.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "text": "Vaccines contain microchips."},
        {"id": "2", "text": "The moon landing was filmed in a studio."}]) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "t1", "text": "lol the moon landing was filmed in a studio #fake"}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["match", "--corpus", str(corpus), "--queries", str(queries), "--top-k", "1",
                 "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["query_id"] == "t1" and rows[0]["matches"][0]["id"] == "2"
    assert "wrote" in capsys.readouterr().out


def test_match_cli_bad_model_dir_is_one_line(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "1", "text": "x"}\n')
    code = main(["match", "--corpus", str(corpus), "--queries", str(corpus), "--out",
                 str(tmp_path / "o.jsonl"), "--model", str(tmp_path / "nomodel")])
    err = capsys.readouterr().err
    assert code != 0 and "nomodel: no such model directory" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()


def test_match_refuses_to_write_over_its_corpus_or_queries(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "1", "text": "Vaccines contain microchips."}\n')
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "t1", "text": "microchips in vaccines"}\n')
    for out, flag in ((corpus, "--corpus"), (queries, "--queries")):
        before = out.read_text()
        code = main(["match", "--corpus", str(corpus), "--queries", str(queries), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and f"is the {flag} file, which would be replaced" in err
        assert out.read_text() == before


def test_raw_weight_blends_the_uncleaned_query_back_in():
    corpus = ["The senator posted about her tax returns.", "The mayor was booed at the cup final."]
    query = ["Ask Ohio about my tax returns — Jane Senator (@JaneSenator) October 4, 2019"]
    dense_only = dict(fusion="dense", drop_signature=True)
    clean = Matcher(corpus, bag_embed, MatchSettings(raw_weight=0.0, **dense_only)).scores(query)
    raw = Matcher(corpus, bag_embed, MatchSettings(clean=False, fusion="dense")).scores(query)
    vectors = Matcher(corpus, bag_embed, MatchSettings(**dense_only)).vectors
    raw_vs_clean = bag_embed(query) @ vectors.T
    half = Matcher(corpus, bag_embed, MatchSettings(raw_weight=0.5, **dense_only)).scores(query)
    np.testing.assert_allclose(half, 0.5 * clean + 0.5 * raw_vs_clean, rtol=1e-6)
    assert raw.shape == half.shape


@pytest.mark.parametrize("rerank", [False, True])
def test_other_documents_keeps_each_query_from_its_own_document(rerank):
    corpus = [{"id": "a1", "text": "The oil price cap cut Moscow's revenue.", "doc_id": "d1"},
              {"id": "a2", "text": "Moscow's oil revenue fell under the price cap.", "doc_id": "d1"},
              {"id": "b1", "text": "The price cap on Russian oil cut revenue, analysts said.", "doc_id": "d2"},
              {"id": "c1", "text": "Wheat prices rose."}]
    settings = MatchSettings(rerank=rerank, cross_encoder=False)
    queries = [{"id": "q", "text": "The oil price cap cut Moscow's revenue.", "doc_id": "d1"},
               {"id": "r", "text": "oil price cap revenue"}]   # no doc_id: every row may match it
    out = match(corpus, queries, 3, bag_embed, settings, other_documents=True)
    assert [m["id"] for m in out[0]["matches"]][:1] == ["b1"]
    assert not {"a1", "a2"} & {m["id"] for m in out[0]["matches"]}
    assert {m["id"] for m in out[1]["matches"]} >= {"a1", "b1"}
    # Without the option the same document's rows come first.
    plain = match(corpus, queries, 3, bag_embed, settings)
    assert plain[0]["matches"][0]["id"] in {"a1", "a2"}


class CountingCross:
    """A cross-encoder stand-in that prefers longer claims and counts the pairs it reads."""

    def __init__(self) -> None:
        self.pairs = 0

    def score(self, queries: list[str], claims: list[str]) -> np.ndarray:
        self.pairs += len(claims)
        return np.array([len(c) for c in claims], dtype=np.float32)


def test_cross_encoder_reads_at_most_cross_max_rows_and_small_k_is_unchanged():
    from models.matcher import CROSS_MAX

    corpus = [f"oil price cap claim number {i} " + "word " * (i % 13) for i in range(120)]
    queries = ["oil price cap claim", "claim number 7"]
    settings = MatchSettings(cross_encoder=True, rerank_depth=30)
    cross = CountingCross()
    matcher = Matcher(corpus, bag_embed, settings, cross_encoder=cross)
    idx, scores = matcher.top(queries, 200)
    assert cross.pairs == 2 * CROSS_MAX and idx.shape == (2, 120)   # not 2 x 120 model passes
    assert all(len(set(row)) == 120 for row in idx)
    assert (np.diff(scores, axis=1) <= 0).all()                    # one order, best first
    # below the cross-encoded rows: the reranker's order (its top 120 rows)
    ranked, _ = Matcher(corpus, bag_embed, MatchSettings(cross_encoder=False, rerank_depth=30)).top(queries, 120)
    assert [list(r[CROSS_MAX:]) for r in idx] == [list(r[CROSS_MAX:]) for r in ranked]
    # k <= 10: cross_depth (10) rows, the blend as before
    from models.cross_encoder import blend

    cross.pairs = 0
    top3, s3 = matcher.top(queries, 3)
    plain = Matcher(corpus, bag_embed, MatchSettings(cross_encoder=False, rerank_depth=30))
    head, raw = (a[:, :10] for a in plain.reranked(queries, 30))   # the same 30 candidates, reranked
    mixed = blend(raw, np.array([[len(matcher.texts[j]) for j in r] for r in head], dtype=np.float32), 0.75)
    order = np.argsort(-mixed, axis=1, kind="stable")[:, :3]
    assert cross.pairs == 20 and np.array_equal(top3, np.take_along_axis(head, order, axis=1))
    np.testing.assert_allclose(s3, np.take_along_axis(mixed, order, axis=1), rtol=1e-5)


def test_a_model_trained_again_into_its_directory_gets_a_new_cache_key(tmp_path):
    import os

    from models.matching import model_key

    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"a" * 10)
    first = model_key(tmp_path)
    assert model_key(tmp_path) == first
    (tmp_path / "model.safetensors").write_bytes(b"b" * 11)
    os.utime(tmp_path / "model.safetensors", ns=(1, 1))
    assert model_key(tmp_path) != first
