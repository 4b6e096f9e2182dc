"""`stance pull --pseudonymise`: annotators' logins replaced by keyed pseudonyms in everything a pull
writes and prints, the figures unchanged; the workspace's key made once, private, never shown."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
from pathlib import Path

import datasets
import pandas as pd
import pytest

from annotate import pseudonyms, pull
from corpus.errors import UserError

KEY = bytes(range(32))
PSEUDONYM = re.compile(r"annotator-[0-9a-f]{8}")


def test_a_pseudonym_is_stable_keyed_and_distinct():
    first = pseudonyms.pseudonym("ann@example.org", KEY)
    assert PSEUDONYM.fullmatch(first)
    assert pseudonyms.pseudonym("ann@example.org", bytes(KEY)) == first   # stable
    assert pseudonyms.pseudonym("ann@example.org", KEY[::-1]) != first   # keyed: another key, another name
    logins = [f"annotator{n}@example.org" for n in range(300)] + ["ann@example.org", "Ann@example.org", "user-7"]
    assert len({pseudonyms.pseudonym(login, KEY) for login in logins}) == len(logins)   # distinct
    # Hashing a candidate address without the key finds nothing: not a plain or an unkeyed digest of the login.
    login = b"ann@example.org"
    for digest in (hashlib.sha256(login), hashlib.sha1(login), hashlib.md5(login), hmac.new(b"", login, "sha256")):
        assert digest.hexdigest()[:8] not in first
    assert first == "annotator-" + hmac.new(KEY, login, hashlib.sha256).hexdigest()[:8]   # what the card says
    with pytest.raises(ValueError, match="16 bytes or more"):
        pseudonyms.pseudonym("ann@example.org", b"short")
    assert pseudonyms.key_id(KEY) != pseudonyms.key_id(KEY[::-1]) and KEY.hex()[:8] not in pseudonyms.key_id(KEY)


def test_the_workspace_key_is_made_once_private_and_never_shown(tmp_path: Path, capsys):
    workspace = tmp_path / "w"
    key = pseudonyms.workspace_key(workspace)   # a new workspace folder is made
    path = workspace / "pseudonym.key"
    assert len(key) == 32 and path.read_text() == key.hex() + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonyms.workspace_key(workspace) == key   # kept: the same pseudonyms in the next pull
    assert [p.name for p in workspace.iterdir()] == ["pseudonym.key"]   # no temporary file left
    os.chmod(path, 0o644)
    assert pseudonyms.workspace_key(workspace) == key and stat.S_IMODE(path.stat().st_mode) == 0o600
    printed = capsys.readouterr()
    assert printed.err == (f"note: made {path}, the key of the annotators' pseudonyms (mode 600): back it up, and "
                           f"give later --pseudonymise pulls --workspace {workspace} to keep the same pseudonyms\n"   # once
                           f"note: {path} was mode 644; set it to 600 (it holds the key of the annotators' pseudonyms)\n")
    assert key.hex() not in printed.out + printed.err
    assert pseudonyms.workspace_key(tmp_path / "other") != key   # each workspace its own key
    path.write_text("not a key\n")
    with pytest.raises(UserError, match=r"pseudonym.key: not a pseudonym key; restore it from a backup \(64 hex "
                                        r"digits\): a new key gives every annotator another pseudonym"):
        pseudonyms.workspace_key(workspace)
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match="--workspace .*file is a file; give the workspace directory"):
        pseudonyms.workspace_key(tmp_path / "file")


def test_two_logins_sharing_a_pseudonym_are_refused(monkeypatch):
    rows = [{"annotator": "a@example.org", "annotator_id": 1, "note": None},
            {"annotator": "b@example.org", "annotator_id": 2, "note": None}]
    assert [r["annotator"] for r in pseudonyms.pseudonymise_rows(rows, KEY)] == [
        pseudonyms.pseudonym("a@example.org", KEY), pseudonyms.pseudonym("b@example.org", KEY)]
    monkeypatch.setattr(pseudonyms, "DIGITS", 0)   # every login "annotator-": the figures would merge them
    with pytest.raises(UserError, match="two annotators' logins share the pseudonym annotator-; pull without "
                                        "--pseudonymise, or make a new key"):
        pseudonyms.pseudonymise_rows(rows, KEY)


def test_a_login_written_in_a_note_is_replaced_but_not_a_longer_address():
    rows = [{"annotator": "ann@example.org", "annotator_id": 2,
             "note": "as ADMIN@example.org said. Not joann@example.org nor ann@example.org.uk; ann@example.org."}]
    out = pseudonyms.pseudonymise_rows(rows, KEY, logins=["admin@example.org", "bob"])
    admin, ann = (pseudonyms.pseudonym(x, KEY) for x in ("admin@example.org", "ann@example.org"))
    assert out[0]["note"] == f"as {admin} said. Not joann@example.org nor ann@example.org.uk; {ann}."
    assert (out[0]["annotator"], out[0]["annotator_id"]) == (ann, None)
    assert rows[0]["annotator"] == "ann@example.org"   # the input rows are left as they were


def _every_text(out: Path) -> str:
    """All a pull directory holds, as bytes read as text and as the Parquet and dataset rows decoded
    (a compressed column would hide a login from a byte search)."""
    parts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file()]
    if (out / "labels.parquet").exists():
        parts.append(pd.read_parquet(out / "labels.parquet").to_json())
    if (out / "dataset").exists():
        dd = datasets.load_from_disk(str(out / "dataset"))
        parts += [json.dumps(part.to_list(), default=str) for part in dd.values()]
    return "\n".join(parts)


def _unnamed(value, names: dict[str, str]):
    """``value`` with every pseudonym put back to its login (keys, values, and inside notes)."""
    if isinstance(value, dict):
        return {_unnamed(k, names): _unnamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_unnamed(v, names) for v in value]
    if isinstance(value, str):
        return PSEUDONYM.sub(lambda m: names[m.group(0)], value)
    return value


def _check_pseudonymised(plain_dir: Path, named_dir: Path, logins: list[str], key: bytes) -> None:
    """No login left in any file of ``named_dir``; its figures, resolutions and rows those of ``plain_dir``."""
    text = _every_text(named_dir)
    for login in logins:
        assert login not in text
        assert login in _every_text(plain_dir) or login.endswith("@nobody.example")
    names = {pseudonyms.pseudonym(login, key): login for login in logins}
    assert set(PSEUDONYM.findall(text)) <= set(names)
    plain = json.loads((plain_dir / "report.json").read_text())
    named = json.loads((named_dir / "report.json").read_text())
    assert named["pseudonymised"]["key_id"] == pseudonyms.key_id(key) and key.hex() not in text
    for report in (plain, named):
        for varies in ("pulled_at", "export_seconds", "replaced", "pseudonymised"):
            report.pop(varies, None)
    named = _unnamed(named, names)
    kappa_pairs = [(sorted(p.pop("annotators")), p) for p in named["agreement"]["cohen_kappa"].pop("pairs")]
    plain_pairs = [(sorted(p.pop("annotators")), p) for p in plain["agreement"]["cohen_kappa"].pop("pairs")]
    assert sorted(kappa_pairs, key=str) == sorted(plain_pairs, key=str)
    assert named == plain   # alpha, mean kappa, rules, ties, acceptance, counts per annotator: identical
    for name in ("labels.jsonl", "annotations.jsonl"):
        rows = [[json.loads(line) for line in (d / name).read_text().splitlines()] for d in (plain_dir, named_dir)]
        assert len(rows[0]) == len(rows[1])
        for a, b in zip(*rows):
            b = _unnamed(b, names)
            if name == "annotations.jsonl":
                assert b.pop("annotator_id") is None and a.pop("annotator_id") is not None
            else:
                a_votes = sorted(zip(a.pop("annotators"), a.pop("annotator_labels")))
                assert sorted(zip(b.pop("annotators"), b.pop("annotator_labels"))) == a_votes
                assert sorted(map(str, b.pop("cues"))) == sorted(map(str, a.pop("cues")))
            assert b == a
    frames = [pd.read_parquet(d / "labels.parquet") for d in (plain_dir, named_dir)]
    same = [c for c in frames[0].columns if c not in ("annotators", "annotator_labels", "notes", "cues")]
    pd.testing.assert_frame_equal(frames[0][same], frames[1][same])
    card = (named_dir / "dataset" / "README.md").read_text()
    assert "hold pseudonyms, not Label Studio logins" in card and "HMAC-SHA256(key, login)" in card
    assert "replace them" not in card and "replace them" in (plain_dir / "dataset" / "README.md").read_text()


def test_a_pseudonymised_pull_names_no_login_and_keeps_every_figure(tmp_path: Path):
    """Claims and pairs pulls without a server: the same tasks pulled plain and pseudonymised."""
    import test_pairs_pull as pairs
    import test_pull as claims

    tasks = claims._flagged_tasks()
    tasks[0]["annotations"][0]["result"].append({"from_name": "cues", "to_name": "claim", "type": "labels",
                                                 "value": {"start": 0, "end": 5, "text": "Claim", "labels": ["cue"]}})
    tasks[1]["annotations"][1]["result"].append({"from_name": "note", "to_name": "claim", "type": "textarea",
                                                  "value": {"text": ["unlike admin@example.org I see no irony"]}})
    users = {**claims.USERS, 3: "lurker@nobody.example"}   # a user of the server who labelled nothing
    logins = sorted(users.values())
    for kind, made, scheme in (("claims", tasks, claims.SCHEME), ("pairs", pairs._tasks(), None)):
        plain = pull.write_pull(made, users, scheme, tmp_path / kind / "plain", source={"project": "p"})
        named = pull.write_pull(made, users, scheme, tmp_path / kind / "named", source={"project": "p"},
                                pseudonym_key=KEY)
        _check_pseudonymised(tmp_path / kind / "plain", tmp_path / kind / "named", logins, KEY)
        printed = "\n".join(pull.summary_lines(named, tmp_path / kind / "named"))
        assert not any(login in printed for login in logins)
        assert f"skipped: 1 skip(s) on 1 {kind[:-1]}(s) ({pseudonyms.pseudonym('admin@example.org', KEY)} 1)" in printed
        assert f"pseudonymised: annotators are named annotator-<8 hex digits> in every file written " \
               f"(HMAC-SHA256 of the login, key id {pseudonyms.key_id(KEY)})" in printed
        assert not any(line.startswith("pseudonymised") for line in pull.summary_lines(plain, tmp_path / kind / "plain"))
    note = [json.loads(line) for line in (tmp_path / "claims/named/labels.jsonl").read_text().splitlines()][1]["notes"]
    ann, admin = (pseudonyms.pseudonym(x, KEY) for x in ("ann@example.org", "admin@example.org"))
    assert note == [f"{admin}: sarcasm", f"{ann}: unlike {admin} I see no irony"]


def test_a_plain_pull_never_writes_the_logins_over_a_pseudonymised_one_silently(tmp_path: Path):
    import test_pull as claims

    out = tmp_path / "shared"
    pull.write_pull(claims._flagged_tasks(), claims.USERS, claims.SCHEME, out, source={"project": "p"},
                    pseudonym_key=KEY)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(UserError, match=rf"^{out} holds a pull whose annotators are pseudonymised \(\d+ annotations, "
                                        r"pulled .*\); this pull would name them by their Label Studio logins: add "
                                        r"--pseudonymise, or --replace to replace it with the logins$"):
        pull.write_pull(claims._flagged_tasks(), claims.USERS, claims.SCHEME, out, source={"project": "p"})
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before   # nothing written
    again = pull.write_pull(claims._flagged_tasks(), claims.USERS, claims.SCHEME, out, source={"project": "p"},
                            pseudonym_key=KEY)   # pseudonymised again: no question
    assert again["replaced"]["pseudonymised"] is True
    plain = pull.write_pull(claims._flagged_tasks(), claims.USERS, claims.SCHEME, out, source={"project": "p"},
                            replace=True)   # on purpose
    assert "pseudonymised" not in plain and "admin@example.org" in (out / "labels.jsonl").read_text()
    pull.write_pull(claims._flagged_tasks(), claims.USERS, claims.SCHEME, out, source={"project": "p"})  # plain on plain


def test_the_command_line_takes_both_spellings():
    from claimstance.cli import build_parser

    parser = build_parser()
    base = ["pull", "--project", "p", "--out", "o"]
    assert parser.parse_args(base).pseudonymise is False
    assert parser.parse_args([*base, "--pseudonymise"]).pseudonymise is True
    assert parser.parse_args([*base, "--pseudonymize"]).pseudonymise is True


def test_a_real_pull_with_and_without_pseudonyms(studio, studio_client, tmp_path: Path, capsys):
    """Three people label claims in Label Studio (the admin, two colleagues who joined by the invite
    link; a note names a colleague, one skip); `stance pull` plain, then with --pseudonymise twice
    (and --pseudonymize): no login is left anywhere, the pseudonyms hold across pulls, the figures
    are the plain pull's."""
    import httpx

    from annotate import labelconfig as lc
    from annotate.push import push
    from claimstance.cli import main
    from conftest import join_by_invite

    url = studio["url"]
    rows = [{"claim_id": f"ps{n}", "doc_id": f"psdoc{n % 3}", "text": f"Pseudonym claim {n} about sanctions.",
             "is_claim": True, "prediction": "neutral", "score": 0.5, "model_version": "bootstrap-1"} for n in range(7)]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    title = "pseudonymised pull"
    pid = push(path, title, workspace=studio["workspace"], progress=False)["project_id"]
    ids = {t.data["claim_id"]: t.id for t in studio_client.tasks.list(project=pid)}
    people = {"pseu-alice@example.org": join_by_invite(url, studio["api_key"], "pseu-alice@example.org", "al-pass-8812"),
              "pseu-bob@example.org": join_by_invite(url, studio["api_key"], "pseu-bob@example.org", "bo-pass-8812"),
              studio["username"]: studio["api_key"]}
    votes = {"pseu-alice@example.org": ["neutral", "kremlin_framing", "neutral", "neutral", "independent_reporting",
                                        "neutral", None],
             "pseu-bob@example.org": ["neutral", "neutral", "neutral", "kremlin_framing", "independent_reporting",
                                      "neutral", "skip"],
             studio["username"]: ["kremlin_framing", None, None, None, None, None, None]}
    for login, labels in votes.items():
        for n, label in enumerate(labels):
            if label is None:
                continue
            result = [lc.choice_result("neutral" if label == "skip" else label)]
            if login == "pseu-bob@example.org" and n == 1:
                result.append({"from_name": lc.NOTE, "to_name": lc.CLAIM, "type": "textarea",
                               "value": {"text": ["pseu-alice@example.org reads irony here; I do not"]}})
            httpx.post(f"{url}/api/tasks/{ids[f'ps{n}']}/annotations", headers={"Authorization": f"Token {people[login]}"},
                       json={"result": result, "was_cancelled": label == "skip"}).raise_for_status()
    logins = sorted(people)
    args = ["pull", "--workspace", studio["workspace"], "--project", title, "--out"]
    assert main([*args, str(tmp_path / "plain")]) == 0
    plain_printed = capsys.readouterr()
    assert "skipped: 1 skip(s) on 1 claim(s) (pseu-bob@example.org 1)" in plain_printed.out
    assert main([*args, str(tmp_path / "named"), "--pseudonymise"]) == 0
    printed = capsys.readouterr()
    key_path = Path(studio["workspace"]) / "pseudonym.key"
    key = bytes.fromhex(key_path.read_text().strip())
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    for login in logins:
        assert login not in printed.out + printed.err
    assert key.hex() not in printed.out + printed.err
    bob = pseudonyms.pseudonym("pseu-bob@example.org", key)
    assert f"skipped: 1 skip(s) on 1 claim(s) ({bob} 1)" in printed.out
    assert "14 annotations (1 skipped) by 3 annotator(s) on 6 claims" in printed.out
    assert "pseu-alice" not in printed.out and "pseu-bob" not in printed.out
    plain_lines = [line for line in plain_printed.out.splitlines() if not line.startswith(("wrote", "skipped"))]
    named_lines = [line for line in printed.out.splitlines() if not line.startswith(("wrote", "skipped", "pseudonymised"))]
    assert [line.replace("plain", "named") for line in plain_lines] == named_lines   # the same figures printed
    _check_pseudonymised(tmp_path / "plain", tmp_path / "named", logins, key)
    assert "pseu-alice" not in _every_text(tmp_path / "named") and "pseu-bob" not in _every_text(tmp_path / "named")
    report = json.loads((tmp_path / "named" / "report.json").read_text())
    assert report["agreement"]["cohen_kappa"]["mean_weighted"] is not None and report["ties"]["n"] >= 1
    note = [r for r in map(json.loads, (tmp_path / "named" / "labels.jsonl").read_text().splitlines())
            if r["claim_id"] == "ps1"][0]["notes"]
    assert note == [f"{bob}: {pseudonyms.pseudonym('pseu-alice@example.org', key)} reads irony here; I do not"]
    # The next pull (the other spelling) gives every annotator the same pseudonym: the key was kept.
    assert main([*args, str(tmp_path / "again"), "--pseudonymize"]) == 0
    capsys.readouterr()
    for name in ("labels.jsonl", "annotations.jsonl"):
        assert (tmp_path / "again" / name).read_text() == (tmp_path / "named" / name).read_text()
