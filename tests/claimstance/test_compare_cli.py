"""`stance compare` on rows with no stance: a note says why no pair contrasts, and how to get stances."""

from __future__ import annotations

import json

import numpy as np

from claimstance.cli import main
from models import compare as compare_mod


def _embed(texts: list[str]) -> np.ndarray:
    """Stand-in encoder: every text about the same strike, so every pair across documents is close."""
    out = np.ones((len(texts), 2), dtype=np.float32)
    out[:, 1] = [0.01 * (len(t) % 5) for t in texts]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _row(cid: str, doc: str, text: str, **extra: object) -> dict:
    return {"claim_id": cid, "doc_id": doc, "text": text, "is_claim": True, "speaker": "author",
            "context": text, "start": 0, "context_start": 0, "outlet": f"Outlet {doc}", **extra}


def test_compare_of_claims_without_stances_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(compare_mod, "embedder", lambda cache, progress: _embed)
    rows = [_row("a1", "d1", "A missile struck an apartment block in Kharkiv."),
            _row("b1", "d2", "An air defence missile fell on an apartment block in Kharkiv.")]
    claims = tmp_path / "claims.jsonl"
    claims.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["compare", "--in", str(claims), "--out", str(tmp_path / "c")]) == 0
    captured = capsys.readouterr()
    assert "1 pairs (0 with contrasting stances)" in captured.out
    assert captured.err.splitlines()[-1] == (
        f"note: the rows of {claims} carry no stance (no `prediction`), so no pair can contrast: run `stance prelabel "
        f"--in {claims} --out PRELABELED.jsonl` and compare that file, or give --labels from `stance pull`")
    # Pre-labelled rows: no such note.
    pre = tmp_path / "pre.jsonl"
    pre.write_text("".join(json.dumps({**r, "prediction": "neutral", "score": 0.6}) + "\n" for r in rows),
                   encoding="utf-8")
    assert main(["compare", "--in", str(pre), "--out", str(tmp_path / "p")]) == 0
    assert "carry no stance" not in capsys.readouterr().err
