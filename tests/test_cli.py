"""The CLI's contract: user errors are one line and a non-zero exit, never a traceback."""

from __future__ import annotations

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
