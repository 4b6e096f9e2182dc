"""The pull report as one self-contained HTML page: every text it shows is escaped with its bidi
controls shown as visible markers, ``⟨U+202E⟩`` (``corpus.safetext.html_text``), and a
Content-Security-Policy forbids any script."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotate.pull_rows import disputed
from corpus.records import source_name
from corpus.safetext import html_text

MAX_DISPUTED = 300   # disputed items listed on the page; the rest are found with the filter

CSP = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "img-src data:; style-src 'unsafe-inline'\">")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return html_text(str(value))


def _table(header: list[str], rows: list[list[Any]], empty: str = "") -> str:
    """An HTML table, or the ``empty`` sentence when there are no rows (never a bare header)."""
    if not rows:
        return f"<p><i>{html_text(empty)}</i></p>" if empty else ""
    head = "".join(f"<th>{html_text(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _resolution_notes(report: dict[str, Any], items: str) -> str:
    """What the ties and the single-annotator items mean, and how to find them."""
    parts = []
    ties = report.get("ties") or {}
    if ties.get("n"):
        parts.append(f"<p><b>{ties['n']} {html_text(items)} were ties</b> (as many annotators for one label as for "
                     f"another), and {html_text(ties['resolved_as'])}. Find them with <code>{html_text(ties['filter'])}"
                     f"</code> (the tied labels are in <code>{html_text(ties['tied_labels_column'])}</code>) and "
                     f"{html_text(ties['advice'])}.</p>")
    single = report.get("single") or {}
    if single.get("n"):
        parts.append(f"<p>{single['n']} {html_text(items)} were labelled by one annotator: "
                     f"{html_text(single['note'])}.</p>")
    return "\n".join(parts)


def _task_link(report: dict[str, Any], task_id: Any) -> str:
    """A link that opens the task in Label Studio's data manager, or '' when the server is unknown."""
    url, project = report.get("url"), report.get("project_id")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not isinstance(project, int) \
            or not isinstance(task_id, int):
        return ""
    href = html_text(f"{url.rstrip('/')}/projects/{project}/data?task={task_id}")
    return f"<a href=\"{href}\">task {task_id}</a>"


def disputed_section(report: dict[str, Any], labels: Sequence[dict[str, Any]],
                     rows: Sequence[dict[str, Any]] = ()) -> str:
    """The claims (or pairs) whose annotators disagree, for review: the text, where it comes from,
    each annotator's label, the label it resolved to and by which rule, the pre-label shown, the
    annotators' notes, and a link to the task. Every text escaped."""
    pairs = report.get("unit") == "pair"
    key = "pair_id" if pairs else "claim_id"
    items = report.get("unit", "claim") + "s"
    found = disputed(labels, key)
    if not found:
        return ""
    task_of = {r.get(key): r.get("task_id") for r in rows}
    info = report.get("disputed") or {}
    shown = found[:MAX_DISPUTED]
    more = (f" The first {len(shown)} of {len(found)} are listed." if len(found) > len(shown) else "")
    head = (f"<h2 id=\"disputed\">Disputed {html_text(items)}</h2><p><b>{len(found)} {html_text(items)}</b> "
            f"on which annotators disagree ({info.get('n_ties', 0)} tie(s), {info.get('n_outvoted', 0)} outvoted "
            "a dissent), ties first, then the least agreement. Find them with "
            f"<code>{html_text(info.get('filter', 'agreement < 1'))}</code> in labels.jsonl and labels.parquet."
            f"{more}</p>")
    body = []
    for row in shown:
        if pairs:
            text = f"A: {html_text(str(row.get('text_a') or ''))}<br>B: {html_text(str(row.get('text_b') or ''))}"
        else:
            text = (f"{html_text(str(row.get('text') or ''))}<br><small>"
                    f"{html_text(source_name(row))}</small>")
        votes = "<br>".join(f"{html_text(str(a))}: <b>{html_text(str(lab))}</b>"
                            for a, lab in zip(row.get("annotators") or [], row.get("annotator_labels") or []))
        resolved = f"{html_text(str(row.get('label')))} <small>({html_text(str(row.get('rule')))}"
        if row.get("tied_labels"):
            resolved += ": tied " + html_text(" / ".join(str(t) for t in row["tied_labels"]))
        resolved += ")</small>"
        prelabel = html_text(str(row["prelabel"])) if row.get("prelabel") is not None else "<i>none shown</i>"
        # "annotator: note" each, as labels.jsonl holds them: what an adjudicator reads beside the votes
        notes = "<br>".join(html_text(str(note)) for note in row.get("notes") or [])
        body.append(f"<tr><td class=\"text\">{text}</td><td class=\"text\">{votes}</td><td>{resolved}</td>"
                    f"<td>{prelabel}</td><td class=\"text\">{notes}</td>"
                    f"<td>{_task_link(report, task_of.get(row.get(key)))}</td></tr>")
    what = "pair" if pairs else "claim"
    return (head + f"<table class=\"disputed\"><thead><tr><th>{what}</th><th>annotators' labels</th><th>resolved as</th>"
            "<th>pre-label</th><th>annotators' notes</th><th>task</th></tr></thead><tbody>" + "".join(body)
            + "</tbody></table>")


def render_html(report: dict[str, Any], labels: Sequence[dict[str, Any]] = (),
                rows: Sequence[dict[str, Any]] = ()) -> str:
    """The HTML page of a pull report (``report.json``'s figures), with the disputed items of
    ``labels`` (the rows of labels.jsonl) listed for review; ``rows`` (annotations) give their tasks."""
    agree = report["agreement"]
    accept = report["acceptance"]
    conf = report["model_vs_human"]
    items = report.get("unit", "claim") + "s"   # "pairs" in a pairs pull
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        CSP,
        f"<title>Pull report: {html_text(str(report.get('project', '')))}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;"
        "text-align:right}th:first-child,td:first-child{text-align:left}.diag{background:#e8f4e8}"
        "table.disputed td,table.disputed th{text-align:left;vertical-align:top}"
        "table.disputed td.text{max-width:40em}</style>",
        "</head><body>",
        f"<h1>Annotations of {html_text(str(report.get('project', '')))}</h1>",
        f"<p>Label Studio {html_text(str(report.get('url', '')))}, scheme {html_text(str(report['scheme']))}: "
        f"{report['n_annotations']} annotations ({report['n_skipped']} skipped) by {report['n_annotators']} "
        f"annotator(s) on {report['n_claims_labelled']} {items}.</p>",
        "<h2>Agreement</h2>",
        f"<p>Krippendorff's alpha (nominal): <b>{_fmt(agree['krippendorff_alpha'])}</b>; Cohen's kappa, "
        f"mean of annotator pairs weighted by shared {items} (pairs sharing fewer than "
        f"{agree['cohen_kappa'].get('min_pair_items', 5)} left out): <b>{_fmt(agree['cohen_kappa']['mean_weighted'])}</b>; "
        f"{agree['n_claims_multiply_annotated']} {items} have two or more annotators.</p>",
        _table(["annotators", f"shared {items}", "observed agreement", "Cohen's kappa"],
               [[" / ".join(p["annotators"]), p["n_items"], p["observed_agreement"], p["kappa"]]
                for p in agree["cohen_kappa"]["pairs"]],
               empty=f"No two annotators share a {items[:-1]} yet: agreement needs some {items} labelled "
                     "by two or more people."),
        f"<h3>How each {items[:-1]}'s label was resolved</h3>",
        _table(["rule", items], [[rule, n] for rule, n in report["resolution_rules"].items()]),
        _resolution_notes(report, items),
        disputed_section(report, labels, rows),
        "<h2>Pre-labels</h2>",
        f"<p>Accepted unchanged: {accept['accepted']} of {accept['shown']} shown"
        + (f" ({accept['rate']:.1%})" if accept["rate"] is not None else "") + ".</p>",
        _table(["model version", "shown", "accepted", "rate"],
               [[v, s["shown"], s["accepted"], s["rate"]] for v, s in accept["by_model_version"].items()]),
        f"<h3>Model (columns) versus resolved human label (rows)</h3><p>Agreement with the humans: "
        f"{_fmt(conf['accuracy'])} over {conf['n']} {items}.</p>",
    ]
    labels = conf["labels"]
    head = "".join(f"<th>{html_text(lab)}</th>" for lab in labels)
    body = "".join(
        f"<tr><th>{html_text(h)}</th>" + "".join(
            f"<td class='{'diag' if h == m else ''}'>{conf['matrix'][h][m]}</td>" for m in labels) + "</tr>"
        for h in labels)
    parts.append(f"<table><thead><tr><th>human \\ model</th>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("<h2>Annotators</h2>")
    named = report.get("pseudonymised") or {}
    if named:
        parts.append(f"<p>Annotators are named by pseudonyms, not their logins: {html_text(str(named.get('method')))} "
                     f"(key id {html_text(str(named.get('key_id')))}).</p>")
    parts.append(_table(["annotator", "annotations", "skipped", items, "median lead time (s)", "pre-labels accepted"],
                        [[a, c["annotations"], c["skipped"], c["claims"], c["median_lead_time"],
                          accept["by_annotator"].get(a, {}).get("rate")] for a, c in report["annotators"].items()]))
    flags = report.get("problems") or {}
    if flags.get("n_annotations"):
        parts.append("<h2>Flagged claims</h2>")
        parts.append(f"<p><b>{flags['n_items']} {html_text(items)}</b> flagged by annotators in "
                     f"{flags['n_annotations']} annotation(s). Find them with <code>{html_text(flags['filter'])}"
                     "</code> in labels.jsonl and the dataset (<code>problems</code> lists the flags), and in "
                     f"annotations.jsonl by <code>problems</code>. {html_text(flags['note'])}.</p>")
        parts.append(_table(["problem", "annotations"],
                            [[f.replace("_", " "), n] for f, n in flags["by_problem"].items()]))
    skipped = report.get("skipped") or {}
    if skipped.get("n"):
        who = ", ".join(f"{a} {n}" for a, n in skipped["by_annotator"].items())
        parts.append(f"<p><b>{skipped['n']} skip(s)</b> on {skipped['n_items']} {html_text(items)} ({html_text(who)}): "
                     f"{html_text(skipped['note'])}.</p>")
    dataset = report.get("dataset") or {}
    if dataset.get("splits"):
        parts.append("<h2>Dataset</h2>")
        parts.append(_table(["split", items, "documents" if items == "claims" else "document pairs"],
                            [[s, n, (dataset.get("documents") or {}).get(s)] for s, n in dataset["splits"].items()]))
        if dataset.get("rule"):
            parts.append(f"<p>Split {html_text(str(dataset['rule']))}.</p>")
    if dataset.get("note"):
        parts.append(f"<p><i>{html_text(str(dataset['note']))}</i></p>")
    if dataset.get("warning"):
        parts.append(f"<p><b>Warning:</b> {html_text(str(dataset['warning']))}.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
