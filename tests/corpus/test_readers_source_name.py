"""The display name of a document's source: one function every view calls (charts, Label Studio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.readers import read_documents
from corpus.records import source_name
from corpus.sources import ReadOptions


@pytest.mark.parametrize("row, expected", [
    ({"outlet": "Baltic Ledger", "author": "Marta Linde", "doc_id": "n1"}, "Baltic Ledger"),
    ({"source": "Izvestia", "doc_id": "d"}, "Izvestia"),   # a manifest's `source:`
    ({"author": "@hausfrau_kiel", "platform": "X", "doc_id": "p1"}, "@hausfrau_kiel (X)"),
    ({"authors": ["A. One", "B. Two", "C. Three"], "doc_id": "d"}, "A. One, B. Two et al."),
    ({"handle": "@mfa_russia", "url": "https://www.example.org/x/1"}, "@mfa_russia (example.org)"),
    ({"platform": "Telegram", "doc_id": "t9"}, "Telegram"),
    ({"url": "https://www.meduza.io/news/1", "doc_id": "d"}, "meduza.io"),
    ({"source_file": "/data/corpus/eu_statement.txt", "doc_id": "c702b37afe91dbf1"}, "eu_statement.txt"),
    # a title names a document better than a hashed file name (compare's headings named it so before)
    ({"title": "Blog repost of an interview", "source_file": "/c/004_ce8312b0.txt", "doc_id": "d"},
     "Blog repost of an interview"),
    ({"outlet": "  ", "author": None, "user": {"id": 5}, "doc_id": "p2"}, "p2"),   # blanks and records name no one
    ({}, "unknown source"),
    # a tweet's `source` is the app it was posted with, not an outlet
    ({"source": '<a href="https://x.example/download">Twitter for iPhone</a>', "user": "rybar", "platform": "X",
      "doc_id": "t1"}, "rybar (X)"),
    ({"source": "Twitter Web App", "author": "@bob", "doc_id": "t2"}, "@bob"),
])
def test_source_name_takes_the_first_readable_name(row, expected):
    assert source_name(row) == expected


def test_a_jsonl_post_without_an_outlet_is_named_by_its_handle_and_platform(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "p1", "text": "Lift the sanctions!", "author": "@hausfrau_kiel", "platform": "X"}\n'
                    '{"id": "p2", "text": "Tougher sanctions now."}\n', encoding="utf-8")
    docs = list(read_documents([str(path)], ReadOptions(), []))
    assert [source_name({**d.meta, "doc_id": d.doc_id}) for d in docs] == ["@hausfrau_kiel (X)", "posts.jsonl"]
