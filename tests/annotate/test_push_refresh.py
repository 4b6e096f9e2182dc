"""A push again after the claims were made again: what changes in the tasks a project holds (the
plan, without a server), then the same against a real Label Studio."""

from __future__ import annotations

import json

import pytest

from annotate import labelconfig as lc
from annotate.claim_tasks import claim_to_task
from annotate.push import PushNotes, delete_unworked, present_line, push
from annotate.push_refresh import (changed_fields, differs, document_sentences, gone_note, gone_reminder, gone_tasks,
                                   kept_note, kept_reminder, plan_refresh, same_prelabel, wanted_data)
from claimstance.cli import main
from tests.annotate.test_push import SCHEME, claim_row, project_tasks, write_rows


def _prediction(label: str, score: float, version: str = "boot-1", pid: int | None = None) -> dict:
    out = {"model_version": version, "score": score, "result": [lc.choice_result(label)]}
    return out if pid is None else {**out, "id": pid}


def _task(claim_id: str, context: str = "Before. Claim.", label: str = "loaded", score: float = 0.6, **data) -> dict:
    return {"data": {"claim_id": claim_id, "doc_id": "d1", "text": "Claim.", "context_html": context, **data},
            "predictions": [_prediction(label, score)]}


# --- the plan: pure --------------------------------------------------------------------------------

def test_the_wanted_data_keeps_the_project_s_ids_and_file():
    held = {"claim_id": "old", "doc_id": "d-old", "source_file": "a/b.txt", "text": "Claim.", "start": 3}
    pushed = {"claim_id": "new", "doc_id": "d-new", "source_file": "b.txt", "text": "Claim.", "start": 9, "x": 1}
    assert wanted_data(pushed, held) == {"claim_id": "old", "doc_id": "d-old", "source_file": "a/b.txt",
                                         "text": "Claim.", "start": 9, "x": 1}
    # a task of an earlier stance without a file takes the push's
    assert wanted_data(pushed, {"claim_id": "old"})["source_file"] == "b.txt"
    assert changed_fields(wanted_data(pushed, held), held) == ["start", "x"]
    assert changed_fields({"a": 1, "b": [1, 2]}, {"a": 1.0, "b": (1, 2), "c": None}) == ["c"]   # as JSON


def test_a_pre_label_changes_with_its_choice_or_a_score_moved_by_a_hundredth():
    held = {**_prediction("loaded", 0.6, pid=7), "cluster": None}
    held["result"] = [{**held["result"][0], "id": "x1", "origin": "prediction"}]   # what a server adds
    assert same_prelabel(_prediction("loaded", 0.6049), held)
    assert not same_prelabel(_prediction("loaded", 0.62), held)
    assert not same_prelabel(_prediction("plain", 0.6), held)


def test_the_plan_updates_unworked_tasks_and_keeps_worked_ones():
    tasks = [_task("c1", "Before. Claim. Now corrected."),            # context changed, nobody worked on it
             _task("c2", "Before. Claim. Now corrected."),            # context changed, annotated
             _task("c3"),                                             # as it was
             _task("c4", label="plain"),                              # pre-label changed, only its version held
             _task("c5", label="plain"),                              # pre-label changed beside another model's
             _task("c6", label="plain"),                              # pre-label changed, a draft on it
             {"data": {**_task("c7")["data"], "doc_id": "d-new"}, "predictions": [_prediction("loaded", 0.6, "v9")]},
             _task("c8")]                                             # new: no task stands for it
    stands = {f"c{n}": 100 + n for n in range(1, 8)}
    held = {100 + n: {**_task(f"c{n}")["data"]} for n in range(1, 8)}
    held[107]["doc_id"] = "d1"   # the project's document id for an edited document stands
    predictions = {100 + n: [_prediction("loaded", 0.6, pid=n)] for n in range(1, 8)}
    predictions[105] = [_prediction("loaded", 0.6, pid=5), _prediction("plain", 0.9, "ft-2", pid=50),
                        _prediction("loaded", 0.61, pid=51)]
    predictions[107] = [_prediction("loaded", 0.6, pid=7)]   # of another version: the push adds v9's itself
    plan = plan_refresh(tasks, "claim_id", stands, held, worked={102, 106}, predictions=predictions)
    assert plan.updated == [101, 104, 105]
    assert plan.data == {101: {**held[101], "context_html": "Before. Claim. Now corrected."}}
    assert plan.fields == {"context_html": 1}
    assert plan.replace == {104: [_prediction("plain", 0.6)]}
    assert plan.patch == {51: {"result": [lc.choice_result("plain")], "score": 0.6}}   # the newest of its version
    assert plan.kept == {102: ["context_html"], 106: ["pre-label"]}
    assert plan.unchanged == 2   # c3, and c7 whose doc_id is the project's


def test_the_note_on_kept_tasks_says_how_many_what_and_where():
    assert kept_note({}, "http://ls", 3) is None
    kept = {12: ["context_html", "source_line"], 9: ["context_html"], **{n: ["pre-label"] for n in range(20, 25)}}
    note = kept_note(kept, "http://ls", 3)
    assert note.startswith("7 annotated task(s) kept their old context and pre-label (their claim's text is the "
                           "same): an annotation, a skip or a draft was made on what they show, so the push left them as they were (it would have changed "
                           "pre-label (5), context_html (2), source_line (1)); see them in Label Studio: "
                           "http://ls/projects/3/data?task=9, http://ls/projects/3/data?task=12, ")
    assert "task=22 and 2 more (task ids 9, 12, 20, 21, 22, 23, 24)" in note
    assert note.endswith("to show one the new context and pre-label, delete its annotations there (Data Manager, "
                         "select, Delete Annotations) and push again")
    assert kept_note({4: ["text_shown", "title"]}, "http://ls", 3).startswith(
        "1 annotated task(s) kept their old text and metadata: ")   # the text itself: no "(... is the same)"
    assert kept_note({4: ["end", "start"]}, "http://ls", 3).startswith(
        "1 annotated task(s) kept their old offsets (their claim's text is the same): ")
    assert kept_reminder(kept) == ("7 annotated task(s) still keep their old context and pre-label, as the previous "
                                   "push said (task ids 9, 12, 20, 21, 22, 23, 24)")


def test_what_differs_is_named_by_kind_in_a_fixed_order():
    assert differs(["pre-label", "title", "context_start", "context_html", "text_shown"]) == [
        "text", "offsets", "context", "metadata", "pre-label"]
    assert differs(["end", "start"]) == ["offsets"]
    assert differs(["source_line"]) == ["context"]
    assert differs(["outlet", "date"]) == ["metadata"]
    assert differs([]) == []


def said_before(workspace, url: str, project_id: int, what, kind: str = "kept"):
    """``PushNotes.said`` for one kind alone, and a function that records ``what`` as a finished push
    does (push_notes.json read anew then: another kind may have been recorded meanwhile)."""
    said = PushNotes(workspace, url, project_id).said(what, kind)

    def record() -> None:
        notes = PushNotes(workspace, url, project_id)
        notes.said(what, kind)
        notes.write()

    return said, record


def _said(workspace, url: str, project_id: int, what, done: bool = True) -> bool:
    said, record = said_before(workspace, url, project_id, what)
    if done:   # the push finished: what it said is recorded
        record()
    return said


def test_a_kept_note_said_by_the_previous_push_from_the_workspace_is_told_by_its_digest(tmp_path):
    kept = [(12, ["context_html"]), (14, ["start"])]
    assert not _said(tmp_path, "http://ls/", 3, kept, done=False)    # a push cut off: nothing recorded
    assert not _said(tmp_path, "http://ls/", 3, kept)                # first time: said in full
    assert _said(tmp_path, "http://ls", 3, kept)                     # the same again: a reminder
    assert not _said(tmp_path, "http://ls", 4, kept)                 # another project
    assert not _said(tmp_path, "http://other", 3, kept)              # another server
    assert not _said(tmp_path, "http://ls", 3, kept + [(15, ["end"])])   # a task more: in full
    assert _said(tmp_path, "http://ls", 3, kept + [(15, ["end"])])
    assert not _said(tmp_path, "http://ls", 3, None)                 # none kept now: forgotten
    assert not _said(tmp_path, "http://ls", 3, kept + [(15, ["end"])])   # back: in full again
    assert not _said(None, "http://ls", 3, kept) and not _said(tmp_path / "none", "http://ls", 3, kept)
    (tmp_path / "push_notes.json").write_text("{not json")
    assert not _said(tmp_path, "http://ls", 3, kept)                 # unreadable: in full, then written anew
    assert _said(tmp_path, "http://ls", 3, kept)
    # a push records kept and gone tasks, each after both were read: neither drops the other
    said_kept, record_kept = said_before(tmp_path, "http://ls", 5, kept)
    said_gone, record_gone = said_before(tmp_path, "http://ls", 5, [12], kind="gone")
    record_kept()
    record_gone()
    assert _said(tmp_path, "http://ls", 5, kept) and said_before(tmp_path, "http://ls", 5, [12], kind="gone")[0]


def test_a_task_is_gone_when_its_document_is_the_file_s_and_neither_its_claim_nor_its_sentence_is():
    held = {1: {"claim_id": "a", "doc_id": "d1", "text": "Kept."},
            2: {"claim_id": "b", "doc_id": "d1", "text": "Removed."},
            3: {"claim_id": "c", "doc_id": "d1", "text": "Out of scope now."},    # claim_id in the file
            4: {"claim_id": "old", "doc_id": "d1", "text": "Moved."},              # another claim_id, same sentence
            5: {"claim_id": "e", "doc_id": "d2", "text": "Another file's."},       # a document the file lacks
            6: {"claim_id": "f", "doc_id": "d1", "text": "Stands for a new claim."},
            7: {"pair_id": "p", "doc_id": "d1", "text": "Removed."},              # not a claim task
            8: {"claim_id": "h", "doc_id": "d1", "text": "Removed too."}}
    sentences = {"d1": {"Kept.", "Out of scope now.", "Moved."}}
    assert gone_tasks(held, sentences, {"a", "c", "new-moved"}, standing={6}) == [2, 8]
    assert gone_tasks(held, {}, {"a"}, standing=set()) == []   # no document of the file: none


def test_the_file_s_sentences_are_put_under_the_project_s_document_ids():
    file_sentences = {"new1": {"Kept.", "Added."}, "d2": {"Other."}, "new3": {"Edited."}}
    doc_ids = {"new1": "d1"}                   # an edited document: the project holds it as d1
    replaced = {"old3": "new3", "d1x": "new1"}   # earlier texts of edited documents, by the project's id
    assert document_sentences(file_sentences, doc_ids, replaced) == {
        "d1": {"Kept.", "Added."}, "d2": {"Other."}, "new3": {"Edited."}, "old3": {"Edited."},
        "d1x": {"Kept.", "Added."}}
    # two of the push's documents the project holds as one: their sentences together
    assert document_sentences({"a": {"A."}, "b": {"B."}}, {"a": "d", "b": "d"}, {}) == {"d": {"A.", "B."}}
    assert document_sentences({"a": {"A."}}, {}, {"old": "gone"}) == {"a": {"A."}, "old": set()}
    # a task of the edited document's earlier text whose sentence its new text lacks is gone
    held = {1: {"claim_id": "x", "doc_id": "old3", "text": "Edited."},
            2: {"claim_id": "y", "doc_id": "old3", "text": "Removed."}}
    assert gone_tasks(held, document_sentences(file_sentences, doc_ids, replaced), set(), set()) == [2]


def test_the_note_on_gone_tasks_says_what_stays_and_how_to_delete_the_others():
    assert gone_note(0, [], ["a.txt"]) is None
    assert gone_note(3, [7, 9], ["a.txt", "b.txt"]) == (
        "5 task(s) hold a sentence their document no longer has (a.txt, b.txt): 3 nobody worked on stay in the "
        "labelling queue; push again with --prune to delete them; 2 annotated, skipped or drafted stay, --prune or "
        "not (task ids 7, 9): `stance pull` keeps their labels, on the text they were labelled on; delete one in "
        "Label Studio if its label should go")
    assert gone_note(3, [], ["a.txt"], deleted=3) == (
        "3 task(s) held a sentence their document no longer has (a.txt): 3 nobody had worked on were deleted")
    assert gone_note(3, [], ["a.txt"], deleted=2).endswith(
        "2 nobody had worked on were deleted (1 more was annotated, skipped or drafted meanwhile and stays)")
    assert gone_note(4, [], ["a.txt"], deleted=1).endswith(
        "1 nobody had worked on was deleted (3 more were annotated, skipped or drafted meanwhile and stay)")
    # one of a kind: its verb agrees
    assert gone_note(1, [7], ["a.txt"]) == (
        "2 task(s) hold a sentence their document no longer has (a.txt): 1 nobody worked on stays in the labelling "
        "queue; push again with --prune to delete it; 1 annotated, skipped or drafted stays, --prune or not (task "
        "ids 7): `stance pull` keeps their labels, on the text they were labelled on; delete one in Label Studio if "
        "its label should go")
    assert gone_note(1, [7], ["a.txt"], deleted=1).startswith(
        "2 task(s) held a sentence their document no longer has (a.txt): 1 nobody had worked on was deleted; 1 "
        "annotated, skipped or drafted stays, --prune or not")
    assert gone_reminder([42]) == ("1 annotated, skipped or drafted task(s) whose sentence is gone still stays, as "
                                   "the previous push said (task ids 42)")
    assert gone_note(0, [7], [f"f{n}" for n in range(7)], deleted=0).startswith(
        "1 task(s) held a sentence their document no longer has (f0, f1, f2, f3, f4 and 2 more): 1 annotated")


# --- against a real Label Studio -----------------------------------------------------------------

def _corrected(row: dict) -> dict:
    return {**row, "context": row["context"].replace("Last one.", "Last one, corrected.")}


def test_a_repush_updates_tasks_nobody_worked_on_in_place_and_keeps_the_others(studio, studio_client, tmp_path):
    title = "refresh context"
    rows = [claim_row(n) for n in range(6)]
    path = write_rows(tmp_path / "v1.jsonl", rows)
    first = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    before = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, first["project_id"])}
    ids = {claim_id: t["id"] for claim_id, t in before.items()}
    studio_client.annotations.create(id=ids["c0001"], result=[lc.choice_result("plain")])
    studio_client.annotations.create(id=ids["c0002"], result=[], was_cancelled=True)   # skipped
    http = studio_client._client_wrapper.httpx_client
    assert http.request(f"api/tasks/{ids['c0003']}/drafts", method="POST",
                        json={"result": [lc.choice_result("plain")], "lead_time": 1}).status_code == 201

    # the claims made again: a corrected paragraph for c0-c3, a new pre-label for c4, c5 as it was
    again = [_corrected(r) for r in rows[:4]] + [{**rows[4], "prediction": "plain", "score": 0.95}, rows[5]]
    write_rows(path, again)
    second = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    # what `stance push` and `stance run` print of the tasks already there
    assert present_line(first) == "0 already there"   # a first push counts no kinds of none
    assert present_line(second) == ("6 already there (2 updated, 1 of their pre-labels refreshed, 1 unchanged, "
                                    "3 annotated kept as they were)")
    (note,) = [n for n in second["notes"] if "annotated task(s)" in n]
    assert note.startswith("3 annotated task(s) kept their old context (their claim's text is the same): ")
    assert f"/projects/{first['project_id']}/data?task={ids['c0001']}" in note and "context_html (3)" in note

    now = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, first["project_id"])}
    assert {claim_id: t["id"] for claim_id, t in now.items()} == ids   # in place: the same tasks
    assert now["c0000"]["data"]["context_html"].endswith("Last one, corrected.")
    assert now["c0000"]["data"] == claim_to_task(again[0], SCHEME)["data"]
    for worked in ("c0001", "c0002", "c0003"):   # annotated, skipped, drafted: as they were
        assert now[worked]["data"] == before[worked]["data"]
    assert now["c0001"]["annotations"][0]["result"][0]["value"] == {"choices": ["plain"]}
    # the refreshed pre-label is of the version the project shows (else Label Studio hides it), alone
    (prediction,) = now["c0004"]["predictions"]
    assert prediction["model_version"] == studio_client.projects.get(id=first["project_id"]).model_version == "boot-1"
    assert (prediction["result"][0]["value"], prediction["score"]) == ({"choices": ["plain"]}, pytest.approx(0.95))
    assert now["c0004"]["total_predictions"] == 1
    assert now["c0005"]["updated_at"] == before["c0005"]["updated_at"]

    # pushed once more: nothing to update; the kept tasks, said by the push before, get one line
    third = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert [n for n in third["notes"] if "annotated task(s)" in n] == [
        "3 annotated task(s) still keep their old context, as the previous push said (task ids "
        + ", ".join(str(ids[c]) for c in ("c0001", "c0002", "c0003")) + ")"]
    assert (third["tasks_added"], third["tasks_updated"], third["tasks_unchanged"], third["tasks_annotated_kept"],
            third["predictions_refreshed"]) == (0, 0, 3, 3, 0)
    assert third["annotated_kept_ids"] == sorted(ids[c] for c in ("c0001", "c0002", "c0003"))


def test_a_refreshed_pre_label_beside_another_model_s_leaves_that_one_and_the_project_s_version(
        studio, studio_client, tmp_path):
    title = "refresh beside a model"
    rows = [claim_row(n) for n in range(3)]
    path = write_rows(tmp_path / "boot.jsonl", rows)
    first = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    push(write_rows(tmp_path / "ft.jsonl", [claim_row(n, model_version="ft-2", prediction="loaded", score=0.9)
                                            for n in range(3)]), title, workspace=studio["workspace"], scheme=SCHEME,
         progress=False)
    held = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, first["project_id"])}
    ft_ids = {p["id"] for t in held.values() for p in t["predictions"] if p["model_version"] == "ft-2"}
    write_rows(path, [{**rows[0], "prediction": "plain", "score": 0.99}, *rows[1:]])
    again = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    assert (again["tasks_updated"], again["predictions_refreshed"], again["model_version_switched"]) == (1, 1, False)
    now = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, first["project_id"])}
    versions = {p["model_version"]: p for p in now["c0000"]["predictions"]}
    assert sorted(versions) == ["boot-1", "ft-2"]
    assert versions["boot-1"]["result"][0]["value"] == {"choices": ["plain"]}
    assert {p["id"] for t in now.values() for p in t["predictions"] if p["model_version"] == "ft-2"} == ft_ids
    assert studio_client.projects.get(id=first["project_id"]).model_version == "ft-2"


def test_a_corrected_document_s_tasks_take_the_new_offsets_and_keep_their_ids(studio, studio_client, tmp_path):
    """A document edited before its second sentence: each claim gets a new claim_id; the sentences
    that are the same keep their tasks (push_match), and those nobody labelled take the new offsets."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "report.txt"
    first_para = "The govt said the bridge was hit on Monday."
    second_para = "Officials in Kyiv reported 12 drones over the city overnight. The mayor said power was cut."
    doc.write_text(f"{first_para}\n\n{second_para}\n", encoding="utf-8")
    claims = tmp_path / "claims.jsonl"
    assert main(["claims", str(corpus), "--out", str(claims)]) == 0
    title = "refresh corrected document"
    first = push(claims, title, workspace=studio["workspace"], scheme=SCHEME, scope="all", progress=False)
    before = {t["data"]["text"]: t for t in project_tasks(studio_client, first["project_id"])}
    assert len(before) == 3
    annotated = before["The mayor said power was cut."]
    studio_client.annotations.create(id=annotated["id"], result=[lc.choice_result("plain")])

    doc.write_text(f"{first_para.replace('govt', 'government')}\n\n{second_para}\n", encoding="utf-8")
    assert main(["claims", str(corpus), "--out", str(claims)]) == 0
    rows = {row["text"]: row for row in map(json.loads, claims.read_text().splitlines())}
    again = push(claims, title, workspace=studio["workspace"], scheme=SCHEME, scope="all", progress=False)
    assert (again["tasks_added"], again["tasks_kept"], again["tasks_updated"], again["tasks_annotated_kept"]) == (
        1, 2, 1, 1)
    now = {t["data"]["text"]: t for t in project_tasks(studio_client, first["project_id"])}
    moved = "Officials in Kyiv reported 12 drones over the city overnight."
    assert now[moved]["id"] == before[moved]["id"]
    assert now[moved]["data"]["claim_id"] == before[moved]["data"]["claim_id"] != rows[moved]["claim_id"]
    assert now[moved]["data"]["doc_id"] == before[moved]["data"]["doc_id"]
    assert (now[moved]["data"]["start"], now[moved]["data"]["end"]) == (rows[moved]["start"], rows[moved]["end"])
    assert now[moved]["data"]["start"] == before[moved]["data"]["start"] + len("government") - len("govt")
    kept = now["The mayor said power was cut."]
    assert kept["data"] == annotated["data"]   # annotated: its old offsets stay
    # the edited sentence is another claim: a task of its own; the old one is left (said by push_match)
    assert now["The government said the bridge was hit on Monday."]["data"]["doc_id"] == before[moved]["data"]["doc_id"]
    assert "The govt said the bridge was hit on Monday." in now


def test_a_document_a_paragraph_left_is_told_changed_once_when_its_claims_are_made_again(
        studio, studio_client, tmp_path):
    """A paragraph removed: no sentence is new, so no task gives the project the text's document id.
    Claims made again from that same text (after an upgrade, by `stance claims`) carry it again: the
    document is said changed by the push that took the text only (`stance run` said it every other run)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "report.txt"
    paras = ["The govt said the bridge was hit on Monday.", "Officials in Kyiv reported 12 drones overnight.",
             "The mayor said power was cut."]
    doc.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    claims = tmp_path / "claims.jsonl"
    title = "refresh a paragraph removed"

    def again() -> dict:
        assert main(["claims", str(corpus), "--out", str(claims)]) == 0
        return push(claims, title, workspace=studio["workspace"], scheme=SCHEME, scope="all", progress=False)

    first = again()
    doc.write_text(f"{paras[0]}\n\n{paras[2]}\n", encoding="utf-8")
    second = again()
    assert (second["tasks_added"], second["tasks_kept"], second["tasks_gone"]) == (0, 2, 1)
    assert [n for n in second["notes"] if "changed since they were pushed" in n] == [
        "1 document(s) changed since they were pushed: report.txt (2 sentence(s) keep their task, 0 new or changed "
        "sentence(s) get a new task, 1 task(s) whose sentence is no longer there are left in the project). Kept "
        "tasks keep their annotations and claim_id"]
    for _ in range(2):   # the same text, its claims made again: nothing changed since the push that took it
        third = again()
        assert (third["tasks_added"], third["tasks_kept"], third["tasks_updated"], third["tasks_unchanged"]) == (
            0, 2, 0, 2)
        assert not [n for n in third["notes"] if "changed since they were pushed" in n]
        assert third["doc_ids"] == second["doc_ids"]   # `stance run` writes its claims under the project's ids
    assert len(project_tasks(studio_client, first["project_id"])) == 3

    # edited again: told again
    doc.write_text(f"{paras[0]}\n", encoding="utf-8")
    fourth = again()
    assert [n for n in fourth["notes"] if "changed since they were pushed" in n] == [
        "1 document(s) changed since they were pushed: report.txt (1 sentence(s) keep their task, 0 new or changed "
        "sentence(s) get a new task, 2 task(s) whose sentence is no longer there are left in the project). Kept "
        "tasks keep their annotations and claim_id"]


def test_tasks_whose_sentence_is_gone_are_named_then_pruned_unless_someone_worked_on_them(
        studio, studio_client, tmp_path):
    title = "prune gone sentences"
    rows = [claim_row(n) for n in range(9)]   # documents d0, d1, d2: three claims each
    path = write_rows(tmp_path / "v1.jsonl", rows)
    first = push(path, title, workspace=studio["workspace"], scheme=SCHEME, progress=False)
    push(write_rows(tmp_path / "batch2.jsonl", [claim_row(n) for n in range(9, 12)]), title,   # d3: another file's
         workspace=studio["workspace"], scheme=SCHEME, progress=False)
    ids = {t["data"]["claim_id"]: t["id"] for t in project_tasks(studio_client, first["project_id"])}
    studio_client.annotations.create(id=ids["c0001"], result=[lc.choice_result("plain")])
    studio_client.annotations.create(id=ids["c0002"], result=[], was_cancelled=True)   # skipped
    http = studio_client._client_wrapper.httpx_client
    assert http.request(f"api/tasks/{ids['c0004']}/drafts", method="POST",
                        json={"result": [lc.choice_result("plain")], "lead_time": 1}).status_code == 201

    # the claims made again: d0 keeps c0000 only, d1 loses c0005 and keeps c0003 out of --scope claims,
    # d2 is not in the file (its tasks are not this file's to judge)
    write_rows(path, [rows[0], {**rows[3], "is_claim": False, "reason": "question"}, rows[4]])
    second = push(path, title, workspace=studio["workspace"], scheme=SCHEME, scope="claims", progress=False)
    assert (second["tasks_gone"], second["tasks_pruned"]) == (3, 0)
    assert second["gone_worked_ids"] == sorted([ids["c0001"], ids["c0002"]])
    (note,) = [n for n in second["notes"] if "no longer has" in n]
    assert note.startswith("3 task(s) hold a sentence their document no longer has (Doc <0>, Doc <1>): 1 nobody "
                           "worked on stays in the labelling queue; push again with --prune to delete it; 2 annotated")
    assert {t["data"]["claim_id"] for t in project_tasks(studio_client, first["project_id"])} == set(ids)

    # a task annotated after the push read the project is not deleted: the server checks each one
    from tqdm import tqdm
    with tqdm(disable=True) as bar:
        assert delete_unworked(studio_client, first["project_id"],
                               [ids["c0001"], ids["c0002"], ids["c0004"], ids["c0006"]], bar) == 1
    assert "c0006" not in {t["data"]["claim_id"] for t in project_tasks(studio_client, first["project_id"])}

    third = push(path, title, workspace=studio["workspace"], scheme=SCHEME, scope="claims", prune=True, progress=False)
    assert present_line(third) == ("2 already there (0 updated, 2 unchanged, 0 annotated kept as they were), 1 whose "
                                   "sentence is gone deleted")   # as `stance push` and `stance run` print it
    (note,) = [n for n in third["notes"] if "no longer has" in n]
    assert note.startswith("3 task(s) held a sentence their document no longer has (Doc <0>, Doc <1>): 1 nobody had "
                           "worked on was deleted; 2 annotated, skipped or drafted stay, --prune or not (task ids")
    now = {t["data"]["claim_id"]: t for t in project_tasks(studio_client, first["project_id"])}
    assert set(now) == set(ids) - {"c0005", "c0006"}
    assert now["c0001"]["annotations"][0]["result"][0]["value"] == {"choices": ["plain"]}
    assert {"c0007", "c0008", "c0009", "c0010", "c0011"} <= set(now)   # d2 (not in the file) and d3 stay

    again = push(path, title, workspace=studio["workspace"], scheme=SCHEME, scope="claims", prune=True, progress=False)
    assert (again["tasks_gone"], again["tasks_pruned"], len(project_tasks(studio_client, first["project_id"]))) == (
        2, 0, 10)
    worked = ", ".join(str(ids[c]) for c in ("c0001", "c0002"))
    (note,) = [n for n in again["notes"] if "sentence" in n]
    assert note.startswith("2 task(s) held a sentence their document no longer has (Doc <0>): 2 annotated")
    last = push(path, title, workspace=studio["workspace"], scheme=SCHEME, scope="claims", progress=False)
    assert [n for n in last["notes"] if "sentence" in n] == [   # the same two, said by the push before: one line
        f"2 annotated, skipped or drafted task(s) whose sentence is gone still stay, as the previous push said "
        f"(task ids {worked})"]


def test_prune_is_refused_for_pairs_and_without_a_push(tmp_path, capsys):
    pairs = write_rows(tmp_path / "pairs.jsonl", [{"pair_id": "p1", "claim_a": "a", "claim_b": "b"}])
    assert main(["push", "--pairs", str(pairs), "--project", "abc", "--workspace", str(tmp_path / "w"), "--prune"]) == 2
    assert capsys.readouterr().err.strip() == ("error: --prune deletes claim tasks whose sentence is gone; a pairs "
                                               "project has none to prune (leave out --prune, or push claims with --in)")
    assert main(["run", "--workspace", str(tmp_path / "w"), "--no-push", "--prune"]) == 2
    assert capsys.readouterr().err.strip() == ("error: --prune deletes tasks in Label Studio, which --no-push leaves "
                                               "alone; give one of them")
    assert not (tmp_path / "w").exists()
