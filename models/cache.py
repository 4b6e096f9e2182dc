"""The cache of what our models make once and reuse: exported graphs, their int8 and compiled forms,
the bootstrap's anchors (a folder per model, under ``onnx/``), sentence embeddings (``embeddings/``)
and matplotlib's font cache.

A model's folder is named by a digest of its weights and config, so the same model reached by
another path (a second clone, a reinstalled environment) finds its graphs again. The model folders and
the embeddings' files together are bounded by ``CLAIMSTANCE_CACHE_MB`` (2048 by default): whenever a
folder is used or filled (a graph exported, quantised) and whenever embeddings are written, the least
recently used entries are deleted first until the rest fit, what was just made counted. An entry used
within the last hour is never deleted, so a run in another process keeps the graphs and embeddings it
is using; nor is the base encoder's folder, which every run needs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.errors import UserError

CACHE_MB = 2048
IN_USE_SECONDS = 3600
TRASH = ".trash-"
DIGESTS = ".digests.json"
DIGESTS_KEPT = 64


def cache_dir() -> Path:
    """The cache's root: $CLAIMSTANCE_CACHE, else ~/.cache/claimstance."""
    root = os.environ.get("CLAIMSTANCE_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "claimstance")
    return Path(root)


def embeddings_dir() -> Path:
    """Where sentence embeddings are cached by text (``models.embedding_cache``)."""
    return cache_dir() / "embeddings"


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, its font cache in ours unless MPLCONFIGDIR is set
    (matplotlib would otherwise write it under ~/.cache/matplotlib). A cache that cannot be written
    gets a temporary folder, removed at exit: matplotlib's own fallback, without its two lines of
    warning that say to set MPLCONFIGDIR."""
    if "MPLCONFIGDIR" not in os.environ:
        folder = cache_dir() / "matplotlib"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            writable = os.access(folder, os.W_OK)
        except OSError:
            writable = False
        if not writable:
            import atexit
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="claimstance-matplotlib-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["MPLCONFIGDIR"] = str(folder)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def cache_limit() -> int:
    """The bound on the model folders, in bytes, from $CLAIMSTANCE_CACHE_MB."""
    raw = os.environ.get("CLAIMSTANCE_CACHE_MB", "").strip()
    if not raw:
        return CACHE_MB * 2**20
    try:
        megabytes = int(raw)
    except ValueError:
        megabytes = -1
    if megabytes < 0:
        raise UserError(f"CLAIMSTANCE_CACHE_MB={raw!r} is not a whole number of megabytes; set it to one "
                        f"(e.g. {CACHE_MB}) or unset it")
    return megabytes * 2**20


def _hash_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@lru_cache(maxsize=64)
def _file_digest(path: Path, key: str) -> str:
    """The file's sha256, remembered in ``onnx/.digests.json`` under ``key`` (its device, inode, size,
    mtime and ctime, which any write changes: a restored mtime does not hide one), so that each run
    does not read 90 MB of weights again (0.07 s a file when the page cache holds it, 0.2 s when not,
    a tenth of a warm pre-label of a few claims). A cache that cannot be written only remembers less."""
    memo_path = cache_dir() / "onnx" / DIGESTS
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    known = memo.get(key)
    if isinstance(known, str) and len(known) == 64:
        return known
    digest = _hash_file(path)
    memo = dict(list(memo.items())[-(DIGESTS_KEPT - 1):])   # the most recently added kept
    memo[key] = digest
    tmp = memo_path.with_name(f"{DIGESTS}.{os.getpid()}.tmp")
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(tmp, memo_path)
    except OSError:   # read-only, or full: no half-written file left behind
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return digest


def model_fingerprint(model_dir: Path) -> str:
    """Twelve hex digits of the model's weights and config: the same model, the same folder, whatever
    its path; a new model (or a changed config), a new folder."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    key = f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"
    config = model_dir / "config.json"
    digest = hashlib.sha256(_file_digest(weights, key).encode())
    digest.update(b"\x00" + (config.read_bytes() if config.exists() else b""))
    return digest.hexdigest()[:12]


def model_folder(model_dir: Path) -> Path:
    """The model's folder in the cache, marked as used now. When it does not exist yet, the least
    recently used entries are deleted first (``fit_bound``); the caller makes the folder, and calls
    ``fit_bound`` again once it has filled it, so that what it holds counts."""
    limit = cache_limit()   # checked on every use, not only when a folder is made
    folder = cache_dir() / "onnx" / model_fingerprint(model_dir)
    if folder.exists():
        try:
            os.utime(folder)
        except OSError:  # a read-only cache: it is only read
            pass
    else:
        fit_bound(limit)   # room made first; the caller calls it again once the folder is filled
    return folder


def _base_fingerprint() -> str:
    """The base encoder's folder name, never pruned: every run needs it, some only seconds after
    marking their own model's folder."""
    from models.base_model import base_model_dir

    try:
        return model_fingerprint(base_model_dir())
    except (OSError, UserError):   # no base model: nothing to spare
        return ""


def fit_bound(limit: int | None = None) -> list[Path]:
    """Delete the least recently used model folders and embeddings' files (``prune``) until together
    they hold at most ``limit`` bytes (``cache_limit()``); returns what was deleted."""
    root = cache_dir()
    return prune([root / "onnx", root / "embeddings"], cache_limit() if limit is None else limit,
                 keep=_base_fingerprint())


def _size(entry: Path) -> int:
    if not entry.is_dir():
        return entry.lstat().st_size
    total = 0
    for dirpath, _, files in os.walk(entry):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def prune(roots: Path | list[Path], limit: int, now: float | None = None, keep: str = "") -> list[Path]:
    """Delete the least recently used entries of ``roots`` (model folders under ``onnx/``, files under
    ``embeddings/``) until the rest hold at most ``limit`` bytes together, sparing those used within
    ``IN_USE_SECONDS`` and the one named ``keep``; returns the entries deleted.

    An entry is first renamed out of the way (atomically), then removed, so no run ever finds half of
    one (a run reading a file keeps reading it); leftovers of an interrupted removal go too, and the
    temporary files of a write cut off (a kill) once they are an hour old."""
    now = time.time() if now is None else now
    entries = []
    for root in [roots] if isinstance(roots, Path) else roots:
        if not root.is_dir():
            continue
        for entry in root.iterdir():
            try:
                if entry.name.startswith(TRASH):
                    _remove(entry)
                elif entry.name.startswith("."):
                    if entry.name.endswith(".tmp") and entry.is_file() and now - entry.stat().st_mtime > IN_USE_SECONDS:
                        _remove(entry)   # a write cut off: atomic_write's own file, never renamed into place
                elif entry.is_dir() or entry.is_file():
                    entries.append((entry.stat().st_mtime, _size(entry), entry))
            except FileNotFoundError:  # another process pruned it meanwhile
                continue
    total = sum(size for _, size, _ in entries)
    deleted = []
    for _, size, entry in sorted(entries):
        if total <= limit:
            break
        if entry.name == keep:
            continue
        try:
            # Read again: another run may have taken the entry up while the others were measured.
            used = entry.stat().st_mtime
            if now - used < IN_USE_SECONDS:
                continue
            entry.rename(trash := entry.with_name(f"{TRASH}{entry.name}-{os.getpid()}"))
        except FileNotFoundError:  # another process pruned it first: its bytes are gone all the same
            total -= size
            continue
        except OSError:  # a read-only cache
            continue
        _remove(trash)
        total -= size
        deleted.append(entry)
    return deleted
