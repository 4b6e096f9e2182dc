"""A project remembers its scheme: the record in its label config, then push and pull against a real Label Studio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from annotate import labelconfig as lc
from annotate.project_scheme import (config_labels, local_record, marker_record, project_change, project_scheme, pull,
                                     with_marker)
from annotate.push import push
from claimstance.cli import main
from corpus.errors import UserError
from models import provenance

SCHEME_YAML = """name: sanctions_stance
title: Stance toward sanctions
neutral: none
labellers: [cues]
labels:
  - {id: favor, name: FAVOR, hotkey: f, description: For sanctions., cues: [tougher sanctions]}
  - {id: against, name: AGAINST, hotkey: a, description: Against sanctions., cues: [illegal sanctions]}
  - {id: none, name: NONE, hotkey: n, description: No side.}
"""


def scheme_file(tmp_path: Path, text: str = SCHEME_YAML, name: str = "sanctions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def claim(n: int, **extra) -> dict:
    text = f"Claim number {n} about sanctions."
    return {"claim_id": f"s{n:03d}", "doc_id": f"d{n % 3}", "text": text, "start": 0, "end": len(text),
            "is_claim": True, "reason": "claim", "speaker": "author", "context": text, "context_start": 0,
            "outlet": "Outlet", "date": "2026-03-10", **extra}


def prelabelled(n: int, record: dict, label: str = "favor", **extra) -> dict:
    probs = {lab: (0.8 if lab == label else 0.2 / (len(record["labels"]) - 1)) for lab in record["labels"]}
    return {**claim(n), "prediction": label, "score": 0.8, "probs": probs,
            "model_version": f"bootstrap-{record['version']}", **provenance.row_fields(record), **extra}


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --- without a server ------------------------------------------------------------------------------

def test_the_record_heads_the_label_config_which_stays_valid(tmp_path):
    scheme, record = provenance.load(str(scheme_file(tmp_path)))
    record = {**record, "source": "/home/a--b/s--t.yaml"}   # "--" may not stand inside an XML comment
    config = with_marker(lc.label_config(scheme), record)
    assert config.startswith("<!-- claimstance scheme: {") and "--t" not in config
    # Every member of the project sees the config: the YAML's file name goes, not its directory.
    assert marker_record(config) == {**record, "source": "s--t.yaml"} and "/home" not in config
    assert marker_record(with_marker(config, {**record, "version": "v2"}))["version"] == "v2"   # replaced, not doubled
    assert with_marker(config, record).count("claimstance scheme") == 1
    assert LabelInterface(config).get_control("stance").labels == ["favor", "against", "none"]
    assert lc.config_kind(config) == "claims" and config_labels(config) == ["favor", "against", "none"]
    assert marker_record(lc.label_config(scheme)) is None and marker_record(None) is None


def test_what_a_push_with_another_scheme_does_to_a_project():
    _, kremlin = provenance.load("kremlin_framing")
    _, favor = provenance.load("favor_against")
    config = with_marker("<View/>", kremlin)
    assert project_change("p", config, kremlin, annotated=True) is None
    assert project_change("p", "<View/>", favor, annotated=True) is None   # no record: the label check decides
    assert project_change("p", config, favor, annotated=False) == (
        f"project 'p' holds no annotations yet: its labels change from scheme {provenance.describe(kremlin)} to "
        f"{provenance.describe(favor)}")
    with pytest.raises(UserError, match=r"^project 'p' was pushed with scheme 'kremlin_framing' .* and holds "
                                        r"annotations; these claims are for scheme 'favor_against' .*: push them "
                                        r"under another --project title, or pre-label them with the project's scheme "
                                        r"\(`stance prelabel --scheme kremlin_framing`\)$"):
        project_change("p", config, favor, annotated=True)
    assert "moves from version old of scheme 'kremlin_framing'" in project_change(
        "p", with_marker("<View/>", {**kremlin, "version": "old"}), kremlin, annotated=True)


def test_a_copy_of_the_scheme_in_another_file_is_refused_naming_both_files_and_the_full_path(tmp_path):
    from annotate.project_scheme import remember

    (tmp_path / "team schemes").mkdir()
    ours = scheme_file(tmp_path / "team schemes")   # a space: the command quotes the path
    copy = scheme_file(tmp_path, SCHEME_YAML.replace("hotkey: n", "hotkey: x"), "copy.yaml")
    _, project_record = provenance.load(str(ours))
    _, copy_record = provenance.load(str(copy))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    remember(workspace, "p", project_record)
    config = with_marker("<View/>", project_record)   # the label config keeps the file name only
    with pytest.raises(UserError) as err:
        project_change("p", config, marker_record(with_marker("<View/>", copy_record)), annotated=True,
                       workspace=workspace)
    # Both records read 'sanctions_stance' (favor, against, none; version ...): the files tell them apart,
    # and the fix names the project's YAML so that it works from any directory.
    assert " from sanctions.yaml and holds annotations" not in str(err.value)
    assert f" from {ours} and holds annotations; these claims are for scheme " in str(err.value)
    assert " from copy.yaml: push them under another --project title" in str(err.value)
    assert str(err.value).endswith(f"(`stance prelabel --scheme '{ours}'`)")


def test_a_broken_schemes_json_is_named_and_never_overwritten(tmp_path):
    import re

    from annotate.project_scheme import pushed_record, remember

    _, record = provenance.load(str(scheme_file(tmp_path)))
    path = tmp_path / "schemes.json"
    path.write_text('{"my sanctions": {"labels": ["pro"', encoding="utf-8")
    fix = r"; fix it or delete it \(it maps each project title to the scheme file it was pushed with"
    with pytest.raises(UserError, match=rf"^{re.escape(str(path))}: not valid JSON \(Expecting .*, line 1\){fix}"):
        pushed_record(tmp_path, "my sanctions")
    with pytest.raises(UserError, match=rf"^project 'other' was pushed, but the place of its scheme file is not "
                                        rf"recorded: {re.escape(str(path))}: not valid JSON"):
        remember(tmp_path, "other", record)
    assert path.read_text(encoding="utf-8") == '{"my sanctions": {"labels": ["pro"'   # left as it was
    for wrong in ('["my sanctions"]', '{"my sanctions": 5}'):
        path.write_text(wrong, encoding="utf-8")
        with pytest.raises(UserError, match=rf"^{re.escape(str(path))}: not a JSON object of project title -> scheme record{fix}"):
            local_record(tmp_path, "my sanctions", record)
        with pytest.raises(UserError):
            remember(tmp_path, "other", record)
        assert path.read_text(encoding="utf-8") == wrong
    path.unlink()   # deleted: nothing recorded, and the next push writes it afresh
    assert pushed_record(tmp_path, "my sanctions") is None
    remember(tmp_path, "other", record)
    assert pushed_record(tmp_path, "other") == record


def test_claims_never_pre_labelled_need_scheme_the_first_time(tmp_path, monkeypatch):
    from annotate import push as push_module

    monkeypatch.setattr(push_module, "_project_record", lambda workspace, url, title: None)   # no such project
    path = write_rows(tmp_path / "claims.jsonl", [claim(1), claim(2)])
    with pytest.raises(UserError, match=r"claims.jsonl: these claims carry no pre-labels to take a scheme from, and "
                                        r"project 'new one' records none; give --scheme .* the first time"):
        push(path, "new one", workspace=tmp_path / "no-server", progress=False)
    _, record = provenance.load("kremlin_framing")
    pre = write_rows(tmp_path / "pre.jsonl", [prelabelled(1, record, "neutral")])
    with pytest.raises(UserError, match=r"--scheme favor_against is scheme 'favor_against' .* but the pre-labels in "
                                        r".*pre.jsonl were made with scheme 'kremlin_framing'"):
        push(pre, "any", workspace=tmp_path / "no-server", scheme="favor_against", progress=False)


# --- against the real server -------------------------------------------------------------------------

def test_a_project_remembers_its_scheme_from_push_to_pull(studio, studio_client, tmp_path, capsys):
    path = scheme_file(tmp_path)
    _, record = provenance.load(str(path))
    title = "remembers sanctions"
    pre = write_rows(tmp_path / "pre.jsonl", [prelabelled(n, record, ["favor", "against", "none"][n % 3])
                                              for n in range(6)])
    # no --scheme: the pre-labels' own
    assert main(["push", "--workspace", str(studio["workspace"]), "--in", str(pre), "--project", title]) == 0
    capsys.readouterr()
    project = next(p for p in studio_client.projects.list() if p.title == title)
    # every member sees the label config: the YAML's file name is there, its directory only in the workspace
    assert marker_record(project.label_config) == {**record, "source": "sanctions.yaml"}
    assert str(tmp_path) not in project.label_config
    assert local_record(studio["workspace"], title, marker_record(project.label_config)) == record
    task = studio_client.tasks.list(project=project.id).items[0]
    assert not set(task.data) & set(provenance.ROW_FIELDS)   # the local paths stay here

    # claims never pre-labelled, pushed into the project: its scheme, no --scheme
    more = write_rows(tmp_path / "more.jsonl", [claim(10), claim(11)])
    result = push(more, title, workspace=studio["workspace"], progress=False)
    assert result["tasks_added"] == 2
    assert marker_record(studio_client.projects.get(id=project.id).label_config) == {**record, "source": "sanctions.yaml"}

    studio_client.annotations.create(id=task.id, result=[lc.choice_result("against")])
    # pull without --scheme: the project's; the report records where the scheme lives
    out = tmp_path / "pulled"
    report = pull(title, out, workspace=studio["workspace"], progress=False)
    assert report["scheme"] == "sanctions_stance" and report["scheme_source"] == str(path.resolve())
    assert provenance.from_dataset(out / "dataset") == record
    assert provenance.for_training(out / "dataset", None).source == str(path.resolve())
    # a scheme with the same label ids is still another scheme
    code = main(["pull", "--workspace", str(studio["workspace"]), "--project", title, "--out", str(tmp_path / "p2"),
                 "--scheme", "favor_against"])
    err = capsys.readouterr().err
    assert code != 0 and "error: --scheme favor_against is scheme 'favor_against'" in err
    assert f"but project {title!r} was pushed with scheme 'sanctions_stance'" in err and not (tmp_path / "p2").exists()

    # another scheme's pre-labels into the annotated project: refused before anything changes
    _, favor = provenance.load("favor_against")
    other = write_rows(tmp_path / "other.jsonl", [prelabelled(20, favor)])
    with pytest.raises(UserError, match=rf"project {title!r} was pushed with scheme 'sanctions_stance'.*holds annotations"):
        push(other, title, workspace=studio["workspace"], progress=False)

    # the scheme's file edited to add a label: pulled with it, with or without --scheme, and a note
    path.write_text(SCHEME_YAML + "  - {id: mixed, name: MIXED, hotkey: m, description: Both.}\n", encoding="utf-8")
    for extra in ([], ["--scheme", str(path)]):
        out = tmp_path / f"edited{len(extra)}"
        assert main(["pull", "--workspace", str(studio["workspace"]), "--project", title, "--out", str(out), *extra]) == 0
        assert (f"note: scheme 'sanctions_stance' has been edited since project {title!r} was pushed: labels now "
                "favor, against, none, mixed (added mixed); using it as it is now") in capsys.readouterr().err
    # a label dropped from it while the project holds annotations: one error naming it, whatever is given
    path.write_text(SCHEME_YAML.replace("  - {id: against, name: AGAINST, hotkey: a, description: Against sanctions., "
                                        "cues: [illegal sanctions]}\n", ""), encoding="utf-8")
    for extra in ([], ["--scheme", str(path)]):
        assert main(["pull", "--workspace", str(studio["workspace"]), "--project", title, "--out",
                     str(tmp_path / "dropped"), *extra]) != 0
        assert ("has been edited since project 'remembers sanctions' was pushed with it: labels now favor, none "
                "(removed against), and the project holds annotations; put against back in that file to pull"
                ) in capsys.readouterr().err
    # a copy of the scheme in another file, the same name: another scheme
    path.write_text(SCHEME_YAML, encoding="utf-8")
    copy = scheme_file(tmp_path, name="copy.yaml")
    assert main(["pull", "--workspace", str(studio["workspace"]), "--project", title, "--out", str(tmp_path / "c"),
                 "--scheme", str(copy)]) != 0
    err = capsys.readouterr().err
    assert "version " + record["version"] + ") from copy.yaml, but project" in err and ") from sanctions.yaml; " in err
    # another workspace on this server knows the YAML's name only: it asks for its path
    found = studio_client.projects.get(id=project.id)
    with pytest.raises(UserError, match=r"from a file sanctions.yaml whose place this workspace does not record; "
                                        r"give --scheme with that YAML's path"):
        project_scheme(found, None, title, tmp_path / "another-workspace")
    assert project_scheme(found, str(path), title, tmp_path / "another-workspace").record == record


def test_another_scheme_into_a_project_without_annotations_is_a_note(studio, studio_client, tmp_path):
    title = "swaps while empty"
    _, kremlin = provenance.load("kremlin_framing")
    _, favor = provenance.load("favor_against")
    push(write_rows(tmp_path / "a.jsonl", [prelabelled(1, kremlin, "neutral")]), title, workspace=studio["workspace"],
         progress=False)
    result = push(write_rows(tmp_path / "b.jsonl", [prelabelled(2, favor)]), title, workspace=studio["workspace"],
                  progress=False)
    assert result["notes"][0].startswith(f"project {title!r} holds no annotations yet: its labels change from scheme "
                                         "'kremlin_framing'")
    project = next(p for p in studio_client.projects.list() if p.title == title)
    assert marker_record(project.label_config)["name"] == "favor_against"


def test_push_warns_of_a_model_that_learnt_nothing(studio, tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    _, record = provenance.load("kremlin_framing")
    (model / "claimstance.json").write_text(json.dumps({
        "scheme": "kremlin_framing", "labels": record["labels"], "version": "minilm-ft-flat",
        "metrics": {"validation_macro_f1": 0.2, "validation_claims": 12}, "blend": {}}))
    rows = [{**prelabelled(n, record, "neutral"), "model_version": "minilm-ft-flat", "model_dir": str(model)}
            for n in range(3)]
    code = main(["push", "--workspace", str(studio["workspace"]), "--in", str(write_rows(tmp_path / "m.jsonl", rows)),
                 "--project", "flat model"])
    err = capsys.readouterr().err
    assert code == 0
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        f"warning: model minilm-ft-flat ({model}) scored at chance on its 12 validation claims (network macro-F1 "
        "0.200, chance 0.333): pre-label with the bootstrap (leave out --model) until more claims are labelled"]


def test_a_project_that_records_no_scheme_is_pulled_with_the_one_given_and_a_note_says_so():
    from types import SimpleNamespace as NS

    from models.schemes import load_scheme

    old = NS(label_config=lc.label_config(load_scheme("favor_against")), total_annotations_number=3)
    resolved = project_scheme(old, "favor_against", "old one")
    assert resolved.notes == [
        "project 'old one' records no scheme (its label config has no `claimstance scheme` comment: pushed by a stance "
        "from before the record, or the comment was removed in Label Studio): pulling with scheme 'favor_against' "
        "(favor, against, none; version 7e91196bf2); the next `stance push` to it records one"]
    with pytest.raises(UserError, match=r"project 'old one' records no scheme \(its label config has no .* or the "
                                        r"comment was removed in Label Studio\) and its labels \(favor, against, none\) "
                                        r"are not those of the default scheme 'kremlin_framing'; give --scheme"):
        project_scheme(old, None, "old one")
