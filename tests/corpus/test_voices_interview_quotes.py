"""Quotations inside an interview's turns: what an answer (or a question) quotes is the quoted person's,
by the writer's rules."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.records import INTERVIEWEE, INTERVIEWER, QUOTED


def claims_of(tmp_path: Path, name: str, content: str) -> list:
    (tmp_path / name).write_text(content, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / name)])
    claims = extract_claims(doc)
    assert all(c.text == doc.text[c.start:c.end] for c in claims)   # offsets stay exact
    return [c for c in claims if c.reason not in ("speaker_marker", "front_matter")]


def voices(claims: list) -> list[tuple[str, str, str | None]]:
    return [(c.text, c.speaker, c.speaker_name) for c in claims]


MARKDOWN = """---
interviewer: Kyiv Weekly
interviewee: Olga Reznik
---

**Q:** How do you read Moscow's position?

**A:** As Lavrov said, "The West has lied to us for thirty years." We agree. The deputy minister told me \
that the talks were over. According to Western officials, the sanctions have failed. I said it was a mistake.
"""


def test_a_quotation_in_a_markdown_answer_is_the_quoted_person_s(tmp_path: Path) -> None:
    assert voices(claims_of(tmp_path, "i.md", MARKDOWN)) == [
        ("How do you read Moscow's position?", INTERVIEWER, "Kyiv Weekly"),
        ('As Lavrov said, "The West has lied to us for thirty years."', QUOTED, "Lavrov"),
        ("We agree.", INTERVIEWEE, "Olga Reznik"),
        # a role without a name, a generic source: quoted, as in the writer's prose
        ("The deputy minister told me that the talks were over.", QUOTED, None),
        ("According to Western officials, the sanctions have failed.", QUOTED, "Western officials"),
        ("I said it was a mistake.", INTERVIEWEE, "Olga Reznik"),
    ]


TRANSCRIPT = """Interview with Gerhard Vollmer

Question: What does Berlin think of the talks?

Vollmer: As Scholz put it, "We will not be blackmailed." Peskov said on Monday that Europe was weak. \
"The talks are dead," a Kremlin official told reporters. We think otherwise.

Question: You said earlier that Berlin would wait. Do you trust them?

Vollmer: No. I told the minister that we would not sign.
"""


def test_a_quotation_in_a_plain_text_answer_is_the_quoted_person_s(tmp_path: Path) -> None:
    found = voices(claims_of(tmp_path, "t.txt", TRANSCRIPT))
    assert found[2:] == [
        ('As Scholz put it, "We will not be blackmailed."', QUOTED, "Scholz"),
        ("Peskov said on Monday that Europe was weak.", QUOTED, "Peskov"),
        ('"The talks are dead," a Kremlin official told reporters.', QUOTED, None),
        ("We think otherwise.", INTERVIEWEE, "Vollmer"),
        # "you" is the other side of the conversation: no one quoted
        ("You said earlier that Berlin would wait.", INTERVIEWER, None),
        ("Do you trust them?", INTERVIEWER, None),
        ("No.", INTERVIEWEE, "Vollmer"),
        ("I told the minister that we would not sign.", INTERVIEWEE, "Vollmer"),
    ]


def test_a_quotation_in_a_row_s_answer_is_the_quoted_person_s(tmp_path: Path) -> None:
    row = {"id": "r1", "interviewer": "Radio Svoboda Lite", "interviewee": "Maria Ostapenko",
           "text": ('RFL: What did the Kremlin say?\n\nOstapenko: As Lavrov said, "The West has lied to us '
                    'for thirty years." We agree. "The talks are dead. Nobody will revive them," Dmitry Peskov said. '
                    '"It is a provocation," Peskov added.')}
    found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n"))
    assert found[1:] == [
        ('As Lavrov said, "The West has lied to us for thirty years."', QUOTED, "Lavrov"),
        ("We agree.", INTERVIEWEE, "Maria Ostapenko"),
        # a quotation over two sentences is its speaker's, and a later surname is the full name given before
        ('"The talks are dead.', QUOTED, "Dmitry Peskov"),
        ('Nobody will revive them," Dmitry Peskov said.', QUOTED, "Dmitry Peskov"),
        ('"It is a provocation," Peskov added.', QUOTED, "Dmitry Peskov"),
    ]
