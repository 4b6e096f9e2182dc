"""A Markdown sentence's claim leaves out the block markup that opens its line: a heading's #s, a
quotation's >, a list item's bullet or number. Offsets stay exact (``text == document[start:end]``)."""

from __future__ import annotations

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.records import Document

TEXT = ("# Kiev regime shells Donetsk again\n\n"
        "The strikes hit a school on Monday, the ministry said.\n\n"
        "## Reaction ##\n\n"
        "- Officials in Kyiv denied the report. They called it staged.\n"
        "* Critics called it *propaganda* on Tuesday.\n"
        "+ Moscow blamed Ukrainian forces for the strike.\n"
        "1. The mayor said that three people died.\n"
        "12) The army said it had hit a depot.\n\n"
        "> \"We will not give up,\" the governor said.\n\n"
        "> - The envoy said the talks had failed.\n\n"
        "#hashtag campaigns spread the claim on Telegram.\n\n"
        "*Policy brief, March 2026*\n\n"
        "-3 degrees froze the pipes in Kharkiv, officials said.\n\n"
        "#\n")


def _claims(path: str) -> list:
    doc = Document("d", TEXT, path=path)
    claims = extract_claims(doc)
    assert all(TEXT[c.start:c.end] == c.text for c in claims)
    return claims


def test_markup_is_not_part_of_a_markdown_claim():
    texts = [c.text for c in _claims("brief.md")]
    assert texts == [
        "Kiev regime shells Donetsk again",
        "The strikes hit a school on Monday, the ministry said.",
        "Reaction",
        "Officials in Kyiv denied the report.", "They called it staged.",
        "Critics called it *propaganda* on Tuesday.",
        "Moscow blamed Ukrainian forces for the strike.",
        "The mayor said that three people died.",
        "The army said it had hit a depot.",
        "\"We will not give up,\" the governor said.",
        "The envoy said the talks had failed.",
        "#hashtag campaigns spread the claim on Telegram.",   # no space: a hashtag, not a heading
        "*Policy brief, March 2026*",                         # emphasis, not a bullet
        "-3 degrees froze the pipes in Kharkiv, officials said.",
        "#",                                                  # nothing but markup: kept whole
    ]


def test_a_markdown_heading_stays_a_heading_without_its_hashes(tmp_path):
    (tmp_path / "brief.md").write_text(TEXT, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "brief.md")])   # the reader finds the "# Title" headline
    by_text = {c.text: c for c in extract_claims(doc)}
    assert (by_text["Kiev regime shells Donetsk again"].reason, by_text["Reaction"].reason) == ("headline", "heading")
    assert not by_text["Reaction"].is_claim
    assert by_text["Moscow blamed Ukrainian forces for the strike."].reason != "heading"
    # their context, shown above the claim in Label Studio, is the line without its #s too
    assert (by_text["Kiev regime shells Donetsk again"].context, by_text["Reaction"].context) == (
        "Kiev regime shells Donetsk again", "Reaction")
    assert TEXT[by_text["Reaction"].context_start:].startswith("Reaction ##")


def test_a_text_file_keeps_its_characters_as_they_are():
    texts = [c.text for c in _claims("brief.txt")]
    assert "# Kiev regime shells Donetsk again" in texts and "+ Moscow blamed Ukrainian forces for the strike." in texts


def test_a_nested_list_item_loses_its_bullet_too():
    text = ("The report lists the causes.\n\n"
            "- Imports fell by 40 percent since 2024.\n"
            "  - The owner blamed sanctions for the drop. Exports rose.\n"
            "    1. The ministry denied it on Monday.\n"
            "\t* Prices doubled in March, traders said.\n")
    claims = extract_claims(Document("d", text, path="news.md"))
    assert all(text[c.start:c.end] == c.text for c in claims)
    assert [c.text for c in claims] == [
        "The report lists the causes.",
        "Imports fell by 40 percent since 2024.",
        "The owner blamed sanctions for the drop.", "Exports rose.",
        "The ministry denied it on Monday.",
        "Prices doubled in March, traders said.",
    ]
