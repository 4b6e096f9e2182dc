"""Pre-labels: fields kept and added, the CLI's file edge, the trained-model path, the encoders."""

from __future__ import annotations

import json

import numpy as np
import pytest

import models.base_model
import models.encoder
import models.onnx_graphs
from claimstance.cli import main
from corpus.errors import UserError
from models.prelabel import attach, prelabel
from models.schemes import load_scheme


@pytest.fixture
def stand_in_encoder(monkeypatch, bag_encoder):
    monkeypatch.setattr(models.encoder, "load_encoder", lambda *a, **k: bag_encoder)


ROWS = [
    {"claim_id": "a", "text": "The Kiev regime staged a provocation, Western media repeat it.", "speaker": "author"},
    {"claim_id": "b", "text": "Russian forces occupied the town, according to officials in Kyiv.", "speaker": "quoted"},
    {"claim_id": "c", "text": "The meeting is scheduled for Monday."},
]


def test_attach_adds_the_four_fields_and_keeps_the_rest():
    rows = attach([{"text": "x", "extra": 1}], np.array([[0.2, 0.6, 0.2]]), ["k", "i", "n"], "v1")
    assert rows == [{"text": "x", "extra": 1, "prediction": "i", "score": pytest.approx(0.6),
                     "probs": {"k": pytest.approx(0.2), "i": pytest.approx(0.6), "n": pytest.approx(0.2)},
                     "model_version": "v1"}]


def test_prelabel_with_the_bootstrap(stand_in_encoder):
    scheme = load_scheme("kremlin_framing")
    out = prelabel(ROWS, scheme)
    assert [r["claim_id"] for r in out] == ["a", "b", "c"]
    assert out[1]["speaker"] == "quoted"
    assert out[0]["prediction"] == "kremlin_framing"
    assert out[1]["prediction"] == "independent_reporting"
    for row in out:
        assert sum(row["probs"].values()) == pytest.approx(1.0)
        assert list(row["probs"]) == scheme.label_ids
        assert row["score"] == row["probs"][row["prediction"]]
        assert row["model_version"] == f"bootstrap-{scheme.version}"
    with pytest.raises(UserError, match="row 2: no `text` string"):
        prelabel([{"text": "ok"}, {"title": "no text"}], scheme)


def test_prelabel_with_a_trained_model_calls_the_classifier(monkeypatch, tmp_path, capsys):
    from models import classifier, model_dir

    class Fake:
        labels = ["kremlin_framing", "independent_reporting", "neutral"]
        version = "minilm-test-1"

        def predict_proba(self, rows, batch_size=64):
            return np.tile([0.1, 0.7, 0.2], (len(rows), 1))

    seen = {}

    def from_pretrained(model_dir, scheme=None):
        seen["dir"], seen["scheme"] = str(model_dir), scheme.name if scheme else None
        return Fake()

    monkeypatch.setattr(classifier.StanceClassifier, "from_pretrained", staticmethod(from_pretrained))
    out = prelabel(ROWS[:1], load_scheme("kremlin_framing"), model_dir=tmp_path)
    assert seen == {"dir": str(tmp_path), "scheme": "kremlin_framing"}
    assert out[0]["prediction"] == "independent_reporting" and out[0]["model_version"] == "minilm-test-1"
    with pytest.raises(UserError, match="no such model directory"):
        prelabel(ROWS[:1], load_scheme("kremlin_framing"), model_dir=tmp_path / "absent")
    (tmp_path / "claims.txt").write_text("x")
    with pytest.raises(UserError, match="claims.txt: a file, not a model directory"):
        prelabel(ROWS[:1], load_scheme("kremlin_framing"), model_dir=tmp_path / "claims.txt")
    # No --scheme with --model: the model's own scheme (the classifier loads the one it was trained with).
    inp = tmp_path / "claims.jsonl"
    inp.write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    (tmp_path / "claimstance.json").write_text(json.dumps({"notes": ["only 5 validation claims (fewer than 30): ..."]}))
    assert main(["prelabel", "--in", str(inp), "--out", str(tmp_path / "o.jsonl"), "--model", str(tmp_path)]) == 0
    assert seen == {"dir": str(tmp_path), "scheme": None}
    # What `stance train` warned about the model is said again where its pre-labels are made.
    assert ("note: model minilm-test-1, from `stance train`: only 5 validation claims (fewer than 30): ...\n"
            in capsys.readouterr().err)
    (tmp_path / "claimstance.json").write_text(json.dumps({"scheme": "mine", "scheme_path": "/x/mine.yaml"}))
    assert model_dir.model_scheme(tmp_path) == "/x/mine.yaml" and model_dir.model_scheme(tmp_path / "no") is None
    assert model_dir.model_notes(tmp_path) == [] and model_dir.model_notes(tmp_path / "no") == []
    (tmp_path / "claimstance.json").write_text(json.dumps({"notes": ["only 5 validation claims"]}))
    assert model_dir.model_notes(tmp_path) == ["only 5 validation claims"]
    # A model fitted with an earlier version of its scheme says so, with what to do.
    Fake.scheme = load_scheme("kremlin_framing")
    (tmp_path / "claimstance.json").write_text(json.dumps({"scheme": "kremlin_framing", "scheme_version": "0123456789"}))
    assert main(["prelabel", "--in", str(inp), "--out", str(tmp_path / "o.jsonl"), "--model", str(tmp_path)]) == 0
    assert (f"note: model minilm-test-1: fitted with scheme 'kremlin_framing' as it was then (version 0123456789), "
            f"which has changed since (now {Fake.scheme.version}): the blend's cue votes" in capsys.readouterr().err)
    # The rows record the scheme as it is now, which they were made with: a push of them says nothing changed.
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(r["scheme"], r["scheme_version"], r["scheme_source"]) for r in rows} == {
        ("kremlin_framing", Fake.scheme.version, "kremlin_framing")}
    (tmp_path / "claimstance.json").write_text(json.dumps({"scheme": "kremlin_framing", "scheme_version": Fake.scheme.version}))
    assert model_dir.scheme_change_note(tmp_path, Fake.scheme) is None
    (tmp_path / "claimstance.json").write_text(json.dumps({"scheme": "mine", "scheme_version": "0123456789"}))
    assert model_dir.scheme_change_note(tmp_path, Fake.scheme) is None   # another scheme: not "changed since"


def test_cli_prelabel_writes_rows_prints_distribution_and_table(stand_in_encoder, tmp_path, capsys):
    inp, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["claim_id"] for r in rows] == ["a", "b", "c"]
    captured = capsys.readouterr()
    printed = captured.out
    assert "kiev_spelling" in printed and "coverage" in printed
    assert [r["prediction"] for r in rows[:2]] == ["kremlin_framing", "independent_reporting"]
    counts = {label: sum(r["prediction"] == label for r in rows)
              for label in ("kremlin_framing", "independent_reporting", "neutral")}
    assert "predictions: " + ", ".join(f"{k} {v}" for k, v in counts.items()) in printed
    assert "3 claims pre-labelled by bootstrap-" in printed and str(out) in printed
    assert "source type" not in captured.err   # these rows name none
    # A source type the scheme does not know votes for nothing: said, with the value it likely meant.
    inp.write_text("".join(json.dumps({**r, "source_type": "state_meda"}) + "\n" for r in ROWS), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
    assert "note: source type state_meda matches none of the source_types of scheme 'kremlin_framing'" in (
        err := capsys.readouterr().err) and "('state_meda': did you mean 'state_media'?)" in err
    # A documents file given as claims: pre-labelled all the same, with a note saying what it looks like.
    inp.write_text(json.dumps({"text": "Officials said the talks failed. " * 200}) + "\n", encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
    assert "note: 1 row(s) of" in capsys.readouterr().err


def test_cli_prelabel_of_a_workspace_run_names_the_scheme_its_project_uses(stand_in_encoder, tmp_path, capsys):
    run = tmp_path / "ws" / "run"
    run.mkdir(parents=True)
    inp, out = run / "claims.jsonl", tmp_path / "out.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    (run / "state.json").write_text(json.dumps({"project": "sanctions coverage"}), encoding="utf-8")
    yaml_path = tmp_path / "my schemes" / "sanctions.yaml"
    records = {"sanctions coverage": {"name": "sanctions_stance", "labels": ["favor", "against", "none"],
                                      "version": "0123456789", "source": str(yaml_path)}}
    (tmp_path / "ws" / "schemes.json").write_text(json.dumps(records), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert ("warning: this workspace's project 'sanctions coverage' uses the scheme 'sanctions_stance', and these "
            "pre-labels use 'kremlin_framing' (the default); pre-label again with --scheme "
            f"'{yaml_path}'") in err
    # The project's scheme given, or the default one pushed: nothing to say.
    assert main(["prelabel", "--in", str(inp), "--out", str(out), "--scheme", "kremlin_framing"]) == 0
    assert "warning" not in capsys.readouterr().err
    records["sanctions coverage"]["name"] = "kremlin_framing"
    (tmp_path / "ws" / "schemes.json").write_text(json.dumps(records), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err
    # An unreadable schemes.json is the push's business, not a failed pre-label.
    (tmp_path / "ws" / "schemes.json").write_text("{not json", encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0


def test_cli_prelabel_bad_input_is_one_line_and_writes_nothing(stand_in_encoder, tmp_path, capsys):
    inp, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    inp.write_text('{"text": "fine"}\n{"id": 2}\n', encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 2
    assert "claims.jsonl: row 2 has no `text` string" in capsys.readouterr().err
    assert not out.exists()
    assert main(["prelabel", "--in", str(tmp_path / "none.jsonl"), "--out", str(out)]) == 2
    assert "none.jsonl: no such file" in capsys.readouterr().err
    inp.write_text('{"text": "fine"}\n', encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out), "--scheme", "nope"]) == 2
    assert "unknown scheme 'nope'" in capsys.readouterr().err
    assert not out.exists()
    out.write_text("earlier output\n", encoding="utf-8")
    inp.write_text("", encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 2
    assert "claims.jsonl: no claim rows; make them with `stance claims" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "earlier output\n"   # an empty input wipes nothing


@pytest.mark.slow
def test_onnx_encoder_matches_pytorch(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path))
    texts = ["Kyiv says talks will resume.", "The Kiev regime shelled Donetsk again, the mayor said.", "Hi"]
    onnx = models.encoder.OnnxEncoder()
    assert onnx.onnx_path.is_relative_to(tmp_path) and onnx.onnx_path.exists()
    a = onnx.encode(texts, batch_size=2)
    b = models.encoder.Encoder().encode(texts)
    assert a.shape == (3, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.9999
    assert onnx.encode([]).shape == (0, 384)
    for runtime, precision in (("onnxruntime", "auto"), ("openvino", "f32")):
        monkeypatch.setenv("CLAIMSTANCE_RUNTIME", runtime)
        monkeypatch.setenv("CLAIMSTANCE_PRECISION", precision)
        exact = models.encoder.OnnxEncoder().encode(texts)
        np.testing.assert_allclose(exact, b, atol=1e-5)


def test_runtime_and_precision_settings_are_checked(monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "tensorrt")
    with pytest.raises(UserError, match="CLAIMSTANCE_RUNTIME='tensorrt' is not a runtime; use auto"):
        models.onnx_graphs.runtime()
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "onnxruntime")
    assert models.onnx_graphs.runtime_tag() == "onnxruntime"
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "openvino")
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f16")
    with pytest.raises(UserError, match="CLAIMSTANCE_PRECISION='f16' is not a precision"):
        models.onnx_graphs.precision()
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f32")
    assert models.onnx_graphs.runtime_tag() == "openvino-f32"


@pytest.mark.slow
def test_onnx_classifier_matches_pytorch_logits(tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "cache"))
    base = models.base_model.base_model_dir()
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3).eval()
    model.save_pretrained(tmp_path / "clf")
    AutoTokenizer.from_pretrained(base).save_pretrained(tmp_path / "clf")
    texts = ["Kyiv says talks will resume.", "The Kiev regime shelled Donetsk again.", "Hi"]
    monkeypatch.setenv("CLAIMSTANCE_PRECISION", "f32")
    logits, features = models.encoder.OnnxClassifier(tmp_path / "clf").forward(texts, batch_size=2)
    enc = AutoTokenizer.from_pretrained(base)(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        expected = model(**enc).logits.numpy()
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "onnxruntime")
    ort_logits = models.encoder.OnnxClassifier(tmp_path / "clf").forward(texts, batch_size=2)[0]
    np.testing.assert_allclose(ort_logits, expected, atol=1e-4)
    assert features.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-5)


def _token_count_graph(path):
    """A tiny exported graph: each row's output is its number of real tokens."""
    import onnx
    from onnx import TensorProto, helper

    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["mask", "axes"], ["embedding"], keepdims=1)]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask")]
    output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 1])
    graph = helper.make_graph(nodes, "count", inputs, [output], initializer=[axes])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("runtime", ["openvino", "onnxruntime"])
def test_batches_come_back_in_input_order_under_either_runtime(tmp_path, monkeypatch, runtime):
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", runtime)
    session = models.onnx_graphs._session(_token_count_graph(tmp_path / "count.onnx"))
    assert session.output_widths() == [1]
    tokenizer = models.onnx_graphs._tokenizer(models.base_model.base_model_dir(), 256)
    texts = [" ".join(["word"] * n) for n in (7, 1, 30, 3, 3, 12, 0, 5)] * 5  # 40 texts, 10 batches of 4
    (counts,) = models.onnx_graphs.run_batches(session, tokenizer, texts, [1], batch_size=4)
    expected = [len(tokenizer.encode(t).ids) for t in texts]  # [CLS] and [SEP] included
    assert counts[:, 0].tolist() == expected


def _ids_graph(path):
    """A tiny exported graph: each row's number of real tokens and the sum of their ids."""
    import onnx
    from onnx import TensorProto, helper

    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["mask", "axes"], ["count"], keepdims=1),
             helper.make_node("Mul", ["input_ids", "attention_mask"], ["kept"]),
             helper.make_node("Cast", ["kept"], ["kept_float"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["kept_float", "axes"], ["ids"], keepdims=1)]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask")]
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 1]) for name in ("count", "ids")]
    graph = helper.make_graph(nodes, "ids", inputs, outputs, initializer=[axes])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("runtime", ["openvino", "onnxruntime"])
def test_a_long_input_runs_in_chunks_as_the_same_batches(tmp_path, monkeypatch, runtime):
    """Tokenised a few texts at a time and run a few batches to a call (what keeps the memory of a
    large input flat): the same batches, the same outputs as in one piece."""
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", runtime)
    session = models.onnx_graphs._session(_ids_graph(tmp_path / "ids.onnx"))
    tokenizer = models.onnx_graphs._tokenizer(models.base_model.base_model_dir(), 256)
    texts = [" ".join(["word", "other", "Kyiv"][: 1 + n % 3] * n) for n in (7, 1, 30, 3, 3, 12, 0, 5, 9)] * 5
    seen = []

    class Counting:
        def run_all(self, batches, sink):
            batches = list(batches)
            seen.append([feeds["input_ids"].shape for _, feeds in batches])
            session.run_all(iter(batches), sink)

    whole = models.onnx_graphs.run_batches(Counting(), tokenizer, texts, [1, 1], batch_size=4)
    assert len(seen) == 1
    monkeypatch.setattr(models.onnx_graphs, "TOKENISE_CHUNK", 7)
    monkeypatch.setattr(models.onnx_graphs, "RUN_CHUNK", 3)
    chunked = models.onnx_graphs.run_batches(Counting(), tokenizer, texts, [1, 1], batch_size=4)
    assert len(seen) == 1 + 4 and max(len(call) for call in seen[1:]) == 3   # 12 batches, 3 to a call
    assert [shape for call in seen[1:] for shape in call] == seen[0]        # the same batches, in order
    for a, b in zip(whole, chunked):
        assert a.tobytes() == b.tobytes()
    assert chunked[0][:, 0].tolist() == [len(tokenizer.encode(t).ids) for t in texts]
    assert chunked[1][:, 0].tolist() == [sum(tokenizer.encode(t).ids) for t in texts]


def test_cli_prelabel_made_and_written_in_chunks_is_the_same_file(stand_in_encoder, tmp_path, monkeypatch, capsys):
    import models.labellers
    import models.prelabel

    inp = tmp_path / "claims.jsonl"
    rows = [{**row, "claim_id": f"{row['claim_id']}{i}"} for i in range(4) for row in ROWS]
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(tmp_path / "whole.jsonl")]) == 0
    whole = capsys.readouterr().out
    monkeypatch.setattr(models.prelabel, "OUTPUT_CHUNK", 5)
    monkeypatch.setattr(models.labellers, "APPLY_CHUNK", 5)
    assert main(["prelabel", "--in", str(inp), "--out", str(tmp_path / "chunked.jsonl")]) == 0
    chunked = capsys.readouterr().out
    assert (tmp_path / "chunked.jsonl").read_bytes() == (tmp_path / "whole.jsonl").read_bytes()
    assert len((tmp_path / "chunked.jsonl").read_text(encoding="utf-8").splitlines()) == 12
    assert chunked.replace("chunked.jsonl", "whole.jsonl") == whole   # counts, table and line alike


def test_a_graph_openvino_cannot_compile_runs_under_onnx_runtime(tmp_path, monkeypatch):
    def refuse(path):
        raise RuntimeError("unsupported CPU")

    monkeypatch.setattr(models.onnx_graphs, "OpenVinoSession", refuse)
    monkeypatch.delenv("CLAIMSTANCE_RUNTIME", raising=False)
    graph = _token_count_graph(tmp_path / "count.onnx")
    assert isinstance(models.onnx_graphs._session(graph), models.onnx_graphs.OnnxRuntimeSession)
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "openvino")  # asked for by name: the error is not hidden
    with pytest.raises(RuntimeError, match="unsupported CPU"):
        models.onnx_graphs._session(graph)


def test_an_error_while_collecting_a_batch_reaches_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "openvino")
    session = models.onnx_graphs._session(_token_count_graph(tmp_path / "count.onnx"))
    feeds = {"input_ids": np.ones((2, 3), dtype=np.int64), "attention_mask": np.ones((2, 3), dtype=np.int64)}

    def sink(key, outputs):
        raise ValueError(f"no room for batch {key}")

    with pytest.raises(ValueError, match="no room for batch"):
        session.run_all(iter([(0, feeds), (1, feeds)]), sink)


def test_a_model_whose_scheme_file_is_gone_says_so_and_how_to_give_it():
    from models.classifier import StanceClassifier

    clf = StanceClassifier(None, None, {"labels": ["a", "b"], "scheme": "mine", "scheme_path": "/gone/mine.yaml",
                                        "version": "v1"})
    with pytest.raises(UserError, match=r"was trained with the scheme file /gone/mine\.yaml, which is gone; give "
                                        r"--scheme with that file's new path \(scheme 'mine'\)"):
        clf.scheme


def test_cli_prelabel_refuses_documents_and_names_the_command_that_makes_claims(stand_in_encoder, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"Talks in {name} failed.\n\nThe ministers left.\n", encoding="utf-8")
    docs, out = tmp_path / "documents.jsonl", tmp_path / "out.jsonl"
    assert main(["claims", str(corpus), "--out", str(tmp_path / "c.jsonl"), "--documents", str(docs)]) == 0
    capsys.readouterr()
    assert main(["prelabel", "--in", str(docs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"error: {docs}: the documents file of `stance claims --documents` (2 whole documents), "
                           f"not claims; pre-labels are for the sentences `stance claims` makes: `stance claims {corpus} "
                           f"--out {tmp_path / 'claims.jsonl'}`, then `stance prelabel --in {tmp_path / 'claims.jsonl'} ...`")
    assert not out.exists()
    # Beside the claims made from them (as `stance run` leaves W/run/): those, not a command overwriting them.
    assert main(["claims", str(corpus), "--out", str(tmp_path / "claims.jsonl")]) == 0
    capsys.readouterr()
    assert main(["prelabel", "--in", str(docs), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().endswith(
        f"not claims; pre-labels are for the sentences `stance claims` makes, which are in {tmp_path / 'claims.jsonl'}: "
        f"`stance prelabel --in {tmp_path / 'claims.jsonl'} ...`")
    # A claims.jsonl of other documents is never offered to be overwritten.
    (tmp_path / "claims.jsonl").write_text(json.dumps({"doc_id": "other", "text": "x"}) + "\n", encoding="utf-8")
    assert main(["prelabel", "--in", str(docs), "--out", str(out)]) == 2
    assert f"--out {tmp_path / 'documents_claims.jsonl'}`" in capsys.readouterr().err and not out.exists()
    # A user's own JSONL of documents: most rows hold several paragraphs: pre-labelled, with a note.
    mine = tmp_path / "posts.jsonl"
    mine.write_text(json.dumps({"id": 1, "text": "First point.\n\nSecond point."}) + "\n"
                    + json.dumps({"id": 2, "text": "One line."}) + "\n"
                    + json.dumps({"id": 3, "text": "A.\n\nB.\n\nC."}) + "\n", encoding="utf-8")
    assert main(["prelabel", "--in", str(mine), "--out", str(out)]) == 0
    assert (f"2 of 3 rows of {mine} hold several paragraphs (the first: row 1): documents rather than claims? "
            f"pre-labelled as they are; `stance claims {mine} --out {tmp_path / 'posts_claims.jsonl'}` splits "
            "them into claims") in capsys.readouterr().err
    # Rows labelled by hand (id, text, label) are the user's units: no note.
    mine.write_text(json.dumps({"id": 1, "text": "First point.\n\nSecond point.", "label": "favor"}) + "\n"
                    + json.dumps({"id": 3, "text": "A.\n\nB.\n\nC.", "label": "none"}) + "\n", encoding="utf-8")
    assert main(["prelabel", "--in", str(mine), "--out", str(out), "--scheme", "favor_against"]) == 0
    assert "several paragraphs" not in capsys.readouterr().err
    # Sentences of one's own (id, text, label): pre-labelled as claims.
    mine.write_text(json.dumps({"id": "h1", "text": "Sanctions must stay.", "label": "favor"}) + "\n", encoding="utf-8")
    assert main(["prelabel", "--in", str(mine), "--out", str(out), "--scheme", "favor_against"]) == 0


def test_a_model_whose_scheme_file_gained_or_lost_a_label_pre_labels_or_says_to_train_again(
        stand_in_encoder, monkeypatch, tmp_path, capsys):
    """The network knows the labels it was trained on; its bootstrap reads the scheme's file as it is
    now: a label added there gets the bootstrap's share (as with --scheme and `stance run --model`),
    a label taken out is one error line, not a shape mismatch."""
    from models import classifier
    from models.schemes import SCHEME_DIR

    text = (SCHEME_DIR / "favor_against.yaml").read_text(encoding="utf-8").replace("name: favor_against", "name: mine")
    scheme = tmp_path / "mine.yaml"
    scheme.write_text(text, encoding="utf-8")
    labels = load_scheme(str(scheme)).label_ids
    model = tmp_path / "model"
    model.mkdir()
    config = {"labels": labels, "scheme": "mine", "scheme_path": str(scheme), "scheme_labels": labels,
              "scheme_version": load_scheme(str(scheme)).version, "version": "minilm-test-2",
              "blend": {"enabled": True, "bootstrap_weight": 0.5}}   # no domain gate: the bootstrap runs on every claim
    (model / "claimstance.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setattr(classifier, "check_model_dir", lambda d: json.loads((model / "claimstance.json").read_text()))
    monkeypatch.setattr(classifier.StanceClassifier, "forward",
                        lambda self, texts, batch_size=64: np.tile([2.0, 0.0, 0.0], (len(texts), 1)))
    added = text.replace("  - id: none\n", "  - id: mixed\n    name: Mixed\n    hotkey: m\n    description: Both sides."
                         "\n    examples: [Sanctions hurt us and them alike.]\n  - id: none\n")
    scheme.write_text(added, encoding="utf-8")
    inp, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    inp.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(out), "--model", str(model)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(rows[0]["probs"]) == ["favor", "against", "mixed", "none"]
    assert {row["probs"]["mixed"] for row in rows} == {0.0}   # the gate trusts the network, which never saw it
    assert {row["prediction"] for row in rows} == {"favor"}
    assert {(row["scheme"], row["scheme_source"]) for row in rows} == {("mine", str(scheme))}
    assert ("note: scheme 'mine' has been edited since model " + str(model) + " was trained: labels now favor, "
            "against, mixed, none (added mixed); using it as it is now") in capsys.readouterr().err
    start = added.index("  - id: against\n")
    scheme.write_text(added[:start] + added[added.index("  - id: mixed\n"):], encoding="utf-8")
    out.unlink()
    for extra in ([], ["--scheme", str(scheme)]):
        assert main(["prelabel", "--in", str(inp), "--out", str(out), "--model", str(model), *extra]) == 2
        err = capsys.readouterr().err
        assert err == (f"error: scheme 'mine' ({scheme}) has no label against, which model {model} was trained on; "
                       "put it back in that file (new labels are fine), or train the model again with the scheme "
                       "as it is now\n")
        assert not out.exists()


def test_the_end_models_rows_read_back_the_same_from_memory_or_from_the_spill_file(tmp_path):
    from models.end_model import RowStore, word_features

    texts = [f"claim {i} about the port of Odesa" + " again" * (i % 4) for i in range(11)]
    emb = np.random.default_rng(0).standard_normal((11, 6)).astype(np.float32)
    words = word_features(texts, 2.0)
    kept, spilled = RowStore(), RowStore(tmp_path)
    for store in (kept, spilled):
        for start in (0, 4, 5):   # chunks of 4, 1 and 6 rows
            end = {0: 4, 4: 5, 5: 11}[start]
            store.add(emb[start:end], words[start:end])
    assert len(kept) == len(spilled) == 11
    assert list(tmp_path.iterdir()) == []   # the spill file has no name: nothing to leave behind
    index = np.array([1, 4, 5, 10])
    for store in (kept, spilled):
        got_emb, got_words = store.rows(index)
        assert got_emb.tobytes() == emb[index].tobytes()
        assert (got_words != words[index]).nnz == 0 and got_words.shape == (4, words.shape[1])
        assert np.vstack([e for e, _ in store.chunks()]).tobytes() == emb.tobytes()
        empty_emb, empty_words = store.rows(np.array([], dtype=np.int64))
        assert empty_emb.shape == (0, 6) and empty_words.shape == (0, words.shape[1])
    spilled.close()
    with pytest.raises(ValueError):
        spilled._file.seek(0)   # closed: the file is gone


@pytest.mark.slow
def test_prelabel_read_in_chunks_is_the_same_file_as_read_whole_with_the_real_encoder(tmp_path, monkeypatch, capsys):
    # The bootstrap's end model is fitted over the whole input (from a temporary file of the embeddings
    # when the input spans chunks), and every product is taken a row at a time: BLAS rounded a row by the
    # rows beside it (4e-7), which changed the bytes of 199 of 200 rows read 7 at a time.
    import models.prelabel

    subjects = ["The Kiev regime", "Officials in Kyiv", "Western curators", "The ministry", "Residents of Kharkiv"]
    verbs = ["said", "denied", "staged a provocation after", "reported", "warned of"]
    objects = ["shelling of the port", "the referendum", "talks next week", "the liberation of Donbass",
               "a shortage of winter fuel"]
    rows = [{"claim_id": f"c{i}", "text": f"{subjects[i % 5]} {verbs[i // 5 % 5]} {objects[i // 3 % 5]}."}
            for i in range(40)]
    rows += [{"claim_id": "q", "text": "Who shelled the port?", "reason": "question"},
             {"claim_id": "h", "text": "Grid operator warns", "reason": "heading"}]
    inp = tmp_path / "claims.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["prelabel", "--in", str(inp), "--out", str(tmp_path / "whole.jsonl")]) == 0
    whole = capsys.readouterr().out
    for size in (7, 1):
        monkeypatch.setattr(models.prelabel, "OUTPUT_CHUNK", size)
        out = tmp_path / f"chunked{size}.jsonl"
        assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 0
        assert out.read_bytes() == (tmp_path / "whole.jsonl").read_bytes()
        assert capsys.readouterr().out.replace(out.name, "whole.jsonl") == whole   # counts, table and line alike
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunked1.jsonl", "chunked7.jsonl", "claims.jsonl",
                                                          "whole.jsonl"]   # no spill or temporary file left


def test_an_input_changed_between_the_passes_is_refused_and_nothing_written(stand_in_encoder, tmp_path, monkeypatch,
                                                                            capsys):
    import models.prelabel

    inp, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    scan = models.prelabel._scan

    def scan_then_append(path):
        found = scan(path)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"text": "A row added meanwhile."}) + "\n")
        return found

    monkeypatch.setattr(models.prelabel, "_scan", scan_then_append)
    assert main(["prelabel", "--in", str(inp), "--out", str(out)]) == 2
    assert (f"{inp} changed while it was pre-labelled (3 rows read first, then more); run it again once nothing "
            "writes it") in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.jsonl"]


def test_a_spill_file_its_disk_refuses_is_one_line_naming_the_folder(tmp_path):
    # QA: a 10,000-claim prelabel with --out on a 5 MB disk said only 'error: No space left on device;
    # check the path, ...', naming no path (the spill file has no name). A file size limit makes the
    # same refusal (File too large) of the file system, without a disk to fill.
    import subprocess
    import sys

    script = (
        "import resource, sys\n"
        "import numpy as np\n"
        "from corpus.errors import UserError\n"
        "from models.end_model import RowStore\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY))\n"
        "with RowStore(sys.argv[1]) as store:\n"
        "    try:\n"
        "        for _ in range(10):\n"
        "            store.add(np.zeros((100, 384), np.float32))\n"
        "    except UserError as err:\n"
        "        print(err)\n"
        "        sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    line = done.stdout.strip()
    assert "\n" not in line and str(tmp_path) in line and "File too large" in line
    assert "--out" in line and "2 kB a claim" in line
    assert list(tmp_path.iterdir()) == []


def test_cli_prelabel_reads_a_pipe_as_it_did_before_it_streamed(stand_in_encoder, tmp_path, capsys):
    # QA: `cat claims.jsonl | stance prelabel --in /dev/stdin` (or `--in <(...)`) worked in 8d133e4; read
    # three times since, it said '/dev/stdin changed while it was pre-labelled (199 rows read first, then
    # 0); run it again once nothing writes it'. A named pipe is the same kind of input.
    import os
    import threading

    fifo = tmp_path / "claims.fifo"
    os.mkfifo(fifo)
    rows = [{**row, "claim_id": f"{row['claim_id']}{i}"} for i in range(4) for row in ROWS]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()

    def feed() -> None:
        with open(fifo, "wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "out" / "pre.jsonl"
    assert main(["prelabel", "--in", str(fifo), "--out", str(out)]) == 0, capsys.readouterr().err
    writer.join(10)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["claim_id"] for r in got] == [r["claim_id"] for r in rows]
    assert sorted(p.name for p in out.parent.iterdir()) == ["pre.jsonl"]   # the copy of the pipe is gone
    # a bad line of a pipe is named by the pipe's name and line, as a file's is
    writer = threading.Thread(target=lambda: open(fifo, "wb").write(data + b"{not json\n"), daemon=True)
    writer.start()
    assert main(["prelabel", "--in", str(fifo), "--out", str(tmp_path / "bad.jsonl")]) == 2
    writer.join(10)
    err = capsys.readouterr().err
    assert f"{fifo}:13:" in err and "/proc/" not in err and not (tmp_path / "bad.jsonl").exists()


def test_cli_prelabel_names_a_folder_given_as_its_input(tmp_path, capsys):
    # QA: `stance prelabel --in corpus/` said 'cannot copy corpus/ into a temporary file beside ... (Is a
    # directory); free space on its disk': a folder was taken for a pipe, and the fix named was wrong
    (tmp_path / "corpus").mkdir()
    out = tmp_path / "pre.jsonl"
    assert main(["prelabel", "--in", str(tmp_path / "corpus"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path / 'corpus'}: is a directory, expected a .jsonl file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
