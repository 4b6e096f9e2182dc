"""Embeddings on disk, keyed by a hash of each text's content, so a corpus is embedded once."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

from corpus.errors import UserError
from models.encoder import Encoder, load_encoder


def text_key(text: str) -> str:
    """The cache key of a text: a hash of its content."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()   # a lone surrogate keys too


class EmbeddingCache:
    """Embeddings on disk keyed by content hash, so a corpus is embedded once.

    One ``<model>.<runtime>.npz`` per model and runtime in ``directory`` holds the keys and the
    matrix together, replaced in one atomic rename: two commands sharing the cache can each lose the
    other's new entries (they are embedded again) but never pair a text with another text's vector.

    ``runtime`` names what makes the vectors (``models.onnx_graphs.runtime_tag``: ``openvino-bf16``,
    ``openvino-f32``, ``onnxruntime``; ``torch`` for PyTorch), by default what the exported graph
    runs under now. A bfloat16 vector differs from a float32 one in the third decimal, enough to move
    a ranking: one file held both before, so a run's vectors, and its results, depended on which
    precision had filled the cache first. An encoder that says otherwise (``encoder.runtime``: the
    PyTorch model standing in when the graph fails) has the call's vectors served from, and kept
    in, its own file. Files of earlier versions (``<model>.npz``, and the ``.npy`` + ``.keys`` pair
    before it) are ignored, not read: what made their vectors is unknowable, and they may hold two
    precisions at once; they are embedded again once, and the cache's bound deletes the old file
    first, as its least recently used (a folder given with ``--cache`` is the user's to clear).
    """

    def __init__(self, directory: str | Path, model_name: str = "all-MiniLM-L6-v2",
                 runtime: str | None = None) -> None:
        from models.onnx_graphs import runtime_tag

        self.directory = Path(directory)
        self.model_name = model_name
        # The file to read depends on it, so a warm run imports OpenVINO, which it did not before: 0.09-0.16 s
        # of CPU here, lost in the noise of a warm `stance compare` on the sample (4.31 s median CPU over
        # eight runs against 4.33 s), 25 MB more at its peak (478 MB).
        self.runtime = runtime_tag() if runtime is None else runtime
        self._keys: dict[str, int] = {}
        self._matrix: np.ndarray | None = None
        if self.directory.exists() and not self.directory.is_dir():
            raise UserError(f"{self.directory} is a file; give --cache a directory (or leave it out)")
        self._load()

    @property
    def path(self) -> Path:
        return self.directory / f"{self.model_name}.{self.runtime}.npz"

    def _mark_used(self) -> None:
        """The file's time set to now: the cache's bound deletes the least recently used first."""
        try:
            os.utime(self.path)
        except OSError:   # read-only, or pruned meanwhile: it was read all the same
            pass

    def _in_the_cache(self) -> bool:
        """Whether this is the cache's own folder (under CLAIMSTANCE_CACHE), which the bound covers; a
        folder given with --cache is the user's."""
        from models.cache import embeddings_dir

        try:
            return self.directory.resolve() == embeddings_dir().resolve()
        except OSError:
            return False

    def _load(self) -> None:
        """This runtime's file read in (none: empty), and marked used."""
        loaded = self._read()
        self._keys, self._matrix = loaded if loaded is not None else ({}, None)
        if loaded is not None:
            self._mark_used()

    def _read(self) -> tuple[dict[str, int], np.ndarray] | None:
        """The keys and matrix on disk, or None when there are none or they are damaged."""
        if not self.path.is_file():
            return None
        try:
            data = np.load(self.path, allow_pickle=False)   # never pickles: damage raises
            if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy under the name
                return None
            with data:
                keys, matrix = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None
        if matrix.ndim != 2 or keys.ndim != 1 or len(keys) != len(matrix) or keys.dtype.kind != "U":
            return None
        return {str(k): i for i, k in enumerate(keys)}, matrix

    def __len__(self) -> int:
        return len(self._keys)

    def _add(self, keys: list[str], vectors: np.ndarray) -> None:
        start = len(self._keys)
        for offset, key in enumerate(keys):
            self._keys[key] = start + offset
        self._matrix = vectors if self._matrix is None else np.vstack([self._matrix, vectors])

    def _follow(self, encoder: Encoder) -> None:
        """The file of ``encoder.runtime`` in place of this one's when the encoder says another runtime
        (an encoder that does not say is taken to be this one's): a call's vectors all come from it."""
        made_by = getattr(encoder, "runtime", self.runtime)
        if made_by != self.runtime:
            self.runtime = made_by
            self._load()

    def embed(self, texts: list[str], encoder: Encoder | None = None, batch_size: int = 64,
              progress: bool = False) -> np.ndarray:
        """Embeddings of ``texts``; only texts not seen before are run through the model."""
        from corpus.files import atomic_write

        keys = [text_key(t) for t in texts]
        if encoder is not None:
            self._follow(encoder)
        missing = {key: text for key, text in zip(keys, texts) if key not in self._keys}
        if missing and encoder is None:
            encoder = load_encoder()   # loaded only on a miss
            self._follow(encoder)
            missing = {key: text for key, text in zip(keys, texts) if key not in self._keys}
        if missing:
            assert encoder is not None
            new = np.asarray(encoder.encode(list(missing.values()), batch_size=batch_size, progress=progress))
            self._add(list(missing), new)
            # Keep what another command added meanwhile (same content hash, same model: same vector).
            disk = self._read()
            if disk is not None and self._matrix is not None and disk[1].shape[1:] == self._matrix.shape[1:]:
                theirs = [k for k in disk[0] if k not in self._keys]
                if theirs:
                    self._add(theirs, disk[1][[disk[0][k] for k in theirs]])
            try:
                with atomic_write(self.path, "wb") as handle:
                    np.savez(handle, keys=np.array(list(self._keys)), vectors=self._matrix)
            except UserError as err:   # a read-only or full cache: the vectors are right, only not kept
                _warn_unkept(self.directory, err)
            else:
                if self._in_the_cache():
                    from models.cache import fit_bound

                    fit_bound()   # the file just written counts in the bound, with the model folders
        assert self._matrix is not None or not texts
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._matrix[[self._keys[k] for k in keys]]


_UNKEPT: set[Path] = set()


def _warn_unkept(directory: Path, err: UserError) -> None:
    """One line on stderr when the embeddings cannot be kept: the command goes on (a cache that is
    read-only, as CLAIMSTANCE_CACHE may be for the graphs, had failed compare after every claim was
    embedded), and the next run embeds them again."""
    import sys

    if directory in _UNKEPT:   # said once a process, however many times it embeds
        return
    _UNKEPT.add(directory)
    cause = err.__context__   # the OSError that atomic_write turned into a UserError
    reason = f" ({cause.strerror})" if isinstance(cause, OSError) and cause.strerror else ""
    print(f"warning: the embeddings' cache {directory} cannot be written{reason}; they are made again next "
          "time (set CLAIMSTANCE_CACHE, or --cache, to a folder you can write)", file=sys.stderr)
