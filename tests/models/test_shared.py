"""Shared lower layers (models.shared): the two graphs give what the two whole graphs give, claims past
the classifier's length are embedded whole, only the claims asked for are embedded, and a model whose
lower layers are not the packaged MiniLM's is not run this way."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import models.shared
from models.base_model import base_model_dir
from models.onnx_graphs import _tokenizer, tokenise

TEXTS = [
    "The Kiev regime shelled Donetsk again, the ministry said.",
    "Reporters verified the footage with satellite images.",
    "Talks stalled.",
    "Prices rose.",
    # Longer than the 16 tokens the classifier reads below: embedded by the whole encoder.
    "According to three officials who spoke on condition of anonymity, the convoy left the base at dawn "
    "and reached the border crossing before the statement was published by the ministry of defence.",
]


def test_a_cut_to_the_classifier_length_is_what_truncation_gives() -> None:
    whole = _tokenizer(base_model_dir(), 256)
    cut = _tokenizer(base_model_dir(), 16)
    flat, lengths, ends = tokenise(whole, TEXTS)
    for i, text in enumerate(TEXTS):
        row = flat[ends[i] - lengths[i]:ends[i]]
        mine = row if lengths[i] <= 16 else np.concatenate([row[:15], row[-1:]])
        assert mine.tolist() == cut.encode(text).ids
    assert lengths.max() > 16 and lengths.min() <= 16   # both kinds are in TEXTS


def _tuned_copy(folder: Path, changed_layer: int) -> Path:
    """A sequence classifier on the packaged MiniLM with layer ``changed_layer`` altered, as fine-tuning
    with the layers below it frozen would leave it."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base_model_dir(), num_labels=3)
    with torch.no_grad():
        weight = model.base_model.encoder.layer[changed_layer].attention.self.query.weight
        weight.add_(0.05 * torch.randn_like(weight))
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(base_model_dir()).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tuned_copy(tmp_path_factory.mktemp("tuned"), changed_layer=3)


@pytest.mark.slow
def test_two_shared_graphs_give_the_two_whole_graphs_outputs(tuned: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from models.encoder import OnnxClassifier, OnnxEncoder

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f32")
    graphs = models.shared.SharedGraphs(tuned, 16, 2)
    logits, features, embeddings, wanted = graphs.run(TEXTS, batch_size=2)
    want_logits, want_features = OnnxClassifier(tuned, 16).forward(TEXTS, batch_size=2)
    np.testing.assert_allclose(logits, want_logits, atol=1e-4)
    np.testing.assert_allclose(features, want_features, atol=1e-4)
    np.testing.assert_allclose(embeddings, OnnxEncoder().encode(TEXTS), atol=1e-4)
    assert wanted.all()
    # Only the claims asked for are embedded (the long one through the whole encoder); the rest stay zero.
    asked = {1, 4}
    _, again, embeddings, wanted = graphs.run(TEXTS, batch_size=2,
                                              need=lambda rows, feats: np.isin(rows, sorted(asked)))
    np.testing.assert_allclose(again, features, atol=1e-6)
    assert set(np.nonzero(wanted)[0]) == asked
    assert set(np.nonzero(np.abs(embeddings).sum(1))[0]) == asked
    # Chunks of a few tokens at a time give the same outputs as one chunk.
    monkeypatch.setattr(models.shared, "CHUNK_TOKENS", 20)
    np.testing.assert_allclose(graphs.run(TEXTS, batch_size=2)[2], OnnxEncoder().encode(TEXTS), atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("int8", ["0", "1"])
def test_a_model_whose_lower_layers_changed_runs_its_two_whole_graphs(tmp_path: Path, int8: str,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from models.classifier import StanceClassifier

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_INT8", int8)
    model = _tuned_copy(tmp_path / "model", changed_layer=1)
    assert not models.shared.same_lower_layers(model, 2) and models.shared.same_lower_layers(model, 1)
    with pytest.raises(ValueError, match="lower 2 layers are not the packaged MiniLM's"):
        models.shared.SharedGraphs(model, 16, 2)
    config = {"labels": ["a", "b", "c"], "version": "v", "scheme": "kremlin_framing", "max_length": 16,
              "settings": {"freeze_layers": 2}, "blend": {"enabled": True, "domain": {"space": "classifier"}}}
    (model / "claimstance.json").write_text(json.dumps(config), encoding="utf-8")
    clf = StanceClassifier(None, None, config)
    clf.model_dir = model
    capsys.readouterr()
    assert clf._shared() is None
    # Nothing said: with int8 it once warned that 'the int8 graph could not be made' and ran bfloat16,
    # when its two whole graphs then ran in int8 as before.
    assert capsys.readouterr().err == ""
    assert models.shared.frozen_layers(config) == 2
    assert models.shared.frozen_layers({**config, "normalise_spelling": True}) == 0
    assert models.shared.frozen_layers({"settings": {}}) == 0


MAPPED = """
import ctypes, sys
import numpy as np
from models.shared import fix_mmap_threshold

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                     "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "fixed":
    fix_mmap_threshold()
np.ones(8 << 20, np.uint8)  # mapped, then freed: glibc's sliding threshold rises past it
base = libc.mallinfo2().hblks
block = np.ones(2 << 20, np.uint8)  # a batch's hidden states
print(libc.mallinfo2().hblks - base)
"""


@pytest.mark.parametrize("how, mapped", [("plain", 0), ("fixed", 1)])
def test_blocks_of_a_mib_are_mapped_once_the_threshold_is_fixed(how: str, mapped: int) -> None:
    """Without it a 40,000-claim pre-label peaked at 1.96 GB, fragmented arenas; with it 1.25 GB."""
    import ctypes
    import os
    import subprocess
    import sys

    if not hasattr(ctypes.CDLL(None), "mallinfo2"):
        pytest.skip("glibc's mallinfo2 (glibc 2.33 or later) is not here")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", MAPPED, how], capture_output=True, text=True, check=True, env=env,
                         cwd=Path(models.shared.__file__).resolve().parents[1])
    assert int(out.stdout) == mapped


@pytest.mark.slow
def test_a_new_models_graphs_include_the_whole_encoder(tuned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`stance train` makes, beside the two shared graphs, the whole encoder's int8 graph (once a cache),
    which embeds the claims longer than the network reads; the first pre-label with one quantised it."""
    from models.classifier import StanceClassifier

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_INT8", "1")
    domain = {"coef": [0.0] * 384, "intercept": -5.0, "gate_low": 0.2, "gate_high": 0.5, "space": "classifier"}
    config = {"labels": ["kremlin_framing", "independent_reporting", "neutral"], "version": "v", "max_length": 64,
              "scheme": "kremlin_framing", "settings": {"freeze_layers": 2},
              "blend": {"enabled": True, "temperature": 1.0, "bootstrap_weight": 0.0, "domain": domain}}

    def loaded() -> StanceClassifier:
        clf = StanceClassifier(None, None, config)
        clf.model_dir = tuned
        return clf

    assert loaded().export_graphs()
    assert list((tmp_path / "cache").glob("onnx/*/encoder.int8-*.xml"))
    capsys.readouterr()
    clf = loaded()
    proba = clf.predict_proba([{"text": TEXTS[0]}, {"text": " ".join(TEXTS)}])  # the second over 64 tokens
    assert clf._shared() is not None and np.allclose(proba.sum(axis=1), 1.0)
    assert "quantising" not in capsys.readouterr().err


@pytest.mark.slow
def test_a_classifier_reading_more_than_the_encoder_reads_all_it_was_trained_on(
        tuned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model trained with max_length over the encoder's 256 tokens (here the encoder's reach is made 16,
    the classifier's 24): its classifier read only the encoder's reach, and a claim between the two was
    embedded from hidden states of that cut."""
    from models.encoder import OnnxClassifier, OnnxEncoder

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f32")
    monkeypatch.setattr(models.shared, "MAX_LENGTH", 16)
    texts = [*TEXTS, "Officials in Kyiv and Moscow traded accusations on Tuesday over the shelling near the plant."]
    lengths = tokenise(_tokenizer(base_model_dir(), 256), texts)[1]
    assert ((lengths > 16) & (lengths <= 24)).any() and (lengths > 24).any()
    logits, features, embeddings, _ = models.shared.SharedGraphs(tuned, 24, 2).run(texts, batch_size=2)
    want_logits, want_features = OnnxClassifier(tuned, 24).forward(texts, batch_size=2)
    np.testing.assert_allclose(logits, want_logits, atol=1e-4)
    np.testing.assert_allclose(features, want_features, atol=1e-4)
    np.testing.assert_allclose(embeddings, OnnxEncoder().encode(texts), atol=1e-4)


def _blended_copy(tuned: Path, tmp_path: Path, temperature: float, network_flat: bool, **extra: object) -> Path:
    """A copy of the tuned model whose blend gives the network every claim's full share (bootstrap weight
    0, a domain gate that reads every claim as in domain), with ``temperature``, ``network_flat`` and
    ``extra`` top-level fields in its claimstance.json."""
    import shutil

    config = {"labels": ["kremlin_framing", "independent_reporting", "neutral"], "version": "v", "max_length": 64,
              "scheme": "kremlin_framing", "settings": {"freeze_layers": 2}, **extra,
              "blend": {"enabled": True, "temperature": temperature, "bootstrap_weight": 0.0,
                        "network_flat": network_flat,
                        "domain": {"coef": [0.0] * 384, "intercept": 5.0, "gate_low": 0.2, "gate_high": 0.5,
                                   "space": "classifier"}}}
    model = Path(shutil.copytree(tuned, tmp_path / "model"))
    (model / "claimstance.json").write_text(json.dumps(config), encoding="utf-8")
    return model


@pytest.mark.slow
def test_a_near_uniform_model_s_probabilities_are_the_plain_bootstrap_s(tuned: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose network is near-uniform (``network_flat``) hands every claim to the bootstrap, and
    the pre-labels are then the bootstrap's, probabilities too: its bootstrap ran in the int8 graphs, and
    a score moved by up to 0.08 from what `stance prelabel` without --model gives (QA qa22: 0.566 where
    the bootstrap said 0.490). The network is not run, and `stance train` exports no graph for it."""
    from models.bootstrap import Bootstrap
    from models.classifier import StanceClassifier
    from models.schemes import load_scheme

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_INT8", "1")
    model = _blended_copy(tuned, tmp_path, temperature=20.0, network_flat=True)
    clf = StanceClassifier.from_pretrained(model)
    rows = [{"text": t} for t in TEXTS] + [{"text": "Officials said the bridge would reopen next week."}]
    got = clf.predict_proba(rows)
    want = Bootstrap(load_scheme("kremlin_framing")).predict_proba(rows)
    np.testing.assert_allclose(got, want, atol=2e-6)   # the blend's floor of 1e-6 on a probability
    assert clf._onnx is None and clf._shared_graphs is None   # the network never ran
    assert not StanceClassifier.from_pretrained(model).export_graphs()
    assert not list((tmp_path / "cache").glob("onnx/*/*.xml"))


@pytest.mark.slow
def test_a_russian_row_of_a_text_file_goes_to_the_bootstrap_as_one_from_stance_claims(
        tuned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose network decides (every claim in domain) hands a row the claims step marked
    not_english to the bootstrap; a Russian row without a reason (a text/label file) went to the network,
    which never saw one: it now goes where the bootstrap's ``row_reason`` puts it, with the same figures."""
    from models.classifier import StanceClassifier

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    model = _blended_copy(tuned, tmp_path, temperature=1.0, network_flat=False, train_reasons=["claim"])
    clf = StanceClassifier.from_pretrained(model)
    russian = "Министр заявил, что мост будет открыт на следующей неделе."
    rows = [{"text": t} for t in TEXTS] + [{"text": russian}, {"text": russian, "reason": "not_english"}]
    got = clf.predict_proba(rows)
    np.testing.assert_allclose(got[-2], got[-1], atol=1e-6)
    network = clf.predict_proba([{"text": russian}], blended=False)[0]
    assert np.abs(got[-1] - network).max() > 0.01   # the bootstrap's, not the network's
