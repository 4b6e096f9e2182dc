"""The CLI's contract: user errors are one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys

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
