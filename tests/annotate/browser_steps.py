"""Steps the browser tests share: a row pushed alone and its task opened, a task submitted in the
page, a label given through the API and the project pulled."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from annotate.push import find_project
from claimstance.cli import main


def push_and_open(row: dict[str, Any], title: str, studio: dict[str, Any], studio_client: Any, page: Any,
                  path: Path, *push_options: str) -> tuple[Any, Any]:
    """``row`` written to ``path``, pushed alone into project ``title`` and its task opened in ``page``:
    the project and the task."""
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["push", "--workspace", studio["workspace"], "--in", str(path), "--project", title,
                 *push_options]) == 0
    project = find_project(studio_client, title)
    (task,) = list(studio_client.tasks.list(project=project.id))
    page.goto(f"{studio['url']}/projects/{project.id}/data?task={task.id}")
    return project, task


def submit(page: Any, studio_client: Any, task_id: int) -> None:
    """The page's Submit clicked, then up to 30 s for Label Studio to hold the annotation."""
    page.get_by_role("button", name="Submit").click()
    deadline = time.monotonic() + 30
    while not list(studio_client.annotations.list(id=task_id)) and time.monotonic() < deadline:
        time.sleep(0.5)


def select_cue(page: Any, left: float, middle: float, right: float) -> None:
    """The framing-cue span label chosen, then the text from ``left`` to ``right`` at height ``middle``
    dragged over as a person selects it."""
    page.get_by_text("framing cue").first.click()   # the span label, then the selection
    page.mouse.move(left + 1, middle)
    page.mouse.down()
    page.mouse.move((left + right) / 2, middle, steps=5)
    page.mouse.move(right - 1, middle, steps=5)
    page.mouse.up()
    page.wait_for_timeout(500)


def pull(studio: dict[str, Any], title: str, out: Path, name: str) -> list[dict[str, Any]]:
    """`stance pull` of project ``title`` into ``out``: the rows of its file ``name``."""
    assert main(["pull", "--workspace", studio["workspace"], "--project", title, "--out", str(out)]) == 0
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def label_neutral_and_pull(studio: dict[str, Any], studio_client: Any, task_id: int, title: str,
                           out: Path) -> list[dict[str, Any]]:
    """Task ``task_id`` labelled Neutral through the API, then the project pulled: its labels.jsonl rows."""
    studio_client.annotations.create(id=task_id, result=[{"from_name": "stance", "to_name": "claim",
                                                          "type": "choices", "value": {"choices": ["Neutral"]}}])
    return pull(studio, title, out, "labels.jsonl")
