"""report.html: claims holding HTML show as text; topics, sides, contrast marks and the chart."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import numpy as np

from models import report
from models.compare import compare
from models.compare_settings import CompareSettings
from models.report import highlight, render_report

EVIL_SCRIPT = 'The agency said <script>alert("backdoor")</script> nothing about the backdoor.'
EVIL_IMG = 'Officials found a backdoor <img src=x onerror="alert(1)"> in the firewall.'
EVIL_OUTLET = '<b onmouseover="x()">Outlet</b>'


class Elements(HTMLParser):
    """Every start tag with its attributes, and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def embed(texts: list[str]) -> np.ndarray:
    out = np.array([[t.lower().count("backdoor"), t.lower().count("weather"), 0.2] for t in texts],
                   dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def rows() -> list[dict]:
    base = {"is_claim": True, "score": 0.8, "speaker": "author", "speaker_name": None}
    return [
        {**base, "claim_id": "x1", "doc_id": "evil", "text": EVIL_SCRIPT, "prediction": "kremlin_framing",
         "outlet": EVIL_OUTLET, "title": "<i>t</i>"},
        {**base, "claim_id": "x2", "doc_id": "evil", "text": EVIL_IMG, "prediction": "kremlin_framing",
         "outlet": EVIL_OUTLET, "speaker": "quoted", "speaker_name": "<u>Boss</u>"},
        {**base, "claim_id": "y1", "doc_id": "good", "text": "The backdoor was planted by the agency.",
         "prediction": "independent_reporting", "outlet": "Investigations"},
        {**base, "claim_id": "y2", "doc_id": "good", "text": "The weather was fine.",
         "prediction": "independent_reporting", "outlet": "Investigations"},
    ]


def render() -> tuple[str, Elements]:
    claims, pairs, clusters = compare(rows(), embed, CompareSettings(min_similarity=0.5, scheme=None))
    page = render_report(claims, pairs, clusters, CompareSettings(scheme=None), title="<script>t</script>")
    parsed = Elements()
    parsed.feed(page)
    return page, parsed


def test_html_in_claims_shows_as_text_never_as_elements():
    page, parsed = render()
    names = [t for t, _ in parsed.tags]
    assert "script" not in names
    assert "u" not in names and "b" not in names and "i" not in names
    imgs = [a for t, a in parsed.tags if t == "img"]
    # the charts only: by source, and by voice (author and quoted)
    assert [a["alt"] for a in imgs] == ["stance of claims by source", "stance of claims by voice"]
    assert all(a["src"].startswith("data:image/png;base64,") for a in imgs)
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    text = "".join(parsed.text)
    assert '<script>alert("backdoor")</script>' in text
    assert '<img src=x onerror="alert(1)">' in text
    assert EVIL_OUTLET in text and "<u>Boss</u>" in text
    assert "default-src 'none'" in page


def test_report_shows_topics_sides_and_contrast():
    page, parsed = render()
    text = "".join(parsed.text)
    assert "Topic 1: " in text and "backdoor" in text
    sides = [a for t, a in parsed.tags if t == "div" and a.get("class") == "side"]
    assert len(sides) == 2  # the two documents side by side
    assert any(t == "tr" and a.get("class") == "contrast" for t, a in parsed.tags)
    assert "contrasting stances" in text
    assert "Stance by source" in text


def test_highlight_escapes_and_marks_cues_and_differences(monkeypatch):
    pattern = report.cue_pattern({"kremlin_framing": ["special operation", "Kiev"],
                                  "independent_reporting": ["according to", "Kiev"]})
    out = highlight("The special operation near Kiev <b>ends</b>, according to them", pattern, {"ends"})
    # Each label's cues in its own colour; a phrase both labels list counts for the first.
    assert out == ('The <mark class="cue cue0">special operation</mark> near <mark class="cue cue0">Kiev</mark> '
                   '&lt;b&gt;<mark class="diff">ends</mark>&lt;/b&gt;, <mark class="cue cue1">according to</mark> them')
    assert highlight("a < b", None) == "a &lt; b"


def test_a_label_keeps_its_own_colour_in_a_scheme_of_five(tmp_path):
    """A label's cue highlight and bar take its place in the scheme: with five labels, the fourth's
    cues had the third's colour (labels without cues were not counted: QA qa22's 'mixed' was marked in
    the colour of 'none', the bars' purple) and the fifth label's bars were the first's."""
    from models.cue_highlight import N_COLOURS, label_places
    from models.schemes import load_scheme

    labels = [("favor", "f", ["price cap works"]), ("against", "a", ["economic war"]), ("none", "n", []),
              ("mixed", "m", ["on the one hand"]), ("unclear", "u", [])]
    lines = ["name: five_x", "title: Five", "labels:"]
    for lid, key, cues in labels:
        lines += [f"  - id: {lid}", f"    name: {lid.upper()}", f"    hotkey: {key}",
                  f"    description: {lid}", f"    cues: {cues}", f"    examples: [An example of {lid}.]"]
    (tmp_path / "five.yaml").write_text("\n".join(lines) + "\n")
    scheme = load_scheme(str(tmp_path / "five.yaml"))
    pattern = report.cue_pattern(report.label_cues(scheme), label_places(scheme))
    out = highlight("The price cap works; on the one hand, an economic war.", pattern)
    assert '<mark class="cue cue0">price cap works</mark>' in out
    assert '<mark class="cue cue3">on the one hand</mark>' in out and '<mark class="cue cue1">economic war</mark>' in out
    legend = report.cue_legend(scheme, report.label_cues(scheme))
    assert '<mark class="cue cue3">MIXED</mark>' in legend and "cue2" not in legend
    # Every label of five has a colour of its own: bars and highlight tints.
    assert N_COLOURS >= 5 and len(set(report.BAR_COLOURS)) == len(report.BAR_COLOURS) == N_COLOURS
    assert all(f"mark.cue{k}{{" in report.CSS for k in range(N_COLOURS))


def test_a_regular_expression_cue_is_highlighted_as_the_labeller_reads_it():
    """A `re:` cue was escaped as a phrase, so the report never marked what it found (QA qa22: 're:(?i)shadow
    fleet' voted on 13% of the claims, none marked); now marked, case-sensitive unless it opens with (?i)."""
    pattern = report.cue_pattern({"favor": ["re:(?i)shadow fleets?", "price cap"], "against": ["re:\\bAFU\\b"]})
    out = highlight("The Shadow Fleet and the AFU; afu.", pattern)
    assert out == ('The <mark class="cue cue0">Shadow Fleet</mark> and the <mark class="cue cue1">AFU</mark>; afu.')


def test_scheme_cues_missing_scheme_gives_none():
    assert report.scheme_cues(None) == {}
    assert report.scheme_cues("no-such-scheme-anywhere") == {}


def test_a_claim_in_several_pairs_is_shown_once_its_pairs_together():
    def pair(b: str, similarity: float) -> dict:
        return {"claim_a": "a1", "claim_b": b, "text_a": "Moscow denies the strike.", "text_b": f"Claim {b}.",
                "similarity": similarity, "stance_a": "kremlin_framing", "stance_b": "independent_reporting"}

    rows_html = report._pair_rows([pair("b1", 0.6), {**pair("b9", 0.7), "claim_a": "a2", "text_a": "Other."},
                                   pair("b2", 0.9)], None)
    assert rows_html.count("Moscow denies the strike.") == 1 and rows_html.count("the same claim as above") == 1
    assert rows_html.index("Claim b2.") < rows_html.index("Claim b1.") < rows_html.index("Claim b9.")


def test_a_pair_with_no_suggestion_says_why():
    both = {"claim_a": "a1", "claim_b": "b1", "text_a": "One.", "text_b": "Two.", "similarity": 0.47,
            "stance_a": "kremlin_framing", "stance_b": "neutral", "suggested": None, "mutual": True}
    assert "no guess: a loose pair, each the other&#x27;s nearest" in report._pair_rows([both], None)
    assert "no guess: a claim has no stance" in report._pair_rows([{**both, "stance_b": None, "mutual": False}], None)


def test_a_pair_across_two_topics_is_shown_with_its_claim_s_topic():
    claims = [{"claim_id": c, "doc_id": d, "text": f"Claim {c}.", "prediction": "neutral"}
              for c, d in (("a1", "d1"), ("b1", "d2"), ("a2", "d1"), ("b2", "d2"), ("x", "d3"), ("y", "d4"))]
    clusters = [{"cluster": 0, "label": "one", "claims": ["a1", "b1"], "docs": ["d1", "d2"]},
                {"cluster": 1, "label": "two", "claims": ["a2", "b2"], "docs": ["d1", "d2"]}]
    pair = {"claim_a": "a1", "claim_b": "b2", "text_a": "Claim a1.", "text_b": "Claim b2 across.", "similarity": 0.7,
            "cluster": None}
    loose = {"claim_a": "x", "claim_b": "y", "text_a": "Claim x.", "text_b": "Claim y loose.", "similarity": 0.6,
             "cluster": None}
    page = render_report(claims, [pair, loose], clusters, CompareSettings(scheme=None))
    topic_two = page.index("Topic 2")
    assert page.index("Claim b2 across.") < topic_two   # under topic 1, with its claim a1
    assert page.index("Pairs outside topics") < page.index("Claim y loose.")


def test_the_page_says_how_to_read_it_and_names_the_stances_model():
    claims = [{**r, "model_version": "<b>bootstrap-v1</b>"} for r in rows()]
    settings = CompareSettings(min_similarity=0.5)
    claims, pairs, clusters = compare(claims, embed, settings)
    page = render_report(claims, pairs, clusters, settings)
    parsed = Elements()
    parsed.feed(page)
    text = " ".join(" ".join(parsed.text).split())
    # pairs join sources (a document naming none is its own): nearest in the other source, not document
    assert ("at least 0.50 alike, or at least 0.45 when each is the other's nearest claim in its source; each "
            "claim keeps its 5 nearest claims in other sources") in text
    assert "Stances are the classifier's pre-labels (<b>bootstrap-v1</b>), not annotations" in text
    assert "a rule's guess" in text
    # One colour a label, named as the scheme names it (kremlin_framing: its display name).
    from models.schemes import load_scheme

    cued = report.scheme_cues("kremlin_framing")
    assert len(cued) >= 2
    legend = [a["class"] for t, a in parsed.tags if t == "mark"][:len(cued)]  # the legend comes first
    assert legend == [f"cue cue{k}" for k in range(len(cued))]
    names = {label.id: label.name for label in load_scheme("kremlin_framing").labels}
    assert all(names[label] in text for label in cued)


def test_a_big_comparison_stays_a_page_a_browser_opens(monkeypatch):
    # 40 sources: the chart keeps those with the most claims and says how many it left out.
    many = [{"claim_id": f"c{i}", "doc_id": f"d{i}", "text": "t", "prediction": "neutral", "outlet": f"Outlet {i:02d}"}
            for i in range(40)] + [{"claim_id": "x", "doc_id": "d39", "text": "t", "prediction": "neutral",
                                    "outlet": "Outlet 39"}]
    counts, left_out = report.chart_counts(many, limit=25)
    assert len(counts) == 25 and left_out == 15 and next(iter(counts)) == "Outlet 39"
    # Topics and loose pairs beyond the caps are named, not drawn.
    monkeypatch.setattr(report, "MAX_TOPICS", 1)
    monkeypatch.setattr(report, "MAX_LOOSE_PAIRS", 0)
    claims, pairs, clusters = compare(rows(), embed, CompareSettings(min_similarity=0.5, scheme=None))
    clusters = clusters + [{**clusters[0], "cluster": 1, "label": "second topic"}]
    page = render_report(claims, pairs + [{**pairs[0], "pair_id": "loose", "cluster": None, "claim_a": "zz",
                                           "claim_b": "zy"}], clusters, CompareSettings(scheme=None))
    assert "The 1 largest of 2 topics; every topic and pair is in clusters.jsonl" in page
    assert "second topic" not in page
    assert "The 0 most similar of 1; all are in pairs.jsonl" in page
    monkeypatch.setattr(report, "MAX_TOPIC_PAIRS", 1)
    topic = clusters[0]["cluster"]
    extra = [{**pairs[0], "pair_id": f"p{i}", "cluster": topic, "similarity": 0.5 + i / 100} for i in range(3)]
    page = render_report(claims, pairs + extra, clusters[:1], CompareSettings(scheme=None))
    assert f"The 1 most similar of its {sum(p.get('cluster') == topic for p in pairs) + 3} pairs" in page


def test_pre_labels_beside_annotators_labels_are_counted_apart_and_hatched():
    claims = [{**r, "stance_by": "annotators" if r["claim_id"] != "x2" else "model"} for r in rows()]
    counts, _ = report.chart_counts(claims)
    assert counts[EVIL_OUTLET] == {"kremlin_framing": 1, "kremlin_framing" + report.PRELABEL: 1}
    assert counts["Investigations"] == {"independent_reporting": 2}
    # all of one kind: counted as they are
    assert report.chart_counts(rows())[0][EVIL_OUTLET] == {"kremlin_framing": 2}
    assert report.stance_chart(counts, order=["kremlin_framing", "independent_reporting"]) is not None


def test_the_chart_hatches_pre_labels_and_names_a_label_that_has_only_pre_labels(monkeypatch):
    from collections import Counter

    import matplotlib.figure

    drawn, save = [], matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **k: (drawn.append(self), save(self, *a, **k))[1])
    counts = {"A": Counter({"kremlin_framing": 2, "neutral" + report.PRELABEL: 3}),
              "B": Counter({"kremlin_framing" + report.PRELABEL: 1})}
    assert report.stance_chart(counts, order=["kremlin_framing", "neutral"])
    ax = drawn[0].axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "kremlin_framing", "neutral", "hatched: pre-label, not yet annotated"]
    hatched = [p.get_width() for p in ax.patches if p.get_hatch() and p.get_width()]
    assert sorted(hatched) == [1, 3] and sum(p.get_width() for p in ax.patches if not p.get_hatch()) == 2


def test_charts_badges_and_topics_name_a_label_as_the_scheme_line_does(monkeypatch, tmp_path):
    """The charts' legends had shown the label ids (favor) under a scheme line and cue legend
    naming the labels by their display names (FAVOR), QA qa22: the page names them one way."""
    import matplotlib.figure

    drawn, save = [], matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **k: (drawn.append(self), save(self, *a, **k))[1])
    settings = CompareSettings(min_similarity=0.5, scheme="kremlin_framing")
    claims, pairs, clusters = compare(rows(), embed, settings)
    page = render_report(claims, pairs, clusters, settings)
    parsed = Elements()
    parsed.feed(page)
    assert "Kremlin framing, Independent reporting" in page   # the scheme line
    legends = [[t.get_text() for t in f.axes[0].get_legend().get_texts()] for f in drawn]
    assert legends == [["Kremlin framing", "Independent reporting"]] * 2   # by source, by voice
    badges = set(page.split('<span class="stance">')[1:])
    assert {b.split("</span>")[0] for b in badges} == {"Kremlin framing", "Independent reporting"}
    assert "stances Independent reporting: 1, Kremlin framing: 2;" in page   # a topic's counts
    # A display name is drawn as written: no formula from its $, no missing glyph.
    drawn.clear()
    assert report.stance_chart({"A": Counter(favor=2)}, order=["favor"], legend={"favor": "FAVOR $x$ <i>\x1b"})
    assert [t.get_text() for t in drawn[0].axes[0].get_legend().get_texts()] == [r"FAVOR \$x\$ <i> "]


def test_a_topic_shows_one_box_a_source_however_many_of_its_documents_it_holds():
    claims = [{**r, "doc_id": "evil2", "claim_id": "x3", "title": "Second piece"} for r in rows()[:1]]
    claims = rows() + claims
    clusters = [{"cluster": 0, "label": "t", "claims": ["x1", "x3", "y1"], "size": 3, "docs": ["evil", "evil2", "good"],
                 "pairs": 0, "contrasting_pairs": 0, "stances": {}}]
    page = render_report(claims, [], clusters, CompareSettings(scheme=None))
    parsed = Elements()
    parsed.feed(page)
    assert sum(1 for t, a in parsed.tags if t == "div" and a.get("class") == "side") == 2
    assert "&lt;i&gt;t&lt;/i&gt; · Second piece" in page   # both documents' titles under the one heading
    page = render_report(claims, [], clusters, CompareSettings(scheme=None, within_source=True))
    parsed = Elements()
    parsed.feed(page)
    assert sum(1 for t, a in parsed.tags if t == "div" and a.get("class") == "side") == 3   # a box a document


def test_claims_without_a_counterpart_are_listed_by_source_and_source_types_charted():
    page, parsed = render()
    text = " ".join(" ".join(parsed.text).split())
    # y2 ("The weather was fine.") pairs with nothing: Investigations says it, the other side does not.
    assert "Claims with no counterpart" in text
    alone = [a for t, a in parsed.tags if t == "div" and a.get("class") == "side alone"]
    assert len(alone) >= 1 and "Investigations (" in text and "The weather was fine." in text
    assert "pairs within the topic contrasting" in text
    claims = [{**r, "source_type": "state" if r["doc_id"] == "evil" else "independent"} for r in rows()]
    claims, pairs, clusters = compare(claims, embed, CompareSettings(min_similarity=0.5, scheme=None))
    page = render_report(claims, pairs, clusters, CompareSettings(scheme=None))
    assert "Stance by source type" in page and page.count("data:image/png;base64,") == 3   # source, type, voice
    # One source type only: no second chart.
    claims = [{**r, "source_type": "state"} for r in rows()]
    claims, pairs, clusters = compare(claims, embed, CompareSettings(min_similarity=0.5, scheme=None))
    assert "Stance by source type" not in render_report(claims, pairs, clusters, CompareSettings(scheme=None))


def test_claims_of_documents_without_a_source_type_are_a_bar_of_their_own():
    # Only "evil" names a source type: the source-type chart had shown its 2 claims and dropped the
    # other document's 2 without a word, so it counted fewer claims than the source chart above it.
    claims = [{**r, "source_type": "state"} if r["doc_id"] == "evil" else r for r in rows()]
    claims, pairs, clusters = compare(claims, embed, CompareSettings(min_similarity=0.5, scheme=None))
    assert "Stance by source type" in render_report(claims, pairs, clusters, CompareSettings(scheme=None))
    counts = report.chart_counts(claims, key=report.source_type_group)[0]
    assert {k: dict(v) for k, v in counts.items()} == {"state": {"kremlin_framing": 2},
                                                       "(no source_type)": {"independent_reporting": 2}}


def test_dollars_in_a_source_name_are_drawn_not_parsed_as_a_formula():
    from collections import Counter

    # An unknown command inside $...$ had stopped `stance compare` with a matplotlib traceback.
    png = report.stance_chart({r"Fox $\undefinedcmd{x}$ News": Counter(kremlin_framing=2),
                               "Cost $5 and $6": Counter(independent_reporting=1)},
                              order=["kremlin_framing", "independent_reporting"])
    assert png and len(png) > 1000


def test_a_control_character_in_a_source_name_draws_without_a_missing_glyph_warning(recwarn):
    from collections import Counter

    png = report.stance_chart({"Evil\x1b[31m News": Counter(kremlin_framing=2), "Plain": Counter(neutral=3),
                               "Kyiv\u202eswen": Counter(neutral=1)},   # drawn "Kyiv⟨U+202E⟩swen"
                              order=["kremlin_framing", "neutral"])
    assert png and not [w for w in recwarn if "missing from" in str(w.message) or "Glyph" in str(w.message)]


def test_bidi_overrides_in_the_data_cannot_reverse_the_page_s_own_text():
    rlo = "\u202e"
    claims = [{**r, "text": r["text"] + rlo, "outlet": r["outlet"] + "\u2066"} for r in rows()]
    claims, pairs, clusters = compare(claims, embed, CompareSettings(min_similarity=0.5, scheme=None))
    page = render_report(claims, pairs, clusters, CompareSettings(scheme=None), title="t" + rlo)
    assert pairs and rlo not in page and "\u2066" not in page
    assert "The backdoor was planted by the agency.⟨U+202E⟩" in page   # visible, reordering nothing
    assert "⟨U+2066⟩" in page and "t⟨U+202E⟩" in page   # the outlet's isolate, the title's override


def test_the_page_names_its_scheme_escaped_or_says_it_knows_none():
    from types import SimpleNamespace as NS

    from models.report import scheme_line

    scheme = NS(name="s<1>", title="Stance & <b>", version="abc",
                labels=[NS(id="a", name="FOR <x>"), NS(id="b", name="AGAINST")])
    assert scheme_line(scheme, "/home/me/s<1>.yaml") == (
        "Label scheme: <b>Stance &amp; &lt;b&gt;</b> (s&lt;1&gt;, version abc from s&lt;1&gt;.yaml): "
        "FOR &lt;x&gt;, AGAINST")
    assert scheme_line(scheme, "s<1>").endswith("(s&lt;1&gt;, version abc): FOR &lt;x&gt;, AGAINST")
    assert scheme_line(None, None).startswith("Label scheme: none known for these stances")


def test_a_corpus_of_one_source_shows_its_documents_side_by_side():
    # compare pairs the documents of a corpus of one source with each other (as within_source); the
    # report, given the settings without within_source, had put both documents in one box of that source
    one = [{**r, "outlet": "Channel Z"} for r in rows()]
    claims, pairs, clusters = compare(one, embed, CompareSettings(min_similarity=0.5, scheme=None))
    assert pairs and clusters
    parsed = Elements()
    parsed.feed(render_report(claims, pairs, clusters, CompareSettings(min_similarity=0.5, scheme=None)))
    assert len([a for t, a in parsed.tags if t == "div" and a.get("class") == "side"]) == 2
    text = "".join(parsed.text)
    assert "a pair is two claims of different documents" in text and "nearest claims in other documents" in text
    page, parsed = render()   # two sources: the sides and the words are the sources'
    assert "a pair is two claims of different sources" in "".join(parsed.text)


def test_the_headline_counts_say_one_topic_not_one_topics():
    from models.report import _n

    assert (_n(1, "topic"), _n(0, "topic"), _n(2, "cross-document pair")) == ("1 topic", "0 topics", "2 cross-document pairs")
