"""Telegram Desktop exports (result.json): one post a document, entity lists joined, offsets exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimstance.cli import main
from corpus.readers import read_documents
from corpus.sources import ReadOptions, Skipped
from corpus.telegram import is_export, post_text

# A hand-written export of a made-up channel: a service message, a post whose text is a list of
# strings and entities, a forwarded reply, a photo without caption, a plain-string post.
EXPORT = {
    "name": "Frontline Digest Z",
    "type": "public_channel",
    "id": 1500000001,
    "messages": [
        {"id": 10, "type": "service", "date": "2026-03-14T06:58:02", "actor": "Frontline Digest Z",
         "action": "pin_message", "message_id": 9, "text": "", "text_entities": []},
        {"id": 11, "type": "message", "date": "2026-03-14T07:04:19", "date_unixtime": "1773471859",
         "from": "Frontline Digest Z", "from_id": "channel1500000001",
         "text": [{"type": "bold", "text": "Kharkiv: a depot was hit overnight."}, "\n\nOur sources say the ",
                  {"type": "text_link", "text": "strike", "href": "https://example.org/x"},
                  " destroyed two launchers. ", {"type": "hashtag", "text": "#Kharkiv"}],
         "text_entities": []},
        {"id": 12, "type": "message", "date": "2026-03-14T08:31:40", "from": "Frontline Digest Z",
         "forwarded_from": "Maria Zakharova", "reply_to_message_id": 11,
         "text": "Western media are again circulating staged footage, the ministry said."},
        {"id": 13, "type": "message", "date": "2026-03-14T09:00:00", "from": "Frontline Digest Z",
         "photo": "photos/photo_1.jpg", "text": "", "text_entities": []},
        {"id": 14, "type": "message", "date": "2026-03-15T12:40:21", "from": None,
         "text": "Up to 40 militants were killed, the channel claimed."},
    ],
}


def write(tmp_path: Path, data: object, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read(path: Path, **options) -> tuple[list, list[Skipped], list[str]]:
    skipped: list[Skipped] = []
    notes: list[str] = []
    docs = list(read_documents([str(path)], ReadOptions(**options), skipped, notes))
    return docs, skipped, notes


def test_each_post_with_text_is_a_document_with_the_channel_s_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, EXPORT)
    docs, skipped, notes = read(path)
    assert skipped == []
    assert [d.doc_id for d in docs] == ["tg-1500000001-11", "tg-1500000001-12", "tg-1500000001-14"]
    first, forwarded, anonymous = docs
    assert first.text == ("Kharkiv: a depot was hit overnight.\n\nOur sources say the strike destroyed two "
                          "launchers. #Kharkiv")
    assert first.meta == {"outlet": "Frontline Digest Z", "platform": "Telegram", "date": "2026-03-14T07:04:19",
                          "author": "Frontline Digest Z", "message_id": 11, "source_file": str(path),
                          "authors": ["Frontline Digest Z"]}
    assert (forwarded.meta["forwarded_from"], forwarded.meta["reply_to"]) == ("Maria Zakharova", 11)
    assert "author" not in anonymous.meta and "url" not in anonymous.meta   # no username: no t.me link made up
    assert notes == [f"{path}: 1 service message and 1 post without text (media only: a photo, video, file, sticker or "
                     "poll) not read "
                     "(nothing to split); 3 posts of Frontline Digest Z read"]


def test_an_export_naming_the_channel_s_username_gives_each_post_its_link(tmp_path: Path) -> None:
    docs, _, _ = read(write(tmp_path, {**EXPORT, "username": "frontline_digest_z"}))
    assert docs[0].meta["url"] == "https://t.me/frontline_digest_z/11"


def test_entity_lists_join_in_order_and_text_entities_stand_in_for_a_missing_text() -> None:
    assert post_text({"text": ["a ", {"type": "bold", "text": "b"}, " c"]}) == "a b c"
    assert post_text({"text_entities": [{"type": "plain", "text": "x"}, {"type": "italic", "text": "y"}]}) == "xy"
    assert post_text({"text": [{"type": "bold"}]}) == ""   # an entity without text adds none: a post without text
    assert post_text({"text": 7}) is None


def test_claims_from_an_export_index_the_documents_text_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, EXPORT)
    out, documents = tmp_path / "claims.jsonl", tmp_path / "documents.jsonl"
    assert main(["claims", str(path), "--out", str(out), "--documents", str(documents)]) == 0
    texts = {row["doc_id"]: row for row in map(json.loads, documents.read_text(encoding="utf-8").splitlines())}
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row["doc_id"] for row in rows} == set(texts)
    assert all(texts[r["doc_id"]]["text"][r["start"]:r["end"]] == r["text"] for r in rows)
    assert {texts[d]["format"] for d in texts} == {"telegram"}
    assert [r["text"] for r in rows if r["doc_id"] == "tg-1500000001-11"][:2] == [
        "Kharkiv: a depot was hit overnight.", "Our sources say the strike destroyed two launchers."]
    assert "1 service message and 1 post without text" in capsys.readouterr().err


def test_the_manifest_entry_of_the_export_applies_to_its_posts_and_an_id_entry_to_one(tmp_path: Path) -> None:
    write(tmp_path, EXPORT)
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - file: result.json\n    source_type: kremlin_framing\n    outlet: Frontline Digest\n"
        "  - id: tg-1500000001-12\n    kind: repost\n", encoding="utf-8")
    docs, skipped, _ = read(tmp_path)
    assert skipped == []
    assert {d.meta["source_type"] for d in docs} == {"kremlin_framing"}
    assert {d.meta["outlet"] for d in docs} == {"Frontline Digest"}   # the manifest wins over the export
    assert [d.meta.get("kind") for d in docs] == [None, "repost", None]


@pytest.mark.parametrize("data, reason", [
    ({"rows": [{"text": "x"}]}, "unknown format '.json': not a Telegram Desktop export (a JSON object with "
                                "`messages` and a chat `type`); a list of documents reads as JSONL, one object a "
                                "line; convert it to .txt, .md, .html, .jsonl, .csv or .tsv (a Telegram Desktop "
                                "export, result.json, is read as it is), or leave it out"),
    ([{"text": "A list of documents."}], "unknown format '.json': not a Telegram Desktop export"),
    ({"messages": [], "name": "x"}, "unknown format '.json': not a Telegram Desktop export"),   # no chat type
    ({"about": "...", "chats": {"list": []}}, "a full Telegram data export (all chats), not one chat's; export the "
                                              "channel alone with Export chat history (format: JSON), or leave it out"),
    ({**EXPORT, "messages": EXPORT["messages"][:1] + EXPORT["messages"][3:4]},
     "no post with text in the export (1 service message and 1 post without text (media only: a photo, video, file, "
     "sticker or poll)); "
     "export a chat whose posts have text"),
])
def test_json_that_is_no_export_with_posts_is_one_skip(tmp_path: Path, data: object, reason: str) -> None:
    path = write(tmp_path, data, "data.json")
    docs, skipped, _ = read(path)
    assert docs == [] and len(skipped) == 1
    assert skipped[0].where == str(path) and skipped[0].reason.startswith(reason)


def test_a_cut_export_and_a_bad_message_are_named(tmp_path: Path) -> None:
    cut = tmp_path / "result.json"
    cut.write_text(json.dumps(EXPORT, indent=1)[:300], encoding="utf-8")
    docs, skipped, _ = read(cut)
    assert docs == [] and skipped[0].reason.startswith("malformed JSON (") and skipped[0].reason.endswith("export it again")
    odd = write(tmp_path, {**EXPORT, "messages": [{"id": 5, "type": "message", "text": {"x": 1}}, EXPORT["messages"][4]]})
    docs, skipped, _ = read(odd)
    assert [d.doc_id for d in docs] == ["tg-1500000001-14"]
    assert skipped == [Skipped(f"{odd}: message 5", "its text is neither a string nor a list of strings and entities; "
                                                    "export it again")]


def test_an_export_is_told_by_its_content() -> None:
    assert is_export({"name": "x", "type": "private_channel", "messages": []})
    assert not is_export({"type": "public_channel", "messages": {}})
    assert not is_export({"type": "spreadsheet", "messages": []})


def test_a_lone_surrogate_in_a_post_becomes_the_replacement_character(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "Chan", "type": "public_channel", "id": 5, "messages": [{"id": 1, "type": "message", '
                    '"text": ["\\ud83d The governor said ", {"type": "bold", "text": "ten"}, " people died."]}]}',
                    encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    assert main(["claims", str(path), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["text"], r["end"]) for r in rows] == [("\ufffd The governor said ten people died.", 36)]
    assert f"note: {path}: 1 lone UTF-16 surrogate (half of an emoji, cut) replaced" in capsys.readouterr().err


def test_an_export_folder_s_media_and_pages_are_one_note_not_skips(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "channel"
    export.mkdir()
    write(export, EXPORT)
    (export / "export_results.html").write_text("<html><body><h1>Exported</h1></body></html>", encoding="utf-8")
    for folder, name in (("photos", "photo_1.jpg"), ("photos", "photo_2.jpg"), ("files", "report.txt"),
                         ("video_files", "clip.mp4")):
        (export / folder).mkdir(exist_ok=True)
        (export / folder / name).write_bytes(b"\xff\xd8 media")
    (tmp_path / "notes.txt").write_text("The governor said ten people died.\n", encoding="utf-8")
    (tmp_path / "scan.jpg").write_bytes(b"\xff\xd8")   # not in an export: a skip as before
    docs, skipped, notes = read(tmp_path)
    assert len(docs) == 4 and [s.where for s in skipped] == [str(tmp_path / "scan.jpg")]
    assert notes[0] == (f"5 files of a Telegram export not read ({export} (5)): a post's photos, videos, files and "
                        "stickers, and the export's own pages, are no documents; its posts are read from result.json")
    out = tmp_path.parent / "claims.jsonl"
    assert main(["claims", str(export), "--out", str(out)]) == 0
    assert "skipped" not in capsys.readouterr().err


def test_an_entity_without_text_keeps_its_post(tmp_path: Path) -> None:
    messages = [{"id": 1, "type": "message", "text": ["Only a link here, the channel said: ", {"type": "link"}]},
                {"id": 2, "type": "message", "text": ["The mayor ", {"type": "bold", "text": ["said ", None,
                                                                                          {"type": "italic", "text": "four"}]},
                                                      " were killed."]}]
    docs, skipped, _ = read(write(tmp_path, {**EXPORT, "messages": messages}))
    assert skipped == []
    assert [d.text for d in docs] == ["Only a link here, the channel said: ", "The mayor said four were killed."]


def test_overlapping_exports_of_one_chat_read_each_post_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", EXPORT)
    edited = [dict(m, text="Up to 50 militants were killed, the channel claimed.") if m["id"] == 14 else m
              for m in EXPORT["messages"]]
    write(tmp_path / "b", {**EXPORT, "messages": edited + [
        {"id": 15, "type": "message", "text": "A new post, read from the second export."}]})
    docs, skipped, notes = read(tmp_path)
    assert skipped == []
    assert [d.doc_id for d in docs] == ["tg-1500000001-11", "tg-1500000001-12", "tg-1500000001-14", "tg-1500000001-15"]
    assert docs[2].text.startswith("Up to 40")   # the first export's text
    assert f"{tmp_path / 'b' / 'result.json'}: 3 posts already read from {tmp_path / 'a' / 'result.json'} (an export " \
           "of the same chat overlapping this one) not read again; 1 of them with another text (edited between the " \
           "exports): the first export's is kept" in notes


def test_a_column_option_with_only_telegram_input_is_a_note(tmp_path: Path) -> None:
    from corpus.row_readers import column_map

    docs, skipped, notes = read(write(tmp_path, EXPORT), columns=column_map(["outlet=Канал"]))
    assert len(docs) == 3 and skipped == []
    assert notes[0].startswith("--column outlet=Канал not used: no CSV or JSONL input")


def test_a_manifests_own_source_file_stays_beside_the_export_read(tmp_path: Path) -> None:
    """`source_file` is the export read; a manifest's own (for the file, or for one post) was lost or
    took the path's place without a word: it goes as meta_source_file."""
    write(tmp_path, EXPORT)
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - file: result.json\n    source_file: channel.zip\n"
        "  - id: tg-1500000001-12\n    source_file: post12.html\n", encoding="utf-8")
    docs, skipped, _ = read(tmp_path)
    assert skipped == [] and {d.meta["source_file"] for d in docs} == {str(tmp_path / "result.json")}
    assert [d.meta["meta_source_file"] for d in docs] == ["channel.zip"] * 3
    assert [d.meta.get("meta_meta_source_file") for d in docs] == [None, "post12.html", None]   # both kept
