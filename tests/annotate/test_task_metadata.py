"""A task's free metadata (an original-language text, a channel column) is shown under the paragraph,
escaped, and never comes back as part of the paragraph a pull recovers."""

from __future__ import annotations

from types import SimpleNamespace as NS

from annotate import pull_rows
from annotate.claim_tasks import claim_to_task, metadata_html

SCHEME = NS(name="toy", labels=[NS(id="kremlin_framing", name="Kremlin framing", hotkey="1"),
                                NS(id="neutral", name="Neutral", hotkey="2")], neutral="neutral")


def _row(**extra: object) -> dict:
    context = "Posted at 07:40. Kiev is again placing equipment among homes. Shared 2,300 times."
    text = "Kiev is again placing equipment among homes."
    return {"claim_id": "c1", "doc_id": "tg-48219", "text": text, "context": context, "start": context.index(text),
            "context_start": 0, "is_claim": True, "speaker": "author", "outlet": "Donbass Vestnik Z", **extra}


def test_free_metadata_is_shown_under_the_paragraph_escaped_and_in_order():
    row = _row(text_ru="Киевский режим снова размещает технику среди жилых домов.", **{"Канал": "Донбасский <b>Вестник</b> Z"},
               subscribers=120000, verified=False, label="kremlin_framing")
    data = claim_to_task(row, SCHEME)["data"]
    paragraph = ("Posted at 07:40. <mark>Kiev is again placing equipment among homes.</mark> Shared 2,300 times.")
    assert data["context_html"] == paragraph + (
        '<div style="margin-top: 0.6em; padding-top: 0.4em; border-top: 1px solid #ddd; font-size: 0.85em; '
        'color: #444"><div><b>text_ru</b>: <span dir="auto">Киевский режим снова размещает технику среди жилых '
        'домов.</span></div><div><b>Канал</b>: <span dir="auto">Донбасский &lt;b&gt;Вестник&lt;/b&gt; Z</span></div>'
        '<div><b>subscribers</b>: <span dir="auto">120000</span></div>'
        '<div><b>verified</b>: <span dir="auto">false</span></div></div>')
    # The data set's own label rides along for the pull (meta_label), but is never shown: it is an answer.
    assert data["meta_label"] == "kremlin_framing" and "kremlin_framing" not in data["context_html"]
    # The pull recovers the paragraph alone, and the fields stay fields.
    meta = pull_rows.claim_metadata(data)
    assert meta["context"] == row["context"] and meta["Канал"] == "Донбасский <b>Вестник</b> Z"


def test_no_free_metadata_no_block():
    data = claim_to_task(_row(), SCHEME)["data"]
    assert data["context_html"].endswith("Shared 2,300 times.") and metadata_html({}) == ""
    alone = claim_to_task(_row(context=None, platform="telegram"), SCHEME)["data"]
    assert alone["context_html"].startswith("<mark>Kiev is again") and "<b>platform</b>" in alone["context_html"]
    assert pull_rows.claim_metadata(alone).get("context") is None   # shown alone: no paragraph known


def _shown(context_html: str) -> list[str]:
    """The metadata lines an annotator reads, as text."""
    import html
    import re

    block = context_html.split('<div style="', 1)[1]
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in re.findall(r"<div>(.*?)</div>", block)]


def test_a_column_named_like_a_field_of_ours_is_shown_under_its_own_name_and_kept_apart():
    # `note` is the annotator's note of a pull, `source_line` and `context_html` the view's own fields,
    # `split` a pull's column: each is shown by its name, and carried as meta_<name>
    row = _row(note="channel deleted the post on 15 March", source_line="<i>wire</i>", context_html="x < y",
               split="test", meta_note="the row's own meta_note")
    data = claim_to_task(row, SCHEME)["data"]
    assert _shown(data["context_html"]) == ["note: channel deleted the post on 15 March", "source_line: <i>wire</i>",
                                            "context_html: x < y", "meta_note: the row's own meta_note"]
    assert "&lt;i&gt;wire&lt;/i&gt;" in data["context_html"] and "<i>wire" not in data["context_html"]
    assert (data["meta_meta_note"], data["meta_source_line"], data["meta_context_html"], data["meta_split"],
            data["meta_note"]) == (row["note"], row["source_line"], row["context_html"], "test", row["meta_note"])
    assert data["source_line"].startswith("Donbass Vestnik Z")   # the view's own line is untouched
    meta = pull_rows.claim_metadata(data)
    assert meta["meta_meta_note"] == row["note"] and meta["context"] == row["context"]


def test_a_wide_row_shows_its_first_fields_and_counts_the_rest():
    extra = {f"col{i:02d}": f"value {i}" for i in range(27)}
    data = claim_to_task(_row(label="neutral", **extra), SCHEME)["data"]
    assert _shown(data["context_html"]) == [f"col{i:02d}: value {i}" for i in range(8)] + [
        "and 19 more fields (in the task's data)"]
    assert all(data[f"col{i:02d}"] == f"value {i}" for i in range(27)) and data["meta_label"] == "neutral"
    nine = claim_to_task(_row(**dict(list(extra.items())[:9])), SCHEME)["data"]
    assert _shown(nine["context_html"])[-1] == "and 1 more field (in the task's data)"
    eight = claim_to_task(_row(**dict(list(extra.items())[:8])), SCHEME)["data"]
    assert len(_shown(eight["context_html"])) == 8


def test_an_answer_column_is_hidden_whatever_its_case():
    from annotate.claim_tasks import metadata_html

    shown = metadata_html({"Label": "against", " SPLIT ": "test", "channel": "Voenkor Sever"})
    assert "against" not in shown and "test" not in shown and "Voenkor Sever" in shown


def test_front_matter_interviewer_and_interviewee_are_not_shown_again_when_the_source_line_names_them():
    """A Markdown file's front matter (``interviewer:``, ``interviewee:``) are voice hints the claims step
    made into each claim's voice: a line under the paragraph repeating the name the source line shows
    (the voice's, the author's) is left out; a name it does not show stays; the task's data keeps both."""
    hints = {"kind": "interview", "author": "Olga Reznik", "interviewer": "Olga Reznik",
             "interviewee": "Sergei  Antonov", "collection": "md-test"}
    answer = claim_to_task(_row(speaker="interviewee", speaker_name="Sergei Antonov", **hints), SCHEME)["data"]
    question = claim_to_task(_row(speaker="interviewer", speaker_name="Olga Reznik", **hints), SCHEME)["data"]
    meta = '<div><b>{}</b>: <span dir="auto">{}</span></div>'
    for data in (answer, question):
        assert data["interviewer"] == "Olga Reznik" and data["interviewee"] == "Sergei  Antonov"
        assert meta.format("collection", "md-test") in data["context_html"]
        assert meta.format("interviewer", "Olga Reznik") not in data["context_html"]
    assert "voice: interviewee (Sergei Antonov)" in answer["source_line"]
    assert "interviewee</b>" not in answer["context_html"]
    assert meta.format("interviewee", "Sergei  Antonov") in question["context_html"]   # whom she asks: shown


def test_metadata_a_task_cannot_carry_is_named_not_dropped_without_a_word():
    # QA: a JSONL row's 1,000-character field and its fields past the 30th never reached Label Studio
    # or the pulled dataset, and the push said nothing
    from annotate.claim_tasks import MAX_META_FIELDS, left_out_note

    row = _row(text_ru="Киев " * 100, note_en="short", empty="", **{f"f{i:02d}": i for i in range(MAX_META_FIELDS + 2)})
    left: dict[str, str] = {}
    data = claim_to_task(row, SCHEME, left_out=left)["data"]
    assert "text_ru" not in data and "empty" not in data and data["note_en"] == "short"
    assert left == {"text_ru": "over 300 characters", "f29": "past the 30th field", "f30": "past the 30th field",
                    "f31": "past the 30th field"}
    assert claim_to_task(row, SCHEME)["data"] == data   # the same task without the record
    note = left_out_note({"c1": left, "c2": {"text_ru": "over 300 characters"}})
    assert note == ("2 task(s) left out document metadata, since a task carries at most 30 fields of 300 characters: "
                    "text_ru (over 300 characters: 2 tasks), f29, f30, f31 (past the 30th field: 1 task); Label Studio "
                    "and the pulled dataset do not have them (join them to the pull by doc_id, or shorten the fields)")
    assert left_out_note({}) is None


def test_the_left_out_note_names_odd_fields_on_its_one_line():
    # a JSONL key holding a line break split the note in two, and a 2,000-character key was printed whole
    from annotate.claim_tasks import left_out_note

    long = "x" * 2000
    note = left_out_note({"c1": {"line\nbreak": "over 300 characters", long: "over 300 characters",
                                 " ": "over 300 characters"}})
    assert "\n" not in note and len(note) < 400
    assert "line break, xxxxx" in note and "x" * 61 not in note and "(unnamed column)" in note
