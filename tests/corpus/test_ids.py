"""Document ids: the same document gets the same doc_id (and claim ids) however the input is named."""

from __future__ import annotations

import json
from pathlib import Path

import corpus
from corpus.claims import build_claims
from corpus.readers import read_documents
from corpus.records import content_id
from corpus.sources import ReadOptions


def rows_of(inputs: list[Path], out: Path, **options) -> list[dict]:
    build_claims([str(p) for p in inputs], str(out), ReadOptions(**options), progress=False, on_note=lambda n: None)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def ids(rows: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((r["doc_id"], r["claim_id"], r["text"]) for r in rows)


def write_rows(folder: Path) -> None:
    folder.mkdir()
    (folder / "feeds.jsonl").write_text(
        json.dumps({"id": "tg-0314", "text": "Rockets hit the station. The army denies it.", "outlet": "TG"}) + "\n"
        + json.dumps({"doc_id": "op-1", "id": "ignored", "text": "The West has no red lines."}) + "\n",
        encoding="utf-8")
    (folder / "checks.csv").write_text("doc_id,body\nfc-001,Claim: fragments were found. Verdict: unproven.\n",
                                       encoding="utf-8")


def test_a_list_of_id_columns_is_read_like_a_list_of_text_columns(tmp_path: Path) -> None:
    write_rows(tmp_path / "c")
    docs = list(read_documents([str(tmp_path / "c")], ReadOptions(text_column="body,text", id_column="doc_id,id")))
    assert [d.doc_id for d in docs] == ["fc-001", "tg-0314", "op-1"]  # the first name holding a value wins
    assert docs[2].meta["id"] == "ignored" and "doc_id" not in docs[2].meta
    assert "id" not in docs[1].meta and "doc_id" not in docs[1].meta


def test_a_folder_and_its_files_give_the_same_doc_ids_and_claim_ids(tmp_path: Path) -> None:
    write_rows(tmp_path / "c")
    (tmp_path / "c" / "note.txt").write_text("Water was cut on Saturday. Repairs began.", encoding="utf-8")
    options = {"text_column": "body,text", "id_column": "doc_id,id"}
    folder = rows_of([tmp_path / "c"], tmp_path / "folder.jsonl", **options)
    files = rows_of([tmp_path / "c" / "feeds.jsonl", tmp_path / "c" / "checks.csv", tmp_path / "c" / "note.txt"],
                    tmp_path / "files.jsonl", **options)
    assert ids(folder) == ids(files)
    assert {r["doc_id"] for r in folder} == {"tg-0314", "op-1", "fc-001",
                                             content_id("Water was cut on Saturday. Repairs began.")}


def test_a_manifest_above_a_file_given_by_name_still_gives_its_id(tmp_path: Path) -> None:
    (tmp_path / "c" / "sub").mkdir(parents=True)
    (tmp_path / "c" / "sub" / "a.txt").write_text("The station was hit.", encoding="utf-8")
    (tmp_path / "c" / "manifest.yaml").write_text(
        "documents:\n  - {file: sub/a.txt, id: wire-7, outlet: Wire}\n", encoding="utf-8")
    [from_folder] = read_documents([str(tmp_path / "c")])
    [from_file] = read_documents([str(tmp_path / "c" / "sub" / "a.txt")])
    assert (from_folder.doc_id, from_folder.meta["outlet"]) == ("wire-7", "Wire")
    assert (from_file.doc_id, from_file.meta["outlet"]) == ("wire-7", "Wire")


def test_a_manifest_above_that_does_not_list_the_file_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "c" / "sub").mkdir(parents=True)
    (tmp_path / "c" / "sub" / "a.txt").write_text("The station was hit.", encoding="utf-8")
    (tmp_path / "c" / "manifest.yaml").write_text("defaults: {outlet: Other}\ndocuments:\n  - {file: b.txt, id: b}\n",
                                                  encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "c" / "sub" / "a.txt")])
    assert doc.doc_id == content_id("The station was hit.") and "outlet" not in doc.meta


def test_the_sample_corpus_keeps_its_content_ids() -> None:
    sample = Path(corpus.__file__).parent / "sample"
    for doc in read_documents([str(sample)]):
        assert doc.doc_id == content_id(doc.text)
        assert [d.doc_id for d in read_documents([doc.path])] == [doc.doc_id]


def test_a_doc_id_column_names_the_document_without_an_option(tmp_path: Path) -> None:
    # The default reads `id`, else `doc_id`: a fact-check CSV keyed by doc_id keeps its ids, so its
    # claims are the same tasks on every push, whatever options a run was given.
    write_rows(tmp_path / "c")
    docs = list(read_documents([str(tmp_path / "c")], ReadOptions(text_column="body,text")))
    assert [d.doc_id for d in docs] == ["fc-001", "tg-0314", "ignored"]   # `id` first, as before
