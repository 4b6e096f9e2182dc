"""The bootstrap's end model: softmax regression on sentence embeddings plus hashed words.

Plain numpy (Nesterov-accelerated gradient descent) on one BLAS thread, fitted on up to a few
thousand rows each time the bootstrap pre-labels. ``models.classifier`` and ``models.blending`` use the
same hashed words and linear map for the domain gate.
"""

from __future__ import annotations

import re
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


def linear(x: np.ndarray, x_sparse: Any, w: np.ndarray) -> np.ndarray:
    """``[x, x_sparse] @ w`` without joining the blocks: the dense columns take the first rows of
    ``w``, the optional sparse ones (hashed words) the rest."""
    d = x.shape[1]
    z = x @ w[:d]
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
        g = (softmax(linear(x32, x_sparse, vw) + vb) - target) * weights
        grad = xt @ g if xst is None else np.vstack([xt @ g, xst @ g])
        w_next = vw - step32 * (grad + lam32 * vw)
        b_next = vb - step32 * g.sum(axis=0)
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        momentum = np.float32((t - 1) / t_next)
        vw = w_next + momentum * (w_next - w)
        vb = b_next + momentum * (b_next - b)
        w, b, t = w_next, b_next, t_next
    return w, b
