"""The shared embedding cache: one file per model written in one rename, so two commands at once
never pair a text with another text's vector; old and damaged files are rebuilt, not read."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pytest

import corpus.files as files
from corpus.errors import UserError
from models.embedding_cache import EmbeddingCache, text_key
from models.onnx_graphs import runtime_tag


class Tagged:
    """An encoder whose vectors say which encoder made them (first value) and the text's position."""

    def __init__(self, tag: float) -> None:
        self.tag, self.calls = tag, 0

    def encode(self, texts, batch_size=64, progress=False):
        self.calls += len(texts)
        return np.array([[self.tag, float(i), 0.0, 0.0] for i in range(len(texts))], dtype=np.float32)


def test_two_commands_interleaving_their_writes_never_swap_vectors(tmp_path, monkeypatch):
    # A writes its first file, then B embeds and writes everything, then A goes on (the audit's
    # race: with a matrix and a key list in two renames, A's keys landed beside B's matrix).
    a_wrote, b_done = threading.Event(), threading.Event()
    original = files.atomic_write

    @contextlib.contextmanager
    def paused(path, *args, **kwargs):
        with original(path, *args, **kwargs) as handle:
            yield handle
        if threading.current_thread().name == "A" and not a_wrote.is_set():
            a_wrote.set()
            assert b_done.wait(30)

    monkeypatch.setattr(files, "atomic_write", paused)
    a, b = EmbeddingCache(tmp_path), EmbeddingCache(tmp_path)

    def run_b() -> None:
        assert a_wrote.wait(30)
        b.embed(["claim by B"], encoder=Tagged(2.0))
        b_done.set()

    threads = [threading.Thread(target=lambda: a.embed(["claim by A"], encoder=Tagged(1.0)), name="A"),
               threading.Thread(target=run_b, name="B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.setattr(files, "atomic_write", original)
    later = Tagged(9.0)
    vectors = EmbeddingCache(tmp_path).embed(["claim by A", "claim by B"], encoder=later)
    assert vectors[0][0] == 1.0 and vectors[1][0] == 2.0   # each its own encoder's, both kept
    assert later.calls == 0


def test_old_two_file_entries_are_ignored_and_rebuilt(tmp_path):
    np.save(tmp_path / "all-MiniLM-L6-v2.npy", np.full((1, 4), 5.0, dtype=np.float32))
    (tmp_path / "all-MiniLM-L6-v2.keys").write_text("0" * 40)
    # and the one file of the version after, which did not say what made its vectors
    np.savez(tmp_path / "all-MiniLM-L6-v2.npz", keys=np.array([text_key("a")]), vectors=np.full((1, 4), 5.0))
    cache = EmbeddingCache(tmp_path)
    assert len(cache) == 0
    enc = Tagged(1.0)
    assert cache.embed(["a"], encoder=enc)[0][0] == 1.0 and enc.calls == 1
    assert len(EmbeddingCache(tmp_path)) == 1


@pytest.mark.parametrize("damage", [b"\x93NUMPY garbage" + bytes(range(200)), b"PK\x03\x04 not a zip", b""])
def test_a_damaged_file_is_rebuilt_and_a_file_for_a_folder_refused(tmp_path, damage):
    cache = tmp_path / "cache"
    enc = Tagged(1.0)
    EmbeddingCache(cache).embed(["a", "b"], encoder=enc)
    assert enc.calls == 2 and len(EmbeddingCache(cache)) == 2
    EmbeddingCache(cache).path.write_bytes(damage)
    again = EmbeddingCache(cache)
    assert len(again) == 0   # dropped, not unpickled or trusted
    assert again.embed(["a"], encoder=enc).shape == (1, 4) and enc.calls == 3
    np.save(cache / "bare.npy", np.zeros((2, 4)))
    (cache / "bare.npy").rename(EmbeddingCache(cache).path)
    assert len(EmbeddingCache(cache)) == 0
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UserError, match="afile is a file; give --cache a directory"):
        EmbeddingCache(tmp_path / "afile")


def test_models_keep_apart_and_a_hit_is_not_embedded_again(tmp_path):
    one, two = Tagged(1.0), Tagged(2.0)
    EmbeddingCache(tmp_path, "m1").embed(["x", "y"], encoder=one)
    EmbeddingCache(tmp_path, "m2").embed(["x"], encoder=two)
    again = EmbeddingCache(tmp_path, "m1").embed(["y", "x", "y"], encoder=one)
    assert one.calls == 2 and again[:, :2].tolist() == [[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert EmbeddingCache(tmp_path, "m2").embed(["x"], encoder=two)[0][0] == 2.0 and two.calls == 1


def test_a_cache_that_cannot_be_written_embeds_and_says_so_once(tmp_path, capsys):
    """CLAIMSTANCE_CACHE read-only (as it may be for the graphs), or a file: `stance compare` embedded
    every claim, then failed on writing the cache with nothing written."""
    (tmp_path / "afile").write_text("x")
    cache = EmbeddingCache(tmp_path / "afile" / "embeddings")
    encoder = Tagged(1.0)
    first = cache.embed(["one claim", "another claim"], encoder=encoder)
    again = cache.embed(["a third claim", "one claim"], encoder=encoder)
    assert first.shape == (2, 4) and again[1].tolist() == first[0].tolist() and encoder.calls == 3
    err = capsys.readouterr().err
    assert err == (f"warning: the embeddings' cache {tmp_path / 'afile' / 'embeddings'} cannot be written (Not a "
                   "directory); they are made again next time (set CLAIMSTANCE_CACHE, or --cache, to a folder "
                   "you can write)\n")
    assert (tmp_path / "afile").read_text() == "x"


def test_vectors_of_one_runtime_or_precision_are_not_served_under_another(tmp_path, monkeypatch):
    """One file held every runtime's vectors: a run in float32 was served the bfloat16 vectors an
    earlier run had cached, and the reverse, so results depended on which ran first."""
    made = {}
    for number, (runtime, precision) in enumerate([("onnxruntime", "auto"), ("openvino", "f32"), ("openvino", "f32"),
                                                   ("onnxruntime", "auto")]):
        monkeypatch.setenv("CLAIMSTANCE_RUNTIME", runtime)
        monkeypatch.setenv("CLAIMSTANCE_PRECISION", precision)
        encoder = Tagged(float(number))
        vectors = EmbeddingCache(tmp_path).embed(["a claim", "another claim"], encoder=encoder)
        made.setdefault(runtime_tag(), vectors[0][0])
        assert vectors[0][0] == made[runtime_tag()]   # each runtime's own vectors, made once
        assert encoder.calls == (2 if number < 2 else 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all-MiniLM-L6-v2.onnxruntime.npz",
                                                           "all-MiniLM-L6-v2.openvino-f32.npz"]


def test_an_encoder_of_another_runtime_makes_the_whole_call_and_keeps_it_apart(tmp_path, monkeypatch):
    """PyTorch standing in for a graph that failed to compile: its float32 vectors were filed, and
    served, under the runtime the cache expected, beside that runtime's vectors in one matrix."""
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "onnxruntime")
    EmbeddingCache(tmp_path).embed(["cached claim"], encoder=Tagged(1.0))
    stand_in = Tagged(2.0)
    stand_in.runtime = "torch"
    vectors = EmbeddingCache(tmp_path).embed(["cached claim", "new claim"], encoder=stand_in)
    assert vectors[:, 0].tolist() == [2.0, 2.0] and stand_in.calls == 2   # no row of the other runtime
    assert EmbeddingCache(tmp_path, runtime="torch").embed(["new claim"], encoder=Tagged(3.0))[0][0] == 2.0
    assert EmbeddingCache(tmp_path).embed(["cached claim"], encoder=Tagged(4.0))[0][0] == 1.0


@pytest.mark.slow
def test_the_real_encoder_in_bf16_or_f32_is_served_its_own_vectors(tmp_path, monkeypatch):
    """The encoder itself, under two precisions (two runtimes where the CPU has no bfloat16): each
    cache serves back exactly what that encoder makes, never the other's."""
    from models.encoder import OnnxEncoder
    from models.onnx_graphs import precision

    texts = ["Peskov said the talks would go on.", "The ministry denied the report on Tuesday."]
    monkeypatch.delenv("CLAIMSTANCE_PRECISION", raising=False)
    settings = [("openvino", "f32"), ("openvino", "auto") if precision() == "bf16" else ("onnxruntime", "auto")]
    made = []
    for runtime, precision_setting in settings * 2:
        monkeypatch.setenv("CLAIMSTANCE_RUNTIME", runtime)
        monkeypatch.setenv("CLAIMSTANCE_PRECISION", precision_setting)
        encoder = OnnxEncoder()
        cached = EmbeddingCache(tmp_path).embed(texts, encoder=encoder)
        np.testing.assert_allclose(cached, encoder.encode(texts), rtol=0, atol=1e-6)
        made.append(cached)
    if settings[1][0] == "openvino":   # bfloat16 here: vectors apart in the third decimal
        assert np.abs(made[0] - made[1]).max() > 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"all-MiniLM-L6-v2.{runtime}.npz" for runtime in (
        "openvino-f32", "openvino-bf16" if settings[1][0] == "openvino" else "onnxruntime"))
