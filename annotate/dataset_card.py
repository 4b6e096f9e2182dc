"""The dataset card (``dataset/README.md``) of a pull: a Hugging Face card with a YAML header.

It says what a researcher needs before using the labels: the label names and split sizes, what each
column holds, how a claim's label was resolved across annotators, the agreement figures, that
annotators saw a pre-selected pre-label (anchoring), and that the licence is the user's to set.
Pure: report and dataset in, text out. Every data-derived text in the body (project title, server,
label names, model versions, document ids, column names) is escaped for Markdown (``markdown_text``):
a renderer passes raw HTML through. The YAML header is written by ``yaml.safe_dump``.
"""

from __future__ import annotations

from typing import Any

import yaml

from annotate.pseudonyms import FORM, KEY_FILE
from corpus.safetext import BIDI_CONTROLS, markdown_text as md

REPO = "claimstance"
LICENCE_NOTE = ("unknown: the labels are derived from your corpus, so its licence (and the terms under which "
                "you collected it) governs them; set `license:` above before sharing this dataset")

PERSONAL_NOTE = ("`annotators`, the keys of `votes`, the `notes` prefixes and the `annotator` column of "
                 "`annotations.jsonl` hold each annotator's Label Studio login, usually an e-mail address: "
                 "personal data. Before sharing the dataset outside the team, replace them (for example with "
                 "`annotator-1`, `annotator-2`, kept consistent across those columns) or ask the annotators.")

PSEUDONYMISED_NOTE = ("`annotators`, the keys of `votes`, the `notes` prefixes, the `annotator` of `cues` and the "
                      "`annotator` column of `annotations.jsonl` hold pseudonyms, not Label Studio logins: "
                      "`stance pull --pseudonymise` named each annotator {form}, where login is the annotator's "
                      "Label Studio login and key a secret the pulling workspace keeps ({key_file}; key id {key_id}, "
                      "a digest that gives nothing of the key away). The same annotator "
                      "has the same pseudonym in every pseudonymised pull of that workspace (same key id), and "
                      "without the key a pseudonym cannot be traced to a login by hashing candidate e-mail "
                      "addresses. `annotator_id` of `annotations.jsonl` (the Label Studio user id) is left empty, "
                      "and an annotator's e-mail login written in a note is replaced by its pseudonym; the notes "
                      "are otherwise the annotators' own words: read them before sharing. For whoever holds the key "
                      "(the team) the data stay personal data: pseudonymised, not anonymised.")

# What each column holds. Task-data fields not listed here come as `stance push` sent them.
COLUMNS: dict[str, str] = {
    "claim_id": "the claim's id (stable across pulls; `stance claims`)",
    "doc_id": "the document the claim comes from; the split unit",
    "text": "the claim sentence as the annotators saw it",
    "label": "the resolved label (ClassLabel; see *How labels were resolved*)",
    "rule": "how the label was resolved: single, unanimous, majority, plurality or tie->latest",
    "agreement": "share of the annotators who chose `label`; null when only one person labelled the item "
                 "(unchecked, not agreement)",
    "n_annotators": "how many annotators' votes count (each annotator's latest vote)",
    "annotators": "the annotators whose votes count (Label Studio email, or user-<id>), sorted",
    "annotator_labels": "each of those annotators' labels, in the order of `annotators`",
    "tied_labels": "for rule tie->latest, the labels tied for the most votes; empty otherwise",
    "notes": "the annotators' free notes, as `annotator: note`, oldest first",
    "prelabel": "the pre-label shown to (pre-selected for) the latest annotator who saw one; null when none was shown",
    "prelabel_score": "the pre-labelling model's score for `prelabel`",
    "prelabel_version": "the model version that made `prelabel`",
    "changed_prelabel": "whether `label` differs from `prelabel` (null without a pre-label)",
    "cues": "framing-cue spans the counted annotators marked in the claim (annotator, start, end, text, label)",
    "problems": "the problem flags the counted annotators raised on the claim (not_a_claim, split_wrong, "
                "wrong_voice, wrong_context), each once; empty when none",
    "flagged": "whether any counted annotator flagged the claim (see *Flagged claims*); its label is still "
               "the stance voted",
    "context": "the text the claim was shown in: its paragraph (a window of sentences of a long one), and for a "
               "sentence alone in its paragraph the paragraphs before and after it in the same voice (recovered "
               "from the annotation view when the task carries no `context` of its own); null when the claim was "
               "shown with nothing around it",
    "title": "the document's title", "outlet": "the outlet that published the document", "date": "publication date",
    "source_type": "the document's source type (the corpus's own label of the outlet; a distant label, not a human one)",
    "speaker": "the claim's voice (author, quoted, interviewee, ...)", "speaker_name": "who speaks, when named",
    "is_claim": "whether the claim filter flagged the sentence as a claim",
    "reason": "the claims step's reason for that flag (claim, opinion, question, heading, ...)",
    "start": "where the claim starts in the document text", "end": "where it ends",
    "context_start": "where `context` starts in the document text",
    "author": "the document's author", "authors": "the document's authors", "kind": "kind of document",
    "reposted_from": "what the document reposts", "url": "where the document was published",
    # pairs pulls
    "text_a": "the first claim of the pair", "text_b": "the second claim",
    "pair_id": "the pair's id", "claim_a": "id of the first claim", "claim_b": "id of the second claim",
    "doc_a": "document of the first claim", "doc_b": "document of the second claim",
    "doc_pair": "both documents, sorted: the split unit", "stance_a": "predicted stance of the first claim",
    "stance_b": "predicted stance of the second claim", "similarity": "the claims' embedding similarity",
    "context_a": "the text the first claim was shown in (as `context`)", "context_b": "the same for the second claim",
}


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else md(value)


def _code(value: Any) -> str:
    """``value`` as an inline code span: raw HTML is not interpreted there, so only the backticks that
    would end the span, line breaks and bidi controls need to go."""
    text = BIDI_CONTROLS.sub("", str(value)).replace("`", "'")
    return "`" + " ".join(text.split()) + "`"


def card_header(dd: Any, report: dict[str, Any]) -> dict[str, Any]:
    """The YAML header: licence, task, tags, and dataset_info (features with the label names, split sizes)."""
    first = next(iter(dd.values()))
    info = first.info.__class__(features=first.features)
    import datasets

    info.splits = datasets.SplitDict()
    for name, part in dd.items():
        info.splits.add(datasets.SplitInfo(name=name, num_examples=len(part)))
    yaml_info = info._to_yaml_dict()
    for split in yaml_info.get("splits", []):
        split.pop("num_bytes", None)
    return {
        "pretty_name": BIDI_CONTROLS.sub("", f"{REPO} labels: {report.get('project') or report['scheme']}"),
        "license": "unknown",
        "task_categories": ["text-classification"],
        "tags": [REPO, "stance" if report.get("unit", "claim") == "claim" else "claim-pairs", "label-studio"],
        "dataset_info": yaml_info,
    }


def description(report: dict[str, Any], text: Any = str) -> str:
    """One paragraph for ``dataset_info.description``; ``text`` writes the data-derived values (``md``
    in the card's Markdown)."""
    unit = report.get("unit", "claim")
    return (f"{unit.capitalize()}s labelled in Label Studio project {text(repr(report.get('project')))} with scheme "
            f"{text(repr(report['scheme']))}, pulled by `stance pull` ({REPO}) on {text(report.get('pulled_at', 'n/a'))}. "
            f"Each row is one {unit} with its label resolved across annotators (column rule), the annotators "
            "and their labels, the pre-label they were shown, and the source metadata. Annotators saw a "
            "pre-selected pre-label (anchoring). Licence unknown: set your corpus's. The dataset card "
            "(README.md) describes every column.")


def render_card(dd: Any, report: dict[str, Any], summary: dict[str, Any]) -> str:
    """The text of ``dataset/README.md`` for a pull's DatasetDict, its report and its split summary."""
    unit = report.get("unit", "claim")
    items = unit + "s"
    first = next(iter(dd.values()))
    label_names = first.features["label"].names
    agree = report["agreement"]
    accept = report["acceptance"]
    rules = report["resolution_rules"]
    versions = sorted(v for v in accept.get("by_model_version", {}) if v not in ("None", ""))
    header = yaml.safe_dump(card_header(dd, report), sort_keys=False, allow_unicode=True)
    lines = [f"---\n{header}---", "",
             f"# {REPO} labels: {md(report.get('project') or report['scheme'])}", "",
             description(report, md), "",
             "## Provenance", "",
             f"- project: {REPO}; Label Studio project {md(repr(report.get('project')))} at {md(report.get('url') or 'n/a')}",
             f"- scheme: {md(report['scheme'])}" + (f" (version {md(report['scheme_version'])})" if report.get("scheme_version") else ""),
             f"- pulled: {md(report.get('pulled_at', 'n/a'))}",
             f"- pre-label model versions shown: {', '.join(md(v) for v in versions) if versions else 'none'}",
             f"- {report['n_annotations']} annotations ({report['n_skipped']} skipped) by {report['n_annotators']} "
             f"annotator(s); {report['n_claims_labelled']} {items} labelled",
             "", "## Labels", "",
             "| id | label | " + items + " |", "|---|---|---|"]
    counts = report.get("label_counts") or {}
    lines += [f"| {i} | {md(name)} | {counts.get(name, 0)} |" for i, name in enumerate(label_names)]
    lines += ["", "## Splits", "",
              f"Split {md(summary.get('rule', ''))}.", ""]
    if summary.get("note"):
        lines += [f"Note: {md(summary['note'])}.", ""]
    if summary.get("warning"):
        lines += [f"Warning: {md(summary['warning'])}.", ""]
    lines += ["| split | " + items + " |", "|---|---|"]
    lines += [f"| {md(name)} | {len(part)} |" for name, part in dd.items()]
    lines += ["", "## How labels were resolved", "",
              "Only each annotator's latest vote counts. `single`: one annotator; `unanimous`; `majority`: more "
              "than half; `plurality`: the most votes, not more than half, no tie; `tie->latest`: a tie for the "
              "most votes, resolved to the label of whoever labelled last. A tie is not an agreement.", "",
              "| rule | " + items + " |", "|---|---|"]
    lines += [f"| {rule} | {n} |" for rule, n in rules.items()]
    ties = rules.get("tie->latest", 0)
    lines += [""]
    if ties:
        lines += [f"**{ties} {items} are ties**: filter them with `rule == \"tie->latest\"` (their tied labels are in "
                  f"`tied_labels`) and adjudicate them: a third annotator, or the project owner re-labelling them.", ""]
    if rules.get("single"):
        lines += [f"{rules['single']} {items} were labelled by one annotator: their `agreement` is null; "
                  "`agreement == 1` selects only items that two or more annotators confirmed.", ""]
    lines += ["## Agreement", "",
              f"- Krippendorff's alpha (nominal): {_fmt(agree.get('krippendorff_alpha'))}",
              f"- Cohen's kappa, mean of annotator pairs weighted by shared {items} (pairs sharing fewer than "
              f"{agree.get('cohen_kappa', {}).get('min_pair_items', 5)} left out): "
              f"{_fmt(agree.get('cohen_kappa', {}).get('mean_weighted'))}",
              f"- {items} with two or more annotators: {agree.get('n_claims_multiply_annotated')}",
              "", "## Pre-labels and anchoring", "",
              "Annotators did not label from scratch: where a pre-label was shown, the task opened with it already "
              "selected and submitting it unchanged accepted it. Labels may therefore lean towards the pre-labels "
              "(anchoring), and the agreement between model and humans may be inflated by it. "
              f"Pre-labels accepted unchanged: {accept.get('accepted')} of {accept.get('shown')} shown"
              + (f" ({accept['rate']:.1%})" if accept.get("rate") is not None else "") + "; `changed_prelabel` "
              "marks the rows where the final label differs.", "",
              ""]
    flags = report.get("problems")
    if flags is not None:
        by = ", ".join(f"{f.replace('_', ' ')} {n}" for f, n in flags.get("by_problem", {}).items())
        lines += ["## Flagged claims", "",
                  "Annotators could flag a claim as badly made (optional, beside the stance): *not a claim*, "
                  "*split wrong*, *wrong voice*, *wrong context*. "
                  f"{flags.get('n_items', 0)} {items} were flagged in {flags.get('n_annotations', 0)} annotation(s) "
                  f"({by}); {flags.get('n_labelled_flagged', 0)} of them have a label here. A flagged claim keeps "
                  "the stance its annotators voted and stays in this dataset, `flagged` true and its flags in "
                  "`problems`: one annotator's flag is a judgement to check, not a verdict. To train without "
                  "them, filter first: `dataset.filter(lambda r: not r[\"flagged\"])`, or only the non-claims: "
                  "`dataset.filter(lambda r: \"not_a_claim\" not in r[\"problems\"])`.", ""]
    named = report.get("pseudonymised")
    columns = dict(COLUMNS)
    if named:
        columns["annotators"] = "the annotators whose votes count (pseudonyms, see *Personal data*), sorted"
    lines += ["## Columns", ""]
    for name, feature in first.features.items():
        lines.append(f"- {_code(name)} ({_feature_type(feature)}): "
                     + columns.get(name, "the document's own metadata from the corpus (a JSONL or CSV column, a "
                                         "manifest key), as `stance push` sent it"))
    if "cues" not in first.features and unit == "claim":
        lines.append("- `cues` is left out: no annotator marked a framing-cue span (the optional span labels of "
                     "the annotation view). `annotations.jsonl` keeps each annotation's `cues`, empty lists here.")
    lines += ["", "Beside this folder: `labels.parquet` (the same rows, `label` as the label's name, e.g. "
              f"{_code(label_names[0])}, rather than its number here, and a `split` column), "
              "`labels.jsonl` (with `votes`, annotator -> label), `annotations.jsonl` (one row per annotation) and "
              "`report.html` / `report.json`.", "",
              "## Licence", "", LICENCE_NOTE + ".", "",
              "## Personal data", "",
              PSEUDONYMISED_NOTE.format(form=_code(FORM), key_file=_code(named.get("key_file", KEY_FILE)),
                                        key_id=_code(named.get("key_id", "")))
              if named else PERSONAL_NOTE, ""]
    return "\n".join(lines)


def _feature_type(feature: Any) -> str:
    import datasets

    if isinstance(feature, datasets.ClassLabel):
        return "class label"
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, datasets.List):
        return f"list of {_feature_type(feature.feature)}"
    if isinstance(feature, dict):
        return "record"
    return type(feature).__name__
