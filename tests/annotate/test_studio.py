"""The managed Label Studio: start/status/stop against a real server, and the failures a user meets."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from annotate import studio as server
from claimstance.cli import main
from corpus.errors import UserError


def test_studio_json_is_private_and_holds_the_secrets(studio):
    path = Path(studio["studio_json"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["url"] == studio["url"] == f"http://127.0.0.1:{studio['port']}"
    assert len(saved["api_key"]) == 40 and int(saved["api_key"], 16) >= 0
    assert saved["username"] == studio["username"] and saved["password"]


def test_start_again_does_nothing_and_says_so(studio):
    info = server.start(studio["workspace"])
    assert info["already_running"] is True
    assert info["pid"] == studio["pid"] and info["url"] == studio["url"]


def test_status_reports_a_running_server_with_its_key_accepted(studio):
    info = server.status(studio["workspace"])
    assert info["running"] and info["auth_ok"] and info["http_status"] == 200


def test_cli_start_and_status_never_print_secrets(studio, capsys):
    assert main(["studio", "start", "--workspace", studio["workspace"]]) == 0
    assert main(["studio", "status", "--workspace", studio["workspace"]]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "already running at " + studio["url"] in text
    assert "API key accepted" in text and studio["username"] in text
    assert studio["api_key"] not in text and studio["password"] not in text
    log = Path(studio["log"]).read_text(errors="replace")
    assert studio["api_key"] not in log and studio["password"] not in log


def test_studio_log_has_label_studios_lines_once(studio):
    # Label Studio runs its settings module twice (as label_studio.core.settings.base and as
    # core.settings.base), and its `django` logger wrote through its own handler and the root's.
    server.connect(studio["workspace"])[0].projects.list()   # at least one request in the log
    lines = Path(studio["log"]).read_text(errors="replace").splitlines()
    assert sum("=> Database and media directory" in line for line in lines) == 1
    assert sum("=> Static URL is set to" in line for line in lines) == 1
    requests = [line for line in lines if "[django.server::" in line]
    assert requests and all(a != b for a, b in zip(requests, requests[1:]))


def test_studio_log_is_private_and_hides_an_invite_link_s_token(studio):
    import httpx

    invite = httpx.get(f"{studio['url']}/api/invite", headers={"Authorization": f"Token {studio['api_key']}"}).json()
    token = invite["invite_url"].split("token=")[1]
    assert httpx.get(studio["url"] + invite["invite_url"]).status_code == 200   # a colleague opens the link
    httpx.get(f"{studio['url']}/user/login/?next=/user/signup/%3Ftoken%3D{token}")   # and logs in through it
    log = Path(studio["log"])
    text = log.read_text(errors="replace")
    assert "/user/signup/?token=<hidden>" in text and token not in text
    assert log.stat().st_mode & 0o777 == 0o600


def test_connect_gives_a_working_client(studio):
    client, info = server.connect(studio["workspace"])
    assert info["url"] == studio["url"] and info["remote"] is False
    assert client.projects.list(page_size=1) is not None


def test_wrong_key_is_one_clear_error(studio, tmp_path):
    bad = dict(json.loads(Path(studio["studio_json"]).read_text()), api_key="0" * 40, password="not-it")
    (tmp_path / "studio.json").write_text(json.dumps(bad))
    with pytest.raises(UserError, match=r"refused the key in .*studio.json \(401\)"):
        server.connect(tmp_path)
    # with the admin's password there, the key the server holds now is taken instead (a key reset)
    (tmp_path / "studio.json").write_text(json.dumps({**bad, "password": studio["password"]}))
    server.connect(tmp_path)
    assert json.loads((tmp_path / "studio.json").read_text())["api_key"] == studio["api_key"]


def test_remote_url_takes_the_key_from_the_environment(studio, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "f" * 40)
    with pytest.raises(UserError, match=r"refused the key in LABEL_STUDIO_API_KEY \(401\)"):
        server.connect(url=studio["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio["api_key"])
    _, info = server.connect(url=studio["url"] + "/")
    assert info == {"url": studio["url"], "api_key": studio["api_key"], "remote": True}


def test_remote_url_without_a_key_says_which_variable(monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(UserError, match="needs the API key in LABEL_STUDIO_API_KEY"):
        server.connect(url="http://127.0.0.1:9")


def test_port_taken_by_another_program_names_the_port_and_the_fix(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(UserError, match=rf"port {port} on 127.0.0.1 is taken by another program; .*--port"):
            server.start(tmp_path, port=port)
    assert not (tmp_path / "studio.json").exists()


def test_cli_port_taken_exits_non_zero_with_one_line(tmp_path, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code = main(["studio", "start", "--workspace", str(tmp_path), "--port", str(port)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and err.startswith(f"error: port {port}")


def test_server_down_is_one_clear_error(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]   # closed again below: nothing listens there
    (tmp_path / "studio.json").write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "api_key": "a" * 40}))
    with pytest.raises(UserError, match=r"is not answering; run `stance studio start --workspace"):
        server.connect(tmp_path)


def test_no_workspace_says_how_to_start(tmp_path):
    with pytest.raises(UserError, match="no Label Studio set up in .*stance studio start"):
        server.connect(tmp_path / "nowhere")


def test_status_and_stop_of_an_empty_workspace(tmp_path, capsys):
    with pytest.raises(UserError, match="no Label Studio set up in"):
        server.status(tmp_path)
    assert server.stop(tmp_path)["stopped"] is False
    assert main(["studio", "status", "--workspace", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("error: no Label Studio set up")


def test_missing_executable_points_at_make(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMSTANCE_LABEL_STUDIO", str(tmp_path / "absent"))
    with pytest.raises(UserError, match="CLAIMSTANCE_LABEL_STUDIO=.*no such file"):
        server.find_binary()


def test_lost_studio_json_with_a_database_is_refused(tmp_path):
    (tmp_path / "studio").mkdir()
    (tmp_path / "studio" / "label_studio.sqlite3").write_bytes(b"")
    with pytest.raises(UserError, match="studio.json is missing, so its API key is lost; restore studio.json") as err:
        server.start(tmp_path, port=1)
    assert f"do not delete {tmp_path / 'studio'}: it holds every project and annotation" in str(err.value)


def test_server_env_drops_unprefixed_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("USERNAME", "someone")
    monkeypatch.setenv("PASSWORD", "hunter2")
    monkeypatch.setenv("PORT", "9999")
    info = {"username": "u", "password": "p", "api_key": "k", "secret_key": "s"}
    env = server._server_env(tmp_path, info)
    assert not {"USERNAME", "PASSWORD", "PORT"} & set(env)
    assert env["LATEST_VERSION_CHECK"] == "false" and env["COLLECT_ANALYTICS"] == "false"
    assert env["LABEL_STUDIO_USER_TOKEN"] == "k" and env["SENTRY_DSN"] == ""
    assert os.environ["PORT"] == "9999"
    # its temporary files (an export being written or converted) stay in the workspace, not /tmp
    monkeypatch.setenv("TMPDIR", "/tmp")
    assert server._server_env(tmp_path, info)["TMPDIR"] == str(tmp_path / "tmp")


def test_status_sets_a_loose_studio_json_back_to_600_and_prints_the_real_mode(studio, capsys):
    path = Path(studio["studio_json"])
    path.chmod(0o644)
    try:
        assert main(["studio", "status", "--workspace", studio["workspace"]]) == 0
        out = capsys.readouterr()
        assert out.err == f"note: {path} was mode 644; set it to 600 (it holds the password and API key)\n"
        assert out.out.splitlines()[-1].endswith(f"are in {path} (mode 600)")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        path.chmod(0o600)


def test_a_key_with_a_newline_is_named_not_taken_for_a_server_down(studio, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio["api_key"] + "\n")
    with pytest.raises(UserError) as err:
        server.connect(url=studio["url"])
    assert str(err.value).startswith("the API key in LABEL_STUDIO_API_KEY holds characters a key cannot have")
    assert studio["api_key"] not in str(err.value)


def test_push_and_pull_refuse_a_title_two_projects_share(studio, studio_client, tmp_path, capsys):
    title = "twin title"
    twins = [studio_client.projects.create(title=title) for _ in range(2)]
    try:
        claims = tmp_path / "claims.jsonl"
        claims.write_text(json.dumps({"claim_id": "c1", "doc_id": "d1", "text": "A claim.", "is_claim": True}) + "\n")
        ids = ", ".join(str(p.id) for p in sorted(twins, key=lambda p: p.id))
        line = (f"error: 2 projects titled 'twin title' (ids {ids}); rename one in Label Studio or give another "
                "--project")
        for argv in (["push", "--in", str(claims)], ["pull", "--out", str(tmp_path / "o")]):
            assert main([*argv, "--project", title, "--workspace", studio["workspace"]]) == 2
            out = capsys.readouterr()
            assert out.err.strip() == line and "pushed" not in out.out
        assert not (tmp_path / "o").exists()
        assert [studio_client.projects.get(id=p.id).task_number or 0 for p in twins] == [0, 0]
    finally:
        for project in twins:
            studio_client.projects.delete(id=project.id)


def test_push_refuses_to_create_a_project_whose_title_only_differs_by_case_or_spaces(studio, studio_client, tmp_path,
                                                                                      capsys):
    team = studio_client.projects.create(title="team near7")
    try:
        claims = tmp_path / "claims.jsonl"
        claims.write_text(json.dumps({"claim_id": "c1", "doc_id": "d1", "text": "A claim.", "is_claim": True}) + "\n")
        before = {p.id for p in studio_client.projects.list(page_size=1000).items}
        for typo in ("Team Near7", "team-near 7"):
            assert main(["push", "--in", str(claims), "--project", typo, "--scheme", "kremlin_framing",
                         "--workspace", studio["workspace"]]) == 2
            assert capsys.readouterr().err.strip() == (
                f"error: no project is titled {typo!r}, but 'team near7' is: give --project 'team near7' (titles match "
                "exactly, case and spaces included), or a title less like it for a new project; nothing was created")
        assert {p.id for p in studio_client.projects.list(page_size=1000).items} == before
        assert studio_client.projects.get(id=team.id).task_number in (0, None)
    finally:
        studio_client.projects.delete(id=team.id)


def _reset_token_in_the_web_page(info: dict) -> str:
    """What "Reset token" on Label Studio's account page does: a new key for the admin."""
    import httpx

    with httpx.Client(base_url=info["url"]) as browser:
        browser.get("/user/login/")
        assert browser.post("/user/login/", data={"email": info["username"], "password": info["password"],
                                                  "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                            headers={"Referer": info["url"] + "/user/login/"}).status_code == 302
        answer = browser.post("/api/current-user/reset-token/",
                              headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": info["url"]})
        return answer.json()["token"]


@pytest.mark.studio
def test_a_key_reset_in_label_studio_is_taken_again_with_the_password_studio_json_keeps(tmp_path, capsys):
    from conftest import _free_port

    workspace = tmp_path / "ws"
    server.start(workspace, port=_free_port())
    try:
        info = json.loads((workspace / "studio.json").read_text())
        new = _reset_token_in_the_web_page(info)
        assert new != info["api_key"]
        client, _ = server.connect(workspace)   # pull and push connect so: the refused key is replaced
        assert client.projects.list().items == []
        assert json.loads((workspace / "studio.json").read_text())["api_key"] == new
        assert stat.S_IMODE((workspace / "studio.json").stat().st_mode) == 0o600
        err = capsys.readouterr().err
        assert "it now holds the admin's current key" in err and new not in err and info["password"] not in err
        # `studio status` after a reset takes the new key too
        newest = _reset_token_in_the_web_page(info)
        assert server.status(workspace)["auth_ok"]
        assert json.loads((workspace / "studio.json").read_text())["api_key"] == newest
        # and a restart after a reset starts, rather than stopping the server after a minute of 401s
        newer = _reset_token_in_the_web_page(info)
        server.stop(workspace)
        assert server.start(workspace, port=info["port"])["url"] == info["url"]   # at once, on the same port
        assert json.loads((workspace / "studio.json").read_text())["api_key"] == newer
        assert server.status(workspace)["auth_ok"]
    finally:
        server.stop(workspace)


def test_ctrl_c_while_the_server_starts_says_it_goes_on_starting(tmp_path, monkeypatch, capsys):
    import subprocess

    from conftest import _free_port

    started, real_popen = [], subprocess.Popen

    def popen(cmd, **kwargs):   # a stand-in server: the launch itself is not under test here
        started.append(real_popen(["sleep", "30"], start_new_session=True))
        return started[-1]

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(server, "find_binary", lambda: "label-studio")
    monkeypatch.setattr(server.subprocess, "Popen", popen)
    monkeypatch.setattr(server, "_wait_ready", interrupted)
    try:
        with pytest.raises(KeyboardInterrupt):
            server.start(tmp_path / "ws", port=_free_port())
        assert capsys.readouterr().err.strip() == (
            f"note: Label Studio is still starting in the background (pid {started[0].pid}); the same command again "
            f"waits for it, `stance studio stop --workspace {tmp_path / 'ws'}` stops it")
    finally:
        for proc in started:
            proc.kill()
            proc.wait()


def test_port_held_by_another_claimstance_workspace_names_it_and_the_fix(studio, tmp_path):
    # QA: the Label Studio of another workspace on the port was "another program"
    other = Path(studio["workspace"])
    with pytest.raises(UserError) as err:
        server.start(tmp_path / "mine", port=studio["port"])
    message = str(err.value)
    assert message.startswith(f"port {studio['port']} on 127.0.0.1 is taken by the Label Studio of another "
                              f"claimstance workspace, {other.resolve()}")
    assert f"stance studio stop --workspace {other.resolve()}" in message and "--port P" in message
    assert not (tmp_path / "mine").exists()
    with pytest.raises(UserError, match=r"another claimstance workspace, "):   # `stance run`'s check before its steps
        server.check_port(tmp_path / "mine", port=studio["port"])


def test_port_held_by_a_label_studio_of_no_known_workspace_says_so(studio, tmp_path, monkeypatch):
    # no process to read (another user's, no /proc): the server answers as a Label Studio all the same
    monkeypatch.setattr(server, "_listeners", lambda port: [])
    with pytest.raises(UserError, match=rf"port {studio['port']} on 127.0.0.1 is taken by another Label Studio "
                                        r"\(not this workspace's: .*\); stop it, or pick a free port with --port P"):
        server.start(tmp_path / "mine", port=studio["port"])
