"""A row's free metadata in the labelling view of a real Label Studio: the original-language text and
a channel column under the paragraph, as text (never markup); the pull still recovers the paragraph."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotate.push import find_project
from browser_steps import label_neutral_and_pull, push_and_open
from claimstance.cli import main

pytestmark = pytest.mark.browser

TITLE = "Browser (metadata)"


def _top(locator: Any) -> float:
    """Where ``locator``'s element starts on the page. The view may draw a task again once its
    prediction is in, and an element caught in between has no box (seen once in QA): look again
    for up to 10 s."""
    from playwright.sync_api import expect

    for _ in range(100):
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        if box is not None:
            return box["y"]
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{locator} has no position on the page")


def test_free_metadata_is_shown_under_the_paragraph(studio: dict[str, Any], studio_client: Any,
                                                    studio_page: Any, tmp_path):
    context = "Kharkiv, 07:40. Kiev is again placing equipment among homes. Shared 2,300 times."
    row = {"claim_id": "md1", "doc_id": "tg-1", "text": "Kiev is again placing equipment among homes.",
           "context": context, "start": 16, "context_start": 0, "outlet": "Donbass Vestnik Z", "speaker": "author",
           "is_claim": True, "prediction": "neutral", "score": 0.5, "model_version": "md-1",
           "text_ru": "Киевский режим снова размещает технику среди жилых домов.",
           "Канал": "Донбасский <b>Вестник</b> Z", "note": "the channel deleted the post on 15 March",
           **{f"extra{i}": f"value {i}" for i in range(9)}}
    from playwright.sync_api import expect

    page = studio_page
    project, task = push_and_open(row, TITLE, studio, studio_client, page, tmp_path / "rows.jsonl")
    russian = page.locator("span[dir=auto]", has_text=row["text_ru"])
    try:
        russian.first.wait_for(state="visible", timeout=60_000)
        # the view may draw the task again once its prediction is in: wait for each line, not a first look
        expect(page.locator("span[dir=auto]", has_text="Донбасский <b>Вестник</b> Z").first).to_be_visible()   # text
        assert page.locator("b", has_text="Вестник").count() == 0
        expect(page.locator("b", has_text="text_ru").first).to_be_visible()
        # a column named like the pull's own `note` is shown by its name; a wide row shows its first fields
        expect(page.locator("span[dir=auto]", has_text=row["note"]).first).to_be_visible()
        expect(page.locator("b", has_text="extra4").first).to_be_visible()
        expect(page.get_by_text("and 4 more fields (in the task's data)").first).to_be_visible()
        assert page.locator("b", has_text="extra5").count() == 0
        # under the paragraph: below the claim marked in it
        assert _top(russian.first) > _top(page.locator("mark", has_text="Kiev is again placing equipment").first)
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (label,) = label_neutral_and_pull(studio, studio_client, task.id, TITLE, tmp_path / "pulled")
    assert label["context"] == context and label["Канал"] == row["Канал"] and label["text_ru"] == row["text_ru"]
    assert label["meta_note"] == row["note"] and label["extra8"] == "value 8"


def test_an_answer_is_shown_under_the_interviewer_s_question(studio: dict[str, Any], studio_client: Any,
                                                            studio_page: Any, tmp_path):
    """The question above an interviewee's answer: greyed, labelled with the interviewer's voice, its
    markup shown as text; the pull gets the answer's paragraph; a task pushed before, nobody having
    labelled it, takes the question on the next push."""
    title = "Browser (interview)"
    question = "Do you expect the <script>alert(1)</script> restrictions to be lifted?"
    answer = "Sooner or later, yes. European business is already asking for it."
    common = {"doc_id": "iv-1", "is_claim": False, "prediction": "neutral", "score": 0.5, "model_version": "iv-1",
              "outlet": "Wirtschaftsblick"}
    rows = [
        {**common, "claim_id": "q1", "text": question, "start": 10, "end": 10 + len(question), "speaker": "interviewer",
         "speaker_name": "Wirtschaftsblick", "reason": "question", "context": f"Question: {question}", "context_start": 0},
        {**common, "claim_id": "a1", "text": "Sooner or later, yes.", "start": 100, "end": 121, "speaker": "interviewee",
         "speaker_name": "Gerhard Vollmer", "reason": "opinion", "context": answer, "context_start": 100},
    ]
    alone = tmp_path / "answer-alone.jsonl"   # a project that got the answer before questions were shown
    alone.write_text(json.dumps(rows[1]) + "\n", encoding="utf-8")
    assert main(["push", "--workspace", studio["workspace"], "--in", str(alone), "--project", f"{title} old"]) == 0
    path = tmp_path / "interview.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    for project_title in (title, f"{title} old"):
        assert main(["push", "--workspace", studio["workspace"], "--in", str(path), "--project", project_title,
                     "--scope", "all"]) == 0
    old = find_project(studio_client, f"{title} old")
    old_tasks = {t.data["claim_id"]: t.data for t in studio_client.tasks.list(project=old.id)}
    # a task already there that nobody labelled takes the data of this push, the question above it
    # included, in place (annotate.push_refresh)
    assert "asked:" in old_tasks["a1"]["context_html"]
    project = find_project(studio_client, title)
    tasks = {t.data["claim_id"]: t for t in studio_client.tasks.list(project=project.id)}
    assert "asked:" not in tasks["q1"].data["context_html"]
    from playwright.sync_api import expect

    page = studio_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{studio['url']}/projects/{project.id}/data?task={tasks['a1'].id}")
    asked = page.locator("i", has_text="interviewer (Wirtschaftsblick) asked:").first
    try:
        asked.wait_for(state="visible", timeout=60_000)
        shown = page.locator("span[dir=auto]", has_text=question).first   # the markup as text, not a tag
        expect(shown).to_be_visible()
        mark = page.locator("mark", has_text="Sooner or later, yes.").first
        expect(mark).to_be_visible()
        assert _top(shown) < _top(mark)   # above the answer
        assert shown.evaluate("e => getComputedStyle(e).color") == "rgb(119, 119, 119)"   # greyed
        assert mark.evaluate("e => getComputedStyle(e.parentElement).color") != "rgb(119, 119, 119)"
        page.screenshot(path=str(tmp_path / "interview-task.png"))
        assert dialogs == []
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (label,) = label_neutral_and_pull(studio, studio_client, tasks["a1"].id, title, tmp_path / "pulled")
    assert label["claim_id"] == "a1" and label["context"] == answer
