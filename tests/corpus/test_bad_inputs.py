"""Bad input to the readers and `stance claims`: one line a file, a message that says what happened,
and notes (not skips) for manifest keys and entries that look wrong."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from corpus.claims import build_claims
from corpus.errors import UserError
from corpus.manifest import load_manifest
from corpus.readers import read_documents
from corpus.sources import KNOWN, ReadOptions, Skipped

BINARY = f"looks binary (NUL bytes); only text files ({KNOWN}) are read"


def read(inputs: list[Path], **options) -> tuple[list, list[Skipped], list[str]]:
    skipped: list[Skipped] = []
    notes: list[str] = []
    docs = list(read_documents([str(p) for p in inputs], ReadOptions(**options), skipped, notes))
    return docs, skipped, notes


def random_bytes(n: int, nul: bool = True) -> bytes:
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(n))
    return data if nul else data.replace(b"\x00", b"\x01")


@pytest.mark.parametrize("name", ["binary.jsonl", "binary.csv", "binary.txt", "binary.html"])
def test_a_binary_file_is_one_skip_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(random_bytes(4096).replace(b"\x00", b"\n\x00"))  # many "lines"
    docs, skipped, _ = read([path])
    assert docs == []
    assert skipped == [Skipped(str(path), BINARY)]


def test_binary_without_nul_bytes_is_told_by_its_control_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.jsonl"
    path.write_bytes(random_bytes(4096, nul=False))
    _, skipped, _ = read([path])
    assert skipped == [Skipped(str(path), f"looks binary (control bytes); only text files ({KNOWN}) are read")]


def test_text_in_another_encoding_is_not_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "ru.jsonl"
    line = json.dumps({"text": "Москва заявила, что это провокация."}, ensure_ascii=False) + "\n"
    path.write_bytes(line.encode("cp1251") * 20)
    _, skipped, _ = read([path])
    assert skipped == [Skipped(str(path), "not UTF-8 (byte 0xcc at offset 10); re-encode it as UTF-8, "
                                          "e.g. iconv -f cp1251 -t utf-8 (its bytes read as Cyrillic in cp1251; "
                                          "check the result)")]


RU = "Москва заявила, что это провокация. Министерство обороны сообщило о перехвате ракет.\n"


@pytest.mark.parametrize("name, data, fix", [
    # iconv -f latin1, the advice given to each of these once, makes Москва 'Ìîñêâà': valid UTF-8, read unwarned
    ("ru.txt", RU.encode("koi8_r"), "e.g. iconv -f koi8-r -t utf-8 (its bytes read as Cyrillic in koi8-r"),
    ("fr.txt", "Le ministère a déclaré que la centrale était fermée.\n".encode("latin-1"),
     "e.g. iconv -f latin1 -t utf-8"),
    ("page.html", b'<html><head><meta charset="windows-1251"></head><body><p>' + RU.encode("cp1251") + b"</p></body></html>",
     "from the charset it declares, e.g. iconv -f windows-1251 -t utf-8"),
    ("page2.html", b'<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R"><p>' + RU.encode("koi8_r"),
     "from the charset it declares, e.g. iconv -f KOI8-R -t utf-8"),
    # UTF-8 with a stray byte: re-encoding the whole from latin1 would garble every letter before it
    ("mixed.txt", ("Москва. " * 2000).encode() + b"caf\xe9\n", "the text before it is UTF-8, so fix that byte"),
], ids=["koi8-r", "latin1", "declared", "declared-http-equiv", "utf8-stray-byte"])
def test_a_file_not_utf8_is_told_the_encoding_its_bytes_show(tmp_path: Path, name: str, data: bytes, fix: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _, skipped, _ = read([path])
    assert len(skipped) == 1 and skipped[0].where == str(path)
    assert skipped[0].reason.startswith("not UTF-8 (byte 0x") and fix in skipped[0].reason


@pytest.mark.parametrize("tail, fix, offset", [
    (RU.encode("cp1251"), "e.g. iconv -f cp1251 -t utf-8 (its bytes read as Cyrillic in cp1251", 24010),
    ("café.\n".encode("latin-1"), "e.g. iconv -f latin1 -t utf-8", 24013),
], ids=["cp1251", "latin1"])
def test_a_csv_not_utf8_past_the_bytes_sniffed_names_the_byte_and_the_encoding(tmp_path: Path, tail: bytes, fix: str,
                                                                              offset: int) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"id,text\n" + b"1,The ministry said so.\n" * 1000 + b"2," + tail)
    docs, skipped, _ = read([path])
    assert len(skipped) == 1 and skipped[0].where == str(path)
    assert skipped[0].reason.startswith(f"not UTF-8 (byte 0x{path.read_bytes()[offset]:02x} at offset {offset}); ")
    assert fix in skipped[0].reason


def test_utf16_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes("text\nKyiv says so.\n".encode("utf-16"))
    _, skipped, _ = read([path])
    assert skipped == [Skipped(str(path), "UTF-16 text; re-encode it as UTF-8, e.g. iconv -f utf-16 -t utf-8")]


def test_a_jsonl_with_one_bad_line_late_in_the_file_loses_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    good = json.dumps({"text": "x" * 9000}) + "\n"  # past the bytes looked at up front
    path.write_bytes(good.encode() + '{"text": "caf\xe9"}\n'.encode("latin-1"))
    docs, skipped, _ = read([path])
    assert len(docs) == 1
    assert skipped == [Skipped(f"{path}:2", "not UTF-8; re-encode the file as UTF-8")]


def test_a_jsonl_line_nested_too_deep_is_a_malformed_line_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    deep = '{"id": "a", "text": "x", "x": ' + "[" * 1000 + "]" * 1000 + "}"
    path.write_text(deep + "\n" + json.dumps({"id": "b", "text": "Kyiv says so."}) + "\n", encoding="utf-8")
    docs, skipped, _ = read([path])
    assert [d.doc_id for d in docs] == ["b"]
    assert skipped == [Skipped(f"{path}:1", "malformed JSON (nested too deep); fix or remove that line")]


def nested(levels: int) -> str:
    """A document row nesting ``levels`` levels of objects and lists, the row itself the first."""
    return '{"id": "deep", "text": "Moscow denies it.", "x": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def test_a_jsonl_row_nested_over_100_levels_is_a_skip_and_claims_with_workers_finish(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text("Kyiv says so.", encoding="utf-8")
    (corpus_dir / "ok.jsonl").write_text(nested(100) + "\n", encoding="utf-8")
    path = corpus_dir / "rows.jsonl"
    path.write_text(nested(101) + "\n" + nested(900) + "\n", encoding="utf-8")   # 900 parses, but did not pickle
    docs, skipped, _ = read([corpus_dir])
    assert [d.doc_id for d in docs if d.doc_id == "deep"] == ["deep"]
    reason = "nested too deep (over 100 levels of lists and objects); fix or remove that line"
    assert skipped == [Skipped(f"{path}:1", reason), Skipped(f"{path}:2", reason)]
    summary = build_claims([str(corpus_dir)], str(tmp_path / "c.jsonl"), workers=2, progress=False)
    assert (summary.documents, [s.where for s in summary.skipped]) == (2, [f"{path}:1", f"{path}:2"])


def test_a_csv_with_a_header_and_no_rows_is_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("id,text\n", encoding="utf-8")
    _, skipped, _ = read([path])
    assert skipped == [Skipped(str(path), "empty (a header but no rows); add rows or leave the file out")]


@pytest.mark.parametrize("header, where", [
    ("id,text,text", "'text' is columns 2, 3"),
    ("id;text;outlet;outlet;id", "'id' is columns 1, 5; 'outlet' is columns 3, 4"),
])
def test_a_csv_header_naming_a_column_twice_is_a_skip_not_a_text_lost(tmp_path: Path, header: str, where: str) -> None:
    # Read as a dict, the row had kept the second 'text' alone: 'First says...' vanished unsaid
    path = tmp_path / "posts.csv"
    sep = ";" if ";" in header else ","
    cells = ["1", "First says the port closed.", "Second says it opened.", "x", "y"][:header.count(sep) + 1]
    path.write_text(header + "\n" + sep.join(cells) + "\n", encoding="utf-8")
    docs, skipped, _ = read([path])
    assert docs == []
    assert skipped == [Skipped(str(path), f"the header names a column twice ({where}); rename one of them")]


def test_empty_header_cells_may_repeat(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"   # a spreadsheet's trailing columns with no name
    path.write_text("id,text,,\n1,The port closed.,,\n", encoding="utf-8")
    docs, skipped, _ = read([path])
    assert [d.text for d in docs] == ["The port closed."] and skipped == []


def test_an_empty_directory_is_a_skip_that_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    (docs_dir / "README.md").write_text("# About", encoding="utf-8")
    (docs_dir / "manifest.yaml").write_text("documents: []\n", encoding="utf-8")
    _, skipped, _ = read([tmp_path / "empty", docs_dir])
    assert skipped == [
        Skipped(str(tmp_path / "empty"), f"no {KNOWN} files found (the directory is empty); "
                                         "give a directory holding documents, or the files themselves"),
        Skipped(str(docs_dir), f"no {KNOWN} files found (only README.md, manifest.yaml: hidden files, manifests "
                               "and README/LICENSE files are passed over); give a directory holding documents, "
                               "or the files themselves"),
    ]


def test_a_directory_of_unknown_formats_gets_no_extra_line(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    _, skipped, _ = read([tmp_path])
    assert [s.where for s in skipped] == [str(tmp_path / "scan.pdf")]


def test_claims_on_an_empty_directory_says_what_happened(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    out = tmp_path / "c.jsonl"
    seen: list[str] = []
    with pytest.raises(UserError) as err:
        build_claims([str(tmp_path / "adir")], str(out), on_skip=lambda s: seen.append(str(s)), progress=False)
    assert seen == [f"{tmp_path / 'adir'}: no {KNOWN} files found (the directory is empty); "
                    "give a directory holding documents, or the files themselves"]
    assert str(err.value) == ("no document could be read from the inputs; fix the problems above "
                              f"and run again ({out} was not written)")
    assert not out.exists()


def test_claims_whose_only_input_is_its_own_output_says_so(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    out.write_text('{"claim_id": "x"}\n', encoding="utf-8")
    with pytest.raises(UserError) as err:
        build_claims([str(out)], str(out), progress=False)
    assert str(err.value) == (f"{out}: only this run's own output to read; give the documents to read "
                              f"({out} was not written)")
    assert out.read_text(encoding="utf-8") == '{"claim_id": "x"}\n'


def write_corpus(tmp_path: Path, manifest: str) -> Path:
    (tmp_path / "a.txt").write_text("Moscow denies it.", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return tmp_path / "manifest.yaml"


def test_near_miss_manifest_keys_are_notes_and_ride_along(tmp_path: Path) -> None:
    path = write_corpus(tmp_path, "defaults: {Language: en, notes: free}\n"
                                  "documents:\n  - {file: a.txt, titel: Foo, source_typ: state_media, "
                                  "authors: [A], author: A, batch: 3}\n")
    [doc], skipped, notes = read([tmp_path])
    assert skipped == []
    assert notes == [
        f"{path}: defaults: unknown key `Language` (kept as free metadata); did you mean `language`?",
        f"{path}: documents entry 1: unknown key `titel` (kept as free metadata); did you mean `title`?",
        f"{path}: documents entry 1: unknown key `source_typ` (kept as free metadata); did you mean `source_type`?",
    ]
    assert (doc.meta["titel"], doc.meta["batch"], doc.meta["notes"]) == ("Foo", 3, "free")


def test_a_manifest_entry_for_a_file_not_in_the_corpus_is_one_note(tmp_path: Path) -> None:
    path = write_corpus(tmp_path, "documents:\n  - {file: a.txt, title: A}\n  - {file: a.tx, title: B}\n"
                                  "  - {file: zzz/other.md, title: C}\n")
    docs, skipped, notes = read([tmp_path])
    assert [d.meta["title"] for d in docs] == ["A"] and skipped == []
    assert notes == [
        f"{path}: documents entry 2 names `a.tx`, which is not in the corpus (did you mean `a.txt`?); "
        "fix the file name or remove the entry",
        f"{path}: documents entry 3 names `zzz/other.md`, which is not in the corpus; "
        "fix the file name or remove the entry",
    ]


def test_a_manifest_entry_for_an_id_no_row_has_is_one_note_when_the_folder_is_read(tmp_path: Path) -> None:
    # `{id: n-1, ...}` for the row n1 corrected nothing, and nothing said so
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(json.dumps({"id": "n1", "text": "The port closed."}) + "\n", encoding="utf-8")
    (corpus / "b.csv").write_text("id,text\nc7,The port reopened.\n", encoding="utf-8")
    manifest = corpus / "manifest.yaml"
    manifest.write_text("documents:\n  - {id: n1, outlet: RT}\n  - {id: n-1, outlet: TASS}\n"
                        "  - {id: c7, outlet: Wire}\n  - {file: b.csv, kind: post}\n  - {id: zz, title: Z}\n",
                        encoding="utf-8")
    notes: list[str] = []
    build_claims([str(corpus)], str(tmp_path / "c.jsonl"), progress=False, on_note=notes.append)
    assert notes == [
        f"{manifest}: documents entry 2 names id `n-1`, which no row of the corpus has (did you mean `n1`?); "
        "fix the id or remove the entry",
        f"{manifest}: documents entry 5 names id `zz`, which no row of the corpus has; fix the id or remove the entry"]
    notes.clear()   # one file of the folder: the other's ids are not read, and not told
    build_claims([str(corpus / "a.jsonl")], str(tmp_path / "c.jsonl"), progress=False, on_note=notes.append)
    assert [n for n in notes if "names id" in n] == []


def test_an_entry_for_a_real_file_left_out_of_this_run_is_not_noted(tmp_path: Path) -> None:
    write_corpus(tmp_path, "documents:\n  - {file: a.txt}\n  - {file: b.txt}\n")
    (tmp_path / "b.txt").write_text("Kyiv says so.", encoding="utf-8")
    docs, _, notes = read([tmp_path / "a.txt"])
    assert len(docs) == 1 and notes == []


def test_an_explicit_manifest_that_is_also_the_local_one_is_noted_once(tmp_path: Path) -> None:
    path = write_corpus(tmp_path, "documents:\n  - {file: a.txt, titel: A}\n")
    _, _, notes = read([tmp_path], manifest=str(path))
    assert notes == [f"{path}: documents entry 1: unknown key `titel` (kept as free metadata); did you mean `title`?"]


@pytest.mark.parametrize("value, fix", [
    ("State Media", "write it as `state_media`"),
    ("[a, b]", "give one id such as `state_media`"),
])
def test_a_source_type_no_scheme_could_match_is_a_note(tmp_path: Path, value: str, fix: str) -> None:
    path = write_corpus(tmp_path, f"documents:\n  - file: a.txt\n    source_type: {value}\n")
    shown = "['a', 'b']" if value.startswith("[") else value
    _, _, notes = read([tmp_path])
    assert notes == [f"{path}: documents entry 1: source_type `{shown}` is not a source-type id (lowercase "
                     f"letters, digits and _), so no label scheme will match it; {fix}"]


def test_an_empty_manifest_means_no_metadata_and_no_note(tmp_path: Path) -> None:
    write_corpus(tmp_path, "")
    [doc], skipped, notes = read([tmp_path])
    assert (skipped, notes) == ([], [])
    assert doc.meta == {"source_file": str(tmp_path / "a.txt")}


@pytest.mark.parametrize("body, message", [
    ("documnts:\n  - {file: a.txt}\n", "unknown top-level key(s) documnts; a manifest has `defaults:` and "
                                       "`documents:` (did you mean `documents` for `documnts`?)"),
    ("documents:\n  - {flie: a.txt}\n", "documents entry 1 has neither `file:` nor `id:`; add one "
                                        "(did you mean `file` for `flie`?)"),
    ("documents:\n  - {title: T, kind: blog}\n", "documents entry 1 has neither `file:` nor `id:`; add one"),
])
def test_manifest_errors_suggest_the_key_meant(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_manifest(path)
    assert str(err.value) == f"{path}: {message}"


def test_claims_prints_manifest_notes_and_keeps_them_in_the_summary(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_corpus(tmp_path / "", "documents:\n  - {file: a.txt, titel: A}\n")
    out = tmp_path / "out" / "c.jsonl"
    out.parent.mkdir()
    summary = build_claims([str(tmp_path)], str(out), progress=False)
    note = f"{path}: documents entry 1: unknown key `titel` (kept as free metadata); did you mean `title`?"
    assert summary.notes == [note] and summary.skipped == [] and summary.documents == 1
    assert capsys.readouterr().err == f"note: {note}\n"


def test_a_file_the_manifest_does_not_list_is_noted(tmp_path: Path) -> None:
    path = write_corpus(tmp_path, "defaults: {collection: c}\ndocuments:\n  - {file: a.txt, source_type: state_media}\n")
    (tmp_path / "b.txt").write_text("Kyiv says so.", encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text('{"id": "r1", "text": "Rows carry their own metadata."}\n', encoding="utf-8")
    (tmp_path / "oped.md").write_text("---\noutlet: Review\nsource_type: independent_media\n---\nIt says so.\n",
                                      encoding="utf-8")   # its front matter gives it a source_type: no note
    docs, _, notes = read([tmp_path])
    assert len(docs) == 4 and {d.meta.get("source_type") for d in docs} == {"state_media", "independent_media", None}
    assert notes == [f"{tmp_path / 'b.txt'} is not listed in {path}, so it gets no source_type, outlet or date; "
                     "add a `- file:` entry saying what you know about it"]
    for n in range(4):
        (tmp_path / f"more{n}.txt").write_text(f"Text {n}.", encoding="utf-8")
    _, _, notes = read([tmp_path])
    assert notes == [f"{tmp_path / 'b.txt'}, {tmp_path / 'more0.txt'}, {tmp_path / 'more1.txt'} and 2 more are not "
                     f"listed in {path}, so they get no source_type, outlet or date; add `- file:` entries saying "
                     "what you know about them"]


def test_a_manifest_of_defaults_alone_lists_no_file_and_gives_no_note(tmp_path: Path) -> None:
    write_corpus(tmp_path, "defaults: {source_type: state_media}\n")
    [doc], _, notes = read([tmp_path])
    assert notes == [] and doc.meta["source_type"] == "state_media"


def write_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "posts.csv"
    path.write_text(body, encoding="utf-8")
    return path


def test_rows_whose_text_is_html_get_one_note_a_file(tmp_path: Path) -> None:
    # A site's API export: '<p>The ministry said ...</p><p>Engineers ...' was split as plain text, tags and
    # all, one sentence across the two paragraphs, and nothing said so
    rows = [{"id": "h1", "text": "<p>The ministry said the <b>grid</b> was stable.</p><p>Engineers disagreed.</p>"},
            {"id": "h2", "text": "Prices rose &amp; wages fell."},
            {"id": "p1", "text": "Plain: a < b and c > d at AT&T, <3."}]
    (tmp_path / "api.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "api.csv").write_text('id,text\nc1,"Officials said<br>nothing happened."\nc2,No markup here.\n',
                                      encoding="utf-8")
    docs, skipped, notes = read([tmp_path / "api.jsonl", tmp_path / "api.csv"])
    assert len(docs) == 5 and skipped == []
    tail = ("read as plain text: its tags and entities go into the claims and a paragraph break is missed; strip the "
            "markup from the rows first, or save each text as a .html file, whose page is extracted")
    assert notes == [f"{tmp_path / 'api.jsonl'}: 2 rows hold HTML markup in the text ('<p>' in document h1 and 1 more), "
                     + tail,
                     f"{tmp_path / 'api.csv'}: 1 row holds HTML markup in the text ('<br>' in document c1), " + tail]


def test_plain_rows_get_no_markup_note(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": "p", "text": "Kyiv <-> Moscow talks: 3 < 4, R&D, Q&A; <unknown> tag."}) + "\n",
                    encoding="utf-8")
    _, _, notes = read([path])
    assert notes == []


def test_a_csv_row_split_by_unquoted_commas_is_a_skip_not_a_cut_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,text\na,The Kremlin said, without evidence, that NATO provoked the war.\n"
                               "b,Kyiv says the bridge was hit.\n")
    docs, skipped, _ = read([path])
    assert [(d.doc_id, d.text) for d in docs] == [("b", "Kyiv says the bridge was hit.")]
    assert skipped == [Skipped(f"{path}:2", 'this row has 4 fields, the header 2; quote the text field ("...") '
                                            "when it holds commas")]


def test_a_csv_row_with_too_few_fields_says_how_many(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,source,text\na\nb,tg,Kyiv says so.\nc,The minister said\n")
    docs, skipped, _ = read([path])
    assert [d.doc_id for d in docs] == ["b"]
    assert skipped == [
        Skipped(f"{path}:2", 'this row has 1 field, the header 3; give each column its field (an empty one too: '
                             'a,,c), and quote the text field ("...") when it holds a line break'),
        Skipped(f"{path}:4", 'this row has 2 fields, the header 3; give each column its field (an empty one too: '
                             'a,,c), and quote the text field ("...") when it holds a line break'),
    ]


def test_empty_cells_past_the_header_lose_nothing_and_are_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,text\na,Kyiv says so.,,\n")
    [doc], skipped, _ = read([path])
    assert (doc.doc_id, doc.text, skipped) == ("a", "Kyiv says so.", [])
    assert doc.meta == {"source_file": str(path)}


def test_a_quote_never_closed_names_its_line_and_keeps_the_rows_before(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,text\nz,Moscow denies it.\na,"The Kremlin said NATO provoked it.\n'
                               "b,Second row.\nc,Third row.\nd,Fourth row.\n")
    docs, skipped, _ = read([path])
    assert [d.doc_id for d in docs] == ["z"]
    assert skipped == [Skipped(f"{path}:3", 'the quote (") opened on this line is never closed: lines 3-6, to the '
                                            "end of the file, ran into one field and were not read; close the "
                                            'quote (a quote inside a quoted field is doubled: "")')]


def test_a_quote_left_open_until_a_later_quote_loses_only_the_lines_between(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,text\na,"The Kremlin said NATO provoked it.\nb,Second row.\n'
                               'c,"Third" row.\nd,Fourth row.\n')
    docs, skipped, _ = read([path])
    assert [(d.doc_id, d.text) for d in docs] == [("d", "Fourth row.")]
    assert skipped == [Skipped(f"{path}:2", 'the quote (") opened on this line runs on to line 4 (\',\' expected '
                                            "after '\"'), so lines 2-4 ran into one field and were not read; close "
                                            'the quote where its field ends (a quote inside a quoted field is '
                                            'doubled: "")')]


def test_text_after_a_closing_quote_skips_that_row_only(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,text\na,"The minister" said it\nb,Kyiv says so.\n')
    docs, skipped, _ = read([path])
    assert [d.doc_id for d in docs] == ["b"]
    assert skipped == [Skipped(f"{path}:2", "text after the closing quote of a field (',' expected after '\"'); "
                                            'put the whole field in quotes and double each quote inside it ("")')]


def test_a_quote_open_on_the_last_line_says_the_file_ends_first(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,text\na,Kyiv says so.\nb,"The minister said')
    docs, skipped, _ = read([path])
    assert [d.doc_id for d in docs] == ["a"]
    assert skipped == [Skipped(f"{path}:3", 'the quote (") opened on this line is never closed before the file '
                                            'ends; close the quote (a quote inside a quoted field is doubled: "")')]


def test_a_header_whose_quote_never_closes_is_one_skip(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,"text\na,Kyiv says so.\n')
    docs, skipped, _ = read([path])
    assert docs == []
    assert skipped == [Skipped(f"{path}:1", 'the quote (") opened on this line is never closed: lines 1-2, to the '
                                            "end of the file, ran into one field and were not read; close the "
                                            'quote (a quote inside a quoted field is doubled: "")')]


def test_quoted_fields_over_several_lines_still_read_and_rows_are_named_by_their_first_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'id,text,outlet\r\n\r\na,"Claim: the bridge was hit, twice.\r\n\r\n'
                               'Verdict: ""true"", say officials.",Wire\r\nb,,Wire\r\n')
    docs, skipped, notes = read([path])
    assert [(d.doc_id, d.text, d.meta["outlet"]) for d in docs] == [
        ("a", 'Claim: the bridge was hit, twice.\r\n\r\nVerdict: "true", say officials.', "Wire")]
    assert skipped == []
    assert notes == [f"{path}: 1 row with an empty 'text' not read (line 6): nothing to split, as in a post of a "
                     "photo or video alone; give it text to have it read"]


def test_claims_on_a_csv_with_a_cut_row_exits_1_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from claimstance.cli import main

    path = write_csv(tmp_path, "id,text\na,The Kremlin said, without evidence, that NATO provoked the war.\n"
                               "b,Kyiv says the bridge was hit.\n")
    out = tmp_path / "c.jsonl"
    assert main(["claims", str(path), "--out", str(out)]) == 1
    assert [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["b"]
    assert f"skipped: {path}:2: this row has 4 fields, the header 2" in capsys.readouterr().err


def test_a_named_pipe_in_a_corpus_folder_is_a_skip_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Moscow denies it.", encoding="utf-8")
    pipe = tmp_path / "x.txt"
    os.mkfifo(pipe)
    docs, skipped, _ = read([tmp_path])
    assert [d.text for d in docs] == ["Moscow denies it."]
    assert skipped == [Skipped(str(pipe), "a named pipe (FIFO), not a regular file, so it is not read (reading it "
                                          "could wait or run forever); move it out of the corpus folder")]
    docs, skipped, _ = read([pipe])   # given by name
    assert docs == []
    assert skipped == [Skipped(str(pipe), "a named pipe (FIFO), not a regular file, so it is not read (reading it "
                                          "could wait or run forever); save what it carries to a file and give that")]


def test_claims_on_a_folder_holding_a_named_pipe_finishes_and_names_it(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text("Moscow denies it.", encoding="utf-8")
    os.mkfifo(corpus_dir / "x.txt")
    summary = build_claims([str(corpus_dir)], str(tmp_path / "c.jsonl"), progress=False)
    assert summary.documents == 1
    assert [s.where for s in summary.skipped] == [str(corpus_dir / "x.txt")]
