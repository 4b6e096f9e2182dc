"""The lower layers run once for a fine-tuned model and its bootstrap's sentence encoder.

A model trained with ``freeze_layers`` k (``models.finetune.TrainSettings``, 2 by default) keeps the
packaged MiniLM's embeddings and first k layers as they were, so on the same token ids the network and
the bootstrap's encoder compute the same hidden states up to layer k. A blended pre-label then runs
two graphs instead of two whole MiniLMs:

- the classifier, which also returns its hidden states after layer k (``export_onnx(trunk=k)``);
- the encoder head: the packaged MiniLM's layers after k, mean-pooled and normalised, which turns
  those hidden states into the bootstrap's sentence embeddings. It runs only on the claims the blend
  hands to the bootstrap, chunk by chunk, so only a chunk's hidden states are held at a time.

The classifier reads at most the model's ``max_length`` tokens, the encoder up to 256: a claim longer
than either has different hidden states in the two and is embedded by the whole encoder instead.
With int8 (``models.int8``) both graphs are quantised, the head on the hidden states the quantised
classifier gives for the calibration sentences. The bootstrap's descriptions and examples are embedded
by the same two graphs, so claims and anchors are measured alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.base_model import MAX_LENGTH, base_model_dir
from models.cache import fit_bound, model_folder
from models.onnx_graphs import _session, _tokenizer, export_graph, export_onnx, mean_pool, padded, tokenise

# Tokens whose hidden states are held at once (192 MB): about 6,000 short claims, 2,048 of 64 tokens.
# A chunk ends with the classifier's batches all done before the head starts: on 8,000 short claims,
# 1,024-claim chunks took 0.7 s longer than 4,096.
CHUNK_TOKENS = 1 << 17


def frozen_layers(config: dict[str, Any]) -> int:
    """The k of a model trained with its embeddings and first k layers frozen; 0 when it was not, or
    when it sees texts other than the encoder's (spelling normalised)."""
    if config.get("normalise_spelling"):
        return 0
    return int((config.get("settings") or {}).get("freeze_layers") or 0)


def same_lower_layers(model_dir: Path, k: int) -> bool:
    """Whether the model's embeddings and first ``k`` layers equal the packaged MiniLM's, bit for bit."""
    from safetensors import safe_open

    base = base_model_dir() / "model.safetensors"
    with safe_open(str(model_dir / "model.safetensors"), "np") as tuned, safe_open(str(base), "np") as packaged:
        prefixes = ("embeddings.", *(f"encoder.layer.{i}." for i in range(k)))
        names = [name for name in packaged.keys() if name.startswith(prefixes) and "position_ids" not in name]
        tuned_names = set(tuned.keys())
        for name in names:
            own = next((p + name for p in ("bert.", "") if p + name in tuned_names), None)
            if own is None or not np.array_equal(tuned.get_tensor(own), packaged.get_tensor(name)):
                return False
    return bool(names)


def export_encoder_head(path: Path, k: int) -> Path:
    """The packaged MiniLM's layers after ``k`` as an ONNX graph: inputs ``hidden`` (its hidden states
    after layer k) and ``attention_mask``, output ``embedding`` (mean-pooled, unit length)."""
    import torch
    from transformers import AutoModel

    from models.base_model import quiet_transformers

    quiet_transformers()
    model = AutoModel.from_pretrained(base_model_dir(), attn_implementation="eager").eval()

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(model.encoder.layer[k:])

        def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            additive = (1.0 - attention_mask.to(hidden.dtype)[:, None, None, :]) * torch.finfo(hidden.dtype).min
            for layer in self.layers:
                hidden = layer(hidden, additive)
                if isinstance(hidden, tuple):
                    hidden = hidden[0]
            return mean_pool(hidden, attention_mask)

    hidden = torch.randn(2, 4, model.config.hidden_size)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    return export_graph(Head(), (hidden, mask), path, ["hidden", "attention_mask"], ["embedding"],
                        {"hidden": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                         "embedding": {0: "batch"}})


# Each batch's hidden states (a few MB) pass between numpy and the runtime's threads. Under glibc's
# sliding mmap threshold, which rises to the largest block freed, they were soon carved from the
# threads' arenas and left them fragmented: stance prelabel --model on 40,000 claims peaked at 1.96 GB
# against 1.36 GB for the two whole graphs; with blocks of a MiB or more mapped (and given back when
# freed), 1.25 GB, the same bytes written.
MMAP_THRESHOLD = 1 << 20


def fix_mmap_threshold() -> None:
    """Blocks of ``MMAP_THRESHOLD`` bytes or more are mapped and given back to the system when freed
    (glibc's ``mallopt``; nothing elsewhere, or when the user set MALLOC_MMAP_THRESHOLD_)."""
    import ctypes

    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library with mallopt (macOS)
        return
    mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD


class NotShared(ValueError):
    """The model's embeddings or first k layers are not the packaged MiniLM's: it runs its two whole graphs."""


def exported_graphs(model_dir: Path, k: int) -> tuple[Path, Path]:
    """The classifier graph with its hidden states after layer ``k`` and the encoder head, exported into
    the graphs' cache on first use; ``NotShared`` for a model whose lower layers were altered."""
    folder = model_folder(model_dir)
    classifier = folder / f"classifier-trunk{k}.onnx"
    head = folder / f"encoder-head{k}.onnx"
    if not classifier.exists() or not head.exists():
        if not same_lower_layers(model_dir, k):
            raise NotShared(f"{model_dir}: its lower {k} layers are not the packaged MiniLM's")
        if not classifier.exists():
            export_onnx(model_dir, classifier, head="classifier", trunk=k)
        if not head.exists():
            export_encoder_head(head, k)
        fit_bound()   # the graphs just made count in the cache's bound
    return classifier, head


class SharedGraphs:
    """A fine-tuned model's classifier and its bootstrap's encoder head over the shared lower layers."""

    def __init__(self, model_dir: Path, max_length: int, k: int, int8: bool = False) -> None:
        fix_mmap_threshold()
        self.model_dir = Path(model_dir)
        self.max_length = max_length
        self.k = k
        self.int8 = int8
        # The longer of the encoder's reach and the classifier's: each cut to its own below.
        self.tokenizer = _tokenizer(self.model_dir, max(MAX_LENGTH, max_length))
        classifier, head = exported_graphs(self.model_dir, k)
        calibration = _tokenizer(self.model_dir, max_length)
        if int8:
            from models.int8 import int8_session

            self.classifier_path, self.classifier = int8_session(classifier, calibration, "classifier")
            self.head_path, self.head = int8_session(head, calibration, "sentence encoder head",
                                                     feeds=self._head_feeds)
        else:
            self.classifier_path, self.classifier = classifier, _session(classifier)
            self.head_path, self.head = head, _session(head)
        self.widths = self.classifier.output_widths()[:2]
        self._whole_encoder: Any = None

    def _head_feeds(self, batches: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
        """The encoder head's calibration batches: the classifier's hidden states for ``batches``."""
        hidden: dict[int, np.ndarray] = {}
        self.classifier.run_all(enumerate(batches), lambda key, outs: hidden.__setitem__(key, np.array(outs[2])))
        return [{"hidden": hidden[i], "attention_mask": batch["attention_mask"]} for i, batch in enumerate(batches)]

    def whole_encoder(self) -> Any:
        """The bootstrap's encoder as one graph, for claims longer than the classifier reads."""
        if self._whole_encoder is None:
            from models.encoder import load_encoder

            self._whole_encoder = load_encoder(int8=self.int8)
        return self._whole_encoder

    def run(self, texts: list[str], batch_size: int = 64,
            need: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None, progress: bool = False
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Logits, features and sentence embeddings of ``texts``, and which rows have embeddings.

        ``need(rows, features)`` says, chunk by chunk, which of those rows (indices into ``texts``) want a
        sentence embedding; None: every row, False-returning: none (the classifier alone).
        """
        n = len(texts)
        logits = np.zeros((n, self.widths[0]), dtype=np.float32)
        features = np.zeros((n, self.widths[1]), dtype=np.float32)
        embeddings = np.zeros((n, features.shape[1]), dtype=np.float32)
        wanted = np.zeros(n, dtype=bool)
        if not n:
            return logits, features, embeddings, wanted
        flat, lengths, ends = tokenise(self.tokenizer, texts)
        m = self.max_length
        # Embedded by the whole encoder: longer than the classifier reads, or than the encoder does (a
        # model trained with max_length over 256, whose classifier reads more).
        long = lengths > min(m, MAX_LENGTH)
        order = np.argsort(np.minimum(lengths, m), kind="stable")

        def ids(i: int) -> np.ndarray:
            row = flat[ends[i] - lengths[i]:ends[i]]
            return row if lengths[i] <= m else np.concatenate([row[:m - 1], row[-1:]])  # as truncation at m

        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=n, desc="embedding", unit="claim", leave=False, disable=None)
        headed = np.zeros(n, dtype=bool)   # the rows the head embeds (longer ones: the whole encoder)
        cut = np.minimum(lengths, m)[order]
        # Chunk boundaries in sorted order every CHUNK_TOKENS tokens (at least one claim a chunk).
        bounds = np.unique(np.searchsorted(np.cumsum(cut), np.arange(CHUNK_TOKENS, cut.sum(), CHUNK_TOKENS)))
        for first, last in zip([0, *bounds.tolist()], [*bounds.tolist(), n]):
            chunk = order[first:last]
            if not len(chunk):
                continue
            batches = [chunk[s:s + batch_size] for s in range(0, len(chunk), batch_size)]
            hidden: dict[int, np.ndarray] = {}

            def feeds() -> Any:
                for b, idx in enumerate(batches):
                    yield b, padded([ids(i) for i in idx])

            def sink(b: int, outs: list[np.ndarray]) -> None:
                idx = batches[b]
                logits[idx], features[idx] = outs[0], outs[1]
                hidden[b] = np.array(outs[2])
                if bar is not None:
                    bar.update(len(idx))

            self.classifier.run_all(feeds(), sink)
            asked = np.ones(len(chunk), dtype=bool) if need is None else np.asarray(need(chunk, features[chunk]), bool)
            wanted[chunk] = asked
            if not asked.any():
                continue
            headed[chunk[asked & ~long[chunk]]] = True

            def head_feeds() -> Any:
                for b, idx in enumerate(batches):
                    keep = np.nonzero(headed[idx])[0]
                    if not len(keep):
                        continue
                    width = int(lengths[idx[keep]].max())
                    mask = (np.arange(width)[None, :] < lengths[idx[keep]][:, None]).astype(np.int64)
                    yield idx[keep], {"hidden": np.ascontiguousarray(hidden[b][keep, :width]), "attention_mask": mask}

            def head_sink(idx: np.ndarray, outs: list[np.ndarray]) -> None:
                embeddings[idx] = outs[0]

            self.head.run_all(head_feeds(), head_sink)
        if bar is not None:
            bar.close()
        rest = np.nonzero(wanted & long)[0]
        if len(rest):
            embeddings[rest] = self.whole_encoder().encode([texts[i] for i in rest], batch_size)
        return logits, features, embeddings, wanted

    def encoder(self) -> SharedEncoder:
        """These graphs as the bootstrap's sentence encoder."""
        return SharedEncoder(self)


class SharedEncoder:
    """``encode`` as ``OnnxEncoder`` gives it, through the shared graphs: what the bootstrap of a model
    with shared layers embeds its descriptions and examples with. ``onnx_path`` keys their cache."""

    def __init__(self, graphs: SharedGraphs) -> None:
        self.graphs = graphs
        self.onnx_path = graphs.head_path
        self.dim = graphs.widths[1]

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self.graphs.run(list(texts), batch_size, None, progress)[2]

