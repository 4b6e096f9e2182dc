"""Second stage of `stance match`: a learned reranker over the fused matcher's top candidates.

The first stage (models.matching) ranks every corpus row by MiniLM cosine mixed with BM25. Its
top ``n`` rows per query are then scored again by a linear learning-to-rank model over features of
each (query, candidate) pair: the first stage's own signals, their ranks and gaps to the best
candidate, TF-IDF word and character n-gram cosines, and overlaps that an embedding blurs (numbers,
years, capitalised names, the quoted author of a tweet). A candidate whose wording repeats one
ranked above it (the same claim filed twice) is marked too.

The model is pairwise logistic regression (a relevant candidate should outscore each other candidate
of its query): a few dozen coefficients, saved as JSON (``models/weights/rerank.json``), rebuilt from
the claim-retrieval dev tweets by ``benchmarks/bench_rerank.py --save``. A gradient-boosted pointwise
model (HistGradientBoosting) did no better under the same folds (0.908 against 0.913). Its best rows
then go to the cross-encoder (models.cross_encoder) when that stage is on.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError

WEIGHTS = Path(__file__).resolve().parent / "weights" / "rerank.json"

# First-stage signals a Matcher hands over for each candidate (see matcher.Matcher.candidates).
SIGNALS = ("fused", "dense", "raw", "bm25")

PAIR_FEATURES = (
    "word_cosine",        # TF-IDF cosine over words (fitted on the corpus)
    "char_cosine",        # TF-IDF cosine over character 3-5-grams
    "claim_coverage",     # share of the candidate's content words found in the query
    "query_coverage",     # share of the query's content words found in the candidate
    "numbers_shared",     # count of numbers in both (1,377 == 1377)
    "numbers_missing",    # share of the candidate's numbers absent from the query
    "years_shared",       # a year of the candidate is in the query (its date included)
    "years_missing",      # the candidate names a year the query does not
    "names_coverage",     # share of the candidate's capitalised words found in the query
    "names_shared",       # count of capitalised candidate words found in the query
    "author_in_claim",    # share of the tweet author's name words found in the candidate
    "length_ratio",       # log of candidate words / query words
)
LIST_FEATURES = (
    "fused_gap", "dense_gap", "raw_gap", "bm25_gap",      # best candidate's signal minus this one's
    "fused_rank", "dense_rank", "bm25_rank",              # log(1 + rank) among the candidates
    "duplicate_above",    # the same wording ranks higher in this list
    "duplicate_below",    # the same wording ranks lower in this list
    # The same claim filed twice differs in quote style; on the CLEF 2020 claims the copy with double
    # quotes is the one fact-checkers link to. Only counted between copies, so that quote style
    # never moves a claim past a different one.
    "duplicate_single",   # a copy quoting with single quotation marks only
    "duplicate_double",   # a copy quoting with double quotation marks
)
FEATURES = SIGNALS + PAIR_FEATURES + LIST_FEATURES

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:st|nd|rd|th)?(?![A-Za-z])")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z]+")
_DOUBLE = re.compile(r"[\"“”]")
_SINGLE_QUOTE = re.compile(r"(?:^|(?<=[\s(\[:,]))['‘]\w|\w[.,!?]?['’](?=\s|$|[.,;:)])")
_SIGNATURE = re.compile(r"—\s*([^—()]{2,80}?)\s*\(@\w+\)[^—]*$")
_DUPLICATE = re.compile(r"[^a-z0-9]+")


@functools.cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` that are not English stop words."""
    stop = _stop_words()
    return {w for w in _WORD.findall(text.lower()) if w not in stop and len(w) > 1}


def numbers(text: str) -> set[str]:
    """Numbers in ``text`` without thousands separators: "1,377 points in 2.5 days" -> {"1377", "2.5"}."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def capitalised(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence, lower-cased ("Pope Francis met" -> {"francis"})."""
    out = set()
    for m in _CAPITAL.finditer(text):
        i = m.start() - 1
        while i >= 0 and text[i].isspace():   # the last character before the word, spaces aside
            i -= 1
        if i >= 0 and text[i] not in ".!?:\"“'‘(—-":
            out.add(m.group().lower())
    return out


def author(text: str) -> str:
    """The name in a tweet's embed signature ("... — Donald J. Trump (@realDonaldTrump) June 5, 2018")."""
    m = _SIGNATURE.search(text)
    return m.group(1).strip() if m else ""


def duplicate_key(text: str) -> str:
    """``text`` reduced to lower-case letters and digits, so that quote style and spacing do not count."""
    return _DUPLICATE.sub(" ", text.lower()).strip()


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def pair_features(query: str, candidate: str, raw_query: str | None = None) -> list[float]:
    """The text features of one (query, candidate) pair, in PAIR_FEATURES order, except the two
    TF-IDF cosines (left at 0 here: they need a vectoriser fitted on the corpus, see ``Featurizer``).

    ``query`` is the cleaned query; ``raw_query`` (default: ``query``) the text as written, whose
    embed signature names the author.
    """
    q_words, c_words = content_words(query), content_words(candidate)
    q_nums, c_nums = numbers(query), numbers(candidate)
    q_years, c_years = set(_YEAR.findall(query)), set(_YEAR.findall(candidate))
    c_names = capitalised(candidate)
    q_lower = set(_WORD.findall(query.lower()))
    name_words = content_words(author(query if raw_query is None else raw_query))
    n_q = max(1, len(_WORD.findall(query.lower())))
    n_c = max(1, len(_WORD.findall(candidate.lower())))
    return [
        0.0, 0.0,
        _share(c_words, q_words),
        _share(q_words, c_words),
        float(len(q_nums & c_nums)),
        len(c_nums - q_nums) / len(c_nums) if c_nums else 0.0,
        float(bool(q_years & c_years)),
        float(bool(c_years - q_years)),
        _share(c_names, q_lower),
        float(len(c_names & q_lower)),
        _share(name_words, c_words),
        math.log(n_c / n_q),
    ]


def quote_style(text: str) -> tuple[bool, bool]:
    """(quotes with double marks, quotes with single marks only): 'He said "no"' -> (True, False)."""
    doubles = bool(_DOUBLE.search(text))
    return doubles, bool(_SINGLE_QUOTE.search(text)) and not doubles


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float32)
    ranks[order] = np.arange(len(values), dtype=np.float32)
    return ranks


def list_features(signals: dict[str, np.ndarray], candidates: Sequence[str]) -> np.ndarray:
    """Features of each candidate relative to the others of its list (LIST_FEATURES order).

    ``signals`` maps each of SIGNALS to one value per candidate; the list is in first-stage order.
    """
    n = len(candidates)
    cols = [signals[s].max() - signals[s] for s in ("fused", "dense", "raw", "bm25")]
    cols += [np.log1p(_ranks(signals[s])) for s in ("fused", "dense", "bm25")]
    keys = [duplicate_key(c) for c in candidates]
    order = _ranks(signals["fused"])
    above, below = np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.float32)
    for i in range(n):
        for j in range(n):
            if i != j and keys[i] == keys[j]:
                if order[j] < order[i]:
                    above[i] = 1.0
                else:
                    below[i] = 1.0
    quotes = np.array([quote_style(c) for c in candidates], dtype=np.float32).reshape(n, 2)
    copy = np.maximum(above, below)
    cols += [above, below, copy * quotes[:, 1], copy * quotes[:, 0]]
    return np.stack(cols, axis=1).astype(np.float32)


def _fit(vectorizer: Any, texts: Sequence[str]) -> tuple[Any, Any]:
    """The fitted vectoriser and the texts' rows; (None, None) when no term survives (a corpus of
    stop words or one letter), so that its cosine stays 0 instead of failing the match."""
    try:
        return vectorizer, vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        return None, None


def _transform(vectorizer: Any, texts: Sequence[str]) -> Any:
    return None if vectorizer is None else vectorizer.transform(texts).tocsr()


class Featurizer:
    """Feature rows for (query, candidate) pairs of one corpus: fits the TF-IDF vectorisers on it."""

    def __init__(self, corpus_texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
        chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5),
                                min_df=2 if len(corpus_texts) >= 100 else 1, dtype=np.float32)
        self.words, self.corpus_words = _fit(words, corpus_texts)
        self.chars, self.corpus_chars = _fit(chars, corpus_texts)

    def features(self, queries: Sequence[str], candidates: np.ndarray, corpus_texts: Sequence[str],
                 signals: dict[str, np.ndarray], raw_queries: Sequence[str] | None = None) -> np.ndarray:
        """A (queries x n x FEATURES) block; ``queries`` are cleaned as the corpus is (``raw_queries``
        as written), ``candidates`` holds corpus indices (queries x n), and ``signals`` one
        (queries x n) array per name in SIGNALS."""
        raw_queries = queries if raw_queries is None else raw_queries
        nq, n = candidates.shape
        out = np.zeros((nq, n, len(FEATURES)), dtype=np.float32)
        qw, qc = _transform(self.words, queries), _transform(self.chars, queries)
        base = len(SIGNALS)
        for i in range(nq):
            rows = candidates[i]
            sig = {s: np.asarray(signals[s][i], dtype=np.float32) for s in SIGNALS}
            for k, s in enumerate(SIGNALS):
                out[i, :, k] = sig[s]
            texts = [corpus_texts[j] for j in rows]
            out[i, :, base:base + len(PAIR_FEATURES)] = [pair_features(queries[i], t, raw_queries[i])
                                                            for t in texts]
            if qw is not None:
                out[i, :, base] = (self.corpus_words[rows] @ qw[i].T).toarray().ravel()
            if qc is not None:
                out[i, :, base + 1] = (self.corpus_chars[rows] @ qc[i].T).toarray().ravel()
            out[i, :, base + len(PAIR_FEATURES):] = list_features(sig, texts)
        return out


@dataclass
class Reranker:
    """A linear scorer over standardised FEATURES: ``((x - mean) / scale) @ coef``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    card: dict[str, Any]

    def score(self, x: np.ndarray) -> np.ndarray:
        """Scores of feature rows (any leading shape, FEATURES last)."""
        return ((x - self.mean) / self.scale) @ self.coef

    def save(self, path: str | Path = WEIGHTS) -> Path:
        from corpus.files import atomic_write

        path = Path(path)
        body = {"features": list(self.features), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "card": self.card}
        with atomic_write(path) as handle:
            handle.write(json.dumps(body, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path = WEIGHTS) -> "Reranker":
        path = Path(path)
        if not path.exists():
            raise UserError(f"{path}: no reranker weights; rebuild them with "
                            "`python benchmarks/bench_rerank.py --save` or set match.rerank: false")
        body = json.loads(path.read_text(encoding="utf-8"))
        if tuple(body["features"]) != FEATURES:
            raise UserError(f"{path}: weights for other features than this version computes; "
                            "rebuild them with `python benchmarks/bench_rerank.py --save`")
        return cls(tuple(body["features"]), np.asarray(body["mean"], dtype=np.float32),
                   np.asarray(body["scale"], dtype=np.float32), np.asarray(body["coef"], dtype=np.float32),
                   body.get("card", {}))


def pairwise_differences(x: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """Rows ``x[pos] - x[neg]`` for every relevant and other candidate of every query.

    ``x`` is (queries x n x features), ``relevant`` a boolean (queries x n) mask.
    """
    diffs = []
    for xi, ri in zip(x, relevant):
        if ri.any() and not ri.all():
            diffs.append((xi[ri][:, None, :] - xi[~ri][None, :, :]).reshape(-1, x.shape[2]))
    return np.concatenate(diffs) if diffs else np.zeros((0, x.shape[2]), dtype=x.dtype)


def train_reranker(x: np.ndarray, relevant: np.ndarray, c: float = 1.0,
                   card: dict[str, Any] | None = None) -> Reranker:
    """Pairwise logistic regression: a relevant candidate should outscore each other one."""
    from sklearn.linear_model import LogisticRegression

    flat = x.reshape(-1, x.shape[2])
    mean, scale = flat.mean(axis=0), flat.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0).astype(np.float32)
    diffs = pairwise_differences((x - mean) / scale, relevant)
    if not len(diffs):
        raise ValueError("no query has both a relevant and an irrelevant candidate")
    both = np.concatenate([diffs, -diffs])
    labels = np.r_[np.ones(len(diffs)), np.zeros(len(diffs))]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(both, labels)
    return Reranker(FEATURES, mean.astype(np.float32), scale, model.coef_[0].astype(np.float32),
                    dict(card or {}))
