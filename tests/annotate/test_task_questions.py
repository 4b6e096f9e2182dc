"""An interviewee's answer is shown under the interviewer's question it answers (greyed, labelled
with the interviewer's voice, escaped, of bounded length); the pull still recovers the context shown,
without the question."""

from __future__ import annotations

from types import SimpleNamespace as NS

from annotate import pull_rows
from annotate.claim_tasks import (MAX_QUESTION_CHARS, MAX_QUESTION_GAP, claim_to_task, interview_questions,
                                  question_html)
from corpus.extraction import claim_rows
from corpus.records import Document

SCHEME = NS(name="toy", labels=[NS(id="favor", name="FAVOR", hotkey="1"),
                                NS(id="against", name="AGAINST", hotkey="2")], neutral=None)
NAMES = {"interviewer": "Wirtschaftsblick", "interviewee": "Gerhard Vollmer"}
QUESTION = "Do you expect the <script>alert(1)</script> restrictions to be lifted?"


def _rows(paragraphs: list[list[tuple[str, str, str]]], doc_id: str = "d1") -> list[dict]:
    """Claim rows of one document made of ``paragraphs``, each a list of (speaker, reason, sentence):
    sentences joined by a space, paragraphs by a blank line, offsets and contexts as the claims step
    writes them."""
    rows, offset = [], 0
    for p, sentences in enumerate(paragraphs):
        context = " ".join(text for _, _, text in sentences)
        start = offset
        for s, (speaker, reason, text) in enumerate(sentences):
            rows.append({"claim_id": f"{doc_id}-{p}-{s}", "doc_id": doc_id, "text": text, "start": start,
                         "end": start + len(text), "is_claim": reason == "claim", "reason": reason,
                         "speaker": speaker, "speaker_name": NAMES.get(speaker), "context": context,
                         "context_start": offset, "paragraph": p, "sentence": s})
            start += len(text) + 1
        offset += len(context) + 2
    return rows


def _interview(doc_id: str = "d1") -> list[dict]:
    return _rows([
        [("author", "claim", "Gerhard Vollmer speaks for the exporters of Saxony.")],
        [("interviewer", "speaker_marker", "Question:"), ("interviewer", "question", QUESTION)],
        [("interviewee", "speaker_marker", "Vollmer:"), ("interviewee", "not_checkworthy", "Sooner or later, yes."),
         ("interviewee", "claim", "European business is already asking for it.")],
        [("interviewee", "claim", "Our members lost a third of their exports.")],
        [("author", "claim", "The interview was recorded in May.")],
        [("interviewee", "claim", "The sanctions have failed.")],
    ], doc_id)


def _by_text(rows: list[dict], questions: dict[int, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {rows[i]["text"]: question for i, question in questions.items()}


def test_an_answer_is_shown_under_the_question_it_answers_escaped_and_set_apart():
    rows = _interview()
    questions = interview_questions(rows)
    answer = next(i for i, row in enumerate(rows) if row["text"] == "Sooner or later, yes.")
    assert questions[answer] == ("interviewer (Wirtschaftsblick)", QUESTION)   # the "Question:" marker left out
    data = claim_to_task(rows[answer], SCHEME, questions[answer])["data"]
    question = ('<div style="margin-bottom: 0.5em; padding: 0.1em 0 0.1em 0.6em; border-left: 3px solid #bbb; '
                'color: #777; font-size: 0.9em"><i>interviewer (Wirtschaftsblick) asked:</i> <span dir="auto">'
                "Do you expect the &lt;script&gt;alert(1)&lt;/script&gt; restrictions to be lifted?</span></div>")
    assert data["context_html"] == (question + "Vollmer: <mark>Sooner or later, yes.</mark> "
                                    "European business is already asking for it.")
    assert "<script>" not in data["context_html"]
    # The pull recovers the paragraph the answer is in, not the question above it.
    assert pull_rows.claim_metadata(data)["context"] == rows[answer]["context"]
    # No question, no block: the task is what it was.
    plain = claim_to_task(rows[answer], SCHEME)["data"]["context_html"]
    assert plain == data["context_html"][len(question):] and question_html(None) == ""


def test_the_question_reaches_the_answer_s_later_paragraphs_but_not_past_another_voice():
    rows = _interview()
    shown = _by_text(rows, interview_questions(rows))
    assert set(shown) == {"Vollmer:", "Sooner or later, yes.", "European business is already asking for it.",
                          "Our members lost a third of their exports."}
    # The author's note between them ends the turn: "The sanctions have failed." gets no question, and
    # neither do the interviewer's own sentences or the author's.


def test_only_a_question_of_the_same_document_and_near_enough():
    first = _interview("d1")[:2]                          # the intro and the question alone
    second = _rows([[("interviewee", "claim", "The sanctions have failed.")]], "d2")
    second[0]["start"] += 500                             # after d1's question by offset, in another document
    second[0]["context_start"] += 500
    assert interview_questions(first + second) == {}
    gap = " ".join(["Filler words here."] * (MAX_QUESTION_GAP // 18 + 2))
    far = _rows([[("interviewer", "question", "Are the sanctions working?")],
                 [("interviewee", "claim", gap)],
                 [("interviewee", "claim", "They are not.")]])
    shown = _by_text(far, interview_questions(far))
    assert gap in shown and "They are not." not in shown   # its paragraph starts too far after the question


def test_a_question_inside_the_answer_s_paragraph_is_not_shown_twice():
    rows = _rows([[("interviewer", "question", "Are the sanctions working?"),
                   ("interviewee", "claim", "They are not.")]])
    assert interview_questions(rows) == {}


def test_a_long_question_keeps_its_end_and_the_task_stays_small():
    preamble = " ".join(f"Point {n} of a long preamble." for n in range(200))
    rows = _rows([[("interviewer", "opinion", preamble), ("interviewer", "question", "So, <will> they be lifted?")],
                  [("interviewee", "claim", "Sooner or later, yes.")]])
    (who, text), = interview_questions(rows).values()
    assert who == "interviewer (Wirtschaftsblick)"
    full = f"{preamble} So, <will> they be lifted?"
    assert text.startswith("… ") and full.endswith(" " + text[2:])   # the turn's end, from a word's start
    assert len(text) <= MAX_QUESTION_CHARS + 2
    markup = claim_to_task(rows[-1], SCHEME, (who, text))["data"]["context_html"]
    assert "So, &lt;will&gt; they be lifted?" in markup and len(markup) < MAX_QUESTION_CHARS + 400


def test_rows_out_of_order_or_without_offsets_are_taken_in_document_order_or_passed_over():
    rows = _interview()
    shuffled = rows[::-1] + [{"claim_id": "x", "text": "no document"}, {"doc_id": "d1", "text": "t", "start": "4"}, "junk"]
    shown = _by_text(shuffled, interview_questions(shuffled))
    assert shown == _by_text(rows, interview_questions(rows))


def test_a_quotation_inside_the_question_stays_part_of_it_and_a_voice_s_bidi_controls_are_shown_as_markers():
    rows = _rows([[("interviewer", "question", "You said that"), ("quoted", "claim", "\"the policy is not working\"."),
                   ("interviewer", "question", "Do you stand by it?")],
                  [("interviewee", "claim", "I do.")]])
    assert interview_questions(rows)[3][1] == "You said that \"the policy is not working\". Do you stand by it?"
    shown = question_html(("interviewer (\u202eWirtschaftsblick)", "Why\u2067?"))
    assert "\u202e" not in shown and "\u2067" not in shown
    assert 'title="a bidirectional control character in the text">⟨U+202E⟩</span>Wirtschaftsblick' in shown
    assert ">⟨U+2067⟩</span>?" in shown


def test_an_answer_read_with_its_turn_s_paragraphs_shows_the_question_once():
    text = ("Gerhard Vollmer speaks for the exporters of Saxony.\n\n"
            "Question: Do you expect the restrictions to be lifted?\n\n"
            "Vollmer: Sooner or later, yes.\n\n"
            "Our members lost a third of their exports.\n\n"
            "Question: What comes next?\n\n"
            "Vollmer: We wait.")
    rows = list(claim_rows(Document("d1", text, {"voices": {"interviewer": "Wirtschaftsblick",
                                                            "interviewee": "Gerhard Vollmer"}})))
    questions = interview_questions(rows)
    lost = next(i for i, row in enumerate(rows) if row["text"].startswith("Our members"))
    # a sentence alone in its paragraph is read with the answer before it (the claims step), not the question
    assert rows[lost]["context"] == "Vollmer: Sooner or later, yes.\n\nOur members lost a third of their exports."
    assert questions[lost][1] == "Do you expect the restrictions to be lifted?"
    markup = claim_to_task(rows[lost], SCHEME, questions[lost])["data"]["context_html"]
    assert markup.count("Do you expect") == 1 and markup.endswith("Sooner or later, yes.\n\n<mark>Our members lost "
                                                                   "a third of their exports.</mark></span>")
    assert pull_rows.claim_metadata(claim_to_task(rows[lost], SCHEME, questions[lost])["data"])["context"] == rows[lost]["context"]
    # a context that reaches back over the question (rows made elsewhere) shows it there, not above
    wide = dict(rows[lost], context_start=text.index("Question: Do"))
    wide["context"] = text[wide["context_start"]:rows[lost]["end"]]
    assert lost not in interview_questions(rows[:lost] + [wide] + rows[lost + 1:])
