"""The CLI's contract: user errors are one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from claimstance.cli import build_parser, main


def test_every_command_is_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"claims", "prelabel", "train", "evaluate", "match", "compare", "studio", "push",
            "pull", "run"} <= set(sub.choices)


def test_user_error_is_one_line_and_nonzero(tmp_path, capsys):
    code = main(["prelabel", "--in", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o.jsonl")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1
    assert "missing.jsonl" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_console_script_runs_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "claimstance.cli", "claims", str(tmp_path / "nope.txt"),
                           "--out", str(tmp_path / "o.jsonl")], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "nope.txt" in proc.stderr


@pytest.mark.parametrize("argv, message", [
    (["claims", "x.txt", "--out", "o.jsonl", "--workers", "0"], "argument --workers: must be 1 or more, got 0"),
    (["claims", "x.txt", "--out", "o.jsonl", "--workers", "two"], "argument --workers: expected a whole number, got 'two'"),
    (["claims", "x.txt", "--out", "o.jsonl", "--max-file-mb", "-5"], "argument --max-file-mb: must be 0.001 or more"),
    (["train", "--data", "d", "--out", "m", "--epochs", "0"], "argument --epochs: must be from 1 to 50, got 0"),
    (["run", "--port", "70000"], "argument --port: must be from 1 to 65535, got 70000"),
    (["train", "--data", "d", "--out", "m", "--seed", "-1"], "argument --seed: must be from 0 to 4294967295, got -1"),
    (["claims", "x.txt", "--out", "o.jsonl", "--max-file-mb", "nan"], "argument --max-file-mb: expected a number, got 'nan'"),
    (["match", "--corpus", "c", "--queries", "q", "--out", "o", "--top-k", "-1"], "argument --top-k: must be 1 or more"),
])
def test_bad_numbers_are_refused_by_the_parser(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("error: stance") and err.count("\n") == 1 and err.rstrip().endswith("--help`")


def test_more_workers_than_cores_or_files_are_not_started(tmp_path, monkeypatch):
    import corpus.claims as claims

    (tmp_path / "a.txt").write_text("Officials in Kyiv said on Monday that the bridge was hit by three missiles.\n",
                                    encoding="utf-8")
    seen = []
    real = claims._results
    monkeypatch.setattr(claims, "_results", lambda tasks, options, workers: seen.append(workers) or real(tasks, options, workers))
    claims.build_claims([str(tmp_path / "a.txt")], str(tmp_path / "o.jsonl"), workers=100_000, progress=False)
    assert seen == [1]


# --- the scheme a pulled dataset, a model and pre-labels record -----------------------------------

def _pulled(tmp_path, scheme: str = "favor_against"):
    """A pull folder whose report.json records ``scheme`` (as `stance pull` writes it)."""
    import json

    from models import provenance

    _, record = provenance.load(scheme)
    pulled = tmp_path / "pulled"
    (pulled / "dataset").mkdir(parents=True)
    (pulled / "labels.jsonl").write_text(json.dumps({"claim_id": "c1", "doc_id": "d1", "text": "x", "label": "favor"}) + "\n")
    (pulled / "report.json").write_text(json.dumps({
        "scheme": record["name"], "scheme_version": record["version"], "scheme_source": record["source"],
        "label_counts": {label: 0 for label in record["labels"]}}))
    return pulled


def test_train_and_evaluate_take_the_pulled_datasets_scheme_and_refuse_another(tmp_path, capsys):
    pulled = _pulled(tmp_path)
    for argv in (["train", "--data", str(pulled / "dataset"), "--out", str(tmp_path / "model")],
                 ["evaluate", "--model", "bootstrap", "--data", str(pulled / "labels.jsonl"), "--out", str(tmp_path / "ev")]):
        assert main([*argv, "--scheme", "kremlin_framing"]) != 0
        err = capsys.readouterr().err
        assert err.startswith("error: --scheme kremlin_framing is scheme 'kremlin_framing' (kremlin_framing, "
                              "independent_reporting, neutral; version ") and len(err.strip().splitlines()) == 1
        assert "but the dataset" in err and "was labelled with scheme 'favor_against' (favor, against, none; version " in err
        assert err.rstrip().endswith("leave out --scheme to train with the dataset's own" if argv[0] == "train"
                                     else "leave out --scheme to use it")
    assert not (tmp_path / "model").exists() and not (tmp_path / "ev").exists()


def test_compare_refuses_a_scheme_that_merely_shares_the_label_ids(tmp_path, capsys):
    import json

    from models import provenance

    _, record = provenance.load("favor_against")
    inp = tmp_path / "pre.jsonl"
    rows = [{"claim_id": f"c{i}", "doc_id": f"d{i}", "text": "Sanctions work.", "prediction": "favor",
             "probs": {"favor": 0.8, "against": 0.1, "none": 0.1}, **provenance.row_fields({**record, "name": "sanctions"})}
            for i in range(2)]
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["compare", "--in", str(inp), "--out", str(tmp_path / "cmp"), "--scheme", "favor_against"]) != 0
    err = capsys.readouterr().err
    assert "error: --scheme favor_against is scheme 'favor_against' (favor, against, none; version" in err
    assert "but the pre-labels in" in err and "were made with scheme 'sanctions' (favor, against, none;" in err
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("env, message", [
    ({"CLAIMSTANCE_INT8": "yes"}, "error: CLAIMSTANCE_INT8='yes' is not a setting; use auto, 1 or 0"),
    ({"CLAIMSTANCE_INT8": "1", "CLAIMSTANCE_RUNTIME": "onnxruntime"}, "error: CLAIMSTANCE_INT8=1 needs OpenVINO")])
def test_train_refuses_an_int8_setting_before_training(tmp_path, capsys, monkeypatch, env, message):
    """The setting is read when the new model's graphs are made: after the training, which it stopped
    with exit 2 once the model was written, the held-out line and notes unsaid."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps({"text": f"claim {i}", "label": "neutral"}) + "\n" for i in range(4)))
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "model")]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize("command", [
    ["prelabel", "--in", "{d}/claims.jsonl", "--out", "{d}/out.jsonl"],
    ["compare", "--in", "{d}/claims.jsonl", "--out", "{d}/out"],
    ["match", "--corpus", "{d}/claims.jsonl", "--queries", "{d}/claims.jsonl", "--out", "{d}/out.jsonl"],
    ["evaluate", "--model", "{d}/model", "--data", "{d}/claims.jsonl", "--out", "{d}/out"],
    ["run", "--workspace", "{d}/ws", "--corpus", "{d}/claims.jsonl"],
])
@pytest.mark.parametrize("name, value, message", [
    ("CLAIMSTANCE_BACKEND", "pytorch", "error: CLAIMSTANCE_BACKEND='pytorch' is not a backend; use auto or torch"),
    ("CLAIMSTANCE_RUNTIME", "tensorrt", "error: CLAIMSTANCE_RUNTIME='tensorrt' is not a runtime; use auto, openvino or onnxruntime"),
    ("CLAIMSTANCE_CACHE_MB", "2G", "error: CLAIMSTANCE_CACHE_MB='2G' is not a whole number of megabytes"),
])
def test_a_command_that_runs_a_model_names_a_bad_setting_first(tmp_path, capsys, monkeypatch, command, name, value,
                                                               message):
    """A typo in a setting was named only when a model first read it (CLAIMSTANCE_BACKEND never: any
    value but torch meant auto), after the claims were read or, in `stance run`, split and pushed."""
    (tmp_path / "claims.jsonl").write_text(json.dumps({"text": "The ministry said so.", "label": "neutral"}) + "\n")
    monkeypatch.setenv(name, value)
    assert main([part.format(d=tmp_path) for part in command]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.jsonl"]


def test_a_bad_model_setting_does_not_stop_the_claims(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_BACKEND", "pytorch")
    (tmp_path / "doc.txt").write_text("The ministry said the talks had failed.\n")
    assert main(["claims", str(tmp_path / "doc.txt"), "--out", str(tmp_path / "claims.jsonl")]) == 0
