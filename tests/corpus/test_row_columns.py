"""JSONL and CSV rows: columns mapped to metadata (--column), rows without text, dates written day first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimstance.cli import main
from corpus.dates import DAY_FIRST, MONTH_FIRST, date_order, iso_date, iso_dates
from corpus.errors import UserError
from corpus.readers import read_documents
from corpus.records import Document
from corpus.row_readers import column_map
from corpus.sources import ReadOptions, Skipped

# A colleague's spreadsheet saved as CSV: a BOM, CRLF, semicolons, Cyrillic headers.
TRACKER = ("\ufeffКанал;Дата;Текст поста;Перевод (EN)\r\n"
           "Военкор Север;14.03.2026 09:12;Хохлы опять.;The Ukrainians are again passing it off as our strike.\r\n"
           "Сводки Юга;15/03/2026;Видео.;\r\n"
           "Сводки Юга;03/04/2026;Штаб.;Locals say there was a headquarters on the ground floor.\r\n")


def read(inputs: list[Path], **options) -> tuple[list, list[Skipped], list[str]]:
    skipped: list[Skipped] = []
    notes: list[str] = []
    docs = list(read_documents([str(p) for p in inputs], ReadOptions(**options), skipped, notes))
    return docs, skipped, notes


def test_columns_map_to_outlet_and_date_and_day_first_dates_become_iso(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(TRACKER.encode("utf-8"))
    columns = column_map(["outlet=Канал", "date=Дата"])
    docs, skipped, notes = read([path], text_column="Перевод (EN)", columns=columns)
    assert skipped == []
    assert [(d.meta["outlet"], d.meta["date"]) for d in docs] == [
        ("Военкор Север", "2026-03-14T09:12"), ("Сводки Юга", "2026-04-03")]   # 03/04: the file is day first
    assert "Канал" not in docs[0].meta and "Дата" not in docs[0].meta and docs[0].meta["Текст поста"] == "Хохлы опять."
    assert notes == [f"{path}: 1 row with an empty 'Перевод (EN)' not read (line 3): nothing to split, as in a post "
                     "of a photo or video alone; give it text to have it read"]


def test_a_mapped_column_no_file_has_is_one_error_listing_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(TRACKER.encode("utf-8"))
    with pytest.raises(UserError) as err:
        read([path], text_column="Перевод (EN)", columns=column_map(["outlet=канал ", "date=Date"]))
    assert str(err.value) == (f"{path}: no 'канал' or 'Date' column for --column outlet=канал, --column date=Date "
                              "(columns, split at each semicolon: Канал, Дата, Текст поста, Перевод (EN)) "
                              "(did you mean 'Канал'?); give the column's name as it is written")


def test_a_file_with_the_key_s_own_column_or_another_named_column_needs_no_mapping(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("outlet,text\nTASS,Moscow denies it.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"channel": "Rybar", "text": "Kyiv says so."}) + "\n"
                                      + json.dumps({"text": "No channel here."}) + "\n", encoding="utf-8")
    docs, skipped, _ = read([tmp_path], columns=column_map(["outlet=Канал,channel"]))
    assert skipped == []
    assert [d.meta.get("outlet") for d in docs] == ["TASS", "Rybar", None]
    bad = tmp_path / "c.jsonl"
    bad.write_text(json.dumps({"text": "x", "source": "y"}) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read([bad], columns=column_map(["outlet=Канал"]))
    assert str(err.value) == (f"{bad}: no 'Канал' column for --column outlet=Канал (its first row's fields: text, "
                              "source); give the column's name as it is written")


@pytest.mark.parametrize("given, message", [
    (["outlet"], "--column outlet: give a metadata key and a column, as in --column outlet=Канал"),
    (["outlet="], "--column outlet=: give a metadata key and a column"),
    (["outlt=Канал"], "--column outlt=Канал: unknown key 'outlt' (did you mean 'outlet'?); map a column to one of: "
                      "outlet, date, author, source_type, title, url, platform, language"),
    (["text=body"], "--column text=body: the text column is chosen with --text-column"),
    (["outlet=a", "outlet=b"], "--column outlet=b: outlet is mapped twice"),
])
def test_a_bad_column_option_is_one_error(given: list[str], message: str) -> None:
    with pytest.raises(UserError) as err:
        column_map(given)
    assert str(err.value).startswith(message)


def test_rows_without_text_are_one_note_and_a_file_of_only_such_rows_is_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    rows = [{"id": f"p{i}", "text": "" if i % 2 else f"Post {i} says the bridge was hit."} for i in range(14)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, skipped, notes = read([path])
    assert (len(docs), skipped) == (7, [])
    assert notes == [f"{path}: 7 rows with an empty 'text' not read (lines 2, 4, 6, 8, 10 and 2 more): nothing to "
                     "split, as in a post of a photo or video alone; give them text to have it read"]
    empty = tmp_path / "media.csv"
    empty.write_text("id,text\na,\nb,  \n", encoding="utf-8")
    docs, skipped, notes = read([empty])
    assert (docs, notes) == ([], [])
    assert skipped == [Skipped(str(empty), "every row's 'text' is empty (2 rows); add text, or choose the column "
                                           "holding it with --text-column")]


def test_claims_and_run_take_the_column_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(TRACKER.encode("utf-8"))
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(path), "--out", str(out), "--text-column", "Перевод (EN)",
                 "--column", "outlet=Канал", "--column", "date=Дата"]) == 0   # the empty row is a note: exit 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["outlet"], r["date"]) for r in rows} == {("Военкор Север", "2026-03-14T09:12"), ("Сводки Юга", "2026-04-03")}
    assert "1 row with an empty 'Перевод (EN)' not read (line 3)" in capsys.readouterr().err
    assert main(["claims", str(path), "--out", str(out), "--column", "channel=Канал"]) == 2
    assert "error: --column channel=Канал: unknown key 'channel'" in capsys.readouterr().err

    import claimstance.pipeline

    seen = {}

    def fake_run(*args, read_options=None, **kwargs):
        seen["columns"] = read_options.columns
        raise UserError("stop here")

    monkeypatch.setattr(claimstance.pipeline, "run", fake_run)
    assert main(["run", "--corpus", str(tmp_path), "--no-push", "--column", "outlet=Канал"]) == 2
    assert seen["columns"] == (("outlet", "Канал"),)


@pytest.mark.parametrize("value, order, iso", [
    ("14.03.2026 07:40", ("dots", DAY_FIRST), "2026-03-14T07:40"),
    ("1.3.2026", ("dots", DAY_FIRST), "2026-03-01"),
    ("14/03/2026", ("slashes", DAY_FIRST), "2026-03-14"),
    ("04/19/2022", ("slashes", MONTH_FIRST), "2022-04-19"),
    ("14/03/2026, 07:40:05", ("slashes", DAY_FIRST), "2026-03-14T07:40:05"),
    ("03/04/2026", ("slashes", None), None),
    ("03/03/2026", ("same", DAY_FIRST), "2026-03-03"),
])
def test_a_date_s_own_numbers_tell_its_order_when_they_can(value: str, order: tuple, iso: str | None) -> None:
    assert date_order(value) == order
    if iso is not None:
        assert iso_date(value, order[1]) == iso


@pytest.mark.parametrize("value", ["2026-03-14", "31.02.2026", "14.03.26", "March 14, 2026", "13/13/2026", None, 7])
def test_iso_dates_other_forms_and_impossible_dates_are_no_written_dates(value: object) -> None:
    assert date_order(value) is None


def _dated(*dates: str | None) -> list[Document]:
    return [Document(doc_id=str(i), text="x", meta={"date": d} if d else {}) for i, d in enumerate(dates)]


def test_a_file_s_dates_are_read_in_the_order_its_telling_dates_give() -> None:
    notes: list[str] = []
    docs = list(iso_dates(iter(_dated("03/04/2022", None, "04/19/2022", "05/06/2022", "12/25/2022")), "f.csv", notes.append))
    assert [d.doc_id for d in docs] == ["0", "1", "2", "3", "4"]   # held back, never reordered
    assert [d.meta.get("date") for d in docs] == ["2022-03-04", None, "2022-04-19", "2022-05-06", "2022-12-25"]
    assert notes == []
    docs = list(iso_dates(iter(_dated("03/04/2026", "05/06/2026", "2026-01-01")), "g.csv", notes.append))
    assert [d.meta["date"] for d in docs] == ["03/04/2026", "05/06/2026", "2026-01-01"]
    assert notes == ["g.csv: 2 dates kept as written (03/04/2026, 05/06/2026): no date in the file has a day over 12, "
                     "so day and month cannot be told apart; write them as ISO dates (2026-03-14) to have them read"]


CHANNELS = "id,Канал,text_en\n1,Rybar,The governor said eleven people were killed in Kharkiv.\n,Rybar,Two drones were downed.\n"


@pytest.mark.parametrize("given, expected", [
    (["author=Канал", "outlet=Канал"], [{"author": "Rybar", "outlet": "Rybar"}, {"author": "Rybar", "outlet": "Rybar"}]),
    (["outlet=id"], [{"outlet": "1", "Канал": "Rybar"}, {"Канал": "Rybar"}]),   # the second row's id is empty
    (["title=text_en"], [{"title": "The governor said eleven people were killed in Kharkiv.", "Канал": "Rybar"},
                         {"title": "Two drones were downed.", "Канал": "Rybar"}]),
])
def test_one_column_may_feed_several_keys_and_the_id_or_text_column_one(tmp_path: Path, given: list[str],
                                                                          expected: list[dict]) -> None:
    path = tmp_path / "channels.csv"
    path.write_text(CHANNELS, encoding="utf-8")
    docs, skipped, _ = read([path], text_column="text_en", columns=column_map(given))
    assert skipped == []
    assert [d.doc_id for d in docs][0] == "1" and docs[0].text.startswith("The governor")
    assert [{k: v for k, v in d.meta.items() if k not in ("source_file", "authors")} for d in docs] == expected


def test_a_file_of_a_mixed_folder_without_the_mapped_column_is_read_without_it_and_named_once(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("text,Тип\nThe governor said ten people died.,wire\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("text\nThe mayor said two people died.\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "Kyiv denied it."}) + "\n", encoding="utf-8")
    docs, skipped, notes = read([tmp_path], columns=column_map(["source_type=Тип"]))
    assert skipped == []
    assert [d.meta.get("source_type") for d in docs] == ["wire", None, None]
    assert notes == [f"--column source_type=Тип: no 'Тип' column in {tmp_path / 'b.csv'}, {tmp_path / 'c.jsonl'}, so "
                     "their documents get no source_type from it; 1 other file has it"]
    with pytest.raises(UserError, match=r"a\.csv and the 2 other CSV/JSONL inputs: no 'Typ' column for --column "
                                        r"source_type=Typ \(columns: text, Тип\)"):
        read([tmp_path], columns=column_map(["source_type=Typ"]))


def test_a_column_no_file_has_is_an_error_even_when_another_file_has_a_field_named_as_the_key(tmp_path: Path) -> None:
    # A JSONL's own `outlet` field is not the CSV's channel column: a misspelt column had merged the
    # CSV's channels into one unnamed source, with only a note saying the other file "has it".
    (tmp_path / "x.csv").write_text("text;Канал\nThe governor said ten people died.;@one\n", encoding="utf-8")
    (tmp_path / "t.jsonl").write_text(json.dumps({"text": "Kyiv denied it.", "outlet": "Voenkor"}) + "\n",
                                      encoding="utf-8")
    with pytest.raises(UserError, match=r"x\.csv and the 1 other CSV/JSONL input: no 'Kanal' column for --column "
                                        r"outlet=Kanal \(columns, split at each semicolon: text, Канал\)"):
        read([tmp_path], columns=column_map(["outlet=Kanal"]))
    docs, skipped, notes = read([tmp_path], columns=column_map(["outlet=Канал"]))
    assert (skipped, sorted(d.meta.get("outlet") for d in docs)) == ([], ["@one", "Voenkor"])
    assert notes == []   # the JSONL keeps its own outlet
    (tmp_path / "y.csv").write_text("text\nThe mayor said two people died.\n", encoding="utf-8")
    _, _, notes = read([tmp_path], columns=column_map(["outlet=Канал"]))
    assert notes == [f"--column outlet=Канал: no 'Канал' column in {tmp_path / 'y.csv'}, so its documents get no "
                     "outlet from it; 1 other file has it and 1 has its own outlet field"]


def test_a_column_option_with_no_row_file_among_the_inputs_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The governor said ten people died.\n", encoding="utf-8")
    docs, skipped, notes = read([tmp_path], columns=column_map(["outlet=Канал"]))
    assert (len(docs), skipped) == (1, [])
    assert notes == ["--column outlet=Канал not used: no CSV or JSONL input (a Telegram export's posts take outlet, "
                     "date and author from the export; a text file's metadata comes from a manifest)"]


def test_a_file_telling_both_date_orders_keeps_every_ambiguous_date_as_written() -> None:
    notes: list[str] = []
    dated = _dated("03/04/2026", "19/04/2026", "05/06/2026", "04/19/2026", "31/02/2026", "14.03.2026")
    docs = list(iso_dates(iter(dated), "f.csv", notes.append))
    assert [d.meta["date"] for d in docs] == ["03/04/2026", "2026-04-19", "05/06/2026", "2026-04-19", "31/02/2026",
                                              "2026-03-14"]
    assert notes == ["f.csv: 2 dates kept as written (03/04/2026, 05/06/2026): the file writes dates both day first "
                     "(19/04/2026) and month first (04/19/2026), so day and month of these cannot be told apart; "
                     "write them as ISO dates (2026-03-14) to have them read",
                     "f.csv: 1 date kept as written (31/02/2026): no such day in the calendar; check the date"]
    # the order told once, an ambiguous date read so even when the telling date comes first
    notes.clear()
    docs = list(iso_dates(iter(_dated("19/04/2026", "03/04/2026")), "g.csv", notes.append))
    assert [d.meta["date"] for d in docs] == ["2026-04-19", "2026-04-03"] and notes == []


def test_a_lone_surrogate_in_a_jsonl_row_becomes_the_replacement_character(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "p1", "text": "Strike on Kharkiv \\ud83d. The governor said ten died.", '
                    '"outlet": "Chan \\ud83d\\ude00 \\udc00"}\n', encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(path), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["text"] == "Strike on Kharkiv \ufffd." and (rows[0]["start"], rows[0]["end"]) == (0, 20)
    assert rows[0]["outlet"] == "Chan \U0001F600 \ufffd"   # a whole pair is the emoji
    assert (f"note: {path}: 2 lone UTF-16 surrogates (half of an emoji, cut) replaced with U+FFFD (the replacement "
            "character), one character for one, so offsets hold") in capsys.readouterr().err


def test_run_takes_max_file_mb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import claimstance.pipeline

    seen = {}

    def fake_run(*args, read_options=None, **kwargs):
        seen["max_mb"] = read_options.max_mb
        raise UserError("stop here")

    monkeypatch.setattr(claimstance.pipeline, "run", fake_run)
    assert main(["run", "--corpus", str(tmp_path), "--no-push", "--max-file-mb", "200"]) == 2
    assert seen["max_mb"] == 200


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_row_file_telling_both_orders_late_keeps_its_ambiguous_dates(tmp_path: Path, suffix: str) -> None:
    dates = ["19/04/2026", "03/04/2026", "05/06/2026", "04/19/2026"]   # told day first, ambiguous, then month first
    path = tmp_path / f"posts{suffix}"
    if suffix == ".csv":
        path.write_text("date,text\n" + "".join(f"{d},Post {i} says the bridge was hit.\n" for i, d in enumerate(dates)),
                        encoding="utf-8")
    else:
        path.write_text("".join(json.dumps({"date": d, "text": f"Post {i}."}) + "\n" for i, d in enumerate(dates)),
                        encoding="utf-8")
    skipped: list[Skipped] = []
    notes: list[str] = []
    docs = read_documents([str(path)], ReadOptions(), skipped, notes)
    first = next(docs)
    assert first.meta["date"] == "2026-04-19"
    assert [d.meta["date"] for d in docs] == ["03/04/2026", "05/06/2026", "2026-04-19"]
    assert skipped == [] and notes == [
        f"{path}: 2 dates kept as written (03/04/2026, 05/06/2026): the file writes dates both day first (19/04/2026) "
        "and month first (04/19/2026), so day and month of these cannot be told apart; write them as ISO dates "
        "(2026-03-14) to have them read"]


def test_a_jsonl_column_is_found_past_the_first_row_and_an_unreadable_file_is_not_blamed(tmp_path: Path,
                                                                                         capsys) -> None:
    """A JSONL row may leave out a field it has no value for: its fields are gathered over its first
    rows. A file the check cannot read (not UTF-8) may hold the column: the option is then a note and
    that file's reader says what is wrong with it, not an error blaming the readable file."""
    rows = [{"id": "1", "text": "The Kremlin said the strike hit a depot."},
            {"id": "2", "text": "Kyiv said it hit homes.", "chan": "Channel Z"}]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "c.jsonl"
    assert main(["claims", str(path), "--out", str(out), "--column", "outlet=chan"]) == 0
    outlets = {json.loads(line).get("outlet") for line in out.read_text(encoding="utf-8").splitlines()}
    assert outlets == {None, "Channel Z"}
    readable = tmp_path / "mixed"
    readable.mkdir()
    (readable / "a.csv").write_text("id,text\n1,The army shelled the town.\n", encoding="utf-8")
    (readable / "b.csv").write_bytes("id;Канал;text\n2;Сводки;The strike hit a depot.\n".encode("cp1251"))
    code = main(["claims", str(readable), "--out", str(tmp_path / "m.jsonl"), "--column", "outlet=Канал"])
    err = capsys.readouterr().err
    assert "no readable file has that column" in err and "b.csv" in err
    assert "a.csv: no 'Канал' column" not in err and code == 1   # b.csv is skipped with its own line


def test_a_row_field_named_like_a_pre_label_field_keeps_its_value_as_meta(tmp_path: Path) -> None:
    """A forum export's `score` (its upvotes) went into the claims as `score`, then `stance prelabel`
    wrote the pre-label's score over it: the document's value was lost without a word."""
    from corpus.extraction import extract_claims
    from models.prelabel import PRELABEL_FIELDS
    from models.provenance import ROW_FIELDS

    fields = {"score": 57, "prediction": "theirs", "model_dir": "/their/model", "scheme": "their scheme"}
    doc = Document("d1", "The Kremlin said the war started in 2014. Ukraine denies it.", {"outlet": "r/x", **fields})
    row = extract_claims(doc)[0].to_row()
    assert {k: row[f"meta_{k}"] for k in fields} == fields
    assert not set(PRELABEL_FIELDS + ROW_FIELDS) & set(row)   # nothing a pre-label writes is there before it
    assert row["outlet"] == "r/x"


def test_a_field_and_its_meta_name_both_keep_their_values(tmp_path: Path) -> None:
    """A document holding `score` and `meta_score` gave one `meta_score` column: the 5 was lost without
    a word. The renamed field takes the next free name, in both writers of a claim row."""
    from corpus.claim_batches import _doc_lines
    from corpus.extraction import claim_rows, extract_claims

    meta = {"score": 5, "meta_score": 7, "start": "s", "meta_start": "m", "meta_meta_start": "mm"}
    doc = Document("d1", "The war goes on. Prices rose.", meta)
    want = {"score": None, "meta_score": 7, "meta_meta_score": 5, "start": 0, "meta_start": "m",
            "meta_meta_start": "mm", "meta_meta_meta_start": "s"}
    lines: list[str] = []
    _doc_lines(doc, lines, {}, {})
    for row in (extract_claims(doc)[0].to_row(), next(claim_rows(doc)), json.loads(lines[0])):
        assert {k: row.get(k) for k in want} == want



def test_a_documents_own_source_file_keeps_its_value_as_meta(tmp_path: Path) -> None:
    """`source_file` is the file the reader read (the push and the run rely on it); a document's own
    field of that name (a JSONL row's, a CSV's column, a manifest's, a front matter's) was overwritten,
    or for a manifest's or a front matter's overwrote the path, without a word. It goes as meta_source_file."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "d1", "text": "The war goes on.", "source_file": "orig.csv",
                                "meta_source_file": "older.csv"}) + "\n", encoding="utf-8")
    table = tmp_path / "rows.csv"
    table.write_text("id,text,source_file\nd2,The war goes on.,orig.xlsx\n", encoding="utf-8")
    page = tmp_path / "story.md"
    page.write_text("---\nsource_file: front.docx\n---\nThe war goes on.\n", encoding="utf-8")
    text = tmp_path / "note.txt"
    text.write_text("The war goes on.\n", encoding="utf-8")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("documents:\n  - file: note.txt\n    source_file: manifest.doc\n", encoding="utf-8")
    docs = {d.path: d.meta for d in read_documents([str(rows), str(table), str(page), str(text)],
                                                   ReadOptions(manifest=str(manifest)))}
    assert docs[str(rows)]["source_file"] == str(rows)
    assert (docs[str(rows)]["meta_source_file"], docs[str(rows)]["meta_meta_source_file"]) == ("older.csv", "orig.csv")
    assert (docs[str(table)]["source_file"], docs[str(table)]["meta_source_file"]) == (str(table), "orig.xlsx")
    assert (docs[str(page)]["source_file"], docs[str(page)]["meta_source_file"]) == (str(page), "front.docx")
    assert (docs[str(text)]["source_file"], docs[str(text)]["meta_source_file"]) == (str(text), "manifest.doc")
