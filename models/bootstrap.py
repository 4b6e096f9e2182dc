"""Pre-labels with no human labels: weak labellers in the manner of Snorkel's labelling functions.

Each labeller is a small named function ``row -> label id | ABSTAIN``. The scheme's config lists
which ones run (``labellers``) and holds their cue phrases and example claims:

- ``cues``: one labeller per label, firing when the claim contains one of that label's cue phrases;
- ``cue_groups``: one labeller per named group of cues (e.g. ``kiev_spelling``), so that a
  researcher can see, and switch off, what a single habit such as a spelling is worth;
- ``source_type``: the document's source type as a distant label, only for the voices that speak for
  the document (``corpus.records.DOCUMENT_VOICES``), never for quoted people or reader comments;
- ``similarity``: the label whose description and example claims the claim is closest to
  (MiniLM cosine), when the margin over the runner-up is clear.

The combiner is a label model with fixed accuracies (Snorkel's generative model under class-
conditional independence): a labeller with accuracy ``a`` that votes for a label adds
``log(a (k - 1) / (1 - a))`` to that label's log-odds (accuracies are set in the scheme's
``combiner.accuracy``; the benchmark prints each labeller's measured accuracy beside them).
Similarity adds its soft log-probabilities, scaled down, rather than a hard vote. Then the Snorkel
end-model pattern, run on the claims being labelled: a logistic regression on sentence embeddings
plus hashed words, fitted to the scheme's example claims and the claims the labellers label
confidently, then self-trained for a few rounds, adds its log-probabilities. Most claims carry no cue
at all; the end model judges them by their likeness to the ones that do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.claimfilter import (BYLINE, EDITORIAL_MARKER, FILLER, FRAGMENT, FRONT_MATTER, GREETING, HEADING,
                                QUESTION, SPEAKER_MARKER, ends_in_question_mark)
from corpus.records import DOCUMENT_VOICES
from models.schemes import Scheme

ABSTAIN = None
END_MODEL_MAX_ROWS = 2000
KNOWN_LABELLERS = ("cues", "cue_groups", "source_type", "similarity")
# Reasons the claims step gives a sentence that states nothing.
NOT_STATEMENTS = frozenset({SPEAKER_MARKER, BYLINE, FRONT_MATTER, HEADING, GREETING, FRAGMENT, EDITORIAL_MARKER, FILLER})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Labeller:
    """A named labelling function: ``fn(row)`` returns a label id or ``ABSTAIN`` (None)."""

    name: str
    fn: Callable[[dict[str, Any]], str | None]
    accuracy: float
    polarity: tuple[str, ...]

    def __call__(self, row: dict[str, Any]) -> str | None:
        return self.fn(row)


def phrase_pattern(phrase: str) -> str:
    """A cue phrase as a regex: whole words, ``*`` a word suffix, flexible spaces and hyphens.
    A cue starting with ``re:`` is a raw regular expression (case-sensitive unless it says ``(?i)``)."""
    if phrase.startswith("re:"):
        return phrase[3:]
    parts = []
    for token in re.split(r"(\*|\s+|-)", phrase.strip().translate(_APOSTROPHES)):
        if not token:
            continue
        if token == "*":
            parts.append(r"[\w-]*")
        elif token.isspace():
            parts.append(r"\s+")
        elif token == "-":
            parts.append(r"[-\s]?")
        else:
            parts.append(re.escape(token))
    return "".join(parts) + r"(?!\w)"


class CueMatcher:
    """Finds any of a list of cue phrases in a text, whole words only.

    Acronyms (``SMO``, ``DPR``) and ``re:`` cues match case-sensitively; the rest are matched in the
    lower-cased text without the IGNORECASE flag, which Python's regex engine runs several times faster.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = [p for p in phrases if p.strip()]
        exact = [phrase_pattern(p) for p in phrases if _is_acronym(p)]
        loose = [phrase_pattern(p.lower()) for p in phrases if not _is_acronym(p)]
        self.exact = re.compile(r"\b(?:" + "|".join(exact) + ")") if exact else None
        self.loose = re.compile(r"\b(?:" + "|".join(loose) + ")") if loose else None

    @staticmethod
    def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
        if pattern is None:
            return False
        for match in pattern.finditer(text):
            # A cue does not match inside a hyphenated compound ("pro-Kremlin" is not "Kremlin").
            if match.start() == 0 or text[match.start() - 1] != "-":
                return True
        return False

    def search(self, text: str, lower: str | None = None) -> bool:
        """Whether ``text`` has a cue. ``lower``: the text already normalised and lower-cased (the
        applier passes it so that a row is prepared once for all labellers)."""
        if lower is None:
            text = text.translate(_APOSTROPHES)
            lower = text.lower()
        return self._found(self.exact, text) or self._found(self.loose, lower)


def compile_cues(phrases: Iterable[str]) -> CueMatcher:
    """A matcher for a cue list."""
    return CueMatcher(phrases)


def _is_acronym(phrase: str) -> bool:
    if phrase.startswith("re:"):
        return True
    letters = [c for c in phrase if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _texts(row: dict[str, Any]) -> tuple[str, str]:
    """The claim text with apostrophes normalised, and its lower-cased form (computed once per row)."""
    cached = row.get("_cue_text")
    if cached is not None:
        return cached
    text = str(row.get("text") or "").translate(_APOSTROPHES)
    return text, text.lower()


def cue_labeller(name: str, label_id: str, phrases: list[str], accuracy: float) -> Labeller:
    """Votes ``label_id`` when the claim contains one of ``phrases``."""
    matcher = CueMatcher(phrases)

    def fn(row: dict[str, Any]) -> str | None:
        return label_id if matcher.search(*_texts(row)) else ABSTAIN

    return Labeller(name, fn, accuracy, (label_id,))


def cue_group_labeller(name: str, groups: dict[str, list[str]], accuracy: float) -> Labeller:
    """One habit seen from every label (e.g. Kiev vs Kyiv): votes the label whose cues occur,
    abstains when none or several labels' cues do."""
    matchers = {label_id: CueMatcher(phrases) for label_id, phrases in groups.items()}

    def fn(row: dict[str, Any]) -> str | None:
        text, lower = _texts(row)
        hits = [label_id for label_id, matcher in matchers.items() if matcher.search(text, lower)]
        return hits[0] if len(hits) == 1 else ABSTAIN

    return Labeller(name, fn, accuracy, tuple(groups))


def source_type_labeller(scheme: Scheme, accuracy: float) -> Labeller:
    """The document's source type as a distant label, only for voices that speak for the document."""
    by_type: dict[str, str] = {}
    for label in scheme.labels:
        by_type[label.id] = label.id
        for source_type in label.source_types:
            by_type[source_type] = label.id

    def fn(row: dict[str, Any]) -> str | None:
        if row.get("speaker") not in DOCUMENT_VOICES:
            return ABSTAIN
        return by_type.get(str(row.get("source_type") or ""), ABSTAIN)

    return Labeller("source_type", fn, accuracy, tuple(lab.id for lab in scheme.labels if lab.source_types))


def build_labellers(scheme: Scheme, exclude: Iterable[str] = ()) -> list[Labeller]:
    """The scheme's row-wise labellers in config order (``similarity`` is applied in batch)."""
    skip = set(exclude)
    acc = scheme.combiner.accuracy
    default = scheme.combiner.default_accuracy
    out: list[Labeller] = []
    for kind in scheme.labellers:
        if kind not in KNOWN_LABELLERS:
            raise ValueError(f"unknown labeller {kind!r}; known: {', '.join(KNOWN_LABELLERS)}")
        if kind == "cues":
            for label in scheme.labels:
                name = f"cues:{label.id}"
                if label.cues and name not in skip:
                    out.append(cue_labeller(name, label.id, label.cues, acc.get(name, default)))
        elif kind == "cue_groups":
            groups: dict[str, dict[str, list[str]]] = {}
            for label in scheme.labels:
                for group, phrases in label.cue_groups.items():
                    groups.setdefault(group, {})[label.id] = phrases
            for group, by_label in groups.items():
                if group not in skip:
                    out.append(cue_group_labeller(group, by_label, acc.get(group, default)))
        elif kind == "source_type" and "source_type" not in skip:
            out.append(source_type_labeller(scheme, acc.get("source_type", default)))
    return out


def apply_labellers(labellers: list[Labeller], rows: list[dict[str, Any]], scheme: Scheme) -> np.ndarray:
    """The label matrix: rows x labellers, a label's column index or -1 for ABSTAIN."""
    index = {label_id: i for i, label_id in enumerate(scheme.label_ids)}
    matrix = np.full((len(rows), len(labellers)), -1, dtype=np.int64)
    views = []
    for row in rows:
        text = str(row.get("text") or "").translate(_APOSTROPHES)
        views.append({**row, "_cue_text": (text, text.lower())})
    for j, labeller in enumerate(labellers):
        for i, row in enumerate(views):
            vote = labeller(row)
            if vote is not ABSTAIN:
                matrix[i, j] = index[vote]
    return matrix


def accuracy_weight(accuracy: Any, k: int) -> Any:
    """A labeller's vote as log-odds: ``log(a (k - 1) / (1 - a))`` for accuracy ``a`` over ``k``
    labels (0 at chance, 1 / k)."""
    a = np.asarray(accuracy, dtype=np.float64)
    return np.log(a * (k - 1) / (1 - a))


def add_votes(logits: np.ndarray, matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Add labeller j's weight to the column each row's vote names in ``matrix`` (-1: abstain), in place."""
    for j in range(matrix.shape[1]):
        fired = matrix[:, j] >= 0
        logits[np.nonzero(fired)[0], matrix[fired, j]] += weights[j]
    return logits


def _softmax(z: np.ndarray) -> np.ndarray:
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
        tokens = _TOKEN.findall(text.translate(_APOSTROPHES).lower())
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


def _one_blas_thread() -> Any:
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
        g = (_softmax(linear(x32, x_sparse, vw) + vb) - target) * weights
        grad = xt @ g if xst is None else np.vstack([xt @ g, xst @ g])
        w_next = vw - step32 * (grad + lam32 * vw)
        b_next = vb - step32 * g.sum(axis=0)
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        momentum = np.float32((t - 1) / t_next)
        vw = w_next + momentum * (w_next - w)
        vb = b_next + momentum * (b_next - b)
        w, b, t = w_next, b_next, t_next
    return w, b


class Bootstrap:
    """Scheme-driven weak labellers, combined into per-label probabilities (see the module doc)."""

    def __init__(self, scheme: Scheme, encoder: Any = None, exclude: Iterable[str] = ()) -> None:
        self.scheme = scheme
        self.exclude = frozenset(exclude)
        self.labellers = build_labellers(scheme, self.exclude)
        self.use_similarity = "similarity" in scheme.labellers and "similarity" not in self.exclude
        self.use_end_model = scheme.combiner.end_model and "end_model" not in self.exclude
        self._encoder = encoder
        self._anchors: tuple[np.ndarray, list[np.ndarray]] | None = None
        self._cache: tuple[tuple[str, ...], np.ndarray] | None = None
        self._matrix: tuple[dict[tuple[Any, ...], int], np.ndarray] | None = None

    @property
    def version(self) -> str:
        """``bootstrap-<hash of the scheme config>``: changes whenever a cue or example does."""
        suffix = "-" + "-".join(sorted(self.exclude)) if self.exclude else ""
        return f"bootstrap-{self.scheme.version}{suffix}"

    @property
    def needs_encoder(self) -> bool:
        return self.use_similarity or self.use_end_model

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from models.encoder import load_encoder

            self._encoder = load_encoder()
        return self._encoder

    def apply(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """The row-wise labellers' label matrix, remembered for the last list of rows: any list drawn
        from it (the claims a blend hands to the bootstrap) is served without running them again."""
        keys = [(row.get("text"), row.get("speaker"), row.get("source_type")) for row in rows]
        if self._matrix is not None:
            index, matrix = self._matrix
            if all(key in index for key in keys):
                return matrix[[index[key] for key in keys]]
        matrix = apply_labellers(self.labellers, rows, self.scheme)
        self._matrix = ({key: i for i, key in enumerate(keys)}, matrix)
        return matrix

    # --- embeddings ---------------------------------------------------------------------------

    def embed(self, rows: list[dict[str, Any]], progress: bool = False, batch_size: int = 64) -> np.ndarray:
        """Claim embeddings, remembered for the last batch so the table and probabilities share them."""
        texts = tuple(str(row.get("text") or "") for row in rows)
        if self._cache is not None and self._cache[0] == texts:
            return self._cache[1]
        # Claims repeat (boilerplate, reposts): embed each distinct text once.
        unique = list(dict.fromkeys(texts))
        vectors = self.encoder.encode(unique, batch_size=batch_size, progress=progress)
        if len(unique) == len(texts):
            emb = vectors
        else:
            where = {text: i for i, text in enumerate(unique)}
            emb = vectors[[where[text] for text in texts]]
        self._cache = (texts, emb)
        return emb

    def _anchor_embeddings(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """Description embeddings (labels x dim) and each label's example embeddings."""
        if self._anchors is None:
            labels = self.scheme.labels
            texts = [lab.description for lab in labels]
            for lab in labels:
                texts.extend(lab.examples)
            emb = self._cached_encode(texts)
            desc, examples, start = emb[:len(labels)], [], len(labels)
            for lab in labels:
                examples.append(emb[start:start + len(lab.examples)])
                start += len(lab.examples)
            self._anchors = (desc, examples)
        return self._anchors

    def _cached_encode(self, texts: list[str]) -> np.ndarray:
        """Embed the scheme's descriptions and examples once per scheme and model, kept on disk
        beside the ONNX graph: start-up time matters when a command pre-labels a small file."""
        onnx_path = getattr(self.encoder, "onnx_path", None)
        if onnx_path is None:
            return self.encoder.encode(texts)
        import hashlib

        from models.encoder import runtime_tag

        key = hashlib.sha1("\x00".join([str(onnx_path), runtime_tag(), *texts]).encode("utf-8")).hexdigest()[:16]
        path = Path(onnx_path).parent / "anchors" / f"{key}.npy"
        if path.exists():
            try:
                emb = np.load(path)
                if emb.shape[0] == len(texts):
                    return emb
            except (OSError, ValueError):
                pass
        emb = self.encoder.encode(texts)
        try:
            from corpus.files import atomic_write

            with atomic_write(path, "wb") as handle:
                np.save(handle, emb)
        except OSError:
            pass  # a read-only cache only costs the time to embed again
        return emb

    def similarity_proba(self, emb: np.ndarray) -> np.ndarray:
        """Softmax over the similarity scores, at the scheme's temperature."""
        return _softmax(self.similarity_scores(emb) / self.scheme.similarity.temperature)

    def similarity_scores(self, emb: np.ndarray) -> np.ndarray:
        """Each label's blend of description cosine and mean top-k example cosine (rows x labels)."""
        cfg = self.scheme.similarity
        desc, examples = self._anchor_embeddings()
        scores = np.zeros((len(emb), len(desc)), dtype=np.float64)
        for j, ex in enumerate(examples):
            d = emb @ desc[j]
            if len(ex):
                sims = emb @ ex.T
                k = min(cfg.top_k, sims.shape[1])
                top = -np.sort(-sims, axis=1)[:, :k].mean(axis=1)
                scores[:, j] = cfg.description_weight * d + (1 - cfg.description_weight) * top
            else:
                scores[:, j] = d
        return scores

    def similarity_votes(self, sim: np.ndarray) -> np.ndarray:
        """The similarity labeller as hard votes: the top label when its lead is clear, else -1."""
        top2 = -np.sort(-sim, axis=1)[:, :2]
        best = sim.argmax(axis=1)
        margin = top2[:, 0] - top2[:, 1]
        return np.where(margin >= self.scheme.similarity.min_margin, best, -1)

    # --- the label model --------------------------------------------------------------------------

    def _weights(self) -> np.ndarray:
        acc = np.array([lab.accuracy for lab in self.labellers], dtype=np.float64)
        return accuracy_weight(acc, len(self.scheme.labels))

    def _prior(self) -> np.ndarray:
        k = len(self.scheme.labels)
        prior = np.full(k, 1.0)
        if self.scheme.neutral is not None:
            neutral = self.scheme.index(self.scheme.neutral)
            share = self.scheme.combiner.neutral_prior
            prior[:] = (1 - share) / (k - 1)
            prior[neutral] = share
        return np.log(prior / prior.sum())

    def vote_logits(self, matrix: np.ndarray) -> np.ndarray:
        """Log-odds from the hard votes of the row-wise labellers."""
        return add_votes(np.tile(self._prior(), (len(matrix), 1)), matrix, self._weights())

    def end_model_proba(self, emb: np.ndarray, texts: list[str], vote_logits: np.ndarray,
                        covered: np.ndarray) -> np.ndarray | None:
        """Logistic regression on embeddings and hashed words, fitted to the example claims and the
        claims the cue labellers label confidently; with ``end_model_rounds`` > 1, confident
        predictions on the other claims join the training set for another round (self-training)."""
        cfg = self.scheme.combiner
        k = len(self.scheme.labels)
        _, examples = self._anchor_embeddings()
        words = ex_words = None
        if cfg.end_model_words > 0:
            from scipy import sparse

            words = word_features(texts, cfg.end_model_words)
            ex_words = [word_features(lab.examples, cfg.end_model_words) for lab in self.scheme.labels]
        kept = [j for j, ex in enumerate(examples) if len(ex)]
        base_y = [np.full(len(examples[j]), j) for j in kept]
        labels = np.full(len(emb), -1)
        if covered.any():
            probs = _softmax(vote_logits[covered])
            idx = np.nonzero(covered)[0]
            keep = probs.max(axis=1) >= cfg.end_model_min_confidence
            labels[idx[keep]] = probs[keep].argmax(axis=1)
        out, params = None, None
        for round_ in range(cfg.end_model_rounds):
            chosen = np.nonzero(labels >= 0)[0]
            if len(chosen) > END_MODEL_MAX_ROWS:  # a sample fits as well and keeps big inputs fast
                chosen = np.sort(np.random.default_rng(round_).choice(chosen, END_MODEL_MAX_ROWS, replace=False))
            x = np.vstack([examples[j] for j in kept] + [emb[chosen]])
            x_words = None if words is None else sparse.vstack([ex_words[j] for j in kept] + [words[chosen]])
            y = np.concatenate(base_y + [labels[chosen]]).astype(np.int64)
            if len(np.unique(y)) < 2:
                return None
            with _one_blas_thread():
                params = fit_softmax_regression(x, y, k, cfg.end_model_c, 200 if round_ == 0 else 100, params,
                                                x_sparse=x_words)
            z = linear(emb.astype(np.float32), words, params[0].astype(np.float32))
            out = _softmax(z.astype(np.float64) + params[1])
            fresh = (labels < 0) & (out.max(axis=1) >= cfg.end_model_min_confidence)
            labels[fresh] = out[fresh].argmax(axis=1)
        return out

    def predict_proba(self, rows: list[dict[str, Any]], progress: bool = False, batch_size: int = 64) -> np.ndarray:
        """Per-label probabilities (rows x labels, scheme order, each row summing to 1)."""
        k = len(self.scheme.labels)
        if not rows:
            return np.zeros((0, k))
        matrix = self.apply(rows)
        logits = self.vote_logits(matrix)
        sim_scores = None
        if self.needs_encoder:
            emb = self.embed(rows, progress=progress, batch_size=batch_size)
            covered = (matrix >= 0).any(axis=1)
            cue_logits = logits.copy()
            sim_scores = self.similarity_scores(emb)  # for the neutral evidence too
            if self.use_similarity:
                sim = _softmax(sim_scores / self.scheme.similarity.temperature)
                logits = logits + self.scheme.combiner.similarity_weight * np.log(sim + 1e-9)
            if self.use_end_model:
                end = self.end_model_proba(emb, [str(row.get("text") or "") for row in rows], cue_logits, covered)
                if end is not None:
                    logits = logits + self.scheme.combiner.end_model_weight * np.log(end + 1e-9)
        if self.scheme.combiner.neutral_evidence is None or sim_scores is None:
            return _softmax(logits)
        neutral = self.scheme.index(self.scheme.neutral)
        sides = [j for j in range(k) if j != neutral]
        probs = np.zeros_like(logits)
        share = self.neutral_share(rows, matrix, sim_scores)
        probs[:, sides] = _softmax(logits[:, sides]) * (1 - share)[:, None]
        probs[:, neutral] = share
        return probs

    def neutral_share(self, rows: list[dict[str, Any]], matrix: np.ndarray, sim_scores: np.ndarray) -> np.ndarray:
        """P(neutral) for each row from the scheme's ``combiner.neutral_evidence``: votes for a side
        (not the source type's: it says which side a document is on, not whether a sentence takes
        one), votes for neutral (a neutral cue, a neutral source type), the claims step's reason, a
        question mark, and neutral's similarity score against the best other label's."""
        weights = self.scheme.combiner.neutral_evidence
        neutral = self.scheme.index(self.scheme.neutral)
        cue_columns = [j for j, lab in enumerate(self.labellers) if lab.name != "source_type"]
        sided = ((matrix[:, cue_columns] >= 0) & (matrix[:, cue_columns] != neutral)).sum(axis=1)
        reasons = [row.get("reason") if isinstance(row.get("reason"), str) else None for row in rows]
        others = np.delete(sim_scores, neutral, axis=1).max(axis=1)
        z = (weights.bias + weights.framed_cue * np.minimum(sided, 2)
             + weights.neutral_vote * (matrix == neutral).sum(axis=1)
             + weights.not_a_statement * np.array([reason in NOT_STATEMENTS for reason in reasons])
             + weights.question * np.array([reason == QUESTION or ends_in_question_mark(str(row.get("text") or ""))
                                            for reason, row in zip(reasons, rows)])
             + weights.similarity * (sim_scores[:, neutral] - others) / self.scheme.similarity.temperature)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    # --- what does the work -------------------------------------------------------------------------

    def label_matrix(self, rows: list[dict[str, Any]]) -> tuple[list[str], np.ndarray]:
        """Names and label matrix of every labeller, the similarity labeller included."""
        names = [lab.name for lab in self.labellers]
        matrix = self.apply(rows)
        if self.use_similarity and rows:
            sim = self.similarity_proba(self.embed(rows))
            names.append("similarity")
            matrix = np.hstack([matrix, self.similarity_votes(sim)[:, None]])
        return names, matrix

    def labeller_table(self, rows: list[dict[str, Any]]):
        """Per labeller: polarity, coverage, overlaps, conflicts and, when rows carry ``label``,
        correct/incorrect counts and empirical accuracy (Snorkel's LFAnalysis)."""
        import pandas as pd

        names, matrix = self.label_matrix(rows)
        ids = self.scheme.label_ids
        gold = None
        if rows and all(row.get("label") in ids for row in rows):
            gold = np.array([ids.index(row["label"]) for row in rows])
        fired = matrix >= 0
        records = []
        for j, name in enumerate(names):
            col = matrix[:, j]
            on = fired[:, j]
            others = np.delete(matrix, j, axis=1)
            others_fired = (others >= 0)
            overlap = on & others_fired.any(axis=1)
            conflict = on & ((others_fired) & (others != col[:, None])).any(axis=1)
            voted = sorted({ids[v] for v in col[on]})
            rec = {
                "labeller": name,
                "polarity": ",".join(voted) or "(no votes)",   # the labels it voted here
                "coverage": float(on.mean()) if len(rows) else 0.0,
                "overlaps": float(overlap.mean()) if len(rows) else 0.0,
                "conflicts": float(conflict.mean()) if len(rows) else 0.0,
            }
            if gold is not None:
                correct = int((col[on] == gold[on]).sum())
                rec["correct"] = correct
                rec["incorrect"] = int(on.sum()) - correct
                rec["accuracy"] = correct / int(on.sum()) if on.any() else float("nan")
            records.append(rec)
        return pd.DataFrame.from_records(records)
