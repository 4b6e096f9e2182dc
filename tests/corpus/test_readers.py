"""Readers: each format, manifests, and each kind of bad input as one clear skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.errors import UserError
from corpus.manifest import load_manifest
from corpus.readers import read_documents
from corpus.records import Document, content_id
from corpus.sources import ReadOptions, Skipped

PAGE = """<html><head><title>Cyber talks stall | The Daily Example</title>
<meta name="author" content="Jane Roe"><meta property="article:published_time" content="2024-05-14"></head>
<body><nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/about">About us</a></nav>
<article><h1>Cyber talks stall at the UN</h1>
<p>The UN talks on a cybercrime convention stalled on Tuesday after delegates failed to agree on its scope.</p>
<p>"We will not accept a treaty that criminalises speech," said Maria Lopez, a delegate from Spain.</p>
<p>According to diplomats, the next round of talks is planned for August in New York.</p></article>
<footer>Copyright 2024 The Daily Example. All rights reserved. Privacy policy. Cookie settings.</footer>
</body></html>"""


def read(inputs: list[Path | str], **options) -> tuple[list, list[Skipped]]:
    skipped: list[Skipped] = []
    docs = list(read_documents([str(p) for p in inputs], ReadOptions(**options), skipped))
    return docs, skipped


def test_txt_and_md_are_read_as_is_with_a_content_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("First line.\r\nSecond line.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("\ufeff# Heading\n\nBody text here.\n", encoding="utf-8")
    docs, skipped = read([tmp_path / "a.txt", tmp_path / "b.md"])
    assert skipped == []
    assert docs[0].text == "First line.\r\nSecond line.\n"
    assert docs[0].doc_id == content_id(docs[0].text)
    assert docs[1].text == "# Heading\n\nBody text here.\n"  # the BOM is not text
    assert docs[0].meta["source_file"] == str(tmp_path / "a.txt")


def test_html_keeps_the_article_and_drops_navigation(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    [doc], skipped = read([tmp_path / "page.html"])
    assert skipped == []
    assert "The UN talks on a cybercrime convention stalled on Tuesday" in doc.text
    assert "said Maria Lopez" in doc.text
    assert "About us" not in doc.text and "Cookie settings" not in doc.text
    assert doc.meta["author"] == "Jane Roe"
    assert doc.meta["date"] == "2024-05-14"
    assert doc.meta["title"].startswith("Cyber talks stall")


def test_html_without_a_date_in_its_markup_gets_none_not_a_year_from_the_text(tmp_path: Path) -> None:
    undated = PAGE.replace('<meta property="article:published_time" content="2024-05-14">', "").replace(
        "Copyright 2024", "Copyright").replace("on Tuesday", "in May 2019")
    (tmp_path / "page.html").write_text(undated, encoding="utf-8")
    [doc], _ = read([tmp_path / "page.html"])
    assert "in May 2019" in doc.text
    assert "date" not in doc.meta


def test_jsonl_gives_ids_and_metadata_and_reports_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "d1", "text": "Moscow denies it.", "outlet": "TASS"}),
        "{not json",
        json.dumps({"text": "No id here."}),
        json.dumps({"id": "d4", "body": "wrong field"}),
        json.dumps(["a list"]),
    ]) + "\n", encoding="utf-8")
    docs, skipped = read([path])
    assert [d.doc_id for d in docs] == ["d1", content_id("No id here.")]
    assert docs[0].meta["outlet"] == "TASS"
    assert "id" not in docs[0].meta and "text" not in docs[0].meta
    assert [s.where for s in skipped] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "malformed JSON" in skipped[0].reason and "fix or remove that line" in skipped[0].reason
    assert "no 'text' field" in skipped[1].reason and "--text-column" in skipped[1].reason


def test_csv_text_and_id_columns_are_chosen_by_options(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("post,body,channel\np1,Kyiv says the bridge was hit.,tg\np2,,tg\n", encoding="utf-8")
    docs, skipped = read([path], text_column="body", id_column="post")
    assert [(d.doc_id, d.text, d.meta["channel"]) for d in docs] == [("p1", "Kyiv says the bridge was hit.", "tg")]
    assert skipped == []   # an empty text is a note (test_row_readers), not a skip


def test_csv_without_the_text_column_is_skipped_naming_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("post,body\np1,hello there\n", encoding="utf-8")
    docs, skipped = read([path])
    assert docs == []
    assert skipped == [Skipped(str(path), "no 'text' column (columns: post, body); choose one with --text-column "
                                          "(several, comma-separated: body,text)")]


def test_a_list_of_text_columns_reads_a_csv_and_a_jsonl_that_name_their_text_differently(tmp_path: Path) -> None:
    (tmp_path / "statements.csv").write_text("id,body,outlet\ns1,The bridge was hit.,Wire\n", encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "d1", "text": "Talks resumed.", "body": "x"}) + "\n",
                                         encoding="utf-8")
    docs, skipped = read([tmp_path], text_column="body,text")
    assert skipped == []
    by_id = {d.doc_id: d for d in docs}
    assert by_id["s1"].text == "The bridge was hit." and by_id["s1"].meta["outlet"] == "Wire"
    assert by_id["d1"].text == "x" and by_id["d1"].meta["text"] == "Talks resumed."   # the first name found wins
    docs, skipped = read([tmp_path / "docs.jsonl"], text_column="content, message")
    assert [s.reason for s in skipped] == ["no 'content' or 'message' field; add it or choose the field with "
                                           "--text-column (several, comma-separated: body,text)"]


def test_directories_are_walked_sorted_and_manifests_apply(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Two.", encoding="utf-8")
    (tmp_path / "a" / "1.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "0.txt").write_text("Zero.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "README.md").write_text("# About this corpus", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "defaults: {collection: test}\n"
        "documents:\n"
        "  - {file: a/1.txt, id: one, source_type: kremlin_framing}\n"
        "  - {file: 0.txt, kind: blog_repost, voices: {comments_start: Heh}}\n", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert skipped == []
    assert [d.text for d in docs] == ["Zero.", "One.", "Two."]
    assert docs[1].doc_id == "one" and docs[1].meta["source_type"] == "kremlin_framing"
    assert docs[0].meta["voices"] == {"comments_start": "Heh"}
    assert docs[0].meta["collection"] == "test" and docs[2].meta["collection"] == "test"


def test_an_explicit_manifest_wins_and_names_jsonl_documents_by_id(tmp_path: Path) -> None:
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "d1", "text": "A claim."}) + "\n", encoding="utf-8")
    manifest = tmp_path / "meta.yaml"
    manifest.write_text("documents:\n  - {id: d1, outlet: RT, source_type: kremlin_framing}\n", encoding="utf-8")
    [doc], _ = read([tmp_path / "docs.jsonl"], manifest=str(manifest))
    assert (doc.doc_id, doc.meta["outlet"]) == ("d1", "RT")


def test_a_manifest_entry_for_an_id_wins_over_the_row_s_columns_and_a_file_entry_does_not(tmp_path: Path) -> None:
    # The id's entry was applied before the row's columns: QA's `{id: n1, outlet: RT Arabic}` left the
    # row's 'RT' unsaid, as a source_type corrected for one post would have been
    rows = [{"id": "n1", "text": "A claim.", "outlet": "RT", "source_type": "neutral"},
            {"id": "n2", "text": "Another claim.", "outlet": "TASS"}]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - {file: docs.jsonl, outlet: Wire, kind: post}\n"
        "  - {id: n1, outlet: RT Arabic, source_type: kremlin_framing}\n", encoding="utf-8")
    docs, _ = read([tmp_path])
    got = {d.doc_id: (d.meta["outlet"], d.meta.get("source_type"), d.meta["kind"]) for d in docs}
    assert got == {"n1": ("RT Arabic", "kremlin_framing", "post"), "n2": ("TASS", None, "post")}


@pytest.mark.parametrize("body, message", [
    ("documents:\n  - {file: a.txt, voices: {speaker: x}}\n", "unknown voice hint `speaker`"),
    ("documents:\n  - {outlet: RT}\n", "documents entry 1 has neither `file:` nor `id:`"),
    ("docs: []\n", "unknown top-level key(s) docs"),
    ("documents: [\n", "not valid YAML"),
])
def test_a_bad_manifest_is_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_manifest(path)


def test_each_bad_file_is_skipped_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A good file.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 Moskva".encode("latin-1"))
    (tmp_path / "huge.txt").write_text("x" * 3000, encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    docs, skipped = read([tmp_path, tmp_path / "missing.txt"], max_mb=0.002)
    assert [d.text for d in docs] == ["A good file."]
    reasons = {Path(s.where).name: s.reason for s in skipped}
    assert reasons["binary.txt"].startswith("looks binary (NUL bytes)")
    assert reasons["empty.txt"] == "empty (no text); add text or leave the file out"
    assert reasons["huge.txt"] == "2.9 KB is over the 0.002 MB limit per file; split it or raise the limit with --max-file-mb"
    assert reasons["latin.txt"].startswith("not UTF-8 (byte 0xe9 at offset 3); re-encode it as UTF-8")
    assert reasons["scan.pdf"] == ("unknown format '.pdf'; convert it to .txt, .md, .html, .jsonl, .csv or .tsv (a "
                                   "Telegram Desktop export, result.json, is read as it is), or leave it out")
    assert reasons["missing.txt"] == "no such file or directory; check the path"


def test_a_given_link_that_loops_or_leads_nowhere_is_named_as_one(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "moved.txt").symlink_to("gone.txt")
    _, skipped = read([tmp_path / "loop1", tmp_path / "moved.txt"])
    reasons = {Path(s.where).name: s.reason for s in skipped}
    assert reasons == {"loop1": "a symbolic link that loops; point it at the file or give the file itself",
                       "moved.txt": "a symbolic link to gone.txt, which does not exist; check the link or give the "
                                    "file itself"}


def test_an_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Secret.", encoding="utf-8")

    def denied(_path: str) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("corpus.decoding.os.path.getsize", denied)
    docs, skipped = read([path])
    assert docs == []
    assert skipped == [Skipped(str(path), "cannot read it (Permission denied); check that it exists and is readable")]


def test_html_reader_comments_follow_the_article_and_become_commenter_voices(tmp_path: Path) -> None:
    from corpus.extraction import extract_claims

    page = PAGE.replace("</article>", "</article><section id=\"comments\"><h2>Comments</h2>"
                        "<div class=\"comment\"><p>Great article, it shows the talks are a farce.</p></div></section>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc], _ = read([tmp_path / "page.html"])
    assert doc.text[doc.meta["voices"]["comments_offset"]:].startswith("Comments\nGreat article")
    speakers = {c.text: c.speaker for c in extract_claims(doc)}
    assert speakers["Great article, it shows the talks are a farce."] == "commenter"
    assert speakers["According to diplomats, the next round of talks is planned for August in New York."] == "quoted"


FRONT = ('---\ntitle: "Grain, sanctions: and the deal"\nauthor: Irina Sokolova\ndate: 2024-02-24\n'
         'tags: [grain, sanctions]\nid: not-the-doc-id\n---\n'
         'The grain corridor closed in July 2023.\n\nThe ministry blamed Kyiv for it.\n')


def test_markdown_front_matter_is_metadata_and_the_text_stays_whole(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(FRONT, encoding="utf-8")
    [doc], skipped = read([tmp_path / "a.md"])
    assert skipped == []
    assert doc.text == FRONT  # offsets point into the file's text as it is
    assert doc.doc_id == content_id(FRONT)  # an `id` in front matter does not name the document
    assert {k: doc.meta[k] for k in ("title", "author", "date", "tags")} == {
        "title": "Grain, sanctions: and the deal", "author": "Irina Sokolova", "date": "2024-02-24",
        "tags": ["grain", "sanctions"]}
    assert FRONT[doc.meta["voices"]["front_matter_end"]:].startswith("The grain corridor")


@pytest.mark.parametrize("text, meta", [
    ("---\r\ntitle: Grain\r\n---\r\nBody text here.\r\n", {"title": "Grain"}),  # Windows line ends
    ("---\n---\nBody text here.\n", {}),                                       # empty front matter
    ("---\ntitle: Grain\n...\nBody text here.\n", {"title": "Grain"}),          # closed by "..."
])
def test_front_matter_variants(tmp_path: Path, text: str, meta: dict) -> None:
    (tmp_path / "a.md").write_text(text, encoding="utf-8", newline="")
    [doc], _ = read([tmp_path / "a.md"])
    assert doc.text == text
    assert {k: v for k, v in doc.meta.items() if k not in ("source_file", "voices")} == meta
    assert text[doc.meta["voices"]["front_matter_end"]:] == text[text.index("Body"):]


def test_a_manifest_entry_wins_over_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(FRONT, encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - {file: a.md, author: Jane Roe, voices: {comments_start: Heh}}\n", encoding="utf-8")
    [doc], _ = read([tmp_path / "a.md"])
    assert (doc.meta["author"], doc.meta["title"]) == ("Jane Roe", "Grain, sanctions: and the deal")
    assert doc.meta["voices"] == {"front_matter_end": FRONT.index("The grain"), "comments_start": "Heh"}


@pytest.mark.parametrize("name, text", [
    ("bad.md", "---\ntitle: [unclosed\n---\nBody text here.\n"),   # not YAML
    ("rule.md", "---\n\nA rule, then prose.\n\n---\nMore prose.\n"),  # YAML, but not a mapping
    ("late.md", "Intro.\n---\ntitle: x\n---\nBody.\n"),               # not at the very start
    ("plain.txt", "---\ntitle: x\n---\nBody.\n"),                     # only Markdown files have it
    ("deep.md", "---\ntitle: " + "[" * 2000 + "]" * 2000 + "\n---\nBody.\n"),  # too deep for the parser
    ("bomb.md", "---\na: &a [x, x, x, x, x, x, x, x, x]\n"                        # an alias bomb: no hang
     + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
     + "---\nBody.\n"),
])
def test_text_without_front_matter_is_read_as_is(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    [doc], _ = read([tmp_path / name])
    assert doc.text == text
    assert "voices" not in doc.meta and "title" not in doc.meta


def test_every_format_that_names_an_author_gives_an_authors_list(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nauthor: Olena Marchenko\n---\nThe roof collapsed.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b", "text": "Rockets hit.", "author": "Voenkor"}) + "\n",
                                      encoding="utf-8")
    (tmp_path / "c.html").write_text(PAGE.replace('content="Jane Roe"', 'content="Jane Roe; John Smith"'),
                                     encoding="utf-8")
    (tmp_path / "d.txt").write_text("No author here.", encoding="utf-8")
    (tmp_path / "e.txt").write_text("The manifest says who.", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("documents:\n  - {file: e.txt, author: X, authors: [Y, Z]}\n",
                                            encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert skipped == []
    by_file = {Path(d.path).name: d.meta for d in docs}
    assert by_file["a.md"]["authors"] == ["Olena Marchenko"] and by_file["a.md"]["author"] == "Olena Marchenko"
    assert by_file["b.jsonl"]["authors"] == ["Voenkor"]
    assert by_file["c.html"]["authors"] == ["Jane Roe", "John Smith"]
    assert "authors" not in by_file["d.txt"]
    assert by_file["e.txt"]["authors"] == ["Y", "Z"]  # an authors list given is kept


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_page_headline_that_opens_the_text_is_a_headline_like_markdowns(tmp_path: Path) -> None:
    from corpus.extraction import extract_claims

    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "page.md").write_text("# Cyber talks stall at the UN\n\nThe talks stalled on Tuesday.\n", encoding="utf-8")
    [page, md], _ = read([tmp_path / "page.html", tmp_path / "page.md"])
    assert page.text.startswith("Cyber talks stall at the UN\n")
    assert page.meta["voices"] == {"headline_end": len("Cyber talks stall at the UN")}
    first = extract_claims(page)[0]
    heading = extract_claims(md)[0]
    assert (first.text, first.is_claim, first.reason, first.speaker, first.speaker_name) == (
        "Cyber talks stall at the UN", False, "headline", "author", "Jane Roe")
    assert (heading.is_claim, heading.reason, heading.speaker) == (False, "headline", "author")
    [section], _ = read([_write(tmp_path / "s.md", "Intro text here.\n\n## Background\n\nMore text.\n")])
    assert [c.reason for c in extract_claims(section)][1] == "heading"   # a section heading, not a headline
    unhinted = extract_claims(Document(page.doc_id, page.text, {**page.meta, "voices": {}}))
    assert unhinted[0].reason == "not_checkworthy"   # what the headline was before: read as a sentence
    def flags(claims: list) -> list[dict]:
        return [{k: v for k, v in c.to_row().items() if k not in ("context", "context_start")} for c in claims]

    hinted = extract_claims(page)
    assert flags(hinted[1:]) == flags(unhinted[1:])   # the rest as before
    # the lead, a sentence alone in its paragraph, reads on into the next paragraph, but never takes
    # the headline in; read as a sentence, the headline was prose like any other
    assert hinted[1].context_start == hinted[1].start and "Cyber talks" not in hinted[1].context
    assert unhinted[1].context.startswith("Cyber talks stall at the UN\n")


def test_a_text_file_s_first_line_is_a_headline_when_it_is_the_manifest_title(tmp_path: Path) -> None:
    from corpus.extraction import extract_claims

    story = "Grain exports rise in October\n\nShipments rose by 12 percent in October, the ministry said.\n"
    (tmp_path / "a.txt").write_text(story, encoding="utf-8")
    (tmp_path / "b.txt").write_text(story, encoding="utf-8")
    (tmp_path / "c.txt").write_text("Grain exports rise in October\n", encoding="utf-8")   # the title alone
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - {file: a.txt, title: Grain exports rise in October}\n  - {file: b.txt, title: Other}\n"
        "  - {file: c.txt, title: Grain exports rise in October}\n", encoding="utf-8")
    docs, _ = read([tmp_path])
    first = {Path(d.path).name: extract_claims(d)[0] for d in docs}
    assert (first["a.txt"].text, first["a.txt"].is_claim, first["a.txt"].reason) == (
        "Grain exports rise in October", False, "headline")
    assert first["b.txt"].reason != "headline" and first["c.txt"].reason != "headline"


def test_a_markdown_file_s_first_line_is_a_headline_when_it_repeats_the_front_matter_title(tmp_path: Path) -> None:
    from corpus.extraction import extract_claims

    text = ('---\ntitle: "Grain exports rise in October"\nauthor: Irina Sokolova\n---\n'
            "Grain exports rise in October\n\nShipments rose by 12 percent in October, the ministry said.\n")
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "b.md").write_text(text.replace("Grain exports rise in October\n\n", "Exports rose.\n\n"),
                                   encoding="utf-8")
    docs, _ = read([tmp_path])
    claims = {Path(d.path).name: extract_claims(d) for d in docs}
    *front, title, story = [(c.text, c.is_claim, c.reason) for c in claims["a.md"]]
    assert front and all(reason == "front_matter" for _, _, reason in front)
    assert (title, story) == (("Grain exports rise in October", False, "headline"),
                              ("Shipments rose by 12 percent in October, the ministry said.", True, "claim"))
    assert [c.reason for c in claims["b.md"]][len(front):] == ["fragment", "claim"]   # not the title: read as text


@pytest.mark.parametrize("headline, title, hinted", [
    ("<h1>Talks <em>stall</em> &amp; fail</h1>", "Other words | Site", True),   # the <h1>, tags and entities aside
    ("<h2>Talks stall &amp; fail</h2>", "Talks stall &amp; fail", True),          # no <h1>: the page's title
    ("<h2>Talks stall and fail</h2>", "Something else entirely", False),         # neither: read as text
])
def test_the_headline_is_the_title_or_an_h1(tmp_path: Path, headline: str, title: str, hinted: bool) -> None:
    page = PAGE.replace("<title>Cyber talks stall | The Daily Example</title>", f"<title>{title}</title>").replace(
        "<h1>Cyber talks stall at the UN</h1>", headline)
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc], _ = read([tmp_path / "page.html"])
    assert doc.text.startswith("Talks stall")
    assert ("headline_end" in doc.meta.get("voices", {})) is hinted


def test_a_headline_and_comments_keep_both_hints(tmp_path: Path) -> None:
    page = PAGE.replace("</article>", "</article><section id=\"comments\"><h2>Comments</h2>"
                        "<div class=\"comment\"><p>Great article, it shows the talks are a farce.</p></div></section>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc], _ = read([tmp_path / "page.html"])
    assert set(doc.meta["voices"]) == {"comments_offset", "headline_end"}


def test_a_link_out_of_the_corpus_folder_is_skipped_a_link_within_it_read(tmp_path: Path) -> None:
    # A corpus from elsewhere holding notes.txt -> ~/.ssh/... or a workspace's studio.json would have
    # made a private file into claims that annotators see.
    secret = tmp_path / "studio.json"
    secret.write_text('{"password": "hunter2"}', encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The talks failed on Monday.", encoding="utf-8")
    (corpus / "notes.txt").symlink_to(secret)
    (corpus / "same.txt").symlink_to(corpus / "a.txt")   # within the corpus: read once, as a.txt
    docs, skipped = read([corpus])
    assert [d.text for d in docs] == ["The talks failed on Monday."]
    assert [(Path(s.where).name, s.reason.split(",")[0]) for s in skipped] == [("notes.txt", f"a link to {secret}")]
    assert "give that file by name to read it" in skipped[0].reason
    (corpus / "elsewhere").symlink_to(tmp_path / "other", target_is_directory=True)   # a linked folder: said
    (tmp_path / "other").mkdir()
    docs, skipped = read([corpus])
    assert [Path(s.where).name for s in skipped] == ["elsewhere", "notes.txt"]
    assert skipped[0].reason.startswith("a link to the folder ") and "give that folder by name" in skipped[0].reason
    docs, skipped = read([corpus / "notes.txt"])   # given by name, it is read
    assert not skipped and docs[0].text == '{"password": "hunter2"}'


CLAIM_ROW = {"claim_id": "5f0c", "doc_id": "d1", "text": "Moscow denies it.", "start": 0, "end": 17,
             "is_claim": True, "reason": "claim", "speaker": "author", "context": "Moscow denies it."}


@pytest.mark.parametrize("row, what", [
    (CLAIM_ROW, "a claims file written by stance (stance claims)"),
    ({**CLAIM_ROW, "prediction": "deny", "score": 0.9, "probs": {"deny": 0.9}, "model_version": "m1"},
     "a pre-labelled claims file written by stance (stance prelabel)"),
    ({"id": "s1", "text": "Moscow denies it.", "prediction": "deny", "score": 0.9, "probs": {}, "model_version": "m1"},
     "a pre-labelled file written by stance (stance prelabel)"),
    ({"pair_id": "p1", "claim_a": "a", "claim_b": "b", "text_a": "Moscow denies it.", "text_b": "Kyiv says so."},
     "a file of claim pairs written by stance (stance compare)"),
    ({"claim_id": "5f0c", "text": "Moscow denies it.", "label": "deny", "annotator_labels": {}, "agreement": 1.0},
     "a file of labels written by stance (stance pull)"),
])
def test_a_file_of_stances_own_outputs_in_the_corpus_is_one_skip_not_documents(tmp_path: Path, row: dict,
                                                                               what: str) -> None:
    (tmp_path / "a.txt").write_text("Kyiv says the bridge was hit.", encoding="utf-8")
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.text for d in docs] == ["Kyiv says the bridge was hit."]
    assert skipped == [Skipped(str(path), f"{what}, not documents; move it out of the corpus folder "
                                          "(or leave it out of the inputs)")]


def test_a_users_jsonl_of_documents_with_ids_and_times_is_still_documents(tmp_path: Path) -> None:
    path = tmp_path / "segments.jsonl"
    rows = [{"id": "s1", "text": "Moscow denies it.", "start": 0.0, "end": 2.5, "prediction": "none"},
            # a claim-detection data set's own fields: not a claims file of stance's
            {"claim_id": "c8", "text": "Kyiv says it.", "start": 0, "end": 13, "is_claim": True, "label": "check"},
            {"claim_id": "c9", "doc_id": "d", "text": "Kyiv says so.", "start": 3, "end": 16, "is_claim": True}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, skipped = read([path])
    assert skipped == []
    assert [d.text for d in docs] == ["Moscow denies it.", "Kyiv says it.", "Kyiv says so."]   # later rows too
    assert (docs[0].meta["start"], docs[0].meta["end"]) == (0.0, 2.5)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[1:]), encoding="utf-8")   # first row: claim_id, start, ...
    docs, skipped = read([path])
    assert skipped == [] and [d.text for d in docs] == ["Kyiv says it.", "Kyiv says so."]


@pytest.mark.parametrize("head", [b"", b"\r\n"])
def test_a_jsonl_opening_with_a_byte_order_mark_is_read(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + head + b'{"id": "d1", "text": "Moscow denies it."}\n'
                     + b'{"id": "d2", "text": "Kyiv says so."}\n')
    docs, skipped = read([path])
    assert skipped == []
    assert [(d.doc_id, d.text) for d in docs] == [("d1", "Moscow denies it."), ("d2", "Kyiv says so.")]
