"""A person in a real browser: headless Chromium (Debian's, never a downloaded build) logs in to the
test Label Studio, opens a task, sees the pre-label selected, changes it with its hotkey, flags the
claim's voice as wrong, submits; `stance pull` then returns that correction and the flag beside it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from browser_steps import label_neutral_and_pull, pull, push_and_open, select_cue, submit
from models.schemes import load_scheme

pytestmark = pytest.mark.browser

TITLE = "Browser (pull)"
MODEL_VERSION = "br-1"


def test_a_correction_made_in_the_browser_comes_back_in_the_pull(studio: dict[str, Any], studio_client: Any,
                                                                 studio_page: Any, tmp_path):
    scheme = load_scheme("kremlin_framing")
    shown, corrected = scheme.labels[-1], scheme.labels[0]   # pre-label the last label, correct to the first
    row = {"claim_id": "br1", "doc_id": "doc-br", "text": "Grain exports rose by <b>four</b> percent in May.",
           "context": "Trade figures. Grain exports rose by <b>four</b> percent in May.", "start": 15,
           "context_start": 0, "title": "Trade report", "outlet": "Test Outlet", "speaker": "author",
           "speaker_name": None, "is_claim": True, "prediction": shown.id, "score": 0.6,
           "model_version": MODEL_VERSION}
    ls = studio_client
    page = studio_page
    project, task = push_and_open(row, TITLE, studio, ls, page, tmp_path / "prelabeled.jsonl")
    pre_label = page.locator(f'input[type=radio][name="{shown.name}"]')
    pre_label.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(2000)   # the label stream settles after the first paint
    try:
        assert pre_label.is_checked(), "the pre-label is not shown selected"
        assert page.get_by_text(MODEL_VERSION).first.is_visible()   # the prediction's tab
        # the claim's HTML-like text is shown as text, not markup
        assert page.get_by_text("Grain exports rose by <b>four</b> percent in May.").first.is_visible()
        page.get_by_text(scheme.title).first.click()   # focus the page, not the note field
        page.keyboard.press(corrected.hotkey)
        page.wait_for_timeout(300)
        assert page.locator(f'input[type=radio][name="{corrected.name}"]').is_checked()
        assert not pre_label.is_checked()
        flag = page.locator('input[type=checkbox][name="wrong voice"]')   # the optional problem flags
        assert not flag.is_checked()
        flag.locator("xpath=ancestor::label[1]").click()
        page.wait_for_timeout(300)
        assert flag.is_checked() and page.locator(f'input[type=radio][name="{corrected.name}"]').is_checked()
        submit(page, ls, task.id)
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise

    out = tmp_path / "pulled"
    (annotation,) = pull(studio, TITLE, out, "annotations.jsonl")
    assert (annotation["claim_id"], annotation["label"], annotation["prediction"]) == ("br1", corrected.id, shown.id)
    assert (annotation["accepted"], annotation["origin"]) == (False, "prediction-changed")
    assert annotation["problems"] == ["wrong_voice"]   # the flag comes back beside the stance
    assert annotation["annotator"] == studio["username"] and annotation["model_version"] == MODEL_VERSION
    assert annotation["lead_time"] > 0
    (label,) = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    assert (label["claim_id"], label["label"], label["rule"]) == ("br1", corrected.id, "single")
    assert (label["problems"], label["flagged"]) == (["wrong_voice"], True)


def test_a_sentence_alone_in_its_paragraph_is_shown_with_its_neighbours_on_their_own_lines(
        studio: dict[str, Any], studio_client: Any, studio_page: Any, tmp_path):
    """A one-sentence paragraph's context (the claims step) holds the paragraphs around it: the page
    shows them on lines of their own, the claim starting a line, and the pull gives that context back."""
    from corpus.extraction import claim_rows
    from corpus.records import Document

    text = ("The talks in Geneva collapsed on Tuesday after the delegates failed to agree.\n\n"
            "Delegates left after four hours.\n\n"
            "\"We will not sign,\" the Russian envoy said.")
    row = next(r for r in claim_rows(Document("doc-ctx", text)) if r["text"].startswith("Delegates"))
    assert row["context"] == text
    title = "Browser (context)"
    page = studio_page
    project, task = push_and_open(row, title, studio, studio_client, page, tmp_path / "claims.jsonl",
                                   "--scheme", "kremlin_framing")
    mark = page.locator("mark", has_text="Delegates left after four hours.").first
    try:
        mark.wait_for(state="visible", timeout=60_000)
        box = mark.evaluate("e => { const m = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();"
                            " return [m.top - p.top, m.left - p.left, m.height]; }")
        below, left, height = box
        assert below >= height and abs(left) < 2, box   # a line of its own, under the paragraph before it
        assert page.get_by_text("the Russian envoy said.").first.is_visible()
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (label,) = label_neutral_and_pull(studio, studio_client, task.id, title, tmp_path / "pulled")
    assert label["context"] == text and label["context_start"] == 0


def test_a_right_to_left_override_in_a_claim_is_shown_as_a_marker_and_reverses_nothing(
        studio: dict[str, Any], studio_client: Any, studio_page: Any, tmp_path):
    """A claim holding U+202E (right-to-left override) would be read reversed, the text after it too,
    with nothing to show why. The labelling view shows the control as a visible marker in the title,
    the source line, the paragraph and the claim, and holds no bidi control in its text; the data
    manager's tab shows the claim and title that way too; and a framing cue selected
    across the marker comes back in the pull with offsets into the exact text, control included."""
    rlo = "\u202e"
    context = f"Officials spoke on Monday. The ministry said {rlo}true si sihT. Others disagreed."
    text = f"The ministry said {rlo}true si sihT."
    row = {"claim_id": "rlo1", "doc_id": "doc-rlo", "text": text, "context": context, "context_start": 0,
           "start": context.index(text), "end": context.index(text) + len(text), "title": f"Report {rlo}A",
           "outlet": f"Outlet{rlo}", "speaker": "author", "speaker_name": None, "is_claim": True}
    title = "Browser (bidi)"
    page = studio_page
    project, task = push_and_open(row, title, studio, studio_client, page, tmp_path / "claims.jsonl",
                                   "--scheme", "kremlin_framing")
    assert task.data["text"] == text   # stored exact
    shown = "The ministry said ⟨U+202E⟩true si sihT."
    mark = page.locator("mark", has_text=shown).first
    try:
        mark.wait_for(state="visible", timeout=60_000)
        page.wait_for_timeout(1500)
        body = page.evaluate("() => document.body.innerText")
        # No bidi control in any text the labelling view shows (the data manager's table beside it shows
        # the task's other data columns as stored, each in a cell of its own).
        raw = page.evaluate("""() => { const out = [], w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let n = w.nextNode(); n; n = w.nextNode())
                if (/[\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f]/.test(n.data) && !n.parentElement.closest('.lsf-table'))
                    out.push(n.data);
            return out; }""")
        assert raw == []
        cells = page.evaluate("""() => [...document.querySelectorAll('.lsf-table__cell')].map(c => c.innerText)""")
        assert shown in cells and text not in cells and row["title"] not in cells   # the data manager's tab
        assert "Report ⟨U+202E⟩A" in body and "Outlet⟨U+202E⟩" in body
        assert body.count(shown) >= 2   # in the paragraph, and as the claim the cues are marked on
        # The claim's own text (not the paragraph's <mark>): select from the marker to the end of "true".
        box = page.evaluate("""(shown) => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.data !== shown || node.parentElement.closest('mark, .lsf-table')) continue;
                const range = document.createRange(), start = node.data.indexOf('⟨');
                range.setStart(node, start); range.setEnd(node, node.data.indexOf(' si'));
                const rects = range.getClientRects();
                return [rects[0].left, rects[0].top + rects[0].height / 2, rects[rects.length - 1].right];
            }
            return null; }""", shown)
        assert box is not None, "the claim's text is not on the page as one text"
        left, middle, right = box
        select_cue(page, left, middle, right)
        page.get_by_text("Claim").first.click()   # focus the page, then a stance's hotkey (one is required)
        page.keyboard.press("n")
        page.wait_for_timeout(300)
        submit(page, studio_client, task.id)
    except AssertionError:
        page.screenshot(path=str(tmp_path / "browser-failure.png"))
        raise
    (annotation,) = list(studio_client.annotations.list(id=task.id))
    (span,) = [r for r in annotation.result if r["type"] == "labels"]
    assert span["value"]["text"] == "⟨U+202E⟩true"   # Label Studio's offsets are into the shown text
    (pulled,) = pull(studio, title, tmp_path / "pulled", "annotations.jsonl")
    assert pulled["text"] == text and pulled["context"] == context and pulled["title"] == row["title"]
    start = text.index(rlo)
    assert [(c["start"], c["end"], c["text"]) for c in pulled["cues"]] == [(start, start + 5, rlo + "true")]
