"""A row's free metadata in the labelling view of a real Label Studio: the original-language text and
a channel column under the paragraph, as text (never markup); the pull still recovers the paragraph."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotate.push import find_project
from claimstance.cli import main

pytestmark = pytest.mark.browser

TITLE = "Browser (metadata)"


def test_free_metadata_is_shown_under_the_paragraph(studio: dict[str, Any], studio_client: Any,
                                                    studio_page: Any, tmp_path):
    context = "Kharkiv, 07:40. Kiev is again placing equipment among homes. Shared 2,300 times."
    row = {"claim_id": "md1", "doc_id": "tg-1", "text": "Kiev is again placing equipment among homes.",
           "context": context, "start": 16, "context_start": 0, "outlet": "Donbass Vestnik Z", "speaker": "author",
           "is_claim": True, "prediction": "neutral", "score": 0.5, "model_version": "md-1",
           "text_ru": "Киевский режим снова размещает технику среди жилых домов.",
           "Канал": "Донбасский <b>Вестник</b> Z", "note": "the channel deleted the post on 15 March",
           **{f"extra{i}": f"value {i}" for i in range(9)}}
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["push", "--workspace", studio["workspace"], "--in", str(rows), "--project", TITLE]) == 0
    project = find_project(studio_client, TITLE)
    (task,) = list(studio_client.tasks.list(project=project.id))
    from playwright.sync_api import expect

    page = studio_page
    page.goto(f"{studio['url']}/projects/{project.id}/data?task={task.id}")
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
        mark = page.locator("mark", has_text="Kiev is again placing equipment").first.bounding_box()
        assert russian.first.bounding_box()["y"] > mark["y"]
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    studio_client.annotations.create(id=task.id, result=[{"from_name": "stance", "to_name": "claim",
                                                          "type": "choices", "value": {"choices": ["Neutral"]}}])
    out = tmp_path / "pulled"
    assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE, "--out", str(out)]) == 0
    (label,) = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert label["context"] == context and label["Канал"] == row["Канал"] and label["text_ru"] == row["text_ru"]
    assert label["meta_note"] == row["note"] and label["extra8"] == "value 8"
