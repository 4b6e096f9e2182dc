"""The round trip against a real Label Studio: pre-labelled claims in, two annotators, `stance pull` out.

Annotators work through the API as Label Studio's own front end would: results carry
``origin`` "prediction" when the pre-label was kept and "prediction-changed" when it was changed.
The second annotator joins through the organisation's invite link, like a colleague would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest
from conftest import join_by_invite

from annotate import agreement
from annotate import labelconfig as lc
from annotate.push import find_project
from claimstance.cli import main
from models.schemes import load_scheme

pytestmark = pytest.mark.studio

TITLE = "Round trip (pull)"
MODEL_VERSION = "rt-1"
SECOND = ("second.annotator@example.org", "second-pass-4821")

# Six claims from three made-up documents, each with a pre-label.
CLAIMS = [
    ("rt1", "doc-a", "The sanctions hurt Europe more than Russia.", "kremlin_framing"),
    ("rt2", "doc-a", "Officials in Kyiv said the bridge reopened on Monday.", "neutral"),
    ("rt3", "doc-b", "Independent monitors documented the shelling of the school.", "independent_reporting"),
    ("rt4", "doc-b", "The West staged the <script>alert(1)</script> provocation.", "kremlin_framing"),
    ("rt5", "doc-c", "Grain exports rose by four percent in May.", "neutral"),
    ("rt6", "doc-c", "NATO expansion forced Moscow's hand.", "neutral"),
]

# A document's list of names, a lone name, none: a list column in the pull (a lone name a list of one).
TAGS = {"rt1": {"tags": ["war", "energy"]}, "rt2": {"tags": ["war", "energy"]}, "rt3": {"tags": "war"}}


def _rows() -> list[dict[str, Any]]:
    return [{"claim_id": cid, "doc_id": doc, "text": text, "context": f"Lead sentence. {text} Closing line.",
             "start": 15, "context_start": 0, "title": f"Document {doc}", "outlet": "Test Outlet",
             "speaker": "author", "speaker_name": None, "is_claim": True,
             "prediction": label, "score": 0.55, "model_version": MODEL_VERSION, **TAGS.get(cid, {})}
            for cid, doc, text, label in CLAIMS]


def _push(workspace: str, tmp: Path) -> None:
    """`stance push` of the pre-labelled claims, as a user would run it."""
    path = tmp / "prelabeled.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in _rows()), encoding="utf-8")
    assert main(["push", "--workspace", workspace, "--in", str(path), "--project", TITLE]) == 0


def _annotate(ls: Any, task_id: int, label: str, shown: str, note: str | None = None,
              problems: list[str] | None = None) -> Any:
    item = lc.choice_result(label)
    item["origin"] = "prediction" if label == shown else "prediction-changed"
    result = [item]
    if problems:   # the optional flags of the claim view, as Label Studio stores a multiple Choices
        result.append({"from_name": lc.PROBLEM, "to_name": lc.CLAIM, "type": "choices", "value": {"choices": problems}})
    if note:
        result.append({"from_name": lc.NOTE, "to_name": lc.CLAIM, "type": "textarea", "value": {"text": [note]}})
    return ls.annotations.create(id=task_id, result=result, lead_time=7.5)


@pytest.fixture(scope="module")
def annotated(studio: dict[str, Any], studio_client: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from label_studio_sdk import LabelStudio

    scheme = load_scheme("kremlin_framing")
    admin = studio_client
    _push(studio["workspace"], tmp_path_factory.mktemp("push"))
    pid = find_project(admin, TITLE).id
    key = join_by_invite(studio["url"], studio["api_key"], *SECOND)
    second = LabelStudio(base_url=studio["url"], api_key=key)
    tasks = {t.data["claim_id"]: t.id for t in admin.tasks.list(project=pid, fields="all")}
    shown = {cid: label for cid, _, _, label in CLAIMS}

    # The admin labels all six: keeps four pre-labels, changes two.
    first = {"rt1": "kremlin_framing", "rt2": "neutral", "rt3": "independent_reporting",
             "rt4": "kremlin_framing", "rt5": "independent_reporting", "rt6": "kremlin_framing"}
    ids = {cid: _annotate(admin, tasks[cid], label, shown[cid]).id for cid, label in first.items()}
    # The second annotator labels four (agrees on two, disagrees on two) and skips one.
    later = {"rt1": "kremlin_framing", "rt2": "independent_reporting", "rt3": "independent_reporting",
             "rt6": "neutral"}
    for cid, label in later.items():
        _annotate(second, tasks[cid], label, shown[cid], note="reads as reporting" if cid == "rt2" else None,
                  problems=["wrong_voice", "split_wrong"] if cid == "rt6" else None)
    second.annotations.create(id=tasks["rt5"], result=[], was_cancelled=True)
    return {"pid": pid, "tasks": tasks, "first": first, "later": later, "ids": ids, "shown": shown,
            "admin": studio["username"], "scheme": scheme}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_pull_writes_annotations_labels_agreement_and_dataset(studio, annotated, tmp_path, capsys):
    out = tmp_path / "pulled"
    assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "11 annotations (1 skipped) by 2 annotator(s) on 6 claims" in printed and f"wrote {out / 'labels.jsonl'}" in printed

    rows = _read(out / "annotations.jsonl")
    assert len(rows) == 11
    admin, second = annotated["admin"], SECOND[0]
    assert {r["annotator"] for r in rows} == {admin, second}
    mine = {(r["annotator"], r["claim_id"]): r for r in rows}
    for cid, label in annotated["first"].items():
        row = mine[(admin, cid)]
        assert row["label"] == label and row["prediction"] == annotated["shown"][cid]
        assert row["model_version"] == MODEL_VERSION and row["accepted"] == (label == annotated["shown"][cid])
        assert row["origin"] == ("prediction" if row["accepted"] else "prediction-changed")
        assert row["doc_id"] == dict((c, d) for c, d, _, _ in CLAIMS)[cid] and row["outlet"] == "Test Outlet"
        assert row["lead_time"] == 7.5 and row["created_at"] and row["updated_at"]
    assert mine[(second, "rt2")]["note"] == "reads as reporting"
    assert mine[(second, "rt5")]["skipped"] is True and mine[(second, "rt5")]["label"] is None
    assert mine[(admin, "rt4")]["text"] == "The West staged the <script>alert(1)</script> provocation."

    labels = {r["claim_id"]: r for r in _read(out / "labels.jsonl")}
    assert set(labels) == {cid for cid, *_ in CLAIMS}
    assert (labels["rt1"]["label"], labels["rt1"]["rule"], labels["rt1"]["agreement"]) == ("kremlin_framing", "unanimous", 1.0)
    # disagreements are ties between two annotators: the later vote (the second annotator's) wins
    assert (labels["rt2"]["label"], labels["rt2"]["rule"]) == ("independent_reporting", "tie->latest")
    assert (labels["rt6"]["label"], labels["rt6"]["agreement"]) == ("neutral", 0.5)
    assert (labels["rt5"]["label"], labels["rt5"]["rule"], labels["rt5"]["n_annotators"]) == ("independent_reporting", "single", 1)
    # provenance from a real export: one annotator is no agreement; whose votes count; the pre-label shown
    assert (labels["rt5"]["agreement"], labels["rt5"]["annotators"]) == (None, [admin])
    assert labels["rt2"]["annotators"] == sorted([admin, second]) and len(labels["rt2"]["tied_labels"]) == 2
    assert (labels["rt5"]["prelabel"], labels["rt5"]["prelabel_version"]) == (annotated["shown"]["rt5"], MODEL_VERSION)
    assert labels["rt5"]["changed_prelabel"] == (labels["rt5"]["label"] != annotated["shown"]["rt5"])
    assert isinstance(labels["rt5"]["prelabel_score"], float)
    assert 'ties: ' in printed and 'rule == "tie->latest"' in printed
    # the second annotator flagged rt6 (in a project whose config offers the flags): kept beside its stance
    assert mine[(second, "rt6")]["problems"] == ["split_wrong", "wrong_voice"] and mine[(admin, "rt6")]["problems"] == []
    assert (labels["rt6"]["problems"], labels["rt6"]["flagged"], labels["rt1"]["flagged"]) == \
        (["split_wrong", "wrong_voice"], True, False)
    assert "flagged: 1 claim(s) flagged by annotators (split wrong 1, wrong voice 1)" in printed

    report = json.loads((out / "report.json").read_text())
    both = ["rt1", "rt2", "rt3", "rt6"]
    kappa = agreement.cohen_kappa([annotated["first"][c] for c in both], [annotated["later"][c] for c in both])
    (pair,) = report["agreement"]["cohen_kappa"]["pairs"]
    assert pair["n_items"] == 4 and pair["kappa"] == pytest.approx(round(kappa, 4))
    alpha = agreement.krippendorff_alpha([[annotated["first"][c], annotated["later"][c]] for c in both])
    assert report["agreement"]["krippendorff_alpha"] == pytest.approx(round(alpha, 4))
    # pre-labels: the admin kept 4 of 6, the second annotator 3 of 4 (changed only rt2)
    assert report["acceptance"]["by_annotator"][admin] == {"shown": 6, "accepted": 4, "rate": pytest.approx(0.6667)}
    assert report["acceptance"]["by_annotator"][second] == {"shown": 4, "accepted": 3, "rate": 0.75}
    assert report["annotators"][second] == {"annotations": 5, "skipped": 1, "claims": 4, "median_lead_time": 7.5}
    # resolved human label (rows) against the pre-label (columns): rt2 and rt5 went neutral -> independent
    assert report["model_vs_human"]["matrix"] == {
        "kremlin_framing": {"kremlin_framing": 2, "independent_reporting": 0, "neutral": 0},
        "independent_reporting": {"kremlin_framing": 0, "independent_reporting": 1, "neutral": 2},
        "neutral": {"kremlin_framing": 0, "independent_reporting": 0, "neutral": 1}}
    assert report["model_vs_human"]["accuracy"] == pytest.approx(0.6667)
    assert "<script>" not in (out / "report.html").read_text()

    dd = datasets.load_from_disk(str(out / "dataset"))
    assert set(dd) == {"train", "validation", "test"}   # three documents: one each
    names = [label.id for label in annotated["scheme"].labels]
    assert dd["train"].features["label"].names == names
    docs = {split: set(part["doc_id"]) for split, part in dd.items()}
    assert sorted(d for ds_ in docs.values() for d in ds_) == ["doc-a", "doc-b", "doc-c"]
    pulled = {r["claim_id"]: names[r["label"]] for part in dd.values() for r in part}
    assert pulled == {cid: row["label"] for cid, row in labels.items()}
    assert {r["claim_id"] for part in dd.values() for r in part if r["flagged"]} == {"rt6"}
    # a list of names went through Label Studio as a list: one tag each for `stance evaluate --by tags`
    assert (labels["rt1"]["tags"], labels["rt3"]["tags"], labels["rt5"].get("tags")) == (["war", "energy"], "war", None)
    assert getattr(dd["train"].features["tags"], "feature", None) == datasets.Value("string")
    assert {r["claim_id"]: r["tags"] for part in dd.values() for r in part} == {
        "rt1": ["war", "energy"], "rt2": ["war", "energy"], "rt3": ["war"], "rt4": None, "rt5": None, "rt6": None}
    card = (out / "dataset" / "README.md").read_text()
    assert f"- pre-label model versions shown: {MODEL_VERSION}" in card and "license: unknown" in card


def test_a_correction_made_later_shows_up_in_the_next_pull(studio, studio_client, annotated, tmp_path):
    out = tmp_path / "pulled"
    studio_client.annotations.update(id=annotated["ids"]["rt3"], result=[lc.choice_result("neutral")])
    assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE, "--out", str(out)]) == 0
    rows = {(r["annotator"], r["claim_id"]): r for r in _read(out / "annotations.jsonl")}
    assert rows[(annotated["admin"], "rt3")]["label"] == "neutral"
    labels = {r["claim_id"]: r for r in _read(out / "labels.jsonl")}
    # the admin's correction is now the latest vote of a tie with the second annotator
    assert (labels["rt3"]["label"], labels["rt3"]["rule"]) == ("neutral", "tie->latest")


def test_pull_failures_are_one_clear_line(studio, annotated, tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "x")
    assert main(["pull", "--workspace", studio["workspace"], "--project", "No such project", "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no project titled 'No such project'") and "projects there: " in err
    assert len(err.splitlines()) == 1
    # a near miss is named first, however many projects the shared server holds (the list stops at 8)
    assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE[:-2], "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert f"did you mean {TITLE!r}? projects there: {TITLE!r}" in err and len(err.splitlines()) == 1

    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    assert main(["pull", "--url", studio["url"], "--project", TITLE, "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert "refused" in err and "0" * 40 not in err and len(err.splitlines()) == 1

    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio["api_key"])
    assert main(["pull", "--url", f"http://127.0.0.1:{port}", "--project", TITLE, "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not answering" in err and studio["api_key"] not in err and len(err.splitlines()) == 1
    assert not Path(out).exists()

    bad_scheme = tmp_path / "other.yaml"
    assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE, "--out", out,
                 "--scheme", str(bad_scheme)]) != 0
    assert capsys.readouterr().err.startswith("error: ")


def test_a_pull_leaves_no_copy_of_the_export_on_the_server_or_in_tmp(studio, annotated, tmp_path):
    """The export holds every annotation and the annotators' e-mails: after a pull, neither its
    snapshot file (media/export) nor a converted copy (Label Studio's /tmp/tmpXXXX.json, held open by
    the server) may remain; the server's temporary files go to the workspace, mode 700."""
    import os
    import stat

    from annotate.studio import server_tmp

    data_dir = Path(studio["workspace"]).resolve() / "studio"
    pid = studio["pid"]
    environ = dict(item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in item)
    assert environ["TMPDIR"] == str(server_tmp(data_dir))
    assert stat.S_IMODE(server_tmp(data_dir).stat().st_mode) == 0o700
    exports = data_dir / "media" / "export"
    for round in range(3):   # the converted copy used to linger only now and then, until collected
        assert main(["pull", "--workspace", studio["workspace"], "--project", TITLE, "--out", str(tmp_path / "p")]) == 0
        assert not [p for p in exports.rglob("*") if p.is_file()], f"pull {round + 1} left its snapshot file"
        held = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        outside = [p for p in held if p.endswith(".json") and not p.startswith(str(data_dir))]
        assert outside == [], f"after pull {round + 1} the server holds {outside} open"
    assert not [p for p in server_tmp(data_dir).rglob("*") if p.is_file() and p.suffix == ".json"]
