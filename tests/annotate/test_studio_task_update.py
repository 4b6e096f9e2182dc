"""studio_server.py's lean task update changes nothing a PATCH does: on a copy of the test server's
database, run in Label Studio's own interpreter, the same PATCH answers the same JSON and leaves the
same task with and without ``_lean_task_updates``, with fewer queries; a GET and a missing task
answer as before."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from annotate import labelconfig as lc
from annotate import studio as studio_server
from annotate.claim_tasks import claim_to_task
from models.schemes import load_scheme
from tests.annotate.test_studio_export import _copy_database, _interpreter

# Run by Label Studio's interpreter: PATCH a task, put it back, then the same PATCH after the patch.
PATCH_TWICE = r'''
import json, os, sys
data_dir, task_id, token, patch_dir, out = sys.argv[1:6]
os.environ.update(LABEL_STUDIO_BASE_DATA_DIR=data_dir, LATEST_VERSION_CHECK="false", COLLECT_ANALYTICS="false",
                  LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true")
import label_studio.server as server
server._setup_env()
from django.db import connection
from django.test import Client
from tasks.models import Task
sys.path.insert(0, patch_dir)
import studio_server

client = Client(HTTP_AUTHORIZATION=f"Token {token}")
original = Task.objects.get(id=task_id).data

def run():
    changed = {**original, "context_html": original["context_html"] + " Corrected."}
    queries = []   # counted as run (a request resets Django's own query log when it starts)
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        answer = client.patch(f"/api/tasks/{task_id}/", data=json.dumps({"data": changed}),
                              content_type="application/json")
    body = answer.json()
    stored = Task.objects.get(id=task_id)
    got = client.get(f"/api/tasks/{task_id}/")
    missing = client.patch("/api/tasks/999999/", data=json.dumps({"data": changed}), content_type="application/json")
    Task.objects.filter(id=task_id).update(data=original)   # back, for the next run
    return {"status": answer.status_code, "body": body, "stored": stored.data, "queries": len(queries),
            "get": sorted(got.json()), "missing": missing.status_code}

plain = run()
studio_server._lean_task_updates()
lean = run()
with open(out, "w") as handle:
    json.dump({"plain": plain, "lean": lean}, handle)
'''


def test_a_lean_task_update_answers_and_stores_the_same_with_fewer_queries(studio, studio_client, tmp_path):
    scheme = load_scheme("kremlin_framing")
    project = studio_client.projects.create(title="Lean task update", label_config=lc.label_config(scheme))
    row = {"claim_id": "up1", "doc_id": "d1", "text": "Claim <b>one</b>.", "context": "Before. Claim <b>one</b>.",
           "outlet": "Outlet", "speaker": "author", "is_claim": True, "prediction": scheme.labels[0].id,
           "score": 0.7, "model_version": "m-1"}
    studio_client.projects.import_tasks(id=project.id, request=[claim_to_task(row, scheme)])
    (task,) = studio_client.tasks.list(project=project.id, fields="all")
    studio_client.annotations.create(id=task.id, result=[lc.choice_result(scheme.labels[1].id)])
    _copy_database(studio["workspace"], tmp_path / "data")
    script = tmp_path / "patch_twice.py"
    script.write_text(PATCH_TWICE, encoding="utf-8")
    out = tmp_path / "patches.json"
    done = subprocess.run([_interpreter(), str(script), str(tmp_path / "data"), str(task.id), studio["api_key"],
                           str(Path(studio_server.__file__).parent), str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    plain, lean = json.loads(out.read_text())["plain"], json.loads(out.read_text())["lean"]
    assert plain["status"] == lean["status"] == 200
    assert plain["stored"] == lean["stored"] and lean["stored"]["context_html"].endswith(" Corrected.")
    for body in (plain["body"], lean["body"]):
        body.pop("updated_at")
        for item in body["annotations"] + body["predictions"]:
            item.pop("created_ago", None)
    assert plain["body"] == lean["body"]
    assert len(lean["body"]["annotations"]) == len(lean["body"]["predictions"]) == 1
    assert plain["get"] == lean["get"] and plain["missing"] == lean["missing"] == 404
    assert lean["queries"] < plain["queries"]
