"""Quotations inside an interview's turns: what an answer (or a question) quotes is the quoted person's,
by the writer's rules, and a Markdown quotation block (``> ...``) in a turn is whom it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.extraction import extract_claims
from corpus.readers import read_documents
from corpus.quotes import attributed_speaker
from corpus.records import AUTHOR, COMMENTER, INTERVIEWEE, INTERVIEWER, QUOTED


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


def test_a_lead_in_ending_in_a_comma_names_the_quotation_in_an_answer(tmp_path: Path) -> None:
    text = ("Question: What does Moscow say?\n\nVollmer: In the words of Sergei Lavrov, \"The West has lied. "
            "We will respond.\" To quote Peskov, \"Talks are over.\" We disagree.\n")
    assert voices(claims_of(tmp_path, "c.txt", text))[1:] == [
        ('In the words of Sergei Lavrov, "The West has lied.', QUOTED, "Sergei Lavrov"),
        ('We will respond."', QUOTED, "Sergei Lavrov"),   # the rest of his quotation
        ('To quote Peskov, "Talks are over."', QUOTED, "Peskov"),
        ("We disagree.", INTERVIEWEE, "Vollmer"),
    ]
    # the lead-in over a block is the answer's own sentence, the block whom it names
    block = "Question: What does Moscow say?\n\nVollmer: To quote Lavrov,\n\n> The West has lied.\n"
    assert voices(claims_of(tmp_path, "b.txt", block))[1:] == [
        ("To quote Lavrov,", INTERVIEWEE, "Vollmer"), ("> The West has lied.", QUOTED, "Lavrov")]


def test_a_quotation_in_a_plain_text_answer_is_the_quoted_person_s(tmp_path: Path) -> None:
    found = voices(claims_of(tmp_path, "t.txt", TRANSCRIPT))
    assert found[2:] == [
        ('As Scholz put it, "We will not be blackmailed."', QUOTED, "Scholz"),
        ("Peskov said on Monday that Europe was weak.", QUOTED, "Peskov"),
        ('"The talks are dead," a Kremlin official told reporters.', QUOTED, "Kremlin official"),
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


BLOCKS = """---
interviewer: Kyiv Weekly
interviewee: Olga Reznik
---

**Q:** In your book you wrote:

> Russia is a fortress that no sanction can breach.

Do you still think so?

**A:** No. Lavrov wrote this week:

> The West has lied to us for thirty years.

I disagree. As I wrote at the time:

> Sanctions take a decade to bite.

And here is what the ministry posted:

> Europe will freeze this winter.
>
> "We will respond in a way that hurts," Zakharova said.

> Kyiv has lost the war.
> — Sergei Shoigu

That is all I will say about it. Prices will fall by spring, whatever they say.

> Prices will fall by spring, whatever they say.

**Q:**

> Is it over?
"""


def test_a_quotation_block_in_an_interview_is_whom_it_names(tmp_path: Path) -> None:
    claims = claims_of(tmp_path, "b.md", BLOCKS)
    found = {c.text: (c.speaker, c.speaker_name) for c in claims}
    assert found["In your book you wrote:"] == (INTERVIEWER, "Kyiv Weekly")
    # the interviewer puts the interviewee's own words to her
    assert found["Russia is a fortress that no sanction can breach."] == (INTERVIEWEE, "Olga Reznik")
    assert found["Do you still think so?"] == (INTERVIEWER, "Kyiv Weekly")
    assert found["The West has lied to us for thirty years."] == (QUOTED, "Lavrov")
    assert found["Lavrov wrote this week:"] == (INTERVIEWEE, "Olga Reznik")   # her words, leading up to his
    assert found["Sanctions take a decade to bite."] == (INTERVIEWEE, "Olga Reznik")   # her own words
    # a block no one is named for: quoted, no name; a sentence in it that names its speaker: theirs
    assert found["Europe will freeze this winter."] == (QUOTED, None)
    assert found['"We will respond in a way that hurts," Zakharova said.'] == (QUOTED, "Zakharova")
    assert found["Kyiv has lost the war."] == (QUOTED, "Sergei Shoigu")   # its signature names him
    assert found["That is all I will say about it."] == (INTERVIEWEE, "Olga Reznik")
    # a pull quote repeats her words, and a block under a lone "**Q:**" is the question itself
    pulled = [c for c in claims if c.text == "Prices will fall by spring, whatever they say."]
    assert [(c.speaker, c.speaker_name) for c in pulled] == [(INTERVIEWEE, "Olga Reznik")] * 2
    assert found["Is it over?"] == (INTERVIEWER, "Kyiv Weekly")
    assert [c.reason for c in claims if c.text == "— Sergei Shoigu"] == ["byline"]
    # a block is read in its turn: its context takes in the words that lead up to it
    lavrov = next(c for c in claims if c.text == "The West has lied to us for thirty years.")
    assert lavrov.context == ("**A:** No. Lavrov wrote this week:\n\n> The West has lied to us for thirty years.\n\n"
                              "I disagree. As I wrote at the time:")


def test_a_quotation_block_in_a_plain_text_or_a_row_s_interview(tmp_path: Path) -> None:
    text = ("Question: What did Moscow say?\n\nVollmer: The Kremlin wrote on Monday:\n\n"
            "> Europe will freeze this winter.\n\nWe do not believe it.\n")
    found = voices(claims_of(tmp_path, "t.txt", text))
    assert found[1:] == [
        ("The Kremlin wrote on Monday:", INTERVIEWEE, "Vollmer"),   # his words, leading up to the Kremlin's
        ("> Europe will freeze this winter.", QUOTED, "Kremlin"),   # plain text keeps every character
        ("We do not believe it.", INTERVIEWEE, "Vollmer"),
    ]
    row = {"id": "r2", "interviewer": "Radio Svoboda Lite", "interviewee": "Maria Ostapenko",
           "text": ("RFL: What did Lavrov post today?\n\nOstapenko: This:\n\n> The West has lied to us for "
                    "thirty years.\n> — Russian MFA (@mfa_russia) March 11, 2026\n\nI laughed.")}
    found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n"))
    assert found[2:] == [
        ("> The West has lied to us for thirty years.", QUOTED, "Russian MFA (@mfa_russia)"),
        ("> — Russian MFA (@mfa_russia) March 11, 2026", QUOTED, "Russian MFA (@mfa_russia)"),
        ("I laughed.", INTERVIEWEE, "Maria Ostapenko"),
    ]


def test_an_embedded_post_in_an_html_interview_s_answer_is_its_account_s(tmp_path: Path) -> None:
    # trafilatura keeps no '>' of a <blockquote>: the post's dated signature names it, as on a page
    page = ("<html><head><title>An interview</title></head><body><article><h1>An interview</h1>"
            "<p><strong>Q:</strong> What did the ministry say?</p>"
            "<p><strong>A:</strong> Here is what the ministry posted:</p>"
            '<blockquote class="twitter-tweet"><p>Western weapons will not save the Kiev regime.</p>'
            "&mdash; Russian MFA (@mfa_russia) <a href='https://x.com/s/1'>March 11, 2026</a></blockquote>"
            "<p><strong>Q:</strong> Do you believe it?</p><p><strong>A:</strong> No.</p></article></body></html>")
    account = "Russian MFA (@mfa_russia)"
    claims = claims_of(tmp_path, "i.html", page)
    # read in its turn, as a '>' block is: the answer's words leading up to it are its context
    post = next(c for c in claims if c.text.startswith("Western"))
    assert post.context == "A: Here is what the ministry posted:\nWestern weapons will not save the Kiev regime."
    assert voices(claims)[1:] == [
        ("What did the ministry say?", INTERVIEWER, None),
        ("Here is what the ministry posted:", INTERVIEWEE, None),
        ("Western weapons will not save the Kiev regime.", QUOTED, account),
        ("— Russian MFA (@mfa_russia) March 11, 2026", QUOTED, account),
        ("Do you believe it?", INTERVIEWER, None),
        ("No.", INTERVIEWEE, None),
    ]


def test_a_pull_quote_set_in_other_apostrophes_or_case_is_still_the_turn_s(tmp_path: Path) -> None:
    text = ("---\ninterviewee: Olga Reznik\n---\n\n**Q:** Is the Kremlin winning?\n\n"
            "**A:** No. The Kremlin's strategy depends on Europe's fatigue, and Europe is not tired.\n\n"
            "> “The Kremlin’s strategy depends on Europe’s fatigue”\n\n**Q:** Why?\n\n"
            "**A:** Because the sanctions work, slowly.\n\n> ‘The sanctions work, slowly.’\n\n"
            "**Q:** And Moscow?\n\n**A:** Peskov wrote:\n\n> Europe’s fatigue is our strategy.\n")
    found = {c.text: (c.speaker, c.speaker_name) for c in claims_of(tmp_path, "p.md", text)}
    # the same words as her answer, set with curly apostrophes and a capital: a pull quote, hers
    assert found["“The Kremlin’s strategy depends on Europe’s fatigue”"] == (INTERVIEWEE, "Olga Reznik")
    assert found["‘The sanctions work, slowly.’"] == (INTERVIEWEE, "Olga Reznik")
    assert found["Europe’s fatigue is our strategy."] == (QUOTED, "Peskov")   # words of his own


def test_a_block_s_lead_in_or_cyrillic_signature_names_its_speaker(tmp_path: Path) -> None:
    def block_voice(lead: str, block: str = "> The West has lied to us for thirty years.") -> tuple:
        text = f"Q: What did they say?\n\nA: I will read it. {lead}\n\n{block}\n\nThat is all.\n"
        (tmp_path / "l.txt").write_text(text, encoding="utf-8")
        [doc] = read_documents([str(tmp_path / "l.txt")])
        return next((c.speaker, c.speaker_name) for c in extract_claims(doc) if "thirty" in c.text)

    for lead in ("Here is how Lavrov put it:", "Here is what Lavrov wrote on Monday:", "As Lavrov put it:",
                 "To quote Lavrov:", "I quote Lavrov:", "Quoting Lavrov, the foreign minister:"):
        assert block_voice(lead) == (QUOTED, "Lavrov"), lead
    assert block_voice("In the words of Sergei Lavrov:") == (QUOTED, "Sergei Lavrov")
    # a comma ends such a lead-in as a colon does; "Lavrov wrote," is a clause going on, no lead-in
    assert block_voice("In the words of Sergei Lavrov,") == (QUOTED, "Sergei Lavrov")
    assert block_voice("To quote Lavrov,") == (QUOTED, "Lavrov")
    assert block_voice("To quote myself,") == (INTERVIEWEE, None)
    assert block_voice("In the words of foreign minister Sergei Lavrov:") == (QUOTED, "Sergei Lavrov")
    # no name given: quoted, no name; the turn's own words or the other side's stay theirs
    assert block_voice("Here is how the ministry put it:") == (QUOTED, None)
    assert block_voice("To quote the ministry:") == (QUOTED, None)
    assert block_voice("To quote myself:") == (INTERVIEWEE, None)
    assert block_voice("Here is how I put it then:") == (INTERVIEWEE, None)
    assert block_voice("To quote you:") == (INTERVIEWER, None)
    # a signature in Cyrillic names its speaker as a Latin one does
    signed = "> Запад нам лгал тридцать лет, thirty years.\n> — Сергей Лавров"
    assert block_voice("I will read it.", signed) == (QUOTED, "Сергей Лавров")


def test_a_block_s_lead_in_is_the_turn_s_own_sentence(tmp_path: Path) -> None:
    text = ("---\ninterviewer: Kyiv Weekly\ninterviewee: Olga Reznik\n---\n\n**Q:** What did Moscow say?\n\n"
            "**A:** The foreign ministry spokeswoman wrote this on Monday:\n\n> Europe will freeze this winter.\n\n"
            "Then Peskov told reporters:\n\n> Talks are over.\n> — Dmitry Peskov\n\n"
            "Here's what Lavrov wrote on Monday:\n\n> The West has lied to us for thirty years.\n\n"
            "**Q:** And you? You once wrote:\n\n> The war will end by spring.\n")
    found = {c.text: (c.speaker, c.speaker_name) for c in claims_of(tmp_path, "l.md", text)}
    reznik, weekly = (INTERVIEWEE, "Olga Reznik"), (INTERVIEWER, "Kyiv Weekly")
    # the sentence that introduces a block is the turn's; the block is whom it names
    assert found["The foreign ministry spokeswoman wrote this on Monday:"] == reznik
    assert found["Europe will freeze this winter."] == (QUOTED, None)
    assert found["Then Peskov told reporters:"] == reznik   # also over a signed block
    assert found["Talks are over."] == (QUOTED, "Dmitry Peskov")
    assert found["Here's what Lavrov wrote on Monday:"] == reznik
    assert found["The West has lied to us for thirty years."] == (QUOTED, "Lavrov")
    assert found["You once wrote:"] == weekly
    assert found["The war will end by spring."] == reznik


PROSE = """# Moscow digs in

By Jana Kovac

Moscow hardened its line this week. Lavrov wrote on Monday:

> The West has lied to us for thirty years.

The ministry spokeswoman went further.

> Europe will freeze this winter.
> — Maria Zakharova

Sanctions take a decade to bite, and Europe knows it.

> Sanctions take a decade to bite, and Europe knows it.

> All happy families are alike.

The end is near. As I wrote last year:

> The war will end by spring.
"""


def test_a_quotation_block_in_the_writer_s_prose_is_whom_it_names(tmp_path: Path) -> None:
    kovac = (AUTHOR, "Jana Kovac")
    for name in ("a.md", "a.txt"):
        found = {c.text.lstrip("> "): (c.speaker, c.speaker_name) for c in claims_of(tmp_path, name, PROSE)}
        assert found["Lavrov wrote on Monday:"] == kovac, name   # the writer's words, leading up to his
        assert found["The West has lied to us for thirty years."] == (QUOTED, "Lavrov"), name
        assert found["Europe will freeze this winter."] == (QUOTED, "Maria Zakharova"), name   # signed
        assert found["— Maria Zakharova"] == (QUOTED, "Maria Zakharova"), name
        # a pull quote of the article's own words, and the writer quoting themselves, stay the author's
        assert found["Sanctions take a decade to bite, and Europe knows it."] == kovac, name
        assert found["The war will end by spring."] == kovac, name
        # an epigraph, an excerpt no one is named for: quoted, no name (not the writer's stance)
        assert found["All happy families are alike."] == (QUOTED, None), name
    row = {"id": "r1", "text": "Moscow answered the same day. Peskov told reporters:\n\n> Talks are over.\n\n"
                               "Nobody believed him."}
    assert voices(claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n")) == [
        ("Moscow answered the same day.", AUTHOR, None),
        ("Peskov told reporters:", AUTHOR, None),
        ("> Talks are over.", QUOTED, "Peskov"),
        ("Nobody believed him.", AUTHOR, None),
    ]
    # a lead-in set in emphasis names the speaker without its markup
    found = voices(claims_of(tmp_path, "e.md", "Talks stalled.\n\n**Dmitry Peskov** said:\n\n> The deal is dead.\n"))
    assert found[1:] == [("**Dmitry Peskov** said:", AUTHOR, None), ("The deal is dead.", QUOTED, "Dmitry Peskov")]


def test_a_pull_quote_in_the_introduction_is_whoever_says_it(tmp_path: Path) -> None:
    text = ("---\ninterviewer: Kyiv Weekly\ninterviewee: Olga Reznik\n---\n\n"
            "We spoke to the economist Olga Reznik about the sanctions.\n\n"
            "> Prices will fall by spring, whatever they say.\n\n**Q:** Will prices fall?\n\n"
            "**A:** Prices will fall by spring, whatever they say.\n")
    pulled = [(c.speaker, c.speaker_name) for c in claims_of(tmp_path, "i.md", text)
              if c.text == "Prices will fall by spring, whatever they say."]
    assert pulled == [(INTERVIEWEE, "Olga Reznik")] * 2   # her answer's words, set off in the introduction
    # words a question quotes are not the interviewer's own: the answer's pull quote of them stays hers
    text = ("---\ninterviewer: Kyiv Weekly\ninterviewee: Olga Reznik\n---\n\n"
            '**Q:** In your book you wrote that "Europe is sleepwalking into a long war." Still?\n\n'
            "**A:** Yes.\n\n> Europe is sleepwalking into a long war.\n")
    found = {c.text: (c.speaker, c.speaker_name) for c in claims_of(tmp_path, "q.md", text)}
    assert found["Europe is sleepwalking into a long war."] == (INTERVIEWEE, "Olga Reznik")
    # the writer addressing a reader ("you") has no other side: the block is quoted with no name
    found = {c.text: (c.speaker, c.speaker_name)
             for c in claims_of(tmp_path, "y.md", "Many readers objected. You wrote to us last week:\n\n> Stop it.\n")}
    assert found["You wrote to us last week:"] == (AUTHOR, None)
    assert found["Stop it."] == (QUOTED, None)


def test_an_html_blockquote_is_read_as_a_quotation_block_its_text_unchanged(tmp_path: Path) -> None:
    # trafilatura keeps a <blockquote>'s words, not its mark: the reader marks them beside the text
    page = ("<html><head><title>Moscow digs in</title></head><body><article><h1>Moscow digs in</h1>"
            "<p>By Jana Kovac</p><p>Moscow hardened its line this week. Lavrov wrote on Monday:</p>"
            "<blockquote><p>The West has lied to us for thirty years.<br>It will lie again.</p></blockquote>"
            "<p>The ministry spokeswoman went further.</p>"
            "<blockquote><p>Europe will freeze this winter.</p><p>— Maria Zakharova</p></blockquote>"
            "<p>Nobody in Brussels expects a deal before the spring.</p>"
            "<blockquote><p>All happy families are alike.</p></blockquote>"
            '<blockquote class="twitter-tweet"><p>Western weapons will not save the Kiev regime.</p>'
            "&mdash; Russian MFA (@mfa_russia) <a href='https://x.com/s/1'>March 11, 2026</a></blockquote>"
            "<p><strong>Q:</strong> What did the ministry say?</p>"
            "<p><strong>A:</strong> Here is how Peskov put it:</p><blockquote><p>Talks are over.</p></blockquote>"
            "<p><strong>Q:</strong> Do you believe it?</p><p><strong>A:</strong> No.</p></article></body></html>")
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [doc] = read_documents([str(tmp_path / "p.html")])
    assert doc.text == (   # as the extractor writes it: no '>' added, every offset as before
        "Moscow digs in\nBy Jana Kovac\nMoscow hardened its line this week. Lavrov wrote on Monday:\n"
        "The West has lied to us for thirty years.\nIt will lie again.\nThe ministry spokeswoman went further.\n"
        "Europe will freeze this winter.\n— Maria Zakharova\nNobody in Brussels expects a deal before the spring.\n"
        "All happy families are alike.\nWestern weapons will not save the Kiev regime.\n"
        "— Russian MFA (@mfa_russia) March 11, 2026\nQ: What did the ministry say?\nA: Here is how Peskov put it:\n"
        "Talks are over.\nQ: Do you believe it?\nA: No.")
    kovac, account = (AUTHOR, "Jana Kovac"), "Russian MFA (@mfa_russia)"
    found = {c.text: (c.speaker, c.speaker_name, c.reason) for c in claims_of(tmp_path, "p.html", page)}
    assert found["Lavrov wrote on Monday:"][:2] == kovac   # the writer's lead-in, the block after it Lavrov's
    assert found["The West has lied to us for thirty years."][:2] == (QUOTED, "Lavrov")
    assert found["It will lie again."][:2] == (QUOTED, "Lavrov")   # a <br> in the quotation: still in it
    assert found["Europe will freeze this winter."][:2] == (QUOTED, "Maria Zakharova")
    assert found["— Maria Zakharova"] == (QUOTED, "Maria Zakharova", "byline")
    assert found["Nobody in Brussels expects a deal before the spring."][:2] == kovac
    assert found["All happy families are alike."][:2] == (QUOTED, None)
    assert found["Western weapons will not save the Kiev regime."][:2] == (QUOTED, account)   # a post, as before
    assert found["Here is how Peskov put it:"][:2] == (INTERVIEWEE, None)
    assert found["Talks are over."][:2] == (QUOTED, "Peskov")
    assert found["No."][:2] == (INTERVIEWEE, None)


ARTICLE_LEAD = ("# Talks stall\n\nThe talks in Istanbul ended without a deal on Monday.\n\n{lead}\n\n"
                "> The West has lied to us for thirty years.\n\nKyiv rejected the claim within the hour.\n")


@pytest.mark.parametrize("lead, name", [
    ("Lavrov said:", "Lavrov"), ("Lavrov wrote:", "Lavrov"), ("Lavrov says:", "Lavrov"),
    ("The ministry said:", None), ("**Lavrov** said:", "Lavrov")])
def test_a_lone_name_said_over_a_block_in_prose_opens_no_comments(tmp_path: Path, lead: str, name: str | None) -> None:
    # 'Lavrov said:' is a forum's quote header ('Username said:') in form: alone in an article it made
    # that line, the block and every later paragraph a comment by 'Lavrov'
    for file in ("b.md", "b.txt"):
        found = {c.text.lstrip("> "): (c.speaker, c.speaker_name) for c in claims_of(tmp_path, file, ARTICLE_LEAD.format(lead=lead))}
        assert found[lead] == (AUTHOR, None), file   # the writer's lead-in
        assert found["The West has lied to us for thirty years."] == (QUOTED, name), file
        assert found["Kyiv rejected the claim within the hour."] == (AUTHOR, None), file
    row = {"id": "r1", "text": ARTICLE_LEAD.format(lead=lead).split("\n\n", 1)[1]}
    assert {c.speaker for c in claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n")} == {AUTHOR, QUOTED}
    # in an interview's answer, the same: the answer's words, the block the named person's
    answer = ("**Q:** And Moscow?\n\n**A:** Moscow has not moved.\n\n" + lead + "\n\n> The West has lied to us.\n\n"
              "I do not believe that.\n\n**Q:** Why not?\n\n**A:** Look at the record.\n")
    found = voices(claims_of(tmp_path, "i.md", answer))
    assert [(v[1], v[2]) for v in found if v[0] in (lead, "I do not believe that.", "Look at the record.")] == [
        (INTERVIEWEE, None)] * 3
    assert [v[1:] for v in found if v[0].endswith("The West has lied to us.")] == [(QUOTED, name)]


THREAD = ("Re: Sanctions thread\n\nGreg_in_Ohio said:\n\n> NATO provoked all of this.\n\n"
          "Nonsense, the members asked to join.\n\nMaria K. said:\n\n> The members asked to join.\n\n"
          "Sources for that?\n\nOld Soldier said:\n\n> Sources?\n\nLook it up.\n")


def test_a_thread_of_name_said_headers_stays_comments(tmp_path: Path) -> None:
    # several post headers, a dated one, a username's form or a forum's kind open the comments as before
    for file in ("t.md", "t.txt"):
        found = voices(claims_of(tmp_path, file, THREAD))
        assert found[0][1] == AUTHOR and {v[1] for v in found[1:]} == {COMMENTER}, file
        # each 'NAME said:' over a '>' block is XenForo's quotation of that commenter's earlier post inside
        # another's reply: the header and the block are the quoted commenter's, the reply under it is by whoever
        # replies, whose own post header the copy does not show (no name)
        assert [v[2] for v in found if v[0] in ("Nonsense, the members asked to join.", "Sources for that?", "Look it up.")] == [
            None, None, None], file
        assert [v[2] for v in found if v[0].lstrip("> ") in ("NATO provoked all of this.", "The members asked to join.", "Sources?")] == [
            "Greg_in_Ohio", "Maria K.", "Old Soldier"], file
    two = THREAD.split("\n\nOld Soldier")[0] + "\n"
    assert {v[1] for v in voices(claims_of(tmp_path, "two.md", two))[1:]} == {COMMENTER}
    for lead in ("jdoe said:", "Greg_in_Ohio said:", "Anna K. wrote on May 5, 2024 at 3:12 pm"):
        found = voices(claims_of(tmp_path, "one.md", ARTICLE_LEAD.format(lead=lead)))
        assert [v[1] for v in found] == [AUTHOR, AUTHOR, COMMENTER, COMMENTER, COMMENTER], lead
    # an article's two lead-ins, each over its block with no words between (no post replies), and a lead-in
    # above a comments heading, open no thread: the comments start at the heading
    two_leads = ("Talks ended.\n\nLavrov said:\n\n> The West lied.\n\nPeskov said:\n\n> Talks are over.\n\n"
                 "Kyiv rejected both claims.\n")
    assert [v[1:] for v in voices(claims_of(tmp_path, "two_leads.md", two_leads))] == [
        (AUTHOR, None), (AUTHOR, None), (QUOTED, "Lavrov"), (AUTHOR, None), (QUOTED, "Peskov"), (AUTHOR, None)]
    above = ARTICLE_LEAD.format(lead="Lavrov said:") + "\n## Comments\n\nGreg_in_Ohio says:\n\nNATO provoked it.\n"
    assert [v[1:] for v in voices(claims_of(tmp_path, "above.md", above))][2:] == [
        (AUTHOR, None), (QUOTED, "Lavrov"), (AUTHOR, None), (COMMENTER, None), (COMMENTER, "Greg_in_Ohio"),
        (COMMENTER, "Greg_in_Ohio")]
    for kind, last in (("forum_thread", COMMENTER), ("blog comments", COMMENTER), ("commentary", AUTHOR)):
        row = {"id": "r1", "kind": kind, "text": ARTICLE_LEAD.format(lead="Lavrov said:")}
        assert [c.speaker for c in claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n")][-1] == last, kind


def test_a_forums_quotation_header_names_the_block_and_the_reply_is_the_posts_writer(tmp_path: Path) -> None:
    # 'Greg_in_Ohio said:' over a '>' block quotes Greg's earlier post inside Maria's reply: the reply under the
    # block was named Greg_in_Ohio; it is the writer's of the post header above ('Maria K. says:', 'Maria K.: ...')
    thread = ("The deal collapsed in July.\n\n## Comments\n\nMaria K. says:\n\nGreg_in_Ohio said:\n\n> NATO provoked all of this.\n\n"
              "Nonsense, the members asked to join.\n\nOld Soldier says:\n\nMaria K. wrote:\n\n> The members asked to join.\n\n"
              "Sources for that?\n\nAnna: I agree.\n\nGreg_in_Ohio said:\n\n> Provoked.\n\nNo.\n")
    for file in ("t.md", "t.txt"):
        found = voices(claims_of(tmp_path, file, thread))[2:]
        assert [(v[0].lstrip("> "), v[2]) for v in found] == [
            ("Maria K. says:", "Maria K."), ("Greg_in_Ohio said:", "Greg_in_Ohio"), ("NATO provoked all of this.", "Greg_in_Ohio"),
            ("Nonsense, the members asked to join.", "Maria K."), ("Old Soldier says:", "Old Soldier"),
            ("Maria K. wrote:", "Maria K."), ("The members asked to join.", "Maria K."), ("Sources for that?", "Old Soldier"),
            ("I agree.", "Anna"), ("Greg_in_Ohio said:", "Greg_in_Ohio"), ("Provoked.", "Greg_in_Ohio"),
            ("No.", "Anna")], file
        assert {v[1] for v in found} == {COMMENTER}, file
    # the quotation header with its name in Markdown bold or italics, as a blog export writes it, the same
    for header in ("**Greg_in_Ohio** wrote:", "*Greg_in_Ohio* wrote:", "__Greg_in_Ohio__ wrote:", "**Maria K.** wrote:"):
        post = f"The deal collapsed.\n\n## Comments\n\nOld Soldier says:\n\n{header}\n\n> NATO provoked it.\n\nIt did not.\n"
        quoted = "Maria K." if "Maria" in header else "Greg_in_Ohio"
        assert [v[2] for v in voices(claims_of(tmp_path, "e.md", post))][2:] == [
            "Old Soldier", quoted, quoted, "Old Soldier"], header
    # a post header over a '>' block is the post's own ('says:', dated): the commenter quotes and replies
    for header in ("Greg_in_Ohio says:", "Anna K. wrote on May 5, 2024 at 3:12 pm", "Greg_in_Ohio said on May 5, 2024:"):
        post = f"The deal collapsed.\n\n## Comments\n\n{header}\n\n> The article says NATO asked.\n\nIt did not.\n"
        name = "Greg_in_Ohio" if header.startswith("Greg") else "Anna K."
        assert [v[2] for v in voices(claims_of(tmp_path, "p.md", post))][2:] == [name] * 3, header
    # in a thread of 'NAME said:' post headers, one over a block after a post's own words starts the next post: its
    # reply is by whoever quotes, not the post above's writer (Greg_in_Ohio answering his own words); a post header
    # right over a quotation header, and 'says:' and handle posts quoting twice, keep their writer
    post = ("The deal collapsed.\n\n## Comments\n\nGreg_in_Ohio said:\n\nNATO provoked it.\n\nMaria K. said:\n\n"
            "> NATO provoked it.\n\nNonsense.\n\nOld Soldier wrote:\n\nMaria K. said:\n\n> Nonsense.\n\nSources?\n")
    assert [v[2] for v in voices(claims_of(tmp_path, "n.md", post))][2:] == [
        "Greg_in_Ohio", "Greg_in_Ohio", "Maria K.", "Maria K.", None, "Old Soldier", "Maria K.", "Maria K.", "Old Soldier"]
    for header in ("Old Soldier says:", "Old Soldier:"):
        post = (f"The deal collapsed.\n\n## Comments\n\n{header}\n\nGreg_in_Ohio said:\n\n> NATO provoked it.\n\n"
                "Nonsense.\n\nMaria K. said:\n\n> Nonsense.\n\nSources?\n")
        assert [v[2] for v in voices(claims_of(tmp_path, "m.md", post))][-1] == "Old Soldier", header
    # a quotation header over words of its own is a post header, as before
    post = "The deal collapsed.\n\n## Comments\n\nGreg_in_Ohio said:\n\nNATO provoked it.\n\nMaria K. said:\n\nNo.\n"
    assert [v[2] for v in voices(claims_of(tmp_path, "q.md", post))][2:] == ["Greg_in_Ohio"] * 2 + ["Maria K."] * 2


TWO_LEADS = ("Talks stall\n\n{before}Lavrov said:\n\n> The West has lied to us.\n\nKyiv rejected the claim within the hour.\n\n"
             "Peskov said:\n\n> Talks are over.\n\nEurope called that a bluff.\n")


@pytest.mark.parametrize("before, kind", [
    ("Foreign Minister Sergei Lavrov spoke in Istanbul on Monday.\n\n", None),   # named in the text before
    ("By Jana Kovac\n\nThe talks ended on Monday.\n\n", None),                  # a news byline over 'said:'
    ("", "news"), ("", "news_article"), ("", "analysis"),                          # the metadata's kind
    ("", "op-ed"), ("", "Op-Ed"), ("", "opinion"), ("", "commentary"), ("", "column")])   # an op-ed's, a column's
def test_two_lead_ins_with_the_writers_paragraph_between_stay_the_articles(tmp_path: Path, before: str, kind: str | None) -> None:
    # 'Lavrov said:' > block, the writer's paragraph, 'Peskov said:' > block read as a thread's two post headers:
    # the rest of the article became comments by Lavrov and Peskov
    text = TWO_LEADS.format(before=before)
    if kind is None:
        found = voices(claims_of(tmp_path, "a.md", text))
    else:
        found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps({"id": "r1", "kind": kind, "text": text}) + "\n"))
    by_text = {t.lstrip("> "): (s, n) for t, s, n in found}
    assert COMMENTER not in {s for _, s, _ in found}
    assert by_text["The West has lied to us."] == (QUOTED, "Lavrov")
    assert by_text["Talks are over."] == (QUOTED, "Peskov")
    assert by_text["Kyiv rejected the claim within the hour."][0] == by_text["Europe called that a bluff."][0] == AUTHOR


def test_a_thread_stays_comments_beside_the_article_evidence(tmp_path: Path) -> None:
    # the quoted named before only as a post's header or handle, 'says:' headers under a news byline, a blog's
    # byline, a forum's kind over a news word: still a thread's headers
    for text in ("Re: Sanctions\n\nMaria K. says:\n\nNATO asked for it.\n\n" + THREAD.split("\n\n", 1)[1],
                 "Re: Sanctions\n\nMaria K.: NATO asked for it.\n\n" + THREAD.split("\n\n", 1)[1],
                 "By Jana Kovac\n\nThe deal collapsed.\n\nMaria K. says:\n\nNonsense.\n\nOld Soldier says:\n\nSources?\n"):
        found = voices(claims_of(tmp_path, "t.md", text))
        assert [v[1] for v in found if v[0] in ("Sources for that?", "Look it up.", "Sources?")] != [] and {
            v[1] for v in found if v[0] in ("Sources for that?", "Look it up.", "Sources?")} == {COMMENTER}, text
    blog = ("Posted by Klaus Meinhardt\n\nThe deal collapsed.\n\nMaria K. said:\n\nNonsense.\n\nOld Soldier said:\n\n"
            "Sources?\n")
    row = {"id": "r1", "kind": "blog", "text": blog}
    assert [c.speaker for c in claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n")][-1] == COMMENTER
    row = {"id": "r1", "kind": "news_forum", "text": TWO_LEADS.format(before="")}
    assert [c.speaker for c in claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n")][-1] == COMMENTER


def test_many_lead_ins_are_asked_about_in_linear_time() -> None:
    # each 'NAME said:' line asked whether the text named it before scanned every paragraph before it: 4,000
    # lead-ins (235 KB) took 24 s, 2,000 after 2,000 paragraphs of prose with 'Xa K.' names 23 s; 0.3-0.6 s now
    import time

    from corpus.sentences import split_paragraphs
    from corpus.voices import paragraph_voices

    def name(k: int) -> str:
        return "".join(chr(97 + (k // 26 ** d) % 26) for d in range(3)).capitalize()

    for lead, prose in (("{}ov said:", 0), ("{}a K. said:", 2000)):
        text = "# Briefing\n\n" + "The talks collapsed after four hours of argument.\n\n" * prose + "".join(
            lead.format(name(k)) + "\n\n> The talks are over and nothing was agreed.\n\n" for k in range(2000))
        started = time.process_time()
        found = paragraph_voices(text, split_paragraphs(text), {})
        assert time.process_time() - started < 3.0, lead
        assert COMMENTER not in {v.speaker for v in found}


DATED_LEAD = ("# Talks stall\n\n{before}{lead}\n\n> The West has lied to us for thirty years.\n\n"
              "Kyiv rejected the claim within the hour.\n")


@pytest.mark.parametrize("before, kind, lead", [
    ("Sergei Lavrov met his Turkish counterpart in Antalya on Monday.\n\n", "news", "Lavrov said on 5 May 2024:"),
    ("Sergei Lavrov met his Turkish counterpart in Antalya on Monday.\n\n", None, "Lavrov said on 5 May 2024:"),
    ("The talks ended on Monday.\n\n", "news", "Lavrov wrote on 3 March 2024:"),
    ("By Jana Kovac\n\nThe talks ended on Monday.\n\n", None, "Lavrov said on 2024-05-05:"),
    ("Sergei Lavrov spoke on Monday.\n\n", "analysis", "**Lavrov** said on 5 May 2024:"),
    # the US date's commas: the block was quoted with no name (quotes.attributed_speaker gave (False, None))
    ("The talks ended on Monday.\n\n", "news", "Lavrov wrote on March 3, 2024:"),
    ("Sergei Lavrov met his Turkish counterpart in Antalya on Monday.\n\n", "news", "Lavrov wrote on Mar. 3, 2024:"),
    ("By Jana Kovac\n\nThe talks ended on Monday.\n\n", None, "Lavrov wrote on May 5, 2024:")])
def test_a_dated_lead_in_over_a_block_in_an_article_opens_no_comments(
        tmp_path: Path, before: str, kind: str | None, lead: str) -> None:
    # a dated 'NAME said on DATE:' line always opened the comments, even under an article's evidence (its kind, the
    # name before, a 'By' byline): the line, the block and the rest of the article were commenter 'Lavrov'
    text = DATED_LEAD.format(before=before, lead=lead)
    if kind is None:
        found = voices(claims_of(tmp_path, "a.md", text))
    else:
        found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps({"id": "r1", "kind": kind, "text": text}) + "\n"))
    by_text = {t.lstrip("> "): (s, n) for t, s, n in found}
    assert by_text[lead][0] == by_text["Kyiv rejected the claim within the hour."][0] == AUTHOR   # the writer's
    assert by_text["The West has lied to us for thirty years."] == (QUOTED, "Lavrov")


@pytest.mark.parametrize("lead", ["Lavrov wrote on March 3, 2024:", "Lavrov wrote on Mar. 3, 2024:",
                                  "Lavrov said on March 3, 2024:", "Lavrov told reporters on March 3, 2024:",
                                  "Lavrov wrote on Monday, March 3, 2024:", "Lavrov wrote on Monday, March 3,"])
def test_a_us_date_after_the_verb_keeps_the_speakers_name(lead: str) -> None:
    # the commas of 'March 3, 2024' cut the clause: 'wrote on March 3, 2024' gave (False, None), 'on 3 March 2024' Lavrov
    assert attributed_speaker(f'{lead} "The West has lied."') == (True, "Lavrov")
    assert attributed_speaker(f"{lead.rstrip(':,')} that the West has lied.") == (True, "Lavrov")


def test_a_dated_comment_header_stays_a_comment_beside_the_article_evidence(tmp_path: Path) -> None:
    # a time of day, WordPress's 'says: DATE', no colon, a username, the header over the post's own words (no
    # block), no article evidence, or the comments heading above: the comments open there, as before
    named = "Anna K. and Sergei Lavrov met in Antalya on Monday.\n\n"
    for before, lead, block in ((named, "Anna K. wrote on May 5, 2024 at 3:12 pm", True),
                                (named, "Anna K. wrote on May 5, 2024 at 3:12 pm:", True),
                                (named, "Maria K. says: May 5, 2024 at 3:12 pm", True),
                                (named, "Maria K. says: May 5, 2024", True),
                                (named, "Anna K. wrote on May 5, 2024", True),
                                (named, "jdoe said on May 5, 2024:", True),
                                (named, "Anna K. wrote on May 5, 2024:", False),
                                ("The talks ended.\n\n", "Lavrov said on 5 May 2024:", True)):
        text = DATED_LEAD.format(before=before, lead=lead)
        if not block:
            text = text.replace("> The West", "The West")
        for kind in (("news", None) if before == named else (None, "blog")):
            row = {"id": "r1", "text": text, **({"kind": kind} if kind else {})}
            found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps(row) + "\n"))
            assert [s for t, s, _ in found if t == lead] == [COMMENTER], (lead, kind)
            assert [s for t, s, _ in found if t == "Kyiv rejected the claim within the hour."] == [COMMENTER], (lead, kind)
    # a news article's comment section after its heading: dated headers, over a block too, are comments
    text = ("Sergei Lavrov met Anna K. on Monday.\n\n## Comments\n\nAnna K. wrote on May 5, 2024:\n\n> Lavrov met.\n\n"
            "So what?\n\nLavrov said on 5 May 2024:\n\n> So what?\n\nEverything.\n")
    found = voices(claims_of(tmp_path, "rows.jsonl", json.dumps({"id": "r1", "kind": "news", "text": text}) + "\n"))
    assert [(s, n) for t, s, n in found][1:] == [(COMMENTER, None), (COMMENTER, "Anna K."), (COMMENTER, "Anna K."),
                                              (COMMENTER, "Anna K."), (COMMENTER, "Lavrov"), (COMMENTER, "Lavrov"),
                                              (COMMENTER, "Lavrov")]
