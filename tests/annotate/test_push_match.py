"""Which tasks of a project stand for an edited document's claims (annotate.push_match): no server."""

from __future__ import annotations

import os

from annotate.push_match import edited_note, match, relative_files
from corpus.records import content_id, make_claim_id


def doc_tasks(text: str, file: str | None, title: str = "A page", doc_id: str | None = None,
              drop_file: bool = False) -> list[dict]:
    """Claim tasks as a push makes them: one a sentence (split at '. '), ids from the content."""
    doc = doc_id or content_id(text)
    tasks, start = [], 0
    for piece in text.split(". "):
        sentence = piece if piece.endswith(".") else piece + "."
        start = text.index(sentence, start)
        data = {"claim_id": make_claim_id(doc, start, start + len(sentence), sentence), "doc_id": doc,
                "text": sentence, "start": start, "end": start + len(sentence), "title": title, "outlet": "Outlet"}
        if file and not drop_file:
            data["source_file"] = file
        tasks.append({"data": data, "predictions": []})
        start += len(sentence)
    return tasks


def project(tasks: list[dict]) -> dict[int, dict]:
    return {n: t["data"] for n, t in enumerate(tasks, start=1)}


V1 = "The strike hit a block. Nine people died. Officials blamed air defence. Rescuers worked all night."
V2 = "The strike hit a block . Nine people died. Officials blamed air defence. Rescuers worked all night."


def test_an_edited_file_keeps_its_unchanged_sentences_tasks_and_its_document_id():
    old = doc_tasks(V1, "state_ria.html")
    new = doc_tasks(V2, "state_ria.html")
    assert not {t["data"]["claim_id"] for t in old} & {t["data"]["claim_id"] for t in new}   # every id changed
    found = match(new, project(old))
    # three unchanged sentences keep their tasks (1-based task ids 2-4); the edited one is new
    assert found.tasks == {new[1]["data"]["claim_id"]: 2, new[2]["data"]["claim_id"]: 3, new[3]["data"]["claim_id"]: 4}
    assert found.claim_ids[new[1]["data"]["claim_id"]] == old[1]["data"]["claim_id"]
    assert found.doc_ids == {new[0]["data"]["doc_id"]: old[0]["data"]["doc_id"]}
    assert dict(found.files["state_ria.html"]) == {"kept": 3, "added": 1, "left": 1}
    note = edited_note(found.files)
    assert note.startswith("1 document(s) changed since they were pushed: state_ria.html (3 sentence(s) keep their "
                           "task, 1 new or changed sentence(s) get a new task, 1 task(s) whose sentence is no longer")


def test_another_file_with_the_same_sentences_is_a_new_document():
    old = doc_tasks(V1, "a.md")
    new = doc_tasks(V2, "b.md", title="Other")   # b.md is new; a.md is not in this push (pushed alone)
    found = match(new, project(old))
    assert found.tasks == {} and found.doc_ids == {} and found.files == {}


def test_tasks_without_a_file_are_told_by_the_workspace_s_record_or_by_a_shared_place():
    old = doc_tasks(V1, "state_ria.html", drop_file=True)   # pushed by an older stance
    # an edit at the very start: no sentence keeps its offsets, so only the workspace's record tells
    shifted = "Breaking: the strike hit a block. Nine people died. Officials blamed air defence. Rescuers worked all night."
    new = doc_tasks(shifted, "state_ria.html")
    assert match(new, project(old)).tasks == {}
    found = match(new, project(old), known_files={old[0]["data"]["doc_id"]: "state_ria.html"})
    assert len(found.tasks) == 3 and found.files["state_ria.html"]["added"] == 1
    # an edit later in the text: the sentences before it share their place with a task
    later = doc_tasks(V1.replace("all night", "all night long"), "state_ria.html")
    found = match(later, project(old))
    assert len(found.tasks) == 3 and found.doc_ids == {later[0]["data"]["doc_id"]: old[0]["data"]["doc_id"]}


def test_a_later_push_keeps_the_document_id_its_new_sentences_were_given():
    old = doc_tasks(V1, "state_ria.html")
    new = doc_tasks(V2, "state_ria.html")
    first = match(new, project(old))
    # the project after that push: the old tasks, and the new sentence under the old document id
    added = [dict(t, data={**t["data"], "doc_id": first.doc_ids[t["data"]["doc_id"]]})
             for t in new if t["data"]["claim_id"] not in first.tasks]
    held = project(old + added)
    again = match(new, held)
    assert again.tasks == first.tasks and again.doc_ids == first.doc_ids
    assert again.files == {}   # said once, by the push that made the change


def test_a_removal_s_claims_made_again_are_told_once_by_the_text_the_project_took():
    """A sentence removed: no new task gives the project the text's id, so only ``texts_taken`` (what the
    workspace recorded of the push that matched it) tells claims made again from that text."""
    old = doc_tasks(V1, "state_ria.html")
    new = doc_tasks(V1.replace(" Nine people died.", ""), "state_ria.html")
    first = match(new, project(old))
    assert dict(first.files["state_ria.html"]) == {"kept": 3, "added": 0, "left": 1}
    (doc, project_doc), = first.doc_ids.items()
    assert match(new, project(old)).files == first.files                      # not recorded: told again
    assert match(new, project(old), texts_taken={project_doc: doc}).files == {}      # the text taken: not told
    assert match(new, project(old), texts_taken={project_doc: "0123456789abcdef"}).files == first.files   # another text


def test_a_document_with_a_stable_id_whose_offsets_moved_keeps_its_tasks():
    old = doc_tasks(V1, "x.csv", doc_id="x-101", title="@chan")
    new = doc_tasks("Update: " + V1, "x.csv", doc_id="x-101", title="@chan")
    found = match(new, project(old))
    assert len(found.tasks) == 3 and found.doc_ids == {}   # the first sentence changed; the rest moved
    assert dict(found.files["x.csv"]) == {"kept": 3, "added": 1, "left": 1}


def test_in_a_file_of_several_documents_only_the_same_source_s_old_document_is_replaced():
    a_old = doc_tasks("We hit nothing. It was air defence.", "posts.jsonl", title="@state")
    b_old = doc_tasks("They hit a block. It was air defence.", "posts.jsonl", title="@osint")
    a_new = doc_tasks("We hit nothing at all. It was air defence.", "posts.jsonl", title="@state")
    found = match(a_new + b_old, project(a_old + b_old))
    assert list(found.tasks.values()) == [2]   # @state's own sentence, never @osint's
    assert found.doc_ids == {a_new[0]["data"]["doc_id"]: a_old[0]["data"]["doc_id"]}


def test_a_sentence_said_twice_keeps_one_task_each_time():
    old = doc_tasks("Lies. Lies. More.", "p.md")
    new = doc_tasks("Lies. Lies. More. Again.", "p.md")
    found = match(new, project(old))
    assert sorted(found.tasks.values()) == [1, 2, 3] and found.files["p.md"]["added"] == 1


def test_files_are_named_relative_to_the_folder_that_holds_them_all(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"source_file": "corpus/a.md"}, {"source_file": "corpus/sub/b.html"}, {"source_file": None}]
    assert relative_files(rows) == {"corpus/a.md": "a.md", "corpus/sub/b.html": "sub/b.html"}
    absolute = [{"source_file": os.path.abspath("corpus/a.md")}, {"source_file": os.path.abspath("corpus/sub/b.html")}]
    assert sorted(relative_files(absolute).values()) == ["a.md", "sub/b.html"]
    assert relative_files([{"source_file": "corpus/one.txt"}]) == {"corpus/one.txt": "one.txt"}


def test_a_post_with_an_id_of_its_own_never_takes_a_removed_post_s_tasks():
    footer = "Subscribe to our channel."
    gone = doc_tasks("We hit nothing. " + footer, "posts.jsonl", title="@state", doc_id="tg-1-100")
    kept = doc_tasks("Drones flew at night. " + footer, "posts.jsonl", title="@state", doc_id="tg-1-101")
    new = doc_tasks("They lie again. " + footer, "posts.jsonl", title="@state", doc_id="tg-1-102")
    # the export no longer holds post 100; post 102 repeats its footer at the same offsets
    assert match(kept + new, project(gone + kept)).tasks == {}
