"""Weak labellers, their applier and table, and the combined probabilities (stand-in encoder;
the real MiniLM only in the ``slow`` test)."""

from __future__ import annotations


import numpy as np
import pytest

from models.bootstrap import Bootstrap
from models.end_model import WORD_DIM, fit_softmax_regression, word_features
from models.labellers import (CueMatcher, apply_labellers, build_labellers, cue_group_labeller,
                              source_type_labeller)
from models.schemes import load_scheme


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("kremlin_framing")


def test_cue_matcher_whole_words_wildcards_acronyms_and_compounds():
    m = CueMatcher(["Kiev regime", "Russophob*", "SMO", "Kremlin", "Russia's invasion"])
    assert m.search("The Kiev  regime fired first.")
    assert m.search("Rampant RUSSOPHOBIA in Europe")
    assert m.search("Goals of the SMO are met")
    assert not m.search("Smog over the city")          # acronyms are case-sensitive, whole words
    assert not m.search("a pro-Kremlin channel")       # not inside a hyphenated compound
    assert m.search("Russia\u2019s invasion began")      # curly apostrophes count as straight ones
    assert not m.search("Kievan Rus history")
    assert CueMatcher(["re:\\bclaims\\b"]).search("the paper claims") and not CueMatcher([]).search("x")


def test_cue_group_votes_the_label_whose_spelling_occurs_and_abstains_on_both(scheme):
    kiev = cue_group_labeller("kiev_spelling", {"kremlin_framing": ["Kiev"], "independent_reporting": ["Kyiv"]}, 0.9)
    assert kiev({"text": "Kiev's forces retreated"}) == "kremlin_framing"
    assert kiev({"text": "Kyiv says it will talk"}) == "independent_reporting"
    assert kiev({"text": "Kiev (Kyiv) is the capital"}) is None
    assert kiev({"text": "Nothing here"}) is None


def test_source_type_is_a_distant_label_only_for_document_voices(scheme):
    lf = source_type_labeller(scheme, 0.8)
    base = {"text": "x", "source_type": "kremlin_framing"}
    assert lf({**base, "speaker": "author"}) == "kremlin_framing"
    assert lf({**base, "speaker": "blogger"}) == "kremlin_framing"
    assert lf({**base, "speaker": "interviewee"}) == "kremlin_framing"
    assert lf({**base, "speaker": "quoted"}) is None
    assert lf({**base, "speaker": "commenter"}) is None
    assert lf({"text": "x", "source_type": "kremlin_framing"}) is None
    assert lf({"text": "x", "speaker": "author", "source_type": "state_media"}) == "kremlin_framing"
    assert lf({"text": "x", "speaker": "author", "source_type": "blog"}) is None


def test_applier_builds_the_label_matrix(scheme):
    labellers = build_labellers(scheme)
    names = [lab.name for lab in labellers]
    assert names[:3] == ["cues:kremlin_framing", "cues:independent_reporting", "cues:neutral"]
    assert "kiev_spelling" in names and "source_type" in names
    rows = [{"text": "The Kiev regime is shelling Donetsk."},
            {"text": "Russia's full-scale invasion, according to the UN, displaced millions."},
            {"text": "Nothing to see."}]
    matrix = apply_labellers(labellers, rows, scheme)
    kiev = names.index("kiev_spelling")
    assert matrix.shape == (3, len(labellers))
    assert matrix[0, 0] == 0 and matrix[0, kiev] == 0
    assert matrix[1, 1] == -1 and matrix[1, names.index("attribution")] == 1
    assert matrix[1, names.index("war_vocabulary")] == 1
    assert (matrix[2] == -1).all()


def test_predict_proba_rows_sum_to_one_and_follow_the_cues(scheme, bag_encoder):
    boot = Bootstrap(scheme, encoder=bag_encoder)
    rows = [{"text": "The Kiev regime and its Western curators staged a provocation."},
            {"text": "Russia's full-scale invasion of Ukraine displaced millions, according to the UN."},
            {"text": "Talks will resume on Tuesday."}]
    probs = boot.predict_proba(rows)
    assert probs.shape == (3, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    assert probs[0, 0] > 0.9 and probs[1, 1] / probs[1, :2].sum() > 0.9
    assert probs[1].argmax() == 1 and probs[1, 1] > 0.8  # "according to" is sourcing: it does not argue against neutral
    assert boot.predict_proba([]).shape == (0, 3)
    assert boot.version.startswith("bootstrap-") and boot.version.endswith(scheme.version)


def test_neutral_evidence_decides_neutral_and_leaves_the_sides_as_they_were(scheme, bag_encoder):
    assert scheme.combiner.neutral_evidence is not None
    boot = Bootstrap(scheme, encoder=bag_encoder)
    without = scheme.model_copy(update={"combiner": scheme.combiner.model_copy(update={"neutral_evidence": None})})
    plain = Bootstrap(without, encoder=bag_encoder)
    rows = [{"text": "The Kiev regime and its Western curators staged a provocation.", "reason": "claim"},
            {"text": "The delegation arrived in Geneva.", "reason": "claim"},
            {"text": "The delegation arrived in Geneva.", "reason": "fragment"},
            {"text": "The delegation arrived in Geneva?", "reason": "claim"},
            {"text": "The delegation arrived in Geneva."}]
    probs, before = boot.predict_proba(rows), plain.predict_proba(rows)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    share = probs[:, 2]
    assert share[0] < 0.1 < share[1]              # a framing cue speaks against neutral
    assert share[2] > share[1] and share[3] > share[1]   # so do a non-statement and a question, for it
    assert share[4] == pytest.approx(share[1])     # no reason given: the text alone decides
    # Which side a claim leans to does not move: kremlin vs independent as without the evidence.
    np.testing.assert_allclose(probs[:, 0] / probs[:, :2].sum(axis=1), before[:, 0] / before[:, :2].sum(axis=1),
                               rtol=1e-9)


def test_a_sentence_in_another_script_is_not_english_whichever_way_it_arrives(scheme, bag_encoder):
    """Only `stance claims` marked a Russian sentence ``not_english``: from a `text`/`label` file
    (`stance evaluate --model bootstrap`, `stance prelabel`) it was read as English and took a side
    (QA qa22: all six Russian rows of an evaluation set). The bootstrap now finds it as the claims step
    does; a Latin sentence naming a place in Cyrillic stays English, and a reason given is kept."""
    from models.bootstrap import row_reason

    russian = "Санкции работают, " \
              "и это хорошо."   # "Sanctions work, and that is good."
    assert row_reason({"text": russian}) == "not_english"
    assert row_reason({"text": russian, "reason": "claim"}) == "claim"
    assert row_reason({"text": "Shelling hit Харків overnight, officials said."}) is None
    assert row_reason({"text": "The delegation arrived."}) is None and row_reason({"text": None}) is None
    for settings in (scheme, scheme.model_copy(update={"combiner": scheme.combiner.model_copy(   # both evidences
            update={"neutral_evidence": None})})):
        boot = Bootstrap(settings, encoder=bag_encoder)
        plain, marked = boot.predict_proba([{"text": russian}]), boot.predict_proba([{"text": russian,
                                                                                     "reason": "not_english"}])
        np.testing.assert_allclose(plain, marked, rtol=1e-12)
        assert plain[0].argmax() == scheme.index(scheme.neutral)


def test_neutral_share_adds_each_piece_of_evidence_at_its_weight(scheme):
    boot = Bootstrap(scheme, encoder=object())  # neutral_share needs no encoder
    w = scheme.combiner.neutral_evidence
    state = {"speaker": "author", "source_type": "kremlin_framing"}
    rows = [{"text": "The delegation arrived in Geneva.", **state},                     # the source type's vote: not counted
            {"text": "During the special military operation the Kiev regime shelled Donbass.", **state},
            {"text": "The delegation arrived in Geneva", "reason": "question"},
            {"text": "Did the delegation arrive?\u201d"},                               # "?" before a closing quote
            {"text": "Question:", "reason": "speaker_marker"},
            {"text": "By Jane Roe", "reason": "byline"},
            {"text": "The delegation arrived in Geneva.", "speaker": "author", "source_type": "neutral"},
            {"text": "The delegation arrived in Geneva.", "reason": ["question"]},     # not a reason: ignored
            {"text": "The delegation arrived in Geneva, according to the ministry."}]  # sourcing, not framing
    matrix = boot.apply(rows)
    names = [lab.name for lab in boot.labellers]
    assert matrix[0, names.index("source_type")] == 0 and matrix[6, names.index("source_type")] == 2
    sided = sum(1 for j, name in enumerate(names) if name != "source_type" and matrix[1, j] in (0, 1))
    assert sided == 4  # four labellers vote a side; two are counted
    assert "attribution" in w.not_framing and matrix[8, names.index("attribution")] == 1
    sims = np.zeros((len(rows), 3))
    z = np.array([w.bias, w.bias + 2 * w.framed_cue, w.bias + w.question, w.bias + w.question,
                  w.bias + w.not_a_statement, w.bias + w.not_a_statement, w.bias + w.neutral_vote, w.bias, w.bias])
    np.testing.assert_allclose(boot.neutral_share(rows, matrix, sims), 1 / (1 + np.exp(-z)), rtol=1e-12)
    sims[:, 2] = scheme.similarity.temperature  # neutral's score one temperature above the others'
    np.testing.assert_allclose(boot.neutral_share(rows, matrix, sims), 1 / (1 + np.exp(-(z + w.similarity))),
                               rtol=1e-12)
    counted = scheme.model_copy(update={"combiner": scheme.combiner.model_copy(
        update={"neutral_evidence": w.model_copy(update={"not_framing": []})})})
    assert Bootstrap(counted, encoder=object()).neutral_share(rows[8:], matrix[8:], sims[8:])[0] == pytest.approx(
        1 / (1 + np.exp(-(w.bias + w.framed_cue + w.similarity))), rel=1e-12)


def test_without_embeddings_the_neutral_evidence_is_not_used(scheme):
    # The plain log-odds: no neutral_evidence block and no statement evidence either.
    without = scheme.model_copy(update={"combiner": scheme.combiner.model_copy(
        update={"neutral_evidence": None, "statement_evidence": None})})
    rows = [{"text": "Question:", "reason": "speaker_marker"}, {"text": "The Kiev regime fell."}]
    cues_only = Bootstrap(scheme, exclude=["similarity", "end_model"])
    assert not cues_only.needs_encoder
    np.testing.assert_allclose(cues_only.predict_proba(rows),
                               Bootstrap(without, exclude=["similarity", "end_model"]).predict_proba(rows))


def test_a_two_label_model_blended_with_the_bootstrap_keeps_its_sides(scheme, bag_encoder):
    from models.classifier import blend

    without = scheme.model_copy(update={"combiner": scheme.combiner.model_copy(update={"neutral_evidence": None})})
    rows = [{"text": t, "reason": r} for t, r in [("The Kiev regime shelled Donetsk.", "claim"),
                                                  ("Kyiv said Russia's invasion had failed.", "claim"),
                                                  ("Question:", "speaker_marker"),
                                                  ("Talks resume on Tuesday.", "claim")]]
    p_new, p_old = Bootstrap(scheme, encoder=bag_encoder).predict_proba(rows), \
        Bootstrap(without, encoder=bag_encoder).predict_proba(rows)
    p_model = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    g = np.array([1.0, 0.5, 0.0, 0.25])
    known = np.array([0, 1])
    new, old = blend(p_model, p_new, known, g, 0.0), blend(p_model, p_old, known, g, 0.0)
    np.testing.assert_allclose(new[:, 2], np.clip(p_new[:, 2], 1e-6, 1) / np.clip(p_new, 1e-6, 1).sum(axis=1) * (1 - g))
    np.testing.assert_allclose(new[:, :2] / new[:, :2].sum(axis=1, keepdims=True),
                               old[:, :2] / old[:, :2].sum(axis=1, keepdims=True), atol=1e-6)
    assert new[2].argmax() == 2  # out of domain, a speaker marker is neutral


def test_excluding_the_kiev_cue_removes_that_labeller_and_changes_the_version(scheme, bag_encoder):
    full = Bootstrap(scheme, encoder=bag_encoder)
    without = Bootstrap(scheme, encoder=bag_encoder, exclude=["kiev_spelling"])
    assert "kiev_spelling" not in [lab.name for lab in without.labellers]
    assert without.version == full.version + "-kiev_spelling"
    row = [{"text": "Shelling hit Kiev overnight."}]
    assert full.predict_proba(row)[0, 0] > without.predict_proba(row)[0, 0]


def test_labeller_table_coverage_overlaps_conflicts_and_accuracy(scheme, bag_encoder):
    boot = Bootstrap(scheme, encoder=bag_encoder, exclude=["similarity"])
    rows = [{"text": "Kiev regime troops fled.", "label": "kremlin_framing"},
            {"text": "Kyiv residents sheltered, officials said.", "label": "independent_reporting"},
            {"text": "Kiev says the war goes on.", "label": "independent_reporting"},
            {"text": "Lunch is at noon.", "label": "neutral"}]
    table = boot.labeller_table(rows).set_index("labeller")
    kiev = table.loc["kiev_spelling"]
    assert kiev["coverage"] == 0.75
    assert (kiev["correct"], kiev["incorrect"]) == (2, 1)
    assert kiev["accuracy"] == pytest.approx(2 / 3)
    # Row 3: Kiev (kremlin) against "war" (independent): an overlap and a conflict.
    assert kiev["conflicts"] == 0.25
    assert table.loc["cues:kremlin_framing", "coverage"] == 0.25
    assert table.loc["source_type", "coverage"] == 0.0
    assert "similarity" not in table.index
    no_gold = boot.labeller_table([{"text": "Kiev"}])
    assert "accuracy" not in no_gold.columns


def test_softmax_regression_separates_clear_classes():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8, dtype=np.float32)
    y = np.repeat(np.arange(3), 30)
    x = centres[y] + 0.2 * rng.standard_normal((90, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    w, b = fit_softmax_regression(x, y, 3, c=10.0)
    assert ((x @ w + b).argmax(axis=1) == y).mean() > 0.95



def test_softmax_regression_sparse_columns_fit_as_dense_ones():
    from scipy import sparse

    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 20)
    dense = rng.standard_normal((60, 6)).astype(np.float32) / 4
    words = (rng.random((60, 40)) < 0.1).astype(np.float32) / 2
    w_joint, b_joint = fit_softmax_regression(np.hstack([dense, words]), y, 3, c=5.0)
    w_split, b_split = fit_softmax_regression(dense, y, 3, c=5.0, x_sparse=sparse.csr_matrix(words))
    np.testing.assert_allclose(w_split, w_joint, atol=1e-5)
    np.testing.assert_allclose(b_split, b_joint, atol=1e-5)


def test_word_features_are_unit_rows_times_weight():
    features = word_features(["Kyiv said so.", "", "Kyiv said so."], weight=2.0)
    assert features.shape == (3, WORD_DIM)
    norms = np.sqrt(np.asarray(features.multiply(features).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [2.0, 0.0, 2.0], rtol=1e-6)
    assert (features[0] != features[2]).nnz == 0

# Self-written sentences (not from any dataset): pro-Kremlin narratives and statements rebutting them.
NARRATIVES = [
    "The collective West is using Ukraine to wage a proxy war against Russia.",
    "Neo-Nazis seized power in Kiev in a coup paid for by Washington.",
    "NATO's expansion to the east forced Moscow to act.",
    "American biolabs in Ukraine were making weapons aimed at Slavs.",
    "The Bucha footage was staged by Ukrainian provocateurs.",
    "Sanctions are an economic war that only hurts ordinary Europeans.",
    "Russophobic Western governments want to cancel Russian culture.",
]
REBUTTALS = [
    "There is no evidence of US-run bioweapons laboratories in Ukraine.",
    "Russia's full-scale invasion was not provoked by NATO, which had no plans to admit Ukraine.",
    "Independent investigators documented that Russian soldiers killed civilians in Bucha.",
    "The claim that Ukraine is ruled by neo-Nazis is a recurring pro-Kremlin disinformation narrative.",
    "Satellite images contradict Moscow's account of when the bodies appeared.",
    "The sanctions were imposed in response to Russia's war of aggression against Ukraine.",
    "Fact-checkers found the video was filmed years before the war.",
]


@pytest.mark.slow
def test_real_encoder_separates_narratives_from_rebuttals(scheme):
    boot = Bootstrap(scheme)
    rows = [{"text": t} for t in NARRATIVES + REBUTTALS]
    gold = np.array([0] * len(NARRATIVES) + [1] * len(REBUTTALS))
    pred = boot.predict_proba(rows)[:, :2].argmax(axis=1)
    f1 = []
    for label in (0, 1):
        tp = ((pred == label) & (gold == label)).sum()
        f1.append(2 * tp / (2 * tp + ((pred == label) & (gold != label)).sum() + ((pred != label) & (gold == label)).sum()))
    assert np.mean(f1) >= 0.8


def test_statement_evidence_makes_non_statements_neutral_in_any_scheme_and_leaves_statements(bag_encoder):
    # favor_against has a neutral label and no neutral_evidence block: the claims step's reason decides.
    scheme = load_scheme("favor_against")
    assert scheme.combiner.neutral_evidence is None and scheme.statement_evidence is not None
    off = scheme.model_copy(update={"combiner": scheme.combiner.model_copy(update={"statement_evidence": None})})
    rows = [{"text": "Tougher sanctions must stay until Russia withdraws.", "reason": "claim"},
            {"text": "What about the frozen central bank reserves?", "reason": "question"},
            {"text": "Brussels, 10 March 2026", "reason": "dateline"},
            {"text": "## Comments", "reason": "heading"},
            {"text": "Nonsense.", "reason": "fragment"},
            {"text": "Lift the sanctions", "reason": "fragment"},   # a side's cue outweighs the reason
            {"text": "Why keep the sanctions?"},                      # no reason: the "?" says question
            {"text": "The ministers will discuss aid to Ukraine.", "reason": "opinion"},
            {"text": "| Kursk | 2 dead | 5 injured |", "reason": "table"}]
    probs = Bootstrap(scheme, encoder=bag_encoder).predict_proba(rows)
    before = Bootstrap(off, encoder=bag_encoder).predict_proba(rows)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    w = scheme.combiner.statement_evidence
    none = scheme.index("none")
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.testing.assert_allclose(probs[[1, 6], none], sig(w.question), rtol=1e-9)
    np.testing.assert_allclose(probs[[2, 3, 4, 8], none], sig(w.not_a_statement), rtol=1e-9)
    assert probs[5, none] == pytest.approx(sig(w.not_a_statement + w.side_cue))
    assert probs[5].argmax() == scheme.index("against")
    # Statements keep exactly what the labellers give; the sides keep their proportions everywhere.
    np.testing.assert_array_equal(probs[[0, 7]], before[[0, 7]])
    np.testing.assert_allclose(probs[:, 0] / probs[:, :2].sum(axis=1), before[:, 0] / before[:, :2].sum(axis=1),
                               rtol=1e-9)
    # The labeller table shows it as a labeller voting neutral where it tips a row there.
    table = Bootstrap(scheme, encoder=bag_encoder).labeller_table(rows).set_index("labeller")
    assert table.loc["statement_evidence", "polarity"] == "none"
    assert table.loc["statement_evidence", "coverage"] == pytest.approx(6 / 9)


def test_statement_evidence_is_not_used_beside_a_neutral_evidence_block_or_without_a_neutral_label(scheme):
    assert scheme.statement_evidence is None            # kremlin_framing has its fitted block
    boot = Bootstrap(scheme, encoder=object())
    rows = [{"text": "## Comments", "reason": "heading"}]
    assert np.isnan(boot.statement_share(rows, boot.apply(rows))).all()
    two = load_scheme("favor_against")
    two = two.model_copy(update={"neutral": None})
    assert two.statement_evidence is None


def test_a_cache_it_cannot_write_costs_the_anchors_time_only(scheme, bag_encoder, tmp_path):
    """The scheme's embeddings are kept beside the encoder's graph; where that folder cannot be written
    (a read-only cache, here a file where its folder would be) stance prelabel --model stopped with
    'cannot write .../anchors/KEY.npy; choose another output path'."""
    (tmp_path / "onnx").write_text("not a folder")
    bag_encoder.onnx_path = tmp_path / "onnx" / "encoder.onnx"
    boot = Bootstrap(scheme, bag_encoder)
    desc, examples = boot._anchor_embeddings()
    assert len(desc) == len(scheme.labels) and [len(e) for e in examples] == [len(lab.examples) for lab in scheme.labels]
    np.testing.assert_array_equal(desc, bag_encoder.encode([lab.description for lab in scheme.labels]))
