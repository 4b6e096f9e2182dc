"""Setext headings (``Title\\n=====``, ``Subtitle\\n-----``) are headings as ``# Title`` and ``## Subtitle``
are, in plain text too when the line stands alone and the underline is about its length; a rule line (a
thematic break ``* * *``, ``***``, ``---``, ``___``, or a setext underline) is a filler of its own, never a
claim, never in a neighbour's context, and ends the paragraph above it."""

from __future__ import annotations

from pathlib import Path

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.sentences import split_paragraphs

TEXT = ("Grid operator warns of winter shortfall\n"
        "=======================================\n\n"
        "The grid will hold through the winter, the minister said on Monday.\n\n"
        "Analysts are divided\n"
        "--------------------\n\n"
        "Prices rose by 40 percent in March.\n\n"
        "* * *\n\n"
        "The army said it had hit a depot near Kharkiv.\n"
        "***\n"
        "The mayor said that three people died.\n"
        "---\n\n"
        "___\n")


def _claims(tmp_path: Path, text: str = TEXT, name: str = "story.md") -> dict:
    (tmp_path / name).write_text(text, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / name)])
    claims = extract_claims(doc)
    assert all(text[c.start:c.end] == c.text for c in claims)
    assert all(text[c.context_start:c.context_start + len(c.context)] == c.context for c in claims)
    return {c.text: c for c in claims}


def test_setext_headings_are_a_headline_and_a_heading_with_their_line_as_context(tmp_path: Path) -> None:
    by_text = _claims(tmp_path)
    title, section = by_text["Grid operator warns of winter shortfall"], by_text["Analysts are divided"]
    assert (title.reason, section.reason) == ("headline", "heading")   # as "# Title" and "## Section"
    assert not title.is_claim and not section.is_claim
    assert (title.context, section.context) == (title.text, section.text)   # the line, not its underline
    # a one-sentence paragraph next to a heading does not take the heading into its context
    assert by_text["Prices rose by 40 percent in March."].context == "Prices rose by 40 percent in March."


def test_rule_lines_are_fillers_of_their_own(tmp_path: Path) -> None:
    by_text = _claims(tmp_path)
    for rule in ("=======================================", "--------------------", "* * *", "***", "---", "___"):
        assert (by_text[rule].is_claim, by_text[rule].reason, by_text[rule].context) == (False, "filler", rule)
    # "* * *" stays whole (its stars are no bullets), and "---" under a sentence ending in a period is
    # a rule, not a setext heading: the sentence stays a claim
    assert by_text["The mayor said that three people died."].reason != "heading"
    assert "* * *" not in by_text["The army said it had hit a depot near Kharkiv."].context


def test_a_rule_line_ends_a_hard_wrapped_paragraph() -> None:
    text = ("The army said it had hit a depot near Kharkiv, and that the depot\n"
            "held the shells of the\n"
            "* * *\n"
            "The mayor said that three people died in the attack on the\n"
            "---\n")
    assert [text[s:e] for s, e in split_paragraphs(text)] == [
        "The army said it had hit a depot near Kharkiv, and that the depot\nheld the shells of the", "* * *",
        "The mayor said that three people died in the attack on the", "---"]


def test_a_setext_heading_in_plain_text_is_a_headline_or_heading_when_underlined_to_its_length(tmp_path: Path) -> None:
    # plain text files underline titles too (README.txt, RST, e-mail digests): as in Markdown, but stricter
    by_text = _claims(tmp_path, TEXT, "story.txt")
    title, section = by_text["Grid operator warns of winter shortfall"], by_text["Analysts are divided"]
    assert (title.reason, section.reason) == ("headline", "heading")
    assert (title.context, section.context) == (title.text, section.text)
    assert by_text["=" * 39].reason == by_text["-" * 20].reason == "filler"
    assert by_text["Prices rose by 40 percent in March."].context == "Prices rose by 40 percent in March."
    assert by_text["The mayor said that three people died."].reason != "heading"   # a sentence over "---"


RULES = ("The grid will hold through the winter, the minister said.\n\n"
         "Thanks for reading and see you next week\n"        # a long rule under a short line: a rule
         "------------------------------------------------------------------------\n\n"
         "The talks ended without a deal on Monday.\n"        # a paragraph's last line: no line alone
         "Kyiv will respond\n"
         "-----------------\n\n"
         "Dear colleagues,\n"                                 # a line ending in a comma
         "----------------\n\n"
         "- Kyiv will respond\n"                              # a list item
         "-------------------\n")


def test_a_rule_line_under_a_plain_text_paragraph_is_no_heading(tmp_path: Path) -> None:
    by_text = _claims(tmp_path, RULES, "notes.txt")
    for line in ("Thanks for reading and see you next week", "Kyiv will respond",
                 "Dear colleagues,", "- Kyiv will respond"):
        assert by_text[line].reason not in ("heading", "headline"), line
    assert all(c.reason == "filler" for t, c in by_text.items() if set(t) == {"-"})
    # the first line over a rule of its length is no headline when it ends a sentence
    assert _claims(tmp_path, "Prices rose.\n============\n\nMore.\n", "a.txt")["Prices rose."].reason != "headline"
