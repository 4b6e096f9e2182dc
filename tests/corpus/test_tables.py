"""Tables are no prose: a Markdown pipe table's lines (its delimiter row too), and an HTML table, which
the extractor lays out as the same ``| a | b |`` lines, are kept as rows flagged ``table``, one a line,
with exact offsets; never a claim, never joined to a neighbour, never in a prose neighbour's context."""

from __future__ import annotations

from pathlib import Path

from corpus.extraction import extract_claims
from corpus.records import Document
from corpus.readers import read_documents
from corpus.sentences import split_paragraphs

MARKDOWN = ("# Casualty figures disputed\n\n"
            "Regional officials published figures that contradict the ministry on Tuesday.\n"
            "| Region | Ministry figure | Hospital figure |\n"
            "|:-------|:---------------:|----------------:|\n"
            "| Belgorod | 4 dead | 6 dead, according to hospital staff in the city |\n"
            "| Kursk | no casualties reported | 2 dead, the regional governor said on Monday |\n\n"
            "The ministry did not respond to requests for comment on the figures.\n")

PAGE = ("<html><head><title>Casualty figures disputed by regional officials</title></head><body><article>"
        "<h1>Casualty figures disputed by regional officials</h1>\n"
        "<p>Regional officials published figures that contradict the ministry's statement on Tuesday.</p>\n"
        "<table><tr><th>Region</th><th>Ministry figure</th><th>Hospital figure</th></tr>\n"
        "<tr><td>Belgorod</td><td>4 dead</td><td>6 dead, according to hospital staff</td></tr>\n"
        "<tr><td>Kursk</td><td>no casualties reported</td><td>2 dead</td></tr></table>\n"
        "<p>The ministry did not respond to requests for comment.</p></article></body></html>")


def _claims(tmp_path: Path, name: str, text: str) -> list:
    (tmp_path / name).write_text(text, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / name)])
    claims = extract_claims(doc)
    assert all(doc.text[c.start:c.end] == c.text for c in claims)
    assert all(doc.text[c.context_start:c.context_start + len(c.context)] == c.context for c in claims)
    return claims


def test_a_markdown_table_s_lines_are_table_rows_one_a_line_never_claims(tmp_path: Path) -> None:
    claims = _claims(tmp_path, "story.md", MARKDOWN)
    rows = [c for c in claims if c.text.startswith("|")]
    assert [c.text for c in rows] == MARKDOWN.splitlines()[3:7]   # header, delimiter, two body rows
    assert {(c.is_claim, c.reason) for c in rows} == {(False, "table")}
    # each row is read in its table, and no prose paragraph takes a row into its context
    table = "\n".join(MARKDOWN.splitlines()[3:7])
    assert {c.context for c in rows} == {table}
    prose = [c for c in claims if not c.text.startswith("|") and c.reason != "headline"]
    assert len(prose) == 2 and all("|" not in c.context for c in prose)


def test_an_html_table_is_read_as_table_rows_not_sentences_run_together(tmp_path: Path) -> None:
    claims = _claims(tmp_path, "page.html", PAGE)
    rows = [c for c in claims if "|" in c.text]
    assert [c.text for c in rows] == ["| Region | Ministry figure | Hospital figure |", "|---|---|---|",
                                      "| Belgorod | 4 dead | 6 dead, according to hospital staff |",
                                      "| Kursk | no casualties reported | 2 dead |"]
    assert {(c.is_claim, c.reason) for c in rows} == {(False, "table")}
    assert [c.reason for c in claims if "|" not in c.text] == ["headline", "claim", "not_checkworthy"]


def test_table_lines_of_one_width_are_not_joined_as_hard_wrapped_text() -> None:
    # four lines of nearly one length (55-100 characters) read as a block wrapped at a fixed width
    text = "\n".join(f"| Row {n} | a long cell of words that goes on and on | another cell here |"
                     for n in range(4))
    assert len(split_paragraphs(text)) == 4


def test_a_pipe_in_prose_is_no_table() -> None:
    from corpus.sentences import is_table_line
    text = "Turnout was 61% | 58% in the two rounds, the commission said."
    assert not is_table_line(text, 0, len(text))
    assert is_table_line("---|:---:", 0, 9) and is_table_line("| a |", 0, 5)


PIPELESS = ("The figures differ.\n"
            "Region | Ministry figure | Hospital figure\n"
            "--- | :---: | ---\n"
            "Belgorod | 4 dead | 6 dead\n"
            "kursk | no casualties reported | 2 dead, the regional governor said on Monday\n"
            "The ministry did not respond to requests for comment.\n\n"
            "Turnout was 61% | 58% in the two rounds, the commission said.\n")


def test_a_table_without_outer_pipes_is_flagged_from_its_delimiter_row(tmp_path: Path) -> None:
    # QA: only the delimiter row was flagged; the header and body rows were prose (the last two run together)
    for name in ("story.md", "story.txt"):
        claims = _claims(tmp_path, name, PIPELESS)
        lines = PIPELESS.splitlines()
        rows = [c for c in claims if c.reason == "table"]
        assert [c.text for c in rows] == lines[1:5]   # header, delimiter, two body rows: one row a line
        assert {c.context for c in rows} == {"\n".join(lines[1:5])} and not any(c.is_claim for c in rows)
        # the table ends at a line without a pipe; a pipe in prose under a blank line is no row
        prose = {c.text: c for c in claims if c.reason != "table"}
        assert set(prose) == {lines[0], lines[5], lines[7]}
        assert not any(row in c.context for c in prose.values() for row in lines[1:5])


def test_a_table_without_outer_pipes_stops_at_a_blank_line_and_needs_its_delimiter_row() -> None:
    text = ("Name | Value\n--- | ---\nfoo | bar\nbaz | qux\n\nquux | corge\n\n"
            "Kyiv | 3 dead\nKharkiv | 2 dead\n")
    by_text = {c.text: c for c in extract_claims(Document("d", text, path="notes.txt"))}
    assert [by_text[t].reason for t in ("Name | Value", "--- | ---", "foo | bar", "baz | qux")] == ["table"] * 4
    assert by_text["baz | qux"].context == "Name | Value\n--- | ---\nfoo | bar\nbaz | qux"
    # under a blank line, or with no delimiter row, a line with a pipe is no table's
    assert by_text["quux | corge"].reason != "table"
    assert all(c.reason != "table" for c in by_text.values() if c.start >= text.index("Kyiv"))
    assert [text[s:e] for s, e in split_paragraphs(text)][:4] == ["Name | Value", "--- | ---", "foo | bar", "baz | qux"]


QUOTED = ("The ministry published its figures on Tuesday.\n\n"
          "> | Region | Ministry figure | Hospital figure |\n"
          "> |:-------|:---------------:|----------------:|\n"
          "> | Belgorod | 4 dead | 6 dead, according to hospital staff in the city |\n\n"
          "The governor quoted the regional figures instead:\n\n"
          "> Region | Ministry figure | Hospital figure\n"
          "> --- | --- | ---\n"
          "> Kursk | no casualties reported | 2 dead, the regional governor said\n"
          "> belgorod | 4 dead | 6 dead\n"
          "> > Kharkiv | 5 dead | 7 dead\n\n"
          "The ministry did not respond to requests for comment on the figures.\n")


def test_a_table_inside_a_quotation_is_read_as_a_table(tmp_path: Path) -> None:
    # QA: a quotation's table ("> | a | b |", "> a | b" over "> --- | ---") gave fragments and headings, and
    # its rows without pipes in lower case ran together
    lines = QUOTED.splitlines()
    for name, markers in (("story.md", False), ("story.txt", True)):
        claims = _claims(tmp_path, name, QUOTED)
        rows = [c for c in claims if c.reason == "table"]
        # one row a line; a Markdown row leaves out its ">", as a claim does, plain text keeps every character
        expected = lines[2:5] + lines[8:12]
        assert [c.text for c in rows] == (expected if markers else [line[2:] for line in expected])
        assert not any(c.is_claim for c in rows)
        # each row is read in its table, as written; a deeper quotation's line is no row of it
        assert {c.context for c in rows[:3]} == {"\n".join(lines[2:5])}
        assert {c.context for c in rows[3:]} == {"\n".join(lines[8:12])}
        assert [c.reason for c in claims if c.start > QUOTED.index("> > Kharkiv")][0] != "table"
        prose = [c for c in claims if c.reason != "table"]
        assert len(prose) == 4 and not any(row in c.context for c in prose for row in expected)
    assert [QUOTED[s:e] for s, e in split_paragraphs(QUOTED)][7:9] == lines[10:12]


def test_a_quotation_s_lines_with_pipes_but_no_delimiter_row_are_no_table(tmp_path: Path) -> None:
    text = "The figures:\n\n> Kyiv | 3 dead\n> Kharkiv | 2 dead\n\n> Turnout was 61% | 58% in the two rounds.\n"
    for name in ("story.md", "story.txt"):
        assert not [c for c in _claims(tmp_path, name, text) if c.reason == "table"]
