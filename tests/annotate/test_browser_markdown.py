"""A context's Markdown in the labelling view of a real Label Studio: ``**A:**`` and ``*Bruegel*``
read bold and italic, a list item's ``-`` is a bullet, and no marker is seen; the pull still gets
the exact paragraph, markers and all."""

from __future__ import annotations

from typing import Any

import pytest

from browser_steps import label_neutral_and_pull, push_and_open

pytestmark = pytest.mark.browser

TITLE = "Browser (markdown)"


def test_markdown_in_the_context_is_rendered_not_shown_raw(studio: dict[str, Any], studio_client: Any,
                                                            studio_page: Any, tmp_path):
    context = ("**A:** Key findings of the *Bruegel* study:\n\n- **Revenue:** oil and gas receipts fell 24% in 2023.\n"
               "- Russia built a *shadow fleet* of tankers.\n\n> \"It cost them more,\" an official said <b>x</b>.")
    text = "**Revenue:** oil and gas receipts fell 24% in 2023."
    row = {"claim_id": "mdv1", "doc_id": "md-1", "text": text, "context": context, "start": 100 + context.index(text),
           "context_start": 100, "outlet": "Wirtschaftsblick", "speaker": "interviewee", "speaker_name": "S. Antonov",
           "is_claim": True, "prediction": "neutral", "score": 0.9, "model_version": "mdv-1"}
    from playwright.sync_api import expect

    page = studio_page
    project, task = push_and_open(row, TITLE, studio, studio_client, page, tmp_path / "rows.jsonl")
    mark = page.locator("mark", has_text="oil and gas receipts").first
    try:
        mark.wait_for(state="visible", timeout=60_000)
        expect(mark.locator("b", has_text="Revenue:")).to_be_visible()
        expect(page.locator("b", has_text="A:").first).to_be_visible()
        expect(page.locator("i", has_text="shadow fleet").first).to_be_visible()
        shown = mark.evaluate("e => e.closest('.htx-richtext, [class*=richtext], div').innerText")
        assert "oil and gas receipts" in shown and "Bruegel" in shown
        for raw in ("**", "*Bruegel*", "- Russia", "> "):
            assert raw not in shown, (raw, shown)
        assert "• Russia built" in shown and "<b>x</b>" in shown   # a bullet; document text stays text
        page.screenshot(path=str(tmp_path / "markdown-task.png"))
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (label,) = label_neutral_and_pull(studio, studio_client, task.id, TITLE, tmp_path / "pulled")
    assert label["context"] == context and label["text"] == text
