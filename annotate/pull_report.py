"""The pull report as one self-contained HTML page; every text it shows is escaped."""

from __future__ import annotations

from html import escape
from typing import Any


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def _table(header: list[str], rows: list[list[Any]], empty: str = "") -> str:
    """An HTML table, or the ``empty`` sentence when there are no rows (never a bare header)."""
    if not rows:
        return f"<p><i>{escape(empty)}</i></p>" if empty else ""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _resolution_notes(report: dict[str, Any], items: str) -> str:
    """What the ties and the single-annotator items mean, and how to find them."""
    parts = []
    ties = report.get("ties") or {}
    if ties.get("n"):
        parts.append(f"<p><b>{ties['n']} {escape(items)} were ties</b> (as many annotators for one label as for "
                     f"another), and {escape(ties['resolved_as'])}. Find them with <code>{escape(ties['filter'])}"
                     f"</code> (the tied labels are in <code>{escape(ties['tied_labels_column'])}</code>) and "
                     f"{escape(ties['advice'])}.</p>")
    single = report.get("single") or {}
    if single.get("n"):
        parts.append(f"<p>{single['n']} {escape(items)} were labelled by one annotator: "
                     f"{escape(single['note'])}.</p>")
    return "\n".join(parts)


def render_html(report: dict[str, Any]) -> str:
    """The HTML page of a pull report (``report.json``'s figures)."""
    agree = report["agreement"]
    accept = report["acceptance"]
    conf = report["model_vs_human"]
    items = report.get("unit", "claim") + "s"   # "pairs" in a pairs pull
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Pull report: {escape(str(report.get('project', '')))}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;"
        "text-align:right}th:first-child,td:first-child{text-align:left}.diag{background:#e8f4e8}</style>",
        "</head><body>",
        f"<h1>Annotations of {escape(str(report.get('project', '')))}</h1>",
        f"<p>Label Studio {escape(str(report.get('url', '')))}, scheme {escape(str(report['scheme']))}: "
        f"{report['n_annotations']} annotations ({report['n_skipped']} skipped) by {report['n_annotators']} "
        f"annotator(s) on {report['n_claims_labelled']} {items}.</p>",
        "<h2>Agreement</h2>",
        f"<p>Krippendorff's alpha (nominal): <b>{_fmt(agree['krippendorff_alpha'])}</b>; Cohen's kappa, "
        f"mean of annotator pairs weighted by shared {items}: <b>{_fmt(agree['cohen_kappa']['mean_weighted'])}</b>; "
        f"{agree['n_claims_multiply_annotated']} {items} have two or more annotators.</p>",
        _table(["annotators", f"shared {items}", "observed agreement", "Cohen's kappa"],
               [[" / ".join(p["annotators"]), p["n_items"], p["observed_agreement"], p["kappa"]]
                for p in agree["cohen_kappa"]["pairs"]],
               empty=f"No two annotators share a {items[:-1]} yet: agreement needs some {items} labelled "
                     "by two or more people."),
        f"<h3>How each {items[:-1]}'s label was resolved</h3>",
        _table(["rule", items], [[rule, n] for rule, n in report["resolution_rules"].items()]),
        _resolution_notes(report, items),
        "<h2>Pre-labels</h2>",
        f"<p>Accepted unchanged: {accept['accepted']} of {accept['shown']} shown"
        + (f" ({accept['rate']:.1%})" if accept["rate"] is not None else "") + ".</p>",
        _table(["model version", "shown", "accepted", "rate"],
               [[v, s["shown"], s["accepted"], s["rate"]] for v, s in accept["by_model_version"].items()]),
        f"<h3>Model (columns) versus resolved human label (rows)</h3><p>Agreement with the humans: "
        f"{_fmt(conf['accuracy'])} over {conf['n']} {items}.</p>",
    ]
    labels = conf["labels"]
    head = "".join(f"<th>{escape(lab)}</th>" for lab in labels)
    body = "".join(
        f"<tr><th>{escape(h)}</th>" + "".join(
            f"<td class='{'diag' if h == m else ''}'>{conf['matrix'][h][m]}</td>" for m in labels) + "</tr>"
        for h in labels)
    parts.append(f"<table><thead><tr><th>human \\ model</th>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("<h2>Annotators</h2>")
    parts.append(_table(["annotator", "annotations", "skipped", items, "median lead time (s)", "pre-labels accepted"],
                        [[a, c["annotations"], c["skipped"], c["claims"], c["median_lead_time"],
                          accept["by_annotator"].get(a, {}).get("rate")] for a, c in report["annotators"].items()]))
    skipped = report.get("skipped") or {}
    if skipped.get("n"):
        who = ", ".join(f"{a} {n}" for a, n in skipped["by_annotator"].items())
        parts.append(f"<p><b>{skipped['n']} skip(s)</b> on {skipped['n_items']} {escape(items)} ({escape(who)}): "
                     f"{escape(skipped['note'])}.</p>")
    dataset = report.get("dataset") or {}
    if dataset.get("splits"):
        parts.append("<h2>Dataset</h2>")
        parts.append(_table(["split", items, "documents" if items == "claims" else "document pairs"],
                            [[s, n, (dataset.get("documents") or {}).get(s)] for s, n in dataset["splits"].items()]))
        if dataset.get("rule"):
            parts.append(f"<p>Split {escape(str(dataset['rule']))}.</p>")
    if dataset.get("note"):
        parts.append(f"<p><i>{escape(str(dataset['note']))}</i></p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
