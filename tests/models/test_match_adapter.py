"""The LoRA query adapter of `stance match`: the wrapper, the shipped weights, the CLI switch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from claimstance.cli import main
from conftest import bag_embed
from models import matching
from models.match_adapter import CARD, WEIGHTS, adapter_state, add_lora


def tiny_bert():
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    return BertModel(config).eval()


def test_lora_with_zero_up_matrices_equals_the_base_model():
    import torch

    model = tiny_bert()
    ids = torch.tensor([[1, 5, 7, 9, 2], [1, 3, 4, 2, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    with torch.no_grad():
        before = model(input_ids=ids, attention_mask=mask).last_hidden_state.clone()
    wrapped = add_lora(model, rank=4, alpha=8.0)
    assert len(wrapped) == 2 * 6  # query, key, value, attention output, intermediate, output per layer
    with torch.no_grad():
        after = model(input_ids=ids, attention_mask=mask).last_hidden_state
    torch.testing.assert_close(after, before, rtol=0, atol=0)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == set(adapter_state(model)) and all(n.endswith((".down", ".up")) for n in trainable)
    with torch.no_grad():  # a non-zero update changes the output
        for name, p in model.named_parameters():
            if name.endswith(".up"):
                p.fill_(0.1)
        changed = model(input_ids=ids, attention_mask=mask).last_hidden_state
    assert not torch.allclose(changed, before)




def write_inputs(tmp_path):
    corpus = tmp_path / "claims.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "text": "Vaccines contain microchips."},
        {"id": "2", "text": "The moon landing was filmed in a studio."}]) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "t1", "text": "lol the moon landing was filmed in a studio"}) + "\n")
    return corpus, queries


@pytest.mark.parametrize("adapter", [True, False])
def test_match_cli_uses_the_adapter_for_queries_only_when_switched_on(tmp_path, monkeypatch, adapter):
    calls: list[list[str]] = []

    def query_side(texts):
        calls.append(list(texts))
        return bag_embed(texts)

    monkeypatch.setattr(matching, "encoder_embed", lambda model, cache, progress: bag_embed)
    monkeypatch.setattr(matching, "adapter_embed", lambda cache, progress=False: query_side)
    corpus, queries = write_inputs(tmp_path)
    config = tmp_path / "c.yaml"
    config.write_text(f"match:\n  adapter: {str(adapter).lower()}\n  cross_encoder: false\n")  # no model load
    out = tmp_path / "out.jsonl"
    assert main(["match", "--corpus", str(corpus), "--queries", str(queries), "--top-k", "2",
                 "--out", str(out), "--config", str(config)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [m["id"] for m in rows[0]["matches"]] == ["2", "1"]
    assert calls == ([["lol the moon landing was filmed in a studio"]] if adapter else [])


def test_missing_adapter_is_one_line(tmp_path):
    from corpus.errors import UserError
    from models.match_adapter import load_adapter

    with pytest.raises(UserError, match="no adapter.safetensors.*match.adapter: false"):
        load_adapter(tmp_path)


@pytest.mark.slow
def test_saved_adapter_loads_and_an_untrained_one_is_the_base_encoder(tmp_path):
    from models.encoder import Encoder
    from models.match_adapter import QueryEncoder, load_adapter

    QueryEncoder(rank=4, alpha=8.0).save(tmp_path, {"trained_on": "nothing (test)"})
    assert (tmp_path / WEIGHTS).stat().st_size <= 2_000_000
    card = json.loads((tmp_path / CARD).read_text())
    assert card["rank"] == 4 and card["trained_on"] == "nothing (test)" and len(card["weights_sha1"]) == 40
    texts = ["The moon landing was filmed in a studio.", "Vaccines contain microchips."]
    loaded = load_adapter(tmp_path)
    assert loaded.rank == 4
    np.testing.assert_allclose(loaded.encode(texts), Encoder(max_length=128).encode(texts), atol=1e-5)
