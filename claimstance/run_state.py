"""What a `stance run` workspace remembers between runs: each step's fingerprint (inputs, settings,
code) in ``W/run/state.json``, so a re-run redoes only what changed, and the project the run's
claims were pushed to, which ``check_run_project`` holds a later `stance push --in W/run/...` to.
The files a run makes before its push wait in ``W/run/.pending`` (``Pending``) until the push took them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimstance.terminal import shell_word
from corpus.errors import UserError
from corpus.files import atomic_write


class LockFile:
    """An exclusive lock on a file in the system's temporary folder (``name``), the file removed by
    whoever lets go, so that none is left behind. A waiter whose file was removed (or replaced) as it
    got the lock takes the lock again on the file the path now names."""

    def __init__(self, name: str) -> None:
        import tempfile

        self.path = Path(tempfile.gettempdir()) / name
        self.handle: Any = None
        self.holder = ""   # what the holder wrote in the file, when ``acquire(wait=False)`` found it held

    def acquire(self, wait: bool) -> bool:
        """Take the lock, waiting for it with ``wait``; without, False when another holds it."""
        import fcntl

        while True:
            handle = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.seek(0)
                self.holder = handle.read().strip()
                handle.close()
                return False
            try:
                same = os.path.samestat(os.fstat(handle.fileno()), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self.handle = handle
                return True
            handle.close()   # its holder removed it on letting go: the lock is the path's file's now

    def write(self, text: str) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(text)
        self.handle.flush()

    def close(self) -> None:
        """Let go (the process's end lets go too, however it ends, leaving only the file)."""
        if self.handle is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)   # while held: no one else holds a lock on what it removes
            self.handle.close()
            self.handle = None


def hold_run_lock(workspace: Path) -> LockFile:
    """An exclusive lock for one `stance run` on ``workspace`` at a time, held until it is closed (or
    the process ends, however it ends); a second run is refused at once.

    Two runs at once on one workspace each created the project, Label Studio taking two of the same
    title, and pushed every task into both; the second then failed on the first's pending files. The
    lock file lies in the system's temporary folder (named by the workspace's real path), so a
    failed first run leaves no workspace behind.
    """
    key = hashlib.sha1(os.path.realpath(workspace).encode()).hexdigest()[:16]
    lock = LockFile(f"claimstance-run-{key}.lock")
    if not lock.acquire(wait=False):
        holder = lock.holder
        raise UserError(f"another `stance run` {f'(pid {holder}) ' if holder.isdigit() else ''}is working in "
                        f"{workspace}; wait for it to end and run again (two at once would push every task into "
                        "two projects of one title), or give another --workspace")
    lock.write(str(os.getpid()))
    return lock


def push_target(workspace: str | Path | None, url: str | None = None) -> str:
    """The Label Studio a push goes to, named one way whether it was given by ``url`` or by a
    workspace (the URL in its studio.json): ``http://127.0.0.1:8080`` for ``http://localhost:8080/``
    too. A workspace whose studio.json cannot be read is named by its real path (the push then says
    what is wrong with it)."""
    from urllib.parse import urlsplit

    if not url:
        folder = Path(workspace or "workspace")
        try:
            url = json.loads((folder / "studio.json").read_text(encoding="utf-8")).get("url")
        except (OSError, ValueError, AttributeError):
            url = None
        if not isinstance(url, str) or not url:
            return os.path.realpath(folder)
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return url
    if host in ("localhost", "::1", "0.0.0.0", "127.0.0.1"):
        host = "127.0.0.1"
    return f"{parts.scheme.lower()}://{host}:{port}{parts.path.rstrip('/')}"


@contextlib.contextmanager
def push_lock(target: str, project: str, say: Any = None) -> Iterator[LockFile]:
    """One push at a time into ``project`` of one Label Studio (``target``: ``push_target``'s name for
    it); a second waits for the first, then finds its tasks there.

    Label Studio has no de-duplication: two `stance push` of the same claims at once each found the
    tasks missing and imported them (QA: 8 + 19 + 19 tasks), and into a new project each created one,
    two projects of one title.
    """
    key = hashlib.sha1(f"{target}\n{project}".encode()).hexdigest()[:16]
    lock = LockFile(f"claimstance-push-{key}.lock")
    if not lock.acquire(wait=False):
        if say is not None:
            say(f"waiting for another push into project {project!r} to end (one at a time: Label Studio "
                "would take the same tasks twice) ...")
        lock.acquire(wait=True)
    try:
        yield lock
    finally:
        lock.close()


def _hash_update_path(digest: "hashlib._Hash", path: Path) -> None:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            rel = child.relative_to(path).parts
            if child.is_file() and "__pycache__" not in rel and not any(p.startswith(".") for p in rel):
                digest.update(str(child.relative_to(path)).encode())
                digest.update(child.read_bytes())
    elif path.exists():
        digest.update(path.read_bytes())
    else:
        digest.update(f"missing:{path}".encode())


def fingerprint(*parts: Any) -> str:
    """A content hash of files, directories and plain values."""
    digest = hashlib.sha1()
    for part in parts:
        if isinstance(part, Path):
            _hash_update_path(digest, part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


class RunState:
    """The fingerprint each step last ran with (``W/run/state.json``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self.data = data if isinstance(data, dict) else {}

    def fresh(self, step: str, key: str, *outputs: Path) -> bool:
        return self.step(step).get("key") == key and all(p.exists() for p in outputs)

    def step(self, step: str) -> dict[str, Any]:
        """What a step recorded ({} when nothing, or something a hand-edited file made unreadable)."""
        entry = self.data.get(step)
        return entry if isinstance(entry, dict) else {}

    def done(self, step: str, key: str, **extra: Any) -> None:
        self.data[step] = {"key": key, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra}
        self._write()

    def set(self, name: str, value: Any) -> None:
        if self.data.get(name) != value:
            self.data[name] = value
            self._write()

    def forget(self, step: str) -> None:
        if self.data.pop(step, None) is not None:
            self._write()

    def _write(self) -> None:
        with atomic_write(self.path) as handle:
            json.dump(self.data, handle, indent=2)


CLAIMS, DOCUMENTS, PRELABELED = "claims.jsonl", "documents.jsonl", "prelabeled.jsonl"
PENDING = ".pending"


class Pending:
    """The claims, documents and pre-labels a run made, in ``W/run/.pending`` with their own
    state.json, until ``commit`` moves them into ``W/run`` and records them in its state.json: a
    run whose push is refused leaves W/run as the project holds it, and a re-run takes up what is
    pending (its steps are up to date) instead of making it again."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = out / PENDING
        self.state = RunState(self.dir / "state.json")
        self.taken: set[str] = set()

    def path(self, name: str) -> Path:
        return self.dir / name

    def take(self, name: str) -> Path:
        """The pending file ``name``, which this run's commit moves into W/run."""
        self.taken.add(name)
        return self.dir / name

    def commit(self, state: RunState, claims_key: str, claims_record: dict[str, Any], *prelabel_inputs: Any) -> None:
        """Move the files taken into W/run and record their steps in ``state``: the claims step with
        ``claims_key`` and what ``claims_record`` holds, the pre-labels with a key from the claims now in
        W/run and ``prelabel_inputs`` (as the run computes it). Killed halfway, the steps are forgotten
        first: the next run redoes them. The pending folder goes."""
        if self.taken:
            claims = bool({CLAIMS, DOCUMENTS} & self.taken)
            state.forget("prelabel")
            if claims:
                state.forget("claims")
            for name in sorted(self.taken):
                os.replace(self.dir / name, self.out / name)
            if claims:
                state.done("claims", claims_key, **{k: v for k, v in claims_record.items() if k not in ("key", "at")})
            state.done("prelabel", fingerprint(self.out / CLAIMS, *prelabel_inputs))
        shutil.rmtree(self.dir, ignore_errors=True)


def check_run_project(path: str, project: str) -> None:
    """Refuse to push run claims into the wrong project: a later run on another corpus replaces
    ``W/run`` (but not the files a user wrote there, such as ``prelabeled-v2.jsonl``), and the
    commands printed for the first run then push the wrong corpus.

    A file in a run folder must hold that run's claims (its first claim is in ``claims.jsonl``), and
    after a run that pushed, go to that run's project."""
    source = Path(path)
    if not source.is_file():
        return   # missing, a folder, a link that loops: push says what is wrong (resolve() raised on a loop)
    where = source.resolve().parent
    run_claims = where / "claims.jsonl"
    if where.name != "run" or not (where / "state.json").is_file() or not run_claims.is_file():
        return
    holds = _holds_run_claims(source, run_claims)
    if holds is None:
        return   # not claim rows: push says what is wrong
    state = RunState(where / "state.json")
    corpus = state.step("claims").get("corpus")
    if not holds:
        raise UserError(f"{path}: none of its claims is among the claims `stance run` last made in {where}"
                        + (f" (from {corpus})" if isinstance(corpus, str) else "")
                        + ": it comes from an earlier run, which a run on another corpus replaced. Make it again "
                        f"from {run_claims}, or copy it out of {where} to push it on purpose")
    made_for = state.data.get("project")
    if isinstance(made_for, str) and made_for != project:
        raise UserError(f"{path}: `stance run` made these claims for project {made_for!r}"
                        + (f", from {corpus}" if isinstance(corpus, str) else "")
                        + f"; pushing them to {project!r} would mix that corpus into it. Push them with --project "
                        f"{shell_word(made_for)}, or run `stance run --corpus YOURS --project {shell_word(project)}` again to make your "
                        f"corpus's claims (to push these elsewhere on purpose, copy the file out of {where} first)")


def _holds_run_claims(source: Path, run_claims: Path) -> bool | None:
    """Whether the first claim of ``source`` is one of the run's claims (read as text, line by line);
    None when ``source`` does not start with a claim row."""
    try:
        with source.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        claim_id = json.loads(first).get("claim_id") if first else None
        if not isinstance(claim_id, str):
            return None
        needle = json.dumps({"claim_id": claim_id})[1:-1]   # '"claim_id": "..."', as write_jsonl writes it
        with run_claims.open(encoding="utf-8") as handle:
            return any(needle in line for line in handle)
    except (OSError, ValueError, AttributeError):
        return None
