"""CSV files separated by semicolons, tabs or pipes: the separator is read from the header line."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.readers import read_documents
from corpus.row_readers import sniff_delimiter
from corpus.sources import ReadOptions, Skipped


def read(path: Path, **options) -> tuple[list, list[Skipped]]:
    skipped: list[Skipped] = []
    docs = list(read_documents([str(path)], ReadOptions(**options), skipped))
    return docs, skipped


@pytest.mark.parametrize("header, expected", [
    ("id,outlet,text\r\n", ","),
    ("id;outlet;date;source_type;text\r\n", ";"),
    ("id\ttext\tplatform\n", "\t"),
    ("id|text\n", "|"),
    ('id;"name, full";text\n', ";"),     # a comma inside a quoted name is no separator
    ("text\n", ","),                     # one column: the default
    ("id,title;subtitle,text\n", ","),   # as many of each: comma wins
    ("", ","),
])
def test_the_separator_is_the_one_that_splits_the_header_into_the_most_columns(header, expected):
    assert sniff_delimiter(header) == expected


def test_a_semicolon_csv_is_read_with_commas_in_its_text(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes("\ufeffid;outlet;date;text\r\ns1;Z;2026-01-01;The EU extended sanctions, officials said.\r\n"
                     's2;Y;2026-01-02;"A ""quoted""; text."\r\n'.encode("utf-8"))
    docs, skipped = read(path)
    assert skipped == []
    assert [(d.doc_id, d.text, d.meta["outlet"], d.meta["date"]) for d in docs] == [
        ("s1", "The EU extended sanctions, officials said.", "Z", "2026-01-01"),
        ("s2", 'A "quoted"; text.', "Y", "2026-01-02")]


def test_a_tab_separated_csv_keeps_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("id\ttext\tplatform\nt1\tSanctions hit, he said.\tX\n", encoding="utf-8")
    [doc], skipped = read(path)
    assert (doc.doc_id, doc.text, doc.meta["platform"], skipped) == ("t1", "Sanctions hit, he said.", "X", [])


def test_a_semicolon_csv_stays_strict_about_its_fields(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("id;text\na;One; two.\nb;Kyiv says so.\nc\n", encoding="utf-8")
    docs, skipped = read(path)
    assert [d.doc_id for d in docs] == ["b"]
    assert skipped == [
        Skipped(f"{path}:2", 'this row has 3 fields, the header 2; quote the text field ("...") when it holds '
                             "semicolons (the file's separator)"),
        Skipped(f"{path}:4", "this row has 1 field, the header 2; give each column its field (an empty one too: "
                             'a;;c), and quote the text field ("...") when it holds a line break')]


def test_a_header_without_the_text_column_names_what_it_found(tmp_path: Path) -> None:
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("id;outlet;body\ns1;Z;The EU extended sanctions.\n", encoding="utf-8")
    assert read(semicolons) == ([], [Skipped(str(semicolons), (
        "no 'text' column (columns, split at each semicolon: id, outlet, body); choose one with --text-column "
        "(several, comma-separated: body,text)"))])
    assert [d.text for d in read(semicolons, text_column="body")[0]] == ["The EU extended sanctions."]
    colons = tmp_path / "colon.csv"
    colons.write_text("id:outlet:text\ns1:Z:Hello there.\n", encoding="utf-8")
    assert read(colons)[1] == [Skipped(str(colons), (
        "no 'text' column (the header is one column, 'id:outlet:text': no comma, semicolon, tab or pipe "
        "separates its names); separate the header's names (and each row's fields) with one of them, or choose "
        "a column with --text-column (several, comma-separated: body,text)"))]
    case = tmp_path / "case.csv"
    case.write_text("id,Text\ns1,Hello there.\n", encoding="utf-8")
    assert read(case)[1] == [Skipped(str(case), (
        "no 'text' column (columns: id, Text); choose one with --text-column ('Text' differs only in case or "
        "spaces: --text-column 'Text') (several, comma-separated: body,text)"))]


def test_a_csv_not_in_utf8_is_one_skip_from_its_header_on(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id;text\ns1;Caf\xe9 owners said so.\n".encode("latin-1"))
    docs, skipped = read(path)
    assert docs == [] and len(skipped) == 1 and skipped[0].reason.startswith("not UTF-8 (byte 0xe9 at offset 14); ")


def test_a_tsv_file_is_read_as_a_tab_separated_csv(tmp_path: Path) -> None:
    path = tmp_path / "posts.tsv"
    path.write_text("id\ttext\nt1\tThe bridge was hit, officials said.\n", encoding="utf-8")
    [doc], skipped = read(path)
    assert (doc.doc_id, doc.text, skipped) == ("t1", "The bridge was hit, officials said.", [])


def test_a_tab_separated_text_may_open_with_a_quotation_mark(tmp_path: Path) -> None:
    path = tmp_path / "quotes.tsv"
    path.write_text('id\ttext\n1\t"Sanctions have failed," Peskov said.\n2\tThe minister said "no" twice.\n'
                    '3\t"We will respond," she said. "Soon."\n4\t"A spreadsheet said ""no"" here."\n',
                    encoding="utf-8")
    docs, skipped = read(path)
    assert skipped == []
    assert [doc.text for doc in docs] == ['"Sanctions have failed," Peskov said.', 'The minister said "no" twice.',
                                          '"We will respond," she said. "Soon."', 'A spreadsheet said "no" here.']
