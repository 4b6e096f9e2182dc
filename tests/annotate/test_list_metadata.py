"""A document's list of names (``"tags": ["war", "energy"]``) stays a list from the claims to the
task, the pull, the dataset (a Sequence of strings), labels.parquet and ``stance evaluate --by``."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace as NS

import datasets
import pyarrow.parquet as pq

from annotate import dataset as ds
from annotate import pull
from annotate.claim_tasks import claim_to_task
from annotate.push_refresh import plan_refresh
from corpus.claimtable import write_parquet
from models.data import load_labelled
from models.evaluate import group_rows

SCHEME = NS(name="toy", labels=[NS(id="pro", name="Pro", hotkey="1"), NS(id="anti", name="Anti", hotkey="2")],
            neutral=None)


def _row(n: int, **meta: object) -> dict:
    return {"claim_id": f"c{n}", "doc_id": f"d{n}", "text": f"Claim number {n} is made here.", "is_claim": True,
            "speaker": "author", "outlet": "Daily", **meta}


def _annotated(n: int, data: dict, label: str) -> dict:
    result = [{"from_name": "stance", "to_name": "claim", "type": "choices", "value": {"choices": [label]}}]
    return {"id": n, "data": data, "predictions": [], "annotations": [
        {"id": n, "completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False,
         "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z", "lead_time": 3.0}]}


def test_a_list_of_names_stays_a_list_in_the_task_and_is_shown_joined():
    data = claim_to_task(_row(1, tags=["war", "energy"], years=[2022, 2023], blank=[], spaces=["", " "]), SCHEME)["data"]
    assert data["tags"] == ["war", "energy"] and data["years"] == ["2022", "2023"]
    assert "blank" not in data and "spaces" not in data   # empty: left out, as an empty text is
    assert '<b>tags</b>: <span dir="auto">war, energy</span>' in data["context_html"]
    left: dict = {}
    long = claim_to_task(_row(2, tags=["word " * 20] * 4), SCHEME, left_out=left)["data"]
    assert "tags" not in long and left == {"tags": "over 300 characters"}   # judged by its joined length, as before


def test_the_pulled_dataset_has_a_list_column_whatever_its_rows_hold(tmp_path: Path):
    metas = [{"tags": ["war", "energy"]}, {"tags": "war"}, {}, {"tags": ["energy"]}]
    tasks = [_annotated(i + 1, claim_to_task(_row(i + 1, **m), SCHEME)["data"], "pro" if i % 2 else "anti")
             for i, m in enumerate(metas)]
    pull.write_pull(tasks, {1: "ann@example.org"}, SCHEME, tmp_path / "p")
    dd = datasets.load_from_disk(str(tmp_path / "p" / "dataset"))
    feature = dd["train"].features["tags"]
    assert getattr(feature, "feature", None) == datasets.Value("string"), feature   # Sequence/List of strings
    tags = {r["claim_id"]: r["tags"] for part in dd.values() for r in part}
    assert tags == {"c1": ["war", "energy"], "c2": ["war"], "c3": None, "c4": ["energy"]}
    table = pq.read_table(tmp_path / "p" / "labels.parquet")
    assert str(table.schema.field("tags").type) == "list<element: string>"
    labels = [json.loads(line) for line in (tmp_path / "p" / "labels.jsonl").read_text().splitlines()]
    assert [r.get("tags") for r in labels] == [["war", "energy"], "war", None, ["energy"]]   # as the documents had them
    # --by tags: a claim with several tags counts under each
    rows = load_labelled(tmp_path / "p" / "dataset", ["pro", "anti"])
    groups = {k: sorted(rows[i]["claim_id"] for i in v) for k, v in group_rows(rows, "tags").items()}
    assert groups == {"war": ["c1", "c2"], "energy": ["c1", "c4"], "(no tags)": ["c3"]}


def test_dataset_columns_keep_other_columns_as_they_were():
    cols = ds.dataset_columns([
        {"claim_id": "c1", "doc_id": "d1", "text": "a", "label": "pro", "tags": ["war", 2022], "mix": [{"k": 1}],
         "names": ["a"], "flag": True},
        {"claim_id": "c2", "doc_id": "d2", "text": "b", "label": "anti", "tags": 7, "mix": "x", "names": None,
         "flag": ["a"]}], ["pro", "anti"])
    assert cols["tags"] == [["war", "2022"], ["7"]] and cols["names"] == [["a"], None]
    assert cols["mix"] == ['[{"k": 1}]', '"x"'] and cols["flag"] == ["true", '["a"]']   # not names: JSON text


def test_claims_parquet_makes_a_column_of_lists_and_lone_names_a_list_column(tmp_path: Path):
    path = tmp_path / "claims.jsonl"
    rows = [_row(1, tags=["war", "energy"]), _row(2, tags="war"), _row(3), _row(4, extra=["a"], other={"k": 1})]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    table = pq.read_table(write_parquet(path))
    assert str(table.schema.field("tags").type) == "list<element: string>"
    assert table.column("tags").to_pylist() == [["war", "energy"], ["war"], None, None]
    assert table.column("other").to_pylist() == [None, None, None, '{"k": 1}']


def test_a_task_annotated_before_lists_were_kept_is_not_reported_changed():
    pushed = claim_to_task(_row(1, tags=["war", "energy"]), SCHEME)
    held = {**pushed["data"], "tags": "war, energy"}   # as a push before this one made it
    plan = plan_refresh([pushed], "claim_id", {"c1": 7}, {7: held}, {7}, {})
    assert plan.kept == {} and plan.unchanged == 1
    free = plan_refresh([pushed], "claim_id", {"c1": 7}, {7: held}, set(), {})   # nobody worked on it: updated
    assert free.updated == [7] and free.data[7]["tags"] == ["war", "energy"]
    other = plan_refresh([pushed], "claim_id", {"c1": 7}, {7: {**held, "tags": "war"}}, {7}, {})
    assert other.kept == {7: ["tags"]}
