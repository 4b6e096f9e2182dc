"""studio_server.py's export speed-up changes nothing a pull reads: the snapshot export of a small
project, serialised in Label Studio's own interpreter with and without ``_fast_export``, is the same
JSON, and the patched export no longer runs one query a task."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from annotate import labelconfig as lc
from annotate import pull, pull_rows
from annotate import studio as studio_server
from annotate.claim_tasks import claim_to_task, pair_to_task
from models.schemes import load_scheme

# Run by Label Studio's interpreter on a copy of the test server's database: export twice, the
# second time after the patch, and write both exports and their query counts to a JSON file.
EXPORT_TWICE = r'''
import json, os, sys
data_dir, project_ids, patch_dir, options, out = sys.argv[1:6]
os.environ.update(LABEL_STUDIO_BASE_DATA_DIR=data_dir, LATEST_VERSION_CHECK="false", COLLECT_ANALYTICS="false")
import label_studio.server as server
server._setup_env()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from data_export.models import Export
from projects.models import Project
sys.path.insert(0, patch_dir)
import studio_server

def export(pid):
    project = Project.objects.get(id=pid)
    with CaptureQueriesContext(connection) as queries:
        tasks = list(Export(project=project, created_by=project.created_by).get_export_data(**json.loads(options)))
    return {"tasks": json.loads(json.dumps(tasks)), "queries": len(queries)}

pids = [int(p) for p in project_ids.split(",")]
plain = {pid: export(pid) for pid in pids}
studio_server._fast_export()
fast = {pid: export(pid) for pid in pids}
with open(out, "w") as handle:
    json.dump({"plain": plain, "fast": fast}, handle)
'''


def _interpreter() -> str:
    command = studio_server._launcher(studio_server.find_binary())
    if len(command) < 2:
        pytest.skip("Label Studio does not run through studio_server.py here (no Python shebang)")
    return command[0]


def _claims_project(client: Any) -> int:
    """Five claims with two predictions each, annotated (one skipped, one by two passes)."""
    scheme = load_scheme("kremlin_framing")
    ids = [label.id for label in scheme.labels]
    project = client.projects.create(title="Export patch (claims)", label_config=lc.label_config(scheme))
    me = client.users.whoami().id
    tasks = []
    for i in range(5):
        row = {"claim_id": f"ex{i}", "doc_id": f"doc{i % 2}", "text": f"Claim {i} <b>bold</b>.", "outlet": "Outlet",
               "speaker": "author", "is_claim": True, "prediction": ids[i % 3], "score": 0.4 + i / 10,
               "model_version": "m-1"}
        task = claim_to_task(row, scheme)
        task["predictions"].append({**task["predictions"][0], "model_version": "m-2", "score": 0.9})
        if i < 4:
            task["annotations"] = [{"completed_by": me, "lead_time": 2.0 + i, "was_cancelled": i == 3,
                                    "result": [] if i == 3 else [lc.choice_result(ids[(i + 1) % 3])]}]
        tasks.append(task)
    client.projects.import_tasks(id=project.id, request=tasks)
    listed = {t.data["claim_id"]: t.id for t in client.tasks.list(project=project.id, fields="all")}
    client.annotations.create(id=listed["ex0"], result=[lc.choice_result(ids[0])], lead_time=9.0)
    client.annotations.create(id=listed["ex4"], result=[lc.choice_result(ids[2])], lead_time=1.5)
    client.annotations.create(id=listed["ex3"], result=[lc.choice_result(ids[1])], lead_time=3.0)   # after a skip
    return project.id


def _pairs_project(client: Any) -> int:
    project = client.projects.create(title="Export patch (pairs)", label_config=lc.pairs_config())
    tasks = [pair_to_task({"claim_a": f"a{i}", "claim_b": f"b{i}", "doc_a": "d1", "doc_b": "d2", "text_a": "One.",
                           "text_b": "Two.", "similarity": 0.6 + i / 10}) for i in range(3)]
    for i, task in enumerate(tasks[:2]):
        task["annotations"] = [{"result": [lc.choice_result(lc.RELATION_IDS[i], from_name=lc.RELATION,
                                                            to_name=lc.PAIR_A)]}]
    client.projects.import_tasks(id=project.id, request=tasks)
    return project.id


def _copy_database(workspace: str, target: Path) -> None:
    """A consistent copy of the running server's SQLite database (the backup API, not a file copy)."""
    target.mkdir()
    source = sqlite3.connect(Path(workspace) / "studio" / "label_studio.sqlite3")
    copy = sqlite3.connect(target / "label_studio.sqlite3")
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def test_patched_export_is_the_same_json_with_fewer_queries(studio, studio_client, tmp_path):
    claims, pairs = _claims_project(studio_client), _pairs_project(studio_client)
    _copy_database(studio["workspace"], tmp_path / "data")
    script = tmp_path / "export_twice.py"
    script.write_text(EXPORT_TWICE, encoding="utf-8")
    out = tmp_path / "exports.json"
    patch_dir = str(Path(studio_server.__file__).parent)
    done = subprocess.run([_interpreter(), str(script), str(tmp_path / "data"), f"{claims},{pairs}", patch_dir,
                           json.dumps(pull.SNAPSHOT_OPTIONS), str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    plain, fast = result["plain"], result["fast"]

    for pid, n_annotated in ((str(claims), 5), (str(pairs), 2)):
        assert fast[pid]["tasks"] == plain[pid]["tasks"]
        assert len(fast[pid]["tasks"]) == n_annotated
    claim_tasks = plain[str(claims)]["tasks"]
    # the export carries what a pull reads: ids of both predictions, the annotator's email, the shown pre-label
    assert all(len(task["predictions"]) == 2 for task in claim_tasks)
    first = next(task for task in claim_tasks if task["data"]["claim_id"] == "ex0")
    assert {a["completed_by"]["email"] for a in first["annotations"]} == {studio["username"]}
    rows = pull_rows.tasks_to_rows(fast[str(claims)]["tasks"], load_scheme("kremlin_framing"))
    assert len(rows) == 7 and sum(r["skipped"] for r in rows) == 1
    # unpatched: a query a task for its prediction ids; patched: one prefetch query for the batch
    for pid, n_tasks in ((str(claims), 5), (str(pairs), 2)):
        assert plain[pid]["queries"] - fast[pid]["queries"] == n_tasks - 1
    assert fast[str(claims)]["queries"] == fast[str(pairs)]["queries"]   # the same whatever the number of tasks
