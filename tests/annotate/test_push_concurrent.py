"""Two pushes of the same claims into one project at once, against a real Label Studio: it has no
de-duplication, so each had found the tasks missing and imported them (into a new project, each had
created one: two projects of one title)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from claimstance.run_state import push_lock

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
    # Both start while a push into the project is under way (held here), so both are at the door at once.
    with push_lock(os.path.realpath(studio["workspace"]), project):
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
