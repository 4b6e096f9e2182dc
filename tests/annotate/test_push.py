"""Push: converters and label configs without a server, then pushes into a real Label Studio."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from label_studio_sdk.label_interface import LabelInterface

from annotate import labelconfig as lc
from annotate.claim_tasks import claim_to_task, context_html, pair_relation, pair_to_task
from annotate.push import push
from claimstance.cli import main
from corpus.errors import UserError

SCHEME = NS(
    name="toy",
    title="Toy framing",
    guidelines="Label the framing.\n- Loaded: uses loaded words\n  of a side.\n- Plain: does not.\n\nWhen unsure, plain.",
    labels=[
        NS(id="loaded", name="Loaded <framing>", description='Uses "loaded" words.', hotkey="l",
           cues=["regime"], examples=["The regime fell."]),
        NS(id="sourced", name="Sourced", description="Attributes to a named source.", hotkey="s", cues=[], examples=[]),
        NS(id="plain", name="Plain", description="Neither.", hotkey="p", cues=[], examples=[]),
    ],
)


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def claim_row(n: int, **extra) -> dict:
    context = f"First sentence {n}. The <b>regime</b> said {n} & more. Last one."
    text = f"The <b>regime</b> said {n} & more."
    row = {
        "claim_id": f"c{n:04d}", "doc_id": f"d{n // 3}", "text": text, "start": 100 + context.index(text),
        "end": 100 + context.index(text) + len(text), "is_claim": True, "reason": "", "speaker": "interviewee",
        "speaker_name": "A. Person", "context": context, "context_start": 100, "paragraph": 0, "sentence": 1,
        "title": f"Doc <{n // 3}>", "outlet": "Outlet", "author": "B. Writer", "date": "2024-05-01",
        "source_type": "state_media", "prediction": ["loaded", "sourced", "plain"][n % 3],
        "score": round(0.4 + (n % 5) / 10, 2), "probs": {"loaded": 0.5, "sourced": 0.3, "plain": 0.2},
        "model_version": "boot-1",
    }
    row.update(extra)
    return row


# --- converters and configs ------------------------------------------------------------------

def test_claim_to_task_marks_the_claim_in_its_escaped_paragraph():
    task = claim_to_task(claim_row(4), SCHEME)
    data = task["data"]
    assert data["claim_id"] == "c0004" and data["text"] == "The <b>regime</b> said 4 & more."
    assert data["context_html"] == ("First sentence 4. <mark>The &lt;b&gt;regime&lt;/b&gt; said 4 &amp; more.</mark>"
                                    " Last one.")
    assert data["title"] == "Doc <1>"
    authors = claim_to_task(claim_row(4, author=None, authors=["X. One", "Y. Two"]), SCHEME)["data"]["source_line"]
    assert authors.startswith("Outlet · X. One, Y. Two · 2024-05-01")
    assert data["source_line"] == "Outlet · B. Writer · 2024-05-01 · voice: interviewee (A. Person)"
    repost = claim_to_task(claim_row(4, outlet=None, kind="blog_repost", reposted_from="Rossiya Segodnya"), SCHEME)
    assert repost["data"]["source_line"] == ("B. Writer · 2024-05-01 · blog repost · reposted from Rossiya Segodnya"
                                             " · voice: interviewee (A. Person)")
    assert "state_media" not in repost["data"]["source_line"]   # the distant label is not shown to annotators
    blogger = claim_to_task(claim_row(4, kind="blog_repost", reposted_from="Rossiya Segodnya", speaker="blogger",
                                      speaker_name=None), SCHEME)
    assert "reposted from" not in blogger["data"]["source_line"]   # the blogger's own words are not the repost
    # Provenance rides along for the pulled dataset: offsets into the document and its metadata.
    assert (data["start"], data["end"], data["context_start"], data["author"]) == (118, 150, 100, "B. Writer")
    assert repost["data"]["kind"] == "blog_repost" and repost["data"]["reposted_from"] == "Rossiya Segodnya"
    assert "authors" not in data and "url" not in data   # absent fields stay absent
    assert task["predictions"] == [{"model_version": "boot-1", "score": 0.8, "result": [
        {"from_name": "stance", "to_name": "claim", "type": "choices", "value": {"choices": ["sourced"]}}]}]


def test_free_document_metadata_rides_along_compact_and_the_pre_label_does_not():
    row = claim_row(4, platform="X", collection="sanctions-2026", retweets=12, verified=True, tags=["eu", "gas"],
                    geo={"lat": 1.5}, summary="word " * 100, empty="", ratio=float("nan"),
                    source_file="/home/me/corpus/posts.jsonl", paragraph=3, scheme="toy",
                    scheme_source="/home/me/toy.yaml", model_dir="/home/me/model")
    data = claim_to_task(row, SCHEME)["data"]
    assert (data["platform"], data["collection"], data["retweets"], data["verified"]) == ("X", "sanctions-2026", 12, True)
    # a list of names stays a list (a list column in the pull, a group each for --by); records as short text
    assert data["tags"] == ["eu", "gas"] and data["geo"] == '{"lat":1.5}'
    assert '<b>tags</b>: <span dir="auto">eu, gas</span>' in data["context_html"]   # shown joined
    # too long, empty or not a number: left out; so are the local path, the claims step's counters and
    # the pre-label (it is the prediction)
    for key in ("summary", "empty", "ratio", "source_file", "paragraph", "sentence", "probs", "model_version",
                "prediction", "score", "context", "scheme", "scheme_source", "model_dir"):
        assert key not in data, key
    assert json.dumps(data, allow_nan=False)
    # a data set's own split or label column keeps its value apart from the pull's columns of that name
    kept = claim_to_task(claim_row(4, split="train", label="pro"), SCHEME)["data"]
    assert (kept["meta_split"], kept["meta_label"]) == ("train", "pro") and "split" not in kept


def test_a_post_without_an_outlet_is_headed_by_its_handle_and_platform():
    row = claim_row(4, outlet=None, title=None, author="@hausfrau_kiel", platform="X", speaker="author",
                    speaker_name="@hausfrau_kiel")
    data = claim_to_task(row, SCHEME)["data"]
    assert data["title"] == "@hausfrau_kiel (X)"
    assert data["source_line"] == "@hausfrau_kiel (X) · 2024-05-01 · voice: author (@hausfrau_kiel)"
    bare = claim_to_task(claim_row(4, outlet=None, title=None, author=None, source_file="/c/eu_statement.txt"),
                         SCHEME)["data"]
    assert bare["title"] == "eu_statement.txt" and bare["source_line"].startswith("eu_statement.txt · 2024-05-01")


def test_the_source_line_names_an_outlet_once_when_the_page_gives_it_as_author_too():
    data = claim_to_task(claim_row(1, outlet="Vostok Today", author="Vostok  today"), SCHEME)["data"]
    assert data["source_line"] == "Vostok Today · 2024-05-01 · voice: interviewee (A. Person)"


def test_bidi_controls_are_shown_as_markers_and_the_task_keeps_the_text_exact():
    """A claim holding U+202E (right-to-left override) would show reversed, and reverse what follows it;
    the view shows every bidi control as a visible marker, while `text` and the offsets stay exact."""
    from annotate import pull_rows

    context = "Before \u2067it\u2069. The ministry said \u202etrue si sihT. After."
    text = "The ministry said \u202etrue si sihT."
    row = claim_row(1, outlet="Kyiv\u202egpj.exe", speaker_name="A.\u2066 Person", text=text, context=context,
                    start=100 + context.index(text), end=100 + context.index(text) + len(text),
                    title="Title \u200fhere", channel="Ch\u202bannel")
    data = claim_to_task(row, SCHEME)["data"]
    assert data["source_line"] == ("Kyiv⟨U+202E⟩gpj.exe · B. Writer · 2024-05-01 · voice: interviewee "
                                   "(A.⟨U+2066⟩ Person)")
    assert data["outlet"] == "Kyiv\u202egpj.exe"   # the data itself is kept as it is
    assert data["text"] == text and data["title"] == "Title \u200fhere"
    assert data["text_shown"] == "The ministry said ⟨U+202E⟩true si sihT."
    assert data["title_shown"] == "Title ⟨U+200F⟩here"
    shown = data["context_html"]
    assert not any(c in shown for c in "\u202e\u2066\u2067\u2069\u200f\u202b")
    marker = '<span data-bidi="{}" style="color: #b00000; font-size: 0.85em" title="a bidirectional control ' \
             'character in the text">⟨U+{}⟩</span>'
    assert shown.startswith("Before " + marker.format("2067", "2067") + "it" + marker.format("2069", "2069") + ". <mark>")
    assert "<mark>The ministry said " + marker.format("202E", "202E") + "true si sihT.</mark> After." in shown
    assert "<b>channel</b>: <span dir=\"auto\">Ch" + marker.format("202B", "202B") + "annel</span>" in shown
    # the view shows the marked fields; the pull reads the context back exact and drops the shown fields
    config = lc.label_config(SCHEME)
    assert '<Text name="claim" value="$text_shown"/>' in config and '<Header value="$title_shown" size="4"/>' in config
    assert pull_rows.context_from_html(shown) == context
    meta = pull_rows.claim_metadata(data)
    assert meta["context"] == context and "text_shown" not in meta and "title_shown" not in meta
    assert meta["title"] == "Title \u200fhere" and meta["channel"] == "Ch\u202bannel"
    # a cue span marked on the shown text comes back with offsets into the text, the control kept
    said = "⟨U+202E⟩true"
    begin = data["text_shown"].index(said)
    result = [{"type": "labels", "value": {"start": begin, "end": begin + len(said), "text": said,
                                           "labels": [lc.CUE_LABEL]}}]
    (cue,) = pull_rows._cues(result, data)
    assert (cue["start"], cue["end"], cue["text"]) == (text.index("\u202e"), text.index(" si"), "\u202etrue")
    # a span of a task pushed before (no text_shown) was marked on the text itself: kept as it is
    old = {k: v for k, v in data.items() if k not in ("text_shown", "title_shown")}
    result[0]["value"].update(start=18, end=23, text=text[18:23])
    assert pull_rows._cues(result, old)[0] == {"start": 18, "end": 23, "text": "\u202etrue", "label": lc.CUE_LABEL}
    pair = pair_to_task({"claim_a": "a", "claim_b": "b", "text_a": text, "context_a": context, "title_a": "T\u202e1",
                         "text_b": "Plain.", "similarity": 0.9})["data"]
    assert pair["text_a"] == text and pair["a_source"].startswith("T⟨U+202E⟩1 — ")
    assert "\u202e" not in pair["a_html"] and pull_rows.context_from_html(pair["a_html"]) == context


def test_claim_to_task_without_a_pre_label_has_no_prediction():
    row = claim_row(1)
    for key in ("prediction", "score", "probs", "model_version"):
        row.pop(key)
    assert "predictions" not in claim_to_task(row, SCHEME)


def test_score_falls_back_to_the_probability_of_the_predicted_label():
    task = claim_to_task(claim_row(0, score=None), SCHEME)
    assert task["predictions"][0]["score"] == 0.5


@pytest.mark.parametrize("extra, message", [
    ({"prediction": "bogus"}, r"prediction 'bogus' is not a label of scheme 'toy' \(loaded, sourced, plain\)"),
    ({"score": "high"}, r"score 'high' is not a number"),
    ({"model_version": ""}, r"needs `model_version`"),
    ({"claim_id": None}, r"needs `claim_id` and `text`"),
])
def test_bad_pre_labels_name_the_field(extra, message):
    with pytest.raises(ValueError, match=message):
        claim_to_task(claim_row(0, **extra), SCHEME)


def test_context_html_falls_back_when_offsets_do_not_point_at_the_claim():
    assert context_html("b c", "a b c d", offset=0) == "a <mark>b c</mark> d"
    assert context_html("<x>", "nothing here", offset=3) == "<mark>&lt;x&gt;</mark>"
    assert context_html("<x>", None) == "<mark>&lt;x&gt;</mark>"


def test_a_context_of_several_paragraphs_keeps_its_line_breaks_and_is_pulled_back_whole():
    from annotate.pull_rows import context_from_html

    context = "Delegates left.\n\n  \u2022 The <envoy> said no.\r\nThey may return."
    row = claim_row(0, text="\u2022 The <envoy> said no.", start=119, context=context, context_start=100)
    markup = claim_to_task(row, SCHEME, ("interviewer", "Why?"))["data"]["context_html"]
    assert ('<span style="white-space: pre-line">Delegates left.\n\n  <mark>\u2022 The &lt;envoy&gt; said no.</mark>'
            "\r\nThey may return.</span>") in markup
    assert markup.index("asked:") < markup.index("<span style")   # the question above it, outside the span
    assert context_from_html(markup) == context
    assert context_html("b", "a b c") == "a <mark>b</mark> c"   # one line: no span, as before


def test_label_config_is_valid_and_every_prediction_validates():
    config = lc.label_config(SCHEME)
    interface = LabelInterface(config)
    stance = interface.get_control("stance")
    assert stance.labels == ["loaded", "sourced", "plain"]
    assert 'value="Loaded &lt;framing&gt;" alias="loaded" hotkey="l" hint="Uses &quot;loaded&quot; words."' in config
    assert interface.get_control("note").tag == "TextArea" and interface.get_control("cues").tag == "Labels"
    for n in range(3):
        prediction = claim_to_task(claim_row(n), SCHEME)["predictions"][0]
        assert interface.validate_prediction(prediction, return_errors=True) == []
    bad = {"model_version": "x", "score": 0.5, "result": [lc.choice_result("Loaded <framing>")]}
    assert interface.validate_prediction(bad, return_errors=True)
    assert "cues" not in lc.label_config(SCHEME, cue_spans=False)


def test_config_of_the_default_scheme_validates():
    from models.schemes import load_scheme

    scheme = load_scheme("kremlin_framing")
    interface = LabelInterface(lc.label_config(scheme))
    assert interface.get_control("stance").labels == [label.id for label in scheme.labels]


def test_hotkeys_are_filled_in_when_the_scheme_has_none():
    scheme = NS(name="n", title="", guidelines="", labels=[NS(id="a", name="A", description="", hotkey=None),
                                                            NS(id="b", name="B", description="", hotkey="1")])
    config = lc.label_config(scheme)
    assert 'alias="a" hotkey="2"' in config and 'alias="b" hotkey="1"' in config


def test_instructions_hold_the_guidelines_and_labels_escaped():
    text = lc.instructions(SCHEME)
    assert "<p>Label the framing.</p>" in text
    assert "<li>&bull; Loaded: uses loaded words of a side.</li>" in text and "<p>When unsure, plain.</p>" in text
    assert "<b>Loaded &lt;framing&gt;</b> (key <kbd>l</kbd>)" in text and "<i>The regime fell.</i>" in text
    assert "<h4>How to annotate</h4>" in text and text.count("<li>") == text.count("<li>&bull; ")   # every item
    assert "Cues" not in text   # the bootstrap's evidence is not shown to annotators
    assert "a rule's guess" in lc.PAIRS_INSTRUCTIONS and "<li>&bull; <b>Agree</b>" in lc.PAIRS_INSTRUCTIONS


def test_dropped_labels_compares_the_controls_of_two_configs():
    from annotate.push import _dropped_labels

    narrower = NS(**{**vars(SCHEME), "labels": SCHEME.labels[1:]})
    assert _dropped_labels(lc.label_config(SCHEME), lc.label_config(narrower)) == ["loaded"]
    assert _dropped_labels(lc.label_config(narrower), lc.label_config(SCHEME)) == []


def test_pair_to_task_from_flat_fields():
    pair = {"claim_a": "c1", "claim_b": "c2", "doc_a": "d1", "doc_b": "d2", "text_a": "A <says> x.",
            "text_b": "B says x.", "similarity": 0.82, "stance_a": "loaded", "stance_b": "sourced",
            "outlet_a": "RT", "outlet_b": "Meduza", "context_a": "Before. A <says> x. After.", "speaker_b": "author"}
    task = pair_to_task(pair)
    data = task["data"]
    assert data["pair_id"] == "c1|c2" and data["claim_a"] == "c1" and data["doc_b"] == "d2"
    assert data["a_html"] == "Before. <mark>A &lt;says&gt; x.</mark> After."
    assert data["b_html"] == "<mark>B says x.</mark>"
    # no title: the source line alone (a document id tells an annotator nothing)
    assert data["a_source"] == "RT · voice: unknown voice · predicted stance: loaded"
    assert data["b_source"] == "Meduza · voice: author · predicted stance: sourced"
    assert data["pair_line"] == "similarity 0.82"
    # `stance compare --labels`: an annotated claim's stance is the annotators', not a prediction (QA qa22)
    labelled = pair_to_task({**pair, "stance_by_a": "annotators", "stance_by_b": "bootstrap-1"})["data"]
    assert labelled["a_source"] == "RT · voice: unknown voice · annotators' stance: loaded"
    assert labelled["b_source"] == "Meduza · voice: author · predicted stance: sourced"
    assert task["predictions"] == [{"model_version": "compare-rules", "score": 0.82, "result": [
        {"from_name": "relation", "to_name": "claim_a", "type": "choices",
         "value": {"choices": ["same_point_different_framing"]}}]}]
    assert LabelInterface(lc.pairs_config()).validate_prediction(task["predictions"][0], return_errors=True) == []


def test_pair_to_task_from_nested_records_and_a_given_relation():
    pair = {"a": {"claim_id": "x", "text": "one", "stance": "plain"}, "b": {"claim_id": "y", "text": "two"},
            "relation": "contradict", "score": 0.7, "model_version": "pairclf-2"}
    task = pair_to_task(pair)
    assert task["data"]["pair_id"] == "x|y" and task["data"]["pair_line"] == "similarity unknown"
    assert task["predictions"][0]["model_version"] == "pairclf-2"
    assert task["predictions"][0]["result"][0]["value"] == {"choices": ["contradict"]}


@pytest.mark.parametrize("pair, expected", [
    ({"similarity": 0.9, "stance_a": "k", "stance_b": "k"}, ("agree", 0.9)),
    ({"similarity": 0.9, "stance_a": "k", "stance_b": "n"}, ("same_point_different_framing", 0.9)),
    ({"similarity": 0.3, "stance_a": "k", "stance_b": "n"}, ("unrelated", 0.7)),
    ({"similarity": 0.9}, None),   # no stances: whether the framing differs is unknown
    ({"stance_a": "k"}, None),
    ({"similarity": 0.86, "stance_a": "k", "stance_b": "k", "suggested": "contradict"}, ("contradict", 0.86)),
    # stance compare's "no guess" (a loose mutual pair): nothing pre-selected, not the rule's "unrelated"
    ({"similarity": 0.45, "stance_a": "k", "stance_b": "k", "suggested": None}, None),
])
def test_pair_relation_from_similarity_and_stances(pair, expected):
    assert pair_relation(pair) == expected


def test_a_pair_compare_had_no_guess_for_is_pushed_with_nothing_selected():
    pair = {"pair_id": "p9", "claim_a": "c1", "claim_b": "c2", "text_a": "One.", "text_b": "Two.",
            "similarity": 0.4975, "stance_a": "against", "stance_b": "against", "mutual": True, "suggested": None}
    task = pair_to_task(pair)
    assert "predictions" not in task and task["data"]["pair_line"] == "similarity 0.50"
    assert pair_to_task({**pair, "suggested": "agree"})["predictions"][0]["result"][0]["value"] == {"choices": ["agree"]}


def test_pair_without_claim_ids_is_refused():
    with pytest.raises(ValueError, match="needs `claim_a` and `claim_b`"):
        pair_to_task({"text_a": "x", "text_b": "y"})
    # a file of the other kind: the row says which option takes it
    with pytest.raises(ValueError, match=r"\(this is a claim row: push it with --in\)"):
        pair_to_task({"claim_id": "c1", "text": "x"})
    with pytest.raises(ValueError, match=r"\(this is a pair row: push it with --pairs\)"):
        claim_to_task({"claim_a": "c1", "claim_b": "c2", "text_a": "x", "text_b": "y"}, SCHEME)


def test_bad_row_is_refused_before_any_server_is_contacted(tmp_path):
    path = tmp_path / "pre.jsonl"
    path.write_text(json.dumps(claim_row(0)) + "\n" + json.dumps(claim_row(1, prediction="bogus")) + "\n")
    with pytest.raises(UserError, match=r"pre.jsonl: row 2 \(claim_id c0001\): prediction 'bogus'"):
        push(path, "pre-labels", workspace=tmp_path / "no-server", scheme=SCHEME)


def test_an_empty_file_is_named_as_empty_before_any_scheme_or_server(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    with pytest.raises(UserError, match=r"empty.jsonl: no claims in it \(an empty file\); give the file `stance claims`"):
        push(path, "pre-labels", workspace=tmp_path / "no-server")


@pytest.mark.parametrize("row, claims, statements, everything", [
    ({"is_claim": True, "reason": "claim"}, True, True, True),
    ({"is_claim": False, "reason": "opinion"}, False, True, True),
    ({"is_claim": False, "reason": "not_checkworthy"}, False, True, True),
    ({"is_claim": False, "reason": "question"}, False, False, True),
    ({"is_claim": False, "reason": "heading"}, False, False, True),
    ({"is_claim": False, "reason": "speaker_marker"}, False, False, False),
    ({"is_claim": False, "reason": "front_matter"}, False, False, False),
    ({"text": "a row of a user's own file, no flag"}, True, True, True),
])
def test_in_scope(row, claims, statements, everything):
    from corpus.claimfilter import in_scope

    assert [in_scope(row, scope) for scope in ("claims", "statements", "all")] == [claims, statements, everything]


def test_nothing_to_push_says_why(tmp_path):
    path = tmp_path / "pre.jsonl"
    path.write_text(json.dumps(claim_row(0, is_claim=False)) + "\n")
    with pytest.raises(UserError, match="nothing to push .*--all"):
        push(path, "pre-labels", workspace=tmp_path, scheme=SCHEME)


@pytest.mark.parametrize("title", ["x", " ab ", "t" * 51])
def test_a_title_label_studio_would_refuse_is_refused_first(tmp_path, title):
    path = tmp_path / "pre.jsonl"
    path.write_text(json.dumps(claim_row(0)) + "\n")
    with pytest.raises(UserError, match=r"--project .*: Label Studio takes project titles of 3 to 50 characters"):
        push(path, title, workspace=tmp_path / "no-server", scheme=SCHEME)


def test_api_error_text_gives_the_field_errors_on_one_line():
    from label_studio_sdk.core.api_error import ApiError

    from annotate.studio_api import api_error_text

    err = ApiError(status_code=400, body={"id": "x", "status_code": 400, "detail": "Validation error",
                                           "validation_errors": {"title": ["Ensure this field has at least 3 characters."]}})
    assert api_error_text(err) == "title: Ensure this field has at least 3 characters."
    assert api_error_text(ApiError(status_code=404, body={"detail": "Not found."})) == "Not found."
    assert api_error_text(ApiError(status_code=500, body="a\nb " + "z" * 300)) == ("a b " + "z" * 300)[:200]


@pytest.mark.parametrize("extra, message", [
    ({"probs": "loaded"}, r"row 1 \(claim_id c0000\): probs 'loaded' is not an object of label id: probability"),
    ({"probs": {"loaded": "high"}}, r"row 1 \(claim_id c0000\): probs\['loaded'\] 'high' is not a number"),
    ({"is_claim": "no"}, r"row 1 \(claim_id c0000\): is_claim 'no' is not true or false"),
    ({"is_claim": 0}, r"row 1 \(claim_id c0000\): is_claim 0 is not true or false"),
])
def test_claim_rows_of_the_wrong_type_name_file_row_and_field(tmp_path, extra, message):
    path = write_rows(tmp_path / "pre.jsonl", [claim_row(0, **extra)])
    for scope in ("claims", "statements", "all"):
        with pytest.raises(UserError, match=r"pre.jsonl: " + message):
            push(path, "pre-labels", workspace=tmp_path / "no-server", scheme=SCHEME, scope=scope)


PAIR = {"claim_a": "c1", "claim_b": "c2", "doc_a": "d1", "doc_b": "d2", "text_a": "One.", "text_b": "Two.",
        "similarity": 0.8, "stance_a": "loaded", "stance_b": "plain"}


@pytest.mark.parametrize("change, message", [
    ({"text_a": None}, r"row 1 \(pair_id p1\): a pair row needs `text_a` \(the text of claim a\); it has none"),
    ({"text_b": 5}, r"row 1 \(pair_id p1\): text_b 5 is not text"),
    ({"similarity": "very"}, r"row 1 \(pair_id p1\): similarity 'very' is not a number"),
    ({"similarity": True}, r"row 1 \(pair_id p1\): similarity True is not a number"),
    ({"score": "high"}, r"row 1 \(pair_id p1\): score 'high' is not a number"),
    ({"suggested": "agrees"}, r"row 1 \(pair_id p1\): suggested 'agrees' is not a relation \(agree, contradict, "),
])
def test_pair_rows_of_the_wrong_type_name_file_row_and_field(tmp_path, change, message):
    pair = {**PAIR, "pair_id": "p1", **change}
    pair = {k: v for k, v in pair.items() if v is not None}
    path = write_rows(tmp_path / "pairs.jsonl", [pair])
    with pytest.raises(UserError, match=r"pairs.jsonl: " + message):
        push(path, "pairs", workspace=tmp_path / "no-server", pairs=True)


def test_a_pair_nested_or_flat_with_both_texts_still_converts():
    nested = {"a": {"claim_id": "c1", "text": "One."}, "b": {"claim_id": "c2", "text": "Two."}, "similarity": 1}
    assert pair_to_task(nested)["data"]["text_b"] == "Two."
    assert pair_to_task({**PAIR, "similarity": None})["data"]["pair_line"] == "similarity unknown"


def test_the_claim_view_offers_optional_problem_flags_under_the_stance():
    config = lc.label_config(SCHEME)
    interface = LabelInterface(config)
    problem = interface.get_control("problem")
    assert problem.tag == "Choices" and problem.labels == list(lc.PROBLEM_IDS)
    assert problem.to_name == ["claim"]
    assert 'name="problem" toName="claim" choice="multiple" required="false"' in config
    assert config.index('name="stance"') < config.index('name="problem"') < config.index('name="note"')
    assert 'value="not a claim" alias="not_a_claim"' in config and 'alias="wrong_voice"' in config
    assert "problem" not in lc.label_config(SCHEME, problem_flags=False)
    flagged = {"model_version": "x", "score": 0.5, "result": [
        lc.choice_result("loaded"), {**lc.choice_result("not_a_claim", from_name="problem"),
                                     "value": {"choices": ["not_a_claim", "wrong_voice"]}}]}
    assert interface.validate_prediction(flagged, return_errors=True) == []
    assert "<i>not a claim</i>" in lc.instructions(SCHEME) and "still choose the stance" in lc.instructions(SCHEME)


def test_config_kind_tells_claims_from_pairs():
    assert lc.config_kind(lc.label_config(SCHEME)) == "claims"
    assert lc.config_kind(lc.label_config(SCHEME, cue_spans=False, problem_flags=False)) == "claims"
    assert lc.config_kind(lc.pairs_config()) == "pairs"
    assert lc.config_kind('<View><Text name="t" value="$t"/><Choices name="c" toName="t">'
                          '<Choice value="x"/></Choices></View>') is None
    assert lc.config_kind("") is None and lc.config_kind("<View") is None


# --- against the real server -----------------------------------------------------------------

def project_tasks(client, project_id: int) -> list[dict]:
    tasks = client._client_wrapper.httpx_client.request(
        "api/tasks/", method="GET", params={"project": project_id, "page_size": 1000, "fields": "all"}).json()["tasks"]
    return tasks


def test_push_creates_the_project_and_repush_adds_nothing(studio, studio_client, tmp_path):
    rows = [claim_row(n) for n in range(6)] + [claim_row(6, is_claim=False)]
    path = write_rows(tmp_path / "pre.jsonl", rows)
    first = push(path, "push basic", workspace=studio["workspace"], scheme=SCHEME, chunk_size=4, progress=False)
    assert (first["created"], first["tasks_added"], first["out_of_scope_skipped"]) == (True, 6, 1)
    assert first["model_version"] == "boot-1" and first["project_url"].endswith("/data")

    project = studio_client.projects.get(id=first["project_id"])
    assert project.sampling == "Uncertainty sampling" and project.model_version == "boot-1"
    assert project.show_instruction and "<p>Label the framing.</p>" in project.expert_instruction
    tasks = project_tasks(studio_client, project.id)
    assert sorted(t["data"]["claim_id"] for t in tasks) == [f"c{n:04d}" for n in range(6)]
    by_id = {t["data"]["claim_id"]: t for t in tasks}
    assert by_id["c0002"]["predictions"][0]["result"][0]["value"] == {"choices": ["plain"]}
    assert by_id["c0002"]["predictions"][0]["score"] == pytest.approx(0.6)

    # Instructions written by an earlier version (with cue lists) are replaced on the next push.
    studio_client.projects.update(id=project.id, expert_instruction="<p>Cues: regime</p>")
    again = push(path, "push basic", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (again["created"], again["tasks_added"], again["tasks_present"], again["predictions_added"]) == (False, 0, 6, 0)
    assert studio_client.projects.get(id=project.id).expert_instruction == lc.instructions(SCHEME)
    assert again["project_id"] == first["project_id"]
    assert len(project_tasks(studio_client, project.id)) == 6

    # The new project's data manager tab: least certain first, the rendered HTML and the distant label hidden.
    http = studio_client._client_wrapper.httpx_client
    (view,) = http.request("api/dm/views/", method="GET", params={"project": project.id}).json()
    hidden = view["data"]["hiddenColumns"]["explore"]
    assert "tasks:data.context_html" in hidden and "tasks:data.source_type" in hidden
    # the claim and title as the view shows them (bidi controls as markers), not as stored
    assert "tasks:data.text" in hidden and "tasks:data.title" in hidden
    assert "tasks:data.text_shown" not in hidden and "tasks:data.title_shown" not in hidden
    ordered = http.request("api/tasks/", method="GET", params={"view": view["id"], "fields": "all"}).json()["tasks"]
    scores = [t["predictions_score"] for t in ordered]
    assert scores == sorted(scores) and len(scores) == 6
    # Task ids follow the same order (imported least certain first), for a labelling URL opened directly.
    by_number = sorted(tasks, key=lambda t: t["id"])
    numbered = [t["predictions"][0]["score"] for t in by_number]
    assert numbered == sorted(numbered) and numbered[0] < numbered[-1]


def test_project_listing_pages_through_a_real_server(studio, studio_client, tmp_path):
    """Pages of one project: every page is full until the one past the last (404 or empty)."""
    from annotate.push import list_projects

    push(write_rows(tmp_path / "a.jsonl", [claim_row(1)]), "paging one", workspace=studio["workspace"],
         scheme=SCHEME, progress=False)
    push(write_rows(tmp_path / "b.jsonl", [claim_row(2)]), "paging two", workspace=studio["workspace"],
         scheme=SCHEME, progress=False)
    titles = [p.title for p in list_projects(studio_client, page_size=1)]
    assert {"paging one", "paging two"} <= set(titles) and len(titles) == len(set(titles))
    assert [p.title for p in list_projects(studio_client, title="paging t", page_size=1)] == ["paging two"]


def test_new_claims_and_a_new_model_version_are_added_and_the_project_switched(studio, studio_client, tmp_path):
    path = write_rows(tmp_path / "v1.jsonl", [claim_row(n) for n in range(4)])
    first = push(path, "push versions", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    v2 = [claim_row(n, model_version="ft-2", prediction="loaded", score=0.9) for n in range(6)]
    second = push(write_rows(tmp_path / "v2.jsonl", v2), "push versions", workspace=studio["workspace"],
                  scheme=SCHEME, progress=False)
    assert (second["tasks_added"], second["tasks_present"], second["predictions_added"]) == (2, 4, 4)
    assert second["model_version_switched"] is True
    project = studio_client.projects.get(id=first["project_id"])
    assert project.model_version == "ft-2"
    tasks = project_tasks(studio_client, project.id)
    assert len(tasks) == 6
    versions = {t["data"]["claim_id"]: sorted(p["model_version"] for p in t["predictions"]) for t in tasks}
    assert versions["c0000"] == ["boot-1", "ft-2"] and versions["c0005"] == ["ft-2"]
    # the task counters the server keeps (recounted by studio_server.py's faster statement)
    assert {t["data"]["claim_id"]: t["total_predictions"] for t in tasks} == {
        f"c{n:04d}": 2 if n < 4 else 1 for n in range(6)}
    third = push(write_rows(tmp_path / "v2b.jsonl", v2), "push versions", workspace=studio["workspace"],
                 scheme=SCHEME, progress=False)
    assert (third["tasks_added"], third["predictions_added"], third["model_version_switched"]) == (0, 0, False)
    # Pushing the first pre-labels again (a re-run of `stance run`) brings nothing new: the project
    # stays on the newer model's pre-labels.
    again = push(path, "push versions", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (again["predictions_added"], again["model_version_switched"]) == (0, False)
    assert (again["model_version"], again["project_model_version"]) == ("boot-1", "ft-2")
    assert studio_client.projects.get(id=first["project_id"]).model_version == "ft-2"


def test_a_push_cut_short_completes_on_rerun_without_duplicates(studio, studio_client, tmp_path):
    rows = [claim_row(n) for n in range(10)]
    # What a push killed after its first chunk leaves behind: a project holding the first few tasks.
    push(write_rows(tmp_path / "part.jsonl", rows[:4]), "push resumed", workspace=studio["workspace"],
         scheme=SCHEME, progress=False)
    result = push(write_rows(tmp_path / "all.jsonl", rows), "push resumed", workspace=studio["workspace"],
                  scheme=SCHEME, chunk_size=3, progress=False)
    assert (result["tasks_added"], result["tasks_present"]) == (6, 4)
    ids = [t["data"]["claim_id"] for t in project_tasks(studio_client, result["project_id"])]
    assert sorted(ids) == [f"c{n:04d}" for n in range(10)]


def test_the_scope_says_which_sentences_go_and_never_the_document_s_scaffolding(studio, studio_client, tmp_path):
    rows = [claim_row(0), {**claim_row(1, is_claim=False), "reason": "opinion"},
            {**claim_row(2, is_claim=False), "reason": "question"},
            {**claim_row(3, is_claim=False), "text": "Q:", "reason": "speaker_marker"},
            {**claim_row(4, is_claim=False), "text": "title: Grain", "reason": "front_matter"}]
    path = write_rows(tmp_path / "pre.jsonl", rows)
    for scope, added, out_of_scope in (("claims", 1, 2), ("statements", 1, 1), ("all", 1, 0)):
        result = push(path, "push scope", workspace=studio["workspace"], scheme=SCHEME, scope=scope, progress=False)
        assert (result["tasks_added"], result["out_of_scope_skipped"], result["structure_skipped"]) == (
            added, out_of_scope, 2), scope
    tasks = project_tasks(studio_client, result["project_id"])
    assert sorted((t["data"]["claim_id"], t["data"]["reason"]) for t in tasks) == [
        ("c0000", ""), ("c0001", "opinion"), ("c0002", "question")]
    with pytest.raises(UserError, match=r"nothing to push \(only front matter, bylines, datelines and speaker markers\)"):
        push(write_rows(tmp_path / "scaffold.jsonl", rows[3:]), "push all", workspace=studio["workspace"],
             scheme=SCHEME, scope="all", progress=False)


def test_push_pairs_makes_a_comparison_project(studio, studio_client, tmp_path):
    pairs = [{"claim_a": "c1", "claim_b": "c2", "doc_a": "d1", "doc_b": "d2", "text_a": "One <b>.",
              "text_b": "Two.", "similarity": 0.8, "stance_a": "loaded", "stance_b": "loaded"},
             {"claim_a": "c1", "claim_b": "c3", "doc_a": "d1", "doc_b": "d3", "text_a": "One <b>.",
              "text_b": "Three.", "similarity": 0.7, "stance_a": "loaded", "stance_b": "plain"}]
    path = write_rows(tmp_path / "pairs.jsonl", pairs)
    result = push(path, "pairs", workspace=studio["workspace"], pairs=True, progress=False)
    assert (result["created"], result["tasks_added"], result["model_version"]) == (True, 2, "compare-rules")
    project = studio_client.projects.get(id=result["project_id"])
    assert 'alias="same_point_different_framing"' in project.label_config
    tasks = {t["data"]["pair_id"]: t for t in project_tasks(studio_client, project.id)}
    assert tasks["c1|c3"]["predictions"][0]["result"][0]["value"] == {"choices": ["same_point_different_framing"]}
    assert push(path, "pairs", workspace=studio["workspace"], pairs=True, progress=False)["tasks_added"] == 0


def test_cli_push_prints_what_was_written_and_never_the_key(studio, tmp_path, capsys, monkeypatch):
    import annotate.push as push_module

    monkeypatch.setattr(push_module, "_scheme", lambda _: SCHEME)
    path = write_rows(tmp_path / "pre.jsonl", [claim_row(n) for n in range(3)])
    assert main(["push", "--in", str(path), "--project", "cli push", "--workspace", studio["workspace"]]) == 0
    out = capsys.readouterr().out
    assert "3 new statements pushed, 0 already there" in out and "project model version is boot-1" in out
    assert studio["api_key"] not in out


def test_cli_push_with_a_wrong_key_is_one_line(studio, tmp_path, capsys, monkeypatch):
    import annotate.push as push_module

    monkeypatch.setattr(push_module, "_scheme", lambda _: SCHEME)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    path = write_rows(tmp_path / "pre.jsonl", [claim_row(0)])
    code = main(["push", "--in", str(path), "--project", "wrong key", "--url", studio["url"]])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1
    assert "refused the key in LABEL_STUDIO_API_KEY (401)" in err


def test_a_push_killed_halfway_and_rerun_leaves_no_duplicate(studio, studio_client, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from annotate.push import find_project

    rows = [claim_row(n) for n in range(600)]
    path = write_rows(tmp_path / "pre.jsonl", rows)
    script = ("import sys; from tests.annotate.test_push import SCHEME; from annotate.push import push; "
              f"push({str(path)!r}, 'push killed', workspace={studio['workspace']!r}, scheme=SCHEME, chunk_size=40, "
              "progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            project = find_project(studio_client, "push killed")
            if project is not None and (studio_client.projects.get(id=project.id).task_number or 0) > 0:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    project = find_project(studio_client, "push killed")
    before = studio_client.projects.get(id=project.id).task_number
    assert 0 < before < 600, "the push was not cut halfway; make the chunks smaller"
    result = push(path, "push killed", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (result["tasks_added"], result["tasks_present"]) == (600 - before, before)
    ids = [t["data"]["claim_id"] for t in project_tasks(studio_client, project.id)]
    assert len(ids) == len(set(ids)) == 600


def test_claims_already_in_the_project_under_other_ids_keep_their_tasks_and_get_the_new_predictions(
        studio, studio_client, tmp_path):
    title = "renamed ids"
    first = write_rows(tmp_path / "a.jsonl", [claim_row(n) for n in range(3)])
    pushed = push(first, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    try:
        # the same sentences of document d0 under new claim ids (its text edited elsewhere, its offsets
        # moved), pre-labelled by a new model, and a sentence of a new document
        moved = write_rows(tmp_path / "b.jsonl", [claim_row(n, claim_id=f"new{n}", start=n, model_version="ft-2")
                                                  for n in range(3)] + [claim_row(7, model_version="ft-2")])
        again = push(moved, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
        assert (again["tasks_added"], again["tasks_present"], again["tasks_kept"]) == (1, 3, 3)
        assert again["claim_ids"] == {f"new{n}": f"c{n:04d}" for n in range(3)} and again["doc_ids"] == {}
        assert again["predictions_added"] == 3 and again["model_version_switched"]
        assert any(note.startswith("1 document(s) changed since they were pushed: Doc <0> (3 sentence(s) keep "
                                   "their task, 0 new or changed sentence(s) get a new task)") for note in again["notes"])
        tasks = project_tasks(studio_client, pushed["project_id"])
        assert sorted(t["data"]["claim_id"] for t in tasks) == ["c0000", "c0001", "c0002", "c0007"]
        assert all({p["model_version"] for p in t["predictions"]} == {"boot-1", "ft-2"}
                   for t in tasks if t["data"]["claim_id"] != "c0007")
        # pushed again: nothing new
        third = push(moved, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
        assert (third["tasks_added"], third["predictions_added"]) == (0, 0)
    finally:
        studio_client.projects.delete(id=pushed["project_id"])


def test_a_server_gone_during_the_push_is_one_clear_error_and_rerun_completes(studio, studio_client, tmp_path,
                                                                                monkeypatch):
    import httpx
    from label_studio_sdk.projects.client import ProjectsClient

    rows = [claim_row(n) for n in range(9)]
    path = write_rows(tmp_path / "pre.jsonl", rows)
    real_import = ProjectsClient.import_tasks
    calls = []

    def dying_import(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise httpx.ConnectError("Connection refused")
        return real_import(self, *args, **kwargs)

    monkeypatch.setattr(ProjectsClient, "import_tasks", dying_import)
    with pytest.raises(UserError, match=r"stopped answering during the push \(ConnectError\); start it again "
                                        r"and re-run the same command"):
        push(path, "push interrupted", workspace=studio["workspace"], scheme=SCHEME, chunk_size=4, progress=False)
    monkeypatch.setattr(ProjectsClient, "import_tasks", real_import)
    result = push(path, "push interrupted", workspace=studio["workspace"], scheme=SCHEME, chunk_size=4, progress=False)
    assert (result["tasks_added"], result["tasks_present"]) == (5, 4)
    assert len(project_tasks(studio_client, result["project_id"])) == 9


def test_a_changed_scheme_updates_the_project_or_says_why_it_cannot(studio, studio_client, tmp_path):
    path = write_rows(tmp_path / "pre.jsonl", [claim_row(n) for n in range(3)])
    first = push(path, "push scheme change", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    wider = NS(**{**vars(SCHEME), "labels": SCHEME.labels + [NS(id="other", name="Other", description="", hotkey="o")]})
    push(path, "push scheme change", workspace=studio["workspace"], scheme=wider, progress=False)
    assert 'alias="other"' in studio_client.projects.get(id=first["project_id"]).label_config

    task = project_tasks(studio_client, first["project_id"])[0]
    studio_client.annotations.create(id=task["id"], result=[lc.choice_result("loaded")])
    narrower = NS(**{**vars(SCHEME), "labels": SCHEME.labels[1:]})
    rows = [claim_row(n, prediction="sourced") for n in range(3)]
    with pytest.raises(UserError, match=r"'push scheme change' holds annotations with labels the new config lacks "
                                        r"\(loaded, other\)"):
        push(write_rows(tmp_path / "narrow.jsonl", rows), "push scheme change", workspace=studio["workspace"],
             scheme=narrower, progress=False)


# --- annotators a task (overlap) and which model's pre-labels a project shows ------------------

def _queue(url: str, project_id: int, headers: dict) -> list[int]:
    """The tasks Label Studio's labelling queue serves one annotator, labelling each as it comes."""
    import httpx

    served = []
    for _ in range(10):
        answer = httpx.get(f"{url}/api/projects/{project_id}/next", headers=headers)
        if answer.status_code == 404:   # "There are no tasks for ..."
            return served
        task_id = answer.json()["id"]
        served.append(task_id)
        httpx.post(f"{url}/api/tasks/{task_id}/annotations", headers=headers,
                   json={"result": [lc.choice_result("plain")]}).raise_for_status()
    raise AssertionError(f"the queue never ran dry: {served}")


def test_overlap_lets_a_second_annotator_label_what_the_first_did(studio, studio_client, tmp_path):
    """With one annotator a task (Label Studio's default) the second annotator's queue skips what the
    first labelled: agreement can never be measured. --overlap 2 serves it to them; raising it on an
    existing project works too."""
    import httpx

    from conftest import join_by_invite   # here: a subprocess above imports this module without tests/ on its path

    second = {"Authorization": "Token " + join_by_invite(studio["url"], studio["api_key"], "overlap.second@example.org",
                                                          "overlap-pass-5931")}
    admin = {"Authorization": f"Token {studio['api_key']}"}
    path = write_rows(tmp_path / "c.jsonl", [claim_row(n) for n in range(4)])
    served = {}
    for title, overlap in (("overlap one", None), ("overlap two", 2), ("overlap raised", None)):
        result = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False, overlap=overlap)
        assert result["overlap"] == (overlap or 1)
        ids = sorted(t["id"] for t in project_tasks(studio_client, result["project_id"]))
        for task_id in ids[:3]:   # the first annotator labels three of the four
            httpx.post(f"{studio['url']}/api/tasks/{task_id}/annotations", headers=admin,
                       json={"result": [lc.choice_result("plain")]}).raise_for_status()
        if title == "overlap raised":
            again = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False, overlap=2)
            assert (again["overlap"], again["tasks_added"]) == (2, 0)
        project = studio_client.projects.get(id=result["project_id"])
        assert (project.maximum_annotations, project.overlap_cohort_percentage) == (2 if overlap or title == "overlap raised" else 1, 100)
        served[title] = (sorted(_queue(studio["url"], result["project_id"], second)), ids)
    one, ids = served["overlap one"]
    assert one == ids[3:]   # only the task nobody labelled
    assert served["overlap two"][0] == served["overlap two"][1]
    assert served["overlap raised"][0] == served["overlap raised"][1]
    assert not any("annotators a task but the organisation has" in n for n in again["notes"])   # 2 people or more
    people = len(httpx.get(f"{studio['url']}/api/users/", headers=admin).json())
    many = push(path, "overlap too many", workspace=studio["workspace"], scheme=SCHEME, progress=False,
                overlap=people + 1)
    assert (f"the project asks {people + 1} annotators a task but the organisation has {people} people: no task can "
            "be finished until more join") in " ".join(many["notes"])
    studio_client.projects.delete(id=many["project_id"])


def test_overlap_must_be_a_whole_number_of_annotators(tmp_path, capsys):
    with pytest.raises(UserError, match="overlap 0: give the number of annotators a task, 1 or more"):
        push(write_rows(tmp_path / "c.jsonl", [claim_row(1)]), "overlap bad", scheme=SCHEME, overlap=0)
    with pytest.raises(SystemExit) as exited:
        main(["push", "--in", str(tmp_path / "c.jsonl"), "--project", "overlap bad", "--overlap", "0"])
    assert exited.value.code == 2 and "--overlap: must be 1 or more, got 0" in capsys.readouterr().err


def test_bootstrap_pre_labels_keep_a_trained_model_only_when_asked(studio, studio_client, tmp_path):
    """`stance run` (keep_trained) adds new claims without switching a project that shows a trained
    model's pre-labels back to the bootstrap; an explicit push switches, and says so."""
    trained = [claim_row(n, model_version="minilm-ft-20260101-0000-abc", score=0.7) for n in range(3)]
    boot = [claim_row(n, model_version="bootstrap-1") for n in range(4)]
    for title, keep in (("keep trained", True), ("switch back", False)):
        push(write_rows(tmp_path / "b.jsonl", boot[:3]), title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
        first = push(write_rows(tmp_path / "t.jsonl", trained), title, workspace=studio["workspace"], scheme=SCHEME,
                     progress=False)
        assert first["project_model_version"] == "minilm-ft-20260101-0000-abc"
        result = push(write_rows(tmp_path / "b2.jsonl", boot), title, workspace=studio["workspace"], scheme=SCHEME,
                      progress=False, keep_trained=keep)
        assert result["tasks_added"] == 1 and result["previous_model_version"] == "minilm-ft-20260101-0000-abc"
        (note,) = result["notes"]
        shown = studio_client.projects.get(id=result["project_id"]).model_version
        if keep:
            assert (shown, result["model_version_kept"], result["model_version_switched"]) == (
                "minilm-ft-20260101-0000-abc", True, False)
            assert "keeps showing the trained model's pre-labels (minilm-ft-20260101-0000-abc)" in note
            assert note.endswith("the 1 new claim(s) carry the bootstrap's (bootstrap-1), which Label Studio does not "
                                 "show while the project is on minilm-ft-20260101-0000-abc, and its queue serves them "
                                 "after the pre-labelled ones")
        else:
            assert (shown, result["model_version_switched"]) == ("bootstrap-1", True)
            assert note.startswith("the project's pre-labels switched from the trained model "
                                   "minilm-ft-20260101-0000-abc back to the bootstrap bootstrap-1")


def test_least_certain_first_follows_the_model_version_the_project_shows(studio, studio_client, tmp_path):
    """With two model versions on every task, the first tab and the labelling queue order by the
    score of the version the project shows (not the other one, nor their mean)."""
    boot = {0: 0.10, 1: 0.50, 2: 0.90}
    trained = {0: 0.95, 1: 0.30, 2: 0.60}   # by mean: 1, 0, 2; by either version: another order
    rows = lambda scores, version: [claim_row(n, score=s, model_version=version) for n, s in scores.items()]  # noqa: E731
    order = {}
    for title, first, last in (("order trained", rows(boot, "bootstrap-1"), rows(trained, "minilm-ft-1")),
                               ("order bootstrap", rows(trained, "minilm-ft-1"), rows(boot, "bootstrap-1"))):
        push(write_rows(tmp_path / "a.jsonl", first), title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
        result = push(write_rows(tmp_path / "b.jsonl", last), title, workspace=studio["workspace"], scheme=SCHEME,
                      progress=False)
        http = studio_client._client_wrapper.httpx_client
        (view,) = http.request("api/dm/views/", method="GET", params={"project": result["project_id"]}).json()
        tasks = http.request("api/tasks/", method="GET", params={"view": view["id"], "fields": "all"}).json()["tasks"]
        served = http.request(f"api/projects/{result['project_id']}/next", method="GET").json()
        order[title] = ([(t["data"]["claim_id"], t["predictions_score"]) for t in tasks], served["data"]["claim_id"])
    assert order["order trained"] == ([("c0001", 0.3), ("c0002", 0.6), ("c0000", 0.95)], "c0001")
    assert order["order bootstrap"] == ([("c0000", 0.1), ("c0001", 0.5), ("c0002", 0.9)], "c0000")


# --- a project's kind, and projects made before the problem flags ------------------------------

def test_pairs_are_refused_in_a_claims_project_and_claims_in_a_pairs_project(studio, studio_client, tmp_path):
    claims = write_rows(tmp_path / "pre.jsonl", [claim_row(n) for n in range(2)])
    pairs = write_rows(tmp_path / "pairs.jsonl", [PAIR])
    made = push(claims, "kind claims", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    before = studio_client.projects.get(id=made["project_id"]).label_config
    with pytest.raises(UserError, match=r"^project 'kind claims' is a claims project; push pairs under another "
                                        r"--project title$"):
        push(pairs, "kind claims", workspace=studio["workspace"], pairs=True, progress=False)
    assert studio_client.projects.get(id=made["project_id"]).label_config == before
    assert len(project_tasks(studio_client, made["project_id"])) == 2

    made = push(pairs, "kind pairs", workspace=studio["workspace"], pairs=True, progress=False)
    with pytest.raises(UserError, match=r"^project 'kind pairs' is a pairs project; push claims under another "
                                        r"--project title$"):
        push(claims, "kind pairs", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert lc.config_kind(studio_client.projects.get(id=made["project_id"]).label_config) == "pairs"
    assert len(project_tasks(studio_client, made["project_id"])) == 1


def test_a_project_of_another_config_is_told_by_its_tasks(studio, studio_client, tmp_path):
    config = '<View><Text name="t" value="$text_a"/><Choices name="c" toName="t"><Choice value="x"/></Choices></View>'
    project = studio_client.projects.create(title="kind by tasks", label_config=config)
    studio_client.projects.import_tasks(id=project.id, request=[{"data": {"pair_id": "p9", "text_a": "One."}}])
    claims = write_rows(tmp_path / "pre.jsonl", [claim_row(0)])
    with pytest.raises(UserError, match="project 'kind by tasks' is a pairs project; push claims under another"):
        push(claims, "kind by tasks", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert studio_client.projects.get(id=project.id).label_config == config


def test_a_project_made_before_the_problem_flags_takes_them_and_keeps_its_annotations(studio, studio_client, tmp_path):
    old = lc.label_config(SCHEME, problem_flags=False)
    project = studio_client.projects.create(title="before flags", label_config=old)
    path = write_rows(tmp_path / "pre.jsonl", [claim_row(n) for n in range(3)])
    studio_client.projects.import_tasks(id=project.id, request=[claim_to_task(claim_row(0), SCHEME)])
    task = project_tasks(studio_client, project.id)[0]
    studio_client.annotations.create(id=task["id"], result=[lc.choice_result("loaded")])
    result = push(path, "before flags", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (result["project_id"], result["tasks_added"], result["tasks_present"]) == (project.id, 2, 1)
    now = studio_client.projects.get(id=project.id)
    assert 'name="problem"' in now.label_config and now.total_annotations_number == 1


def test_a_document_known_only_by_its_title_and_file_is_headed_by_the_title_once():
    # The sample's blog repost: no outlet, author or site; its hashed file name tells an annotator nothing.
    row = claim_row(4, outlet=None, author=None, title="Blog repost of an interview", kind="blog_repost",
                    source_file="/corpus/004_ce8312b0825942f8.txt")
    data = claim_to_task(row, SCHEME)["data"]
    assert data["title"] == "Blog repost of an interview"
    assert data["source_line"] == "2024-05-01 · blog repost · voice: interviewee (A. Person)"


def test_tasks_pushed_before_the_shown_text_get_it_and_keep_their_annotations(studio, studio_client, tmp_path):
    """A project of an earlier stance (its view showed `$text` and `$title`, a U+202E as it is) keeps
    that view while nothing in it shows a bidi control; once one would, its tasks are given
    `text_shown` and `title_shown` (and markers in their paragraph and source line) before the view
    shows them, their other data and annotations unchanged, and the pull still reads a cue span
    marked on `text` and the exact context."""
    from annotate import pull_rows
    from annotate.claim_tasks import SHOWN_FIELDS
    from annotate.pull import pull

    def earlier(row: dict) -> dict:   # the task an earlier stance made: raw controls, no shown fields
        task = claim_to_task(row, SCHEME)
        for key in SHOWN_FIELDS:
            del task["data"][key]
        for key in ("context_html", "source_line"):
            task["data"][key] = pull_rows.BIDI_MARKER_HTML.sub(lambda m: chr(int(m.group(1), 16)), task["data"][key])
        task["data"]["source_line"] = task["data"]["source_line"].replace("⟨U+202E⟩", "\u202e")
        return task

    old = lc.label_config(SCHEME).replace("$text_shown", "$text").replace("$title_shown", "$title")
    plain = studio_client.projects.create(title="before shown text, plain", label_config=old)
    studio_client.projects.import_tasks(id=plain.id, request=[earlier(claim_row(n)) for n in range(2)])
    path = write_rows(tmp_path / "plain.jsonl", [claim_row(n) for n in range(3)])
    result = push(path, "before shown text, plain", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (result["tasks_added"], result["tasks_present"]) == (1, 2)
    assert not any("earlier stance" in note for note in result["notes"])   # nothing to mark: no call a task
    assert 'value="$text"' in studio_client.projects.get(id=plain.id).label_config
    # the two tasks nobody labelled take this version's data in place (annotate.push_refresh)
    assert (result["tasks_updated"], result["fields_updated"]) == (2, {"text_shown": 2, "title_shown": 2})
    assert sum("text_shown" in t["data"] for t in project_tasks(studio_client, plain.id)) == 3

    project = studio_client.projects.create(title="before shown text", label_config=old)
    text = "The ministry said \u202etrue si sihT."
    context = f"Before. {text} After."
    rows = [claim_row(0, text=text, context=context, start=108, end=108 + len(text), title="T\u202e0"),
            claim_row(1, outlet="Kyiv\u202enews"), claim_row(2)]
    studio_client.projects.import_tasks(id=project.id, request=[earlier(row) for row in rows[:2]])
    tasks = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, project.id)}
    assert "\u202e" in tasks["c0000"]["data"]["context_html"] and "\u202e" in tasks["c0001"]["data"]["source_line"]
    after = text.index("true")   # a span after the control, marked on `text` itself
    studio_client.annotations.create(id=tasks["c0000"]["id"], result=[
        lc.choice_result("loaded"),
        {"from_name": lc.CUES, "to_name": lc.CLAIM, "type": "labels",
         "value": {"start": after, "end": after + 4, "text": "true", "labels": [lc.CUE_LABEL]}}])
    path = write_rows(tmp_path / "again.jsonl", rows)
    result = push(path, "before shown text", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (result["tasks_added"], result["tasks_present"]) == (1, 2)
    assert any(note.startswith("2 task(s) pushed by an earlier stance now also carry text_shown and title_shown")
               for note in result["notes"])
    now = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, project.id)}
    assert now["c0000"]["data"]["text_shown"] == "The ministry said ⟨U+202E⟩true si sihT."
    assert now["c0000"]["data"]["title_shown"] == "T⟨U+202E⟩0"
    assert now["c0001"]["data"]["text_shown"] == now["c0001"]["data"]["text"] == rows[1]["text"]
    assert now["c0001"]["data"]["source_line"].startswith("Kyiv⟨U+202E⟩news · ")
    assert now["c0000"]["data"]["context_html"] == claim_to_task(rows[0], SCHEME)["data"]["context_html"]
    for claim_id, task in tasks.items():   # nothing else of the data changed
        changed = (*SHOWN_FIELDS, "context_html", "source_line")
        assert ({k: v for k, v in now[claim_id]["data"].items() if k not in changed}
                == {k: v for k, v in task["data"].items() if k not in changed})
    assert now["c0000"]["total_annotations"] == 1
    assert '<Text name="claim" value="$text_shown"/>' in studio_client.projects.get(id=project.id).label_config
    again = push(path, "before shown text", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert not any("earlier stance" in note for note in again["notes"])   # once
    pull("before shown text", tmp_path / "pulled", workspace=studio["workspace"], scheme=SCHEME, progress=False)
    (row,) = [json.loads(line) for line in (tmp_path / "pulled" / "annotations.jsonl").read_text().splitlines()]
    assert row["text"] == text and row["title"] == "T\u202e0" and row["context"] == context
    assert "text_shown" not in row and "title_shown" not in row
    assert row["cues"] == [{"start": after, "end": after + 4, "text": "true", "label": lc.CUE_LABEL}]


def test_a_pairs_file_given_as_claims_is_named_before_any_scheme_or_server(tmp_path):
    # QA: `stance push --in pairs.jsonl` first complained that the rows record no scheme; what helps is
    # that they are pair rows, which --pairs pushes
    pair = {"pair_id": "p1", "claim_a": "c1", "claim_b": "c2", "text_a": "One.", "text_b": "Two.",
            "similarity": 0.5, "suggested": None}
    path = write_rows(tmp_path / "pairs.jsonl", [pair, {**pair, "pair_id": "p2"}])
    with pytest.raises(UserError, match=r"^[^;]*pairs.jsonl: row 1 \(pair_id p1\) is a pair row \(claim_a, claim_b\): "
                                        r"push this file with --pairs"):
        push(path, "pairs project", workspace=tmp_path / "no-workspace", scheme=None)
