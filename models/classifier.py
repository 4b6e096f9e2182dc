"""The fine-tuned stance classifier: a MiniLM sequence classifier blended with the bootstrap.

A model directory from ``stance train`` is a plain transformers directory (config, weights,
tokenizer, README.md model card) plus ``claimstance.json`` (scheme, labels, version, blend settings).

Why a blend: a model fine-tuned on a few hundred claims learns the house style of the outlets it saw
("Kiev" or "Kyiv", headline punctuation). On claims written elsewhere that style is absent and its
confident guesses are little better than chance, while the bootstrap's framing cues, label
descriptions and example claims carry over. ``predict_proba`` mixes the two experts in log space:

    z(label) = g(x) * log p_model(label) + (w * g(x) + 1 - g(x)) * log p_bootstrap(label)

``g(x)`` in [0, 1], the domain gate, says how much a claim looks like the training claims rather
than like claims written elsewhere: a logistic regression on the network's own features (its last
layer, mean-pooled, from the same pass that gives its logits; or, as an option, the base MiniLM's
sentence embeddings) and the claim's hashed words, fitted at training time with the training claims
on one side and, on the other, the descriptions and examples of the bundled schemes and the
sentences of the bundled sample corpus (see ``models.blending.gate_anchors``). ``g`` is 1 above
``gate_high`` (even odds by default) and falls linearly to 0 at ``gate_low``. Where ``g`` is 1 and
``w`` is 0 the bootstrap has no say and is not run; with a gate on base embeddings, where ``g`` is 0
the network is not run. ``w``, the bootstrap's weight in
domain, is chosen on the validation split. In domain the fine-tuned model leads; on claims unlike
the training data the bootstrap decides, and so it does for a heading, a byline, a speaker marker
or a question when no training claim was one (``g`` is 0 there). Scheme labels the model never saw
(``neutral`` for two-label data) get the bootstrap's probability scaled by ``1 - g``.

Seen sources (``TrainSettings.seen_source_min``, ``blend.seen_sources``): a claim whose source
(``named_source``: an outlet, source, author, platform or site, never a title, file or id) had at
least that many training and validation claims gets ``g = 1``: the network was fitted on that
source's own claims, so they are in domain by definition; the gate still judges claims from every
other source, and a row of a kind never trained on keeps ``g = 0``. Only the count of a source's
claims is stored, never its labels: trust, not evidence for a label.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from corpus.records import named_source
from models.data import normalise_spelling
from models.model_dir import CONFIG_NAME, check_model_dir
from models.onnx_graphs import mean_pool

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")



def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def in_domain_probability(embeddings: np.ndarray, domain: dict[str, Any], texts: list[str] | None = None
                          ) -> np.ndarray:
    """P(training-like | claim) from the stored logistic regression of the domain gate: on the
    embeddings, plus hashed words of ``texts`` when the gate was fitted with them (``words`` > 0)."""
    from models.end_model import linear, word_features

    words = None
    if float(domain.get("words") or 0) > 0:
        if texts is None:
            raise ValueError("this domain gate reads the words of the claims: pass their texts")
        words = word_features(texts, float(domain["words"]))
    coef = np.asarray(domain["coef"], dtype=np.float64)
    z = linear(embeddings.astype(np.float64), words, coef) + float(domain["intercept"])
    return 1.0 / (1.0 + np.exp(-z))





def gate(similarity: np.ndarray, low: float, high: float) -> np.ndarray:
    """1 at or above ``high`` (in domain), 0 at or below ``low``, linear in between."""
    if high <= low:
        return (similarity >= high).astype(np.float64)
    return np.clip((similarity - low) / (high - low), 0.0, 1.0)


def blend(p_model: np.ndarray, p_boot: np.ndarray, known: np.ndarray, g: np.ndarray, weight: float
          ) -> np.ndarray:
    """Scheme-ordered probabilities from the model's (over ``known`` columns) and the bootstrap's.

    ``p_model`` is n x len(known); ``p_boot`` n x scheme labels; ``known`` the scheme columns of the
    model's labels; ``g`` the per-claim gate; ``weight`` the bootstrap's weight in domain.
    """
    eps = 1e-6
    g = g[:, None]
    p_boot = np.clip(p_boot, eps, 1.0)
    p_boot = p_boot / p_boot.sum(axis=1, keepdims=True)
    z = g * np.log(np.clip(p_model, eps, 1.0)) + (weight * g + 1 - g) * np.log(p_boot[:, known])
    unknown = np.setdiff1d(np.arange(p_boot.shape[1]), known)
    out = np.zeros_like(p_boot)
    out[:, unknown] = p_boot[:, unknown] * (1 - g)
    rest = 1.0 - out[:, unknown].sum(axis=1, keepdims=True)
    out[:, known] = softmax(z, axis=1) * rest
    return out


@dataclass
class BlendEvidence:
    """A chunk of rows as the blend reads them one at a time (``StanceClassifier.evidence``)."""

    p_model: np.ndarray                 # the network's probabilities (all labels' without the blend)
    gate: np.ndarray | None = None      # g per row; None: the network alone
    need: np.ndarray | None = None      # the rows handed to the bootstrap
    boot: Any = None                    # the bootstrap's evidence on them (``models.bootstrap.Evidence``)


class StanceClassifier:
    """A fine-tuned MiniLM stance classifier with its labels, version and blend settings."""

    def __init__(self, model: Any, tokenizer: Any, config: dict[str, Any], scheme: Any = None) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self.config = config
        self._scheme = scheme
        self._bootstrap: Any = None
        self.model_dir: Path | None = None  # set when loaded from disk: enables the ONNX forward
        self._onnx: Any = None
        self._shared_graphs: Any = None
        if model is not None:
            model.eval()

    @property
    def model(self) -> Any:
        """The PyTorch network; a model loaded from disk reads it only when first needed (the ONNX
        forward does not: not importing torch and transformers saves seconds of start-up)."""
        if self._model is None and self.model_dir is not None:
            from transformers import AutoModelForSequenceClassification

            from models.base_model import quiet_transformers, set_threads

            quiet_transformers()
            self._model = AutoModelForSequenceClassification.from_pretrained(self.model_dir).eval()
            set_threads()
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The transformers tokenizer, read on first use for a model loaded from disk."""
        if self._tokenizer is None and self.model_dir is not None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        return self._tokenizer

    # --- identity ---------------------------------------------------------------------------

    @property
    def model_labels(self) -> list[str]:
        """The labels the network was trained on, in its output order."""
        return list(self.config["labels"])

    @property
    def labels(self) -> list[str]:
        """The scheme's label ids: the columns of ``predict_proba``."""
        return list(self.config.get("scheme_labels") or self.config["labels"])

    @property
    def version(self) -> str:
        return str(self.config["version"])

    @property
    def scheme(self) -> Any:
        if self._scheme is None:
            from models.schemes import load_scheme

            path = self.config.get("scheme_path")
            if path and not Path(path).exists():
                raise UserError(f"{self.model_dir or 'the model'} was trained with the scheme file {path}, which is "
                                f"gone; give --scheme with that file's new path (scheme {self.config['scheme']!r})")
            self._scheme = load_scheme(path or self.config["scheme"])
        return self._scheme

    # --- loading and saving -----------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, model_dir: str | Path, scheme: Any = None) -> StanceClassifier:
        """Load a directory written by ``stance train`` (or ``save_pretrained``).

        The PyTorch network and tokenizer are read on first use (``model``, ``tokenizer``); with the
        ONNX forward they never are.
        """
        model_dir = Path(model_dir)
        config = check_model_dir(model_dir)
        if scheme is not None:
            missing = set(config["labels"]) - set(scheme.label_ids)
            if missing:
                raise UserError(f"{model_dir}: the model's labels {sorted(missing)} are not in scheme "
                                f"{scheme.name!r}; leave out --scheme to use the model's own "
                                f"({config.get('scheme_path') or config['scheme']})")
            config = {**config, "scheme_labels": list(scheme.label_ids)}
        clf = cls(None, None, config, scheme)
        clf.model_dir = model_dir
        return clf

    def save_pretrained(self, model_dir: str | Path) -> None:
        """Write the transformers files and ``claimstance.json``."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(model_dir)
        self.tokenizer.save_pretrained(model_dir)
        (model_dir / CONFIG_NAME).write_text(json.dumps(self.config, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")

    # --- prediction -------------------------------------------------------------------------

    def prepare(self, texts: list[str]) -> list[str]:
        """Texts as the network saw them in training (spelling normalised if it was)."""
        if self.config.get("normalise_spelling", False):
            return [normalise_spelling(t) for t in texts]
        return list(texts)

    def forward(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Logits (n x model labels) of the network, in length-sorted batches.

        A model loaded from disk runs as an exported graph (``OnnxClassifier``: exported once and
        cached; OpenVINO in static int8, see ``models.int8``, or bfloat16 with CLAIMSTANCE_INT8=0;
        several times faster on short claims than PyTorch); set CLAIMSTANCE_BACKEND=torch, or a model
        still in memory, runs PyTorch.
        """
        return self.outputs(texts, batch_size)[0]

    def outputs(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Logits and the network's own features (last layer, mean-pooled, unit length), one pass."""
        texts = self.prepare(texts)
        if (shared := self._shared()) is not None:
            logits, features = shared.run(texts, batch_size, need=lambda rows, _: np.zeros(len(rows), bool))[:2]
        elif (onnx := self._onnx_classifier()) is not None:
            logits, features = onnx.forward(texts, batch_size)
        else:
            logits, features = self._torch_forward(texts, batch_size)
        return self._mean_head(logits, features), features

    def _mean_head(self, logits: np.ndarray, features: np.ndarray) -> np.ndarray:
        head = self.config.get("mean_head")
        if head:  # the second head, on mean-pooled features: the two heads' logits averaged
            from models.end_model import rowwise

            mean_logits = rowwise(features, np.asarray(head["coef"], dtype=np.float32).T) + np.asarray(head["intercept"])
            logits = (logits + mean_logits.astype(np.float32)) / 2
        return logits

    def _shared(self) -> Any:
        """The network and its bootstrap's encoder over shared lower layers (``models.shared``), for a
        model loaded from disk that was trained with them frozen and blends on its own features; None
        otherwise, or when the graphs cannot be made (each graph then runs whole, as before)."""
        if self._shared_graphs is None:
            self._shared_graphs = self._make_shared() or False
        return self._shared_graphs or None

    def _make_shared(self) -> Any:
        from models.shared import frozen_layers

        settings = self.config.get("blend", {})
        k = frozen_layers(self.config)
        if not (k and self._runs_graphs() and settings.get("enabled", True)
                and (settings.get("domain") or {}).get("space") == "classifier"):
            return None
        from models.cache import cache_limit
        from models.int8 import int8_or_not
        from models.shared import SharedGraphs, exported_graphs

        max_length = int(self.config.get("max_length", 128))
        int8 = self._int8()  # a setting that is not one stops here, with its own message
        cache_limit()        # and so does CLAIMSTANCE_CACHE_MB, which the try below would take for a failure
        try:
            # Exported first: a failure here (lower layers altered after training, a cache that
            # cannot be written) is no int8 failure, and the whole graphs say their own.
            exported_graphs(self.model_dir, k)
            return int8_or_not(lambda q: SharedGraphs(self.model_dir, max_length, k, int8=q), int8)
        except Exception:  # no tokenizer.json, layers not the packaged ones: two whole graphs
            return None

    def _runs_graphs(self) -> bool:
        """Whether the network runs as exported graphs: a model loaded from disk, unless
        CLAIMSTANCE_BACKEND=torch."""
        from models.environment import setting

        return self.model_dir is not None and setting("CLAIMSTANCE_BACKEND") != "torch"

    def _onnx_classifier(self) -> Any:
        if self._onnx is None and self._runs_graphs():
            from models.cache import cache_limit
            from models.encoder import OnnxClassifier
            from models.int8 import int8_or_not

            max_length = int(self.config.get("max_length", 128))
            int8 = self._int8()  # a setting that is not one stops here, with its own message
            cache_limit()        # likewise CLAIMSTANCE_CACHE_MB (else PyTorch, the bad setting unsaid)
            try:
                self._onnx = int8_or_not(lambda q: OnnxClassifier(self.model_dir, max_length, int8=q), int8)
            except Exception:  # no tokenizer.json, export failure: PyTorch gives the same logits
                self._onnx = False
        return self._onnx or None

    def export_graphs(self) -> bool:
        """Export (and with int8, quantise) this model's graph and its bootstrap's encoder now, as its
        first prediction would: ``stance train`` calls it so that the first ``stance prelabel`` runs
        at full speed. False when the model runs through PyTorch instead, or hands every claim to the
        bootstrap (``hands_all_on``: its descriptions and examples are embedded now, nothing exported)."""
        if self.hands_all_on():
            self.bootstrap._anchor_embeddings()
            return False
        shared = self._shared()
        if shared is not None:
            # The bootstrap's descriptions and examples embedded and cached now (by the shared graphs,
            # a long one by the whole encoder), as its first pre-label would; and the whole encoder made
            # (once a cache), which embeds the claims longer than the network reads: without it, the
            # first pre-label of the sample's claims (2 of 199 over 64 tokens) quantised it, 14 s.
            self.bootstrap._anchor_embeddings()
            shared.whole_encoder()
            return True
        if self._onnx_classifier() is None:
            return False
        if self.config.get("blend", {}).get("enabled", True):
            self.bootstrap.encoder  # noqa: B018 (loading it is the point)
        return True

    def _int8(self) -> bool:
        """Whether this model runs as static int8 graphs (``models.int8``), its network and the base
        encoder of its bootstrap alike: a model loaded from disk, unless CLAIMSTANCE_INT8=0 or
        CLAIMSTANCE_BACKEND=torch. Measured on dev claims held out from training: the same macro-F1
        as bfloat16, the two MiniLM passes of a pre-label a third faster."""
        from models.int8 import wanted

        return self._runs_graphs() and wanted()

    def _torch_forward(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Logits and mean-pooled unit-length features of the last layer, as ``OnnxClassifier`` gives."""
        import torch

        logits = np.zeros((len(texts), len(self.model_labels)), dtype=np.float32)
        features = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        max_length = int(self.config.get("max_length", 128))
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                idx = order[start:start + batch_size]
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=max_length, return_tensors="pt")
                out = self.model(**enc, output_hidden_states=True)
                logits[idx] = out.logits.float().numpy()
                features[idx] = mean_pool(out.hidden_states[-1], enc["attention_mask"]).float().numpy()
        return logits, features

    def model_proba(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """The fine-tuned network alone: temperature-scaled probabilities over ``model_labels``."""
        logits = self.forward(texts, batch_size)
        return softmax(logits / float(self.config.get("blend", {}).get("temperature", 1.0)))

    def cue_logits(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """The row-wise labellers' evidence (n x model labels): the weight ``stance train`` measured
        for each labeller (``blend.cue_votes``) on the label it votes; zero without cue votes."""
        votes = self.config.get("blend", {}).get("cue_votes") or {}
        known = [self.labels.index(label) for label in self.model_labels]
        if not votes or not rows:
            return np.zeros((len(rows), len(known)))
        from models.labellers import add_votes

        weights = np.array([votes.get(lab.name, {}).get("weight", 0.0) for lab in self.bootstrap.labellers])
        z = add_votes(np.zeros((len(rows), len(self.labels))), self.bootstrap.apply(rows), weights)
        return z[:, known]

    def domain_gate(self, rows: list[dict[str, Any]], features: np.ndarray | None = None) -> np.ndarray:
        """Per claim, how far the fine-tuned model is trusted: 1 in domain, 0 far from it.

        A gate fitted in the network's own feature space (``space: classifier``, the default since
        it costs no second encoder pass) takes ``features`` from ``outputs``; an older gate fitted on
        the base MiniLM's sentence embeddings embeds the rows with the bootstrap's encoder.
        """
        settings = self.config.get("blend", {})
        domain = settings.get("domain")
        # Near-uniform after its temperature: the bootstrap decides, also when no gate was fitted (a
        # scheme with under 10 labels and examples gets none, and the flat network had decided).
        if settings.get("network_flat"):
            return np.zeros(len(rows))
        if not domain:
            return np.ones(len(rows))
        texts = [str(r["text"]) for r in rows]
        if domain.get("space") == "classifier":
            if features is None:
                features = self.outputs(texts)[1]
            p_in = in_domain_probability(features, domain, texts)
        else:
            p_in = in_domain_probability(self.bootstrap.embed(rows), domain, texts)
        g = gate(p_in, float(domain["gate_low"]), float(domain["gate_high"]))
        g = np.where(self.seen_source(rows), 1.0, g)
        return np.where(self.unseen_kind(rows), 0.0, g)

    def seen_source(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """Rows from a source the network was trained on: at least ``seen_sources.min_claims`` of its
        training and validation claims named it (``named_source``). The network learnt that source's own
        claims, so they are in domain by definition, whatever the gate reads; a source's labels are not
        used, only its claim count. None when training found the rule no help on the validation claims
        (``seen_sources.applied``: ``models.blending.seen_sources_decision``)."""
        seen = self.config.get("blend", {}).get("seen_sources") or {}
        least = int(seen.get("min_claims") or 0)
        counts = seen.get("claims") or {}
        if least <= 0 or not counts or not seen.get("applied", True):
            return np.zeros(len(rows), dtype=bool)
        return np.array([int(counts.get(named_source(row) or "", 0)) >= least for row in rows], dtype=bool)

    def unseen_kind(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """Rows the claims step found to state nothing, or to ask (a heading, a byline, "Q:", a
        question), of a kind none of the training claims was: the network never learned them, and
        they go to the bootstrap, which has its own evidence that they are neutral. A row without the
        claims step's reason is read as the bootstrap reads it (``bootstrap.row_reason``): a Russian
        sentence of a text/label file goes to the bootstrap as it does from `stance claims`."""
        from models.bootstrap import NOT_STATEMENTS, row_reason
        from corpus.claimfilter import QUESTION

        seen = set(self.config.get("train_reasons") or ())
        unseen = (NOT_STATEMENTS | {QUESTION}) - seen
        return np.array([row_reason(row) in unseen for row in rows], dtype=bool)

    def hands_all_on(self) -> bool:
        """Whether the network is near-uniform (``blend.network_flat``): the bootstrap then decides every
        claim, and the pre-labels are the plain bootstrap's, probabilities and all."""
        settings = self.config.get("blend", {})
        return bool(settings.get("enabled", True) and settings.get("network_flat"))

    @property
    def bootstrap(self) -> Any:
        """The scheme's bootstrap (built once; it embeds claims with the packaged MiniLM)."""
        if self._bootstrap is None:
            from models.bootstrap import Bootstrap

            if self.hands_all_on():
                # The bootstrap `stance prelabel` runs without --model (float MiniLM): in the int8 graphs
                # its probabilities moved by up to 0.08 at the similarity labeller's temperature 0.03
                # (QA qa22: 0.566 where the bootstrap says 0.490), for a model whose pre-labels are the
                # bootstrap's.
                self._bootstrap = Bootstrap(self.scheme)
                return self._bootstrap
            shared = self._shared()
            encoder = shared.encoder() if shared is not None else None
            self._bootstrap = Bootstrap(self.scheme, encoder=encoder, int8=self._int8())
        return self._bootstrap

    def bootstrap_proba(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """The bootstrap's probabilities (scheme order) for ``rows``."""
        return np.asarray(self.bootstrap.predict_proba(rows), dtype=np.float64)

    def predict_proba(self, rows: list[dict[str, Any]], batch_size: int = 64, blended: bool = True
                      ) -> np.ndarray:
        """Probabilities (n x scheme labels, scheme order, rows sum to 1) for rows with ``text``.

        ``blended=False`` gives the fine-tuned network alone (zero for labels it never saw).
        """
        from models.end_model import RowStore

        with RowStore() as store:
            return self.combine([self.evidence(rows, store, batch_size, blended)], store)

    def evidence(self, rows: list[dict[str, Any]], store: Any, batch_size: int = 64, blended: bool = True
                 ) -> BlendEvidence:
        """What ``predict_proba`` reads of ``rows`` one row at a time: the network's probabilities, the
        gate, and the bootstrap's evidence on the claims the gate hands on (their embeddings and words go
        to ``store``, a ``models.end_model.RowStore``). ``combine`` then blends any number of such parts
        as their rows read at once: the bootstrap's end model is fitted over all of them."""
        texts = [str(r["text"]) for r in rows]
        known = np.array([self.labels.index(label) for label in self.model_labels])
        settings = self.config.get("blend", {})
        temperature = float(settings.get("temperature", 1.0))
        if not blended or not settings.get("enabled", True):
            out = np.zeros((len(rows), len(self.labels)))
            out[:, known] = softmax(self.forward(texts, batch_size) / temperature)
            return BlendEvidence(out)
        if self.hands_all_on():   # the gate is 0 for every claim: the network has no say, and is not run
            boot = self.bootstrap.evidence(rows, store)
            return BlendEvidence(np.full((len(rows), len(known)), 1.0 / len(known)), np.zeros(len(rows)),
                                 np.ones(len(rows), dtype=bool), boot)
        space = (settings.get("domain") or {}).get("space")
        # Over every claim at once: the labellers' matrix is then remembered for the bootstrap below.
        cues = self.cue_logits(rows)
        weight = float(settings.get("bootstrap_weight", 0.0))
        embeddings = None
        if space == "classifier":  # the gate reads the network's features: one pass gives both
            if (shared := self._shared()) is not None:
                # One pass of the shared lower layers: the network's logits and features, then, chunk by
                # chunk, the bootstrap's embeddings of the claims its gate hands on (all of them when the
                # bootstrap keeps a weight in domain).
                def hand_on(idx: np.ndarray, feats: np.ndarray) -> np.ndarray:
                    if weight:
                        return np.ones(len(idx), dtype=bool)
                    return self.domain_gate([rows[i] for i in idx], feats) < 1

                logits, features, embeddings, _ = shared.run(self.prepare(texts), batch_size, need=hand_on)
                logits = self._mean_head(logits, features)
            else:
                logits, features = self.outputs(texts, batch_size)
            g = self.domain_gate(rows, features)
            p_model = softmax(logits / temperature + cues)
        else:
            # The gate first (base embeddings, which the bootstrap needs anyway), then the network only
            # where it has a say: with g = 0 the blend is the bootstrap's exactly.
            g = self.domain_gate(rows)
            p_model = np.full((len(rows), len(known)), 1.0 / len(known))
            run = np.nonzero(g > 0)[0]
            if len(run):
                p_model[run] = softmax(self.forward([texts[i] for i in run], batch_size) / temperature + cues[run])
        # The bootstrap only where it has a say: claims not fully in domain, or every claim when it
        # keeps a weight in domain. With a gate on base embeddings every claim is embedded already.
        need = g < 1 if weight == 0 and space == "classifier" else np.ones(len(rows), dtype=bool)
        boot = None
        if need.any():
            which = np.nonzero(need)[0]
            handed = [rows[i] for i in which]
            boot = self.bootstrap.evidence(handed, store, embeddings=None if embeddings is None else embeddings[which])
        return BlendEvidence(p_model, g, need, boot)

    def combine(self, parts: list[BlendEvidence], store: Any) -> np.ndarray:
        """The probabilities of the rows of ``parts`` (``evidence``), in order."""
        if all(part.gate is None for part in parts):   # the network alone
            return np.vstack([part.p_model for part in parts]) if parts else np.zeros((0, len(self.labels)))
        known = np.array([self.labels.index(label) for label in self.model_labels])
        weight = float(self.config.get("blend", {}).get("bootstrap_weight", 0.0))
        p_model = np.vstack([part.p_model for part in parts])
        g = np.concatenate([part.gate for part in parts])
        need = np.concatenate([part.need for part in parts])
        p_boot = np.full((len(p_model), len(self.labels)), 1.0 / len(self.labels))
        if need.any():
            p_boot[need] = np.asarray(self.bootstrap.combine([part.boot for part in parts if part.boot is not None],
                                                             store), dtype=np.float64)
        return blend(p_model, p_boot, known, g, weight)

    def predict(self, texts: list[str], batch_size: int = 64) -> list[str]:
        """The most probable label id of each text."""
        proba = self.predict_proba([{"text": t} for t in texts], batch_size)
        return [self.labels[i] for i in proba.argmax(axis=1)]
