"""Pre-labels with no human labels: weak labellers in the manner of Snorkel's labelling functions.

The scheme's config lists which labellers run (``labellers``) and holds their cue phrases and
example claims: ``cues``, ``cue_groups`` and ``source_type`` are row-wise functions
(``models.labellers``); ``similarity`` votes for the label whose description and example claims the
claim is closest to (MiniLM cosine), when the margin over the runner-up is clear.

The combiner is a label model with fixed accuracies (Snorkel's generative model under class-
conditional independence): a labeller with accuracy ``a`` that votes for a label adds
``log(a (k - 1) / (1 - a))`` to that label's log-odds (accuracies are set in the scheme's
``combiner.accuracy``; the benchmark prints each labeller's measured accuracy beside them).
Similarity adds its soft log-probabilities, scaled down, rather than a hard vote. Then the Snorkel
end-model pattern, run on the claims being labelled: a logistic regression on sentence embeddings
plus hashed words, fitted to the scheme's example claims and the claims the labellers label
confidently, then self-trained for a few rounds, adds its log-probabilities (``models.end_model``).
Most claims carry no cue at all; the end model judges them by their likeness to the ones that do.
With ``combiner.neutral_evidence``, whether a claim is neutral is decided apart (``neutral_share``);
without it, in any scheme with a neutral label, a row the claims step found to state nothing or to ask
(a heading, a dateline, a fragment, a question) is neutral unless a side's cue says otherwise
(``combiner.statement_evidence``, ``statement_share``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.claimfilter import (BYLINE, DATELINE, EDITORIAL_MARKER, FILLER, FRAGMENT, FRONT_MATTER, GREETING,
                                HEADING, NOT_ENGLISH, QUESTION, SPEAKER_MARKER, TABLE, ends_in_question_mark)
from corpus.language import foreign_script
from models.end_model import (RowStore, fit_softmax_regression, linear, one_blas_thread, rowwise, softmax,
                              word_features)
from models.labellers import accuracy_weight, add_votes, apply_labellers, build_labellers
from models.schemes import Scheme

END_MODEL_MAX_ROWS = 2000
# Reasons the claims step gives a sentence that states nothing, or nothing this package can read (a
# sentence in Cyrillic, Greek, Arabic, ...: the cues and MiniLM read English, their guess is noise), and a
# table's line (data, not a sentence of prose).
NOT_STATEMENTS = frozenset({SPEAKER_MARKER, BYLINE, DATELINE, FRONT_MATTER, HEADING, GREETING, FRAGMENT,
                            EDITORIAL_MARKER, FILLER, NOT_ENGLISH, TABLE})


def row_reason(row: dict[str, Any]) -> str | None:
    """The claims step's reason for ``row``; for a row without one (a `text`/`label` file, a row
    from Python), ``not_english`` when most of its letters are of another script, as `stance claims`
    finds it (``corpus.language.foreign_script``; an ASCII text is decided at once), else None."""
    reason = row.get("reason")
    if isinstance(reason, str):
        return reason
    text = row.get("text")
    if isinstance(text, str) and not text.isascii() and foreign_script(text):
        return NOT_ENGLISH
    return None


def _statement_lean(row: dict[str, Any], not_a_statement: float, question: float) -> float:
    """One row's log-odds of neutral from the claims step's reason (``row_reason``), NaN for a
    statement (see ``Bootstrap.statement_share``)."""
    reason = row_reason(row)
    if isinstance(reason, str):
        return not_a_statement if reason in NOT_STATEMENTS else question if reason == QUESTION else np.nan
    return question if ends_in_question_mark(str(row.get("text") or "")) else np.nan


@dataclass
class Evidence:
    """A chunk of rows as the bootstrap reads them one at a time (``Bootstrap.evidence``)."""

    logits: np.ndarray   # the label model's log-odds: the prior, the labellers' votes, the similarity
    seeds: np.ndarray    # the end model's first labels (-1: none)
    share: np.ndarray    # P(neutral) where it is set apart (NaN: the log-odds decide)
    neutral: bool        # ``share`` from the neutral evidence (every row), else the statement evidence


class Bootstrap:
    """Scheme-driven weak labellers, combined into per-label probabilities (see the module doc)."""

    def __init__(self, scheme: Scheme, encoder: Any = None, exclude: Iterable[str] = (), int8: bool = False) -> None:
        self.scheme = scheme
        self.int8 = int8  # without ``encoder``: the packaged MiniLM's static int8 graph (models.int8)
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

            self._encoder = load_encoder(int8=True) if self.int8 else load_encoder()
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

        from models.onnx_graphs import runtime_tag

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
        from corpus.errors import UserError
        from corpus.files import atomic_write

        try:
            with atomic_write(path, "wb") as handle:
                np.save(handle, emb)
        except (OSError, UserError):  # atomic_write says an unwritable folder as a UserError
            pass  # a read-only cache only costs the time to embed again
        return emb

    def similarity_proba(self, emb: np.ndarray) -> np.ndarray:
        """Softmax over the similarity scores, at the scheme's temperature."""
        return softmax(self.similarity_scores(emb) / self.scheme.similarity.temperature)

    def similarity_scores(self, emb: np.ndarray) -> np.ndarray:
        """Each label's blend of description cosine and mean top-k example cosine (rows x labels)."""
        cfg = self.scheme.similarity
        desc, examples = self._anchor_embeddings()
        scores = np.zeros((len(emb), len(desc)), dtype=np.float64)
        for j, ex in enumerate(examples):   # each row on its own: the same however the rows were read
            d = rowwise(emb, desc[j])
            if len(ex):
                sims = rowwise(emb, ex.T)
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

    def end_model_seeds(self, vote_logits: np.ndarray, covered: np.ndarray) -> np.ndarray:
        """The end model's first labels: the label of each claim the cue labellers label confidently,
        else -1."""
        labels = np.full(len(vote_logits), -1)
        if covered.any():
            probs = softmax(vote_logits[covered])
            idx = np.nonzero(covered)[0]
            keep = probs.max(axis=1) >= self.scheme.combiner.end_model_min_confidence
            labels[idx[keep]] = probs[keep].argmax(axis=1)
        return labels

    def end_model_proba(self, store: RowStore, seeds: np.ndarray) -> np.ndarray | None:
        """Logistic regression on embeddings and hashed words (``store``: the claims'), fitted to the
        example claims and the claims the cue labellers label confidently (``seeds``); with
        ``end_model_rounds`` > 1, confident predictions on the other claims join the training set for
        another round (self-training). Fitted over every claim of ``store``, read a chunk at a time."""
        cfg = self.scheme.combiner
        k = len(self.scheme.labels)
        _, examples = self._anchor_embeddings()
        ex_words = None
        if cfg.end_model_words > 0:
            from scipy import sparse

            ex_words = [word_features(lab.examples, cfg.end_model_words) for lab in self.scheme.labels]
        kept = [j for j, ex in enumerate(examples) if len(ex)]
        base_y = [np.full(len(examples[j]), j) for j in kept]
        labels = seeds.copy()
        out, params = None, None
        for round_ in range(cfg.end_model_rounds):
            chosen = np.nonzero(labels >= 0)[0]
            if len(chosen) > END_MODEL_MAX_ROWS:  # a sample fits as well and keeps big inputs fast
                chosen = np.sort(np.random.default_rng(round_).choice(chosen, END_MODEL_MAX_ROWS, replace=False))
            emb, words = store.rows(chosen)
            x = np.vstack([examples[j] for j in kept] + [emb])
            x_words = None if words is None else sparse.vstack([ex_words[j] for j in kept] + [words])
            y = np.concatenate(base_y + [labels[chosen]]).astype(np.int64)
            if len(np.unique(y)) < 2:
                return None
            with one_blas_thread():
                params = fit_softmax_regression(x, y, k, cfg.end_model_c, 200 if round_ == 0 else 100, params,
                                                x_sparse=x_words)
            w, b = params[0].astype(np.float32), params[1]
            out = np.vstack([softmax(linear(emb.astype(np.float32), words, w).astype(np.float64) + b)
                             for emb, words in store.chunks()])
            fresh = (labels < 0) & (out.max(axis=1) >= cfg.end_model_min_confidence)
            labels[fresh] = out[fresh].argmax(axis=1)
        return out

    def predict_proba(self, rows: list[dict[str, Any]], progress: bool = False, batch_size: int = 64,
                      embeddings: np.ndarray | None = None) -> np.ndarray:
        """Per-label probabilities (rows x labels, scheme order, each row summing to 1); ``embeddings``:
        the rows' sentence embeddings when the caller has them already (``models.shared``)."""
        with RowStore() as store:
            return self.combine([self.evidence(rows, store, progress, batch_size, embeddings)], store)

    def evidence(self, rows: list[dict[str, Any]], store: RowStore, progress: bool = False, batch_size: int = 64,
                 embeddings: np.ndarray | None = None) -> Evidence:
        """What ``predict_proba`` reads of ``rows`` one row at a time: the label model's log-odds, the
        end model's seeds and the neutral share; the rows' embeddings and words go to ``store`` for the
        end model. ``combine`` then makes the probabilities of any number of such parts, as of their rows
        read at once (a pre-label reads its input a chunk at a time)."""
        k = len(self.scheme.labels)
        if not rows:
            return Evidence(np.zeros((0, k)), np.zeros(0, dtype=np.int64), np.zeros(0), False)
        matrix = self.apply(rows)
        logits = self.vote_logits(matrix)
        sim_scores = None
        seeds = np.full(len(rows), -1)
        if self.needs_encoder:
            if embeddings is not None:
                self._cache = (tuple(str(row.get("text") or "") for row in rows), embeddings)
            emb = self.embed(rows, progress=progress, batch_size=batch_size)
            covered = (matrix >= 0).any(axis=1)
            cue_logits = logits.copy()
            if self.use_similarity or self.scheme.combiner.neutral_evidence is not None:
                sim_scores = self.similarity_scores(emb)  # for the neutral evidence too
            if self.use_similarity:
                sim = softmax(sim_scores / self.scheme.similarity.temperature)
                logits = logits + self.scheme.combiner.similarity_weight * np.log(sim + 1e-9)
            if self.use_end_model:
                seeds = self.end_model_seeds(cue_logits, covered)
                cfg = self.scheme.combiner
                texts = [str(row.get("text") or "") for row in rows]
                store.add(emb, word_features(texts, cfg.end_model_words) if cfg.end_model_words > 0 else None)
        if self.scheme.combiner.neutral_evidence is None or sim_scores is None:
            return Evidence(logits, seeds, self.statement_share(rows, matrix), False)
        return Evidence(logits, seeds, self.neutral_share(rows, matrix, sim_scores), True)

    def combine(self, parts: list[Evidence], store: RowStore) -> np.ndarray:
        """The probabilities of the rows of ``parts`` (``evidence``), in order: the end model fitted over
        all of them."""
        k = len(self.scheme.labels)
        if not any(len(part.logits) for part in parts):
            return np.zeros((0, k))
        logits = np.vstack([part.logits for part in parts])
        share = np.concatenate([part.share for part in parts])
        if self.use_end_model and len(store):
            end = self.end_model_proba(store, np.concatenate([part.seeds for part in parts]))
            if end is not None:
                logits = logits + self.scheme.combiner.end_model_weight * np.log(end + 1e-9)
        if any(part.neutral for part in parts):
            return self._with_neutral_share(logits, share)
        return self._with_statement_evidence(softmax(logits), logits, share)

    def _with_neutral_share(self, logits: np.ndarray, share: np.ndarray) -> np.ndarray:
        """Probabilities with P(neutral) = ``share`` for each row of ``logits``; the other labels share
        the rest in the proportions their log-odds give."""
        neutral = self.scheme.index(self.scheme.neutral)
        sides = [j for j in range(logits.shape[1]) if j != neutral]
        probs = np.zeros_like(logits)
        probs[:, sides] = softmax(logits[:, sides]) * (1 - share)[:, None]
        probs[:, neutral] = share
        return probs

    def statement_share(self, rows: list[dict[str, Any]], matrix: np.ndarray) -> np.ndarray:
        """P(neutral) from the scheme's ``combiner.statement_evidence`` for the rows the claims step
        found state nothing (a heading, a dateline, a fragment, ...) or ask (their reason; a "?" at
        the end of a row that has none): ``sigmoid(weight + side_cue * the cue labellers voting a side,
        at most two)``; the source type's vote is not counted (it says which side a document is on,
        not whether a line takes one). NaN for every other row: statements keep the labellers' say."""
        weights = self.scheme.statement_evidence
        share = np.full(len(rows), np.nan)
        if weights is None or not rows:
            return share
        neutral = self.scheme.index(self.scheme.neutral)
        lean = np.array([_statement_lean(row, weights.not_a_statement, weights.question) for row in rows])
        columns = [j for j, lab in enumerate(self.labellers) if lab.name != "source_type"]
        sided = ((matrix[:, columns] >= 0) & (matrix[:, columns] != neutral)).sum(axis=1)
        flagged = ~np.isnan(lean)
        z = lean[flagged] + weights.side_cue * np.minimum(sided[flagged], 2)
        share[flagged] = 1.0 / (1.0 + np.exp(-z))
        return share

    def _with_statement_evidence(self, probs: np.ndarray, logits: np.ndarray, share: np.ndarray) -> np.ndarray:
        """``probs`` with P(neutral) set from ``share`` (``statement_share``) where it has one
        (``_with_neutral_share``)."""
        flagged = np.nonzero(~np.isnan(share))[0]
        if not len(flagged):
            return probs
        probs = probs.copy()
        probs[flagged] = self._with_neutral_share(logits[flagged], share[flagged])
        return probs

    def neutral_share(self, rows: list[dict[str, Any]], matrix: np.ndarray, sim_scores: np.ndarray) -> np.ndarray:
        """P(neutral) for each row from the scheme's ``combiner.neutral_evidence``: votes for a side
        (not the source type's: it says which side a document is on, not whether a sentence takes
        one; nor those of the ``not_framing`` cue groups, which say how it is sourced), votes for neutral (a neutral cue, a neutral source type), the claims step's reason, a
        question mark, and neutral's similarity score against the best other label's."""
        weights = self.scheme.combiner.neutral_evidence
        neutral = self.scheme.index(self.scheme.neutral)
        not_sides = {"source_type", *weights.not_framing}
        cue_columns = [j for j, lab in enumerate(self.labellers) if lab.name not in not_sides]
        sided = ((matrix[:, cue_columns] >= 0) & (matrix[:, cue_columns] != neutral)).sum(axis=1)
        reasons = [row_reason(row) for row in rows]
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
        if self.scheme.statement_evidence is not None and rows:
            # Shown as a labeller voting neutral where it leans a row there (coverage, accuracy).
            share = self.statement_share(rows, matrix[:, :len(self.labellers)])
            names.append("statement_evidence")
            matrix = np.hstack([matrix, np.where(share > 0.5, self.scheme.index(self.scheme.neutral), -1)[:, None]])
        return names, matrix

    def labeller_table(self, rows: list[dict[str, Any]]):
        """Per labeller: polarity, coverage, overlaps, conflicts and, when rows carry ``label``,
        correct/incorrect counts and empirical accuracy (Snorkel's LFAnalysis)."""
        names, matrix = self.label_matrix(rows)
        gold = self.gold(rows)
        return self.table(names, matrix, gold if (gold >= 0).all() else None)

    def gold(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """Each row's ``label`` as its index in the scheme, -1 where it has none of the scheme's."""
        ids = self.scheme.label_ids
        return np.array([ids.index(row["label"]) if row.get("label") in ids else -1 for row in rows], dtype=np.int64)

    def table(self, names: list[str], matrix: np.ndarray, gold: np.ndarray | None = None):
        """``labeller_table`` of a label matrix (``label_matrix``, of every row however it was read) and
        the rows' ``gold`` labels (None: not every row has one)."""
        import pandas as pd

        ids = self.scheme.label_ids
        n = len(matrix)
        if not n:
            gold = None
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
                "coverage": float(on.mean()) if n else 0.0,
                "overlaps": float(overlap.mean()) if n else 0.0,
                "conflicts": float(conflict.mean()) if n else 0.0,
            }
            if gold is not None:
                correct = int((col[on] == gold[on]).sum())
                rec["correct"] = correct
                rec["incorrect"] = int(on.sum()) - correct
                rec["accuracy"] = correct / int(on.sum()) if on.any() else float("nan")
            records.append(rec)
        return pd.DataFrame.from_records(records)
