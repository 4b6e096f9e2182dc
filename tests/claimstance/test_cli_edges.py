"""The command line at its edges: an output that is an input, a workspace that is a file, help texts,
an unknown option, the first line of a studio start, and Ctrl-C on a progress bar or at exit."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from claimstance import cli


def _claims(path, n=2):
    path.write_text("".join(json.dumps({"claim_id": f"c{i}", "doc_id": f"d{i}", "text": f"Officials said {i} drones fell."})
                            + "\n" for i in range(n)), encoding="utf-8")
    return path


def test_prelabel_refuses_to_write_over_its_input(tmp_path, capsys):
    claims = _claims(tmp_path / "claims.jsonl")
    before = claims.read_bytes()
    assert cli.main(["prelabel", "--in", str(claims), "--out", str(claims)]) == 2
    assert capsys.readouterr().err == (f"error: --out {claims} is the --in file, which would be replaced; "
                                       "give another path\n")
    assert claims.read_bytes() == before


@pytest.mark.parametrize("command", ["compare", "evaluate", "train"])
def test_an_output_directory_holding_the_input_is_refused(tmp_path, capsys, command):
    out = tmp_path / "out"
    out.mkdir()
    data = _claims(out / ("pairs.jsonl" if command == "compare" else "predictions.jsonl"))
    flag = "--in" if command == "compare" else "--data"
    argv = [command, flag, str(data), "--out", str(out)] + (["--model", "bootstrap"] if command == "evaluate" else [])
    assert cli.main(argv) == 2
    shown = "--in file" if command == "compare" else "--data"
    assert capsys.readouterr().err == (f"error: --out {out} holds the {shown} {data}, which replacing it would "
                                       "delete; give another directory\n")
    assert data.exists()
    assert cli.main(["train", "--data", str(out), "--out", str(out)]) == 2
    assert f"error: --out {out} is the --data, which would be replaced" in capsys.readouterr().err
    other = _claims(tmp_path / "pre.jsonl")
    assert cli.main(["compare", "--in", str(other), "--out", str(out), "--cache", str(out / "cache")]) == 2
    assert f"error: --out {out} holds the --cache {out / 'cache'}, which replacing" in capsys.readouterr().err
    assert cli.main(["evaluate", "--model", "bootstrap", "--data", str(tmp_path / "none.jsonl"), "--out", "."]) == 2
    assert "the --model" not in capsys.readouterr().err   # 'bootstrap' names no folder, even with --out .


def test_run_refuses_a_workspace_that_is_a_file(tmp_path, capsys):
    file = _claims(tmp_path / "existing.jsonl")
    assert cli.main(["run", "--workspace", str(file), "--no-push"]) == 2
    assert capsys.readouterr().err == f"error: --workspace {file} is a file; give a directory (new or used before)\n"
    assert cli.main(["run", "--workspace", str(file / "w"), "--no-push"]) == 2
    assert capsys.readouterr().err == (f"error: --workspace {file / 'w'}: {file} is a file; give a directory "
                                       "(new or used before)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.jsonl"]


def test_studio_start_says_what_it_waits_for_first(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "label-studio"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CLAIMSTANCE_LABEL_STUDIO", str(fake))
    workspace = tmp_path / "w"
    with socket.socket() as sock:   # a free port: a fixed 8191 failed whenever another server held it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert cli.main(["studio", "start", "--workspace", str(workspace), "--port", str(port)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"starting Label Studio for {workspace} on port {port} (the first start takes up to a minute)"
    assert lines[1].startswith("error: Label Studio exited (code 3) while starting")


def _help(command):
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {opt: action.help or "" for action in sub.choices[command]._actions
            for opt in (action.option_strings or [action.dest])}


def test_every_option_of_studio_prelabel_train_and_match_has_help():
    studio = _help("studio")
    assert "start the server" in studio["action"]
    assert "(default: workspace)" in studio["--workspace"] and "else 8080" in studio["--port"]
    assert "(default: 64)" in _help("prelabel")["--batch-size"]
    assert "(default: 13)" in _help("train")["--seed"]
    assert "(default: 5)" in _help("match")["--top-k"]


def test_an_unknown_option_points_to_the_commands_help(capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["studio", "status", "--url", "http://x"])
    assert ended.value.code == 2
    assert capsys.readouterr().err == ("error: stance studio: unrecognized arguments: --url http://x; "
                                       "see `stance studio --help`\n")
    with pytest.raises(SystemExit):
        cli.main(["--nope"])
    assert "see `stance --help`" in capsys.readouterr().err


def test_an_interrupt_ends_the_progress_bars_line_before_the_error(monkeypatch, capsys):
    from tqdm import tqdm

    def handler(args):
        bar = tqdm(total=10, desc="embedding", file=sys.stderr)
        bar.update(4)
        raise KeyboardInterrupt

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    assert cli.main([]) == 130
    err = capsys.readouterr().err
    assert "embedding:  40%" in err
    assert err.endswith("\nerror: interrupted; re-run the same command to finish (outputs are written atomically)\n")
    assert "]error" not in err
    # A push is not atomic (it imports in chunks): the line says what a re-run does instead
    parser.set_defaults(command="push")
    assert cli.main([]) == 130
    assert capsys.readouterr().err.endswith("error: interrupted; re-run the same command to finish (the tasks already "
                                            "imported stay, and a re-run adds only those missing)\n")


def test_ctrl_c_while_the_interpreter_exits_is_no_traceback(tmp_path):
    """A thread pool's exit hook interrupted (the audit saw it once in ten runs of `stance run`): the
    process ends as the signal does, after everything was printed, not with a traceback and code 0."""
    script = textwrap.dedent(f"""
        import concurrent.futures, os, signal, sys, threading
        from claimstance import cli
        concurrent.futures.ThreadPoolExecutor(1).submit(int).result()
        threading._register_atexit(lambda: os.kill(os.getpid(), signal.SIGINT))   # runs before the pool's hook
        sys.argv = ["stance", "studio", "stop", "--workspace", {str(tmp_path / 'w')!r}]
        cli.console()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.stdout == f"no Label Studio running for {tmp_path / 'w'}\n"
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.returncode == -signal.SIGINT


def test_push_of_a_symbolic_link_loop_is_one_line_not_a_traceback(tmp_path, capsys):
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    # Refused before any server is asked: the run-folder check had raised RuntimeError from resolve().
    assert cli.main(["push", "--in", str(loop), "--project", "some project", "--workspace", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {loop}:") and err.count("\n") == 1 and "Traceback" not in err


def test_an_output_on_a_full_disk_is_named_in_the_error(tmp_path, capsys):
    claims = _claims(tmp_path / "claims.jsonl")
    assert cli.main(["prelabel", "--in", str(claims), "--out", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert err == ("error: cannot write /dev/full (No space left on device); free space on its disk or choose "
                   "another output path (nothing was written)\n")



def test_an_output_folder_that_cannot_be_made_is_refused_before_the_work(tmp_path, capsys):
    # A read-only --out had failed only after the work: compare's embeddings (written to --cache),
    # evaluate's scoring of every claim (its --data is missing here, so naming it means it was read).
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / "report"
    refused = f"error: cannot write {out}: {blocker} is a file; choose another output path\n"
    claims = tmp_path / "pre.jsonl"
    claims.write_text("".join(json.dumps({"claim_id": f"c{i}", "doc_id": f"d{i % 2}", "text": text, "is_claim": True,
                                          "prediction": "neutral", "source_type": "independent_reporting"}) + "\n"
                              for i, text in enumerate(["Officials said six drones fell on the city.",
                                                        "Six drones fell on the city, officials said.",
                                                        "The ministry denied any drone attack.",
                                                        "No drones were seen, the ministry said."])), encoding="utf-8")
    cache = tmp_path / "cache"
    assert cli.main(["compare", "--in", str(claims), "--out", str(out), "--cache", str(cache)]) == 2
    assert capsys.readouterr().err == refused and not cache.exists()
    assert cli.main(["evaluate", "--model", "bootstrap", "--data", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2
    assert capsys.readouterr().err == refused


def test_a_second_stance_run_on_a_workspace_in_use_is_refused_at_once(tmp_path, capsys):
    # Two runs at once on one workspace each created the project (Label Studio took two of one title)
    # and pushed every task into both; the second then failed on the first's pending files.
    from claimstance.run_state import hold_run_lock

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The ministry said the grid was stable on Monday.", encoding="utf-8")
    workspace = tmp_path / "ws"
    args = ["run", "--corpus", str(corpus), "--workspace", str(workspace), "--no-push"]
    held = hold_run_lock(tmp_path / "." / "ws")   # the same folder, named otherwise
    try:
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert err == (f"error: another `stance run` (pid {os.getpid()}) is working in {workspace}; wait for it to end "
                       "and run again (two at once would push every task into two projects of one title), or give "
                       "another --workspace\n")
        assert not workspace.exists()
    finally:
        held.close()
    assert not held.path.exists()   # nothing left in the temporary folder
    assert cli.main(args) == 0 and (workspace / "run" / "claims.jsonl").exists()
    assert cli.main(args) == 0   # the lock went with the run that held it
    assert not held.path.exists()


def test_a_lock_file_is_removed_on_letting_go_and_still_lets_one_in_at_a_time(tmp_path):
    # The run and push locks left a file in the system's temporary folder per workspace and project
    # (hundreds after a test run). Removed on letting go, a waiter that locked the removed file takes the
    # lock again on the path's new file: never two holders at once.
    import threading

    from claimstance.run_state import LockFile, push_lock

    name = f"claimstance-test-{os.getpid()}-{tmp_path.name}.lock"
    inside, overlaps, rounds = [0], [], 200

    def work() -> None:
        for _ in range(rounds):
            lock = LockFile(name)
            assert lock.acquire(wait=True)
            inside[0] += 1
            time.sleep(0)   # let another thread run while this one holds the lock
            if inside[0] != 1:
                overlaps.append(inside[0])
            inside[0] -= 1
            lock.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert overlaps == [] and not any(t.is_alive() for t in threads)
    assert not LockFile(name).path.exists()
    with push_lock("http://127.0.0.1:1", f"a project {tmp_path.name}") as held:
        assert held.path.exists() and not LockFile(held.path.name).acquire(wait=False)
    assert not held.path.exists()
