"""Bad input to the Label Studio commands without a real server: a broken studio.json, a URL that
answers but not like Label Studio, one that never answers, a workspace that cannot be made, an --out
that cannot be written. Each is one `error:` line, nothing written, no key printed."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from annotate import push as pusher
from annotate import pull
from annotate import studio, studio_api
from claimstance.cli import main
from corpus.errors import UserError

KEY = "SEKRIT-token-7f3a9"


class _Handler(BaseHTTPRequestHandler):
    """Answers every request with the server's ``body`` (200), echoing the Authorization header
    back when the body holds ``{auth}``: a careless proxy that must not get the key printed."""

    def log_message(self, *args):
        pass

    def _answer(self):
        body = self.server.body.replace("{auth}", self.headers.get("Authorization", ""))
        data = body.encode()
        self.send_response(self.server.code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer


@pytest.fixture
def fake():
    """``fake(body, code=200)`` -> the URL of a local server answering ``body`` to everything."""
    servers = []

    def serve(body: str, code: int = 200) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.body, server.code = body, code
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.jsonl"
    rows = [{"claim_id": f"c{n}", "doc_id": "d1", "text": f"Claim {n}.", "is_claim": True} for n in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _one_error_line(capsys) -> str:
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.err
    assert "Traceback" not in out.err
    return lines[0]


# --- studio.json ---------------------------------------------------------------------------------

def _assert_safe_advice(line: str) -> None:
    """The fix for a broken studio.json keeps the database: it is never "delete studio/" on its own."""
    assert "delete the workspace's studio/ folder" not in line
    assert "restore it from a backup" in line and "api_key" in line
    assert "the login is the admin account admin@claimstance.local in" in line and "label_studio.sqlite3" in line
    assert "do not delete" in line and "it holds every project and annotation" in line


@pytest.mark.parametrize("content, why", [
    (b"\xff\xfe\x00binary\x89PNG\x00" * 20, "unreadable (not UTF-8 JSON)"),
    (b"", "unreadable (empty)"),
    (b'{"url": ', "unreadable (Expecting value: line 1 column 9 (char 8))"),
    (b'{"url": "http://127.0.0.1:9"}', "no api_key in it"),
    (b"[1, 2]", "no api_key in it"),
])
def test_a_broken_studio_json_is_one_line_with_a_fix_that_keeps_the_annotations(tmp_path, capsys, content, why):
    (tmp_path / "studio.json").write_bytes(content)
    (tmp_path / "studio.json").chmod(0o600)
    for call in (studio.status, studio.stop, studio.connect, studio.start):
        with pytest.raises(UserError) as err:
            call(tmp_path)
        assert str(err.value).startswith(f"{tmp_path / 'studio.json'}: {why}; ")
        _assert_safe_advice(str(err.value))
    for argv in (["studio", "status"], ["studio", "stop"], ["pull", "--project", "abc", "--out", str(tmp_path / "o")],
                 ["push", "--in", str(_claims(tmp_path)), "--project", "abc"]):
        assert main([*argv, "--workspace", str(tmp_path)]) == 2
        _assert_safe_advice(_one_error_line(capsys))
    assert (tmp_path / "studio.json").read_bytes() == content and not (tmp_path / "o").exists()


def _fake_server_process(data_dir: Path) -> subprocess.Popen:
    """A process whose command line is the one `start` launches for ``data_dir`` (it only sleeps)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "studio_server.py", "start",
                             "--no-browser", "--port", "1", "--data-dir", str(data_dir.resolve())],
                            start_new_session=True)


def test_stop_finds_the_server_of_the_workspace_when_studio_json_is_garbled(tmp_path, capsys):
    ws, other = tmp_path / "ws", tmp_path / "other"
    (ws / "studio").mkdir(parents=True)
    (ws / "studio.json").write_text('{"url": ')
    ours, theirs = _fake_server_process(ws / "studio"), _fake_server_process(other / "studio")
    try:
        time.sleep(0.3)
        info = studio.stop(ws)
        assert info["stopped"] is True and ours.wait(timeout=10) is not None
        assert theirs.poll() is None   # another workspace's server is left alone
        note = capsys.readouterr().err
        assert note.startswith(f"note: {ws / 'studio.json'}: unreadable (") and note.count("\n") == 1
        _assert_safe_advice(note)
        assert (ws / "studio.json").read_text() == '{"url": '
        ours = _fake_server_process(ws / "studio")
        time.sleep(0.3)
        assert main(["studio", "stop", "--workspace", str(ws)]) == 0
        assert capsys.readouterr().out == f"Label Studio for {ws} stopped\n"
        assert ours.wait(timeout=10) is not None
        with pytest.raises(UserError, match="unreadable"):   # nothing left to stop: the broken file is the news
            studio.stop(ws)
    finally:
        for proc in (ours, theirs):
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def test_stop_finds_the_server_when_the_recorded_pid_is_lost(tmp_path):
    (tmp_path / "studio.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "api_key": "a" * 40, "pid": None}))
    proc = _fake_server_process(tmp_path / "studio")
    try:
        time.sleep(0.3)
        assert studio.stop(tmp_path)["stopped"] is True and proc.wait(timeout=10) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_status_of_a_workspace_without_studio_is_an_error_on_stderr(tmp_path, capsys):
    with pytest.raises(UserError, match=r"no Label Studio set up in .*nowhere: run `stance studio start"):
        studio.status(tmp_path / "nowhere")
    assert main(["studio", "status", "--workspace", str(tmp_path / "nowhere")]) == 2
    assert _one_error_line(capsys).startswith("error: no Label Studio set up in")
    assert not (tmp_path / "nowhere").exists()


def test_a_file_as_workspace_is_named_as_such(tmp_path, capsys):
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    for call in (studio.status, studio.stop, studio.connect):
        with pytest.raises(UserError, match=r"--workspace .*notes.txt is a file; give the workspace directory"):
            call(afile)
    assert main(["studio", "status", "--workspace", str(afile)]) == 2
    assert "is a file" in _one_error_line(capsys)
    assert afile.read_text() == "mine"


def test_stop_without_a_pid_leaves_studio_json_untouched(tmp_path):
    path = tmp_path / "studio.json"
    path.write_text(json.dumps({"url": "http://127.0.0.1:9", "api_key": "a" * 40, "pid": None}))
    mtime = path.stat().st_mtime_ns
    assert studio.stop(tmp_path)["stopped"] is False
    assert path.stat().st_mtime_ns == mtime


# --- stance studio start: nothing left behind ------------------------------------------------------

def test_start_on_a_taken_port_leaves_no_workspace(tmp_path, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["studio", "start", "--workspace", str(tmp_path / "ws" / "deep"), "--port", str(port)]) == 2
    assert f"port {port} on 127.0.0.1 is taken" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_start_with_a_file_as_workspace_is_refused(tmp_path, capsys):
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    assert main(["studio", "start", "--workspace", str(afile), "--port", "1"]) == 2
    assert _one_error_line(capsys) == f"error: --workspace {afile} is a file; give a directory (new or used before)"
    assert main(["studio", "start", "--workspace", str(afile / "ws"), "--port", "1"]) == 2
    assert f"{afile} is a file" in _one_error_line(capsys)
    assert afile.read_text() == "mine" and sorted(tmp_path.iterdir()) == [afile]


def test_start_under_a_read_only_folder_is_refused(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(studio.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    assert main(["studio", "start", "--workspace", str(locked / "ws"), "--port", "1"]) == 2
    assert _one_error_line(capsys) == (f"error: --workspace {locked / 'ws'}: {locked} is not writable; "
                                       "choose another --workspace")
    assert list(locked.iterdir()) == []


def test_start_where_mkdir_fails_anyway_is_one_line(tmp_path, monkeypatch):
    """An immutable folder refuses even root, whom os.access lets through."""
    def refuse(self, *args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(studio, "find_binary", lambda: "/bin/true")
    monkeypatch.setattr(studio, "_port_free", lambda port: True)
    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(UserError, match=r"ws: cannot create it \(Operation not permitted\); choose another"):
        studio.start(tmp_path / "ws", port=1)
    assert list(tmp_path.iterdir()) == []


# --- a URL that answers, but not like Label Studio -------------------------------------------------

@pytest.mark.parametrize("body", ["[]", "{}", '{"results": "not a list", "count": "x"}',
                                  '{"results": [{"title": "no id"}], "count": 1}',
                                  "<html>Welcome to nginx! {auth}</html>"])
def test_a_server_not_like_label_studio_is_refused_by_the_probe(fake, monkeypatch, body):
    url = fake(body)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    with pytest.raises(UserError) as err:
        studio.connect(url=url)
    assert str(err.value) == f"{url} does not answer like Label Studio 1.x; check --url"


@pytest.mark.parametrize("command", ["push", "pull"])
def test_push_and_pull_to_a_json_list_server_are_one_line(fake, monkeypatch, tmp_path, capsys, command):
    url = fake("[]")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    argv = (["push", "--in", str(_claims(tmp_path))] if command == "push" else ["pull", "--out", str(tmp_path / "o")])
    assert main([*argv, "--project", "abc", "--url", url]) == 2
    assert _one_error_line(capsys) == f"error: {url} does not answer like Label Studio 1.x; check --url"
    assert not (tmp_path / "o").exists()


def test_a_server_answering_an_empty_page_to_everything_gets_no_false_success(fake, monkeypatch, tmp_path, capsys):
    """The probe passes; the project it 'creates' has no id: no 'pushed' line, no /projects/None/ URL."""
    url = fake('{"count": 0, "results": []}')
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    # claims never pre-labelled name their scheme (the project records none)
    assert main(["push", "--in", str(_claims(tmp_path)), "--project", "abc", "--url", url,
                 "--scheme", "kremlin_framing"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "None" not in out.err
    assert out.err.strip() == (f"error: {url} does not answer like Label Studio 1.x; "
                               "check --url (no project id came back when one was created)")


def test_server_errors_never_print_the_key(fake, monkeypatch):
    from label_studio_sdk import LabelStudio

    url = fake('{"detail": "Invalid token. You sent: {auth}"}', code=400)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    with pytest.raises(UserError, match=rf"^Label Studio at {url} answered 400; check --url$"):
        studio.connect(url=url)

    client = LabelStudio(base_url=url, api_key=KEY)
    with pytest.raises(UserError) as err:
        pusher._api(client, "api/tasks/")
    assert KEY not in str(err.value) and "Token ***" in str(err.value)
    assert studio_api.api_error_text(NS(body={"detail": f"bad key {KEY}"}), KEY) == "bad key ***"


def test_a_server_that_never_answers_is_cut_short_by_the_probe(monkeypatch):
    monkeypatch.setattr(studio_api, "PROBE_TIMEOUT", 1)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    with socket.socket() as sock:   # listens (the kernel completes the handshake) but never reads
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(UserError) as err:
            studio.connect(url=url)
    assert str(err.value) == f"Label Studio at {url} did not answer in 1 s; check --url"


# --- paging that does not advance ------------------------------------------------------------------

def test_project_listing_stops_when_pages_repeat():
    calls = []

    def listing(title=None, page=1, page_size=100):
        calls.append(page)
        return NS(items=[NS(id=n, title=f"p{n}") for n in range(page_size)])   # the same full page forever

    client = NS(projects=NS(list=listing))
    assert [p.id for p in pusher.list_projects(client, page_size=3)] == [0, 1, 2]
    assert calls == [1, 2]
    garbage = NS(projects=NS(list=lambda **kw: NS(items="not a list")), _client_wrapper=None)
    with pytest.raises(UserError, match="does not answer like Label Studio 1.x"):
        pusher.list_projects(garbage)


def test_task_listing_stops_when_pages_repeat(monkeypatch):
    pages = []

    def api(client, path, method="GET", **kwargs):
        pages.append(kwargs["params"]["page"])
        return {"tasks": [{"id": 1, "data": {"claim_id": "a"}}, {"id": 2, "data": {"claim_id": "b"}}], "total": 10 ** 9}

    monkeypatch.setattr(pusher, "_api", api)
    assert pusher.existing_tasks(NS(), 1, "claim_id", page_size=2) == {"a": 1, "b": 2}
    assert pages == [1, 2]
    monkeypatch.setattr(pusher, "_api", lambda *a, **k: {"tasks": "x", "total": "y"})
    with pytest.raises(UserError, match="does not answer like Label Studio 1.x"):
        pusher.existing_tasks(NS(), 1, "claim_id")
    monkeypatch.setattr(pusher, "_api", lambda *a, **k: {"not": "a list"})
    with pytest.raises(UserError, match="does not answer like Label Studio 1.x"):
        pusher.existing_versions(NS(), 1)


def test_an_export_without_an_id_is_refused():
    exports = NS(create=lambda *a, **k: NS(id=None, status=None))
    with pytest.raises(UserError, match=r"does not answer like Label Studio 1.x; check --url \(an export came back"):
        pull.export_tasks(NS(projects=NS(exports=exports)), 3, progress=False)


# --- stance pull: --out is checked before the export -----------------------------------------------

def test_pull_checks_out_before_contacting_the_server(tmp_path, capsys, monkeypatch):
    def never(**kwargs):
        raise AssertionError("connected before checking --out")

    monkeypatch.setattr(studio, "connect", never)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    afile = tmp_path / "afile"
    afile.write_text("keep")
    for out, says in ((foreign, "holds files that are not an earlier output of this command"),
                      (afile, f"{afile} is a file; give a directory for the output"),
                      (afile / "sub", f"{afile} is a file")):
        assert main(["pull", "--project", "abc", "--out", str(out), "--workspace", str(tmp_path)]) == 2
        line = _one_error_line(capsys)
        assert says in line and "exporting" not in line
    assert (foreign / "notes.txt").read_text() == "keep" and afile.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mine"]


def test_pull_into_a_folder_that_refuses_writes_is_one_line(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    import corpus.files

    monkeypatch.setattr(corpus.files.tempfile, "mkdtemp", refuse)
    with pytest.raises(UserError, match=r"cannot write .*o \(Operation not permitted\); choose another output path"):
        pull._check_out_dir(tmp_path / "o")


# --- secrets in error lines: a key cut by the 200-character excerpt, a URL with a password ------------

HEX_KEY = "5ec7e75ec7e7a1b2c3d4e5f60718293a4b5c6d7e"


def _pieces(key: str, least: int = 8) -> set[str]:
    return {key[i:j] for i in range(len(key)) for j in range(i + least, len(key) + 1)}


@pytest.mark.parametrize("padding", [150, 161, 170, 177, 185, 192, 199])
def test_a_key_straddling_the_200_character_cut_leaves_no_piece(fake, padding):
    from label_studio_sdk import LabelStudio

    body = "x" * padding + HEX_KEY + " and more text after it"
    url = fake(body, code=400)
    with pytest.raises(UserError) as err:
        pusher._api(LabelStudio(base_url=url, api_key=HEX_KEY), "api/tasks/")
    line = str(err.value)
    assert not [piece for piece in _pieces(HEX_KEY) if piece in line], line
    assert line.startswith("Label Studio answered 400 to GET /api/tasks/: xxx")
    text = studio_api.api_error_text(NS(body=body), HEX_KEY)
    assert not [piece for piece in _pieces(HEX_KEY) if piece in text], text
    assert len(text) <= 200 and text.startswith("x" * 150)


def test_excerpt_masks_the_key_before_cutting_and_pieces_at_either_end():
    assert studio_api.excerpt("a " * 95 + HEX_KEY + " tail", HEX_KEY) == ("a " * 95 + "*** tail")[:200]
    assert studio_api.excerpt("x" * 195 + HEX_KEY, HEX_KEY) == "x" * 195 + "***"   # whole key masked, then cut
    assert studio_api.excerpt(HEX_KEY[12:] + " was cut by the server", HEX_KEY) == "*** was cut by the server"
    assert studio_api.excerpt("ends in " + HEX_KEY[:9], HEX_KEY) == "ends in ***"
    assert studio_api.excerpt("deadbeef short", HEX_KEY) == "deadbeef short"
    # A key cut short by the server in the middle of its message: the piece is masked there too.
    assert studio_api.excerpt('{"key": "' + HEX_KEY[:30] + '"}', HEX_KEY) == '{"key": "***"}'
    assert studio_api.scrub("a " + HEX_KEY[5:20] + " b", HEX_KEY) == "a *** b"
    assert studio_api.scrub("a " + HEX_KEY[5:12] + " b", HEX_KEY) == "a " + HEX_KEY[5:12] + " b"   # 7: too short to tell


def test_an_at_sign_after_the_host_is_not_a_user_name(monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    monkeypatch.setattr(studio, "_probe", lambda *a, **k: None)
    for url in ("http://127.0.0.1:8080?next=a@b", "http://127.0.0.1:8080/x#a@b", "http://127.0.0.1:8080/u@x"):
        assert studio.connect(url=url)[1]["url"] == url


@pytest.mark.parametrize("url", ["http://u:URLSECRETPW@127.0.0.1:8132", "http://URLSECRETPW@127.0.0.1:8132/",
                                 "https://u:URLSECRETPW@ls.example.org", "http://:URLSECRETPW@[::1]:8080"])
def test_a_url_with_a_user_name_or_password_is_refused_without_echoing_it(monkeypatch, tmp_path, capsys, url):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    monkeypatch.setattr(studio, "_probe", lambda *a, **k: pytest.fail("contacted the server"))
    message = "--url must not hold a user name or password; the key comes from LABEL_STUDIO_API_KEY"
    with pytest.raises(UserError) as err:
        studio.connect(url=url)
    assert str(err.value) == message
    for argv in (["push", "--in", str(_claims(tmp_path))], ["pull", "--out", str(tmp_path / "o")]):
        assert main([*argv, "--project", "abc", "--url", url]) == 2
        line = _one_error_line(capsys)
        assert line == f"error: {message}" and "URLSECRETPW" not in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("url", ["notaurl", "ftp://ls.example.org", "127.0.0.1:8080", "http://"])
def test_a_url_that_is_not_http_is_refused_before_any_server_is_asked(monkeypatch, url):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    monkeypatch.setattr(studio, "_probe", lambda *a, **k: pytest.fail("contacted the server"))
    with pytest.raises(UserError, match=rf"--url {re.escape(url)} is not an http\(s\) address; give the server's"):
        studio.connect(url=url)


@pytest.mark.parametrize("url, noted", [
    ("http://ls.example.org:8080", True), ("http://10.1.2.3", True), ("http://[2001:db8::1]:80", True),
    ("https://ls.example.org", False), ("http://localhost:8080", False), ("http://LOCALHOST:8080", False),
    ("http://127.0.0.1:8080", False), ("http://[::1]:8080", False),
])
def test_plain_http_to_another_machine_gets_a_note(monkeypatch, capsys, url, noted):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", KEY)
    monkeypatch.setattr(studio, "_probe", lambda *a, **k: None)
    _, info = studio.connect(url=url)
    assert info["url"] == url
    err = capsys.readouterr().err
    if noted:
        assert err == (f"note: --url {url} is plain http to another machine: the API key travels unencrypted; "
                       "use https:// if the server offers it\n")
    else:
        assert err == ""


# --- an API key no HTTP header can carry -------------------------------------------------------------

BAD_KEYS = {"newline": KEY + "\n", "inner newline": KEY + "\nx", "non-ASCII": "garbé", "space": "ab cd",
            "tab": "\tabc", "escape": "ab\x1bcd", "blank": "   "}


@pytest.mark.parametrize("name", sorted(BAD_KEYS))
def test_a_key_with_characters_a_key_cannot_have_from_the_environment(fake, monkeypatch, tmp_path, capsys, name):
    url = fake('{"count": 0, "results": []}')   # up and answering like Label Studio
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", BAD_KEYS[name])
    with pytest.raises(UserError) as err:
        studio.connect(url=url)
    assert str(err.value) == ("the API key in LABEL_STUDIO_API_KEY holds characters a key cannot have "
                              "(a line break, a space, a control or non-ASCII character); copy it again")
    assert main(["push", "--in", str(_claims(tmp_path)), "--project", "abc", "--url", url]) == 2
    line = _one_error_line(capsys)
    assert "LABEL_STUDIO_API_KEY holds characters a key cannot have" in line and "not answering" not in line
    assert KEY not in line and "garb" not in line and "ab" not in line.split(";")[0]


@pytest.mark.parametrize("name", ["newline", "non-ASCII", "space"])
def test_a_key_with_characters_a_key_cannot_have_in_studio_json(fake, tmp_path, capsys, name):
    url = fake('{"count": 0, "results": []}')
    path = tmp_path / "studio.json"
    path.write_text(json.dumps({"url": url, "port": 1, "username": "u", "api_key": BAD_KEYS[name], "pid": None}))
    path.chmod(0o600)
    message = (f"the API key in {path} holds characters a key cannot have (a line break, a space, a control or "
               "non-ASCII character); put back the api_key `stance studio start` wrote (40 hex characters)")
    for call in (studio.connect, studio.status, studio.start):
        with pytest.raises(UserError) as err:
            call(tmp_path)
        assert str(err.value) == message
    for argv in (["studio", "status"], ["push", "--in", str(_claims(tmp_path)), "--project", "abc"]):
        assert main([*argv, "--workspace", str(tmp_path)]) == 2
        assert _one_error_line(capsys) == f"error: {message}"
    assert studio.stop(tmp_path)["stopped"] is False   # stopping needs no key


# --- studio.json must stay private -------------------------------------------------------------------

def test_a_loose_studio_json_is_set_back_to_600_with_a_note(tmp_path, capsys):
    path = tmp_path / "studio.json"
    path.write_text(json.dumps({"url": "http://127.0.0.1:9", "port": 9, "username": "u", "api_key": "a" * 40,
                                "pid": None}))
    path.chmod(0o644)
    info = studio.status(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and info["studio_json_mode"] == "600"
    assert capsys.readouterr().err == (f"note: {path} was mode 644; set it to 600 "
                                       "(it holds the password and API key)\n")
    studio.status(tmp_path)
    assert capsys.readouterr().err == ""


def test_a_studio_json_that_cannot_be_tightened_is_named_with_the_command(tmp_path, capsys, monkeypatch):
    path = tmp_path / "studio.json"
    path.write_text(json.dumps({"url": "http://127.0.0.1:9", "port": 9, "username": "u", "api_key": "a" * 40,
                                "pid": None}))
    path.chmod(0o640)

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(studio.os, "chmod", refuse)
    info = studio.status(tmp_path)
    assert info["studio_json_mode"] == "640"
    assert capsys.readouterr().err == (f"note: {path} is mode 640 and could not be set to 600 (Operation not "
                                       f"permitted); it holds the password and API key: run `chmod 600 {path}`\n")


# --- two projects with one title ---------------------------------------------------------------------

def test_two_projects_with_one_title_are_refused_naming_the_ids():
    projects = [NS(id=16, title="qa-ann"), NS(id=3, title="qa-ann copy"), NS(id=12, title="qa-ann")]
    client = NS(projects=NS(list=lambda title=None, page=1, page_size=100: NS(items=projects)))
    message = "2 projects titled 'qa-ann' (ids 12, 16); rename one in Label Studio or give another --project"
    with pytest.raises(UserError) as err:
        pusher.find_project(client, "qa-ann")
    assert str(err.value) == message
    with pytest.raises(UserError) as err:
        pull.find_project(client, "qa-ann", "http://127.0.0.1:9")
    assert str(err.value) == message
    assert pusher.find_project(client, "qa-ann copy").id == 3
    assert pusher.find_project(client, "absent") is None
