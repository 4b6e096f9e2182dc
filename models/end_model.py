"""The bootstrap's end model: softmax regression on sentence embeddings plus hashed words.

Plain numpy (Nesterov-accelerated gradient descent) on one BLAS thread, fitted on up to a few
thousand rows each time the bootstrap pre-labels. ``models.classifier`` and ``models.blending`` use the
same hashed words and linear map for the domain gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from models.labellers import APOSTROPHES


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


WORD_DIM = 2048
_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def word_features(texts: list[str], weight: float, dim: int = WORD_DIM) -> Any:
    """Hashed binary bag of lower-cased words and word pairs, unit length times ``weight``: a sparse
    (CSR, float32) matrix, since a claim sets a few dozen of the ``dim`` columns.

    Lets the end model pick up words that travel with the cues in this corpus (names, places,
    verbs of attribution) beyond what sentence embeddings, which mostly see the topic, carry.
    """
    import zlib

    from scipy import sparse

    indptr, indices = [0], []
    for text in texts:
        tokens = _TOKEN.findall(text.translate(APOSTROPHES).lower())
        features = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        columns = {zlib.crc32(f.encode("utf-8")) % dim for f in features}
        indices.extend(sorted(columns))
        indptr.append(len(indices))
    counts = np.diff(indptr)
    values = np.repeat((weight / np.sqrt(np.maximum(counts, 1))).astype(np.float32), counts)
    return sparse.csr_matrix((values, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                             shape=(len(texts), dim))


def rowwise(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w``, each row of ``x`` on its own (a stacked product, as fast): BLAS's product of a whole
    matrix rounds a row differently (by up to 4e-7 in float32) with the number of rows beside it, and a
    pre-label read a chunk at a time would not give the bytes of one read at once."""
    return np.matmul(x[:, None, :], w)[:, 0]


def linear(x: np.ndarray, x_sparse: Any, w: np.ndarray, apart: bool = True) -> np.ndarray:
    """``[x, x_sparse] @ w`` without joining the blocks: the dense columns take the first rows of
    ``w``, the optional sparse ones (hashed words) the rest. ``apart``: each row on its own
    (``rowwise``); the fit, whose rows are the same however its input was read, takes BLAS's product."""
    d = x.shape[1]
    z = rowwise(x, w[:d]) if apart else x @ w[:d]
    return z if x_sparse is None else z + x_sparse @ w[d:]


def one_blas_thread() -> Any:
    """Thin matrix products run several times faster on one BLAS thread than on several."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def fit_softmax_regression(x: np.ndarray, y: np.ndarray, k: int, c: float = 1.0, iterations: int = 200,
                           init: tuple[np.ndarray, np.ndarray] | None = None,
                           x_sparse: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with balanced class weights and an L2 penalty ``1 / (c n)``,
    fitted by Nesterov-accelerated gradient descent. Small and fast for unit-length embeddings, and
    spares the CLI the start-up cost of importing scikit-learn.

    ``x_sparse``: optional extra columns as a scipy sparse matrix (hashed words), joined to the right
    of ``x``; the weights cover both. Kept apart so the dense block runs on BLAS and the sparse one
    costs only its non-zeros (5x faster than one dense matrix with 2,048 word columns).
    """
    n, d = x.shape
    counts = np.bincount(y, minlength=k).astype(np.float64)
    present = counts > 0
    sample_w = (n / (present.sum() * np.maximum(counts, 1)))[y]
    sample_w /= sample_w.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    lam = 1.0 / (c * n)
    # Lipschitz bound of the gradient: rows have norm <= 1 (+1 for the bias), softmax curvature <= 1/2.
    row_sq = np.einsum("ij,ij->i", x, x) + 1.0
    if x_sparse is not None:
        x_sparse = x_sparse.tocsr().astype(np.float32)
        row_sq = row_sq + np.asarray(x_sparse.multiply(x_sparse).sum(axis=1)).ravel()
    step = 1.0 / (0.5 * float(row_sq.max()) + lam)
    width = d + (x_sparse.shape[1] if x_sparse is not None else 0)
    w = np.zeros((width, k), np.float32) if init is None else init[0].astype(np.float32)
    b = np.zeros(k, np.float32) if init is None else init[1].astype(np.float32)
    vw, vb = w.copy(), b.copy()
    # float32 and a contiguous transpose: BLAS runs these thin products several times faster.
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    xt = np.ascontiguousarray(x32.T)
    xst = x_sparse.T.tocsr() if x_sparse is not None else None
    weights = sample_w.astype(np.float32)[:, None]
    target = onehot.astype(np.float32)
    step32, lam32 = np.float32(step), np.float32(lam)
    t = 1.0
    for _ in range(iterations):
        g = (softmax(linear(x32, x_sparse, vw, apart=False) + vb) - target) * weights
        grad = xt @ g if xst is None else np.vstack([xt @ g, xst @ g])
        w_next = vw - step32 * (grad + lam32 * vw)
        b_next = vb - step32 * g.sum(axis=0)
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        momentum = np.float32((t - 1) / t_next)
        vw = w_next + momentum * (w_next - w)
        vb = b_next + momentum * (b_next - b)
        w, b, t = w_next, b_next, t_next
    return w, b


class RowStore:
    """The end model's inputs of every row it reads (sentence embeddings, hashed words), added and read
    back a chunk at a time: in memory, or with ``spill`` (a folder) in an unnamed temporary file there,
    gone when closed or when the process ends, however it ends. A pre-label streams its input: the
    embeddings of every claim (1.5 kB each) are then not all held at once, while the end model is still
    fitted over the whole input, as it was when the input was read whole."""

    def __init__(self, spill: str | Path | None = None) -> None:
        self._chunks: list[tuple[Any, ...]] = []   # (n, embeddings, words) in memory; (n, offset) spilled
        self._file: Any = None
        self._empty: tuple[np.ndarray, Any] | None = None   # no rows, in the shapes of the ones added
        self._spill = spill
        if spill is not None:
            import tempfile

            try:
                self._file = tempfile.TemporaryFile(dir=spill, prefix=".claimstance-rows-")
            except OSError as err:
                raise self._refused(err) from err

    def __enter__(self) -> RowStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._chunks = []

    def __len__(self) -> int:
        return sum(chunk[0] for chunk in self._chunks)

    def add(self, embeddings: np.ndarray, words: Any = None) -> None:
        """The next rows' embeddings and (or None) hashed words (``word_features``)."""
        n = len(embeddings)
        if self._empty is None:
            self._empty = (embeddings[:0], None if words is None else words[:0])
        if self._file is None:
            self._chunks.append((n, embeddings, words))
            return
        self._file.seek(0, 2)
        offset = self._file.tell()
        try:
            np.save(self._file, embeddings, allow_pickle=False)
            np.save(self._file, np.array([words is not None]), allow_pickle=False)
            if words is not None:
                for part in (words.data, words.indices, words.indptr, np.array(words.shape)):
                    np.save(self._file, part, allow_pickle=False)
            self._file.flush()
        except OSError as err:   # a full disk: said of the folder, since the file has no name
            raise self._refused(err, offset) from err
        self._chunks.append((n, offset))

    def _refused(self, err: OSError, written: int = 0) -> Exception:
        from corpus.errors import UserError

        kept = f" after {written / 1e6:.1f} MB" if written else ""
        return UserError(f"cannot keep the claims' embeddings in a temporary file in {self._spill} "
                         f"({err.strerror or err}{kept}; about 2 kB a claim): free space on its disk, "
                         "or give an --out in a folder on another disk")

    def _read(self, chunk: tuple[Any, ...]) -> tuple[np.ndarray, Any]:
        if self._file is None:
            return chunk[1], chunk[2]
        from scipy import sparse

        self._file.seek(chunk[1])
        embeddings = np.load(self._file, allow_pickle=False)
        words = None
        if np.load(self._file, allow_pickle=False)[0]:
            data, indices, indptr, shape = (np.load(self._file, allow_pickle=False) for _ in range(4))
            words = sparse.csr_matrix((data, indices, indptr), shape=tuple(int(s) for s in shape))
        return embeddings, words

    def chunks(self) -> Iterator[tuple[np.ndarray, Any]]:
        """Each chunk's embeddings and words, in the order they were added."""
        for chunk in self._chunks:
            yield self._read(chunk)

    def rows(self, index: np.ndarray) -> tuple[np.ndarray, Any]:
        """The embeddings and words of the rows at ``index`` (sorted, counted over every chunk)."""
        if len(self._chunks) == 1 and self._file is None:
            _, embeddings, words = self._chunks[0]
            return embeddings[index], None if words is None else words[index]
        from scipy import sparse

        parts, word_parts, start = [], [], 0
        for chunk in self._chunks:
            n = chunk[0]
            local = index[(index >= start) & (index < start + n)] - start
            if len(local):
                embeddings, words = self._read(chunk)
                parts.append(embeddings[local])
                if words is not None:
                    word_parts.append(words[local])
            start += n
        if not parts:
            assert self._empty is not None, "rows asked of an empty store"
            return self._empty
        return np.vstack(parts), (sparse.vstack(word_parts, format="csr") if word_parts else None)
