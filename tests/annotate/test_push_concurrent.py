"""Two pushes of the same claims into one project at once, against a real Label Studio: it has no
de-duplication, so each had found the tasks missing and imported them (into a new project, each had
created one: two projects of one title)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from claimstance.run_state import push_lock, push_target

STANCE = [sys.executable, "-c", "import sys; from claimstance.cli import console; sys.argv[0] = 'stance'; "
          "sys.exit(console())"]


def test_two_pushes_at_once_make_one_project_and_no_task_twice(studio, studio_client, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The ministry said the grid was stable on Monday. Engineers reported three "
                                    "outages in the region on Tuesday.", encoding="utf-8")
    claims = tmp_path / "claims.jsonl"
    subprocess.run([*STANCE, "claims", str(tmp_path / "a.txt"), "--out", str(claims)], check=True, capture_output=True)
    project = "push at once"
    command = [*STANCE, "push", "--workspace", str(studio["workspace"]), "--in", str(claims), "--project", project,
               "--scheme", "kremlin_framing", "--all"]
    # Both start while a push into the project is under way (held here, as a push by --url names the
    # server: the same lock as theirs by --workspace), so both are at the door at once.
    with push_lock(push_target(None, studio["url"].replace("127.0.0.1", "localhost") + "/"), project):
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(8)   # both past their imports and waiting
        assert all(run.poll() is None for run in runs)
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("waiting for another push into project 'push at once' to end" in err for _, err in outputs)
    added = sorted(int(out.split(" new ", 1)[0].splitlines()[-1]) for out, _ in outputs)
    assert added == [0, 2], outputs
    titled = [p for p in studio_client.projects.list() if p.title == project]
    assert len(titled) == 1
    assert len(list(studio_client.tasks.list(project=titled[0].id))) == 2


def test_a_push_names_its_server_the_same_by_url_or_by_workspace(tmp_path: Path) -> None:
    (tmp_path / "studio.json").write_text(json.dumps({"url": "http://127.0.0.1:8093", "api_key": "k"}), encoding="utf-8")
    named = push_target(tmp_path)
    assert named == "http://127.0.0.1:8093"
    assert {push_target(None, u) for u in ("http://localhost:8093/", "HTTP://LocalHost:8093", "http://[::1]:8093")} == {named}
    assert push_target(None, "http://127.0.0.1:8094") != named
    assert push_target(None, "https://ls.example.org") == "https://ls.example.org:443"
    # A workspace whose studio.json is missing or broken is named by its real path (the push says what is wrong).
    assert push_target(tmp_path / "none") == str((tmp_path / "none").resolve())
    (tmp_path / "studio.json").write_text("{", encoding="utf-8")
    assert push_target(tmp_path) == str(tmp_path.resolve())
