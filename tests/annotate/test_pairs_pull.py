"""Pairs pull without a server: exported pair tasks (made by claim_tasks.pair_to_task, annotated as Label
Studio's JSON export writes them) to rows, resolved relations, a pair dataset and the report."""

from __future__ import annotations

import json

import datasets
import pandas as pd
import pytest

from annotate import labelconfig as lc
from annotate import pairs_pull, pull, pull_rows
from annotate.claim_tasks import pair_to_task
from corpus.errors import UserError

USERS = {1: "admin@example.org", 2: "ann@example.org"}
RELATIONS = ["agree", "contradict", "same_point_different_framing", "unrelated"]


def _pair(a, b, doc_a, doc_b, text_a, text_b, similarity, stance_a="neutral", stance_b="neutral"):
    return {"claim_a": a, "claim_b": b, "doc_a": doc_a, "doc_b": doc_b, "text_a": text_a, "text_b": text_b,
            "similarity": similarity, "stance_a": stance_a, "stance_b": stance_b}


def _choice(value, origin=None):
    item = {"from_name": "relation", "to_name": "claim_a", "type": "choices", "value": {"choices": [value]}}
    if origin:
        item["origin"] = origin
    return item


def _annotation(task, aid, user, value, when, origin=None, note=None, cancelled=False):
    result = [] if value is None else [_choice(value, origin)]
    if note:
        result.append({"from_name": "note", "to_name": "claim_a", "type": "textarea", "value": {"text": [note]}})
    shown = (task.get("predictions") or [{}])[0]
    return {"id": aid, "completed_by": user, "result": result, "was_cancelled": cancelled, "ground_truth": False,
            "created_at": when, "updated_at": when, "lead_time": 6.0, "prediction": shown}


def _task(tid, pair, votes):
    task = {"id": tid, **pair_to_task(pair)}
    task["annotations"] = [_annotation(task, tid * 10 + i, *vote) for i, vote in enumerate(votes)]
    task["predictions"] = [tid]
    return task


def _tasks():
    # similarity 0.9, same stance: suggested "agree"; different stances: "same_point_different_framing"
    p1 = _pair("c1", "c9", "rt-1", "bbc-1", "Kaspersky software has no backdoor.",
               "Investigators found a <script>backdoor</script> in the software.", 0.91, "kremlin_framing", "independent_reporting")
    p2 = _pair("c2", "c8", "bbc-1", "rt-1", "Sanctions hurt Europe most.", "Sanctions hurt Europe more than Russia.", 0.88)
    p3 = _pair("c3", "c7", "tass-2", "meduza-3", "Grain exports rose.", "The bridge reopened.", 0.31)
    p4 = _pair("c4", "c6", "tass-2", "meduza-3", "Moscow sold surveillance know-how.", "No technology was sold.", 0.7,
               "neutral", "independent_reporting")
    return [
        _task(1, p1, [(1, "contradict", "2026-01-01T10:00:00Z", "prediction-changed", "opposite claims"),
                      (2, "contradict", "2026-01-01T11:00:00Z", "prediction-changed")]),
        _task(2, p2, [(1, "agree", "2026-01-01T10:05:00Z", "prediction"),
                      (2, "Same point, different framing", "2026-01-01T11:05:00Z", "prediction-changed")]),
        _task(3, p3, [(2, "unrelated", "2026-01-02T09:00:00Z", "prediction")]),
        _task(4, p4, [(1, None, "2026-01-02T09:30:00Z", None, None, True)]),
        {"id": 5, **pair_to_task(_pair("c5", "c0", "x", "y", "Unjudged.", "Unjudged too.", 0.6)), "annotations": []},
    ]


def test_pairs_project_is_told_by_its_label_config_and_by_its_tasks():
    assert pairs_pull.is_pairs_config(lc.pairs_config())
    assert not pairs_pull.is_pairs_config('<View><Text name="claim" value="$text"/>'
                                          '<Choices name="stance" toName="claim"><Choice value="a"/></Choices></View>')
    assert not pairs_pull.is_pairs_config("<View") and not pairs_pull.is_pairs_config(None)
    assert pairs_pull.is_pairs_export(_tasks())
    assert not pairs_pull.is_pairs_export([{"id": 1, "data": {"claim_id": "c1", "text": "x"}}])


def test_annotation_to_pair_row_holds_both_claims_the_relation_and_the_suggestion():
    task = _tasks()[0]
    row = pairs_pull.annotation_to_pair_row(task, task["annotations"][0], users=USERS)
    assert (row["pair_id"], row["claim_a"], row["claim_b"], row["doc_a"], row["doc_b"]) == ("c1|c9", "c1", "c9", "rt-1", "bbc-1")
    assert row["text_b"] == "Investigators found a <script>backdoor</script> in the software."
    assert (row["label"], row["prediction"], row["model_version"]) == ("contradict", "same_point_different_framing", "compare-rules")
    assert row["prediction_score"] == pytest.approx(0.91) and row["accepted"] is False
    assert (row["origin"], row["note"], row["annotator"], row["lead_time"]) == ("prediction-changed", "opposite claims",
                                                                               "admin@example.org", 6.0)
    assert (row["stance_a"], row["stance_b"], row["similarity"]) == ("kremlin_framing", "independent_reporting", 0.91)
    assert not {"a_html", "b_html", "a_source", "b_source", "pair_line"} & set(row)
    # a display name maps to its id; a skip has no label and no acceptance
    second = pairs_pull.annotation_to_pair_row(_tasks()[1], _tasks()[1]["annotations"][1], users=USERS)
    assert (second["label"], second["prediction"], second["accepted"]) == ("same_point_different_framing", "agree", False)
    skip = pairs_pull.annotation_to_pair_row(_tasks()[3], _tasks()[3]["annotations"][0], users=USERS)
    assert (skip["label"], skip["skipped"], skip["accepted"]) == (None, True, None)


def test_unknown_relation_or_missing_pair_id_is_one_clear_error():
    bad = _tasks()[0]
    bad["annotations"][0]["result"] = [_choice("Friendly")]
    with pytest.raises(UserError, match=r"task 1 \(pair c1\|c9\): choice 'Friendly' is not a label of scheme "
                                        r"'pair_relation' \(agree, contradict, same_point_different_framing, unrelated\)"):
        pairs_pull.tasks_to_pair_rows([bad], USERS)
    claim_task = {"id": 7, "data": {"claim_id": "c1"}, "annotations": [_tasks()[0]["annotations"][0]]}
    with pytest.raises(UserError, match="task 7 has no pair_id in its data: not a project of `stance push` --pairs"):
        pairs_pull.tasks_to_pair_rows([claim_task], USERS)


def test_pair_labels_resolve_with_the_agreement_rule():
    rows = pairs_pull.tasks_to_pair_rows(_tasks(), USERS)
    assert [r["pair_id"] for r in rows] == ["c1|c9", "c1|c9", "c2|c8", "c2|c8", "c3|c7", "c4|c6"]
    labels = {r["pair_id"]: r for r in pairs_pull.pair_label_rows(rows)}
    assert set(labels) == {"c1|c9", "c2|c8", "c3|c7"}   # c4|c6 only skipped, c5|c0 never judged
    one = labels["c1|c9"]
    assert (one["label"], one["rule"], one["agreement"], one["n_annotators"]) == ("contradict", "unanimous", 1.0, 2)
    assert one["votes"] == {"admin@example.org": "contradict", "ann@example.org": "contradict"}
    assert (one["doc_a"], one["doc_b"], one["doc_pair"], one["text_a"]) == ("rt-1", "bbc-1", "bbc-1 | rt-1",
                                                                             "Kaspersky software has no backdoor.")
    assert (one["prelabel"], one["prelabel_version"], one["changed_prelabel"]) == (
        "same_point_different_framing", "compare-rules", True)
    assert one["annotators"] == ["admin@example.org", "ann@example.org"] and one["tied_labels"] == []
    # a tie: the later vote wins
    assert (labels["c2|c8"]["label"], labels["c2|c8"]["rule"]) == ("same_point_different_framing", "tie->latest")
    assert len(labels["c2|c8"]["tied_labels"]) == 2 and "same_point_different_framing" in labels["c2|c8"]["tied_labels"]
    assert (labels["c3|c7"]["label"], labels["c3|c7"]["rule"], labels["c3|c7"]["agreement"]) == ("unrelated", "single", None)
    assert pairs_pull.doc_pair("rt-1", "bbc-1") == pairs_pull.doc_pair("bbc-1", "rt-1") == "bbc-1 | rt-1"


def test_pairs_report_counts_agreement_and_acceptance_per_pair():
    rows = pairs_pull.tasks_to_pair_rows(_tasks(), USERS)
    labels = pairs_pull.pair_label_rows(rows)
    report = pull_rows.build_report(rows, labels, pairs_pull.RELATION_SCHEME, 5, key="pair_id")
    assert report["scheme"] == "pair_relation" and report["n_claims_labelled"] == 3
    assert report["label_counts"] == {"agree": 0, "contradict": 1, "same_point_different_framing": 1, "unrelated": 1}
    (pair,) = report["agreement"]["cohen_kappa"]["pairs"]
    assert (pair["n_items"], pair["observed_agreement"]) == (2, 0.5)
    assert report["agreement"]["n_claims_multiply_annotated"] == 2
    # shown and judged: 5 (the skip is not counted); kept unchanged: c2|c8 by admin, c3|c7 by ann
    assert (report["acceptance"]["shown"], report["acceptance"]["accepted"]) == (5, 2)
    assert report["acceptance"]["by_model_version"]["compare-rules"]["rate"] == 0.4
    assert report["annotators"]["ann@example.org"]["claims"] == 3
    assert report["model_vs_human"]["matrix"]["contradict"]["same_point_different_framing"] == 1


def test_write_pull_of_pairs_writes_a_pair_dataset_split_by_document_pair(tmp_path):
    out = tmp_path / "pulled"
    report = pull.write_pull(_tasks(), USERS, scheme=None, out_dir=out, source={"project": "Pairs"})
    assert report["unit"] == "pair" and report["n_pairs_labelled"] == 3
    rows = [json.loads(line) for line in (out / "annotations.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and {r["annotator"] for r in rows} == set(USERS.values())

    dd = datasets.load_from_disk(str(out / "dataset"))
    first = next(iter(dd.values()))
    assert first.features["label"].names == RELATIONS
    assert list(first.features)[:6] == ["text_a", "text_b", "label", "pair_id", "doc_a", "doc_b"]
    pulled = {r["pair_id"]: (r["text_a"], r["text_b"], RELATIONS[r["label"]]) for part in dd.values() for r in part}
    assert pulled["c1|c9"] == ("Kaspersky software has no backdoor.",
                               "Investigators found a <script>backdoor</script> in the software.", "contradict")
    assert pulled["c3|c7"][2] == "unrelated" and len(pulled) == 3
    # c1|c9 (rt-1, bbc-1) and c2|c8 (bbc-1, rt-1) are the same document pair: same split, whatever the order
    split_of = {r["pair_id"]: name for name, part in dd.items() for r in part}
    assert split_of["c1|c9"] == split_of["c2|c8"]
    assert report["dataset"]["rule"] == ("by document pair: sha1(doc_pair) buckets 80/10/10; fewer than 3 document "
                                         "pairs so far: all in train, to be re-split when there are more")

    table = pd.read_parquet(out / "labels.parquet")
    assert set(table["label"]) == {"contradict", "same_point_different_framing", "unrelated"}
    assert {"text_a", "text_b", "doc_pair", "split"} <= set(table.columns)
    lines = pull.summary_lines(report, out)
    assert lines[0] == "6 annotations (1 skipped) by 2 annotator(s) on 3 pairs of project 'Pairs'"
    assert lines[3].startswith("dataset splits (by document pair): train ")
    html = (out / "report.html").read_text()
    assert "How each pair's label was resolved" in html and "<script>" not in html


def test_the_same_pull_twice_gives_the_same_splits(tmp_path):
    labels = pairs_pull.pair_label_rows(pairs_pull.tasks_to_pair_rows(_tasks(), USERS))
    from annotate import dataset as ds

    first, _ = ds.build_dataset(labels, RELATIONS, **pairs_pull.DATASET_LAYOUT)
    again, _ = ds.build_dataset(list(reversed(labels)), RELATIONS, **pairs_pull.DATASET_LAYOUT)
    assert ({n: sorted(p["pair_id"]) for n, p in first.items()} == {n: sorted(p["pair_id"]) for n, p in again.items()})


# --- against a real Label Studio (marked `studio` by the fixture) ------------------------------------

PAIRS_TITLE = "Pairs round trip"


def test_push_pairs_annotate_and_pull_a_pair_dataset(studio, studio_client, tmp_path, capsys):
    from claimstance.cli import main
    from annotate.push import find_project

    pairs = [
        {**_pair("k1", "k2", "rt-1", "bbc-1", "Kaspersky software has no backdoor.",
                 "Investigators found a <script>backdoor</script> in the software.", 0.9,
                 "kremlin_framing", "independent_reporting"),
         "context_a": "Interview. Kaspersky software has no backdoor. End.", "outlet_a": "RT"},
        _pair("k3", "k4", "rt-1", "meduza-3", "Sanctions hurt Europe most.", "Sanctions hurt Europe more than Russia.", 0.86),
        _pair("k5", "k6", "tass-2", "bbc-1", "Grain exports rose.", "The bridge reopened.", 0.3),
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    assert main(["push", "--workspace", studio["workspace"], "--pairs", str(path), "--project", PAIRS_TITLE]) == 0
    pid = find_project(studio_client, PAIRS_TITLE).id
    tasks = {t.data["pair_id"]: t.id for t in studio_client.tasks.list(project=pid, fields="all")}
    assert set(tasks) == {"k1|k2", "k3|k4", "k5|k6"}

    # the admin changes the first suggestion (same point, different framing -> contradict), keeps the second (agree)
    for pair_id, label, origin in (("k1|k2", "contradict", "prediction-changed"), ("k3|k4", "agree", "prediction")):
        item = lc.choice_result(label, from_name=lc.RELATION, to_name=lc.PAIR_A)
        item["origin"] = origin
        studio_client.annotations.create(id=tasks[pair_id], result=[item], lead_time=4.0)

    out = tmp_path / "pulled"
    capsys.readouterr()
    assert main(["pull", "--workspace", studio["workspace"], "--project", PAIRS_TITLE, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"2 annotations by 1 annotator(s) on 2 pairs of project {PAIRS_TITLE!r}" in printed

    rows = {r["pair_id"]: r for r in map(json.loads, (out / "annotations.jsonl").read_text().splitlines())}
    assert set(rows) == {"k1|k2", "k3|k4"}
    first = rows["k1|k2"]
    assert (first["claim_a"], first["claim_b"], first["doc_a"], first["doc_b"]) == ("k1", "k2", "rt-1", "bbc-1")
    assert first["text_b"] == "Investigators found a <script>backdoor</script> in the software."
    assert (first["label"], first["prediction"], first["accepted"]) == ("contradict", "same_point_different_framing", False)
    assert (first["model_version"], first["annotator"], first["lead_time"]) == ("compare-rules", studio["username"], 4.0)
    assert first["created_at"] and first["updated_at"] and first["origin"] == "prediction-changed"
    assert (rows["k3|k4"]["label"], rows["k3|k4"]["accepted"]) == ("agree", True)

    labels = {r["pair_id"]: r for r in map(json.loads, (out / "labels.jsonl").read_text().splitlines())}
    assert {k: (v["label"], v["rule"]) for k, v in labels.items()} == {"k1|k2": ("contradict", "single"),
                                                                       "k3|k4": ("agree", "single")}
    report = json.loads((out / "report.json").read_text())
    assert report["acceptance"]["accepted"] == 1 and report["acceptance"]["shown"] == 2
    assert report["unit"] == "pair" and report["project_id"] == pid

    dd = datasets.load_from_disk(str(out / "dataset"))
    part = dd["train"]   # two document pairs: all in train
    assert part.features["label"].names == RELATIONS
    got = sorted((r["text_a"], r["text_b"], RELATIONS[r["label"]], r["doc_a"], r["doc_b"]) for r in part)
    assert got == [("Kaspersky software has no backdoor.", "Investigators found a <script>backdoor</script> in the software.",
                    "contradict", "rt-1", "bbc-1"),
                   ("Sanctions hurt Europe most.", "Sanctions hurt Europe more than Russia.", "agree", "rt-1", "meduza-3")]


def test_pair_rows_recover_the_paragraph_each_claim_was_shown_in():
    pair = {**_pair("c1", "c9", "rt-1", "bbc-1", "No backdoor.", "A backdoor.", 0.9),
            "context_a": "Kaspersky said: No backdoor. Then left."}
    task = _task(1, pair, [(1, "contradict", "2026-01-01T10:00:00Z")])
    row = pairs_pull.annotation_to_pair_row(task, task["annotations"][0], users=USERS)
    assert row["context_a"] == "Kaspersky said: No backdoor. Then left."
    assert "context_b" not in row   # claim b had no paragraph: shown alone, nothing to recover


def test_a_pairs_report_lists_the_disputed_pairs_with_both_texts(tmp_path):
    out = tmp_path / "pairs"
    report = pull.write_pull(_tasks(), USERS, None, out, source={"project": "Toy pairs"})
    assert (report["disputed"]["n"], report["disputed"]["n_ties"]) == (1, 1)
    page = (out / "report.html").read_text()
    section = page[page.index('<h2 id="disputed">'):page.index("<h2>Pre-labels</h2>")]
    assert "<b>1 pairs</b> on which annotators disagree" in section and "<th>pair</th>" in section
    assert ("A: Sanctions hurt Europe most.<br>B: Sanctions hurt Europe more than Russia." in section
            and "admin@example.org: <b>agree</b><br>ann@example.org: <b>same_point_different_framing</b>" in section)
    assert "<td>agree</td>" in section   # the suggestion shown
    assert "Kaspersky" not in section   # both said contradict: not disputed
    assert any(line.startswith("disputed: 1 pair(s) on which annotators disagree") for line in pull.summary_lines(report, out))
