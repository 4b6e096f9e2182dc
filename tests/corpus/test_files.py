"""Atomic writes and checked JSONL reading."""

from __future__ import annotations

import errno
import os
import re

import pytest

from corpus.errors import UserError
from corpus.files import (OUTPUT_MARK, atomic_dir, atomic_write, check_output_dir, check_writable, read_jsonl,
                          write_jsonl)


def test_write_jsonl_round_trip(tmp_path):
    path = tmp_path / "out.jsonl"
    assert write_jsonl(path, [{"a": 1, "t": "Kyiv “quoted”"}, {"a": 2}]) == 2
    assert list(read_jsonl(path)) == [{"a": 1, "t": "Kyiv “quoted”"}, {"a": 2}]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def rows():
        yield {"a": 1}
        raise RuntimeError("killed halfway")

    with pytest.raises(RuntimeError):
        write_jsonl(path, rows())
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_a_failed_write_removes_the_folders_it_made(tmp_path):
    def rows():
        yield {"a": 1}
        raise RuntimeError("killed halfway")

    with pytest.raises(RuntimeError):
        write_jsonl(tmp_path / "new" / "run" / "out.jsonl", rows())
    with pytest.raises(RuntimeError):
        with atomic_dir(tmp_path / "fresh" / "report") as tmp:
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_sets_mode(tmp_path):
    path = tmp_path / "secret.json"
    with atomic_write(path, file_mode=0o600) as handle:
        handle.write("{}")
    assert (path.stat().st_mode & 0o777) == 0o600


def test_outputs_are_as_readable_as_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        write_jsonl(tmp_path / "claims.jsonl", [{"a": 1}])
        with atomic_dir(tmp_path / "model") as tmp:
            (tmp / "sub").mkdir()
            write_jsonl(tmp / "sub" / "rows.jsonl", [{"a": 1}])
            fd = os.open(tmp / "weights.bin", os.O_CREAT | os.O_WRONLY, 0o600)  # as some libraries write
            os.close(fd)
        os.umask(0o077)
        write_jsonl(tmp_path / "private.jsonl", [{"a": 1}])
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in [tmp_path / "claims.jsonl", tmp_path / "model",
                                                          tmp_path / "model" / "sub", tmp_path / "model" / "sub" / "rows.jsonl",
                                                          tmp_path / "model" / "weights.bin", tmp_path / "private.jsonl"]}
    assert modes == {"claims.jsonl": 0o644, "model": 0o755, "sub": 0o755, "rows.jsonl": 0o644,
                     "weights.bin": 0o644, "private.jsonl": 0o600}


def test_atomic_dir_replaces_whole_directory(tmp_path):
    target = tmp_path / "dataset"
    ours = ("a.txt", "b.txt")
    with atomic_dir(target, ours) as tmp:
        (tmp / "a.txt").write_text("1")
    with atomic_dir(target, ours) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARK, "b.txt"]
    with pytest.raises(ValueError):
        with atomic_dir(target, ours) as tmp:
            (tmp / "c.txt").write_text("3")
            raise ValueError("boom")
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARK, "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


def test_outputs_never_replace_what_the_command_did_not_write(tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match=r"notes holds files that are not an earlier output of this command"):
        with atomic_dir(keep, ("report.json",)) as tmp:
            (tmp / "report.json").write_text("{}")
    assert [p.name for p in keep.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "existing.jsonl"
    a_file.write_text("{}\n")
    with pytest.raises(UserError, match=r"existing\.jsonl is a file; give a directory"):
        with atomic_dir(a_file, ("report.json",)):
            pass
    with pytest.raises(UserError, match=r"notes is a directory; give a file name"):
        with atomic_write(keep):
            pass
    assert a_file.read_text() == "{}\n" and sorted(p.name for p in tmp_path.iterdir()) == ["existing.jsonl", "notes"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty, ("report.json",)) as tmp:   # an empty directory is fine
        (tmp / "report.json").write_text("{}")
    assert sorted(p.name for p in empty.iterdir()) == [OUTPUT_MARK, "report.json"]


def test_a_directory_holding_one_expected_name_beside_other_files_is_not_replaced(tmp_path):
    # A folder of the user's own with a config.json in it had been taken for an earlier model.
    app = tmp_path / "app"
    app.mkdir()
    (app / "config.json").write_text("{}")
    (app / "main.py").write_text("print()")
    with pytest.raises(UserError, match=r"app holds files that are not an earlier output of this command "
                                        r"\(config\.json, main\.py\); replacing it would delete them"):
        with atomic_dir(app, ("claimstance.json", "config.json")) as tmp:
            (tmp / "config.json").write_text("{}")
    assert sorted(p.name for p in app.iterdir()) == ["config.json", "main.py"]


def test_one_command_s_output_is_not_replaced_by_another_s(tmp_path):
    pulled = tmp_path / "pulled"
    with atomic_dir(pulled, ("labels.jsonl", "report.html")) as tmp:
        (tmp / "labels.jsonl").write_text("{}\n")
        (tmp / "report.html").write_text("<p>")
    with pytest.raises(UserError, match="not an earlier output of this command"):
        with atomic_dir(pulled, ("pairs.jsonl", "report.html")) as tmp:   # another command's names
            (tmp / "report.html").write_text("<p>")
    assert (pulled / "labels.jsonl").read_text() == "{}\n"
    (pulled / OUTPUT_MARK).write_text("not json")                        # a damaged mark is no mark
    with pytest.raises(UserError, match="not an earlier output of this command"):
        with atomic_dir(pulled, ("labels.jsonl", "report.html")):
            pass


def test_an_unwritable_output_is_one_clear_error_before_any_work(tmp_path):
    blocker = tmp_path / "good.txt"
    blocker.write_text("keep")
    for attempt in (lambda: check_writable(blocker / "sub" / "model"),
                    lambda: atomic_write(blocker / "p.jsonl").__enter__(),
                    lambda: atomic_dir(blocker / "report").__enter__()):
        with pytest.raises(UserError, match=r"cannot write .*good\.txt/\w+.*choose another output path"):
            attempt()
    assert blocker.read_text() == "keep" and [p.name for p in tmp_path.iterdir()] == ["good.txt"]
    check_writable(tmp_path / "new" / "model")   # a folder still to be made is fine, and not made by the check
    assert [p.name for p in tmp_path.iterdir()] == ["good.txt"]


@pytest.mark.parametrize("below", ["p.jsonl", "sub/p.jsonl"])
def test_an_output_below_a_file_names_that_file(tmp_path, below):
    # stance claims --out notes.txt/sub/claims.jsonl said '(File exists)', naming no file
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep")
    with pytest.raises(UserError) as err:
        with atomic_write(blocker / below) as handle:
            handle.write("x")
    assert str(err.value) == f"cannot write {blocker / below}: {blocker} is a file; choose another output path"
    assert blocker.read_text() == "keep" and [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_read_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2\n', encoding="utf-8")
    rows = read_jsonl(path)
    assert next(rows) == {"id": 1}
    with pytest.raises(UserError, match=r"in\.jsonl:3: malformed JSON \(Expecting ',' delimiter at column 9\); fix"):
        next(rows)
    path.write_text('{"id": "a\x01b"}\n', encoding="utf-8")   # a raw control character: the place is named
    with pytest.raises(UserError, match=r"in\.jsonl:1: malformed JSON \(Invalid control character at column 10\)"):
        next(read_jsonl(path))


def test_read_jsonl_rejects_non_objects_and_bad_bytes(tmp_path):
    arr = tmp_path / "arr.jsonl"
    arr.write_text("{\"t\": 1}\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"arr\.jsonl:2: expected a JSON object, got list"):
        list(read_jsonl(arr))
    # A JSON array, on one line or pretty-printed over several, is named as what it is
    for text in ('[{"t": 1}, {"t": 2}]\n', '[{"t": 1},\n {"t": 2}]\n'):
        arr.write_text(text, encoding="utf-8")
        with pytest.raises(UserError, match=r"arr\.jsonl: a JSON array where JSON lines are expected .*jq -c"):
            list(read_jsonl(arr))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"t": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(UserError, match=r"latin\.jsonl:1: not UTF-8"):
        list(read_jsonl(latin))
    with pytest.raises(UserError, match="no such file"):
        list(read_jsonl(tmp_path / "missing.jsonl"))


def test_read_jsonl_names_a_line_nested_too_deep_instead_of_a_traceback(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": 1}\n{"id": 2, "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    rows = read_jsonl(path)
    assert next(rows) == {"id": 1}
    with pytest.raises(UserError) as err:
        next(rows)
    assert str(err.value) == f"{path}:2: malformed JSON (nested too deep); fix or remove that line"


def test_read_jsonl_refuses_a_line_too_long_for_a_claim_before_parsing_it(tmp_path):
    path = tmp_path / "claims.jsonl"
    path.write_text('{"text": "short"}\n{"text": "' + "x" * 3000 + '"}\n', encoding="utf-8")
    rows = read_jsonl(path, max_line_mb=0.001)   # about 1 KB
    assert next(rows) == {"text": "short"}
    with pytest.raises(UserError, match=r"claims\.jsonl:2: a line over 0\.001 MB; .*`stance claims` first"):
        next(rows)


def test_read_jsonl_takes_a_byte_order_mark_and_names_a_csv(tmp_path):
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + b'{"a": 1}\n{"a": 2}\n')
    assert [r["a"] for r in read_jsonl(bom)] == [1, 2]
    bom.write_bytes(b"\xef\xbb\xbf\n" + b'{"a": 1}\n')   # a mark on a blank first line
    assert list(read_jsonl(bom)) == [{"a": 1}]
    csv = tmp_path / "labels.csv"
    csv.write_text("text,label\nx,y\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"labels.csv: a CSV file where JSON lines are expected; convert it"):
        list(read_jsonl(csv))


def test_a_symlink_output_writes_its_target_and_stays_a_link(tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert write_jsonl(link, [{"a": 1}]) == 1
    assert link.is_symlink() and target.read_text() == '{"a": 1}\n'


def test_a_named_pipe_or_device_is_written_to_not_replaced(tmp_path):
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_jsonl(fifo, [{"a": 1}])
    reader.join(10)
    assert got == ['{"a": 1}\n'] and stat.S_ISFIFO(fifo.stat().st_mode)
    assert write_jsonl("/dev/null", [{"a": 1}]) == 1 and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    # /dev/full: the write fails (no space) instead of "succeeding", naming the output
    with pytest.raises(UserError, match=r"^cannot write /dev/full \(No space left on device\); free space"):
        write_jsonl("/dev/full", [{"a": 1}])
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_file_of_another_format_is_named_as_such_not_as_malformed_json(tmp_path):
    odd = tmp_path / "doc.xyz"
    odd.write_text("<doc>hello</doc>\n")
    with pytest.raises(UserError, match=r"doc\.xyz: not JSON lines \(a '\.xyz' file\)"):
        list(read_jsonl(odd))
    plain = tmp_path / "rows.jsonl"
    plain.write_text("<doc>hello</doc>\n")
    with pytest.raises(UserError, match=r"rows\.jsonl:1: malformed JSON"):
        list(read_jsonl(plain))


def test_an_output_written_before_the_mark_is_still_replaced(tmp_path):
    # A workspace from before the mark: the model folder holds both names train writes, and more.
    old = tmp_path / "model"
    old.mkdir()
    for name in ("claimstance.json", "config.json", "model.safetensors"):
        (old / name).write_text("x")
    with atomic_dir(old, ("claimstance.json", "config.json"), ("model.safetensors",)) as tmp:
        (tmp / "config.json").write_text("{}")
    assert sorted(p.name for p in old.iterdir()) == [OUTPUT_MARK, "config.json"]


def test_a_file_beside_an_earlier_output_keeps_it_from_being_replaced(tmp_path):
    # A web folder holding every name evaluate writes first, and pages of its own.
    site = tmp_path / "site"
    site.mkdir()
    for name in ("index.html", "report.json", "about.html"):
        (site / name).write_text("x")
    with pytest.raises(UserError, match=r"site holds files that are not an earlier output of this command"):
        with atomic_dir(site, ("report.json", "index.html"), ("report.md", "*.png")):
            pass
    assert sorted(p.name for p in site.iterdir()) == ["about.html", "index.html", "report.json"]
    # A marked output a user added notes to, or kept the command's input in.
    report = tmp_path / "report"
    with atomic_dir(report, ("report.json", "index.html"), ("*.png",)) as tmp:
        (tmp / "report.json").write_text("{}")
        (tmp / "confusion.png").write_text("png")
    (report / "my notes.txt").write_text("mine")
    with pytest.raises(UserError, match=r"report holds an earlier output of this command with other files added "
                                        r"\(my notes\.txt\)"):
        with atomic_dir(report, ("report.json", "index.html"), ("*.png",)):
            pass
    assert (report / "my notes.txt").read_text() == "mine"


def test_a_linked_output_folder_is_replaced_through_its_link_and_a_user_s_old_folder_kept(tmp_path):
    target = tmp_path / "real"
    with atomic_dir(target, ("report.json",)) as tmp:
        (tmp / "report.json").write_text("1")
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    mine = tmp_path / ".real.old"   # a folder of the user's with the name a replaced output once took
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    with atomic_dir(link, ("report.json",)) as tmp:
        (tmp / "report.json").write_text("2")
    assert link.is_symlink() and (target / "report.json").read_text() == "2"
    assert (mine / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".real.old", "link", "real"]


def test_a_dangling_link_s_missing_folders_are_never_made(tmp_path):
    from corpus.files import check_not_inside, check_output_dir, check_output_file

    target = tmp_path / "nowhere" / "deeper" / "x"
    link = tmp_path / "dangling"
    link.symlink_to(target)
    message = (f"{link} is a symbolic link to {target}, whose folder {target.parent} does not exist; "
               "create that folder or give another output path")
    for attempt in (lambda: write_jsonl(link, [{"a": 1}]), lambda: check_output_file(link),
                    lambda: check_output_dir(link, ["report.json"]), lambda: atomic_dir(link, ["report.json"]).__enter__()):
        with pytest.raises(UserError) as err:
            attempt()
        assert str(err.value) == message
    assert not (tmp_path / "nowhere").exists() and link.is_symlink()
    target.parent.mkdir(parents=True)   # its folder there: the link's target is written
    write_jsonl(link, [{"a": 1}])
    assert target.read_text() == '{"a": 1}\n' and link.is_symlink()
    with pytest.raises(UserError, match=r"--out .* holds the --data .*dangling, which replacing it would delete"):
        check_not_inside("--out", tmp_path / "nowhere", {"--data": link})
    check_not_inside("--out", tmp_path / "elsewhere", {"--data": link, "--model": None})


def test_read_jsonl_replaces_half_an_emoji(tmp_path):
    """A lone surrogate escape ("\\ud83d") cannot be encoded as UTF-8 (match and compare hash and
    tokenize every text): it is read as U+FFFD, one character for one; a whole emoji is kept."""
    from corpus.files import read_jsonl
    from models.embedding_cache import text_key

    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "c1", "text": "The army shelled the town \\ud83d yesterday.", "meta": ["\\udc00"]}\n'
                    '{"id": "c2", "text": "Fire \\ud83d\\udd25 here."}\n', encoding="utf-8")
    rows = list(read_jsonl(path))
    assert rows[0]["text"] == "The army shelled the town \ufffd yesterday." and rows[0]["meta"] == ["\ufffd"]
    assert rows[1]["text"] == "Fire \U0001f525 here."
    assert len(text_key("half \ud83d")) == 40   # the cache's key never raises either


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_a_full_disk_names_the_output_and_leaves_nothing(tmp_path, kind):
    # The system names no file when a write finds no room: the error had been "No space left on
    # device" alone, whichever output it was.
    out = tmp_path / "deep" / ("out.jsonl" if kind == "file" else "report")
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with pytest.raises(UserError, match=rf"^cannot write {re.escape(str(out))} \(No space left on device\); "
                                        "free space on its disk or choose another output path"):
        if kind == "file":
            with atomic_write(out) as handle:
                handle.write("half a row")
                raise full
        else:
            with atomic_dir(out, ["a.jsonl"]) as tmp:
                with atomic_write(tmp / "a.jsonl") as handle:   # named as the folder, not its temporary name
                    handle.write("half a row")
                    raise full
    assert sorted(tmp_path.iterdir()) == []   # no temporary file or folder, no folder made for it
    # Any other error is the caller's to name, as before.
    with pytest.raises(OSError) as other:
        with atomic_write(out):
            raise OSError(errno.EIO, "boom", "input.jsonl")
    assert other.value.filename == "input.jsonl"


def test_an_output_that_is_a_symbolic_link_loop_is_refused_and_stays(tmp_path):
    # A file output had replaced the link with a file; a folder output (compare, train, pull) failed
    # after the work, naming its temporary folder ("Not a directory").
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    expected = rf"^{re.escape(str(loop))} is a symbolic link that loops .*; remove it or give another output path$"
    with pytest.raises(UserError, match=expected):
        write_jsonl(loop, [{"a": 1}])
    with pytest.raises(UserError, match=expected):
        check_output_dir(loop, ["a.jsonl"])
    with pytest.raises(UserError, match=expected):
        with atomic_dir(loop, ["a.jsonl"]):
            pass
    assert os.readlink(loop) == str(tmp_path / "loop2") and sorted(p.name for p in tmp_path.iterdir()) == ["loop1", "loop2"]


def test_an_input_that_is_a_broken_or_looping_link_is_named_as_one(tmp_path):
    # Both had been "no such file; check the path", though the link shows in a listing.
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    dangling = tmp_path / "claims.jsonl"
    dangling.symlink_to("moved.jsonl")
    with pytest.raises(UserError, match=rf"^{re.escape(str(loop))}: a symbolic link that loops; point it at the file"):
        list(read_jsonl(loop))
    with pytest.raises(UserError, match=rf"^{re.escape(str(dangling))}: a symbolic link to moved\.jsonl, which does "
                                        "not exist; check the link"):
        list(read_jsonl(dangling))
    with pytest.raises(UserError, match=r"nope\.jsonl: no such file; check the path$"):
        list(read_jsonl(tmp_path / "nope.jsonl"))


def test_atomic_dir_cut_off_between_its_two_renames_puts_the_earlier_output_back(tmp_path, monkeypatch):
    # Ctrl-C after the earlier output was moved aside and before the new one took its place had left
    # no output at all, the earlier one hidden under a temporary name.
    target = tmp_path / "report"
    with atomic_dir(target, ("a.txt",)) as tmp:
        (tmp / "a.txt").write_text("earlier")
    real = os.replace

    def cut_off(src, dst):
        if str(src).endswith(".tmp") and str(dst) == str(target):
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", cut_off)
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(target, ("a.txt",)) as tmp:
            (tmp / "a.txt").write_text("new")
    monkeypatch.setattr(os, "replace", real)
    assert (target / "a.txt").read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_an_output_of_dev_stdout_that_is_a_pipe_is_written_to(tmp_path):
    # QA: `stance prelabel ... --out /dev/stdout | jq` (and stance claims) said 'cannot write
    # /proc/2912/fd/pipe:[798890] (No such file or directory)': /dev/stdout was resolved as a link to a
    # path that is no file, where a pipe is written to directly, as a FIFO is
    import json
    import subprocess
    import sys

    doc = tmp_path / "story.txt"
    doc.write_text("The ministry said the grid would hold through the winter.\n", encoding="utf-8")
    code = ("import sys\nfrom claimstance.cli import main\n"
            "sys.exit(main(['claims', sys.argv[1], '--out', '/dev/stdout']))")
    done = subprocess.run([sys.executable, "-c", code, str(doc)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()   # the rows alone: the summary goes to stderr (QA: it was mixed in)
    assert len(rows) == 1 and '"The ministry said the grid would hold through the winter."' in rows[0]
    assert "wrote /dev/stdout (1 row)" in done.stderr
    claims = tmp_path / "claims.jsonl"
    claims.write_text(rows[0] + "\n", encoding="utf-8")
    code = ("import sys\nfrom claimstance.cli import main\n"
            "sys.exit(main(['prelabel', '--in', sys.argv[1], '--out', '/dev/stdout']))")
    done = subprocess.run([sys.executable, "-c", code, str(claims)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    labelled = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(labelled) == 1 and set(labelled[0]["probs"]) == {"kremlin_framing", "independent_reporting", "neutral"}
    assert "1 claims pre-labelled by bootstrap-" in done.stderr
    # QA: a pipe in and a pipe out together ('cat claims.jsonl | stance prelabel --in /dev/stdin --out
    # /dev/stdout | ...') said 'error: /proc/PID/fd/.claimstance-input-...: No such file': the input's copy
    # was made in the folder of /dev/stdout's realpath, /proc/PID/fd/pipe:[N], which holds no new files
    code = code.replace("sys.argv[1]", "'/dev/stdin'")
    done = subprocess.run([sys.executable, "-c", code], input=rows[0] + "\n", capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["probs"] for line in done.stdout.splitlines()] == [labelled[0]["probs"]]
