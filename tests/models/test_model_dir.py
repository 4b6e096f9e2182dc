"""The checks of a model directory from `stance train` (models.model_dir)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corpus.errors import UserError
from models.model_dir import check_model_dir


def test_a_model_directory_without_its_tokenizer_is_refused(tmp_path):
    """Without tokenizer.json transformers built an empty vocabulary: every word [UNK], and stance
    prelabel --model wrote confident nonsense (kremlin_framing 152 of the sample's 199 claims, not 49)."""
    from safetensors.numpy import save_file

    labels = ["kremlin_framing", "independent_reporting"]
    (tmp_path / "claimstance.json").write_text(json.dumps({"labels": labels, "scheme": "kremlin_framing"}))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "id2label": {"0": labels[0], "1": labels[1]}}))
    save_file({"w": np.zeros((2, 2), dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(UserError, match=r": no tokenizer.json; the model directory is incomplete, copy it again or "
                                        r"retrain it$"):
        check_model_dir(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    assert check_model_dir(tmp_path)["labels"] == labels
