"""Embeddings on disk, keyed by a hash of each text's content, so a corpus is embedded once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from corpus.errors import UserError
from models.encoder import Encoder, load_encoder


def text_key(text: str) -> str:
    """The cache key of a text: a hash of its content."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings on disk keyed by content hash, so a corpus is embedded once.

    Stored as one ``.npy`` matrix plus a key list per model in ``directory``; new texts are appended.
    """

    def __init__(self, directory: str | Path, model_name: str = "all-MiniLM-L6-v2") -> None:
        self.directory = Path(directory)
        self.model_name = model_name
        self._keys: dict[str, int] = {}
        self._matrix: np.ndarray | None = None
        self._load()

    @property
    def _paths(self) -> tuple[Path, Path]:
        return (self.directory / f"{self.model_name}.npy", self.directory / f"{self.model_name}.keys")

    def _load(self) -> None:
        mat_path, key_path = self._paths
        if self.directory.exists() and not self.directory.is_dir():
            raise UserError(f"{self.directory} is a file; give --cache a directory (or leave it out)")
        if mat_path.exists() and key_path.exists():
            try:
                keys = key_path.read_text(encoding="utf-8").split()
                matrix = np.load(mat_path)   # never pickles: a damaged file raises, and is rebuilt
            except (OSError, ValueError):
                return
            if matrix.ndim == 2 and len(keys) == len(matrix):
                self._keys = {k: i for i, k in enumerate(keys)}
                self._matrix = matrix

    def __len__(self) -> int:
        return len(self._keys)

    def embed(self, texts: list[str], encoder: Encoder | None = None, batch_size: int = 64,
              progress: bool = False) -> np.ndarray:
        """Embeddings of ``texts``; only texts not seen before are run through the model."""
        from corpus.files import atomic_write

        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in self._keys and key not in missing:
                missing[key] = text
        if missing:
            encoder = encoder or load_encoder()
            new = encoder.encode(list(missing.values()), batch_size=batch_size, progress=progress)
            start = len(self._keys)
            for offset, key in enumerate(missing):
                self._keys[key] = start + offset
            self._matrix = new if self._matrix is None else np.vstack([self._matrix, new])
            mat_path, key_path = self._paths
            with atomic_write(mat_path, "wb") as handle:
                np.save(handle, self._matrix)
            with atomic_write(key_path) as handle:
                handle.write("\n".join(self._keys))
        assert self._matrix is not None or not texts
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._matrix[[self._keys[k] for k in keys]]
