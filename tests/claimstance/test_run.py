"""`stance run` as a person uses it: the whole pipeline, then Label Studio and the report in a browser."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from claimstance.cli import main
from claimstance.pipeline import SAMPLE_CORPUS, RunResult, run, summary_lines
from corpus.sources import ReadOptions
from claimstance.run_state import RunState, check_run_project
from corpus.errors import UserError

pytestmark = pytest.mark.slow

TITLES = ("The Kremlin sells its security services", "Blog repost of a Rossiya Segodnya interview")

def _config(tmp_path: Path, project: str, port: int = 8080) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(f"scheme: kremlin_framing\nproject: {project}\nport: {port}\n"
                    "compare:\n  min_similarity: 0.5\n  top_k: 5\n", encoding="utf-8")
    return path


def test_run_without_label_studio_then_rerun_skips_every_step(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    workspace = tmp_path / "ws"
    import claimstance.pipeline as pipeline

    read, read_jsonl = [], pipeline.read_jsonl   # the files the run itself reads (the comparison reads its own)

    def counted(path, *args, **kwargs):
        read.append(Path(path).name)
        return read_jsonl(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "read_jsonl", counted)
    first = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert read.count("prelabeled.jsonl") == 1, read   # counted once for the summary and step 5 (twice before)
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
    # A hand-edited state.json whose step entry is no longer an object: that step runs again, no traceback.
    state = json.loads((workspace / "run" / "state.json").read_text(encoding="utf-8"))
    (workspace / "run" / "state.json").write_text(json.dumps({**state, "claims": ["garbled"]}), encoding="utf-8")
    garbled = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert garbled.skipped_steps == ["prelabel", "compare"] and garbled.claims == first.claims

    # A changed document is noticed: the claims are made again.
    blog = next(corpus.glob("004_*.txt"))
    blog.write_text(blog.read_text(encoding="utf-8") + "\nThe West attacks Russia every day.\n", encoding="utf-8")
    third = run(corpus, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None)
    assert "claims" not in third.skipped_steps and third.sentences == first.sentences + 1
    text = "\n".join(summary_lines(third))
    assert "documents: 2" in text and "pairs across documents" in text


def test_run_shows_the_pre_labelling_s_progress_on_a_terminal_s_stderr(tmp_path, capsys, monkeypatch):
    # Step 2 ran with no bar while the claims and the comparison showed theirs (20,100 claims: 10 s).
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["run", "--workspace", str(tmp_path / "ws"), "--no-push"]) == 0
    shown, out = err.getvalue(), capsys.readouterr().out
    assert "[2/5] pre-labels: bootstrap" in shown and "pre-labelling:   0%" in shown and "0/199" in shown
    # and over the whole step, not its first pass alone: the evidence combined, then the rows written
    step = shown[shown.index("[2/5]"):shown.index("[5/5]")]
    combining = step.find("pre-labelling: combining every claim's evidence: 100%")
    assert step.index("pre-labelling: 100%") < combining < step.index("writing pre-labels:   0%"), step
    assert "evidence:   0%" not in step   # the writing bar starts under its own name
    assert "pre-labelling" not in out and "[2/5]" not in out   # the summary on stdout is as it was
    assert "pairs across documents: " in out and "pre-labels of the statements, by source type:" in out


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
    assert "pairs across documents" not in out   # QA: it said 'pairs across documents: 0 ..., topics: 0'
    assert "comparison report" not in out and not (workspace / "run" / "compare").exists()
    # Another corpus in the same workspace: the run says what it replaces.
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    assert main(["run", "--corpus", str(other), "--workspace", str(workspace), "--no-push", "--text-column", "body"]) == 0
    assert f"note: {workspace} last ran on {corpus.resolve()}; this run replaces" in capsys.readouterr().err
    # A run that pushed nothing claims no project for its claims.
    made = workspace / "run" / "prelabeled.jsonl"
    check_run_project(str(made), "my corpus")
    # After a run that pushed to a project, its claims are refused for another, before any server is asked.
    RunState(workspace / "run" / "state.json").set("project", "claimstance sample")
    assert main(["push", "--in", str(made), "--project", "my corpus", "--workspace", str(workspace)]) == 2
    err = capsys.readouterr().err
    assert f"`stance run` made these claims for project 'claimstance sample', from {other.resolve()}" in err
    assert "would mix that corpus into it. Push them with --project 'claimstance sample'" in err
    check_run_project(str(made), "claimstance sample")       # the run's own project: no objection
    copied = tmp_path / "prelabeled.jsonl"
    shutil.copy(made, copied)
    check_run_project(str(copied), "my corpus")              # copied out of the run: pushed on purpose
    # A file left in the run folder by an earlier run on another corpus holds none of this run's claims.
    older = workspace / "run" / "prelabeled-v2.jsonl"
    older.write_text(json.dumps({"claim_id": "not-this-run", "text": "x"}) + "\n", encoding="utf-8")
    for title in ("my corpus", "claimstance sample"):
        with pytest.raises(UserError, match=r"prelabeled-v2\.jsonl: none of its claims is among the claims `stance run` "
                                            r"last made in .*: it comes from an earlier run"):
            check_run_project(str(older), title)
    check_run_project(str(workspace / "run" / "claims.jsonl"), "claimstance sample")
    check_run_project(str(workspace / "run" / "absent.jsonl"), "my corpus")   # push says the file is missing


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


def test_the_push_scope_of_the_config_and_the_older_push_all(tmp_path):
    from claimstance.config import load_pipeline_config

    path = tmp_path / "p.yaml"
    for text, scope in (("", "statements"), ("push_scope: claims\n", "claims"), ("push_all: true\n", "all")):
        path.write_text(text, encoding="utf-8")
        assert load_pipeline_config(path).scope == scope
    path.write_text("push_scope: every\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"p\.yaml: push_scope: .*'claims', 'statements' or 'all'"):
        load_pipeline_config(path)
    path.write_text("push_all: true\npush_scope: claims\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"push_all: true and push_scope: claims ask for different sentences"):
        load_pipeline_config(path)


def test_the_scope_options_of_push_and_compare_cannot_disagree_with_their_shorthands(tmp_path, capsys):
    for argv in (["push", "--in", "x.jsonl", "--project", "abc", "--all", "--scope", "claims"],
                 ["compare", "--in", "x.jsonl", "--out", str(tmp_path / "c"), "--all-sentences", "--scope", "claims"]):
        assert main(argv) == 2
        assert "ask for different sentences; give one of them" in capsys.readouterr().err


def test_the_commands_the_summary_prints_are_shell_safe(tmp_path):
    import shlex

    from claimstance.pipeline import RunResult, summary_lines

    w = tmp_path / "my work"
    result = RunResult(workspace=w, claims_path=w / "run" / "claims.jsonl", prelabeled_path=w / "run" / "p.jsonl",
                       compare_dir=w / "run" / "compare", project="audit it's $(id)",
                       studio={"url": "http://127.0.0.1:8080", "username": "admin@claimstance.local"})
    pull = next(line for line in summary_lines(result) if " pull --workspace " in line)
    argv = shlex.split(pull)
    assert argv[argv.index("--project") + 1] == "audit it's $(id)" and argv[argv.index("--workspace") + 1] == str(w)


def test_the_no_source_type_note_tells_an_empty_column_from_a_missing_one(tmp_path):
    from claimstance.pipeline import RunResult, summary_lines

    w = tmp_path / "ws"
    result = RunResult(workspace=w, claims_path=w / "run" / "claims.jsonl", prelabeled_path=w / "run" / "p.jsonl",
                       compare_dir=w / "run" / "compare", project="p")
    result.no_source_type = ["a.csv"] * 3 + ["b.csv"] * 2
    result.empty_source_type = {"a.csv"}

    def note() -> str:
        return next(line for line in summary_lines(result) if "have no source_type" in line)

    assert note().endswith("(in a.csv the source_type column is there but empty: fill it in) (or, for rows that "
                           "name it in a column, `--column source_type=COLUMN`)")
    result.empty_source_type = {"a.csv", "b.csv"}   # both have the column: naming another one cannot help
    assert note().endswith("(in a.csv, b.csv the source_type column is there but empty: fill it in)")


def test_a_run_without_corpus_or_project_never_leaves_the_workspace_s_work_for_the_defaults(tmp_path):
    from claimstance.pipeline import _check_same_work
    from claimstance.run_state import RunState

    workspace, corpus = tmp_path / "ws", tmp_path / "team corpus"
    corpus.mkdir()
    _check_same_work(workspace, SAMPLE_CORPUS, "claimstance sample", True, False, False)   # a new workspace: fine
    state = RunState(workspace / "run" / "state.json")
    state.done("claims", "k", corpus=corpus.resolve().as_posix())
    state.set("project", "team7")
    with pytest.raises(UserError) as err:   # `stance run --workspace ws --model M`: the sample, a new project
        _check_same_work(workspace, SAMPLE_CORPUS, "claimstance sample", True, False, False)
    assert str(err.value).startswith(f"{workspace} last ran on {corpus.resolve().as_posix()} and pushing to project "
                                     "'team7'; with no --corpus and no --project this run would use the sample corpus")
    assert f"give --corpus '{corpus.resolve().as_posix()}' --project team7 to go on with that work" in str(err.value)
    with pytest.raises(UserError, match=r"with no --project this run would use project 'claimstance sample': give "
                                        r"--project team7 to go on"):
        _check_same_work(workspace, corpus, "claimstance sample", True, True, False)
    _check_same_work(workspace, corpus, "claimstance sample", True, True, True)   # named on purpose
    _check_same_work(workspace, corpus, "claimstance sample", False, True, False)  # no push: no project to fork
    _check_same_work(workspace, corpus, "team7", True, True, False)   # the config names it
    # run itself checks before it writes: no --corpus after a run on the team's corpus
    with pytest.raises(UserError, match=r"with no --corpus this run would use the sample corpus"):
        run(None, workspace=workspace, push=False, say=lambda m: None)
    assert sorted(p.name for p in (workspace / "run").iterdir()) == ["state.json"]
    corpus.rmdir()   # the team's corpus gone from disk (an unmounted drive): --corpus is still needed
    with pytest.raises(UserError, match="with no --corpus"):
        _check_same_work(workspace, SAMPLE_CORPUS, "team7", True, False, False)
    # the checkout moved: the last run's sample path is gone, the sample's path is new
    state.done("claims", "k", corpus=(tmp_path / "old checkout" / "corpus" / "sample").as_posix())
    _check_same_work(workspace, SAMPLE_CORPUS, "team7", True, False, False)


def test_stance_run_reads_a_corpus_as_last_time_until_given_other_reading_options(tmp_path, capsys):
    corpus, workspace = tmp_path / "corpus", tmp_path / "ws"
    corpus.mkdir()
    (corpus / "posts.csv").write_text("id,body,text\n1,Kiev staged the attack on Monday.,Kyiv was shelled overnight.\n",
                                      encoding="utf-8")

    def texts(*options: str) -> set[str]:
        assert main(["run", "--corpus", str(corpus), "--workspace", str(workspace), "--no-push", *options]) == 0
        claims = (workspace / "run" / "claims.jsonl").read_text(encoding="utf-8").splitlines()
        return {json.loads(line)["text"] for line in claims}

    assert texts("--text-column", "body") == {"Kiev staged the attack on Monday."}
    assert texts() == {"Kiev staged the attack on Monday."}   # as the last run read it, with a note
    assert "note: reading the corpus's CSV/JSONL as" in capsys.readouterr().err
    assert texts("--text-column", "text") == {"Kyiv was shelled overnight."}   # the default, given: taken


def test_the_next_pull_goes_beside_a_pull_of_another_project(tmp_path):
    import shlex

    from claimstance.pipeline import RunResult, summary_lines

    w = tmp_path / "ws"
    result = RunResult(workspace=w, claims_path=w / "run" / "claims.jsonl", prelabeled_path=w / "run" / "p.jsonl",
                       compare_dir=w / "run" / "compare", project="second",
                       studio={"url": "http://127.0.0.1:8080", "username": "admin@claimstance.local"})

    def suggested() -> tuple[str, str]:
        lines = summary_lines(result)
        pull = shlex.split(next(line for line in lines if " pull --workspace " in line))
        train = shlex.split(next(line for line in lines if " train --data " in line))
        return pull[pull.index("--out") + 1], train[train.index("--data") + 1]

    assert suggested() == (str(w / "pulled"), str(w / "pulled" / "dataset"))
    for folder, project in (("pulled", "first"), ("pulled-2", "third")):
        (w / folder).mkdir(parents=True)
        (w / folder / "report.json").write_text(json.dumps({"project": project}), encoding="utf-8")
    assert suggested() == (str(w / "pulled-3"), str(w / "pulled-3" / "dataset"))
    (w / "pulled-2" / "report.json").write_text(json.dumps({"project": "second"}), encoding="utf-8")
    assert suggested() == (str(w / "pulled-2"), str(w / "pulled-2" / "dataset"))   # its own earlier pull


def test_run_scope_overrides_the_config(tmp_path):
    result = run(SAMPLE_CORPUS, _config(tmp_path, "scoped"), workspace=tmp_path / "ws", push=False,
                 scope="claims", say=lambda m: None)
    assert result.scope == "claims" and result.in_scope == result.claims
    compared = [json.loads(line) for line in (tmp_path / "ws" / "run" / "compare" / "pairs.jsonl").read_text(
        encoding="utf-8").splitlines()]
    claims = {json.loads(line)["claim_id"]: json.loads(line) for line in result.claims_path.read_text(
        encoding="utf-8").splitlines()}
    assert compared and all(claims[p[key]]["is_claim"] for p in compared for key in ("claim_a", "claim_b"))


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
    # The statements go (the claims, opinions and not check-worthy assertions), no scaffolding, no question.
    statements = [c for c in claims if c["is_claim"] or c["reason"] in ("opinion", "not_checkworthy", "headline")]
    assert len(tasks) == len(statements) > sum(1 for c in claims if c["is_claim"])
    assert {t.data["reason"] for t in tasks} <= {"claim", "opinion", "not_checkworthy", "headline"}
    assert f"statements: {len(statements)} (the claims, headlines, opinions and other assertions)" in out
    assert all(t.predictions for t in tasks), "every task carries a pre-label"
    state = json.loads((Path(studio["workspace"]) / "run" / "state.json").read_text(encoding="utf-8"))
    assert state["project"] == project_title   # what `stance push --in W/run/...` checks

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


def test_the_summary_names_documents_without_a_source_type_and_never_trains_over_a_model(tmp_path):
    from claimstance import pipeline
    from claimstance.terminal import shell_word

    workspace = tmp_path / "ws"
    result = RunResult(workspace=workspace, claims_path=tmp_path / "c.jsonl", prelabeled_path=tmp_path / "p.jsonl",
                       compare_dir=tmp_path / "cmp", studio={"url": "http://127.0.0.1:9", "username": "u"}, project="p",
                       by_source={"kremlin_framing": Counter(neutral=2), "(no source_type)": Counter(kremlin_framing=1)},
                       no_source_type=["corpus/07_tass_followup.txt"], corpus="corpus/in")
    text = "\n".join(summary_lines(result))
    assert "  (no source_type): kremlin_framing 1" in text
    assert ("note: 1 document(s) have no source_type (no manifest entry gives one): corpus/07_tass_followup.txt; "
            "give each an entry with `source_type:` in the corpus's manifest.yaml") in text
    assert f"train --data {workspace / 'pulled' / 'dataset'} --out {workspace / 'model'}\n" in text
    assert f"--out {workspace / 'run' / 'prelabeled-v2.jsonl'} --model {workspace / 'model'}\n" in text
    # The rows of one CSV are named once, with their count, and the column mapping is suggested.
    many = RunResult(**{**result.__dict__, "no_source_type": ["a.txt", "posts.csv", "posts.csv", "posts.csv"]})
    text = "\n".join(summary_lines(many))
    assert ("note: 4 document(s) have no source_type (no manifest entry gives one): a.txt, posts.csv (3 documents); "
            in text) and "`--column source_type=COLUMN`" in text
    # A model trained earlier is not trained over: the next one goes to a new directory, and the summary says why.
    (workspace / "model").mkdir(parents=True)
    text = "\n".join(summary_lines(result))
    assert f"--out {workspace / 'model-2'}\n" in text and f"--model {workspace / 'model-2'}\n" in text
    assert f"(into a new directory: {workspace / 'model'} exists, and `stance train` replaces the --out it is given)" in text
    assert f"--out {workspace / 'run' / 'prelabeled-v3.jsonl'} --model" in text
    assert f"push --workspace {workspace} --in {workspace / 'run' / 'prelabeled-v3.jsonl'} --project p" in text
    # A third model: every directory it must not replace is named, and the pre-labels are a new file too.
    (workspace / "model-2").mkdir()
    third = "\n".join(summary_lines(result))
    assert (f"(into a new directory: {workspace / 'model'} and {workspace / 'model-2'} exist, and `stance train` "
            "replaces") in third and f"--out {workspace / 'model-3'}\n" in third
    assert f"--out {workspace / 'run' / 'prelabeled-v4.jsonl'} --model {workspace / 'model-3'}\n" in third
    (workspace / "model-2").rmdir()
    assert ("  after adding documents, run again with the new model to pre-label the new claims with it:\n"
            f"    .venv/bin/stance run --workspace {workspace} --corpus corpus/in --project p --model {workspace / 'model-2'}"
            ) in text.replace(shell_word(pipeline._stance()), ".venv/bin/stance")   # the whole command: the same corpus and project
    flags = pipeline.read_flags(ReadOptions(text_column="body,text", columns=(("outlet", "Канал"),)))
    text = "\n".join(summary_lines(RunResult(**{**result.__dict__, "read_flags": flags})))
    assert f"--model {workspace / 'model-2'} --text-column body,text --column 'outlet=Канал'\n" in text
    text = "\n".join(summary_lines(RunResult(**{**result.__dict__, "config": "my run.yaml", "scope": "claims"})))
    assert f"--model {workspace / 'model-2'} --config 'my run.yaml' --scope claims\n" in text


def test_a_run_without_reading_options_reads_as_the_workspace_s_last_run_did(tmp_path):
    from claimstance import pipeline
    from claimstance.run_state import RunState

    workspace, corpus = tmp_path / "ws", tmp_path / "corpus"
    corpus.mkdir()
    given = ReadOptions(text_column="body", columns=(("outlet", "channel"),), max_mb=5)
    assert pipeline._last_read_options(workspace, corpus, ReadOptions(), False) == (ReadOptions(), [])   # a new workspace
    RunState(workspace / "run" / "state.json").done("claims", "k", corpus=corpus.resolve().as_posix(),
                                                    read_options=pipeline._options_record(given))
    again, flags = pipeline._last_read_options(workspace, corpus, ReadOptions(), False)
    assert again == given and flags == ["--text-column", "body", "--column", "outlet=channel", "--max-file-mb", "5"]
    other = ReadOptions(text_column="text,body")   # given: taken as given
    assert pipeline._last_read_options(workspace, corpus, other, True) == (other, [])
    # given as the defaults (`--text-column text`): back to them, not the last run's
    assert pipeline._last_read_options(workspace, corpus, ReadOptions(), True) == (ReadOptions(), [])
    assert pipeline._last_read_options(workspace, tmp_path, ReadOptions(), False) == (ReadOptions(), [])   # another corpus


def test_run_model_option_overrides_the_config_and_is_checked_first(tmp_path):
    with pytest.raises(UserError, match=r"^--model .*nomodel is not a model directory; give one from `stance train`$"):
        run(SAMPLE_CORPUS, workspace=tmp_path / "ws", push=False, model=tmp_path / "nomodel")
    assert not (tmp_path / "ws").exists()


def test_a_document_without_a_manifest_entry_is_named_in_the_run_summary(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.yaml").write_text("documents:\n  - file: known.txt\n    outlet: Known Outlet\n"
                                          "    source_type: independent_reporting\n"
                                          "  - file: post.txt\n    source_type: social\n", encoding="utf-8")
    text = "Officials in Kyiv said on Monday that the railway bridge was hit by three missiles overnight. "
    (corpus / "known.txt").write_text(text, encoding="utf-8")
    (corpus / "post.txt").write_text("The railway bridge near the city was closed for repairs on Monday. ", encoding="utf-8")
    (corpus / "followup.txt").write_text("The Kiev regime staged the attack on the bridge, the ministry said. ",
                                         encoding="utf-8")
    result = run(corpus, workspace=tmp_path / "ws", push=False, say=lambda m: None)
    assert result.no_source_type == [str(corpus / "followup.txt")]   # its source_file, as the corpus was given
    assert "(no source_type)" in result.by_source and "independent_reporting" in result.by_source
    assert not any(len(k) == 16 and k.isalnum() for k in result.by_source)   # no bare document hash
    assert "followup.txt; give each an entry with `source_type:`" in "\n".join(summary_lines(result))
    # A source type the scheme does not know groups the pre-labels but informs none: the summary says so.
    assert "social" in result.by_source
    assert ("note: source type social matches none of the source_types of scheme 'kremlin_framing' (independent_media, "
            "independent_reporting, kremlin_framing, pro_kremlin, state_media, wire_service) nor its label ids, so it "
            "does not inform the pre-labels") in "\n".join(summary_lines(result))


def test_the_source_type_note_names_unknown_values_or_a_scheme_without_the_source_type_labeller():
    from models.schemes import load_scheme, source_type_note

    scheme = load_scheme("kremlin_framing")
    assert source_type_note(["state_media", "neutral", "(none)"], scheme, missing="(none)") is None
    assert source_type_note(["(none)"], scheme, missing="(none)") is None
    note = source_type_note(["social", "independent", "state_media"], scheme, missing="(none)")
    assert note.startswith("source types independent, social match none of the source_types of scheme 'kremlin_framing'")
    assert "did you mean" not in note
    typo = source_type_note(["kremlin_framin", "Independent media"], scheme, missing="(none)")
    assert "('Independent media': did you mean 'independent_media'?; 'kremlin_framin': did you mean 'kremlin_framing'?)" in typo
    no_labeller = load_scheme("favor_against")   # labellers: cues, similarity
    assert source_type_note(["favor"], no_labeller, missing="(none)").startswith(
        "scheme 'favor_against' does not use source types (its labellers: cues, similarity): the grouping by source type "
        "is for reading only")


def test_a_rerun_on_the_bootstrap_keeps_the_project_on_a_trained_model(studio: dict[str, Any], studio_client: Any,
                                                                       tmp_path, capsys):
    """The README's loop: run, train, push the model's pre-labels, add a document, run again. The
    second run must not switch the project's pre-labels back to the bootstrap, and says how to use the model."""
    from annotate.push import find_project, push

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.yaml").write_text("documents:\n  - file: a.txt\n    source_type: independent_reporting\n"
                                          "  - file: b.txt\n    source_type: kremlin_framing\n", encoding="utf-8")
    (corpus / "a.txt").write_text("Officials in Kyiv said on Monday that the railway bridge was hit by three "
                                  "missiles overnight. ", encoding="utf-8")
    (corpus / "b.txt").write_text("The Kiev regime staged the attack on the bridge to blame Russia, the ministry "
                                  "in Moscow said on Monday. ", encoding="utf-8")
    title = "Run keeps the model"
    argv = ["run", "--corpus", str(corpus), "--config", str(_config(tmp_path, title, port=studio["port"])),
            "--workspace", studio["workspace"]]
    assert main(argv) == 0
    capsys.readouterr()
    prelabeled = Path(studio["workspace"]) / "run" / "prelabeled.jsonl"
    rows = [json.loads(line) for line in prelabeled.read_text(encoding="utf-8").splitlines()]
    trained = tmp_path / "prelabeled-v2.jsonl"   # what `stance prelabel --model` writes, with a trained version
    trained.write_text("".join(json.dumps({**r, "model_version": "minilm-ft-20260101-0000-test"}) + "\n" for r in rows),
                       encoding="utf-8")
    push(trained, title, workspace=studio["workspace"], progress=False)
    project = find_project(studio_client, title)
    assert project.model_version == "minilm-ft-20260101-0000-test"

    (corpus / "c.txt").write_text("Grain exports through the port rose by four percent in May, customs data "
                                  "showed. ", encoding="utf-8")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert studio_client.projects.get(id=project.id).model_version == "minilm-ft-20260101-0000-test"
    assert "pushed: 1 new tasks" in out and "switched to it" not in out
    assert "note: the project keeps showing the trained model's pre-labels (minilm-ft-20260101-0000-test)" in out
    assert ("note: to pre-label the new claims with the trained model, run again with --model DIR (the directory "
            "`stance train` wrote minilm-ft-20260101-0000-test to) (or set `model:` in the pipeline config)") in out
    assert "note: 1 document(s) have no source_type (no manifest entry gives one): " in out and "c.txt" in out


def test_the_model_directory_of_a_version_is_found_in_the_workspace(tmp_path):
    from claimstance.pipeline import find_model_dir

    (tmp_path / "model-2").mkdir()
    (tmp_path / "model-2" / "claimstance.json").write_text('{"version": "minilm-ft-2"}', encoding="utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "claimstance.json").write_text("[not json", encoding="utf-8")
    assert find_model_dir(tmp_path, "minilm-ft-2") == tmp_path / "model-2"
    assert find_model_dir(tmp_path, "minilm-ft-3") is None


def test_a_rerun_with_port_asks_the_workspace_s_server_to_move_there(tmp_path, monkeypatch):
    # `make run PORT=P` after the first run had been ignored: the recorded port was always used.
    from annotate import studio

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "studio.json").write_text("{}", encoding="utf-8")   # a workspace that has had a server
    asked = []

    def start(ws, port=None):
        asked.append(port)
        raise UserError("stop here")

    checked = []
    monkeypatch.setattr(studio, "start", start)
    monkeypatch.setattr(studio, "check_port", lambda ws, port=None: checked.append(port))
    for port in (None, 8093):
        with pytest.raises(UserError, match="stop here"):
            run(corpus, _config(tmp_path, "moved"), workspace=workspace, port=port, say=lambda m: None)
    assert asked == checked == [None, 8093]   # the recorded port unless --port names another; checked before step 1


def test_a_workspace_inside_the_corpus_is_never_read_as_documents(tmp_path):
    # `stance run --corpus .` with the default ./workspace: the second run had read the first's claims.
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    workspace = corpus / "workspace"
    first = run(corpus, _config(tmp_path, "inside"), workspace=workspace, push=False, say=lambda m: None)
    (corpus / "extra.txt").write_text("The talks failed on Monday, officials said.", encoding="utf-8")
    second = run(corpus, _config(tmp_path, "inside"), workspace=workspace, push=False, say=lambda m: None)
    assert (first.documents, second.documents) == (2, 3)
    rows = [json.loads(line) for line in second.claims_path.read_text(encoding="utf-8").splitlines()]
    assert not any(str(workspace) in str(r.get("source_file")) for r in rows)


def test_a_custom_scheme_is_recorded_in_the_pre_labels_and_named_by_the_report(tmp_path):
    from models import provenance
    from models.schemes import SCHEME_DIR

    scheme = tmp_path / "my_scheme.yaml"
    scheme.write_text((SCHEME_DIR / "favor_against.yaml").read_text(encoding="utf-8")
                      .replace("name: favor_against", "name: my_framing"), encoding="utf-8")
    workspace = tmp_path / "ws"
    # --scheme (run's ``scheme``) over the config's kremlin_framing
    result = run(SAMPLE_CORPUS, _config(tmp_path, "offline"), workspace=workspace, push=False, say=lambda m: None,
                 scheme=str(scheme))
    rows = [json.loads(line) for line in result.prelabeled_path.read_text(encoding="utf-8").splitlines()]
    _, record = provenance.load(str(scheme))
    assert {(r["scheme"], r["scheme_version"], r["scheme_source"]) for r in rows} == {
        ("my_framing", record["version"], str(scheme.resolve()))}
    assert provenance.from_rows(rows)["source"] == str(scheme.resolve())
    page = (result.compare_dir / "report.html").read_text(encoding="utf-8")
    assert f"(my_framing, version {record['version']} from my_scheme.yaml)" in page   # not favor_against's
    assert str(tmp_path) not in page   # a shareable page: the YAML's name, not the user's directories
    assert result.labels == record["labels"]

    # Again without --scheme or --config: the bundled config's scheme is a default, not a choice, and
    # yields to the scheme the workspace's pre-labels record.
    before = result.prelabeled_path.read_bytes()
    again = run(SAMPLE_CORPUS, workspace=workspace, push=False, say=lambda m: None)
    assert again.labels == record["labels"] and "prelabel" in again.skipped_steps
    assert result.prelabeled_path.read_bytes() == before


def test_run_takes_the_project_s_scheme_and_refuses_another_before_writing_anything(tmp_path):
    from annotate.project_scheme import remember
    from claimstance.pipeline import _run_scheme
    from claimstance.config import load_pipeline_config
    from models import provenance
    from models.schemes import SCHEME_DIR

    scheme = tmp_path / "mine.yaml"
    scheme.write_text((SCHEME_DIR / "favor_against.yaml").read_text(encoding="utf-8")
                      .replace("name: favor_against", "name: mine"), encoding="utf-8")
    _, record = provenance.load(str(scheme))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    cfg = load_pipeline_config(None)
    remember(workspace, cfg.project, record)   # as a push to the default project leaves it
    assert cfg.scheme == "kremlin_framing"
    assert _run_scheme(None, None, cfg, workspace).record == record   # the bundled config's scheme yields
    # a config of the user's naming a scheme is a choice, checked against the project's
    mine = tmp_path / "pipeline.yaml"
    mine.write_text("scheme: favor_against\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"`scheme: favor_against` in .*pipeline.yaml is scheme 'favor_against' .* but project "
                                        rf"{cfg.project!r} was pushed with scheme 'mine' .*; leave out `scheme:` in "
                                        r".*pipeline.yaml to use its scheme, or push to another --project"):
        _run_scheme(None, mine, load_pipeline_config(mine), workspace)
    with pytest.raises(UserError, match=r"--scheme kremlin_framing is scheme 'kremlin_framing'"):
        run(SAMPLE_CORPUS, workspace=workspace, say=lambda m: None, scheme="kremlin_framing")
    assert not (workspace / "run").exists() and not (workspace / "studio").exists()   # before the first step
    # a run that pushes nothing need not agree with the project
    assert _run_scheme("kremlin_framing", None, cfg, workspace, push=False).record["name"] == "kremlin_framing"
    # another project title: the default
    other = cfg.model_copy(update={"project": "another"})
    assert _run_scheme(None, None, other, workspace).record["name"] == "kremlin_framing"
    # the run of an older stance with a scheme of the user's, which its pre-labels do not record: asked for once
    (workspace / "run").mkdir()
    (workspace / "run" / "prelabeled.jsonl").write_text(json.dumps({"model_version": "bootstrap-0000000000"}) + "\n")
    with pytest.raises(UserError, match=r"prelabeled.jsonl were made by an older stance with a scheme it did not "
                                        r"record \(not one in configs/schemes\); give --scheme with that scheme's YAML"):
        _run_scheme(None, None, other, workspace)
    assert _run_scheme(str(scheme), None, other, workspace).record == record


def test_a_label_removed_from_the_project_s_scheme_file_stops_the_run_before_step_1(tmp_path):
    from annotate.project_scheme import remember
    from claimstance.config import load_pipeline_config
    from claimstance.pipeline import _run_scheme
    from models import provenance
    from models.schemes import SCHEME_DIR

    text = (SCHEME_DIR / "favor_against.yaml").read_text(encoding="utf-8").replace("name: favor_against", "name: mine")
    scheme = tmp_path / "mine.yaml"
    scheme.write_text(text, encoding="utf-8")
    _, record = provenance.load(str(scheme))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    cfg = load_pipeline_config(None)
    remember(workspace, cfg.project, record)
    gone = record["labels"][1]
    start = text.index(f"  - id: {gone}\n")
    end = text.index("  - id: ", start + 1)
    scheme.write_text(text[:start] + text[end:], encoding="utf-8")   # the label taken out of the file
    with pytest.raises(UserError, match=rf"scheme 'mine' \({re.escape(str(scheme))}\) has been edited since project "
                                        rf"{cfg.project!r} was pushed with it: labels now .*\(removed {gone}\); put "
                                        rf"{gone} back in that file to run \(new labels are fine\), or push to another --project"):
        run(SAMPLE_CORPUS, workspace=workspace, say=lambda m: None)
    assert not (workspace / "run").exists() and not (workspace / "studio").exists()   # before the first step
    assert _run_scheme(None, None, cfg, workspace, push=False).record["name"] == "mine"   # nothing goes to the project
    model = tmp_path / "model"   # a model trained on the label: the same one line, pushing or not
    model.mkdir()
    (model / "claimstance.json").write_text(json.dumps({"labels": record["labels"], "scheme": "mine",
                                                        "scheme_path": str(scheme), "scheme_labels": record["labels"]}))
    with pytest.raises(UserError, match=rf"has no label {gone}, which model {re.escape(str(model))} was trained on; "
                                        "put it back in that file"):
        _run_scheme(None, None, cfg.model_copy(update={"model": str(model)}), workspace, push=False)


def test_run_on_one_source_pairs_its_documents_with_a_note(tmp_path, capsys):
    corpus = tmp_path / "channel"
    corpus.mkdir()
    (corpus / "posts.csv").write_text(
        "id,outlet,text\n"
        'p1,Channel Z,"A Russian missile struck an apartment block in Kharkiv overnight, officials said."\n'
        'p2,Channel Z,"A missile struck an apartment block in Kharkiv overnight, killing eleven people."\n'
        'p3,Channel Z,"The grain deal ended in July after Moscow withdrew from it."\n', encoding="utf-8")
    argv = ["run", "--corpus", str(corpus), "--workspace", str(tmp_path / "ws"), "--no-push"]
    note = ("note: every document is of one source, 'Channel Z', so its documents are paired with each other "
            "(as within_source: true)")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert note in out and "comparison report:" in out
    pairs = [json.loads(x) for x in (tmp_path / "ws" / "run" / "compare" / "pairs.jsonl").read_text().splitlines()]
    assert pairs and {(p["source_a"], p["source_b"]) for p in pairs} == {("Channel Z", "Channel Z")}
    assert main(argv) == 0                       # up to date: the note again
    out = capsys.readouterr().out
    assert "up to date, skipped: claims, prelabel, compare" in out and note in out


def _tasks(client: Any, project_id: int) -> list[dict[str, Any]]:
    return client._client_wrapper.httpx_client.request(
        "api/tasks/", method="GET", params={"project": project_id, "page_size": 1000, "fields": "all"}).json()["tasks"]


EDIT_A = ("Officials in Kyiv said the railway bridge was hit by three missiles overnight. "
          "Repairs will take a month, the ministry said. The Kiev regime staged nothing, Moscow insisted. ")


def _edit_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.yaml").write_text("documents:\n  - file: a.txt\n    source_type: independent_reporting\n"
                                          "  - file: b.txt\n    source_type: kremlin_framing\n", encoding="utf-8")
    (corpus / "a.txt").write_text(EDIT_A, encoding="utf-8")
    (corpus / "b.txt").write_text("The Kiev regime staged the attack on the bridge to blame Russia, the ministry "
                                  "in Moscow said on Monday. ", encoding="utf-8")
    return corpus


def test_an_edited_document_keeps_its_annotated_tasks_and_adds_only_its_changed_sentence(
        studio: dict[str, Any], studio_client: Any, tmp_path, capsys):
    """The tester's case: one sentence of an annotated file is edited. Its other sentences keep their
    tasks (and annotations), the changed one gets a task, the run says so naming the file, and the
    run's claims carry the ids the project holds them by (for pull, compare --labels, a new model's push)."""
    from annotate.push import find_project

    corpus = _edit_corpus(tmp_path)
    title = "Run an edited file"
    argv = ["run", "--corpus", str(corpus), "--config", str(_config(tmp_path, title, port=studio["port"])),
            "--workspace", studio["workspace"]]
    assert main(argv) == 0
    capsys.readouterr()
    project = find_project(studio_client, title)
    before = {t["data"]["text"]: t for t in _tasks(studio_client, project.id)}
    annotated = before["Repairs will take a month, the ministry said."]
    studio_client._client_wrapper.httpx_client.request(
        f"api/tasks/{annotated['id']}/annotations/", method="POST",
        json={"result": [{"from_name": "stance", "to_name": "claim", "type": "choices",
                          "value": {"choices": ["neutral"]}}]})

    (corpus / "a.txt").write_text(EDIT_A.replace("three missiles", "two missiles"), encoding="utf-8")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "pushed: 1 new tasks" in out
    assert ("note: 1 document(s) changed since they were pushed: a.txt (2 sentence(s) keep their task, 1 new or "
            "changed sentence(s) get a new task, 1 task(s) whose sentence is no longer there are left in the "
            "project)") in out
    after = _tasks(studio_client, project.id)
    assert len(after) == len(before) + 1
    kept = next(t for t in after if t["id"] == annotated["id"])
    assert kept["data"]["claim_id"] == annotated["data"]["claim_id"] and len(kept["annotations"]) == 1
    a_docs = {t["data"]["doc_id"] for t in after if "Kyiv" in t["data"]["text"] or "Repairs" in t["data"]["text"]
              or "staged nothing" in t["data"]["text"]}
    assert a_docs == {annotated["data"]["doc_id"]}   # the file keeps one document id in the project
    run_dir = Path(studio["workspace"]) / "run"
    claims = [json.loads(line) for line in (run_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    by_text = {t["data"]["text"]: t["data"] for t in after}
    a_rows = [r for r in claims if r["source_file"].endswith("a.txt") and r["text"] in by_text]
    assert len(a_rows) == 3 and annotated["data"]["claim_id"] in {r["claim_id"] for r in a_rows}
    assert all((r["claim_id"], r["doc_id"]) == (by_text[r["text"]]["claim_id"], by_text[r["text"]]["doc_id"])
               for r in a_rows)
    assert not (run_dir / ".pending").exists()
    # run again: nothing new, no note
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "pushed: 0 new tasks" in out and "changed since they were pushed" not in out


def test_a_run_whose_push_is_refused_leaves_the_run_folder_as_the_project_holds_it(
        studio: dict[str, Any], studio_client: Any, tmp_path, capsys):
    corpus = _edit_corpus(tmp_path)
    title = "Run refused Push"
    config = _config(tmp_path, title, port=studio["port"])
    argv = ["run", "--corpus", str(corpus), "--config", str(config), "--workspace", studio["workspace"]]
    assert main(argv) == 0
    run_dir = Path(studio["workspace"]) / "run"
    held = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    (corpus / "c.txt").write_text("Grain exports through the port rose by four percent in May, customs data "
                                  "showed. ", encoding="utf-8")
    capsys.readouterr()
    # a title a letter's case away from the project's: refused at the push, after steps 1 and 2
    assert main([*argv, "--project", title.lower()]) == 2
    assert "nothing was created" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == held
    assert (run_dir / ".pending" / "claims.jsonl").is_file()
    # the right title: the pending claims and pre-labels are taken up, pushed and moved into the run folder
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "[1/5] claims: up to date" in out.err and "[2/5] pre-labels: up to date" in out.err
    assert "pushed: 1 new tasks" in out.out and not (run_dir / ".pending").exists()
    assert "Grain exports" in (run_dir / "claims.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", ["K3", "Kramatorsk strike, 14 March 2026: state media vs independent outlets"])
def test_a_title_label_studio_would_refuse_stops_the_run_before_step_1(tmp_path, capsys, title):
    workspace = tmp_path / "ws"
    assert main(["run", "--workspace", str(workspace), "--project", title]) == 2
    captured = capsys.readouterr()
    assert f"Label Studio takes project titles of 3 to 50 characters (this one has {len(title)})" in captured.err
    assert "[1/5]" not in captured.err and not workspace.exists()


def test_a_port_another_program_holds_stops_the_run_before_step_1(tmp_path, capsys):
    # found before the claims and pre-labels are made (about 10 s on the sample), not at step 3
    workspace = tmp_path / "ws"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["run", "--workspace", str(workspace), "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert f"error: port {port} on 127.0.0.1 is taken by another program; pick a free one with --port P" in captured.err
    assert "[1/5]" not in captured.err and not workspace.exists()


@pytest.mark.parametrize("chunk", [7, 199])   # 28 chunks and a tail of 3; one chunk exactly the sample's 199 rows
def test_run_pre_labels_a_chunk_at_a_time_as_stance_prelabel_does(tmp_path, monkeypatch, bag_encoder, chunk):
    # `stance run` held every claim and pre-label in memory for its step 2; it now streams them through
    # models.prelabel as `stance prelabel` does, and chunks change neither the files nor the summary.
    import models.encoder
    import models.labellers
    import models.prelabel
    from models.bootstrap import Bootstrap

    monkeypatch.setattr(models.encoder, "load_encoder", lambda *a, **k: bag_encoder)
    whole = run(SAMPLE_CORPUS, _config(tmp_path, "streamed"), workspace=tmp_path / "whole", push=False,
                say=lambda m: None)
    seen: list[int] = []
    evidence = Bootstrap.evidence

    def counted(self, rows, *args, **kwargs):
        seen.append(len(rows))
        return evidence(self, rows, *args, **kwargs)

    monkeypatch.setattr(Bootstrap, "evidence", counted)
    monkeypatch.setattr(models.prelabel, "OUTPUT_CHUNK", chunk)
    monkeypatch.setattr(models.labellers, "APPLY_CHUNK", chunk)
    chunked = run(SAMPLE_CORPUS, _config(tmp_path, "streamed"), workspace=tmp_path / "chunked", push=False,
                  say=lambda m: None)
    assert seen == [chunk] * (199 // chunk) + ([199 % chunk] if 199 % chunk else [])
    for name in ("claims.jsonl", "prelabeled.jsonl"):
        assert (tmp_path / "chunked" / "run" / name).read_bytes() == (tmp_path / "whole" / "run" / name).read_bytes()
    assert (chunked.sentences, chunked.in_scope, chunked.by_voice, chunked.by_source) == (
        199, whole.in_scope, whole.by_voice, whole.by_source)
    assert "\n".join(summary_lines(chunked)).replace(str(tmp_path / "chunked"), "W") == \
        "\n".join(summary_lines(whole)).replace(str(tmp_path / "whole"), "W")
    assert not (tmp_path / "chunked" / "run" / ".pending").exists()   # no spill or pending file left
