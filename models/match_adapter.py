"""An asymmetric query encoder for claim matching: the packaged MiniLM plus small LoRA adapters.

The corpus side stays the frozen MiniLM (its embeddings are cached by content hash and shared with
`stance compare`); only queries go through the adapted encoder. The adapters are low-rank updates
``W x + (alpha / r) * B A x`` of the attention (query, key, value, output) and feed-forward linear
layers of every BERT layer; B starts at zero, so an untrained adapter is the base model exactly.

Training (``train_adapter``) pulls each tweet's embedding towards the frozen embedding of its
fact-checked claim with a contrastive loss over the whole claim set at temperature 0.05: the corpus
is frozen, so every claim is a negative at the cost of one (batch x claims) product, which covers
in-batch and hard negatives at once; optionally inside the fused score (BM25 and the raw query's
cosine as fixed offsets), so the adapter learns what they miss.

Measured (``benchmarks/train_match_adapter.py --folds 3``, CLEF 2020 CheckThat! task 2 dev tweets,
adapter trained on 2/3, MAP@5 on the held-out third): the adapter does not help. Adapter alone 0.820
vs plain MiniLM 0.816; adapter + the match fusion 0.867 vs the fusion without it 0.872 (rank 8,
3 epochs, lr 1.5e-3; lr 5e-4 and 3e-4 were no better on the folds tried). So no weights ship and
``match.adapter`` is off; ``--folds 0`` trains an adapter into ``models/match_adapter/`` for anyone
who wants to try one on their own queries.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ADAPTER_DIR = Path(__file__).resolve().parent / "match_adapter"
WEIGHTS = "adapter.safetensors"
CARD = "adapter.json"
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")


def _torch() -> Any:
    import torch

    return torch


def lora_linear_class() -> type:
    """The LoRA wrapper class (built lazily so that importing this module does not import torch)."""
    torch = _torch()

    class LoraLinear(torch.nn.Module):
        """``base(x) + scale * up(down(x))`` with the base frozen; ``up`` starts at zero."""

        def __init__(self, base: Any, rank: int, alpha: float) -> None:
            super().__init__()
            self.base = base
            for p in self.base.parameters():
                p.requires_grad_(False)
            self.rank, self.scale = rank, alpha / rank
            self.down = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.up = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            torch.nn.init.kaiming_uniform_(self.down, a=math.sqrt(5))

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.down.T @ self.up.T) * self.scale

    return LoraLinear


def add_lora(model: Any, rank: int = 8, alpha: float = 16.0, targets: Sequence[str] = TARGETS) -> list[str]:
    """Wrap the target nn.Linear layers of a BERT model in place; freeze everything else.

    Returns the names of the wrapped layers. Only the adapters' ``down``/``up`` matrices train.
    """
    torch = _torch()
    lora = lora_linear_class()
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for target in targets:
            if not name.endswith(target) or not isinstance(module, torch.nn.Linear):
                continue
            if target == "output.dense" and "attention" in name:
                continue  # "attention.output.dense" is its own target
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, lora(module, rank, alpha))
            wrapped.append(name)
    if not wrapped:
        raise ValueError("no target linear layers found; is this a BERT-style model?")
    return wrapped


def merge_lora(model: Any) -> Any:
    """Replace each LoRA wrapper of ``model`` by its base layer with ``scale * up @ down`` added to
    its weight, in place: the same outputs (to float rounding) at the cost of a plain layer. For
    prediction only: the adapters are gone afterwards."""
    torch = _torch()
    for name, module in list(model.named_modules()):
        if isinstance(module, torch.nn.Module) and hasattr(module, "down") and hasattr(module, "base"):
            with torch.no_grad():
                module.base.weight += module.scale * (module.up @ module.down)
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, module.base)
    return model


def adapter_state(model: Any) -> dict[str, Any]:
    """Only the adapter matrices, as a name -> tensor dict."""
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()
            if k.endswith(".down") or k.endswith(".up")}


class QueryEncoder:
    """The packaged MiniLM with LoRA adapters: mean-pooled, unit-length embeddings, like ``Encoder``."""

    def __init__(self, rank: int = 8, alpha: float = 16.0, max_length: int = 128,
                 state: dict[str, Any] | None = None, targets: Sequence[str] = TARGETS) -> None:
        from transformers import AutoModel, AutoTokenizer
        from models.base_model import base_model_dir, quiet_transformers, set_threads

        quiet_transformers()
        model_dir = base_model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModel.from_pretrained(model_dir)
        self.rank, self.alpha, self.max_length, self.targets = rank, alpha, max_length, tuple(targets)
        add_lora(self.model, rank, alpha, targets)
        if state is not None:
            missing = set(adapter_state(self.model)) ^ set(state)
            if missing:
                raise UserError(f"adapter weights do not fit the model (e.g. {sorted(missing)[0]}); "
                                "retrain with benchmarks/train_match_adapter.py")
            self.model.load_state_dict(state, strict=False)
        self.model.eval()
        self.runtime = "torch"   # what makes its vectors (``models.embedding_cache`` keeps them apart by it)
        set_threads()

    def forward(self, texts: Sequence[str]) -> Any:
        """Unit-length embeddings as a torch tensor (with gradients when the model is training)."""
        torch = _torch()
        enc = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                             return_tensors="pt")
        hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts``: float32 (len(texts), 384), unit rows, in input order."""
        torch = _torch()
        out = np.zeros((len(texts), int(self.model.config.hidden_size)), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding queries", unit="batch", leave=False)
        self.model.eval()
        with torch.inference_mode():
            for s in starts:
                idx = order[s:s + batch_size]
                out[idx] = self.forward([texts[i] for i in idx]).numpy()
        return out

    def save(self, directory: str | Path, card: dict[str, Any]) -> Path:
        """Write ``adapter.safetensors`` (float16) and ``adapter.json`` into ``directory``."""
        from safetensors.torch import save_file

        from corpus.files import atomic_write

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.half() for k, v in adapter_state(self.model).items()}
        tmp = directory / (WEIGHTS + ".tmp")
        save_file(state, str(tmp))
        os.replace(tmp, directory / WEIGHTS)
        card = {**card, "rank": self.rank, "alpha": self.alpha, "max_length": self.max_length,
                "targets": list(self.targets), "weights_sha1": _sha1(directory / WEIGHTS)}
        with atomic_write(directory / CARD) as handle:
            handle.write(json.dumps(card, indent=2) + "\n")
        return directory / WEIGHTS


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def load_adapter(directory: str | Path | None = None) -> QueryEncoder:
    """The query encoder with the adapter in ``directory`` (default: the shipped one)."""
    from safetensors.torch import load_file

    directory = Path(directory) if directory else ADAPTER_DIR
    weights, card_path = directory / WEIGHTS, directory / CARD
    if not weights.exists() or not card_path.exists():
        raise UserError(f"{directory}: no {WEIGHTS} and {CARD}; set match.adapter: false in the "
                        "config or train one with benchmarks/train_match_adapter.py")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    state = {k: v.float() for k, v in load_file(str(weights)).items()}
    return QueryEncoder(rank=int(card["rank"]), alpha=float(card["alpha"]),
                        max_length=int(card["max_length"]), state=state, targets=card["targets"])


def adapter_id(directory: str | Path | None = None) -> str:
    """A short name for the adapter's embeddings in the cache (changes when the weights change)."""
    directory = Path(directory) if directory else ADAPTER_DIR
    return "minilm-query-adapter-" + _sha1(directory / WEIGHTS)[:10]


class Steps:
    """AdamW with a linear warm-up over ``warmup`` steps and a linear decay to 0 at ``total``; one
    call per batch (backward pass, step, schedule) and a progress bar showing the loss."""

    def __init__(self, params: Any, lr: float, total: int, warmup: int, desc: str, progress: bool,
                 weight_decay: float = 0.0) -> None:
        torch = _torch()
        self.optim = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.optim, lambda s: min(1.0, (s + 1) / max(1, warmup)) * max(0.0, 1 - s / total))
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="step", leave=False)

    def __call__(self, loss: Any) -> None:
        self.optim.zero_grad()
        loss.backward()
        self.optim.step()
        self.sched.step()
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss.item():.3f}")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def train_adapter(texts: Sequence[str], positives: Sequence[Sequence[int]], corpus: np.ndarray, *,
                  rank: int = 8, alpha: float = 16.0, epochs: int = 3, batch_size: int = 32,
                  lr: float = 1.5e-3, temperature: float = 0.05, max_length: int = 128,
                  seed: int = 13, offsets: np.ndarray | None = None, dense_share: float = 1.0,
                  progress: bool = True) -> QueryEncoder:
    """Fit LoRA adapters so that each query text lands near its positive corpus rows.

    ``positives[i]``: indices into ``corpus`` (frozen unit vectors, n x 384) relevant to ``texts[i]``.
    Loss per query: -log of the softmax mass on its positives among all corpus rows, at ``temperature``.
    ``offsets`` (queries x corpus, optional): fixed scores added to ``dense_share`` x the adapted cosine,
    so that the adapter learns what the other signals of the fused score (BM25, the raw query's
    cosine) miss rather than what they already get right.
    """
    torch = _torch()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    enc = QueryEncoder(rank=rank, alpha=alpha, max_length=max_length)
    keep = [i for i, p in enumerate(positives) if len(p)]
    if not keep:
        raise ValueError("no query has a positive corpus row")
    corpus_t = torch.from_numpy(np.ascontiguousarray(corpus, dtype=np.float32))
    params = [p for p in enc.model.parameters() if p.requires_grad]
    steps = epochs * math.ceil(len(keep) / batch_size)
    step = Steps(params, lr, steps, steps // 10, "training adapter", progress)
    enc.model.train()
    for _ in range(epochs):
        order = rng.permutation(keep)
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            q = enc.forward([texts[i] for i in idx])
            logits = dense_share * (q @ corpus_t.T)
            if offsets is not None:
                logits = logits + torch.from_numpy(np.ascontiguousarray(offsets[idx], dtype=np.float32))
            logits = logits / temperature
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for row, i in enumerate(idx):
                mask[row, list(positives[i])] = True
            loss = (torch.logsumexp(logits, dim=1)
                    - torch.logsumexp(logits.masked_fill(~mask, -math.inf), dim=1)).mean()
            step(loss)
    step.close()
    enc.model.eval()
    return enc
