"""How the command line ends when it is killed or its reader goes away, and what it takes as an output file."""

from __future__ import annotations

import argparse
import os
import signal

import pytest

from claimstance import cli


def _parser_running(handler):
    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    return lambda: parser


def test_sigterm_ends_a_command_as_ctrl_c_does(monkeypatch, capsys):
    def handler(args):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM should have interrupted the command")

    monkeypatch.setattr(cli, "build_parser", _parser_running(handler))
    assert cli.main([]) == 130
    assert "error: interrupted; re-run the same command to finish" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL   # the handler before, restored


def test_an_ignored_hangup_stays_ignored_under_nohup(monkeypatch):
    def handler(args):
        os.kill(os.getpid(), signal.SIGHUP)   # nohup: the session closes, the command goes on
        return 0

    monkeypatch.setattr(cli, "build_parser", _parser_running(handler))
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        assert cli.main([]) == 0
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys):
    def handler(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "build_parser", _parser_running(handler))
    monkeypatch.setattr(cli.os, "dup2", lambda *a: None)   # keep pytest's own stdout
    assert cli.main([]) == 0
    assert capsys.readouterr().err == ""


def test_a_jsonl_output_is_a_file_name_of_jsonl(tmp_path, capsys):
    for out, message in ((f"{tmp_path}/new/", "names a folder; give a file name"),
                         (f"{tmp_path}/x.parquet", "the output is JSON lines; give a .jsonl name"),
                         (f"{tmp_path}/x.csv", "the output is JSON lines; give a .jsonl name")):
        with pytest.raises(SystemExit) as ended:   # a usage mistake: argparse's exit, one line
            cli.main(["claims", "corpus/sample", "--out", out])
        assert ended.value.code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_studio_status_while_the_server_starts_says_so(monkeypatch, capsys):
    from annotate import studio

    import time

    info = {"running": True, "http_status": None, "auth_ok": False, "url": "http://127.0.0.1:8080", "pid": 42,
            "log": "w/studio.log", "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    monkeypatch.setattr(studio, "status", lambda workspace: info)
    assert cli.main(["studio", "status", "--workspace", "w"]) == 1
    out = capsys.readouterr().out
    assert "Label Studio is starting at http://127.0.0.1:8080 (pid 42): not answering yet" in out
    assert "NOT accepted" not in out
    info["started_at"] = "2026-01-01T00:00:00+0000"   # hours ago: not starting, stuck
    assert cli.main(["studio", "status", "--workspace", "w"]) == 1
    assert "does not answer; see w/studio.log, then `stance studio stop --workspace w`" in capsys.readouterr().out


def test_a_reader_that_went_away_stops_the_output_not_the_work():
    from claimstance.terminal import SafeStream

    class Gone:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    stream = SafeStream(Gone())
    assert stream.write("documents: 2\n") == len("documents: 2\n")
    stream.flush()
    assert stream.write("wrote claims.jsonl\n") == len("wrote claims.jsonl\n")


def test_a_signal_to_the_whole_process_group_ends_the_claims_pool_cleanly(tmp_path):
    """A closed terminal or `kill -TERM -- -PGID` reaches the command and its workers at once: it ends
    (exit 130, or 0 when it had already finished), never hangs, prints no traceback, leaves no temporary file."""
    import subprocess
    import sys
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = " ".join(f"Officials in Kyiv said {n} drones were shot down overnight. The ministry in Moscow denied it."
                    for n in range(60))
    for n in range(3000):   # about 3 s of work on two cores: the signal lands while the pool works
        (corpus / f"{n}.txt").write_text(text, encoding="utf-8")
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        process = subprocess.Popen([sys.executable, "-m", "claimstance.cli", "claims", str(corpus), "--out",
                                    str(tmp_path / "c.jsonl"), "--workers", "2"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(1.2)
        os.killpg(process.pid, sig)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"{sig.name}: the command hung")
        assert process.returncode in (0, 130), (sig.name, process.returncode, err[-500:])
        assert b"Traceback" not in err, err[-1000:]
        assert not list(tmp_path.glob(".c.jsonl*")), sig.name


def test_a_parent_killed_outright_takes_its_workers_with_it(tmp_path):
    import subprocess
    import sys
    import time
    from pathlib import Path

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = " ".join(f"Officials in Kyiv said {n} drones were shot down overnight." for n in range(60))
    for n in range(3000):
        (corpus / f"{n}.txt").write_text(text, encoding="utf-8")
    out = str(tmp_path / "k.jsonl")
    process = subprocess.Popen([sys.executable, "-m", "claimstance.cli", "claims", str(corpus), "--out", out,
                                "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    time.sleep(1.2)
    process.kill()   # SIGKILL: nothing of the parent's runs, only the kernel's parent-death signal
    process.wait()
    time.sleep(1.5)

    def alive() -> list[str]:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State"))
            except (OSError, StopIteration, ValueError):
                continue
            if out in cmd and "zombie" not in state:
                found.append(cmd)
        return found

    assert alive() == []
