"""The cache's folders: named by content, bounded, least recently used deleted first."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from corpus.errors import UserError
from models import cache


def _model(folder: Path, weights: bytes, config: bytes = b'{"a": 1}') -> Path:
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(weights)
    (folder / "config.json").write_bytes(config)
    return folder


def _entry(root: Path, name: str, size: int, age: float) -> Path:
    folder = root / name
    (folder / "sub").mkdir(parents=True)
    (folder / "graph.bin").write_bytes(b"x" * (size - size // 2))
    (folder / "sub" / "blob").write_bytes(b"x" * (size // 2))
    used = time.time() - age
    os.utime(folder, (used, used))
    return folder


def _file(root: Path, name: str, size: int, age: float) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(b"x" * size)
    used = time.time() - age
    os.utime(path, (used, used))
    return path


def test_the_same_model_at_two_paths_has_one_fingerprint(tmp_path):
    """A second clone or a reinstalled environment reached the base model by a new path and filled the
    cache with another 173 MB copy of the same graphs each time."""
    one = _model(tmp_path / "one", b"weights" * 100)
    two = tmp_path / "elsewhere" / "two"
    shutil.copytree(one, two)
    os.utime(two / "model.safetensors", (1, 1))
    assert cache.model_fingerprint(one) == cache.model_fingerprint(two)


def test_other_weights_or_config_give_another_fingerprint(tmp_path):
    base = cache.model_fingerprint(_model(tmp_path / "a", b"weights" * 100))
    assert cache.model_fingerprint(_model(tmp_path / "b", b"weights" * 99 + b"weighTs")) != base
    assert cache.model_fingerprint(_model(tmp_path / "c", b"weights" * 100, b'{"a": 2}')) != base


def test_weights_rewritten_in_place_are_hashed_again(tmp_path):
    model = _model(tmp_path / "m", b"weights" * 100)
    before = cache.model_fingerprint(model)
    (model / "model.safetensors").write_bytes(b"trained" * 100)
    os.utime(model / "model.safetensors", ns=(1, 1))   # a new mtime: the digest is not reused
    assert cache.model_fingerprint(model) != before


def test_a_digest_is_remembered_by_the_next_run_until_the_weights_are_written(tmp_path, monkeypatch):
    """Each run read the 90 MB of weights of the model and of the base encoder again to hash them:
    0.13 s of a warm pre-label of five claims that takes about 1 s."""
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    model = _model(tmp_path / "m", b"weights" * 100)
    first = cache.model_fingerprint(model)
    hash_file = cache._hash_file
    cache._file_digest.cache_clear()   # as in a new process
    monkeypatch.setattr(cache, "_hash_file", lambda path: pytest.fail(f"{path} read again"))
    assert cache.model_fingerprint(model) == first
    monkeypatch.setattr(cache, "_hash_file", hash_file)
    # Rewritten in place, the same size, its mtime put back: its ctime still tells.
    weights = model / "model.safetensors"
    before = weights.stat()
    time.sleep(0.05)   # past the kernel's coarse clock tick
    weights.write_bytes(b"trained" * 100)
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    cache._file_digest.cache_clear()
    assert cache.model_fingerprint(model) != first
    # A cache that cannot be written still names the folder, by reading the weights.
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "m" / "config.json"))
    cache._file_digest.cache_clear()
    assert cache.model_fingerprint(model) != first
    # A full disk leaves no temporary file in the cache.
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "full"))

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", full)
    cache._file_digest.cache_clear()
    assert cache.model_fingerprint(model) != first
    assert [p.name for p in (tmp_path / "full" / "onnx").iterdir()] == []


def test_prune_deletes_the_least_recently_used_until_the_rest_fit(tmp_path):
    root = tmp_path / "onnx"
    oldest = _entry(root, "aaa", 1000, age=5 * 3600)
    old = _entry(root, "bbb", 1000, age=4 * 3600)
    recent = _entry(root, "ccc", 1000, age=2 * 3600)
    deleted = cache.prune(root, limit=1500)
    assert deleted == [oldest, old]
    assert sorted(p.name for p in root.iterdir()) == ["ccc"]
    assert (recent / "sub" / "blob").exists()


def test_prune_spares_folders_in_use_and_what_fits(tmp_path):
    root = tmp_path / "onnx"
    _entry(root, "aaa", 1000, age=5 * 3600)
    _entry(root, "bbb", 1000, age=60)          # another process used it a minute ago
    assert cache.prune(root, limit=5000) == []
    assert [p.name for p in cache.prune(root, limit=0)] == ["aaa"]
    assert sorted(p.name for p in root.iterdir()) == ["bbb"]


def test_prune_spares_a_folder_taken_up_after_its_time_was_read(tmp_path, monkeypatch):
    """A run that marked its folder used after prune had read the folder's time lost it: the time is
    read again just before a folder goes."""
    root = tmp_path / "onnx"
    taken = _entry(root, "aaa", 1000, age=5 * 3600)
    _entry(root, "bbb", 1000, age=4 * 3600)
    measure = cache._size

    def measure_while_used(folder):
        size = measure(folder)
        if folder == taken:   # its time read, then another process's model_folder() marks it used
            os.utime(taken)
        return size

    monkeypatch.setattr(cache, "_size", measure_while_used)
    assert [p.name for p in cache.prune(root, limit=0)] == ["bbb"]
    assert (taken / "sub" / "blob").exists()


@pytest.mark.parametrize("kind", ["folder", "embeddings file"])
def test_a_folder_another_process_pruned_counts_as_gone(tmp_path, monkeypatch, kind):
    """Two runs pruning at once: what the other removed is not made up for by deleting one more."""
    root = tmp_path / "onnx"
    make = _entry if kind == "folder" else _file
    oldest = make(root, "aaa", 1000, age=5 * 3600)
    make(root, "bbb", 1000, age=4 * 3600)
    make(root, "ccc", 1000, age=3 * 3600)
    measure = cache._size

    def measure_while_pruned(folder):
        size = measure(folder)
        if folder == oldest:   # measured, then removed by the other run
            shutil.rmtree(oldest) if kind == "folder" else oldest.unlink()
        return size

    monkeypatch.setattr(cache, "_size", measure_while_pruned)
    assert [p.name for p in cache.prune(root, limit=1500)] == ["bbb"]
    assert sorted(p.name for p in root.iterdir()) == ["ccc"]


def test_prune_clears_an_interrupted_removal(tmp_path):
    root = tmp_path / "onnx"
    _entry(root, f"{cache.TRASH}aaa-123", 10, age=5 * 3600)
    _entry(root, "bbb", 10, age=5 * 3600)
    cache.prune(root, limit=10**9)
    assert [p.name for p in root.iterdir()] == ["bbb"]


def test_a_new_folder_prunes_and_a_used_one_is_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "0")
    model = _model(tmp_path / "m", b"weights" * 100)
    root = tmp_path / "cache" / "onnx"
    stale = _entry(root, "aaa", 1000, age=5 * 3600)
    mine = _entry(root, cache.model_fingerprint(model), 1000, age=5 * 3600)
    assert cache.model_folder(model) == mine and stale.exists()    # in the cache: only marked as used
    assert time.time() - mine.stat().st_mtime < 60
    (model / "config.json").write_bytes(b'{"a": 3}')               # now a model not in the cache
    new = cache.model_folder(model)
    assert not new.exists() and not stale.exists() and mine.exists()
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "2G")
    with pytest.raises(UserError, match="CLAIMSTANCE_CACHE_MB='2G'"):   # said on every use, made or not
        cache.model_folder(_model(tmp_path / "n", b"weights" * 100))


def test_a_new_folder_never_prunes_the_base_encoders(tmp_path, monkeypatch):
    """A pre-label marks its model's folder seconds before the base encoder's: another run's prune
    in between deleted the base encoder's graphs, and the first run made them again (49.5 s, not 3.4)."""
    from models.base_model import base_model_dir

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "0")
    root = tmp_path / "cache" / "onnx"
    base = _entry(root, cache.model_fingerprint(base_model_dir()), 1000, age=5 * 3600)
    stale = _entry(root, "aaa", 1000, age=5 * 3600)
    cache.model_folder(_model(tmp_path / "m", b"weights" * 100))
    assert base.exists() and not stale.exists()


@pytest.mark.parametrize("raw", ["lots", "-5", "1.5"])
def test_a_bad_cache_bound_names_the_variable_and_the_fix(raw, monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", raw)
    with pytest.raises(UserError, match=r"CLAIMSTANCE_CACHE_MB=.* is not a whole number of megabytes; set it"):
        cache.cache_limit()


def test_the_bound_defaults_to_two_gigabytes_and_reads_megabytes(monkeypatch):
    monkeypatch.delenv("CLAIMSTANCE_CACHE_MB", raising=False)
    assert cache.cache_limit() == 2048 * 2**20
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "300")
    assert cache.cache_limit() == 300 * 2**20


def test_embeddings_follow_the_cache_variable(tmp_path, monkeypatch):
    """``compare`` and ``match`` kept their embeddings under ~/.cache whatever CLAIMSTANCE_CACHE said."""
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path))
    assert cache.embeddings_dir() == tmp_path / "embeddings"


def test_plots_keep_matplotlibs_font_cache_in_ours(tmp_path):
    """``stance evaluate`` and ``stance compare`` wrote matplotlib's font cache under ~/.cache."""
    import json
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    home = tmp_path / "home"
    home.mkdir()
    code = ("import sys, json; sys.path.insert(0, %r)\n"
            "from models.cache import pyplot\n"
            "plt = pyplot(); fig, ax = plt.subplots(); ax.set_title('x'); fig.savefig(%r)\n"
            "import matplotlib; print(json.dumps(matplotlib.get_cachedir()))\n") % (str(repo), str(tmp_path / "p.png"))
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    env.update(HOME=str(home), CLAIMSTANCE_CACHE=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == str(tmp_path / "cache" / "matplotlib")
    assert (tmp_path / "p.png").stat().st_size > 0
    assert not list(home.iterdir())
    # A cache that cannot be written (here a file; read-only alike): a temporary font cache, no
    # warning (matplotlib's own fallback printed two lines telling to set MPLCONFIGDIR).
    (tmp_path / "afile").write_text("x")
    env.update(CLAIMSTANCE_CACHE=str(tmp_path / "afile"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    used = Path(json.loads(done.stdout.strip().splitlines()[-1]))
    assert done.stderr == "" and used.name.startswith("claimstance-matplotlib-") and not used.exists()
    assert not list(home.iterdir())


def test_embeddings_and_model_folders_share_the_bound_least_recently_used_first(tmp_path):
    onnx, embeddings = tmp_path / "onnx", tmp_path / "embeddings"
    old_vectors = _file(embeddings, "all-MiniLM-L6-v2.npz", 1000, age=6 * 3600)
    old_graphs = _entry(onnx, "aaa", 1000, age=5 * 3600)
    _file(embeddings, "other-model.npz", 1000, age=4 * 3600)
    in_use = _file(embeddings, "busy.npz", 1000, age=60)     # another process read it a minute ago
    writing = _file(embeddings, ".busy.npz.x1.tmp", 500, age=60)            # a write under way
    cut_off = _file(embeddings, ".old.npz.x2.tmp", 500, age=2 * 3600)       # a write killed long ago
    trash = _file(embeddings, f"{cache.TRASH}gone.npz-77", 500, age=60)     # a removal interrupted
    deleted = cache.prune([onnx, embeddings], limit=2500)
    assert deleted == [old_vectors, old_graphs]
    assert sorted(p.name for p in embeddings.iterdir()) == [".busy.npz.x1.tmp", "busy.npz", "other-model.npz"]
    assert writing.exists() and not cut_off.exists() and not trash.exists() and in_use.exists()
    assert [p.name for p in cache.prune([onnx, embeddings], limit=0)] == ["other-model.npz"]   # never busy.npz


def test_embeddings_written_or_read_count_in_the_bound_and_are_marked_used(tmp_path, monkeypatch):
    import numpy as np

    from models.embedding_cache import EmbeddingCache

    class Encoder:
        def encode(self, texts, batch_size=64, progress=False):
            return np.ones((len(texts), 384), dtype=np.float32)

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "1")
    onnx, embeddings = tmp_path / "cache" / "onnx", tmp_path / "cache" / "embeddings"
    stale_graphs = _entry(onnx, "aaa", 600_000, age=5 * 3600)
    stale_vectors = _file(embeddings, "old-model.npz", 400_000, age=6 * 3600)
    texts = [f"claim {i}" for i in range(300)]          # 300 x 384 float32: 0.46 MB written
    EmbeddingCache(embeddings).embed(texts, Encoder())
    written = EmbeddingCache(embeddings).path
    # Over 1 MB with what was just written: the least recently used go (the vectors first), until it fits.
    assert written.exists() and not stale_vectors.exists() and not stale_graphs.exists()
    # Read by a later command: marked used, so a prune within the hour spares it.
    os.utime(written, (time.time() - 5 * 3600,) * 2)
    assert len(EmbeddingCache(embeddings)) == 300
    assert time.time() - written.stat().st_mtime < 60
    assert cache.prune([onnx, embeddings], limit=0) == [] and written.exists()
    # A folder given with --cache is the user's: outside the bound.
    mine = tmp_path / "mine"
    kept = _file(mine, "x.npz", 2_000_000, age=9 * 3600)
    EmbeddingCache(mine).embed(texts, Encoder())
    assert kept.exists()


def test_a_folder_just_filled_counts_in_the_bound(tmp_path, monkeypatch):
    """The bound was checked before a new folder was made only: the graphs exported into it then took
    the cache over it. Now the least recently used make room for them once they are written."""
    import models.encoder

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSTANCE_CACHE_MB", "1")
    root = tmp_path / "cache" / "onnx"
    older = _entry(root, "aaa", 300_000, age=6 * 3600)
    old = _entry(root, "bbb", 300_000, age=5 * 3600)

    def export_onnx(model_dir, path, head):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"g" * 700_000)

    monkeypatch.setattr(models.encoder, "export_onnx", export_onnx)
    path = models.encoder._exported(_model(tmp_path / "m", b"weights" * 100), "encoder", "mean")
    assert path.stat().st_size == 700_000
    assert not older.exists() and old.exists()   # 1.3 MB with the new graph: the oldest went, the rest fit
    assert cache._size(root.parent) <= 2**20 + 1000   # + the weights' digests memo
