"""A context's Markdown in the labelling view of a real Label Studio: ``**A:**`` and ``*Bruegel*``
read bold and italic, a list item's ``-`` is a bullet, and no marker is seen, in the paragraph or on
the claim's own line; the pull still gets the exact paragraph, markers and all, and a framing cue
marked on the claim's line comes back with the claim's own offsets and characters."""

from __future__ import annotations

from typing import Any

import pytest

from browser_steps import pull, push_and_open, select_cue, submit

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
        # The claim's own line (a Text, where cues are marked): no marker seen either, and a cue selected
        # from "Revenue" to "oil" across the hidden '**' keeps the claim's offsets.
        box = page.evaluate("""() => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.data.includes('oil and gas') || node.parentElement.closest('mark, .lsf-table')) continue;
                const range = document.createRange();
                range.setStart(node, node.data.indexOf('Revenue')); range.setEnd(node, node.data.indexOf(' and'));
                const rects = range.getClientRects();
                return [node.parentElement.innerText, rects[0].left, rects[0].top + rects[0].height / 2,
                        rects[rects.length - 1].right];
            }
            return null; }""")
        assert box is not None, "the claim's line is not on the page as one text"
        line, left, middle, right = box
        assert line.replace("\u200b", "") == "Revenue: oil and gas receipts fell 24% in 2023.", line
        select_cue(page, left, middle, right)
        submit(page, studio_client, task.id)
        page.screenshot(path=str(tmp_path / "markdown-task.png"))
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (pulled,) = pull(studio, TITLE, tmp_path / "pulled", "annotations.jsonl")
    assert pulled["context"] == context and pulled["text"] == text
    start = text.index("Revenue")
    assert [(c["start"], c["end"], c["text"]) for c in pulled["cues"]] == [(start, start + 14, "Revenue:** oil")]
