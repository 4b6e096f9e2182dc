"""Claim assembly and `stance claims` end to end: offsets, ids, flags, context, bad input, output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from claimstance.cli import main
from corpus.claims import build_claims
from corpus.extraction import claim_rows, extract_claims
from corpus.readers import read_documents
from corpus.records import BLOGGER, COMMENTER, INTERVIEWEE, INTERVIEWER, QUOTED, Document, make_claim_id

SAMPLE = Path(corpus.__file__).parent / "sample"


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sample_docs() -> list[Document]:
    return list(read_documents([str(SAMPLE)]))


def test_every_row_of_the_sample_corpus_points_at_its_text() -> None:
    for doc in sample_docs():
        claims = extract_claims(doc)
        assert [c.start for c in claims] == sorted(c.start for c in claims)
        for claim in claims:
            assert claim.text == doc.text[claim.start:claim.end]
            assert claim.context[claim.start - claim.context_start:][:len(claim.text)] == claim.text
            assert claim.claim_id == make_claim_id(doc.doc_id, claim.start, claim.end, claim.text)
        owner = [0] * len(doc.text)
        for claim in claims:
            for i in range(claim.start, claim.end):
                owner[i] += 1
        assert all(n == 1 for ch, n in zip(doc.text, owner) if not ch.isspace())
        assert all(b.start >= a.end for a, b in zip(claims, claims[1:]))


def test_claim_rows_are_the_claims_rows() -> None:
    for doc in sample_docs():
        assert list(claim_rows(doc)) == [c.to_row() for c in extract_claims(doc)]


def test_questions_byline_and_markers_are_kept_but_not_claims() -> None:
    rows = [row for doc in sample_docs() for row in claim_rows(doc)]
    for row in rows:
        if row["text"].rstrip("\"'”) ").endswith("?"):
            assert not row["is_claim"], row["text"]
    by_text = {row["text"]: row for row in rows}
    byline = by_text["By Andrei Soldatov and Irina Borogan"]
    assert (byline["is_claim"], byline["reason"], byline["speaker_name"]) == (False, "byline", "Andrei Soldatov and Irina Borogan")
    emphasis = by_text["[My Emphasis]"]
    assert (emphasis["is_claim"], emphasis["reason"]) == (False, "editorial_marker")
    assert emphasis["speaker"] == BLOGGER   # closing the interview's last answer, but the blogger's marker
    marker = next(row for row in rows if row["text"] == "Question:")
    assert (marker["is_claim"], marker["reason"], marker["speaker"]) == (False, "speaker_marker", INTERVIEWER)
    blog = [row for row in rows if row["kind"] == "blog_repost"]
    assert {row["speaker"] for row in blog} >= {BLOGGER, INTERVIEWER, INTERVIEWEE, COMMENTER}
    assert all(row["source_type"] == "kremlin_framing" for row in blog)


def test_a_long_paragraph_gives_a_window_of_sentences_as_context() -> None:
    text = " ".join(f"Sentence number {i} says that the talks failed again." for i in range(40))
    claims = extract_claims(Document("d", text))
    middle = claims[20]
    assert middle.context.startswith("Sentence number 18 ") and middle.context.endswith("number 22 says that the talks failed again.")
    assert text[middle.context_start:].startswith(middle.context)


def test_cli_counts_one_row_and_one_document_in_the_singular(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "one.txt"
    doc.write_text("Russian drones struck the port of Odesa overnight.\n", encoding="utf-8")
    out, documents = tmp_path / "claims.jsonl", tmp_path / "documents.jsonl"
    assert main(["claims", str(doc), "--out", str(out), "--documents", str(documents)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (1 row)\n" in printed and f"wrote {documents} (1 document)\n" in printed   # was "1 rows"


def test_quoted_speech_in_an_article_is_attributed() -> None:
    doc = Document("d", "By Jane Roe\n\nThe talks failed. \"We will never sign,\" said Maria Zakharova.\n")
    speakers = [(c.speaker, c.speaker_name) for c in extract_claims(doc)]
    assert speakers[-1] == (QUOTED, "Maria Zakharova")
    assert speakers[1] == ("author", "Jane Roe")


def test_cli_on_the_sample_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(SAMPLE), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = rows_of(out)
    assert f"documents: 2  sentences: {len(rows)}  claims: {sum(r['is_claim'] for r in rows)}" in printed
    commenter = [r for r in rows if r["speaker"] == "commenter"]
    assert f"commenter {len(commenter)}/{sum(r['is_claim'] for r in commenter)}" in printed
    assert printed.strip().endswith(f"wrote {out} ({len(rows)} rows)")
    assert [r["doc_id"] for r in rows] == sorted((r["doc_id"] for r in rows), key=[r["doc_id"] for r in rows].index)
    docs = {d.doc_id: d.text for d in sample_docs()}
    assert all(docs[r["doc_id"]][r["start"]:r["end"]] == r["text"] for r in rows)
    # the same run again gives the same ids
    again = tmp_path / "again.jsonl"
    assert main(["claims", str(SAMPLE), "--out", str(again)]) == 0
    assert [r["claim_id"] for r in rows_of(again)] == [r["claim_id"] for r in rows]


def test_cli_jsonl_keeps_the_given_ids_and_metadata(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "tg-1", "text": "Kyiv says the bridge was hit. Is it true?", "channel": "x"}) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["claims", str(src), "--out", str(out)]) == 0
    rows = rows_of(out)
    assert [(r["doc_id"], r["text"], r["is_claim"], r["channel"]) for r in rows] == [
        ("tg-1", "Kyiv says the bridge was hit.", rows[0]["is_claim"], "x"),
        ("tg-1", "Is it true?", False, "x"),
    ]


def test_cli_skips_bad_files_lists_them_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus_dir = tmp_path / "in"
    corpus_dir.mkdir()
    (corpus_dir / "good.txt").write_text("The ministry confirmed the attack on Monday.", encoding="utf-8")
    (corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    (corpus_dir / "binary.txt").write_bytes(b"\x00\x01\x02")
    (corpus_dir / "latin.txt").write_bytes("Caf\xe9".encode("latin-1"))
    (corpus_dir / "notes.docx").write_bytes(b"PK")
    (corpus_dir / "huge.txt").write_text("The bridge was hit. " * 100, encoding="utf-8")
    (corpus_dir / "rows.jsonl").write_text('{"id": "r1", "text": "Moscow denies it."}\n{broken\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["claims", str(corpus_dir), "--out", str(out), "--max-file-mb", "0.001"]) == 1
    err = capsys.readouterr().err
    for expected in (f"skipped: {corpus_dir / 'binary.txt'}: looks binary",
                     f"skipped: {corpus_dir / 'empty.txt'}: empty (no text)",
                     f"skipped: {corpus_dir / 'latin.txt'}: not UTF-8",
                     f"skipped: {corpus_dir / 'notes.docx'}: unknown format '.docx'",
                     f"skipped: {corpus_dir / 'huge.txt'}: 2.0 KB is over the 0.001 MB limit per file; "
                     "split it or raise the limit with --max-file-mb",
                     f"skipped: {corpus_dir / 'rows.jsonl'}:2: malformed JSON"):
        assert expected in err
    assert "error: 6 input(s) skipped, not in" in err
    rows = rows_of(out)
    assert {r["text"] for r in rows} == {"The ministry confirmed the attack on Monday.", "Moscow denies it."}


def test_cli_with_nothing_usable_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out" / "claims.jsonl"
    assert main(["claims", str(tmp_path / "empty.txt"), "--out", str(out)]) == 2
    assert "error: no document could be read from the inputs" in capsys.readouterr().err
    assert not out.exists()
    assert not out.parent.exists()   # nor the folder it would have gone in


def test_a_failure_midway_leaves_the_old_output_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Document {i} says the talks failed.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text('{"doc_id": "old"}\n', encoding="utf-8")   # an earlier output, beside the documents
    calls = []

    def boom(doc, lines, by_voice, claims_by_voice, languages=None):
        calls.append(doc.doc_id)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        lines.append("{}")
        return 0

    monkeypatch.setattr("corpus.claim_batches._doc_lines", boom)
    with pytest.raises(RuntimeError):
        build_claims([str(tmp_path)], str(out), workers=1, progress=False)
    assert out.read_text(encoding="utf-8") == '{"doc_id": "old"}\n'
    assert sorted(os.listdir(tmp_path)) == ["0.txt", "1.txt", "2.txt", "out.jsonl"]


def test_a_worker_pool_writes_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("corpus.claim_batches.BATCH_BYTES", 100)  # many small tasks, finishing out of order
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(12):
        (inputs / f"{i:02d}.txt").write_text(f"Report {i}: the talks failed. \"No deal,\" said Anna Lee.\n",
                                             encoding="utf-8")
    (inputs / "bad.txt").write_bytes(b"\x00")
    (inputs / "rows.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "text": f"Row {i} is here."}) + "\n"
                                               for i in range(30)), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    s1 = build_claims([str(inputs)], str(one), workers=1, progress=False)
    s2 = build_claims([str(inputs)], str(two), workers=2, progress=False)
    assert one.read_bytes() == two.read_bytes()
    assert (s1.documents, s1.sentences, s1.by_voice, s1.skipped) == (s2.documents, s2.sentences, s2.by_voice, s2.skipped)
    assert s1.by_voice[QUOTED] == 12


def test_a_rerun_does_not_read_its_own_output(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    for _ in range(2):
        summary = build_claims([str(tmp_path)], str(out), progress=False)
        assert (summary.documents, summary.skipped) == (1, [])


def test_parquet_beside_the_jsonl(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(SAMPLE), "--out", str(out), "--parquet"]) == 0
    table = pq.read_table(tmp_path / "claims.parquet")
    rows = rows_of(out)
    assert table.num_rows == len(rows)
    assert table.column("claim_id").to_pylist() == [r["claim_id"] for r in rows]
    assert table.column("authors").to_pylist()[0] == ["Andrei Soldatov", "Irina Borogan"]


def test_the_stance_command_runs_as_a_process(tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    done = subprocess.run([sys.executable, "-m", "claimstance.cli", "claims", str(SAMPLE), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    assert len(rows_of(out)) > 100


def test_an_output_that_cannot_be_written_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    assert main(["claims", str(tmp_path / "a.txt"), "--out", str(tmp_path)]) == 2
    assert f"error: --out {tmp_path} is a directory; give a file name such as" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert main(["claims", str(tmp_path / "a.txt"), "--out", str(blocker / "claims.jsonl")]) == 2
    assert f"error: cannot write {blocker / 'claims.jsonl'}: {blocker} is a file; choose another output path" \
        in capsys.readouterr().err


# --- the documents file: the text the offsets index ---------------------------------------------

PAGE = """<html><head><title>Bridge hit overnight | Example Wire</title>
<meta name="author" content="Jane Roe"></head>
<body><nav><a href="/">Home</a> <a href="/world">World news</a></nav>
<article><h1>Bridge hit overnight</h1>
<p>A strike damaged the Antonivskyi bridge overnight, cutting the only road to the town, officials said.</p>
<p>"We have no water and no information," said Nadiya Koval, a resident reached by phone.</p></article>
<footer>Copyright 2024 Example Wire. All rights reserved.</footer></body></html>"""


def five_formats(folder: Path) -> Path:
    """A corpus of one document in each format: .txt, .md, .html, .jsonl (two rows) and .csv."""
    folder.mkdir()
    (folder / "a.txt").write_text("By Jane Roe\n\nThe ministry confirmed the attack on Monday.\r\n", encoding="utf-8")
    (folder / "b.md").write_text("---\ntitle: Bridge\nauthor: Olena M\n---\n\n# Bridge hit overnight\n\n"
                                 "The bridge was hit at 3 a.m., the regional governor said.\n", encoding="utf-8")
    (folder / "c.html").write_text(PAGE, encoding="utf-8")
    (folder / "d.jsonl").write_text(json.dumps({"id": "tg-1", "text": "Kyiv says the bridge was hit. Is it true?"})
                                    + "\n" + json.dumps({"id": "tg-2", "text": "Moscow denies it — «no strike».\n"}) + "\n",
                                    encoding="utf-8")
    (folder / "e.csv").write_text('id,text\nfc-1,"Claim: the bridge was hit.\n\nVerdict: true."\n', encoding="utf-8")
    return folder


def test_the_documents_file_holds_the_text_every_claim_indexes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    import trafilatura

    corpus_dir = five_formats(tmp_path / "in")
    out, documents = tmp_path / "claims.jsonl", tmp_path / "documents.jsonl"
    assert main(["claims", str(corpus_dir), "--out", str(out), "--documents", str(documents)]) == 0
    assert capsys.readouterr().out.strip().endswith(f"wrote {documents} (6 documents)")
    docs = {row["doc_id"]: row for row in rows_of(documents)}
    rows = rows_of(out)
    assert {r["doc_id"] for r in rows} == set(docs)
    for row in rows:
        assert row["text"] == docs[row["doc_id"]]["text"][row["start"]:row["end"]]
        assert row["context"] == docs[row["doc_id"]]["text"][row["context_start"]:][:len(row["context"])]
    by_file = {os.path.basename(d["source_file"]): d for d in docs.values()}
    assert {name: d["format"] for name, d in by_file.items()} == {
        "a.txt": "text", "b.md": "markdown", "c.html": "html", "d.jsonl": "jsonl", "e.csv": "csv"}
    assert by_file["a.txt"]["text"] == "By Jane Roe\n\nThe ministry confirmed the attack on Monday.\r\n"
    for d in docs.values():
        assert d["sha1"] == hashlib.sha1(d["text"].encode("utf-8")).hexdigest()
        assert list(d)[:4] == ["doc_id", "source_file", "format", "sha1"] and list(d)[-1] == "text"
    page = by_file["c.html"]
    assert (page["extractor"], page["extractor_version"]) == ("trafilatura", trafilatura.__version__)
    assert page["text"].startswith("Bridge hit overnight\nA strike damaged")
    assert "Home" not in page["text"]
    assert all("extractor" not in d for name, d in by_file.items() if name != "c.html")
    # the page's headline is flagged as the Markdown "# Title" is: a headline, not a claim
    headline = next(r for r in rows if r["doc_id"] == page["doc_id"] and r["sentence"] == 0)
    heading = next(r for r in rows if r["doc_id"] == by_file["b.md"]["doc_id"] and r["text"] == "Bridge hit overnight")
    assert by_file["b.md"]["text"][heading["start"] - 2:heading["end"]] == "# Bridge hit overnight"   # "# ": markup
    assert (headline["text"], headline["is_claim"], headline["reason"], headline["speaker"]) == (
        "Bridge hit overnight", False, "headline", "author")
    assert (heading["is_claim"], heading["reason"], heading["speaker"]) == (False, "headline", "author")


def test_the_documents_file_leaves_the_claims_as_they_were(tmp_path: Path) -> None:
    plain, with_docs = tmp_path / "plain.jsonl", tmp_path / "with.jsonl"
    assert main(["claims", str(SAMPLE), "--out", str(plain)]) == 0
    assert main(["claims", str(SAMPLE), "--out", str(with_docs), "--documents", str(tmp_path / "docs.jsonl")]) == 0
    assert plain.read_bytes() == with_docs.read_bytes()
    assert not (tmp_path / "plain.documents.jsonl").exists()   # opt-in: nothing beside --out without the flag
    texts = {d.doc_id: d.text for d in sample_docs()}
    assert {r["doc_id"]: r["text"] for r in rows_of(tmp_path / "docs.jsonl")} == texts


@pytest.mark.parametrize("where, message", [
    ("out", "--documents {documents} is also the claims output (--out {out}); give it another name"),
    ("input", "--documents {documents} is the input {documents}, which would be replaced; give another path"),
    ("dir", "--documents {documents} is a directory; give a file name such as"),
])
def test_a_documents_file_that_would_replace_an_output_or_input_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, message: str) -> None:
    src = tmp_path / "a.txt"
    src.write_text("The talks failed on Monday.", encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    documents = {"out": out, "input": src, "dir": tmp_path}[where]
    assert main(["claims", str(src), "--out", str(out), "--documents", str(documents)]) == 2
    assert f"error: {message.format(documents=documents, out=out)}" in capsys.readouterr().err
    assert src.read_text(encoding="utf-8") == "The talks failed on Monday."
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


def test_the_manifest_given_is_an_input_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    manifest = tmp_path / "meta.yaml"
    manifest.write_text("documents:\n  - file: a.txt\n    source_type: wire\n", encoding="utf-8")
    assert main(["claims", str(tmp_path / "a.txt"), "--out", str(tmp_path / "c.jsonl"), "--manifest", str(manifest),
                 "--documents", str(manifest)]) == 2
    assert f"error: --documents {manifest} is the input {manifest}, which would be replaced" in capsys.readouterr().err
    assert "source_type: wire" in manifest.read_text(encoding="utf-8")


def test_with_nothing_to_read_neither_file_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    out, documents = tmp_path / "out" / "claims.jsonl", tmp_path / "out" / "documents.jsonl"
    assert main(["claims", str(tmp_path / "empty.txt"), "--out", str(out), "--documents", str(documents)]) == 2
    assert f"({out} and {documents} were not written)" in capsys.readouterr().err
    assert not out.parent.exists()


def test_a_failure_midway_leaves_the_old_documents_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Document {i} says the talks failed.", encoding="utf-8")
    documents = tmp_path / "documents.jsonl"
    documents.write_text('{"doc_id": "old"}\n', encoding="utf-8")   # an earlier output, beside the documents
    calls = []

    def boom(doc):
        calls.append(doc.doc_id)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return {"doc_id": doc.doc_id, "sha1": "x", "source_file": doc.path, "text": doc.text}

    monkeypatch.setattr("corpus.claim_batches.document_row", boom)
    with pytest.raises(RuntimeError):
        build_claims([str(tmp_path)], str(tmp_path / "out.jsonl"), workers=1, progress=False, documents=str(documents))
    assert documents.read_text(encoding="utf-8") == '{"doc_id": "old"}\n'
    assert sorted(os.listdir(tmp_path)) == ["0.txt", "1.txt", "2.txt", "documents.jsonl"]


def test_a_rerun_into_the_corpus_folder_does_not_read_its_documents_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    out, documents = tmp_path / "claims.jsonl", tmp_path / "documents.jsonl"
    for _ in range(2):
        summary = build_claims([str(tmp_path)], str(out), progress=False, documents=str(documents))
        assert (summary.documents, summary.document_rows, summary.skipped) == (1, 1, [])


def test_a_worker_pool_writes_the_same_documents_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("corpus.claim_batches.BATCH_BYTES", 100)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(8):
        (inputs / f"{i:02d}.txt").write_text(f"Report {i}: the talks failed.\n", encoding="utf-8")
    (inputs / "rows.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "text": f"Row {i} is here."}) + "\n"
                                               for i in range(20)), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    build_claims([str(inputs)], str(tmp_path / "c1.jsonl"), workers=1, progress=False, documents=str(one))
    build_claims([str(inputs)], str(tmp_path / "c2.jsonl"), workers=2, progress=False, documents=str(two))
    assert one.read_bytes() == two.read_bytes()
    assert [r["doc_id"] for r in rows_of(one)][8:] == [f"r{i}" for i in range(20)]


def test_an_id_given_to_two_texts_is_a_note_and_a_repeated_text_one_row(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(row) + "\n" for row in (
        {"id": "x", "text": "The bridge was hit."}, {"id": "x", "text": "The bridge was hit."},
        {"id": "x", "text": "The bridge stands."})), encoding="utf-8")
    notes: list[str] = []
    documents = tmp_path / "documents.jsonl"
    summary = build_claims([str(src)], str(tmp_path / "claims.jsonl"), progress=False, documents=str(documents),
                           on_note=notes.append)
    assert [r["text"] for r in rows_of(documents)] == ["The bridge was hit.", "The bridge stands."]
    assert summary.document_rows == 2
    assert notes == [f"{src}: 1 row repeating an earlier row (the same id and text, the first row's metadata kept) "
                     "read once",
                     f"doc_id x names two different texts ({src}): both are read, as two documents under one id, so "
                     "their claims share the doc_id and a claim's offsets index only one of them; give every document "
                     "its own id (--id-column names the column)"]
    # the same note without --documents (it had been said only with it)
    notes.clear()
    build_claims([str(src)], str(tmp_path / "claims.jsonl"), progress=False, on_note=notes.append)
    assert len(notes) == 2 and notes[1].startswith("doc_id x names two different texts")


def test_a_repeated_row_gives_its_claims_once_and_a_repost_without_id_its_own_claims(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.csv"
    text = "Kiev staged the attack. Ukraine denied it."
    first.write_text("".join(json.dumps(row) + "\n" for row in (
        {"id": "7", "text": text, "outlet": "RT"}, {"id": "7", "text": text, "outlet": "RT", "views": 90},
        {"text": text, "outlet": "RT"}, {"text": text, "outlet": "Blog"})), encoding="utf-8")
    second.write_text(f'text,outlet\n"{text}",RT\n"{text}",Forum\n', encoding="utf-8")  # overlapping export
    notes: list[str] = []
    out = tmp_path / "claims.jsonl"
    build_claims([str(first), str(second)], str(out), progress=False, on_note=notes.append)
    rows = rows_of(out)
    ids = [r["claim_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 8   # 7, the RT row without id, the blog's and the forum's: 2 sentences each
    assert {r["outlet"] for r in rows if r["doc_id"] != "7"} == {"RT", "Blog", "Forum"}
    assert len({r["doc_id"] for r in rows}) == 4
    assert notes == [f"{path}: 1 row repeating an earlier row (the same id and text, the first row's metadata kept) "
                     "read once" for path in (first, second)]
    # the same source posting the text again another day: a document of its own
    later = tmp_path / "later.jsonl"
    later.write_text("".join(json.dumps({"text": text, "outlet": "RT", "date": d}) + "\n"
                             for d in ("2024-03-01", "2024-03-09", "2024-03-09")), encoding="utf-8")
    build_claims([str(later)], str(tmp_path / "later-claims.jsonl"), progress=False)
    assert len({r["doc_id"] for r in rows_of(tmp_path / "later-claims.jsonl")}) == 2
    # a row's id does not hang on which copy came first: the files the other way round, the same ids
    again = tmp_path / "again.jsonl"
    build_claims([str(second), str(first)], str(again), progress=False)
    by_outlet = lambda path: sorted((r["outlet"], r["claim_id"]) for r in rows_of(path) if r["doc_id"] != "7")
    assert by_outlet(again) == by_outlet(out)

def test_an_output_inside_the_corpus_folder_never_replaces_a_document_or_the_manifest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    (folder / "manifest.yaml").write_text("documents:\n  - file: a.txt\n    outlet: Wire\n", encoding="utf-8")
    for victim in ("a.txt", "manifest.yaml"):
        before = (folder / victim).read_text(encoding="utf-8")
        assert main(["claims", str(folder), "--out", str(folder / victim)]) == 2
        assert f"is a file of the corpus folder {folder}, which would be replaced" in capsys.readouterr().err
        assert (folder / victim).read_text(encoding="utf-8") == before
    # Its own earlier output, written into the folder, is replaced on a rerun (and never read).
    out = folder / "claims.jsonl"
    assert main(["claims", str(folder), "--out", str(out)]) == 0
    assert main(["claims", str(folder), "--out", str(out)]) == 0
    assert [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "The talks failed on Monday."]


def test_the_manifest_given_is_never_an_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    manifest = tmp_path / "extman.yaml"
    manifest.write_text("documents:\n  - file: a.txt\n    outlet: Wire\n", encoding="utf-8")
    before = manifest.read_text(encoding="utf-8")
    assert main(["claims", str(tmp_path / "a.txt"), "--manifest", str(manifest), "--out", str(manifest)]) == 2
    assert "is the --manifest, which would be replaced" in capsys.readouterr().err
    assert manifest.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_progress_counts_the_bytes_of_one_large_row_file_as_its_rows_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    # QA: one large JSONL or CSV sat at 0/1 (files) until its end; the bar now moves by bytes read
    import tqdm as tqdm_module

    monkeypatch.setattr("corpus.claim_batches.BATCH_BYTES", 20_000)
    text = "The ministry said that four people died in Belgorod on Tuesday. " * 10
    rows = tmp_path / f"rows{suffix}"
    if suffix == ".jsonl":
        rows.write_text("".join(json.dumps({"id": f"r{i}", "text": f"{i} {text}"}) + "\n" for i in range(600)),
                        encoding="utf-8")
    else:
        rows.write_text("id,text\n" + "".join(f'r{i},"{i} {text}"\n' for i in range(600)), encoding="utf-8")
    (tmp_path / "note.txt").write_text("The talks failed on Monday, the envoy said.\n", encoding="utf-8")
    bars = []

    class Recorder:   # tqdm as build_claims makes it, keeping what it is told (a pipe shows no bar)
        def __init__(self, total=None, **kwargs):
            self.total, self.updates = total, []
            bars.append(self)

        def update(self, n=1):
            self.updates.append(n)

        def close(self):
            pass

    monkeypatch.setattr(tqdm_module, "tqdm", Recorder)
    build_claims([str(tmp_path / "note.txt"), str(rows)], str(tmp_path / "out.jsonl"), workers=1)
    [bar] = bars
    size = rows.stat().st_size + (tmp_path / "note.txt").stat().st_size
    assert bar.total == size and sum(bar.updates) == size
    assert len(bar.updates) >= 5   # the row file's bytes come in several steps as its rows are read, ...
    assert max(bar.updates) < rows.stat().st_size / 2   # ... not all at its end
