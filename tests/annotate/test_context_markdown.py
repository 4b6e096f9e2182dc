"""A context's Markdown rendered for the page only: the pull still reads the exact context back."""

from __future__ import annotations

import html
import re

import pytest

from annotate import pull_rows
from annotate.claim_tasks import context_html, shown_fields
from annotate.context_markdown import ZERO_WIDTH, markdown_html, plain_shown
from annotate.pull_rows import TAG, context_from_html
from corpus.safetext import marked

CONTEXTS = [
    ("**A:** It depends. Russian factories now pay **twice as much** for components.", "Russian factories"),
    ("Key findings of the *Bruegel* study:\n\n- **Revenue:** receipts fell 24%.\n- A *shadow fleet* grew.",
     "**Revenue:** receipts fell 24%."),
    ("> \"The cap cost the Kremlin more,\" an official said.\n\nSee [the study](https://e.org/a?b=1&c=<2>).",
     "\"The cap cost the Kremlin more,\" an official said."),
    ("# Exports\n\n| Q1 | 3.4 |\n|---|---|\nThe figures come from snake_case_data and 5*3*2 <b>x</b>.",
     "The figures come from"),
    ("He said \u202e**evil**\u202c here. Then _more_ and __bold__.", "Then _more_"),
]


@pytest.mark.parametrize("context, claim", CONTEXTS)
def test_the_pull_reads_the_exact_context_back(context: str, claim: str) -> None:
    markup = context_html(claim, context, context.index(claim))
    assert context_from_html(markup) == context
    assert "<b>x</b>" not in markup and "\u202e" not in markup   # document text never markup; bidi shown


def test_emphasis_quotes_and_bullets_are_rendered_and_their_markers_hidden() -> None:
    context, claim = CONTEXTS[1]
    markup = context_html(claim, context, context.index(claim))
    assert "<i>Bruegel</i>" in markup and "<mark><span data-md=\"\" style=\"display: none\">**</span><b>Revenue:</b>" in markup
    assert markup.count('<span data-md-shown="" style="color: #888">• </span>') == 2   # both items, the claim's too
    context, claim = CONTEXTS[0]
    assert context_html(claim, context, 19).startswith('<span data-md="" style="display: none">**</span><b>A:</b>')
    # words with '_' or '*' inside them are left alone
    context, claim = CONTEXTS[3]
    markup = context_html(claim, context, context.index(claim))
    assert "snake_case_data and 5*3*2" in markup and "<i>" not in markup


HIDDEN_SPAN = re.compile(r'<span data-md="" style="display: none">(.*?)</span>')


@pytest.mark.parametrize("context, claim", CONTEXTS)
def test_the_claim_line_hides_the_markers_the_context_hides_in_their_places(context: str, claim: str) -> None:
    """The claim's own line (a Text, which shows no markup) has a zero-width space for each marker the
    context hides, so its offsets are the claim's; bidi controls are shown as markers there as before."""
    shown = shown_fields({"text": claim})["text_shown"]
    assert shown == marked(plain_shown(claim)) and len(plain_shown(claim)) == len(claim)
    from_context = html.unescape(TAG.sub("", HIDDEN_SPAN.sub(lambda m: ZERO_WIDTH * len(html.unescape(m.group(1))),
                                                             markdown_html(claim, False, html.escape))))
    assert plain_shown(claim) == from_context


def test_the_claim_line_shows_no_raw_markdown_and_a_cue_on_it_comes_back_as_the_claims_characters() -> None:
    claim = "**Revenue:** receipts fell, [the study](https://e.org/a) says.\n- A *shadow fleet* grew."
    shown = shown_fields({"text": claim})["text_shown"]
    assert shown.replace(ZERO_WIDTH, "") == "Revenue: receipts fell, the study says.\n• A shadow fleet grew."
    data = {"text": claim, "text_shown": shown}
    start, end = shown.index("Revenue"), shown.index(" receipts")   # Label Studio's span: "Revenue:" and the '**'
    result = [{"type": "labels", "from_name": "cues", "to_name": "claim",
               "value": {"start": start, "end": end, "text": shown[start:end], "labels": ["framing cue"]}}]
    assert pull_rows._cues(result, data) == [{"start": 2, "end": 12, "text": "Revenue:**", "label": "framing cue"}]
    rlo = "\u202e"   # with a bidi control before it, the span is mapped back as before
    claim = f"He said {rlo}x **twice as much** today."
    shown = shown_fields({"text": claim})["text_shown"]
    start, end = shown.index("twice"), shown.index(" today")
    result[0]["value"].update(start=start, end=end, text=shown[start:end])
    assert pull_rows._cues(result, {"text": claim, "text_shown": shown})[0]["text"] == "twice as much**"
