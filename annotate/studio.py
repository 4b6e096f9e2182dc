"""A local Label Studio managed by the tool: start, stop, status, and a connected client.

The server runs from a virtual environment of its own (its pins clash with the project's) on
loopback only, with SQLite under the workspace. The admin user and API key are made on first
start and kept in ``W/studio.json`` (file mode 600); they are never printed or logged.
A remote server is reached with ``connect(url=...)`` and the key in ``LABEL_STUDIO_API_KEY``.
The workspace's studio.json is read and written by ``annotate.studio_workspace``; the calls and
checks that serve any server (probe, URL and key checks, messages with secrets masked) are in
``annotate.studio_api``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotate.studio_api import API_KEY_ENV, PROBE_TIMEOUT, _check_key, _check_url, _note, _probe
from annotate.studio_workspace import (DEFAULT_WORKSPACE, USERNAME, _check_workspace,
                                       _keep_the_database, _make_workspace, _public, _read_info, _write_info,
                                       studio_file)
from corpus.errors import UserError

DEFAULT_PORT = 8080
HOST = "127.0.0.1"
START_TIMEOUT = 240.0   # a first start runs the migrations: 35-46 s on an idle machine, more when busy
STOP_TIMEOUT = 20.0
BINARY_ENV = "CLAIMSTANCE_LABEL_STUDIO"
REPO = Path(__file__).resolve().parent.parent

# Variables the server may see from the caller's environment; everything else is dropped because
# Label Studio reads unprefixed USERNAME, PASSWORD and PORT.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SSL_CERT_FILE")   # TMPDIR: server_tmp


def find_binary() -> str:
    """The label-studio executable: $CLAIMSTANCE_LABEL_STUDIO, the repo's .venv-studio, then PATH."""
    override = os.environ.get(BINARY_ENV)
    if override:
        if not Path(override).is_file():
            raise UserError(f"{BINARY_ENV}={override}: no such file; point it at a label-studio executable")
        return override
    local = REPO / ".venv-studio" / "bin" / "label-studio"
    if local.is_file():
        return str(local)
    found = shutil.which("label-studio")
    if found:
        return found
    raise UserError("Label Studio is not installed: run `make studio-venv` (or set CLAIMSTANCE_LABEL_STUDIO)")


def _launcher(binary: str) -> list[str]:
    """How to run the server: through studio_server.py (faster imports) with the binary's own
    interpreter when its shebang names one, else the binary as is."""
    try:
        with open(binary, "rb") as handle:
            first = handle.readline(512).decode("utf-8", "replace")
    except OSError:
        return [binary]
    interpreter = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    if "python" in Path(interpreter).name and Path(interpreter).is_file():
        return [interpreter, str(Path(__file__).with_name("studio_server.py"))]
    return [binary]


def _pid_alive(pid: int | None, strict: bool = False) -> bool:
    """True when ``pid`` is a running label-studio process (not a recycled pid of something else).
    ``strict``: only when that is seen, never taken on trust (another user's process, no /proc)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return not strict   # another user's process: ours it is not, when it matters
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not strict   # no /proc (macOS): trust the pid, unless it matters
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False  # a zombie child of this very process
    return any(name in cmdline for name in (b"label-studio", b"label_studio", b"studio_server.py"))


def _port_freed(port: int, seconds: float = 5.0) -> bool:
    """Whether ``port`` comes free within ``seconds``: a server just stopped (`make stop` then
    `make run`) lets go of it a moment after its process has gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if _port_free(port):
            return True
    return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _auth_status(url: str, api_key: str, timeout: float = 5.0) -> int | None:
    """HTTP status of an authenticated API call, or None when nothing answers."""
    request = urllib.request.Request(f"{url.rstrip('/')}/api/projects?page_size=1",
                                     headers={"Authorization": f"Token {api_key}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except (urllib.error.URLError, OSError):
        return None


def _current_token(url: str, username: str, password: str) -> str | None:
    """The admin's API token as the server holds it now, read by logging in with the password in
    studio.json as a browser would (the login form with its CSRF token); None when that fails."""
    import httpx

    try:
        with httpx.Client(base_url=url, timeout=10.0, follow_redirects=False) as browser:
            browser.get("/user/login/")
            csrf = browser.cookies.get("csrftoken")
            if not csrf:
                return None
            answer = browser.post("/user/login/", data={"email": username, "password": password,
                                                        "csrfmiddlewaretoken": csrf},
                                  headers={"Referer": f"{url}/user/login/"})
            if answer.status_code != 302:   # the form again: the login was refused
                return None
            token = browser.get("/api/current-user/token").json().get("token")
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


def refresh_key(workspace: str | Path, info: dict[str, Any]) -> bool:
    """After "Reset token" in Label Studio's account page the key in studio.json is refused: take the
    admin's new one (logging in with the password studio.json keeps) and write it there (mode 600),
    with a note. True when the new key works; ``info`` (the full studio.json record) then holds it."""
    if not info.get("username") or not info.get("password") or not _pid_alive(info.get("pid"), strict=True):
        return False   # the password goes only to the server this workspace runs, never to whatever holds its port
    token = _current_token(info["url"], str(info["username"]), str(info["password"]))
    if token is None or token == info.get("api_key") or _auth_status(info["url"], token) != 200:
        return False
    info["api_key"] = token
    _write_info(workspace, info)
    _note(KEY_REFRESHED.format(file=studio_file(workspace)))
    return True


KEY_REFRESHED = ("the API key in {file} was refused (reset in Label Studio's account page?): it now holds the "
                 "admin's current key, read by logging in with the password it keeps")


def _new_credentials(port: int) -> dict[str, Any]:
    return {
        "url": f"http://{HOST}:{port}",
        "port": port,
        "username": USERNAME,
        "password": secrets.token_urlsafe(18),
        "api_key": secrets.token_hex(20),
        "secret_key": secrets.token_urlsafe(40),   # Django's: browser logins survive a restart
        "pid": None,
    }


def server_tmp(data_dir: Path) -> Path:
    """The server's temporary directory, inside its data dir: what Label Studio writes to a temporary
    file (an export being written or converted: every annotation, the annotators' e-mail addresses)
    stays in the workspace, mode 700, never in /tmp where a stop or kill left it."""
    return data_dir / "tmp"


def _empty_tmp(data_dir: Path) -> None:
    """Make the server's temporary directory (mode 700), empty: files a killed server left go."""
    tmp = server_tmp(data_dir)
    for folder in (data_dir, tmp):
        folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(tmp, 0o700)
    for entry in tmp.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()


def _server_env(data_dir: Path, info: dict[str, Any]) -> dict[str, str]:
    env = {key: os.environ[key] for key in _PASSED_ENV if key in os.environ}
    env.update({
        "TMPDIR": str(server_tmp(data_dir)),
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": info["username"],
        "LABEL_STUDIO_PASSWORD": info["password"],
        "LABEL_STUDIO_USER_TOKEN": info["api_key"],
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "SECRET_KEY": info["secret_key"],
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "PYTHONUNBUFFERED": "1",
        # 1.23.2 re-parses the label config for every imported prediction (tasks/serializers.py,
        # add_predictions): 80% of an import's time. `stance push` validates every prediction
        # locally before sending, so the managed server skips its own pass.
        "fflag_feat_utc_210_prediction_validation_15082025": "false",
    })
    return env


def _log_tail(log: Path, lines: int = 3) -> str:
    with contextlib.suppress(OSError):
        tail = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
        return " | ".join(tail[-lines:])
    return ""


def _running_elsewhere(workspace: Path, info: dict[str, Any], port: int) -> UserError:
    return UserError(f"Label Studio already runs for {workspace} at {info['url']}; "
                     f"stop it first (`stance studio stop --workspace {workspace}`) to move it to port {port}")


def _port_taken(port: int) -> UserError:
    holder = _port_holder(port)
    if holder is None:
        return UserError(f"port {port} on {HOST} is taken by another program; pick a free one with --port P "
                         "(make run PORT=P)")
    if holder == "":
        return UserError(f"port {port} on {HOST} is taken by another Label Studio (not this workspace's: another "
                         "claimstance workspace's, or one started by hand); stop it, or pick a free port with "
                         "--port P (make run PORT=P)")
    word = shlex.quote(holder)
    return UserError(f"port {port} on {HOST} is taken by the Label Studio of another claimstance workspace, {holder}; "
                     f"stop it (`stance studio stop --workspace {word}`) or pick a free port with --port P "
                     "(make run PORT=P)")


def _port_holder(port: int) -> str | None:
    """Who listens on ``port``: the folder of the claimstance workspace whose Label Studio it is (read from
    the listening process's ``--data-dir``, ``W/studio``, beside ``W/studio.json``), "" for a Label Studio
    of no workspace found (another user's, no /proc: it answers as one), None for anything else."""
    for pid in _listeners(port):
        with contextlib.suppress(OSError):
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"--data-dir" in args[:-1]:
                data_dir = Path(os.fsdecode(args[args.index(b"--data-dir") + 1]))
                if data_dir.name == "studio" and studio_file(data_dir.parent).is_file():
                    return str(data_dir.parent.resolve())
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/version", timeout=2) as response:
            body = response.read(65536)
    except (OSError, ValueError):
        return None
    return "" if b"label-studio" in body.lower() else None


def _listeners(port: int) -> list[int]:
    """The processes holding a socket that listens on ``port`` (Linux's /proc; none elsewhere, or for
    another user's processes)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    pids = []
    if inodes:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                    pids.append(int(entry.name))
    return pids


def check_port(workspace: str | Path = DEFAULT_WORKSPACE, port: int | None = None) -> None:
    """What ``start`` would refuse about the port, checked before a run's first step: a port another
    program holds (not the workspace's own server, running or adoptable), or a move of a running one."""
    workspace = Path(workspace)
    info = _read_info(workspace)
    if info is not None and _pid_alive(info.get("pid")):
        if port is not None and port != info["port"]:
            raise _running_elsewhere(workspace, info, port)
        return
    port = port or (info or {}).get("port") or DEFAULT_PORT
    if _port_free(port):
        return
    if info is not None and workspace.is_dir() and _auth_status(f"http://{HOST}:{port}", info["api_key"]) == 200:
        return   # our own server, started by a process whose pid we lost: start adopts it
    if not _port_freed(port):
        raise _port_taken(port)


def start(workspace: str | Path = DEFAULT_WORKSPACE, port: int | None = None,
          say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Start Label Studio for ``workspace`` and return its info once an authenticated call answers 200.
    ``say`` gets one line before the wait (a first start takes up to a minute), none when it runs already.

    Does nothing when it already runs (``already_running`` is then true). Raises UserError when the
    workspace is a file or not writable, the port is taken by something else, the executable is
    missing, or the server does not come up; the first three leave nothing behind.
    """
    workspace = Path(workspace)
    _check_workspace(workspace)
    data_dir = workspace / "studio"
    info = _read_info(workspace)

    if info is not None and _pid_alive(info.get("pid")):
        if port is not None and port != info["port"]:
            raise _running_elsewhere(workspace, info, port)
        if _auth_status(info["url"], info["api_key"]) == 200:
            return _public(info, workspace, already_running=True)
        # Ours, still starting (an earlier start was interrupted while it migrated): wait for it.
        if say is not None:
            say(f"waiting for Label Studio for {workspace}, starting at {info['url']} (a first start takes up to a minute)")
        seconds = _wait_ready(workspace, info, lambda: None if _pid_alive(info["pid"]) else -1)
        return _public(info, workspace, already_running=True, seconds=seconds)

    if info is None:
        if (data_dir / "label_studio.sqlite3").exists():
            raise UserError(f"{data_dir} holds a Label Studio database but {studio_file(workspace)} is missing, "
                            f"so its API key is lost; restore studio.json from a backup (url, port, username, "
                            f"password, api_key, secret_key, pid): {_keep_the_database(workspace)}")
        info = _new_credentials(port or DEFAULT_PORT)
    info.setdefault("secret_key", secrets.token_urlsafe(40))
    port = port or info.get("port") or DEFAULT_PORT
    url = f"http://{HOST}:{port}"

    if not _port_free(port) and not _port_freed(port):
        if workspace.is_dir() and _auth_status(url, info["api_key"]) == 200:
            # Our own server, started by a process whose pid we lost: adopt it.
            info.update(url=url, port=port)
            _write_info(workspace, info)
            return _public(info, workspace, already_running=True)
        raise _port_taken(port)

    binary = find_binary()
    made = _make_workspace(workspace)
    info.update(url=url, port=port, pid=None)
    try:
        _write_info(workspace, info)   # credentials on disk (mode 600) before the server ever sees them
    except OSError as err:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise UserError(f"--workspace {workspace}: cannot write {studio_file(workspace)} ({err.strerror}); "
                        "choose another --workspace") from None

    log = workspace / "studio.log"
    if say is not None:
        first = not (data_dir / "label_studio.sqlite3").exists()   # the first start runs the migrations
        say(f"starting Label Studio for {workspace} on port {port}"
            + (" (the first start takes up to a minute)" if first else ""))
    _empty_tmp(data_dir)
    cmd = [*_launcher(binary), "start", "--no-browser", "--internal-host", HOST, "--port", str(port),
           "--data-dir", str(data_dir.resolve())]
    # mode 600: the server's log names its users and the links they open
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as log_handle:
        os.chmod(log, 0o600)   # a log from before this version
        log_handle.write(f"\n--- claimstance: starting Label Studio on {url} ---\n".encode())
        log_handle.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_handle, stderr=subprocess.STDOUT,
                                env=_server_env(data_dir.resolve(), info), cwd=str(workspace),
                                start_new_session=True)
    info["pid"] = proc.pid
    info["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write_info(workspace, info)

    try:
        seconds = _wait_ready(workspace, info, proc.poll)
    except KeyboardInterrupt:   # the server has a session of its own: Ctrl-C leaves it starting
        _note(f"Label Studio is still starting in the background (pid {proc.pid}); the same command again waits "
              f"for it, `stance studio stop --workspace {workspace}` stops it")
        raise
    return _public(info, workspace, already_running=False, seconds=seconds)


def _wait_ready(workspace: Path, info: dict[str, Any], exited: Any) -> float:
    """Poll until the server accepts the key; ``exited()`` returns the exit code once it has died."""
    log = workspace / "studio.log"
    url, pid = info["url"], info["pid"]
    began = time.monotonic()
    while True:
        code = exited()
        if code is not None:
            info["pid"] = None
            _write_info(workspace, info)
            tail = _log_tail(log)
            raise UserError(f"Label Studio exited (code {code}) while starting; see {log}" + (f": {tail}" if tail else ""))
        status_code = _auth_status(url, info["api_key"], timeout=3.0)
        if status_code == 200:
            return round(time.monotonic() - began, 1)
        if status_code == 401 and time.monotonic() - began > 5 and refresh_key(workspace, info):
            return round(time.monotonic() - began, 1)
        if status_code == 401 and time.monotonic() - began > 60:
            _kill(pid)
            raise UserError(f"Label Studio at {url} refuses the key in {studio_file(workspace)} (401); put back the "
                            f"api_key that studio.json held when the database was made: {_keep_the_database(workspace)}")
        if time.monotonic() - began > START_TIMEOUT:
            _kill(pid)
            info["pid"] = None
            _write_info(workspace, info)
            raise UserError(f"Label Studio did not answer at {url} within {START_TIMEOUT:.0f} s; see {log}")
        time.sleep(0.5)


def _kill(pid: int) -> None:
    """SIGTERM the server's process group, then SIGKILL if it lingers."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not _pid_alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _server_pids(data_dir: Path) -> list[int]:
    """Running Label Studio processes launched by ``start`` for ``data_dir`` (its ``--data-dir``), from /proc."""
    target = str(data_dir.resolve()).encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a == b"--data-dir" and b == target for a, b in zip(args, args[1:])) and _pid_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def stop(workspace: str | Path = DEFAULT_WORKSPACE) -> dict[str, Any]:
    """Stop the workspace's server; ``stopped`` says whether one was running.

    The server is the pid studio.json records, else a process launched for the workspace's
    ``studio/`` data dir: a lost pid or a broken studio.json (left as it is, with a note) still stops.
    """
    data_dir = Path(workspace) / "studio"
    try:
        info = _read_info(workspace, check_key=False)
    except UserError as err:
        if Path(workspace).is_file():
            raise
        pids = _server_pids(data_dir)
        if not pids:
            raise
        for pid in pids:
            _kill(pid)
        _note(str(err))
        return {"stopped": True, "workspace": str(workspace)}
    if info is None:
        return {"stopped": False, "workspace": str(workspace)}
    pid = info.get("pid")
    pids = [pid] if _pid_alive(pid) else _server_pids(data_dir)
    for found in pids:
        _kill(found)
    if pids and server_tmp(data_dir).is_dir():
        _empty_tmp(data_dir)   # what the server held open when it was stopped
    if pid is not None:   # nothing to record when no pid was kept
        info["pid"] = None
        _write_info(workspace, info)
    return _public(info, workspace, stopped=bool(pids))


def status(workspace: str | Path = DEFAULT_WORKSPACE) -> dict[str, Any]:
    """Whether the workspace's server runs and accepts its key (``running``, ``auth_ok``).

    A workspace without a Label Studio set up is a UserError saying how to start one.
    """
    info = _read_info(workspace)
    if info is None:
        raise UserError(f"no Label Studio set up in {workspace}: run `stance studio start --workspace {workspace}`")
    running = _pid_alive(info.get("pid"))
    code = _auth_status(info["url"], info["api_key"]) if running else None
    if code in (401, 403) and refresh_key(workspace, info):   # a key reset in Label Studio's account page
        code = _auth_status(info["url"], info["api_key"])
    return _public(info, workspace, configured=True, running=running, auth_ok=code == 200, http_status=code)


def connect(workspace: str | Path | None = None, url: str | None = None) -> tuple[Any, dict[str, Any]]:
    """A ``LabelStudio`` client that has answered an authenticated call, and the info it came from.

    With ``url`` the key comes from ``$LABEL_STUDIO_API_KEY``; else from ``W/studio.json``.
    """
    if url:
        _check_url(url)
        api_key = os.environ.get(API_KEY_ENV, "")
        if not api_key:
            raise UserError(f"--url {url} needs the API key in {API_KEY_ENV}; export it first")
        _check_key(api_key, API_KEY_ENV, "copy it again")
        info: dict[str, Any] = {"url": url.rstrip("/"), "api_key": api_key, "remote": True}
        where = f"the key in {API_KEY_ENV}"
        start_hint = "check --url"
    else:
        workspace = Path(workspace or DEFAULT_WORKSPACE)
        found = _read_info(workspace)
        if found is None:
            raise UserError(f"no Label Studio set up in {workspace}: run `stance studio start --workspace {workspace}` "
                            f"or pass --url with {API_KEY_ENV}")
        if _auth_status(found["url"], found["api_key"], timeout=PROBE_TIMEOUT) in (401, 403):
            refresh_key(workspace, found)   # a key reset in Label Studio's account page
        info = _public(found, workspace, remote=False)
        where = f"the key in {studio_file(workspace)}"
        start_hint = f"run `stance studio start --workspace {workspace}`"

    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=info["url"], api_key=info["api_key"], timeout=300)
    _probe(client, info["url"], where, start_hint)
    return client, info
