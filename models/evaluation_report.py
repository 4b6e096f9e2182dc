"""What ``stance evaluate`` writes and prints from its report: the summary table (terminal, Markdown,
HTML), the notes and interval sentence, report.md, index.html and the PNG plots (confusion
matrices, reliability). Every text from the data is escaped (``corpus.safetext``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from corpus.safetext import html_text, markdown_text, visible

FEW = 20   # a group with fewer claims is marked: one claim moves its figures by 0.05 or more
SUMMARY_SHOWN = 53   # the model, the baseline, the bootstrap and the 50 largest groups of a --by field
BOOTSTRAP_NAME = "bootstrap (no model)"


def write_plots(report: dict[str, Any], out: Path) -> None:
    from models.cache import pyplot

    plt = pyplot()

    labels = report["labels"]
    for name, part in (("confusion", report["overall"]), ("confusion_baseline", report["baseline"])):
        fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(labels), 1.2 + 1.2 * len(labels)))
        matrix = np.array(part["confusion"])
        ax.imshow(matrix, cmap="Blues")
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(j, i, str(v), ha="center", va="center",
                    color="white" if v > matrix.max() / 2 else "black")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        who = ("bootstrap (no model)" if report.get("model") == "bootstrap" else "model") if name == "confusion" \
            else "TF-IDF baseline"
        ax.set_title(f"{who}: macro-F1 {part['macro_f1']:.3f}", fontsize=9)
        fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=110)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    first = "bootstrap" if report.get("model") == "bootstrap" else "model"
    for name, part in ((first, report["overall"]), ("TF-IDF baseline", report["baseline"])):
        bins = part["reliability"]
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-",
                label=f"{name} (ECE {part['ece']:.3f})")
        if name == first:  # how many claims each point stands for: a bin of 2 says little
            for b in bins:
                ax.annotate(str(b["count"]), (b["confidence"], b["accuracy"]), textcoords="offset points",
                            xytext=(0, 6), ha="center", fontsize=7, color="#1f4e79")
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"reliability (numbers: the {first}'s claims per bin)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "reliability.png", dpi=110)
    plt.close(fig)


def baseline_name(report: dict[str, Any]) -> str:
    """The baseline's line in the summary: how it was fitted, in a few characters."""
    return "TF-IDF+LR (CV)" if report.get("baseline_kind", "cross_validation") == "cross_validation" \
        else "TF-IDF+LR (model's train)"


def summary_table(report: dict[str, Any]) -> list[tuple[str, int, float, float, float]]:
    """(name, n, macro-F1, accuracy, ECE) lines: the model, the baseline, the bootstrap (beside a
    trained model), then each metadata value."""
    lines = [("model", report["n"], report["overall"]["macro_f1"], report["overall"]["accuracy"],
              report["overall"]["ece"]),
             (baseline_name(report), report["n"], report["baseline"]["macro_f1"], report["baseline"]["accuracy"],
              report["baseline"]["ece"])]
    if report.get("bootstrap"):   # a trained model's evaluation: the bootstrap it must beat
        boot = report["bootstrap"]
        lines.append((BOOTSTRAP_NAME, report["n"], boot["macro_f1"], boot["accuracy"], boot["ece"]))
    for field, values in report["by"].items():
        for value, part in values.items():
            few = " (few claims)" if part["n"] < FEW else ""
            lines.append((f"{field}={value}{few}", part["n"], part["macro_f1"], part["accuracy"], part["ece"]))
    return lines


NAME_WIDTH = 60   # the terminal table's first column at most; longer names wrap at spaces


def terminal_table(lines: list[tuple[str, int, float, float, float]], max_width: int = NAME_WIDTH) -> list[str]:
    """``summary_table`` lines as text, a header first: the name column as wide as the longest name
    (up to ``max_width``); a longer name wraps between words, and "(few claims)" is never split."""
    import textwrap

    few = " (few claims)"
    # as the terminal prints them (a bidi control as \u202e): the columns line up
    lines = [(visible(name), *rest) for name, *rest in lines]
    width = max([len(name) for name, *_ in lines] + [10])
    width = min(width, max_width)
    out = [f"{'':{width}} {'n':>5} {'macro-F1':>9} {'accuracy':>9} {'ECE':>6}"]
    for name, n, f1, acc, ece in lines:
        glued = name.replace(few, few.replace(" ", "\u00a0"))   # textwrap never breaks at a no-break space
        parts = [part.replace("\u00a0", " ") for part in
                 textwrap.wrap(glued, width, break_on_hyphens=False)] or [""]
        out += parts[:-1]
        out.append(f"{parts[-1]:{width}} {n:>5} {f1:>9.3f} {acc:>9.3f} {ece:>6.3f}")
    return out


NOTE_KEYS = ("by_note", "bootstrap_note", "documents_note", "note", "absent_note", "source_type_note", "metadata_note", "baseline_note",
             "ties_note", "anchoring_note")


def notes(report: dict[str, Any]) -> list[str]:
    """The report's notes (the bootstrap ahead of the model, predicted labels absent here, source_type
    read as evidence, ties, anchoring)."""
    return [report[key] for key in NOTE_KEYS if report.get(key)]


def interval_sentence(report: dict[str, Any]) -> str:
    """The 95% intervals in words; empty without them."""
    ci = report.get("intervals") or {}
    if not ci:
        return ""
    if "none" in ci:
        return str(ci["none"])
    show = lambda pair: f"{pair[0]:.3f} to {pair[1]:.3f}"  # noqa: E731
    boot = report.get("intervals_bootstrap") or {}
    beside = (f", {BOOTSTRAP_NAME} {show(boot['bootstrap'])}, model minus bootstrap {show(boot['difference'])}"
              if "difference" in boot else "")
    return (f"95% intervals of macro-F1 (1,000 bootstrap resamples of the {report['n']} claims): model "
            f"{show(ci['model'])}, baseline {show(ci['baseline'])}, model minus baseline {show(ci['difference'])}"
            + beside)


def by_bootstrap(report: dict[str, Any]) -> list[tuple[str, int, float, float, float, float]]:
    """(field=value, n, the model's macro-F1, the bootstrap's, the model's accuracy, the bootstrap's)
    of each metadata group, when the bootstrap was scored beside a trained model; empty otherwise.
    Accuracy beside macro-F1: in a group of mostly one label (an outlet's claims) the F1 over the
    labels present can favour the one that predicts that label least."""
    return [(f"{field}={value}" + (" (few claims)" if part["n"] < FEW else ""), part["n"], part["macro_f1"],
             part["bootstrap_macro_f1"], part["accuracy"], part.get("bootstrap_accuracy", float("nan")))
            for field, values in report["by"].items() for value, part in values.items() if "bootstrap_macro_f1" in part]


def markdown(report: dict[str, Any]) -> str:
    """report.md: the same figures as a Markdown page; every text from the data escaped (``markdown_text``)."""
    m = markdown_text
    labels = [m(label) for label in report["labels"]]
    out = [f"# Evaluation of {m(report['model'])} ({m(report['version'])})", "",
           f"Data: {m(report['data'])}, {report['n']} claims; scheme {m(report['scheme'])}.", "",
           f"Protocol: {m(report['protocol'])}", ""]
    if report.get("left_out"):
        out += [f"{m(report['left_out'].capitalize())}: every figure here is on the other {report['n']}.", ""]
    if report.get("baseline_how"):
        out += [f"TF-IDF baseline: {m(report['baseline_how'])}.", ""]
    out += [f"Note: {m(note)}.\n" for note in notes(report)]
    if report.get("intervals"):
        out += [m(interval_sentence(report)) + ".", ""]
    out += ["| | n | macro-F1 | accuracy | ECE |", "|---|---:|---:|---:|---:|"]
    out += [f"| {m(name)} | {n} | {f1:.3f} | {acc:.3f} | {ece:.3f} |" for name, n, f1, acc, ece in summary_table(report)]
    groups = by_bootstrap(report)
    if groups:
        out += ["", "## By field: the model and the bootstrap", "",
                "| | n | model macro-F1 | bootstrap macro-F1 | model accuracy | bootstrap accuracy |",
                "|---|---:|---:|---:|---:|---:|"]
        out += [f"| {m(name)} | {n} | {f1:.3f} | {boot:.3f} | {acc:.3f} | {boot_acc:.3f} |"
                for name, n, f1, boot, acc, boot_acc in groups]
    parts = [("Model", report["overall"]), ("TF-IDF baseline", report["baseline"])]
    if report.get("bootstrap"):
        parts.append(("Bootstrap (no model)", report["bootstrap"]))
    for title, part in parts:
        out += ["", f"## {title}: per label", "", "| label | precision | recall | F1 | support |",
                "|---|---:|---:|---:|---:|"]
        out += [f"| {m(k)} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
                for k, v in part["per_label"].items()]
        out += ["", "Confusion (rows true, columns predicted):", "",
                "| | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
        out += [f"| {labels[i]} | " + " | ".join(str(v) for v in row) + " |" for i, row in enumerate(part["confusion"])]
    return "\n".join(out) + "\n"


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page showing the figures and tables; every text shown is escaped."""
    e = html_text
    lines = summary_table(report)
    rows = "".join(f"<tr><td>{e(name)}</td><td>{n}</td><td>{f1:.3f}</td><td>{acc:.3f}</td><td>{ece:.3f}</td></tr>"
                   for name, n, f1, acc, ece in lines[:SUMMARY_SHOWN])
    if len(lines) > SUMMARY_SHOWN:
        rows += (f'<tr><td colspan="5">{len(lines) - SUMMARY_SHOWN} more groups, the smallest: in report.md and '
                 "report.json</td></tr>")
    labels = report["labels"]
    per_label = "".join(
        f"<tr><td>{e(k)}</td><td>{v['precision']:.3f}</td><td>{v['recall']:.3f}</td><td>{v['f1']:.3f}</td>"
        f"<td>{v['support']}</td></tr>" for k, v in report["overall"]["per_label"].items())
    confusion = "".join(f"<tr><th>{e(labels[i])}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                        for i, row in enumerate(report["overall"]["confusion"]))
    wrong = report.get("errors") or []
    errors = ("<p>None: every claim was scored as its label.</p>" if not wrong else
              f"<p>The {len(wrong)} misclassified claims with the highest confidence (all are in predictions.jsonl).</p>"
              "<table><tr><th>claim</th><th>label</th><th>predicted</th><th>confidence</th><th>source</th></tr>"
              + "".join(f"<tr><td style=\"text-align:left\">{e(w['text'])}</td><td>{e(w['label'])}</td>"
                        f"<td>{e(w['predicted'])}</td><td>{w['confidence']:.2f}</td>"
                        f"<td>{e(w.get('source') or w.get('outlet') or w.get('source_type') or '')}</td></tr>" for w in wrong)
              + "</table>")
    warning = ""
    if report.get("left_out"):
        warning = f"<p>{e(report['left_out'].capitalize())}: every figure here is on the other {report['n']}.</p>"
    if report.get("baseline_how"):
        warning += f"<p>TF-IDF baseline: {e(report['baseline_how'])}.</p>"
    warning += "".join(f"<p><b>Note:</b> {e(note)}.</p>" for note in notes(report))
    if report.get("intervals"):
        warning += f"<p>{e(interval_sentence(report))}.</p>"
    groups = by_bootstrap(report)
    by_boot = ("" if not groups else
               "<h2>By field: the model and the bootstrap</h2><table><tr><th></th><th>n</th><th>model macro-F1</th>"
               "<th>bootstrap macro-F1</th><th>model accuracy</th><th>bootstrap accuracy</th></tr>"
               + "".join(f"<tr><td>{e(name)}</td><td>{n}</td><td>{f1:.3f}</td><td>{boot:.3f}</td><td>{acc:.3f}</td>"
                         f"<td>{boot_acc:.3f}</td></tr>" for name, n, f1, boot, acc, boot_acc in groups[:SUMMARY_SHOWN])
               + "</table>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>Evaluation: {e(report['model'])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.warn{{color:#a00;font-weight:bold}}img{{max-width:100%}}</style></head>
<body><h1>Evaluation of {e(report['model'])}</h1>
<p>Version {e(report['version'])}; data {e(report['data'])} ({report['n']} claims); scheme {e(report['scheme'])}.</p>
<p>{e(report['protocol'])}</p>{warning}
<h2>Summary</h2><table><tr><th></th><th>n</th><th>macro-F1</th><th>accuracy</th><th>ECE</th></tr>{rows}</table>{by_boot}
<h2>Per label (model)</h2><table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{per_label}</table>
<h2>Confusion (rows true, columns predicted)</h2><table><tr><th></th>{''.join(f'<th>{e(x)}</th>' for x in labels)}</tr>{confusion}</table>
<img src="confusion.png" alt="confusion matrix of the model"> <img src="confusion_baseline.png" alt="confusion matrix of the TF-IDF baseline">
<h2>Calibration</h2><img src="reliability.png" alt="reliability plot">
<h2>Errors the model was surest of</h2>{errors}
</body></html>
"""
