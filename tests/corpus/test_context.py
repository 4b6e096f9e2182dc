"""A claim's context: its paragraph, a window of sentences in a long one, and for a sentence alone
in its paragraph the paragraphs around it in the same voice."""

from __future__ import annotations

import pytest

from corpus.extraction import CONTEXT_MAX, claim_rows, extract_claims
from corpus.records import Claim, Document


def claims(text: str, meta: dict | None = None, path: str = "") -> list[Claim]:
    found = extract_claims(Document("d", text, meta or {}, path))
    for c in found:   # one slice of the text, the claim inside it where its offsets say
        assert c.context == text[c.context_start:c.context_start + len(c.context)]
        assert c.context[c.start - c.context_start:c.end - c.context_start] == c.text
    assert [c.to_row() for c in found] == list(claim_rows(Document("d", text, meta or {}, path)))
    return found


def by_text(found: list[Claim], start: str) -> Claim:
    return next(c for c in found if c.text.startswith(start))


NEWS = ("By Jane Roe\n\n"
        "The talks in Geneva collapsed on Tuesday.\n\n"
        "Delegates left after four hours.\n\n"
        "\"We will not sign,\" the Russian envoy said.\n\n"
        "The next round is set for May. Few expect it to go better.")


def test_a_sentence_alone_in_its_paragraph_reads_with_the_paragraphs_around_it() -> None:
    found = claims(NEWS)
    left = by_text(found, "Delegates")
    assert left.context == ("The talks in Geneva collapsed on Tuesday.\n\nDelegates left after four hours.\n\n"
                            "\"We will not sign,\" the Russian envoy said.")
    assert left.context_start == NEWS.index("The talks") and left.paragraph == 2
    # a quoted sentence stands in the author's paragraph: the paragraph's voice is what counts
    quote = by_text(found, "\"We will")
    assert quote.speaker == "quoted" and quote.context.startswith("Delegates") and quote.context.endswith("go better.")
    # the byline is never taken in, and keeps its own line
    lead = by_text(found, "The talks")
    assert lead.context == "The talks in Geneva collapsed on Tuesday.\n\nDelegates left after four hours."
    assert found[0].reason == "byline" and found[0].context == "By Jane Roe"
    # a paragraph of two sentences is context enough: its own
    assert by_text(found, "Few expect").context == "The next round is set for May. Few expect it to go better."


def test_claim_ids_do_not_depend_on_the_context() -> None:
    wide = claims(NEWS)
    apart = NEWS.replace("\n\nDelegates left after four hours.", " Delegates left after four hours.")
    # the same sentence at the same place with another context: the same id
    assert [c.claim_id for c in wide[:2]] == [c.claim_id for c in claims(apart)[:2]]
    assert wide[1].context != claims(apart)[1].context


def test_a_one_paragraph_or_one_sentence_document_has_only_its_sentence() -> None:
    [only] = claims("The talks in Geneva collapsed on Tuesday.")
    assert (only.context, only.context_start) == ("The talks in Geneva collapsed on Tuesday.", 0)


INTERVIEW = ("An interview with the minister.\n\n"
             "Q: Are the talks over?\n\n"
             "A: No.\n\n"
             "They resume in May.\n\n"
             "Question: And the sanctions?\n\n"
             "Answer: They will stay.")


def test_an_interview_answer_does_not_take_in_the_question_nor_the_next_one() -> None:
    found = claims(INTERVIEW, {"voices": {"interviewee": "Ivan Petrov"}})
    no = by_text(found, "No.")
    assert no.speaker == "interviewee"
    assert no.context == "A: No.\n\nThey resume in May."    # the answer goes on below its marker
    resume = by_text(found, "They resume")
    assert resume.context == "A: No.\n\nThey resume in May."   # not the question after it
    asked = by_text(found, "Are the talks")
    assert asked.speaker == "interviewer" and asked.context == "Q: Are the talks over?"   # no answer, no intro
    assert by_text(found, "They will stay").context == "Answer: They will stay."


def test_a_turn_marker_opens_a_new_turn_of_the_same_speaker() -> None:
    text = ("SMITH: What happened in Geneva?\n\n"
            "LAVROV: The West walked out.\n\n"
            "LAVROV: They always do.\n\n"
            "SMITH: Will you return?\n\n"
            "LAVROV: Only on equal terms.")
    found = claims(text)
    assert by_text(found, "The West").speaker == "interviewee"
    assert by_text(found, "The West").context == "LAVROV: The West walked out."
    assert by_text(found, "They always").context == "LAVROV: They always do."


def test_a_marker_alone_on_its_line_is_read_with_its_turn() -> None:
    text = "SMITH:\nWhat happened in Geneva?\nLAVROV:\nThe West walked out."
    found = claims(text)
    assert by_text(found, "What happened").context == "SMITH:\nWhat happened in Geneva?"
    assert by_text(found, "The West").context == "LAVROV:\nThe West walked out."


def test_comments_are_not_merged_with_the_next_commenter_s() -> None:
    text = ("Sanctions are failing, the minister said.\n"
            "Comments\n"
            "Greg_in_Ohio: Great repost.\n"
            "And it will lose the next one too.\n"
            "Old Soldier: the sanctions cost Germany 200 billion euros in 2023.\n"
            "jdoe says:\n"
            "Nonsense, they work.\n"
            "Anna K. wrote on May 5, 2024 at 3:12 pm\n"
            "Agreed with the post.")
    found = claims(text)
    assert by_text(found, "Sanctions are").context == "Sanctions are failing, the minister said."   # not the heading
    assert by_text(found, "Great repost").context == "Greg_in_Ohio: Great repost.\nAnd it will lose the next one too."
    assert by_text(found, "And it will").context == "Greg_in_Ohio: Great repost.\nAnd it will lose the next one too."
    assert by_text(found, "the sanctions cost").context == "Old Soldier: the sanctions cost Germany 200 billion euros in 2023."
    assert by_text(found, "Nonsense").context == "Nonsense, they work."     # between two commenters' bylines
    assert by_text(found, "Agreed").context == "Agreed with the post."


def test_comments_whose_commenter_is_not_named_take_in_nothing() -> None:
    text = ("Sanctions are failing, the minister said. Prices rose again.\n\n"
            "3 Comments\n\n"
            "Nonsense, they work.\n\n"
            "I agree with the post.")
    found = claims(text)
    assert by_text(found, "Nonsense").speaker == "commenter" and by_text(found, "Nonsense").speaker_name is None
    assert by_text(found, "Nonsense").context == "Nonsense, they work."   # where one comment ends is not known
    assert by_text(found, "I agree").context == "I agree with the post."


def test_a_headline_and_headings_keep_their_own_line_and_are_never_taken_in() -> None:
    text = ("# Talks collapse in Geneva\n\n"
            "The talks collapsed on Tuesday.\n\n"
            "Delegates left after four hours.\n\n"
            "## Reaction\n\n"
            "Moscow blamed the West.\n\n"
            "Kyiv blamed Moscow.")
    found = claims(text, {"voices": {"headline_end": len("# Talks collapse in Geneva")}}, "a.md")   # as the reader sets it
    assert found[0].reason == "headline" and found[0].context == "Talks collapse in Geneva"   # its line, without the #
    assert by_text(found, "The talks").context == "The talks collapsed on Tuesday.\n\nDelegates left after four hours."
    assert by_text(found, "Delegates").context == "The talks collapsed on Tuesday.\n\nDelegates left after four hours."
    heading = by_text(found, "Reaction")
    assert heading.reason == "heading" and heading.context == "Reaction"
    assert by_text(found, "Moscow").context == "Moscow blamed the West.\n\nKyiv blamed Moscow."
    # a plain line the claim filter reads as a section heading is a line of its own too
    plain = claims("The talks collapsed on Tuesday.\n\nReaction From Moscow\n\nMoscow blamed the West.")
    assert plain[1].reason == "heading" and plain[1].context == "Reaction From Moscow"
    assert plain[0].context == "The talks collapsed on Tuesday." and plain[2].context == "Moscow blamed the West."


def _words(n: int) -> str:
    """A paragraph of ``n`` characters: one long sentence."""
    body = ("word " * (n // 5 + 1))[:n - 2]
    return "W" + body[1:].rstrip() + "x."


@pytest.mark.parametrize("before, after, takes", [
    (300, 300, "both"),
    (900, 900, "before"),          # the one before leads up to the sentence: it is taken first
    (100, CONTEXT_MAX, "before"),  # the one after alone would be too long
    (CONTEXT_MAX, 100, "after"),   # the one before alone would be too long
    (CONTEXT_MAX + 50, 100, "after"),   # a long paragraph (its own window) is never taken in whole
])
def test_the_widened_context_is_never_longer_than_context_max(before: int, after: int, takes: str) -> None:
    first, last = _words(before), _words(after)
    text = f"{first}\n\nThe talks collapsed on Tuesday.\n\n{last}"
    claim = by_text(claims(text), "The talks")
    assert len(claim.context) <= CONTEXT_MAX
    assert claim.context.startswith(first[:20]) == (takes in ("both", "before"))
    assert claim.context.endswith(last[-20:]) == (takes in ("both", "after"))


def test_a_long_paragraph_keeps_its_window_and_a_short_neighbour_stays_short() -> None:
    long = " ".join(f"Sentence number {i} says that the talks failed again." for i in range(40))
    text = f"Delegates left.\n\n{long}\n\nThey may return."
    found = claims(text)
    middle = by_text(found, "Sentence number 20 ")
    assert middle.context.startswith("Sentence number 18 ") and middle.context.endswith("number 22 says that the talks failed again.")
    assert by_text(found, "Delegates").context == "Delegates left."   # its neighbour is far over CONTEXT_MAX
    assert by_text(found, "They may").context == "They may return."
