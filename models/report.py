"""report.html of `stance compare`: topics, each source's claims side by side, contrasting framing.

Every piece of text that came from the data goes through ``html.escape``; the page carries no
script and a Content-Security-Policy that forbids any, so a claim holding ``<script>`` or
``<img onerror=...>`` shows as text. Bidirectional controls (embeddings, overrides, isolates,
marks) are shown as visible markers, ``⟨U+202E⟩``: a claim ending in U+202E (right-to-left override)
would otherwise reverse the page's own text after it, turning "(Kremlin)" into "(nilmerK)", and
dropped they would hide that the claim holds one. The stance-by-source chart is a PNG
embedded as base64, its source names drawn as they are, never as matplotlib's ``$...$`` formulas.
Cue words are found and marked by ``models.cue_highlight``.
"""

from __future__ import annotations

import base64
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus.records import source_name
from corpus.safetext import html_text, marked
from models.compare_settings import CompareSettings
from models.cue_highlight import N_COLOURS, cue_legend, cue_pattern, highlight, label_cues, label_names, label_places
from models.pairs import column, document_groups, source_group
from models.schemes import NO_SOURCE_TYPE

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin:0 0 .3em}
.topic{border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0}
.topic.contrasting{border-left:6px solid #d9822b}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1em}
.side{background:#f7f7f7;padding:.6em;border-radius:4px}.side h4{margin:0 0 .4em}
.side ul{margin:0;padding-left:1.1em}
.stance{display:inline-block;font-size:.75em;padding:0 .4em;border-radius:3px;background:#e0e0e0;margin-right:.3em}
.voice{color:#666;font-size:.8em}
table.pairs{width:100%;border-collapse:collapse;margin-top:.8em}
table.pairs td{vertical-align:top;border-top:1px solid #eee;padding:.4em}
table.pairs td.mid{width:9em;text-align:center;color:#555;font-size:.85em}
tr.contrast td{background:#fff4e5}
tr.contrast td.mid{font-weight:bold;color:#b35c00}
mark.cue0{background:#ffd54f}mark.cue1{background:#b9f0c4}mark.cue2{background:#e3c8ee}mark.cue3{background:#c8d8ee}
mark.cue4{background:#f6c4c2}mark.cue5{background:#bfe9ea}mark.cue6{background:#e8dcc0}mark.cue7{background:#f6cde4}
mark.diff{background:#cfe8ff}
.meta{color:#666;font-size:.85em}
"""



def _n(count: int, word: str) -> str:
    """``1 topic``, ``2 topics``."""
    return f"{count} {word}{'' if count == 1 else 's'}"

def scheme_cues(name: str | None) -> dict[str, list[str]]:
    """Cue phrases of a label scheme (configs/schemes) by label id, in the scheme's label order;
    nothing when it cannot load."""
    return label_cues(_scheme(name))


def _scheme(name: str | None) -> Any:
    if not name:
        return None
    try:
        from models.schemes import load_scheme

        return load_scheme(name)
    except Exception:  # noqa: BLE001 - no scheme, no cue highlighting; the report still renders
        return None


# A page a browser opens at once: the chart's sources and the topics and loose pairs shown are
# capped (20,750 claims of 830 documents made an 18 MB page and a chart 60,000 pixels tall); the
# JSONL and Parquet outputs hold everything.
MAX_SOURCES = 25
MAX_TOPICS = 200
MAX_LOOSE_PAIRS = 300
MAX_TOPIC_PAIRS = 25   # pair rows shown under one topic (the most similar)


MAX_UNMATCHED = 15   # claims without a counterpart listed a source


def source_type_group(row: dict[str, Any]) -> str:
    """A claim's bar in the source-type chart: its document's ``source_type``, else NO_SOURCE_TYPE (a bar
    of its own, so the chart counts the same claims as the source chart above it)."""
    value = row.get("source_type")
    return NO_SOURCE_TYPE if value in (None, "") else str(value)


PRELABEL = "\x00pre-label"   # a count key's suffix: claims whose stance is a pre-label beside annotated ones


def chart_counts(claims: Sequence[dict[str, Any]], limit: int = MAX_SOURCES, key: Any = source_name
                 ) -> tuple[dict[str, Counter[str]], int]:
    """Stance counts of the ``limit`` groups (``key(row)``: by default the source) with the most
    pre-labelled claims, and how many groups were left out."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    mixed = len({row.get("stance_by") == "annotators" for row in claims if row.get("prediction") is not None}) > 1
    for row in claims:
        group = key(row)
        if row.get("prediction") is not None and group not in (None, ""):
            # beside annotators' labels, a pre-label is counted apart (PRELABEL marks it): the chart hatches it
            pre = mixed and row.get("stance_by") != "annotators"
            counts[str(group)][str(row["prediction"]) + (PRELABEL if pre else "")] += 1
    kept = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))[:limit]
    return {s: counts[s] for s in kept}, len(counts) - len(kept)


# Bar colours by the label's place in the scheme: the deep shades of the cue highlights' tints, so a
# label is one colour on the whole page (N_COLOURS of them). Labels outside the scheme are grey.
BAR_COLOURS = ("#d98e04", "#2e8b57", "#8e6bb5", "#4f81bd", "#c0504d", "#2a9d9f", "#8c6d31", "#d16ba5")


def _drawn(text: str) -> str:
    """``text`` as matplotlib draws it literally: a control character (no glyph) a space, a bidi
    control its marker, and a ``$`` never the start of a formula."""
    return "".join(c if c.isprintable() else " " for c in marked(text)).replace("$", r"\$")


def stance_chart(counts: dict[str, Counter[str]], title: str = "Stance of claims by source",
                 order: Sequence[str] = (), legend: dict[str, str] | None = None) -> str | None:
    """A stacked bar chart of stance counts per group (``chart_counts``), as a base64 PNG (None
    without stances); ``order`` (the scheme's labels) gives the bars their colours, ``legend``
    (``label_names``) the names the legend gives the labels."""
    if not counts:
        return None
    from models.cache import pyplot

    plt = pyplot()

    sources = sorted(counts)
    seen = {label.removesuffix(PRELABEL) for c in counts.values() for label in c}
    labels = [label for label in order if label in seen] + sorted(seen - set(order))
    hatched = any(label.endswith(PRELABEL) for c in counts.values() for label in c)
    import textwrap

    # A long title on two lines of the axis, shortened beyond that.
    # control characters (an ESC in an outlet's name) have no glyph: matplotlib drew boxes and warned;
    # a bidi control is shown as its marker, as on the page
    names = ["".join(c if c.isprintable() else " " for c in marked(s)) for s in sources]
    names = [textwrap.shorten(s, 70, placeholder="\u2026") for s in names]
    # "\$": a source named "Fox $\\foo$ News" is a name, not a formula (an unknown command stopped the report)
    names = ["\n".join(textwrap.wrap(s, 36)).replace("$", r"\$") for s in names]
    height = 0.8 * len(sources) + 1.8
    fig, ax = plt.subplots(figsize=(9, height))
    left = [0] * len(sources)
    widest = max(sum(counts[s].values()) for s in sources)
    for label in labels:
        colour = BAR_COLOURS[list(order).index(label) % N_COLOURS] if label in order else "#8c8c8c"
        # the annotators' labels solid, then (when both are counted) the pre-labels of the same label hatched
        named = False   # the label's legend entry: on its first segment drawn, solid or hatched
        for key, style in ((label, {}), (label + PRELABEL, {"hatch": "///", "alpha": 0.55, "edgecolor": "white"})):
            values = [counts[s][key] for s in sources]
            if not any(values):
                continue
            shown = {} if named else {"label": _drawn((legend or {}).get(label, label))}
            bars = ax.barh(names, values, left=left, color=colour, **style, **shown)
            named = True
            # counts inside the bars, none on a sliver too thin to hold one
            ax.bar_label(bars, labels=[str(v) if v >= 0.04 * widest else "" for v in values], label_type="center",
                         fontsize=11, color="white", fontweight="bold")
            left = [a + b for a, b in zip(left, values)]
    if hatched:   # a legend entry of its own for the hatching
        ax.barh([names[0]], [0], color="#8c8c8c", hatch="///", alpha=0.55, edgecolor="white",
                label="hatched: pre-label, not yet annotated")
    ax.margins(y=0.01)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # claims are counted: no 2.5 on the axis
    ax.set_xlabel("claims", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.set_title(title, fontsize=12)
    # Below the axes: inside, the legend hid the end of the longest bar.
    # Below the x label, the same distance (about 0.7 inch) whatever the chart's height; the tight
    # bounding box keeps it in the picture.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.7 / max(height - 1.2, 0.5)),
              ncol=len(labels) + hatched, fontsize=10, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


_e = html_text


def _stance(label: Any, names: dict[str, str] | None = None) -> str:
    """A claim's stance badge, the label by its display name (``label_names``)."""
    shown = (names or {}).get(str(label), label) if label is not None else "no stance"
    return f'<span class="stance">{_e(shown)}</span>'


def _voice(row: dict[str, Any]) -> str:
    who = row.get("speaker_name") or row.get("speaker")
    return f' <span class="voice">({_e(who)})</span>' if who else ""


RELATION_WORDS = {"same_point_different_framing": "same point, different framing", "agree": "agree",
                  "contradict": "contradict", "unrelated": "unrelated"}


def _pair_rows(pairs: Sequence[dict[str, Any]], cues: re.Pattern[str] | None,
               names: dict[str, str] | None = None) -> str:
    out = ['<table class="pairs">']
    # A claim paired with several others is shown once, its pairs together, most similar first.
    ordered = sorted(pairs, key=lambda p: (str(p.get("claim_a")), -float(p.get("similarity") or 0)))
    previous = None
    for p in ordered:
        a, b = str(p.get("text_a", "")), str(p.get("text_b", ""))
        cls = ' class="contrast"' if p.get("contrasting") else ""
        relation = (("no guess: a loose pair, each the other's nearest" if p.get("mutual") and p.get("stance_a")
                     and p.get("stance_b") else "no guess: a claim has no stance") if p.get("suggested") is None
                    else RELATION_WORDS.get(str(p.get("suggested")), p.get("suggested")))
        mid = (f'{_e(relation)}<br>similarity {float(p.get("similarity") or 0):.2f}'
               + ("<br>contrasting stances" if p.get("contrasting") else ""))
        same = p.get("claim_a") is not None and p.get("claim_a") == previous
        previous = p.get("claim_a")
        left = ('<span class="meta">the same claim as above</span>' if same else
                f"{_stance(p.get('stance_a'), names)}{highlight(a, cues)}"
                f"<div class=\"meta\">{_e(p.get('source_a'))}{_voice({'speaker': p.get('speaker_a'), 'speaker_name': p.get('speaker_name_a')})}</div>")
        out.append(
            f"<tr{cls}><td>{left}</td>"
            f"<td class=\"mid\">{mid}</td>"
            f"<td>{_stance(p.get('stance_b'), names)}{highlight(b, cues)}"
            f"<div class=\"meta\">{_e(p.get('source_b'))}{_voice({'speaker': p.get('speaker_b'), 'speaker_name': p.get('speaker_name_b')})}</div></td></tr>")
    out.append("</table>")
    return "\n".join(out)


def scheme_line(scheme: Any, source: str | None) -> str:
    """The page's line naming the label scheme of its stances (escaped), or saying there is none."""
    if scheme is None:
        return ("Label scheme: none known for these stances (no cue words highlighted); "
                "<code>stance compare --scheme</code> names one")
    version = getattr(scheme, "version", None)
    # The YAML's file name only: a report is shared, the user's directories are not.
    shown = Path(source).name if source and Path(source).suffix in (".yaml", ".yml") else source
    where = f" from {_e(shown)}" if shown and shown != scheme.name else ""
    return (f"Label scheme: <b>{_e(getattr(scheme, 'title', '') or scheme.name)}</b> ({_e(scheme.name)}"
            + (f", version {_e(version)}" if isinstance(version, str) else "") + f"{where}): "
            + _e(", ".join(label_names(scheme).values())))


def explanation(claims: Sequence[dict[str, Any]], settings: CompareSettings, scheme: Any = None,
                within: bool | None = None) -> str:
    """How to read the page: what similarity, stances, relations, colours and highlights are
    (``scheme``: the loaded scheme whose cue words are highlighted; ``within``: documents of one
    source are paired, as ``settings.within_source`` or a corpus of one source has them)."""
    unit = "document" if (settings.within_source if within is None else within) else "source"
    human = sum(r.get("stance_by") == "annotators" for r in claims)
    versions = sorted({str(r["model_version"]) for r in claims
                       if r.get("model_version") and r.get("stance_by") != "annotators"})
    made_by = (f"the classifier's pre-labels ({_e(', '.join(versions))})" if versions
               else "as given in the input")
    if human:
        made_by = (f"the annotators' labels for {human} of the {len(claims)} claims"
                   + (f" and {made_by} for the rest" if human < len(claims) else ""))
    return (
        f"How to read this page: a pair is two claims of different {unit}s whose sentence embeddings "
        f"(all-MiniLM-L6-v2, cosine similarity) are at least {settings.min_similarity:.2f} alike"
        + (f", or at least {settings.mutual_similarity:.2f} when each is the other's nearest claim in its {unit}"
           if settings.mutual_similarity is not None and settings.mutual_similarity < settings.min_similarity else "")
        + f"; each claim keeps its {settings.top_k} nearest claims in other {unit}s. Similarity says two sentences are "
        "about the same thing, not that they agree. "
        + {"claims": "Only rows flagged as claims take part (questions, fillers and opinions are left out). ",
           "statements": "The statements take part: claims, opinions, headlines and other assertions "
                         "(questions, fillers and headings are left out). ",
           "all": "Every sentence takes part, claim or not. "}[settings.scope]
        + f"Stances are {made_by}{'' if human else ', not annotations'}. The relation beside each pair is a rule's guess from "
        "the similarity and the two stances (different stances: same point, different framing), for "
        "annotators to correct in Label Studio. "
        + cue_legend(scheme, label_cues(scheme))
        + "Topics with an orange edge hold claims of different stances; orange rows are pairs whose stances differ.")


def render_report(claims: Sequence[dict[str, Any]], pairs: Sequence[dict[str, Any]],
                  clusters: Sequence[dict[str, Any]], settings: CompareSettings | None = None,
                  title: str = "Claim comparison") -> str:
    """The whole report page as a string; every data-derived text escaped."""
    settings = settings or CompareSettings()
    scheme = _scheme(settings.scheme)   # read once: cues, legend and bar colours
    cues = cue_pattern(label_cues(scheme), label_places(scheme))
    by_id = {str(r["claim_id"]): r for r in claims}
    docs = {str(r["doc_id"]) for r in claims}
    # A corpus of one source is paired within it (models.compare.one_source): its documents are the sides.
    within = settings.within_source or len(set(document_groups(claims))) == 1
    contrasting = sum(bool(x) for x in column(pairs, "contrasting"))
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_n(len(claims), 'claim')} from {_n(len(docs), 'document')}; {_n(len(pairs), 'cross-document pair')} "
        f"with similarity at least {settings.min_similarity:.2f}"
        + (f" or mutual nearest claims at least {settings.mutual_similarity:.2f}"
           if settings.mutual_similarity is not None and settings.mutual_similarity < settings.min_similarity else "")
        + f" ({contrasting} with contrasting stances); {_n(len(clusters), 'topic')}.</p>",
        f"<p>{scheme_line(scheme, settings.scheme)}</p>",
        f'<p class="meta">{explanation(claims, settings, scheme, within)}</p>',
    ]
    order = [str(label.id) for label in getattr(scheme, "labels", [])]
    names = label_names(scheme)   # a label by the name the scheme line and the cue legend give it
    shown, left_out = chart_counts(claims)
    chart = stance_chart(shown, order=order, legend=names)
    if chart:
        parts.append('<h2>Stance by source</h2>')
        parts.append(f'<img alt="stance of claims by source" style="max-width: 100%; height: auto" src="data:image/png;base64,{chart}">')
        if left_out:
            parts.append(f'<p class="meta">The {len(shown)} sources with the most claims; {left_out} more are '
                         "left out of the chart.</p>")
    by_type = chart_counts(claims, key=source_type_group)[0]
    if len(by_type) > 1:   # the kinds of source (state media, independent, ...) the documents belong to
        chart = stance_chart(by_type, title="Stance of claims by source type", order=order, legend=names)
        parts.append('<h2>Stance by source type</h2>')
        parts.append(f'<img alt="stance of claims by source type" style="max-width: 100%; height: auto" '
                     f'src="data:image/png;base64,{chart}">')
    by_voice = chart_counts(claims, key=lambda r: r.get("speaker"))[0]
    if len(by_voice) > 1:   # a source's bar holds every voice of its documents: quoted people, commenters
        chart = stance_chart(by_voice, title="Stance of claims by voice", order=order, legend=names)
        parts.append('<h2>Stance by voice</h2>')
        parts.append(f'<img alt="stance of claims by voice" style="max-width: 100%; height: auto" '
                     f'src="data:image/png;base64,{chart}">')
        parts.append('<p class="meta">A source\'s bar above counts every voice of its documents: the people '
                     "its writers quote and its readers' comments too.</p>")
    parts.append("<h2>Topics</h2>")
    if not clusters:
        parts.append("<p>No topic joins claims of two documents at this threshold.</p>")
    elif len(clusters) > MAX_TOPICS:
        parts.append(f'<p class="meta">The {MAX_TOPICS} largest of {len(clusters)} topics; every topic and pair is '
                     "in clusters.jsonl and pairs.jsonl (and their Parquet files).</p>")
    # A pair whose claims ended in two topics (a big topic split in parts) is shown under the topic
    # of one of them, so that a claim's pairs stay together; "outside topics" is for the rest.
    topic_of = {str(cid): c["cluster"] for c in clusters for cid in c.get("claims", [])}
    # Pairs by number, in pair order (a PairTable's rows are built for the pairs shown alone).
    similarity = column(pairs, "similarity")
    by_cluster: dict[Any, list[int]] = defaultdict(list)
    for n, (topic, a, b) in enumerate(zip(column(pairs, "cluster"), column(pairs, "claim_a"), column(pairs, "claim_b"))):
        if topic is None:
            topic = topic_of.get(str(a), topic_of.get(str(b)))
        by_cluster[topic].append(n)

    def most_similar(numbers: list[int], limit: int) -> list[int]:
        return sorted(numbers, key=lambda n: -float(similarity[n] or 0))[:limit]
    for c in clusters[:MAX_TOPICS]:
        cls = "topic contrasting" if c.get("contrasting") else "topic"
        stances = ", ".join(f"{_e(names.get(str(k), k))}: {int(v)}" for k, v in (c.get("stances") or {}).items())
        parts.append(f'<section class="{cls}"><h3>Topic {int(c["cluster"]) + 1}: {_e(c.get("label"))}</h3>')
        shown_pairs = by_cluster.get(c["cluster"], [])
        outside = len(shown_pairs) - int(c.get("pairs", 0))
        parts.append(f'<p class="meta">{int(c.get("size", 0))} claims, {len(c.get("docs", []))} documents; '
                     f"stances {stances or 'none'}; {int(c.get('contrasting_pairs', 0))} of "
                     f"{int(c.get('pairs', 0))} pairs within the topic contrasting"
                     + (f"; {outside} more pair{'s' if outside != 1 else ''} below link{'' if outside != 1 else 's'} "
                        "its claims to claims outside it" if outside > 0 else "") + "</p>")
        # One box a source, as pairs are made across sources (one a document when documents of one
        # source are compared with each other): two documents of an outlet had two boxes of one heading.
        sides: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for cid in c.get("claims", []):
            row = by_id.get(str(cid))
            if row is not None:
                sides[str(row["doc_id"]) if within else source_group(row)].append(row)
        parts.append('<div class="sides">')
        for rows in sides.values():
            head = source_name(rows[0])
            titles = list(dict.fromkeys(str(r["title"]) for r in rows if r.get("title") and r.get("title") != head))
            sub = " · ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else "") if titles else None
            parts.append(f'<div class="side"><h4>{_e(head)}</h4>'
                         + (f'<div class="meta">{_e(sub)}</div>' if sub else "")
                         + "<ul>")
            for row in rows:
                parts.append(f"<li>{_stance(row.get('prediction'), names)}{highlight(str(row['text']), cues)}"
                             f"{_voice(row)}</li>")
            parts.append("</ul></div>")
        parts.append("</div>")
        topic_pairs = by_cluster.get(c["cluster"], [])
        if len(topic_pairs) > MAX_TOPIC_PAIRS:
            parts.append(f'<p class="meta">The {MAX_TOPIC_PAIRS} most similar of its {len(topic_pairs)} pairs; all are '
                         "in pairs.jsonl.</p>")
            topic_pairs = most_similar(topic_pairs, MAX_TOPIC_PAIRS)
        parts.append(_pair_rows([pairs[n] for n in topic_pairs], cues, names))
        parts.append("</section>")
    loose = by_cluster.get(None, [])
    if loose:
        parts.append("<h2>Pairs outside topics</h2>")
        if len(loose) > MAX_LOOSE_PAIRS:
            parts.append(f'<p class="meta">The {MAX_LOOSE_PAIRS} most similar of {len(loose)}; all are in pairs.jsonl.</p>')
            loose = most_similar(loose, MAX_LOOSE_PAIRS)
        parts.append(_pair_rows([pairs[n] for n in loose], cues, names))
    parts += unmatched_section(claims, pairs, cues, names=names)
    parts.append("</body></html>")
    return "\n".join(parts)


def unmatched_section(claims: Sequence[dict[str, Any]], pairs: Sequence[dict[str, Any]],
                      cues: re.Pattern[str] | None, limit: int = MAX_UNMATCHED,
                      names: dict[str, str] | None = None) -> list[str]:
    """Per source, the claims no claim of another document matched: what one side says and the
    others do not (at this threshold)."""
    paired = {str(c) for k in ("claim_a", "claim_b") for c in column(pairs, k)}
    alone: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in claims:
        if str(row["claim_id"]) not in paired:
            alone[source_name(row)].append(row)
    if not alone:
        return []
    out = ["<h2>Claims with no counterpart</h2>",
           f'<p class="meta">{sum(len(v) for v in alone.values())} of {len(claims)} claims have no claim of another '
           "document at this threshold: what one source says and the others do not (or say in other words). "
           f"Up to {limit} a source, in document order; pairs.jsonl and the claims file hold the rest.</p>",
           '<div class="sides">']
    for source, rows in sorted(alone.items(), key=lambda kv: -len(kv[1])):
        out.append(f'<div class="side alone"><h4>{_e(source)} ({len(rows)})</h4><ul>')
        out += [f"<li>{_stance(r.get('prediction'), names)}{highlight(str(r['text']), cues)}{_voice(r)}</li>"
                for r in rows[:limit]]
        if len(rows) > limit:
            out.append(f'<li class="meta">{len(rows) - limit} more</li>')
        out.append("</ul></div>")
    out.append("</div>")
    return out
