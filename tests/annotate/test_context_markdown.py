"""A context's Markdown rendered for the page only: the pull still reads the exact context back."""

from __future__ import annotations

import pytest

from annotate.claim_tasks import context_html
from annotate.pull_rows import context_from_html

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
