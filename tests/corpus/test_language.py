"""Text that is not English: a sentence in another script is kept as not_english (never a claim, never a
statement), and `stance claims` says so once; a long document with few English words gets a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.claimfilter import NOT_ENGLISH, classify, in_scope
from corpus.claims import build_claims
from corpus.extraction import extract_claims
from corpus.language import english_share, foreign_script, language_notes, looks_english, other_script
from corpus.records import Document

RUSSIAN = "Киевский режим снова прикрывается мирными жителями, заявила Мария Захарова."
GERMAN = ("Die Armee hat in der Nacht erneut die Stadt mit Raketen angegriffen. Nach Angaben der Behörden wurden "
          "mindestens elf Menschen getötet und mehr als dreißig verletzt. Der Gouverneur erklärte, in der Nähe des "
          "Hauses habe sich keine militärische Einrichtung befunden. Das Ministerium behauptete dagegen, es habe "
          "einen Stützpunkt ausländischer Söldner getroffen. Unabhängige Beobachter konnten diese Angaben bisher "
          "nicht überprüfen.")
ENGLISH = ("The army struck the city again overnight with missiles. According to the local authorities, at least "
           "eleven people were killed and more than thirty were injured. The governor said there was no military "
           "facility near the building. The ministry claimed instead that it had hit a base of foreign fighters. "
           "Independent observers have not yet been able to verify these claims.")


@pytest.mark.parametrize("sentence, script", [
    (RUSSIAN, "Cyrillic"), ("«Это провокация», — сказал Дмитрий Песков.", "Cyrillic"),
    ("Η κυβέρνηση είπε ότι η επίθεση ήταν πρόκληση.", "Greek"), ("وقالت الوزارة إن الهجوم استفزاز.", "Arabic"),
    ("外交部表示这是挑衅。", "Chinese"), ("Officials in Kharkiv (Харків) said eleven people died.", None),
    ("“We will defend ourselves,” Zelenskyy said — in a café in Kyiv.", None), ("Plain ASCII.", None)])
def test_foreign_script_names_the_script_most_letters_are_in(sentence: str, script: str | None) -> None:
    assert foreign_script(sentence) == script


def test_a_sentence_in_another_script_is_not_english_never_a_claim_nor_a_statement() -> None:
    assert classify(RUSSIAN) == (False, NOT_ENGLISH)
    assert classify("Officials in Kharkiv (Харків) said eleven people died on 14 March.")[1] != NOT_ENGLISH
    row = {"reason": NOT_ENGLISH, "is_claim": False}
    assert not in_scope(row, "claims") and not in_scope(row, "statements") and in_scope(row, "all")


def test_the_bootstrap_reads_not_english_as_stating_nothing() -> None:
    from models.bootstrap import NOT_STATEMENTS

    assert NOT_ENGLISH in NOT_STATEMENTS


def test_a_headline_in_another_script_is_not_english() -> None:
    text = "Киев снова прикрывается мирными жителями\n\nThe ministry said on 14 March that the strike hit a base in Kharkiv."
    doc = Document("d", text, {"voices": {"headline_end": text.index("\n")}})
    assert [c.reason for c in extract_claims(doc)] == [NOT_ENGLISH, "claim"]


def test_english_share_tells_german_from_english_and_leaves_short_texts_alone() -> None:
    assert english_share(ENGLISH) > 0.25 and looks_english(ENGLISH)
    assert english_share(GERMAN) < 0.1 and not looks_english(GERMAN)
    assert english_share("Die Armee hat die Stadt angegriffen.") is None and looks_english("Die Armee hat.")


def test_language_notes_count_sentences_and_name_the_files() -> None:
    assert language_notes([("ru_post.txt", 3, "Cyrillic", True)]) == [
        "3 sentences in 1 document (ru_post.txt) are not in English (Cyrillic script): claimstance reads "
        "English; translate them first (CSV or JSONL rows: --text-column naming a column of translations); "
        "they are kept as reason not_english, never claims"]
    assert language_notes([("de.txt", 0, None, False)]) == [
        "1 document (de.txt) seems not to be in English (few words such as 'the', 'of', 'and'): claimstance "
        "reads English; translate it first"]
    assert language_notes([]) == []


def test_stance_claims_notes_documents_not_in_english_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (corpus / "ru_post.txt").write_text("Харьков, 14 марта.\n\n" + RUSSIAN, encoding="utf-8")
    (corpus / "de.txt").write_text(GERMAN, encoding="utf-8")
    notes: list[str] = []
    summary = build_claims([str(corpus)], str(tmp_path / "c.jsonl"), progress=False, on_note=notes.append)
    assert summary.claims > 0
    assert [n.split(":")[0] for n in notes] == [
        "2 sentences in 1 document (ru_post.txt) are not in English (Cyrillic script)",
        "1 document (de.txt) seems not to be in English (few words such as 'the', 'of', 'and')"]
    notes.clear()
    (corpus / "ru_post.txt").unlink()
    (corpus / "de.txt").unlink()
    build_claims([str(corpus)], str(tmp_path / "c.jsonl"), progress=False, on_note=notes.append)
    assert notes == []


def test_an_english_document_quoting_russian_names_cyrillic_in_its_note(tmp_path: Path) -> None:
    # most of the document's letters are Latin: the note still names the script of its other letters
    (tmp_path / "mixed.txt").write_text(
        ENGLISH + "\n\nThe channel's post read «Киевский режим снова прикрывается мирными жителями», which the "
        "fact-checkers rated false.\n\n" + RUSSIAN + "\n\nOfficials in Kharkiv (Харків) said eleven people died.",
        encoding="utf-8")
    notes: list[str] = []
    build_claims([str(tmp_path / "mixed.txt")], str(tmp_path / "c.jsonl"), progress=False, on_note=notes.append)
    assert notes == [
        "1 sentence in 1 document (mixed.txt) is not in English (Cyrillic script): claimstance reads English; "
        "translate it first (CSV or JSONL rows: --text-column naming a column of translations); it is kept as "
        "reason not_english, never a claim"]
    assert other_script("Peskov (Дмитрий Песков) spoke of Ελλάδα.") == "Cyrillic"
    assert other_script("Peskov (Песков) spoke of Ελλάδα.") is None   # no script holds most of them
    assert other_script("Plain ASCII.") is None and other_script("a café in Kyiv") is None
