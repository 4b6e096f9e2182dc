"""Fine-tuning: data loading and splits (fast), then one tiny training run end to end (slow)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import UserError
from models.classifier import blend, gate, in_domain_probability
from models.data import load_labelled, normalise_spelling, split_by_document, split_unit

KREMLIN = [
    "The Kiev regime shelled residential areas of Donetsk with Western weapons, the ministry said.",
    "The special military operation will continue until all its goals are achieved.",
    "The collective West is waging a hybrid war against Russia.",
    "Russophobia has become the official ideology of Western governments.",
    "Western curators push Zelensky to reject peace talks.",
    "Kiev staged a provocation in Bucha to discredit the Russian army.",
    "Russian forces liberated another settlement in Donbass.",
    "Ukrainian nationalists use civilians as human shields in Mariupol.",
    "NATO expansion provoked the conflict in Ukraine.",
    "The Anglo-Saxons are fighting Russia to the last Ukrainian.",
    "Foreign mercenaries were eliminated near Kharkov, the Defense Ministry said.",
    "Western media spread fakes about the liberation of Donbass.",
    "The neo-Nazi battalions of the Kiev regime mined the theatre.",
    "Illegal Western sanctions have backfired on European consumers.",
    "Moscow warned that arms supplies to Kiev make NATO a party to the conflict.",
    "The referendums in Donbass reflected the free will of the people.",
]
INDEPENDENT = [
    "Russian forces shelled a residential building in Kharkiv overnight, Ukrainian officials said.",
    "Russia's full-scale invasion of Ukraine has driven millions from their homes.",
    "Satellite images show bodies in the streets of Bucha while Russian troops occupied the town.",
    "There is no evidence that the laboratories in Ukraine made biological weapons.",
    "Zelenskyy urged allies to send more air defence systems, his office said in a statement.",
    "Investigators documented torture in areas that had been under Russian occupation.",
    "The UN human rights office has documented thousands of civilian deaths since the invasion.",
    "Russia illegally annexed four Ukrainian regions after sham referendums.",
    "Exiled Russian journalists continue to report on the war from abroad.",
    "Ukraine's forces recaptured Kherson after months of Russian occupation, officials told Reuters.",
    "The International Criminal Court issued an arrest warrant over the deportation of children.",
    "Amnesty International said a Russian air strike destroyed the theatre in Mariupol.",
    "Fact-checkers found the video had been filmed years before the war in Kyiv.",
    "Moscow-backed separatists seized parts of Donetsk and Luhansk in 2014.",
    "The Kremlin has blocked independent media since the war began, according to rights groups.",
    "Russian-installed officials announced a vote in the occupied region of Zaporizhzhia.",
]


def _rows() -> list[dict]:
    rows = [{"id": f"k{i}", "text": t, "label": "kremlin_framing", "doc_id": f"dk{i // 2}"}
            for i, t in enumerate(KREMLIN)]
    rows += [{"id": f"i{i}", "text": t, "label": "independent_reporting", "doc_id": f"di{i // 2}"}
             for i, t in enumerate(INDEPENDENT)]
    return rows


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_split_keeps_documents_whole_and_is_seeded() -> None:
    rows = _rows()
    train, val = split_by_document(rows, 0.25, seed=3)
    assert set(train).isdisjoint(val) and len(train) + len(val) == len(rows)
    docs = lambda idx: {rows[i]["doc_id"] for i in idx}  # noqa: E731
    assert docs(train).isdisjoint(docs(val))
    assert {rows[i]["label"] for i in val} == {"kremlin_framing", "independent_reporting"}
    assert split_by_document(rows, 0.25, seed=3) == (train, val)


def test_load_labelled_names_the_bad_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", [{"text": "a", "label": "kremlin_framing"}, {"text": "b"}])
    with pytest.raises(UserError, match=r"d\.jsonl:2: no label"):
        load_labelled(path)
    path = _write(tmp_path / "e.jsonl", [{"text": "a", "label": "pro"}])
    with pytest.raises(UserError, match=r"e\.jsonl:1: label 'pro' is not in the scheme"):
        load_labelled(path, ["kremlin_framing", "independent_reporting", "neutral"])


def test_load_labelled_reads_a_dataset_directory(tmp_path: Path) -> None:
    import datasets

    features = datasets.Features({"text": datasets.Value("string"), "doc_id": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["kremlin_framing", "independent_reporting"])})
    ds = datasets.Dataset.from_dict({"text": ["x one", "y two"], "doc_id": ["a", "b"], "label": [1, 0]},
                                    features=features)
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "pulled"))
    rows = load_labelled(tmp_path / "pulled")
    assert [(r["text"], r["label"], r["doc_id"]) for r in rows] == [
        ("x one", "independent_reporting", "a"), ("y two", "kremlin_framing", "b")]
    # The folder `stance pull --out` wrote stands for its dataset; any other folder is one clear line.
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "pull" / "dataset"))
    assert [r["text"] for r in load_labelled(tmp_path / "pull")] == ["x one", "y two"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"empty: not a dataset directory from `stance pull` .*give the pull's folder"):
        load_labelled(tmp_path / "empty")
    # A ClassLabel's -1 is "no label": said so, not "label '-1' is not in the scheme; pass --scheme".
    unlabelled = datasets.Dataset.from_dict({"text": ["x one", "y two"], "doc_id": ["a", "b"], "label": [1, -1]},
                                            features=features)
    unlabelled.save_to_disk(str(tmp_path / "unlabelled"))
    with pytest.raises(UserError, match=r"unlabelled row 2: no label; every row needs a 'label' field"):
        load_labelled(tmp_path / "unlabelled", ["kremlin_framing", "independent_reporting", "neutral"])


def test_load_labelled_reads_the_pulled_parquet_and_keeps_its_test_split(tmp_path: Path) -> None:
    import pandas as pd

    from models.data import test_split

    pd.DataFrame({"text": ["x one", "y two", "z three"], "label": ["kremlin_framing", "neutral", "neutral"],
                  "split": ["train", "train", "test"]}).to_parquet(tmp_path / "labels.parquet")
    rows = load_labelled(tmp_path / "labels.parquet", ["kremlin_framing", "independent_reporting", "neutral"])
    rest, test = test_split(rows)
    assert [r["text"] for r in rest] == ["x one", "y two"] and [r["text"] for r in test] == ["z three"]
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(UserError, match=r"bad.parquet: not a readable Parquet file .*give the labels.parquet"):
        load_labelled(tmp_path / "bad.parquet")


def test_spelling_normalisation() -> None:
    assert normalise_spelling("Kiev's forces left Kiev; Kievan Rus") == "Kyiv's forces left Kyiv; Kyivan Rus"
    assert normalise_spelling("Kievskaya station") == "Kievskaya station"


def test_blend_follows_the_gate() -> None:
    p_model = np.array([[0.99, 0.01], [0.99, 0.01]])
    p_boot = np.array([[0.2, 0.7, 0.1], [0.2, 0.7, 0.1]])
    out = blend(p_model, p_boot, np.array([0, 1]), np.array([1.0, 0.0]), weight=0.5)
    assert np.allclose(out.sum(axis=1), 1.0)
    assert out[0].argmax() == 0 and out[0, 2] == 0.0          # in domain: the model leads
    assert np.allclose(out[1], p_boot[1], atol=1e-6)          # out of domain: the bootstrap alone
    p_in = in_domain_probability(np.array([[1.0, 0.0], [0.0, 1.0]]), {"coef": [2.0, -2.0], "intercept": 0.0})
    assert np.allclose(p_in, [1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))])
    assert np.allclose(gate(np.array([0.1, 0.5, 0.9]), 0.3, 0.7), [0.0, 0.5, 1.0])



def test_gate_reads_words_when_fitted_with_them() -> None:
    from models.end_model import WORD_DIM, word_features

    texts = ["Kyiv said so on Monday", "a claim of another kind"]
    words = word_features(texts[:1], 1.0).toarray()[0]
    domain = {"coef": [0.0, 0.0] + list(3.0 * words), "intercept": -1.0, "words": 1.0}
    assert len(domain["coef"]) == 2 + WORD_DIM
    p_in = in_domain_probability(np.zeros((2, 2)), domain, texts)
    assert p_in[0] > 0.85 and abs(p_in[1] - 1 / (1 + np.e)) < 0.05
    with pytest.raises(ValueError, match="texts"):
        in_domain_probability(np.zeros((2, 2)), domain)


def test_gate_anchors_hold_every_scheme_and_the_sample_sentences() -> None:
    from models.schemes import load_scheme
    from models.blending import gate_anchors

    scheme = load_scheme("kremlin_framing")
    with_background = gate_anchors(scheme)
    without = gate_anchors(scheme, background=False)
    assert scheme.labels[0].description.strip() in without
    assert load_scheme("favor_against").labels[0].examples[0] in without
    assert len(with_background) > len(without) + 100  # the interview and the investigation
    assert len(set(with_background)) == len(with_background)


def test_the_gate_keeps_the_sample_corpus_as_anchors_unless_the_model_learns_from_it() -> None:
    from models.blending import anchors_for, gate_anchors
    from models.schemes import load_scheme

    scheme = load_scheme("kremlin_framing")
    plain, full = gate_anchors(scheme, background=False), gate_anchors(scheme)
    sample = [a for a in full if a not in plain][:3]
    other = [{"text": f"Grain prices rose by {n} percent on Monday."} for n in range(20)]
    assert anchors_for(scheme, other) == full
    assert anchors_for(scheme, other + [{"text": sample[0]}]) == full   # one sample sentence among many: kept
    spaced = [{"text": "  " + a.replace(" ", "\n", 1)} for a in sample]  # spaces aside
    assert anchors_for(scheme, other[:5] + spaced) == plain
    assert anchors_for(scheme, spaced, background=False) == plain


def _gated_classifier(**config: object):
    """A two-label StanceClassifier with no network, its gate in the classifier's feature space."""
    from models.classifier import StanceClassifier

    class Net:
        def eval(self) -> None:
            pass

    domain = {"coef": [10.0, 0.0], "intercept": 0.0, "gate_low": 0.2, "gate_high": 0.5, "space": "classifier"}
    return StanceClassifier(Net(), None, {
        "labels": ["kremlin_framing", "independent_reporting"], "version": "v1",
        "scheme_labels": ["kremlin_framing", "independent_reporting", "neutral"],
        "blend": {"enabled": True, "temperature": 1.0, "bootstrap_weight": 0.0, "domain": domain}, **config})


class _Bootstrap:
    """A stand-in bootstrap that records the rows handed to it (``evidence``, a chunk at a time) and
    gives ``probs``' first rows for them all (``combine``)."""

    def __init__(self, probs: np.ndarray) -> None:
        self.probs, self.seen = probs, []

    def evidence(self, rows, store, embeddings=None):
        self.seen.append(rows)
        return len(rows)

    def combine(self, parts, store):
        return self.probs[:sum(parts)]


def test_bootstrap_runs_only_where_the_gate_lets_it_speak() -> None:
    clf = _gated_classifier()
    logits = np.array([[2.0, 0.0], [2.0, 0.0]], dtype=np.float32)
    features = np.array([[1.0, 0.0], [-1.0, 0.0]], dtype=np.float32)  # in domain, far from it
    clf.outputs = lambda texts, batch_size=64: (logits, features)  # type: ignore[method-assign]
    boot = np.array([[0.1, 0.7, 0.2]])
    clf._bootstrap = stand_in = _Bootstrap(boot)
    rows = [{"text": "in"}, {"text": "out"}]
    proba = clf.predict_proba(rows)
    assert stand_in.seen == [[rows[1]]]  # one call, for the claim outside the domain only
    np.testing.assert_allclose(proba[0], [np.exp(2) / (np.exp(2) + 1), 1 / (np.exp(2) + 1), 0.0], rtol=1e-5)
    np.testing.assert_allclose(proba[1], boot[0], rtol=1e-5)


def test_a_heading_or_a_question_of_a_kind_never_trained_on_goes_to_the_bootstrap() -> None:
    clf = _gated_classifier(train_reasons=["claim"])
    rows = [{"text": "The regime fell.", "reason": "claim"}, {"text": "A:", "reason": "speaker_marker"},
            {"text": "Why?", "reason": "question"}, {"text": "By Jane Roe", "reason": "byline"},
            {"text": "The regime fell."}]
    features = np.tile([[1.0, 0.0]], (len(rows), 1)).astype(np.float32)   # every row written like the training claims
    assert clf.domain_gate(rows, features).tolist() == [1.0, 0.0, 0.0, 0.0, 1.0]
    clf.config["train_reasons"] = ["claim", "question"]   # trained on questions too: the network keeps them
    assert clf.domain_gate(rows, features).tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    del clf.config["train_reasons"]                        # a model from before the reasons were recorded
    assert clf.domain_gate(rows, features).tolist() == [1.0, 0.0, 0.0, 0.0, 1.0]


RUSSIAN = "Министр заявил, что мост будет открыт на следующей неделе."


def test_a_russian_row_without_the_claims_step_s_reason_goes_where_one_from_stance_claims_goes() -> None:
    """The bootstrap reads a row without a reason (a text/label file) as `stance claims` would mark it
    (``bootstrap.row_reason``: not_english); so do the gate and training's record of the reasons seen.
    The gate read only the reason field: the Russian row of a text/label file went to the network."""
    from models.training import train_reasons

    clf = _gated_classifier(train_reasons=["claim"])
    rows = [{"text": RUSSIAN}, {"text": RUSSIAN, "reason": "not_english"}, {"text": "Shelling hit Харків overnight."}]
    features = np.tile([[1.0, 0.0]], (len(rows), 1)).astype(np.float32)
    assert clf.domain_gate(rows, features).tolist() == [0.0, 0.0, 1.0]
    clf.config["train_reasons"] = train_reasons([{"text": RUSSIAN}, {"text": "The regime fell.", "reason": "claim"}])
    assert clf.config["train_reasons"] == ["claim", "not_english"]   # trained on Russian rows: the network keeps them
    assert clf.domain_gate(rows, features).tolist() == [1.0, 1.0, 1.0]


def test_network_runs_only_where_the_gate_gives_it_a_share() -> None:
    from models.classifier import StanceClassifier

    class Net:
        def eval(self) -> None:
            pass

    domain = {"coef": [0.0], "intercept": 0.0, "gate_low": 0.2, "gate_high": 0.5, "space": "base"}
    config = {"labels": ["kremlin_framing", "independent_reporting"], "version": "v1",
              "scheme_labels": ["kremlin_framing", "independent_reporting", "neutral"],
              "blend": {"enabled": True, "temperature": 1.0, "bootstrap_weight": 0.0, "domain": domain}}
    clf = StanceClassifier(Net(), None, config)
    clf.domain_gate = lambda rows, features=None: np.array([1.0, 0.0, 0.5])  # type: ignore[method-assign]
    seen: list[list[str]] = []
    clf.forward = lambda texts, batch_size=64: (  # type: ignore[method-assign]
        seen.append(texts) or np.tile([[2.0, 0.0]], (len(texts), 1)).astype(np.float32))
    boot = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4], [0.6, 0.2, 0.2]])
    clf._bootstrap = _Bootstrap(boot)
    rows = [{"text": "in"}, {"text": "out"}, {"text": "between"}]
    proba = clf.predict_proba(rows)
    assert seen == [["in", "between"]]  # the claim with no share for the network is not run through it
    np.testing.assert_allclose(proba[0], [np.exp(2) / (np.exp(2) + 1), 1 / (np.exp(2) + 1), 0.0], rtol=1e-5)
    np.testing.assert_allclose(proba[1], boot[1], rtol=1e-9)  # out of domain: the bootstrap exactly
    assert 0.0 < proba[2, 2] < boot[2, 2] and np.isclose(proba[2].sum(), 1.0)


def test_cue_vote_weights_are_the_labellers_smoothed_log_odds_on_the_training_claims() -> None:
    from types import SimpleNamespace

    from models.blending import cue_vote_weights

    scheme = ["kremlin_framing", "independent_reporting", "neutral"]
    model = ["kremlin_framing", "independent_reporting"]
    gold = ["kremlin_framing"] * 10 + ["independent_reporting"] * 10
    sharp = [0] * 9 + [-1] + [0] + [-1] * 9  # 10 votes, 9 right
    coin = [0] * 5 + [-1] * 5 + [0] * 5 + [-1] * 5  # 10 votes, 5 right: no better than chance
    rare = [1, 1, 1] + [-1] * 17  # 3 votes, below the minimum
    neutral = [2] * 20  # votes a label the network does not have
    matrix = np.array([sharp, coin, rare, neutral]).T
    labellers = [SimpleNamespace(name=n) for n in ("sharp", "coin", "rare", "neutral")]
    weights = cue_vote_weights(labellers, matrix, gold, scheme, model, min_fired=5)
    assert list(weights) == ["sharp"]
    assert weights["sharp"]["fired"] == 10 and weights["sharp"]["accuracy"] == round(10 / 12, 4)
    assert np.isclose(weights["sharp"]["weight"], np.log(5.0), atol=1e-4)


def test_cue_votes_add_their_weight_to_the_networks_logits() -> None:
    from models.classifier import StanceClassifier
    from models.schemes import load_scheme

    class Net:
        def eval(self) -> None:
            pass

    domain = {"coef": [10.0, 0.0], "intercept": 0.0, "gate_low": 0.2, "gate_high": 0.5, "space": "classifier"}
    config = {"labels": ["kremlin_framing", "independent_reporting"], "version": "v1", "scheme": "kremlin_framing",
              "scheme_labels": ["kremlin_framing", "independent_reporting", "neutral"],
              "blend": {"enabled": True, "temperature": 2.0, "bootstrap_weight": 0.0, "domain": domain,
                        "cue_votes": {"kiev_spelling": {"fired": 60, "accuracy": 0.95, "weight": 1.5}}}}
    clf = StanceClassifier(Net(), None, config, scheme=load_scheme("kremlin_framing"))
    rows = [{"text": "Kiev says the talks stalled."}, {"text": "Kyiv says the talks stalled."},
            {"text": "Talks stalled."}]
    logits = np.array([[1.0, 1.0]] * 3, dtype=np.float32)
    clf.outputs = lambda texts, batch_size=64: (logits, np.array([[1.0, 0.0]] * 3, dtype=np.float32))  # type: ignore[method-assign]
    assert clf.cue_logits(rows).tolist() == [[1.5, 0.0], [0.0, 1.5], [0.0, 0.0]]
    proba = clf.predict_proba(rows)
    expected = 1 / (1 + np.exp(-1.5))  # temperature-scaled logits are equal: the cue's weight decides
    np.testing.assert_allclose(proba[:, :2], [[expected, 1 - expected], [1 - expected, expected], [0.5, 0.5]],
                               rtol=1e-5)
    # The network alone stays the network alone.
    assert clf.predict_proba(rows, blended=False)[:, :2].tolist() == [[0.5, 0.5]] * 3


@pytest.mark.slow
def test_train_writes_a_loadable_model_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from transformers import AutoModelForSequenceClassification

    from models.classifier import StanceClassifier
    from models.training import TrainSettings, train

    data = _write(tmp_path / "claims.jsonl", _rows())
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    settings = TrainSettings(epochs=1, max_length=48, val_fraction=0.25, scheme_examples=False, mean_head=True)
    result = train(data, tmp_path / "model", epochs=1, seed=5, settings=settings, progress=False)
    model_dir = tmp_path / "model"
    # `stance train` makes the exported graphs before it returns, so that the first pre-label runs at full speed.
    from claimstance.cli import _prepare_graphs

    # Of a network that decides: one epoch on 24 claims can leave it near-uniform, and such a model hands
    # every claim to the plain bootstrap and makes no graph (tests/models/test_shared.py).
    made_config = json.loads((model_dir / "claimstance.json").read_text(encoding="utf-8"))
    made_config["blend"]["network_flat"] = False
    (model_dir / "claimstance.json").write_text(json.dumps(made_config), encoding="utf-8")
    capsys.readouterr()
    _prepare_graphs(str(model_dir))
    made = capsys.readouterr()
    assert re.fullmatch(r"graphs for prelabel and evaluate made in \d+ s \(once a model\)\n", made.out)
    assert "int8: quantising the classifier once" in made.err
    # Trained with its lower layers frozen: the network and the bootstrap's encoder share them, as two
    # graphs (the whole encoder only embeds texts longer than the network reads: some label descriptions).
    assert list((tmp_path / "cache").glob("onnx/*/classifier-trunk2.int8-*.xml"))
    assert list((tmp_path / "cache").glob("onnx/*/encoder-head2.int8-*.xml"))
    from models.shared import same_lower_layers

    assert same_lower_layers(model_dir, 2) and not same_lower_layers(model_dir, 3)
    assert result["epochs_run"] == 1 and result["train_claims"] + result["validation_claims"] == 32
    hf = AutoModelForSequenceClassification.from_pretrained(model_dir)
    assert hf.config.id2label == {0: "kremlin_framing", 1: "independent_reporting"}
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    assert "kremlin_framing" in card and "Macro-F1" in card and result["version"] in card
    assert "Validation split by document (doc_id, else url), seed 5" in card
    config = json.loads((model_dir / "claimstance.json").read_text(encoding="utf-8"))
    assert config["labels"] == ["kremlin_framing", "independent_reporting"]
    from models.schemes import load_scheme

    assert config["scheme_version"] == load_scheme("kremlin_framing").version
    assert config["train_reasons"] == []   # rows without the claims step's reasons
    from models.data import document_hashes

    assert config["train_documents"] == document_hashes(_rows()) and len(config["train_documents"]) == 16
    from models.end_model import WORD_DIM

    domain = config["blend"]["domain"]
    assert len(domain["coef"]) == 384 + WORD_DIM and domain["words"] == 1.0 and domain["gate_high"] == 0.5
    assert config["blend"]["bootstrap_weight"] in (0.0, 0.25, 0.5)
    assert all(v["fired"] >= 5 and v["weight"] > 0 for v in config["blend"]["cue_votes"].values())

    damaged = tmp_path / "damaged"
    shutil.copytree(model_dir, damaged)
    with open(damaged / "model.safetensors", "r+b") as handle:
        handle.truncate(1000)
    with pytest.raises(UserError, match=r"damaged/model\.safetensors: damaged \(.*header.*\); retrain the model"):
        StanceClassifier.from_pretrained(damaged)
    swapped = tmp_path / "swapped"
    shutil.copytree(model_dir, swapped)
    hf_config = json.loads((swapped / "config.json").read_text(encoding="utf-8"))
    for broken, why in (({}, "no model_type"), ({**hf_config, "id2label": {"0": "a", "1": "b", "2": "c"}},
                                                 "3 output labels, claimstance.json names 2")):
        (swapped / "config.json").write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(UserError, match=rf"swapped/config\.json: not the transformers config of this model "
                                            rf"\({why}\); retrain the model or copy the directory again"):
            StanceClassifier.from_pretrained(swapped)

    clf = StanceClassifier.from_pretrained(model_dir)
    assert clf.labels == ["kremlin_framing", "independent_reporting", "neutral"]
    assert clf.version == result["version"]
    rows = [{"text": KREMLIN[0]}, {"text": INDEPENDENT[0]}, {"text": "Wheat prices rose on Monday."}]
    proba = clf.predict_proba(rows)
    assert proba.shape == (3, 3) and np.allclose(proba.sum(axis=1), 1.0)
    plain = clf.predict_proba(rows, blended=False)
    assert plain[:, 2].tolist() == [0.0, 0.0, 0.0]
    assert clf.predict([KREMLIN[0]])[0] in clf.labels
    # Pre-labels read a few claims at a time: the bootstrap's end model is still fitted over every claim
    # the gate hands on (from a temporary file), so only the graphs' rounding of a claim by the batch it
    # runs in (sorted by length within a chunk, not the whole input) may tell the two apart.
    import models.prelabel
    from claimstance.cli import main

    claims = tmp_path / "claims.jsonl"
    _write(claims, [{"text": t} for t in KREMLIN + INDEPENDENT]
           + [{"text": "Grid operator warns", "reason": "heading"}, {"text": "Who shelled the port?", "reason": "question"}])
    assert main(["prelabel", "--in", str(claims), "--out", str(tmp_path / "whole.jsonl"), "--model", str(model_dir)]) == 0
    monkeypatch.setattr(models.prelabel, "OUTPUT_CHUNK", 5)
    assert main(["prelabel", "--in", str(claims), "--out", str(tmp_path / "chunked.jsonl"), "--model", str(model_dir)]) == 0
    whole, chunked = ([json.loads(line) for line in (tmp_path / name).read_text(encoding="utf-8").splitlines()]
                      for name in ("whole.jsonl", "chunked.jsonl"))
    assert [r["prediction"] for r in chunked] == [r["prediction"] for r in whole] and len(whole) == 34
    for a, b in zip(whole, chunked):
        assert a.keys() == b.keys() and all(a[k] == b[k] for k in a if k not in ("probs", "score"))
        assert max(abs(a["probs"][k] - b["probs"][k]) for k in a["probs"]) < 5e-3
    monkeypatch.setattr(models.prelabel, "OUTPUT_CHUNK", 4096)
    capsys.readouterr()
    # A loaded model runs its exported graphs (the network with both heads and its lower layers, the
    # encoder head after them) as static int8 under OpenVINO; CLAIMSTANCE_INT8=0 runs them in bfloat16
    # where the CPU has it; float32 gives PyTorch's logits.
    assert len(config["mean_head"]["coef"]) == 2 and len(config["mean_head"]["coef"][0]) == 384
    texts = [r["text"] for r in rows]
    int8_logits = clf.forward(texts, batch_size=2)
    assert "quantising" not in capsys.readouterr().err
    graphs = clf._shared()
    assert graphs and Path(graphs.classifier_path).is_relative_to(tmp_path / "cache")
    assert re.fullmatch(r"classifier-trunk2\.int8-[0-9a-f]{8}\.xml", graphs.classifier_path.name)
    assert re.fullmatch(r"encoder-head2\.int8-[0-9a-f]{8}\.xml", clf.bootstrap.encoder.onnx_path.name)
    assert clf._model is None and clf._tokenizer is None  # the exported graph never reads the PyTorch network
    monkeypatch.setenv("CLAIMSTANCE_INT8", "0")
    bf16 = StanceClassifier.from_pretrained(model_dir)
    bf16_logits = bf16.forward(texts, batch_size=2)
    assert bf16._shared().classifier_path.name == "classifier-trunk2.onnx"
    assert bf16.bootstrap.encoder.onnx_path.name == "encoder-head2.onnx"
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f32")
    fp32_logits = StanceClassifier.from_pretrained(model_dir).forward(texts)
    monkeypatch.setenv("CLAIMSTANCE_BACKEND", "torch")
    torch_logits = StanceClassifier.from_pretrained(model_dir).forward(texts)
    np.testing.assert_allclose(fp32_logits, torch_logits, atol=1e-4)
    np.testing.assert_allclose(bf16_logits, torch_logits, atol=0.05)  # bfloat16 where the CPU has it
    np.testing.assert_allclose(int8_logits, torch_logits, atol=0.5)  # int8: close, not equal
    assert (int8_logits.argmax(1) == torch_logits.argmax(1)).all()
    monkeypatch.delenv("CLAIMSTANCE_BACKEND")
    monkeypatch.setenv("CLAIMSTANCE_INT8", "sometimes")
    with pytest.raises(UserError, match=r"CLAIMSTANCE_INT8='sometimes' is not a setting; use auto, 1 or 0"):
        StanceClassifier.from_pretrained(model_dir).forward(texts)
    # A bad cache bound is said too, by the shared graphs and by the network's whole graph (a model
    # without the blend): read inside their fallbacks, it had sent the network to PyTorch unsaid.
    monkeypatch.delenv("CLAIMSTANCE_INT8")
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "2G")
    for blend_on in (True, False):
        bad = StanceClassifier.from_pretrained(model_dir)
        bad.config["blend"]["enabled"] = blend_on
        with pytest.raises(UserError, match=r"CLAIMSTANCE_CACHE_MB='2G' is not a whole number of megabytes"):
            bad.forward(texts)
    monkeypatch.delenv("CLAIMSTANCE_CACHE_MB")

    # The model directory is an earlier output train may replace: nothing but what train writes is in it.
    from models.training import MODEL_FILES, MODEL_WRITTEN
    from corpus.files import check_output_dir

    check_output_dir(model_dir, MODEL_FILES, MODEL_WRITTEN)
    with pytest.raises(UserError, match=r"one\.jsonl: its training rows hold only the label .*training needs at least two"):
        train(_write(tmp_path / "one.jsonl", _rows()[:16]), model_dir, epochs=1, settings=settings, progress=False)
    # A file a user put in it keeps it from being replaced, before any training.
    (model_dir / "notes.txt").write_text("x")
    with pytest.raises(UserError, match=r"earlier output of this command with other files added \(notes\.txt\)"):
        train(_write(tmp_path / "two.jsonl", _rows()), model_dir, epochs=1, settings=settings, progress=False)
    assert (model_dir / "notes.txt").exists()


def test_few_documents_fall_back_to_a_claim_level_validation_split(capsys):
    rows = [{"text": f"claim {i}", "label": "a" if i % 2 else "b", "doc_id": f"d{i % 2}"} for i in range(20)]
    train_idx, val_idx = split_by_document(rows, 0.15, seed=1)
    assert sorted(train_idx + val_idx) == list(range(20)) and val_idx and not set(train_idx) & set(val_idx)
    assert {rows[i]["label"] for i in val_idx} == {"a", "b"}
    assert "validation is split by claim" in capsys.readouterr().err
    assert split_unit(rows, 0.15) == "claim" and split_unit(_rows(), 0.15) == "document"
    with pytest.raises(UserError, match="label 'c' has 1"):
        split_by_document(rows + [{"text": "x", "label": "c", "doc_id": "d0"}], 0.15, seed=1)
    # Every label on fewer claims than the folds a 15% split takes (7): fewer folds, not a traceback.
    few = [{"text": f"claim {i}", "label": "abc"[i % 3], "doc_id": f"d{i % 2}"} for i in range(18)]
    train_idx, val_idx = split_by_document(few, 0.15, seed=1)
    assert sorted(train_idx + val_idx) == list(range(18)) and {few[i]["label"] for i in val_idx} == {"a", "b", "c"}


def test_bootstrap_advice_only_when_the_bootstrap_clearly_beats_the_model():
    from models.training import bootstrap_advice

    weak = {"bootstrap_weight": 0.0, "validation_f1_by_weight": {"0.0": 0.364}, "validation_f1_bootstrap_alone": 0.582}
    advice = bootstrap_advice(weak, 12)
    assert advice.startswith("on the 12 validation claims the bootstrap alone scores macro-F1 0.582, this model 0.364")
    assert "leave out --model" in advice
    assert bootstrap_advice({**weak, "validation_f1_bootstrap_alone": 0.40}, 12) is None   # within the margin
    assert bootstrap_advice({"bootstrap_weight": 0.0}, 12) is None   # no blend fitted
    gated = {"bootstrap_weight": 0.0, "validation_f1_by_weight": {"0.0": 0.556}, "validation_f1_bootstrap_alone": 0.556,
             "validation_f1_with_cue_votes": 0.746, "domain": {"coef": []}}
    assert "the network with the cue evidence scores macro-F1 0.746, the blend 0.556" in bootstrap_advice(gated, 40)
    assert "--no-domain-gate" in bootstrap_advice(gated, 40)
    assert bootstrap_advice({**gated, "domain": None}, 40) is None   # no gate: nothing to turn off
    assert bootstrap_advice(gated, 12) is None   # a dozen validation claims: a margin of one or two claims


@pytest.mark.slow
def test_train_on_a_pulled_dataset_never_sees_its_test_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    from models.training import TrainSettings, train

    rows = _rows()   # 16 documents, two claims each, labels alternating by document
    names = ["kremlin_framing", "independent_reporting", "neutral"]
    test_docs = {"dk0", "di0", "dk1", "di1"}

    def part(chunk: list[dict]) -> datasets.Dataset:
        return datasets.Dataset.from_dict({"text": [r["text"] for r in chunk], "doc_id": [r["doc_id"] for r in chunk],
                                           "label": [names.index(r["label"]) for r in chunk]},
                                          features=datasets.Features({"text": datasets.Value("string"),
                                                                      "doc_id": datasets.Value("string"),
                                                                      "label": datasets.ClassLabel(names=names)}))

    val_docs = {"dk2", "di2"}   # the pull's own validation split: 4 claims, redrawn by `stance train`
    datasets.DatasetDict({"train": part([r for r in rows if r["doc_id"] not in test_docs | val_docs]),
                          "validation": part([r for r in rows if r["doc_id"] in val_docs]),
                          "test": part([r for r in rows if r["doc_id"] in test_docs])}).save_to_disk(str(tmp_path / "ds"))
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    settings = TrainSettings(epochs=1, max_length=48, val_fraction=0.25)
    result = train(tmp_path / "ds", tmp_path / "model", seed=5, settings=settings, progress=False)
    assert result["test_claims_held_out"] == 8
    assert result["train_claims"] + result["validation_claims"] == len(rows) - 8
    # The pull's validation split was merged and redrawn: said, not silent. A handful of validation
    # claims: said too, in the result and in the model card.
    card = (tmp_path / "model" / "README.md").read_text()
    redrawn = (f"the dataset's validation split (4 claims) was merged with its train split (20 claims) and a "
               f"validation split of {result['validation_claims']} claims redrawn by document, stratified by label (seed 5)")
    assert result["notes"][0].startswith(redrawn) and f"- Note: {redrawn}" in card
    small = f"only {result['validation_claims']} validation claims (fewer than 30): one claim moves macro-F1"
    assert any(n.startswith(small) for n in result["notes"]) and f"- Note: {small}" in card
    assert result["left_out"] == "" and not any("ties between annotators" in n for n in result["notes"])
    assert json.loads((tmp_path / "model" / "claimstance.json").read_text())["notes"] == result["notes"]
    config = json.loads((tmp_path / "model" / "claimstance.json").read_text(encoding="utf-8"))
    test_texts = {r["text"] for r in rows if r["doc_id"] in test_docs}
    from models.data import text_hash

    assert not {text_hash(t) for t in test_texts} & set(config["train_hashes"])
    assert "test split (8 claims) held out for `stance evaluate`" in (tmp_path / "model" / "README.md").read_text()


def test_a_rare_label_does_not_swell_the_validation_split():
    # A first pull: 26 claims in 13 documents, one label on only two of them.
    rows = [{"text": f"claim {i}", "label": "a" if i % 2 else "b", "doc_id": f"d{i // 2}"} for i in range(24)]
    rows += [{"text": "rare one", "label": "c", "doc_id": "d12"}, {"text": "rare two", "label": "c", "doc_id": "d11"}]
    train_idx, val_idx = split_by_document(rows, 0.15, seed=1)
    assert 2 <= len(val_idx) <= 6   # about 15%, not the half that two folds gave
    assert not {rows[i]["doc_id"] for i in train_idx} & {rows[i]["doc_id"] for i in val_idx}


def test_notes_say_when_the_validation_figures_cannot_be_trusted():
    from models.training import training_notes

    # The first-time user's run: 5 validation claims, below chance, temperature 14.6 (near-uniform).
    weak = {"bootstrap_weight": 0.0, "temperature": 14.6306, "validation_f1_by_weight": {"0.0": 0.191},
            "validation_f1_bootstrap_alone": 0.111, "validation_mean_top_probability": 0.338}
    notes = training_notes(weak, {"validation_claims": 5, "validation_macro_f1": 0.1905}, 3)
    assert notes == [
        "only 5 validation claims (fewer than 30): one claim moves macro-F1 by a large step, so its validation figures, "
        "the epoch kept and the temperature are noise, and the blend's figure is optimistic too (fitted on those same "
        "claims); label more claims, from more documents, before trusting this model over the bootstrap, and score it "
        "on claims labelled after training: `stance evaluate --model MODEL --data FILE.jsonl` (`text` and `label`) "
        "shows the bootstrap beside it",
        "on the validation claims the network's macro-F1 (0.191) and the blend's macro-F1 (0.191) are at or below "
        "chance (0.333, a uniform guess over 3 labels): this model has learnt nothing these claims show",
        "the network's probabilities are near-uniform after the fitted temperature (14.6306, which flattens them): "
        "its top probability averages 0.338 on the validation claims (0.333 is uniform over 3 labels), so on the "
        "claims the domain gate finds like its training claims its pre-labels are decided by a few "
        "hundredths or less"]
    # The bootstrap advice only when the blend does no better than the bootstrap alone.
    tied = {**weak, "validation_f1_bootstrap_alone": 0.191}
    assert training_notes(tied, {"validation_claims": 5, "validation_macro_f1": 0.1905}, 3)[2].endswith(
        "or less; the blend does no better than the bootstrap alone on the validation claims: keep pre-labelling "
        "with the bootstrap (leave out --model)")
    # A model trained on the dev claims: none of them.
    sound = {"bootstrap_weight": 0.0, "temperature": 1.64, "validation_f1_by_weight": {"0.0": 0.918},
             "validation_f1_bootstrap_alone": 0.62, "validation_mean_top_probability": 0.91}
    assert training_notes(sound, {"validation_claims": 85, "validation_macro_f1": 0.929}, 3) == []
    # Two labels: chance is 0.5; only the figure at or below it is named.
    two = {**sound, "validation_f1_by_weight": {"0.0": 0.5}, "validation_f1_bootstrap_alone": 0.45}
    assert training_notes(two, {"validation_claims": 60, "validation_macro_f1": 0.7}, 2) == [
        "on the validation claims the blend's macro-F1 (0.500) is at or below chance (0.500, a uniform guess over 2 "
        "labels): this model has learnt nothing these claims show"]
    # 40 validation claims: enough to trust the step, not to trust a figure fitted on them.
    assert training_notes(sound, {"validation_claims": 40, "validation_macro_f1": 0.929}, 3) == [
        "the blend's validation figures rest on 40 claims (fewer than 50), the same claims that chose its epoch, "
        "temperature and domain gate, so they are optimistic; before pre-labelling with this model, score it on "
        "claims labelled after training: `stance evaluate --model MODEL --data FILE.jsonl` (`text` and `label`) "
        "shows the bootstrap beside it"]


# The blend of a researcher's model (71 training, 18 validation claims of their own pull): the
# network near-uniform at the grid's largest temperature, the cue votes deciding in domain.
FLAT_BLEND = {"bootstrap_weight": 0.0, "temperature": 20.0, "validation_mean_top_probability": 0.3483,
              "validation_f1_by_weight": {"0.0": 0.8489}, "validation_f1_bootstrap_alone": 0.4067,
              "domain": {"gate_low": 0.2, "gate_high": 0.5},
              "cue_votes": {"cues:kremlin_framing": {"fired": 16, "accuracy": 0.79, "weight": 2.0149},
                            "attribution": {"fired": 12, "accuracy": 0.47, "weight": 0.5596},
                            "source_type": {"fired": 34, "accuracy": 0.81, "weight": 2.1484}}}


def test_a_near_uniform_network_is_never_said_to_decide():
    from models.training import blend_line, training_notes

    assert blend_line(FLAT_BLEND, 18, 3) == (
        "blend with the bootstrap: the bootstrap's weight in domain 0.0 (the network is near-uniform: on claims like "
        "the training claims the pre-labels come from the cue votes, source_type 2.15, cues:kremlin_framing 2.01, "
        "attribution 0.56), temperature 20.0, domain gate on; macro-F1 on the 18 validation claims it was fitted on "
        "0.849 (optimistic on so few claims; bootstrap alone 0.407)")
    assert blend_line(FLAT_BLEND, 60, 3).endswith("on the 60 validation claims it was fitted on 0.849 (bootstrap alone 0.407)")
    notes = training_notes(FLAT_BLEND, {"validation_claims": 18, "validation_macro_f1": 0.458}, 3)
    assert not any("alone decides" in n for n in notes)
    assert notes[0].startswith("only 18 validation claims (fewer than 30)") and "optimistic" in notes[0]
    assert notes[1].endswith(
        "so on the claims the domain gate finds like its training claims the pre-labels come from the cue votes "
        "(source_type 2.15, cues:kremlin_framing 2.01, attribution 0.56): the bootstrap's cue lists, spelling and "
        "metadata labellers weighted on the training claims, without the rest of the bootstrap (a source_type vote "
        "labels a claim by its document's type, whatever it says)")
    # A network that decides: said so, with the cue votes beside it when there are any.
    sharp = {**FLAT_BLEND, "temperature": 1.6, "validation_mean_top_probability": 0.91}
    assert "(the network with the cue votes decides claims like the training claims)" in blend_line(sharp, 85, 3)
    assert "(the network alone decides claims like the training claims)" in blend_line(
        {**sharp, "cue_votes": {}}, 85, 3)
    # The model card says it too.
    from types import SimpleNamespace

    from models.training import model_card

    config = {"version": "minilm-ft-x", "created": "2026-11-27", "seed": 13, "split": "by document",
              "normalise_spelling": True, "scheme": "kremlin_framing", "labels": ["a", "b", "c"], "blend": FLAT_BLEND}
    metrics = {"label_counts": {"a": 30, "b": 30, "c": 29}, "train_claims": 71, "scheme_examples": 0,
               "validation_claims": 18, "validation_macro_f1": 0.458, "epochs_run": 8, "best_epoch": 8, "seconds": 33}
    card = model_card(SimpleNamespace(config=config, model_labels=["a", "b", "c"]), metrics, "pulled/dataset")
    assert ("the bootstrap's weight in domain 0.0 (0: the network with the cue votes below decides claims like the "
            "training claims; this network is near-uniform, so the cue votes decide them)") in card


def test_a_near_uniform_network_hands_every_claim_to_the_bootstrap():
    """Trained from now on, a flat network is marked ``network_flat``: the gate is 0 for every claim, so
    the blend is the bootstrap's probabilities exactly, and train, the notes and the card say so."""
    import numpy as np

    from models.classifier import StanceClassifier, blend
    from models.training import blend_line, model_card, training_notes

    flat = {**FLAT_BLEND, "network_flat": True, "validation_f1_by_weight": {"0.0": 0.4067}}
    clf = StanceClassifier(None, None, {"labels": ["a", "b", "c"], "blend": flat})
    rows = [{"text": "Kyiv said the strike hit a school.", "outlet": "x"}, {"text": "Question:", "reason": "question"}]
    g = clf.domain_gate(rows)
    assert g.tolist() == [0.0, 0.0]
    p_boot = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    p_model = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05]])
    assert np.allclose(blend(p_model, p_boot, np.arange(3), g, 0.0), p_boot)
    line = blend_line(flat, 18, 3)
    assert "every claim goes to the bootstrap and the pre-labels are the bootstrap's" in line
    assert "cue votes" not in line
    notes = training_notes(flat, {"validation_claims": 18, "validation_macro_f1": 0.458}, 3)
    assert notes[1].endswith(
        "(0.333 is uniform over 3 labels), so every claim goes to the bootstrap: this model's pre-labels are the "
        "bootstrap's; label more claims and train again; the blend does no better than the bootstrap alone on the "
        "validation claims: keep pre-labelling with the bootstrap (leave out --model)")
    from types import SimpleNamespace

    config = {"version": "minilm-ft-x", "created": "2026-11-27", "seed": 13, "split": "by document",
              "normalise_spelling": True, "scheme": "kremlin_framing", "labels": ["a", "b", "c"], "blend": flat}
    metrics = {"label_counts": {"a": 30, "b": 30, "c": 29}, "train_claims": 71, "scheme_examples": 0,
               "validation_claims": 18, "validation_macro_f1": 0.458, "epochs_run": 8, "best_epoch": 8, "seconds": 33}
    card = model_card(SimpleNamespace(config=config, model_labels=["a", "b", "c"]), metrics, "pulled/dataset")
    assert "this network is near-uniform, so every claim goes to the bootstrap" in card


def test_a_near_uniform_network_without_a_domain_gate_hands_every_claim_to_the_bootstrap():
    """A scheme with few examples gets no domain gate (fit_domain_gate: under 10 labels and examples);
    a flat network trained on it is still marked ``network_flat``, and the gate must then be 0, as train
    says ('every claim goes to the bootstrap'), not 1 (the flat network deciding every claim: QA qa22,
    blend 0.250 against the bootstrap's 0.429 on the same validation claims)."""
    from models.classifier import StanceClassifier

    flat = {key: value for key, value in FLAT_BLEND.items() if key != "domain"}
    flat.update(network_flat=True)
    clf = StanceClassifier(None, None, {"labels": ["a", "b", "c"], "blend": flat})
    assert clf.domain_gate([{"text": "Sanctions are working."}, {"text": "The vote is on Thursday."}]).tolist() == [0.0, 0.0]
    # Not flat, no gate: the network leads every claim, as before.
    sharp = {**flat, "network_flat": False}
    assert StanceClassifier(None, None, {"labels": ["a", "b", "c"], "blend": sharp}).domain_gate(
        [{"text": "Sanctions are working."}]).tolist() == [1.0]


def test_ties_and_low_agreement_are_left_out_on_request():
    from models.data import agreement_filter, is_tie

    rows = [{"text": "a", "label": "x", "rule": "unanimous", "agreement": 1.0, "tied_labels": []},
            {"text": "b", "label": "y", "rule": "tie->latest", "agreement": 0.5, "tied_labels": ["x", "y"]},
            {"text": "c", "label": "x", "rule": "single", "agreement": None, "tied_labels": []},
            {"text": "d", "label": "y", "rule": "majority", "agreement": 0.6667, "tied_labels": []}]
    assert [is_tie(r) for r in rows] == [False, True, False, False]
    assert agreement_filter(rows) == (rows, {"ties": 0, "low_agreement": 0})
    kept, out = agreement_filter(rows, exclude_ties=True)
    assert [r["text"] for r in kept] == ["a", "c", "d"] and out == {"ties": 1, "low_agreement": 0}
    kept, out = agreement_filter(rows, min_agreement=0.75)   # the one-annotator row is kept
    assert [r["text"] for r in kept] == ["a", "c"] and out == {"ties": 0, "low_agreement": 2}
    # A value that is no share is one line naming the row (it was float()'s traceback), NaN a null.
    odd = rows[:3] + [{**rows[3], "id": "r4", "agreement": "n/a"}]
    with pytest.raises(UserError, match=r"--min-agreement: the row r4 of the data has agreement 'n/a', not a number "
                                        r"from 0 to 1 .*; fix that row or leave out --min-agreement"):
        agreement_filter(odd, min_agreement=0.75)
    with pytest.raises(UserError, match=r"the row 'd' of the data has agreement 67, not a number from 0 to 1"):
        agreement_filter(rows[:3] + [{**rows[3], "agreement": 67}], min_agreement=0.75)
    kept, out = agreement_filter(rows[:3] + [{**rows[3], "agreement": float("nan")}], min_agreement=0.75)
    assert [r["text"] for r in kept] == ["a", "c", "d"] and out == {"ties": 0, "low_agreement": 1}
    kept, out = agreement_filter(rows, exclude_ties=True, min_agreement=2 / 3)
    assert [r["text"] for r in kept] == ["a", "c", "d"] and out == {"ties": 1, "low_agreement": 0}
    plain = [{"text": "a", "label": "x"}]
    with pytest.raises(UserError, match=r"--exclude-ties: no row of d.jsonl has a 'rule' or 'tied_labels' field"):
        agreement_filter(plain, exclude_ties=True, where="d.jsonl")
    with pytest.raises(UserError, match=r"--min-agreement: no row of d.jsonl has an 'agreement' field"):
        agreement_filter(plain, min_agreement=0.5, where="d.jsonl")


def test_data_notes_name_the_redrawn_validation_split_and_the_ties_left_in():
    from models.training import data_notes_for, left_out_sentence

    rows = ([{"text": f"t{i}", "label": "x", "split": "train", "rule": "tie->latest" if i < 3 else "single"}
             for i in range(23)] + [{"text": "v0", "label": "x", "split": "validation", "rule": "unanimous"},
                                    {"text": "v1", "label": "x", "split": "validation", "rule": "tie->latest"}])
    notes = data_notes_for(rows, {"validation_claims": 5}, "by document", 13, exclude_ties=False)
    assert notes == [
        "the dataset's validation split (2 claims) was merged with its train split (23 claims) and a validation "
        "split of 5 claims redrawn by document, stratified by label (seed 13): `stance pull` splits by a hash of "
        "doc_id, which on few documents can hold too few claims or miss a label",
        "4 of the 25 training rows are ties between annotators, resolved to whoever labelled last (rule "
        "'tie->latest', the tied labels in tied_labels): `stance train --exclude-ties` leaves them out; or have a "
        "third annotator or the project owner adjudicate them"]
    assert data_notes_for([{"text": "a", "label": "x"}], {"validation_claims": 5}, "by claim", 1, False) == []
    assert left_out_sentence(25, {"ties": 5, "low_agreement": 0}, True, None) == (
        "left out 5 of 25 training rows: 5 ties between annotators (--exclude-ties)")
    assert left_out_sentence(25, {"ties": 0, "low_agreement": 0}, False, None) == ""
    assert left_out_sentence(25, {"ties": 0, "low_agreement": 2}, False, 0.75) == (
        "left out 2 of 25 training rows: 2 with agreement below 0.75 (--min-agreement; rows one annotator "
        "labelled have no agreement and are kept)")


def test_train_command_passes_the_agreement_options_and_prints_the_notes(monkeypatch, capsys):
    import models.training
    from claimstance.cli import main

    got = {}

    def fake_train(data, out, **kwargs):
        got.update(kwargs)
        return {"train_claims": 15, "scheme_examples": 0, "validation_claims": 5, "validation_macro_f1": 0.508,
                "best_epoch": 3, "epochs_run": 6, "seconds": 12, "version": "minilm-ft-x", "out_dir": out,
                "test_claims_held_out": 5, "left_out": "left out 5 of 25 training rows: 5 ties between annotators "
                "(--exclude-ties)", "notes": ["only 5 validation claims (fewer than 30): ..."],
                "n_labels": 3,
                "blend": {"bootstrap_weight": 0.0, "temperature": 0.5, "domain": {"coef": []},
                          "validation_f1_by_weight": {"0.0": 0.191}, "validation_f1_bootstrap_alone": 0.191}}

    monkeypatch.setattr(models.training, "train", fake_train)
    monkeypatch.setattr("claimstance.cli._prepare_graphs", lambda model_dir: None)  # the fake writes no model
    assert main(["train", "--data", "d", "--out", "m", "--exclude-ties", "--min-agreement", "0.75"]) == 0
    assert got["exclude_ties"] is True and got["min_agreement"] == 0.75
    captured = capsys.readouterr()
    assert captured.out.startswith("left out 5 of 25 training rows: 5 ties between annotators (--exclude-ties)\n"
                                   "trained on 15 claims")
    assert ("blend with the bootstrap: the bootstrap's weight in domain 0.0 (the network alone decides claims "
            "like the training claims), temperature 0.5, domain gate on; macro-F1 on the 5 validation claims it "
            "was fitted on 0.191 (optimistic on so few claims; bootstrap alone 0.191)") in captured.out
    assert captured.err == "note: only 5 validation claims (fewer than 30): ...\n"
    assert main(["train", "--data", "d", "--out", "m"]) == 0
    assert got["exclude_ties"] is False and got["min_agreement"] is None
    with pytest.raises(SystemExit):
        main(["train", "--data", "d", "--out", "m", "--min-agreement", "1.5"])
    assert "argument --min-agreement: must be from 0.0 to 1.0, got 1.5" in capsys.readouterr().err


def test_train_says_a_bad_cache_bound_before_training(monkeypatch, capsys):
    """The blend's fitting opens the base encoder's cache folder after the network is trained: a bad
    CLAIMSTANCE_CACHE_MB failed the command there, a minute of training lost and no model written."""
    import models.training
    from claimstance.cli import main

    def fake_train(data, out, **kwargs):
        raise AssertionError("trained before the setting was checked")

    monkeypatch.setattr(models.training, "train", fake_train)
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "2G")
    assert main(["train", "--data", "d", "--out", "m"]) == 2
    assert "error: CLAIMSTANCE_CACHE_MB='2G' is not a whole number of megabytes" in capsys.readouterr().err


def test_a_claim_of_a_source_the_network_was_trained_on_gets_its_full_share() -> None:
    from models.blending import seen_source_counts
    from models.classifier import named_source

    counts = seen_source_counts([{"text": "a", "outlet": "rt.com"}] * 3 + [{"text": "b", "outlet": "tass.com"}]
                                + [{"text": "c", "title": "A report", "doc_id": "d1"}] * 5)
    assert counts == {"rt.com": 3, "tass.com": 1}   # a title or a document id is not a source
    assert named_source({"text": "c", "title": "A report", "source_file": "x.txt", "doc_id": "d1"}) is None
    assert named_source({"text": "c", "authors": ["Jane Roe"], "title": "A report"}) == "Jane Roe"
    clf = _gated_classifier(train_reasons=["claim"])
    clf.config["blend"]["seen_sources"] = {"min_claims": 3, "claims": {**counts, "A report": 9}}
    rows = [{"text": "x", "outlet": "rt.com"}, {"text": "x", "outlet": "tass.com"},
            {"text": "x", "outlet": "rt.com", "reason": "byline"}, {"text": "x", "title": "A report"},
            {"text": "x"}]
    features = np.tile([[-0.02, 0.0]], (len(rows), 1)).astype(np.float32)   # P(training-like) 0.45: a part share
    g = clf.domain_gate(rows, features)
    part = float(g[1])
    assert 0 < part < 1
    # rt.com has 3 claims: full share; tass.com 1: the gate's; a byline never trained on: 0 even from
    # rt.com; a title only is no source (even one named in the counts); no source at all: the gate's.
    assert g.tolist() == [1.0, part, 0.0, part, part]
    clf.config["blend"]["seen_sources"]["min_claims"] = 0   # off
    assert clf.domain_gate(rows, features).tolist() == [part, part, 0.0, part, part]


def test_the_seen_sources_rule_applies_only_when_enough_validation_claims_show_it_does_no_harm() -> None:
    from models.blending import MIN_VALIDATION_FOR_SEEN_SOURCES, seen_sources_decision

    enough = MIN_VALIDATION_FOR_SEEN_SOURCES
    on = seen_sources_decision({0.0: 0.90}, {0.0: 0.93}, enough, 60)
    assert on["applied"] is True and on["validation_f1_with_rule"] == 0.93 and on["validation_f1_without"] == 0.9
    assert on["decision"].startswith("on: validation macro-F1 0.9300 with the rule, 0.9000 without")
    assert seen_sources_decision({0.0: 0.90}, {0.0: 0.90}, enough, 60)["applied"] is True    # a tie: no harm
    worse = seen_sources_decision({0.0: 0.90, 0.25: 0.92}, {0.0: 0.91}, enough, 60)          # best weight each
    assert worse["applied"] is False and worse["decision"].startswith("off: validation macro-F1 0.9100")
    few = seen_sources_decision({0.0: 0.50}, {0.0: 0.90}, enough - 1, 20)
    assert few["applied"] is False and few["decision"] == f"off: {enough - 1} validation claims, fewer than {enough}"
    clf = _gated_classifier()
    clf.config["blend"]["seen_sources"] = {"min_claims": 1, "claims": {"rt.com": 5}, **few}
    assert clf.seen_source([{"text": "x", "outlet": "rt.com"}]).tolist() == [False]


def test_near_uniform_means_the_same_share_above_uniform_for_two_labels_as_for_three():
    from models.blending import is_flat

    assert is_flat({"validation_mean_top_probability": 0.43}, 3) and not is_flat({"validation_mean_top_probability": 0.44}, 3)
    # Two labels: 0.575, not 0.6 (a binary network with a mean top probability of 0.59 decides something).
    assert is_flat({"validation_mean_top_probability": 0.57}, 2) and not is_flat({"validation_mean_top_probability": 0.59}, 2)


def test_the_figures_are_those_of_the_epoch_whose_weights_are_kept():
    """With fewer epochs than ``min_epochs`` (``--epochs 2``) or ``keep_best`` off, fine_tune keeps the
    last epoch's weights: the validation figure and the model card are that epoch's, not an earlier
    epoch's that scored higher (it had said 'best of 2 epochs: epoch 1' of a model holding epoch 2)."""
    from types import SimpleNamespace

    from models.finetune import TrainSettings, kept_epoch
    from models.training import model_card

    history = [{"epoch": 1, "val_macro_f1": 0.9, "val_loss": 0.3}, {"epoch": 2, "val_macro_f1": 0.6, "val_loss": 0.5},
               {"epoch": 3, "val_macro_f1": 0.8, "val_loss": 0.4}, {"epoch": 4, "val_macro_f1": 0.8, "val_loss": 0.2},
               {"epoch": 5, "val_macro_f1": 0.7, "val_loss": 0.1}]
    assert kept_epoch(history[:2], TrainSettings(epochs=2)) == (history[1], False)
    assert kept_epoch(history, TrainSettings(keep_best=False)) == (history[4], False)
    assert kept_epoch(history, TrainSettings()) == (history[3], True)   # from epoch 3 on; a tie goes to the lower loss
    config = {"version": "minilm-ft-x", "created": "2026-11-27", "seed": 13, "split": "by document",
              "normalise_spelling": False, "scheme": "kremlin_framing", "labels": ["a", "b"],
              "blend": {"temperature": 1.0, "bootstrap_weight": 0.0}}
    metrics = {"label_counts": {"a": 30, "b": 30}, "train_claims": 50, "scheme_examples": 0, "validation_claims": 10,
               "validation_macro_f1": 0.6, "epochs_run": 2, "best_epoch": 2, "epoch_chosen": False, "seconds": 9}
    card = model_card(SimpleNamespace(config=config, model_labels=["a", "b"]), metrics, "claims.jsonl")
    assert "- Macro-F1 of the fine-tuned network: 0.600 (the last of 2 epochs)" in card
    card = model_card(SimpleNamespace(config=config, model_labels=["a", "b"]),
                      {**metrics, "epochs_run": 5, "best_epoch": 4, "epoch_chosen": True}, "claims.jsonl")
    assert "(best of 5 epochs: epoch 4)" in card


def test_validation_macro_f1_is_over_the_labels_the_validation_claims_hold():
    """All the claims of a label in one document can all land in training: the validation figures
    (epoch, blend, notes, model card) are then over the other labels, as `stance evaluate` scores."""
    from models.finetune import macro_f1

    rows = [{"text": f"t{i}", "label": "ab"[i % 2], "doc_id": f"d{i}"} for i in range(30)]
    rows += [{"text": "n1", "label": "c", "doc_id": "dn"}, {"text": "n2", "label": "c", "doc_id": "dn"}]
    _, val_idx = split_by_document(rows, 0.15, seed=0)
    assert "c" not in {rows[i]["label"] for i in val_idx}
    y = np.array([0, 1, 0, 1, 0])
    assert macro_f1(y, y, 3) == 1.0   # it was 0.667: label 2, on no claim here, counted as an F1 of 0
    assert macro_f1(y, np.array([0, 1, 0, 1, 2]), 3) == pytest.approx((0.8 + 1) / 2)   # predicting it is an error


def test_copies_of_a_text_in_several_documents_stay_on_one_side_of_the_validation_split(capsys):
    """A repost is another document with the same claim: split by document alone, one copy was trained
    on and the other validated (4 of 6 validation claims here), flattering the epoch, temperature and
    blend chosen on them."""
    from models.data import split_groups, text_hash

    rows = [{"text": f"claim number {i} about the war", "label": "xy"[i % 2], "doc_id": f"{copy}{i}"}
            for i in range(20) for copy in ("a", "b")]
    for seed in range(5):
        train_idx, val_idx = split_by_document(rows, 0.15, seed)
        trained = {text_hash(rows[i]["text"]) for i in train_idx}
        assert val_idx and not any(text_hash(rows[i]["text"]) in trained for i in val_idx)
    # Too few documents: split by claim, and copies within a document stay together too.
    few = [{"text": f"claim {i // 2}", "label": "xy"[i // 2 % 2], "doc_id": f"d{i % 2}"} for i in range(40)]
    train_idx, val_idx = split_by_document(few, 0.15, seed=3)
    assert "split by claim" in capsys.readouterr().err
    assert not {few[i]["text"] for i in train_idx} & {few[i]["text"] for i in val_idx}
    # Rows without a copy keep their own group, so splits of such data are as before.
    assert split_groups(_rows()) == [f"doc_id:{r['doc_id']}" for r in _rows()]
    assert split_groups(rows)[:4] == ["doc_id:a0", "doc_id:a0", "doc_id:a1", "doc_id:a1"]


def test_one_text_in_thousands_of_documents_is_grouped_in_linear_time():
    """A boilerplate line ("Subscribe to our channel") in every document: 20,000 rows took 8 s before
    the union's paths were halved, and 100,000 would have taken minutes."""
    import time

    from models.data import split_groups

    rows = [{"text": "same" if i % 2 else f"t{i}", "doc_id": f"d{200000 - i:06d}"} for i in range(20000)]
    started = time.monotonic()
    groups = split_groups(rows)
    assert time.monotonic() - started < 2 and len(set(groups)) == 10001
    assert {groups[i] for i in range(1, 20000, 2)} == {"doc_id:d180001"}   # all under the first-sorted key


def test_the_model_card_escapes_the_source_names_it_lists():
    """Seen sources are named in the card; a name is data (an outlet field), so it is escaped as in
    every report: a raw <img> in README.md is fetched wherever the card is rendered."""
    from types import SimpleNamespace

    from models.training import model_card

    name = "<img src=https://tracker.example/p.png> [x](http://evil.example)"
    config = {"version": "v", "created": "2026-11-27", "seed": 13, "split": "by document", "normalise_spelling": False,
              "scheme": "kremlin_framing", "labels": ["a", "b"],
              "blend": {"temperature": 1.0, "bootstrap_weight": 0.0,
                        "seen_sources": {"min_claims": 10, "applied": True, "decision": "on", "claims": {name: 12}}}}
    metrics = {"label_counts": {"a": 30, "b": 30}, "train_claims": 50, "scheme_examples": 0, "validation_claims": 10,
               "validation_macro_f1": 0.6, "epochs_run": 8, "best_epoch": 4, "seconds": 9}
    card = model_card(SimpleNamespace(config=config, model_labels=["a", "b"]), metrics, "claims.jsonl")
    assert "&lt;img src=https://tracker.example/p.png&gt; \\[x\\](http://evil.example) (12) (on)." in card
    assert "<img" not in card and "[x]" not in card
