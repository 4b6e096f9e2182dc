"""`stance run` as a person uses it: the whole pipeline, then Label Studio and the report in a browser."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from claimstance.cli import main
from claimstance.pipeline import SAMPLE_CORPUS, RunResult, run, summary_lines
from corpus.errors import UserError

pytestmark = pytest.mark.slow

TITLES = ("The Kremlin sells its security services", "Blog repost of a Rossiya Segodnya interview")

def _config(tmp_path: Path, project: str, port: int = 8080) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(f"scheme: kremlin_framing\nproject: {project}\nport: {port}\n"
                    "compare:\n  min_similarity: 0.5\n  top_k: 5\n", encoding="utf-8")
    return path


def test_run_without_label_studio_then_rerun_skips_every_step(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    workspace = tmp_path / "ws"
    first = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert first.documents == 2
    assert first.claims > 40 and first.sentences > first.claims
    rows = [json.loads(line) for line in first.prelabeled_path.read_text(encoding="utf-8").splitlines()]
    assert {r["speaker"] for r in rows} >= {"author", "interviewer", "interviewee", "blogger", "commenter"}
    assert all(abs(sum(r["probs"].values()) - 1) < 1e-4 and r["prediction"] in r["probs"] for r in rows)
    assert first.pairs >= 5 and first.contrasting >= 1
    assert first.skipped_steps == []
    before = {p: p.stat().st_mtime_ns for p in (first.claims_path, first.prelabeled_path)}

    second = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert second.skipped_steps == ["claims", "prelabel", "compare"]
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert (second.claims, second.pairs) == (first.claims, first.pairs)

    # A changed document is noticed: the claims are made again.
    blog = next(corpus.glob("004_*.txt"))
    blog.write_text(blog.read_text(encoding="utf-8") + "\nThe West attacks Russia every day.\n", encoding="utf-8")
    third = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert "claims" not in third.skipped_steps and third.sentences == first.sentences + 1
    text = "\n".join(summary_lines(third))
    assert "documents: 2" in text and "pairs across documents" in text


def test_run_on_one_csv_document_reads_its_column_and_skips_the_comparison(tmp_path, capsys):
    corpus = tmp_path / "one"
    corpus.mkdir()
    (corpus / "notes.csv").write_text(
        'id,body\nn1,"Officials in Kyiv said on Monday that the railway bridge near Zaporizhzhia was hit by three '
        'Russian missiles. The Kiev regime and its Western curators staged the attack to blame Russia, the '
        'ministry in Moscow said."\n', encoding="utf-8")
    workspace = tmp_path / "ws"
    argv = ["run", "--corpus", str(corpus), "--workspace", str(workspace), "--no-push"]
    assert main(argv) == 2   # no 'text' column: nothing could be read, and the run says how to fix it
    assert "choose one with --text-column" in capsys.readouterr().err
    assert main([*argv, "--text-column", "body"]) == 0
    out = capsys.readouterr().out
    assert "documents: 1" in out and "claims: 2" in out
    assert "not run: Label Studio and push (--no-push), compare (one document)" in out
    assert "comparison report" not in out and not (workspace / "run" / "compare").exists()
    # Another corpus in the same workspace: the run says what it replaces.
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    assert main(["run", "--corpus", str(other), "--workspace", str(workspace), "--no-push", "--text-column", "body"]) == 0
    assert f"note: {workspace} last ran on {corpus.resolve()}; this run replaces" in capsys.readouterr().err


def test_a_rerun_still_names_what_it_could_not_read(tmp_path, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(next(SAMPLE_CORPUS.glob("000_*.txt")), corpus / "analysis.txt")
    (corpus / "scan.bin.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    argv = ["run", "--corpus", str(corpus), "--workspace", str(tmp_path / "ws"), "--no-push"]
    for attempt in ("first", "up to date"):
        assert main(argv) == 1, attempt
        captured = capsys.readouterr()
        assert "skipped: " in captured.err and "scan.bin.txt: looks binary" in captured.err, attempt
        assert "inputs skipped: 1" in captured.out, attempt
    assert "[1/5] claims: up to date" in captured.err
    again = run(corpus, workspace=tmp_path / "ws", push=False, project="my own corpus", say=lambda m: None)
    assert again.project == "my own corpus"


def test_the_summary_says_how_to_stop_this_workspace_s_server(tmp_path):
    result = RunResult(workspace=tmp_path / "ws", claims_path=tmp_path / "c.jsonl", prelabeled_path=tmp_path / "p.jsonl",
                       compare_dir=tmp_path / "cmp", studio={"url": "http://127.0.0.1:9", "username": "u"}, project="p")
    text = "\n".join(summary_lines(result))
    assert f"studio stop --workspace {tmp_path / 'ws'}  (or: make stop WORKSPACE={tmp_path / 'ws'})" in text
    result.workspace = Path("workspace")
    assert "stop the server: make stop  (or: " in "\n".join(summary_lines(result))


def test_run_names_a_bad_config_field(tmp_path, capsys):
    bad = tmp_path / "pipeline.yaml"
    bad.write_text("scheme: kremlin_framing\nprojekt: typo\n", encoding="utf-8")
    assert main(["run", "--config", str(bad), "--workspace", str(tmp_path / "ws"), "--no-push"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"pipeline\.yaml: projekt: unknown field \(check the spelling\)", err), err
    with pytest.raises(UserError, match="no such corpus"):
        run(tmp_path / "missing", workspace=tmp_path / "ws", push=False)
    no_model = tmp_path / "no_model.yaml"
    no_model.write_text(f"model: {tmp_path / 'nomodel'}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"no_model\.yaml: model: .*nomodel is not a model directory"):
        run(SAMPLE_CORPUS, no_model, workspace=tmp_path / "ws2", push=False)
    assert not (tmp_path / "ws2").exists()   # found before anything is written
    bad_scheme = tmp_path / "bad_scheme.yaml"
    bad_scheme.write_text("compare:\n  scheme: no_such_scheme\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad_scheme\.yaml: compare\.scheme: unknown scheme 'no_such_scheme'"):
        run(SAMPLE_CORPUS, bad_scheme, workspace=tmp_path / "ws3", push=False)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match="no document could be read"):
        run(tmp_path / "empty.txt", workspace=tmp_path / "ws4", push=False, say=lambda m: None)
    assert not (tmp_path / "ws3").exists() and not (tmp_path / "ws4").exists()


@pytest.mark.browser
def test_run_then_label_studio_and_report_in_a_browser(studio: dict[str, Any], studio_client: Any,
                                                        studio_page: Any, tmp_path, capsys):
    from annotate.push import find_project
    from models.schemes import load_scheme

    project_title = "End to end sample"
    config = _config(tmp_path, project_title, port=studio["port"])
    assert main(["run", "--config", str(config), "--workspace", studio["workspace"]]) == 0
    out = capsys.readouterr().out
    assert studio["url"] in out and studio["username"] in out
    assert studio["password"] not in out and studio["api_key"] not in out

    ls = studio_client
    project = find_project(ls, project_title)
    tasks = list(ls.tasks.list(project=project.id, fields="all"))
    claims = [json.loads(line) for line in
              (Path(studio["workspace"]) / "run" / "prelabeled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(tasks) == sum(1 for c in claims if c["is_claim"])
    assert all(t.predictions for t in tasks), "every task carries a pre-label"

    # Running again doubles nothing.
    assert main(["run", "--config", str(config), "--workspace", studio["workspace"]]) == 0
    assert len(list(ls.tasks.list(project=project.id))) == len(tasks)

    # a claim from the middle of a paragraph, so the paragraph shows more than the claim
    task = next(t for t in tasks if any(c["claim_id"] == t.data["claim_id"] and len(c["context"]) > len(c["text"]) + 40
                                        for c in claims))
    scheme = load_scheme("kremlin_framing")
    prediction = task.predictions[0]
    result = prediction["result"] if isinstance(prediction, dict) else prediction.result
    (predicted,) = result[0]["value"]["choices"]
    report = Path(studio["workspace"]) / "run" / "compare" / "report.html"
    row = next(c for c in claims if c["claim_id"] == task.data["claim_id"])
    # the claim is shown inside its paragraph: words of the paragraph outside the claim are on the page
    context_words = [w for w in re.findall(r"[A-Za-z]{6,}", row["context"]) if w not in row["text"]][:3]
    assert context_words, "pick a claim whose paragraph holds more than the claim"
    page = studio_page
    page.goto(f"{studio['url']}/projects/")
    page.get_by_text(project_title).first.wait_for(timeout=60_000)
    page.goto(f"{studio['url']}/projects/{project.id}/data?task={task.id}")
    page.get_by_text(row["text"][:40]).first.wait_for(timeout=60_000)
    page.wait_for_timeout(2000)
    try:
        shown = scheme.label(predicted).name
        assert page.locator(f'input[type=radio][name="{shown}"]').is_checked(), "the pre-label is selected"
        body = page.inner_text("body")
        assert all(w in body for w in context_words), context_words
    except AssertionError:
        page.screenshot(path=str(tmp_path / "task-failure.png"))
        raise
    page.goto(report.resolve().as_uri())
    text = page.inner_text("body")
    assert all(title in text for title in TITLES)
