"""Atomic writes and checked JSONL reading."""

from __future__ import annotations

import os

import pytest

from corpus.errors import UserError
from corpus.files import atomic_dir, atomic_write, read_jsonl, write_jsonl


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


def test_atomic_write_sets_mode(tmp_path):
    path = tmp_path / "secret.json"
    with atomic_write(path, file_mode=0o600) as handle:
        handle.write("{}")
    assert (path.stat().st_mode & 0o777) == 0o600


def test_atomic_dir_replaces_whole_directory(tmp_path):
    target = tmp_path / "dataset"
    with atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("1")
    with atomic_dir(target) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    with pytest.raises(ValueError):
        with atomic_dir(target) as tmp:
            (tmp / "c.txt").write_text("3")
            raise ValueError("boom")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


def test_read_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2\n', encoding="utf-8")
    rows = read_jsonl(path)
    assert next(rows) == {"id": 1}
    with pytest.raises(UserError, match=r"in\.jsonl:3: malformed JSON"):
        next(rows)


def test_read_jsonl_rejects_non_objects_and_bad_bytes(tmp_path):
    arr = tmp_path / "arr.jsonl"
    arr.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"arr\.jsonl:1: expected a JSON object, got list"):
        list(read_jsonl(arr))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"t": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(UserError, match=r"latin\.jsonl:1: not UTF-8"):
        list(read_jsonl(latin))
    with pytest.raises(UserError, match="no such file"):
        list(read_jsonl(tmp_path / "missing.jsonl"))
