"""Pull without a server: exported tasks (as Label Studio's JSON export writes them) to rows, labels,
a dataset split by document, and the report."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import datasets
import pandas as pd
import pytest

from annotate import dataset as ds
from annotate import pull, pull_rows
from corpus.errors import UserError

SCHEME = SimpleNamespace(name="toy", labels=[
    SimpleNamespace(id="pro", name="Pro-Kremlin", hotkey="1"),
    SimpleNamespace(id="neutral", name="Neutral", hotkey="2"),
    SimpleNamespace(id="anti", name="Critical", hotkey="3"),
])
USERS = {1: "admin@example.org", 2: "ann@example.org"}


def _choice(value, origin=None):
    item = {"from_name": "stance", "to_name": "claim", "type": "choices", "value": {"choices": [value]}}
    if origin:
        item["origin"] = origin
    return item


def _annotation(aid, user, value, when, shown=None, origin=None, note=None, cancelled=False):
    result = [] if value is None else [_choice(value, origin)]
    if note:
        result.append({"from_name": "note", "to_name": "claim", "type": "textarea", "value": {"text": [note]}})
    prediction = {} if shown is None else {"model_version": "boot-1", "score": 0.61, "result": [_choice(shown)]}
    return {"id": aid, "completed_by": user, "result": result, "was_cancelled": cancelled, "ground_truth": False,
            "created_at": when, "updated_at": when, "lead_time": 4.5, "prediction": prediction}


def _task(tid, claim, doc, text, annotations, **meta):
    data = {"claim_id": claim, "doc_id": doc, "text": text, "context_html": "<mark>x</mark>",
            "source_line": "Outlet · voice: author", "outlet": "Daily", "speaker": "author", **meta}
    return {"id": tid, "data": data, "annotations": annotations, "predictions": [tid]}


def _tasks():
    return [
        _task(1, "c1", "d1", "Claim one.", [
            _annotation(1, 1, "pro", "2026-01-01T10:00:00Z", shown="pro", origin="prediction"),
            _annotation(2, 2, "pro", "2026-01-01T11:00:00Z", shown="pro")]),
        _task(2, "c2", "d1", "Claim <script>two</script>.", [
            _annotation(3, 1, "anti", "2026-01-01T10:05:00Z", shown="neutral", origin="prediction-changed",
                        note="sarcasm"),
            _annotation(4, 2, "neutral", "2026-01-01T11:05:00Z", shown="neutral")]),
        _task(3, "c3", "d2", "Claim three.", [_annotation(5, 2, "Critical", "2026-01-02T09:00:00Z")]),
        _task(4, "c4", "d3", "Claim four.", [_annotation(6, 1, None, "2026-01-02T09:30:00Z", cancelled=True)]),
        _task(5, "c5", "d4", "Unannotated.", []),
    ]


def test_annotation_to_row_reads_label_prediction_origin_and_note():
    task = _tasks()[1]
    row = pull_rows.annotation_to_row(task, task["annotations"][0], SCHEME, USERS)
    assert row["claim_id"] == "c2" and row["doc_id"] == "d1" and row["text"] == "Claim <script>two</script>."
    assert (row["label"], row["prediction"], row["accepted"], row["origin"]) == ("anti", "neutral", False, "prediction-changed")
    assert (row["model_version"], row["prediction_score"]) == ("boot-1", 0.61)
    assert (row["annotator"], row["annotator_id"], row["note"], row["lead_time"]) == ("admin@example.org", 1, "sarcasm", 4.5)
    assert row["created_at"] == row["updated_at"] == "2026-01-01T10:05:00Z"
    # metadata rides along, display-only fields do not
    assert row["outlet"] == "Daily" and row["speaker"] == "author"
    assert "context_html" not in row and "source_line" not in row


def test_annotation_to_row_maps_display_names_and_handles_skips_and_unknown_values():
    task = _tasks()[2]
    row = pull_rows.annotation_to_row(task, task["annotations"][0], SCHEME, USERS)
    assert (row["label"], row["prediction"], row["accepted"], row["model_version"]) == ("anti", None, None, None)
    skipped = pull_rows.annotation_to_row(_tasks()[3], _tasks()[3]["annotations"][0], SCHEME, USERS)
    assert (skipped["label"], skipped["skipped"], skipped["accepted"]) == (None, True, None)
    expanded = {**task["annotations"][0], "completed_by": {"id": 7, "email": "lead@example.org"}}
    assert pull_rows.annotation_to_row(task, expanded, SCHEME)["annotator"] == "lead@example.org"
    unknown_user = {**task["annotations"][0], "completed_by": 99}
    assert pull_rows.annotation_to_row(task, unknown_user, SCHEME, USERS)["annotator"] == "user-99"
    bad = _annotation(9, 1, "Sympathetic", "2026-01-03T00:00:00Z")
    with pytest.raises(ValueError, match=r"choice 'Sympathetic' is not a label of scheme 'toy' \(anti, neutral, pro\)"):
        pull_rows.annotation_to_row(task, bad, SCHEME, USERS)


def test_cues_and_metadata_name_clashes():
    task = _task(8, "c8", "d8", "Cue here.", [], label="clash")
    ann = _annotation(8, 1, "pro", "2026-01-01T00:00:00Z")
    ann["result"].append({"from_name": "cues", "to_name": "claim", "type": "labels",
                          "value": {"start": 0, "end": 3, "text": "Cue", "labels": ["framing cue"]}})
    row = pull_rows.annotation_to_row(task, ann, SCHEME, USERS)
    assert row["cues"] == [{"start": 0, "end": 3, "text": "Cue", "label": "framing cue"}]
    assert row["label"] == "pro" and row["meta_label"] == "clash"


def test_tasks_to_rows_errors_name_the_task():
    bad = _task(11, "c11", "d1", "x", [_annotation(20, 1, "Nope", "2026-01-01T00:00:00Z")])
    with pytest.raises(UserError, match=r"task 11 \(claim c11\): choice 'Nope' is not a label"):
        pull_rows.tasks_to_rows([bad], SCHEME, USERS)
    pair = {"id": 12, "data": {"pair_id": "a|b"}, "annotations": [_annotation(21, 1, "pro", "t")]}
    with pytest.raises(UserError, match="task 12 has no claim_id in its data: not a project of `stance push`"):
        pull_rows.tasks_to_rows([pair], SCHEME, USERS)


def test_label_rows_resolve_across_annotators():
    rows = pull_rows.tasks_to_rows(_tasks(), SCHEME, USERS)
    assert len(rows) == 6
    labels = {r["claim_id"]: r for r in pull_rows.label_rows(rows)}
    assert set(labels) == {"c1", "c2", "c3"}   # the skipped c4 and the unannotated c5 have no label
    assert (labels["c1"]["label"], labels["c1"]["rule"], labels["c1"]["agreement"]) == ("pro", "unanimous", 1.0)
    # a tie: the later vote (ann, neutral at 11:05) wins
    assert (labels["c2"]["label"], labels["c2"]["rule"], labels["c2"]["agreement"]) == ("neutral", "tie->latest", 0.5)
    assert labels["c2"]["votes"] == {"admin@example.org": "anti", "ann@example.org": "neutral"}
    assert labels["c2"]["notes"] == ["admin@example.org: sarcasm"] and labels["c1"]["notes"] == []
    assert (labels["c2"]["prelabel"], labels["c2"]["prelabel_score"], labels["c2"]["prelabel_version"]) == (
        "neutral", 0.61, "boot-1")
    assert labels["c2"]["changed_prelabel"] is False and labels["c1"]["changed_prelabel"] is False
    assert (labels["c3"]["rule"], labels["c3"]["n_annotators"], labels["c3"]["doc_id"]) == ("single", 1, "d2")
    # provenance: whose votes count, what each said, which labels tied; one annotator: agreement unknown
    assert labels["c2"]["annotators"] == ["admin@example.org", "ann@example.org"]
    assert labels["c2"]["annotator_labels"] == ["anti", "neutral"] and labels["c2"]["tied_labels"] == ["anti", "neutral"]
    assert labels["c1"]["tied_labels"] == [] and labels["c3"]["agreement"] is None
    assert (labels["c3"]["annotators"], labels["c3"]["prelabel"], labels["c3"]["changed_prelabel"]) == (
        ["ann@example.org"], None, None)
    assert labels["c3"]["outlet"] == "Daily"


def test_document_splits_are_deterministic_and_never_split_a_document():
    few, note = ds.document_splits(["d1", "d2", "d1"])
    assert few == {"d1": "train", "d2": "train"} and "only 2 document(s)" in note
    three, _ = ds.document_splits(["a", "b", "c"])
    assert sorted(three.values()) == ["test", "train", "validation"]
    for n in range(3, 15):
        assert set(ds.document_splits([f"d{i}" for i in range(n)])[0].values()) == set(ds.SPLITS)
    docs = [f"doc{i}" for i in range(200)]
    split, note = ds.document_splits(docs)
    assert note is None and split == ds.document_splits(list(reversed(docs)))[0]
    counts = {name: sum(1 for s in split.values() if s == name) for name in ds.SPLITS}
    assert 140 <= counts["train"] <= 180 and counts["validation"] >= 8 and counts["test"] >= 8
    # a document keeps its split when more documents arrive
    more, _ = ds.document_splits(docs + [f"new{i}" for i in range(50)])
    assert all(more[d] == split[d] for d in docs)


def test_dataset_columns_make_metadata_arrow_friendly():
    labels = [{"claim_id": "c1", "doc_id": "d1", "text": "a", "label": "pro", "votes": {"x": "pro"},
               "date": 2024, "extra": {"k": 1}, "score": 1},
              {"claim_id": "c2", "doc_id": None, "text": "b", "label": "anti", "votes": {},
               "date": "2024-05-01", "extra": None, "score": 0.5}]
    cols = ds.dataset_columns(labels, ["pro", "neutral", "anti"])
    assert list(cols)[:4] == ["claim_id", "doc_id", "text", "label"] and "votes" not in cols
    assert cols["label"] == [0, 2] and cols["doc_id"] == ["d1", "c2"]
    assert cols["date"] == ["2024", "2024-05-01"] and cols["extra"] == ['{"k": 1}', None] and cols["score"] == [1.0, 0.5]


def test_write_pull_writes_rows_labels_dataset_parquet_and_escaped_report(tmp_path: Path):
    out = tmp_path / "pulled"
    report = pull.write_pull(_tasks(), USERS, SCHEME, out, source={"project": "Toy <b>", "url": "http://x"})
    annotations = [json.loads(line) for line in (out / "annotations.jsonl").read_text().splitlines()]
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    assert [a["annotation_id"] for a in annotations] == [1, 2, 3, 4, 5, 6]
    assert {a["annotator"] for a in annotations} == {"admin@example.org", "ann@example.org"}
    assert [(lab["claim_id"], lab["label"]) for lab in labels] == [("c1", "pro"), ("c2", "neutral"), ("c3", "anti")]

    dd = datasets.load_from_disk(str(out / "dataset"))
    assert isinstance(dd, datasets.DatasetDict)
    label_feature = dd["train"].features["label"]
    assert isinstance(label_feature, datasets.ClassLabel) and label_feature.names == ["pro", "neutral", "anti"]
    seen = {split: {(r["doc_id"], r["claim_id"]) for r in part} for split, part in dd.items()}
    assert sorted(c for rows in seen.values() for _, c in rows) == ["c1", "c2", "c3"]
    docs = [{d for d, _ in rows} for rows in seen.values()]
    assert all(not (a & b) for i, a in enumerate(docs) for b in docs[i + 1:])   # no document in two splits
    row = next(r for part in dd.values() for r in part if r["claim_id"] == "c2")
    assert label_feature.int2str(row["label"]) == "neutral" and row["outlet"] == "Daily" and row["rule"] == "tie->latest"

    frame = pd.read_parquet(out / "labels.parquet")
    assert sorted(frame["label"]) == ["anti", "neutral", "pro"] and set(frame["split"]) <= set(ds.SPLITS)

    saved = json.loads((out / "report.json").read_text())
    assert saved["n_annotations"] == 6 and saved["n_skipped"] == 1 and saved["n_claims_labelled"] == 3
    assert saved["resolution_rules"] == {"single": 1, "unanimous": 1, "majority": 0, "plurality": 0, "tie->latest": 1}
    assert saved["acceptance"]["shown"] == 4 and saved["acceptance"]["accepted"] == 3
    assert saved["model_vs_human"]["matrix"]["neutral"]["neutral"] == 1 and saved["model_vs_human"]["n"] == 2
    assert saved["annotators"]["ann@example.org"]["annotations"] == 3
    assert report["dataset"]["splits"] == {k: len(v) for k, v in dd.items()}
    page = (out / "report.html").read_text()
    assert "Toy &lt;b&gt;" in page and "<b>" not in page.split("<h1>")[1].split("</h1>")[0]


def test_the_dataset_loads_with_the_trainers_loader(tmp_path: Path):
    from models.data import load_labelled

    pull.write_pull(_tasks(), USERS, SCHEME, tmp_path / "p")
    rows = load_labelled(tmp_path / "p" / "dataset", ["pro", "neutral", "anti"])
    assert sorted((r["claim_id"], r["label"]) for r in rows) == [("c1", "pro"), ("c2", "neutral"), ("c3", "anti")]


def test_write_pull_replaces_an_earlier_pull_but_never_a_foreign_directory(tmp_path: Path):
    out = tmp_path / "pulled"
    pull.write_pull(_tasks(), USERS, SCHEME, out)
    pull.write_pull(_tasks()[:1], USERS, SCHEME, out)
    assert len((out / "labels.jsonl").read_text().splitlines()) == 1
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.tex").write_text("precious")
    with pytest.raises(UserError, match="holds files that are not an earlier output of this command"):
        pull.write_pull(_tasks(), USERS, SCHEME, foreign)
    assert (foreign / "chapter1.tex").read_text() == "precious"


def test_a_pull_of_another_project_is_never_replaced_silently(tmp_path: Path, capsys):
    """A user's pull of their own project, then the sample's project pulled into the same --out (the
    hint `make run` printed after re-running the sample): refused, before any server, naming both."""
    from claimstance.cli import main

    out = tmp_path / "pulled"
    pull.write_pull(_tasks(), USERS, SCHEME, out, source={"project": "Kharkiv 14 March"})
    before = (out / "labels.jsonl").read_text()
    with pytest.raises(UserError) as caught:
        pull.write_pull(_tasks()[3:], USERS, SCHEME, out, source={"project": "claimstance sample"})
    message = str(caught.value)
    assert message.startswith(f"{out} holds a pull of another project, 'Kharkiv 14 March' (6 annotations, pulled 20")
    assert message.endswith("this is a pull of 'claimstance sample': give another --out, or add --replace to "
                            "replace that pull")
    assert (out / "labels.jsonl").read_text() == before
    # The CLI refuses before it looks for a server (this workspace has none).
    code = main(["pull", "--workspace", str(tmp_path / "ws"), "--project", "claimstance sample", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(f"error: {out} holds a pull of another project")
    assert (out / "labels.jsonl").read_text() == before
    # --replace replaces it, and the summary says what was replaced.
    report = pull.write_pull(_tasks()[3:], USERS, SCHEME, out, source={"project": "claimstance sample"}, replace=True)
    assert report["replaced"]["project"] == "Kharkiv 14 March" and report["replaced"]["n_annotations"] == 6
    assert (out / "labels.jsonl").read_text() == ""
    note = [line for line in pull.summary_lines(report, out) if line.startswith("note: replaced")]
    assert note == [f"note: replaced (--replace) the pull of project 'Kharkiv 14 March' in {out} "
                    f"(6 annotations, pulled {report['replaced']['pulled_at']})"]


def test_the_same_project_is_pulled_again_in_place_and_an_empty_pull_never_replaces_annotations(tmp_path: Path):
    out = tmp_path / "pulled"
    source = {"project": "Kharkiv 14 March"}
    pull.write_pull(_tasks(), USERS, SCHEME, out, source=source)
    again = pull.write_pull(_tasks(), USERS, SCHEME, out, source=source)   # idempotent, and quiet
    assert again["replaced"]["n_annotations"] == 6 and not [
        line for line in pull.summary_lines(again, out) if "held a pull" in line or "replaced" in line]
    fewer = pull.write_pull(_tasks()[:2], USERS, SCHEME, out, source=source)
    assert f"note: {out} held a pull of 6 annotations of this project (pulled {again['pulled_at']}), this one 4: " \
        "annotations deleted in Label Studio are gone from the pull too" in pull.summary_lines(fewer, out)
    before = (out / "labels.jsonl").read_text()
    with pytest.raises(UserError, match=r"^project 'Kharkiv 14 March' holds no annotations now, and .* holds its pull "
                       r"of 4 annotations \(pulled .*\): was the project emptied, or the workspace set up anew\? Give "
                       r"another --out, or add --replace to replace that pull with an empty one$"):
        pull.write_pull(_tasks()[4:], USERS, SCHEME, out, source=source)
    assert (out / "labels.jsonl").read_text() == before
    emptied = pull.write_pull(_tasks()[4:], USERS, SCHEME, out, source=source, replace=True)
    assert emptied["n_annotations"] == 0 and (out / "labels.jsonl").read_text() == ""


def test_write_pull_with_no_labels_writes_no_dataset(tmp_path: Path):
    report = pull.write_pull(_tasks()[3:], USERS, SCHEME, tmp_path / "p")
    assert not (tmp_path / "p" / "dataset").exists()
    assert report["n_claims_labelled"] == 0 and "no labelled claims" in report["dataset"]["note"]
    assert (tmp_path / "p" / "labels.jsonl").read_text() == ""
    page = (tmp_path / "p" / "report.html").read_text()
    assert "No two annotators share a claim yet" in page   # a sentence, not an empty table
    assert "<th>annotators</th>" not in page


def test_summary_lines_name_the_figures_and_the_files(tmp_path: Path):
    out = tmp_path / "p"
    report = pull.write_pull(_tasks(), USERS, SCHEME, out, source={"project": "Toy"})
    lines = pull.summary_lines(report, out)
    assert lines[0] == "6 annotations (1 skipped) by 2 annotator(s) on 3 claims of project 'Toy'"
    assert lines[1].startswith("agreement: Krippendorff's alpha 0.400, Cohen's kappa (mean of pairs, weighted by shared "
                               "claims) n/a over 2 claims with 2+ annotators (1 pair of annotators sharing fewer than 5 "
                               "claims left out of the kappa)")   # two shared claims: a kappa of noise
    assert lines[2] == "pre-labels accepted unchanged: 3/4 (75.0%)"
    assert f"wrote {out / 'dataset'}" in lines and f"wrote {out / 'report.html'}" in lines


def test_pull_without_a_server_is_one_clear_line(tmp_path: Path, capsys):
    from claimstance.cli import main

    code = main(["pull", "--workspace", str(tmp_path / "ws"), "--project", "P", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: no Label Studio set up in") and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


class _Exports:
    """A stand-in for ``ls.projects.exports`` of a server with a job queue: the snapshot is polled."""

    def __init__(self, statuses, body):
        self.statuses, self.body, self.deleted, self.created = list(statuses), body, [], None

    def create(self, project_id, **kwargs):
        self.created = kwargs
        return SimpleNamespace(id=5, status=self.statuses.pop(0))

    def get(self, project_id, export_pk):
        return SimpleNamespace(id=export_pk, status=self.statuses.pop(0))

    def download(self, project_id, export_pk, **kwargs):
        assert "export_type" not in kwargs   # asked for, Label Studio converts into a /tmp file it may leave
        yield from (self.body[:10], self.body[10:])

    def delete(self, project_id, export_pk):
        self.deleted.append(export_pk)


def _client(exports):
    return SimpleNamespace(projects=SimpleNamespace(exports=exports))


def test_export_tasks_polls_a_queued_snapshot_and_deletes_it():
    body = json.dumps(_tasks()).encode()
    exports = _Exports(["created", "in_progress", "completed"], body)
    tasks = pull.export_tasks(_client(exports), 3, progress=False, poll=0)
    assert [t["id"] for t in tasks] == [1, 2, 3, 4, 5] and exports.deleted == [5]
    assert exports.created["task_filter_options"] == {"annotated": "only"}
    failed = _Exports(["in_progress", "failed"], body)
    with pytest.raises(UserError, match="failed to export project 3"):
        pull.export_tasks(_client(failed), 3, progress=False, poll=0)
    assert failed.deleted == [5]
    cut = _Exports(["completed"], body[:-20])
    with pytest.raises(UserError, match=r"arrived cut short \(\d+ bytes\); re-run"):
        pull.export_tasks(_client(cut), 3, progress=False, poll=0)
    assert cut.deleted == [5]


class _CutOffExports(_Exports):
    """A create cut off by Ctrl-C (or a timeout) after the server took the request: the server makes the
    snapshot all the same, and it shows up in the project's exports, first unfinished."""

    def __init__(self, statuses, body):
        super().__init__(statuses, body)
        self.listed = 0

    def create(self, project_id, **kwargs):
        self.created = kwargs
        raise KeyboardInterrupt

    def list(self, project_id, **kwargs):
        self.listed += 1
        status = "in_progress" if self.listed == 1 else "completed"
        return [SimpleNamespace(id=4, title="stance pull", status="completed"),   # another pull's: not ours
                SimpleNamespace(id=9, title=self.created["title"], status=status)]


def test_an_export_cut_off_while_the_server_makes_it_is_deleted_once_made():
    """Ctrl-C during the create left the snapshot, a copy of every annotation and annotator's e-mail
    address, in the server's media/export (found by QA: an interrupted `stance pull`)."""
    exports = _CutOffExports([], b"[]")
    with pytest.raises(KeyboardInterrupt):
        pull.export_tasks(_client(exports), 3, progress=False, poll=0)
    assert exports.deleted == [9]


def test_waiting_on_an_export_cut_off_says_what_it_waits_for(capsys):
    """The wait (up to a minute) after Ctrl-C printed nothing: the command looked hung, and nobody knew
    that a second Ctrl-C would leave the export on the server."""
    exports = _CutOffExports([], b"[]")
    with pytest.raises(KeyboardInterrupt):
        pull.export_tasks(_client(exports), 3, progress=False, poll=0)
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "up to 60 s" in err and "delete it" in err
    assert "Ctrl-C again leaves it" in err


class _RefusedExports(_CutOffExports):
    """A create the server answered, or one cut off, by ``error``."""

    def __init__(self, error):
        super().__init__([], b"[]")
        self.error = error

    def create(self, project_id, **kwargs):
        self.created = kwargs
        raise self.error


def test_an_export_the_server_refused_is_reported_at_once():
    """2373cd6's `except BaseException` took a server's HTTP error (the create answered, no snapshot made)
    for a cut-off create: every failed create waited the 3 s for a snapshot to show up first."""
    import time

    import httpx
    from label_studio_sdk.core.api_error import ApiError

    for error in (ApiError(status_code=500, body="boom"), httpx.ConnectError("refused")):
        exports = _RefusedExports(error)
        exports.list = lambda project_id, **kwargs: []   # nothing shows up: a wait would last the whole 3 s
        began = time.monotonic()
        with pytest.raises(type(error)):
            pull.export_tasks(_client(exports), 3, progress=False, poll=0)
        assert time.monotonic() - began < 1.0 and exports.deleted == []
    # a request timed out or a connection lost once the request was sent: the server may go on, as on Ctrl-C
    for error in (httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("gone")):
        exports = _RefusedExports(error)
        with pytest.raises(type(error)):
            pull.export_tasks(_client(exports), 3, progress=False, poll=0)
        assert exports.deleted == [9]


def test_report_and_summary_name_the_ties_and_how_to_adjudicate_them(tmp_path: Path):
    out = tmp_path / "p"
    report = pull.write_pull(_tasks(), USERS, SCHEME, out, source={"project": "Toy"})
    assert report["ties"]["n"] == 1 and report["ties"]["filter"] == 'rule == "tie->latest"'
    assert "third annotator" in report["ties"]["advice"] and "project owner re-label" in report["ties"]["advice"]
    assert report["single"]["n"] == 1 and "agreement null" in report["single"]["note"]
    saved = json.loads((out / "report.json").read_text())
    assert saved["ties"] == report["ties"]
    lines = pull.summary_lines(report, out)
    assert ('ties: 1 claim(s) split evenly between labels went to whoever labelled last '
            '(find them: rule == "tie->latest", the tied labels in tied_labels)') in lines
    assert any(line.strip().startswith("adjudicate them: have a third annotator") for line in lines)
    assert "single: 1 claim(s) labelled by one annotator: agreement null (unchecked), not 1.0" in lines
    page = (out / "report.html").read_text()
    assert "<b>1 claims were ties</b>" in page and "<code>rule == &quot;tie-&gt;latest&quot;</code>" in page
    # no ties, no tie line
    calm = pull.write_pull(_tasks()[:1], USERS, SCHEME, tmp_path / "q")
    assert calm["ties"]["n"] == 0 and not any(line.startswith("ties:") for line in pull.summary_lines(calm, tmp_path / "q"))
    assert "were ties" not in (tmp_path / "q" / "report.html").read_text()


def test_dataset_and_parquet_carry_provenance_with_sound_types(tmp_path: Path):
    tasks = _tasks()
    tasks[0]["data"]["context_html"] = "Before &amp; <mark>Claim one.</mark> after."
    tasks[0]["data"]["outlet"] = None
    tasks[1]["data"]["outlet"] = None
    tasks[2]["data"]["outlet"] = None
    out = tmp_path / "p"
    pull.write_pull(tasks, USERS, SCHEME, out)
    dd = datasets.load_from_disk(str(out / "dataset"))
    features = dd["train"].features
    assert features["agreement"] == datasets.Value("float64") and features["outlet"] == datasets.Value("string")
    assert features["notes"] == datasets.List(datasets.Value("string"))
    assert features["tied_labels"] == features["annotators"] == datasets.List(datasets.Value("string"))
    assert features["changed_prelabel"] == datasets.Value("bool") and "cues" not in features   # nobody marked a cue
    rows = {r["claim_id"]: r for part in dd.values() for r in part}
    assert rows["c2"]["notes"] == ["admin@example.org: sarcasm"] and rows["c2"]["tied_labels"] == ["anti", "neutral"]
    assert rows["c3"]["agreement"] is None and rows["c1"]["agreement"] == 1.0
    assert rows["c1"]["context"] == "Before & Claim one. after." and rows["c2"]["context"] is None
    assert (rows["c1"]["prelabel"], rows["c1"]["prelabel_version"], rows["c1"]["changed_prelabel"]) == ("pro", "boot-1", False)

    frame = pd.read_parquet(out / "labels.parquet").set_index("claim_id")
    assert pd.isna(frame.loc["c3", "agreement"]) and frame.loc["c1", "agreement"] == 1.0
    assert list(frame.loc["c2", "annotators"]) == ["admin@example.org", "ann@example.org"]
    assert list(frame.loc["c2", "annotator_labels"]) == ["anti", "neutral"]
    import pyarrow.parquet as pq

    schema = pq.read_schema(out / "labels.parquet")
    assert str(schema.field("outlet").type) == "string" and str(schema.field("notes").type) == "list<element: string>"


def test_cue_spans_reach_the_labels_of_the_counted_annotators():
    task = _tasks()[0]
    task["annotations"][1]["result"].append({"from_name": "cues", "to_name": "claim", "type": "labels",
                                             "value": {"start": 0, "end": 5, "text": "Claim", "labels": ["framing cue"]}})
    (label,) = pull_rows.label_rows(pull_rows.tasks_to_rows([task], SCHEME, USERS))
    assert label["cues"] == [{"annotator": "ann@example.org", "start": 0, "end": 5, "text": "Claim", "label": "framing cue"}]
    cols = ds.dataset_columns([label], ["pro", "neutral", "anti"])
    assert cols["cues"] == [label["cues"]]   # records, not JSON text


def test_context_from_html_recovers_the_paragraph_shown_or_nothing():
    assert pull_rows.context_from_html("a &lt;b&gt; <mark>x &amp; y</mark>.") == "a <b> x & y."
    assert pull_rows.context_from_html("<mark>x</mark>") is None   # the claim was shown alone
    assert pull_rows.context_from_html(None) is None
    assert pull_rows.claim_metadata({"claim_id": "c", "context": "own", "context_html": "p <mark>c</mark>"})["context"] == "own"


def test_small_corpora_move_only_the_documents_nearest_an_empty_bucket():
    docs = [f"d{i}" for i in range(40)]
    for n in range(3, 40):
        split, note = ds.document_splits(docs[:n])
        assert set(split.values()) == set(ds.SPLITS)
        natural = {d: ds._bucket_split(ds._bucket(d)) for d in docs[:n]}
        moved = [d for d in docs[:n] if split[d] != natural[d]]
        assert len(moved) <= 2 and (note is None) == (not moved)
        for d in moved:
            assert f"{d} moved from {natural[d]} to {split[d]}" in note
    split, note = ds.document_splits(["a", "b", "c"])
    assert split == {"a": "validation", "b": "test", "c": "train"}
    assert note.startswith("3 documents: the sha1 buckets left validation empty, so a moved from train to validation "
                           "(1 claim); moved documents may change split in a later pull, and others may move while "
                           "there are fewer than 30 documents")
    assert "fixed across pulls" in ds.split_rule("doc_id", None)
    assert "until there are 30 documents a later pull may move documents again" in ds.split_rule("doc_id", note)
    assert "all in train" in ds.split_rule("doc_id", "only 2 document(s): ...")
    # From 30 documents on only a split left empty takes one, and the rule says the rest keep theirs.
    many = [d for d in (f"m{i}" for i in range(200)) if ds._bucket_split(ds._bucket(d)) != "validation"][:30]
    split, note = ds.document_splits(many)
    assert sum(1 for d in many if split[d] != ds._bucket_split(ds._bucket(d))) == 1
    assert sorted(set(split.values())) == sorted(ds.SPLITS) and ", every other document keeps its split" in note
    assert "only those moved documents may change split" in ds.split_rule("doc_id", note)


def _sizes(sizes: dict[str, int]) -> list[str]:
    """The doc_id column of a pull whose documents hold ``sizes`` claims."""
    return [doc for doc, n in sizes.items() for _ in range(n)]


def test_a_small_pull_s_splits_hold_about_their_share_of_the_claims():
    """A tester's first loop: 49 claims in 11 documents, the two largest (16 and 10 claims) hashed into
    test, gave train 22, validation 1, test 26; `stance train` then had too few claims of a label."""
    sizes = {"doc2": 16, "doc5": 10, "doc0": 8, "doc1": 3, "doc3": 3, "doc4": 3, "doc6": 2, "doc7": 1, "doc8": 1,
             "doc9": 1, "doc10": 1}
    natural = {d: ds._bucket_split(ds._bucket(d)) for d in sizes}
    assert natural["doc2"] == natural["doc5"] == "test" and sum(n for d, n in sizes.items() if natural[d] == "test") == 26
    ids = _sizes(sizes)
    split, note = ds.document_splits(ids)
    counts = {name: sum(n for d, n in sizes.items() if split[d] == name) for name in ds.SPLITS}
    assert 0.7 * 49 <= counts["train"] <= 0.9 * 49 and 0.05 * 49 <= counts["validation"] <= 0.15 * 49
    assert 0.05 * 49 <= counts["test"] <= 0.15 * 49 and ds.far_splits(counts) == []
    moved = {d for d in sizes if split[d] != natural[d]}
    assert {"doc2", "doc5"} <= moved and len(moved) <= 4
    assert note.startswith("11 documents: the sha1 buckets gave train 23, validation 0 and test 26 of the 49 claims "
                           "(47%/0%/53%, against 80/10/10), so ")
    assert "doc2 moved from test to train (16 claims)" in note and all(f"{d} moved from" in note for d in moved)
    assert ds.document_splits(list(reversed(ids))) == (split, note)   # the order of the rows changes nothing
    # A pull whose hash split is near its shares moves nothing: the documents keep their hash's split.
    even = {f"d{i}": 2 for i in range(20)}
    even_split, even_note = ds.document_splits(_sizes(even))
    even_counts = {name: 2 * sum(1 for s in even_split.values() if s == name) for name in ds.SPLITS}
    if not ds.far_splits({name: 2 * sum(1 for d in even if ds._bucket_split(ds._bucket(d)) == name)
                          for name in ds.SPLITS}) and all(even_counts.values()):
        assert even_note is None and even_split == {d: ds._bucket_split(ds._bucket(d)) for d in even}


def test_a_split_far_from_its_share_is_a_warning_with_a_way_forward():
    """From 30 documents on the hash split is kept, so one large document can still give test far more
    than its share: the pull warns, and says how to train on every claim for a first loop."""
    sizes = {"big4": 60, **{f"m{i}": 1 for i in range(40)}}
    split, _ = ds.document_splits(_sizes(sizes))
    assert split["big4"] == "test"   # kept: 41 documents
    counts = {name: sum(n for d, n in sizes.items() if split[d] == name) for name in ds.SPLITS}
    warning = ds.split_warning(counts)
    assert warning.startswith("the splits are far from 80/10/10 (a document is never cut): ")
    assert f"test holds {counts['test']} of the 100 claims ({counts['test']}%, its share 10%)" in warning
    assert ("`stance train --data labels.jsonl` (no split column: nothing is held out; score that model on claims "
            "labelled later)") in warning
    assert ds.split_warning({"train": 80, "validation": 10, "test": 10}) is None
    pairs = ds.split_warning(counts, "document pair", "pair")   # `stance train` takes no pairs: no such advice
    assert pairs.endswith("; label pairs of more documents") and "stance train" not in pairs
    assert ds.split_warning({"train": 1, "validation": 1, "test": 1}) is None   # 3 claims cannot be shared better
    labels = [{"claim_id": f"c{i}", "doc_id": d, "text": f"Claim {i}.", "label": "pro"}
              for i, d in enumerate(_sizes(sizes))]
    _, summary = ds.build_dataset(labels, ["pro", "neutral", "anti"])
    assert summary["warning"] == warning
    report = {"n_annotations": 100, "n_annotators": 1, "n_claims_labelled": 100, "project": "P",
              "agreement": {"krippendorff_alpha": None, "cohen_kappa": {"mean_weighted": None},
                            "n_claims_multiply_annotated": 0},
              "acceptance": {"accepted": 0, "shown": 0, "rate": None}, "dataset": summary}
    lines = pull.summary_lines(report, "ws/pulled")
    assert f"warning: {warning}".replace("--data labels.jsonl", "--data ws/pulled/labels.jsonl") in lines


def test_the_dataset_has_a_card_and_a_description(tmp_path: Path):
    import yaml

    out = tmp_path / "p"
    pull.write_pull(_tasks(), USERS, SCHEME, out, source={"project": "Toy <b>", "url": "http://x"})
    card = (out / "dataset" / "README.md").read_text()
    _, header, body = card.split("---\n", 2)
    meta = yaml.safe_load(header)
    assert meta["license"] == "unknown" and meta["task_categories"] == ["text-classification"]
    names = next(f for f in meta["dataset_info"]["features"] if f["name"] == "label")["dtype"]["class_label"]["names"]
    assert names == {0: "pro", 1: "neutral", 2: "anti"} or names == {"0": "pro", "1": "neutral", "2": "anti"}
    assert meta["dataset_info"]["splits"] == [{"name": "train", "num_examples": 3}]
    assert "- `agreement` (float64): share of the annotators who chose `label`; null when only one person" in body
    assert "- `notes` (list of string)" in body and "`cues` is left out: no annotator marked" in body
    # The example label name is the pulled scheme's, not the default scheme's.
    assert "`label` as the label's name, e.g. `pro`, rather than" in body and "kremlin" not in body
    assert "| tie->latest | 1 |" in body and '**1 claims are ties**: filter them with `rule == "tie->latest"`' in body
    assert "Krippendorff's alpha (nominal): 0.400" in body and "anchoring" in body
    assert "- pre-label model versions shown: boot-1" in body and "set `license:` above" in body
    assert "## Personal data" in body and "usually an e-mail address: personal data" in body
    assert "only 2 document(s)" in body and "all in train" in body
    dd = datasets.load_from_disk(str(out / "dataset"))
    assert "pulled by `stance pull`" in dd["train"].info.description and dd["train"].info.license == "unknown"


def test_the_report_states_the_split_rule_and_when_it_is_fixed(tmp_path: Path):
    tasks = [_task(i, f"c{i}", d, f"Claim {i}.", [_annotation(i, 1, "pro", "2026-01-01T10:00:00Z")])
             for i, d in enumerate(["a", "b", "c"], start=1)]
    report = pull.write_pull(tasks, USERS, SCHEME, tmp_path / "p")
    assert report["dataset"]["splits"] == {"train": 1, "validation": 1, "test": 1}
    assert "until there are 30 documents a later pull may move documents again" in report["dataset"]["rule"]
    assert "a moved from train to validation" in report["dataset"]["note"]
    page = (tmp_path / "p" / "report.html").read_text()
    assert "<p>Split by document: sha1(doc_id) buckets 80/10/10; below 30 documents the fewest documents" in page
    # Below 30 documents the splits are never promised fixed, moved or not; from 30 on they are.
    assert "may move documents again" in ds.split_rule("doc_id", None, n_documents=29)
    assert "fixed across pulls" in ds.split_rule("doc_id", None, n_documents=30)


def test_a_skip_is_never_a_vote_and_is_counted_per_annotator(tmp_path: Path):
    """A skip in Label Studio's UI sends the choice still selected (the pre-label): it must not count."""
    tasks = _tasks()
    tasks[0]["annotations"].append(_annotation(7, 2, "anti", "2026-01-01T12:00:00Z", shown="pro", cancelled=True))
    row = pull_rows.annotation_to_row(tasks[0], tasks[0]["annotations"][-1], SCHEME, USERS)
    assert (row["label"], row["skipped"], row["accepted"], row["prediction"]) == (None, True, None, "pro")
    out = tmp_path / "p"
    report = pull.write_pull(tasks, USERS, SCHEME, out, source={"project": "Toy"})
    labels = {r["claim_id"]: r for r in map(json.loads, (out / "labels.jsonl").read_text().splitlines())}
    assert (labels["c1"]["label"], labels["c1"]["votes"]) == ("pro", {"admin@example.org": "pro", "ann@example.org": "pro"})
    assert "c4" not in labels
    assert report["skipped"] == {
        "n": 2, "n_items": 2, "by_annotator": {"admin@example.org": 1, "ann@example.org": 1}, "filter": "skipped == true",
        "note": "skipped claims are kept out of labels.jsonl and the dataset; they are the rows of annotations.jsonl "
                "with skipped == true (label null)"}
    lines = pull.summary_lines(report, out)
    assert ("skipped: 2 skip(s) on 2 claim(s) (admin@example.org 1, ann@example.org 1), kept out of the labels and "
            "the dataset (find them: skipped == true in annotations.jsonl)") in lines
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>2 skip(s)</b> on 2 claims (admin@example.org 1, ann@example.org 1)" in page


def test_a_pull_without_skips_says_nothing_of_them(tmp_path: Path):
    tasks = [t for t in _tasks() if t["id"] != 4]
    lines = pull.summary_lines(pull.write_pull(tasks, USERS, SCHEME, tmp_path / "p"), tmp_path / "p")
    assert not any(line.startswith("skipped:") for line in lines)


def test_tasks_only_ever_skipped_reach_the_pull(studio, studio_client, tmp_path, capsys):
    """Label Studio's 'annotated' export filter leaves out a task nobody labelled and someone skipped;
    `stance pull` exports those too, so the skips are counted."""
    import httpx

    from annotate import labelconfig as lc
    from annotate.push import push
    from claimstance.cli import main

    rows = [{"claim_id": f"sk{n}", "doc_id": "d", "text": f"Claim {n} to skip or label.", "is_claim": True,
             "prediction": "neutral", "score": 0.5, "model_version": "bootstrap-1"} for n in range(3)]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pid = push(path, "skips reach the pull", workspace=studio["workspace"], progress=False)["project_id"]
    ids = sorted(t.id for t in studio_client.tasks.list(project=pid))
    invite = httpx.get(f"{studio['url']}/api/invite", headers={"Authorization": f"Token {studio['api_key']}"}).json()
    with httpx.Client(base_url=studio["url"]) as browser:
        browser.get(invite["invite_url"])
        form = {"email": "skipper@example.org", "password": "skip-pass-7719", "allow_newsletters": "false",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        browser.post(invite["invite_url"], data=form, headers={"Referer": studio["url"] + invite["invite_url"]})
        skipper = {"Authorization": f"Token {browser.get('/api/current-user/token').json()['token']}"}
    admin = {"Authorization": f"Token {studio['api_key']}"}
    url = studio["url"]
    httpx.post(f"{url}/api/tasks/{ids[0]}/annotations", headers=admin,
               json={"result": [lc.choice_result("neutral")]}).raise_for_status()
    for task_id in ids[:2]:   # one skip beside a label, one on a task nobody labelled (with the pre-label selected)
        httpx.post(f"{url}/api/tasks/{task_id}/annotations", headers=skipper,
                   json={"result": [lc.choice_result("neutral")], "was_cancelled": True}).raise_for_status()
    out = tmp_path / "pulled"
    assert main(["pull", "--workspace", studio["workspace"], "--project", "skips reach the pull", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "3 annotations (2 skipped) by 2 annotator(s) on 1 claims" in printed   # as report.html says
    assert "skipped: 2 skip(s) on 2 claim(s) (skipper@example.org 2)" in printed
    got = [json.loads(line) for line in (out / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["claim_id"], r["annotator"], r["skipped"], r["label"]) for r in got) == [
        ("sk0", studio["username"], False, "neutral"), ("sk0", "skipper@example.org", True, None),
        ("sk1", "skipper@example.org", True, None)]
    assert [r["claim_id"] for r in map(json.loads, (out / "labels.jsonl").read_text().splitlines())] == ["sk0"]


def test_pull_never_replaces_another_projects_pull_without_replace(studio, studio_client, tmp_path, capsys):
    """The user's own project pulled, then the sample's project (a re-run of `make run`) pulled into
    the same --out: refused before the export; their own project pulled again works in place."""
    import httpx

    from annotate import labelconfig as lc
    from annotate.push import push
    from claimstance.cli import main

    ids = {}
    for title in ("own project R1", "sample project R1"):
        rows = [{"claim_id": f"{title[:3]}{n}", "doc_id": "d", "text": f"Claim {n} of {title}.", "is_claim": True,
                 "prediction": "neutral", "score": 0.5, "model_version": "bootstrap-1"} for n in range(2)]
        path = tmp_path / f"{title[:3]}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        ids[title] = push(path, title, workspace=studio["workspace"], progress=False)["project_id"]
    task = min(t.id for t in studio_client.tasks.list(project=ids["own project R1"]))
    httpx.post(f"{studio['url']}/api/tasks/{task}/annotations", headers={"Authorization": f"Token {studio['api_key']}"},
               json={"result": [lc.choice_result("neutral")]}).raise_for_status()
    out = tmp_path / "pulled"
    pull_args = ["pull", "--workspace", studio["workspace"], "--out", str(out), "--project"]
    assert main([*pull_args, "own project R1"]) == 0
    capsys.readouterr()
    kept = (out / "labels.jsonl").read_text()
    assert main([*pull_args, "sample project R1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"error: {out} holds a pull of another project, 'own project R1' (1 annotation, pulled "
                   f"{json.loads((out / 'report.json').read_text())['pulled_at']}); this is a pull of "
                   "'sample project R1': give another --out, or add --replace to replace that pull")
    assert (out / "labels.jsonl").read_text() == kept
    assert main([*pull_args, "own project R1"]) == 0 and (out / "labels.jsonl").read_text() == kept   # in place
    assert main([*pull_args, "sample project R1", "--replace"]) == 0
    printed = capsys.readouterr().out
    assert f"note: replaced (--replace) the pull of project 'own project R1' in {out} (1 annotation, " in printed
    assert json.loads((out / "report.json").read_text())["project"] == "sample project R1"


def test_a_project_of_one_annotator_a_task_is_named_with_the_fix(tmp_path: Path):
    for per_task, expected in ((1, True), (2, False), (None, False)):
        out = tmp_path / f"p{per_task}"
        report = pull.write_pull(_tasks(), USERS, SCHEME, out, source={"annotators_per_task": per_task})
        notes = [line for line in pull.summary_lines(report, out) if "to one annotator:" in line]
        assert bool(notes) is expected
    assert notes == [] and report["annotators_per_task"] is None
    report = pull.write_pull(_tasks(), USERS, SCHEME, tmp_path / "again", source={"annotators_per_task": 1})
    assert ("note: the project gives each task to one annotator: Label Studio's queue never serves one someone "
            "labelled to another annotator, so the queue yields no agreement figures; `stance push --overlap 2` "
            "(same --in and --project) raises it") in pull.summary_lines(report, tmp_path / "again")
    # A comparison project is pushed with --pairs: the note says so (--in would be refused there).
    pairs = [line for line in pull.summary_lines({**report, "unit": "pair"}, tmp_path / "again") if "--overlap" in line]
    assert pairs and "(same --pairs and --project)" in pairs[0] and "each pair to one annotator" in pairs[0]


# --- problem flags, and text from the data in the report and the card ---------------------------

def _flag(*values):
    return {"from_name": "problem", "to_name": "claim", "type": "choices", "value": {"choices": list(values)}}


def _flagged_tasks():
    tasks = _tasks()
    tasks[0]["annotations"][1]["result"].append(_flag("wrong_voice", "not_a_claim"))   # ann on c1: counted
    tasks[1]["annotations"][0]["result"].insert(0, _flag("split wrong"))   # a display name, before the stance
    tasks[3]["annotations"][0]["result"] = [_flag("not_a_claim")]   # a skip with a flag: no vote
    return tasks


def test_problem_flags_come_back_beside_the_stance_which_they_never_replace():
    tasks = _flagged_tasks()
    rows = pull_rows.tasks_to_rows(tasks, SCHEME, USERS)
    by_id = {r["annotation_id"]: r for r in rows}
    assert (by_id[2]["label"], by_id[2]["problems"]) == ("pro", ["not_a_claim", "wrong_voice"])
    assert (by_id[3]["label"], by_id[3]["problems"]) == ("anti", ["split_wrong"])
    assert (by_id[6]["label"], by_id[6]["skipped"], by_id[6]["problems"]) == (None, True, ["not_a_claim"])
    assert by_id[1]["problems"] == [] and by_id[5]["problems"] == []
    # A flag with no stance (a result from the API) is no stance: never read as a label of the scheme.
    only_flag = {"id": 9, "completed_by": 1, "result": [_flag("wrong_context")], "was_cancelled": False}
    row = pull_rows.annotation_to_row(tasks[0], only_flag, SCHEME, USERS)
    assert (row["label"], row["problems"]) == (None, ["wrong_context"])

    labels = {r["claim_id"]: r for r in pull_rows.label_rows(rows)}
    assert (labels["c1"]["label"], labels["c1"]["problems"], labels["c1"]["flagged"]) == \
        ("pro", ["not_a_claim", "wrong_voice"], True)
    assert (labels["c2"]["problems"], labels["c2"]["flagged"]) == (["split_wrong"], True)
    assert (labels["c3"]["problems"], labels["c3"]["flagged"]) == ([], False)
    assert "c4" not in labels   # skipped: flagged, but no vote


def test_flags_are_counted_in_the_report_the_summary_the_card_and_typed_in_the_dataset(tmp_path: Path):
    out = tmp_path / "p"
    report = pull.write_pull(_flagged_tasks(), USERS, SCHEME, out, source={"project": "Toy"})
    flags = report["problems"]
    assert (flags["n_annotations"], flags["n_items"], flags["n_labelled_flagged"]) == (3, 3, 2)
    assert flags["by_problem"] == {"not_a_claim": 2, "split_wrong": 1, "wrong_voice": 1, "wrong_context": 0}
    lines = pull.summary_lines(report, out)
    assert ("flagged: 3 claim(s) flagged by annotators (not a claim 2, split wrong 1, wrong voice 1); find them: "
            "flagged == true in labels.jsonl and the dataset (2); 1 flagged only on skipped or superseded "
            "annotations, kept out of the labels, `problems` in annotations.jsonl") in lines
    assert any("keep their stance" in line and "d[~d.flagged]" in line for line in lines)
    # A test split too small to evaluate on is said at pull time, with what to do.
    small = {**report, "dataset": {**(report.get("dataset") or {}), "splits": {"train": 30, "validation": 3, "test": 2}}}
    assert ("note: the test split holds 2 claim(s), too few for `stance evaluate` to say much; label claims of more "
            "documents, or evaluate on claims labelled after training (--data FILE.jsonl with `text` and `label`)"
            ) in pull.summary_lines(small, out)
    assert not any("too few" in line for line in lines)
    assert any(f"read_parquet('{out / 'labels.parquet'}')" in line for line in lines)   # runs from anywhere
    from claimstance.cli import build_parser   # the advised command is one the command line takes

    advised = pull_rows.FLAG_NOTE.split("then stance ")[1].split()
    assert build_parser().parse_args([*advised, "--out", "model"]).data == "clean.parquet"
    # clean.parquet has no pull report beside it: a scheme of the user's own is named in the command
    own = {**report, "scheme": "sanctions", "scheme_source": str(tmp_path / "my schemes" / "sanctions.yaml")}
    hint = next(line for line in pull.summary_lines(own, out) if "keep their stance" in line)
    import shlex

    args = build_parser().parse_args([*shlex.split(hint.split("then stance ")[1]), "--out", "model"])
    assert (args.data, args.scheme) == ("clean.parquet", str(tmp_path / "my schemes" / "sanctions.yaml"))
    assert "--scheme" not in next(line for line in lines if "keep their stance" in line)   # the default needs none
    page = (out / "report.html").read_text()
    assert "<h2>Flagged claims</h2>" in page and "<td>not a claim</td><td>2</td>" in page

    dd = datasets.load_from_disk(str(out / "dataset"))
    features = dd["train"].features
    assert features["problems"] == datasets.List(datasets.Value("string"))
    assert features["flagged"] == datasets.Value("bool")
    rows = {r["claim_id"]: r for part in dd.values() for r in part}
    assert rows["c1"]["flagged"] and rows["c1"]["problems"] == ["not_a_claim", "wrong_voice"]
    assert [r["claim_id"] for r in dd["train"].filter(lambda r: not r["flagged"])] == ["c3"]
    frame = pd.read_parquet(out / "labels.parquet").set_index("claim_id")
    assert list(frame.loc["c2", "problems"]) == ["split_wrong"] and not frame.loc["c3", "flagged"]
    card = (out / "dataset" / "README.md").read_text()
    assert "## Flagged claims" in card and "3 claims were flagged in 3 annotation(s)" in card
    assert "- `flagged` (bool): whether any counted annotator flagged the claim" in card
    assert '`dataset.filter(lambda r: not r["flagged"])`' in card


def test_the_report_page_report_json_and_terminal_advise_one_train_command_with_an_own_scheme(tmp_path: Path):
    """clean.parquet has no pull report beside it: with a scheme of the project's own, the command
    each of the three gives names it (report.json and report.html gave it without --scheme, QA qa22)."""
    import html
    import shlex

    from claimstance.cli import build_parser

    out, own = tmp_path / "p", str(tmp_path / "my schemes" / "toy.yaml")
    report = pull.write_pull(_flagged_tasks(), USERS, SCHEME, out, source={"project": "Toy", "scheme_source": own})
    terminal = next(line for line in pull.summary_lines(report, out) if "keep their stance" in line)
    saved = json.loads((out / "report.json").read_text())["problems"]["note"]
    page = html.unescape((out / "report.html").read_text())
    commands = [terminal.split("then stance ")[1], saved.split("then stance ")[1],
                page.split("then stance ")[1].split(".</p>")[0]]
    assert commands == [f"train --data clean.parquet --scheme {shlex.quote(own)}"] * 3
    args = build_parser().parse_args([*shlex.split(commands[1]), "--out", "model"])
    assert (args.data, args.scheme) == ("clean.parquet", own)
    # The default scheme needs none, in any of the three.
    plain = pull.write_pull(_flagged_tasks(), USERS, SimpleNamespace(**{**vars(SCHEME), "name": "kremlin_framing"}),
                            tmp_path / "q", source={"project": "Toy", "scheme_source": "kremlin_framing"})
    assert plain["problems"]["note"].endswith("then stance train --data clean.parquet")
    assert "--scheme" not in (tmp_path / "q" / "report.html").read_text()


def test_a_pull_with_no_flag_still_types_the_columns_and_says_nothing(tmp_path: Path):
    out = tmp_path / "p"
    report = pull.write_pull(_tasks(), USERS, SCHEME, out)
    assert report["problems"]["n_annotations"] == 0
    assert not any(line.startswith("flagged") for line in pull.summary_lines(report, out))
    assert "Flagged claims" not in (out / "report.html").read_text()
    features = datasets.load_from_disk(str(out / "dataset"))["train"].features
    assert features["problems"] == datasets.List(datasets.Value("string")) and features["flagged"] == datasets.Value("bool")


RLO = "\u202e"


def test_the_report_lists_the_disputed_claims_with_each_vote_and_the_pre_label(tmp_path: Path):
    tasks = _tasks() + [
        _task(6, "c6", "d5", "Claim <b>six</b> & more.", [
            _annotation(7, 1, "anti", "2026-01-03T10:00:00Z", shown="pro"),
            _annotation(8, 2, "anti", "2026-01-03T11:00:00Z", shown="pro"),
            _annotation(9, 3, "pro", "2026-01-03T12:00:00Z", shown="pro", note='MoD\'s own words = <b>"framing"</b>?')],
              outlet=None, author="@kiel", platform="X")]
    out = tmp_path / "p"
    report = pull.write_pull(tasks, {**USERS, 3: "third@example.org"}, SCHEME, out,
                             source={"project": "Toy", "project_id": 7, "url": "http://localhost:8151"})
    assert report["disputed"] == {"n": 2, "n_ties": 1, "n_outvoted": 1, "filter": "agreement < 1", "note": (
        "claims whose annotators disagree: ties, and labels that outvoted a dissent; report.html lists each with "
        "every annotator's label and the pre-label shown")}
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    assert [r["claim_id"] for r in pull_rows.disputed(labels)] == ["c2", "c6"]   # the tie first
    page = (out / "report.html").read_text()
    section = page[page.index('<h2 id="disputed">'):page.index("<h2>Pre-labels</h2>")]
    assert "<b>2 claims</b> on which annotators disagree (1 tie(s), 1 outvoted a dissent)" in section
    rows = section.split("<tr>")[2:]
    assert rows[0].startswith("<td class=\"text\">Claim &lt;script&gt;two&lt;/script&gt;.<br><small>Daily</small>")
    assert ("admin@example.org: <b>anti</b><br>ann@example.org: <b>neutral</b>" in rows[0]
            and "neutral <small>(tie-&gt;latest: tied anti / neutral)</small>" in rows[0])
    assert '<a href="http://localhost:8151/projects/7/data?task=2">task 2</a>' in rows[0]
    assert "Claim &lt;b&gt;six&lt;/b&gt; &amp; more.<br><small>@kiel (X)</small>" in rows[1]
    assert "third@example.org: <b>pro</b>" in rows[1] and "<td>pro</td>" in rows[1]   # the pre-label shown
    # the annotators' notes, escaped, beside their votes: what an adjudicator weighs
    assert "<th>pre-label</th><th>annotators' notes</th><th>task</th>" in section
    assert '<td class="text">admin@example.org: sarcasm</td>' in rows[0]
    assert ('<td class="text">third@example.org: MoD&#x27;s own words = &lt;b&gt;&quot;framing&quot;&lt;/b&gt;?</td>'
            in rows[1])
    assert "<script>" not in page and "c1" not in section and "c3" not in section   # unanimous and single: not disputed
    lines = pull.summary_lines(report, out)
    assert (f"disputed: 2 claim(s) on which annotators disagree (1 tie(s), 1 outvoted a dissent), listed for review "
            f"with each annotator's label and the pre-label in {out / 'report.html'} (find them: agreement < 1 in "
            "labels.jsonl)") in lines
    calm = pull.write_pull(_tasks()[:1], USERS, SCHEME, tmp_path / "q")
    assert calm["disputed"]["n"] == 0 and not any(line.startswith("disputed") for line in pull.summary_lines(calm, tmp_path / "q"))
    assert 'id="disputed"' not in (tmp_path / "q" / "report.html").read_text()


def test_free_metadata_reaches_the_dataset_and_a_split_column_of_the_data_does_not_clash(tmp_path: Path):
    tasks = _tasks()
    for task in tasks:
        task["data"].update(platform="X", split="dev")   # a split sent by another tool, not stance push
    pull.write_pull(tasks, USERS, SCHEME, tmp_path / "p")
    table = pd.read_parquet(tmp_path / "p" / "labels.parquet")
    assert set(table["platform"]) == {"X"} and set(table["meta_split"]) == {"dev"}
    assert set(table["split"]) <= {"train", "validation", "test"}
    assert datasets.load_from_disk(str(tmp_path / "p" / "dataset"))["train"]["platform"][0] == "X"


def test_the_report_page_forbids_script_and_shows_bidi_controls_as_markers(tmp_path: Path):
    users = {1: f"adm{RLO}in@example.org", 2: "<img src=x onerror=alert(1)>"}
    pull.write_pull(_tasks(), users, SCHEME, tmp_path / "p", source={"project": f"Kyiv{RLO}gpj.exe"})
    page = (tmp_path / "p" / "report.html").read_text()
    assert ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">") in page
    assert RLO not in page and "Kyiv⟨U+202E⟩gpj.exe" in page and "adm⟨U+202E⟩in@example.org" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_card_escapes_what_comes_from_the_data(tmp_path: Path):
    tasks = _tasks()
    for task in tasks:
        for annotation in task["annotations"]:
            if annotation["prediction"]:
                annotation["prediction"]["model_version"] = "<svg onload=alert(3)>"
    out = tmp_path / "p"
    pull.write_pull(tasks, USERS, SCHEME, out, source={"project": f"<script>alert(1)</script>|{RLO}x",
                                                        "url": "http://h/<b>"})
    card = (out / "dataset" / "README.md").read_text()
    _, header, body = card.split("---\n", 2)
    assert "<script>" not in body and "<svg" not in body and "<b>" not in body and RLO not in body
    assert "# claimstance labels: &lt;script&gt;alert(1)&lt;/script&gt;\\|⟨U+202E⟩x" in body
    assert "- pre-label model versions shown: &lt;svg onload=alert(3)&gt;" in body
    assert "at http://h/&lt;b&gt;" in body
    import yaml

    # The Hub shows pretty_name as the dataset's title: no bidi override reorders it.
    assert yaml.safe_load(header)["pretty_name"] == "claimstance labels: <script>alert(1)</script>|x"
    dd = datasets.load_from_disk(str(out / "dataset"))
    assert "'<script>alert(1)</script>|" in dd["train"].info.description   # data, not Markdown: as it is


def test_a_column_name_from_the_data_cannot_leave_its_code_span():
    from annotate.dataset_card import _code

    assert _code("a`<img src=x>\nb" + RLO) == "`a'<img src=x> b`"
