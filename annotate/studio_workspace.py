"""A workspace of the managed Label Studio: its folder and its ``W/studio.json`` (URL, port, admin
credentials, API key, pid; file mode 600), read, checked, written and reported.

``annotate.studio`` starts and stops the server these files describe.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from annotate.studio_api import _check_key, _note
from corpus.errors import UserError
from corpus.files import atomic_write, nearest_existing

DEFAULT_WORKSPACE = "workspace"
USERNAME = "admin@claimstance.local"


def studio_file(workspace: str | Path) -> Path:
    """Where a workspace keeps the server's URL, credentials and pid."""
    return Path(workspace) / "studio.json"


def _keep_the_database(workspace: str | Path) -> str:
    """The non-destructive way back when studio.json is lost or broken: the database holds the work."""
    data = Path(workspace) / "studio"
    return (f"the login is the admin account {USERNAME} in {data / 'label_studio.sqlite3'}, and api_key is that "
            f"account's token there (table authtoken_token); do not delete {data}: it holds every project and annotation")


def _broken_info(path: Path, why: str) -> UserError:
    return UserError(f"{path}: {why}; restore it from a backup: it must hold the JSON `stance studio start` wrote "
                     f"(url, port, username, password, api_key, secret_key, pid); {_keep_the_database(path.parent)}")


def _read_info(workspace: str | Path, check_key: bool = True) -> dict[str, Any] | None:
    """The workspace's studio.json (None when there is none), kept at mode 600, its key checked
    (``check_key``: `stance studio stop` needs no key)."""
    if Path(workspace).is_file():
        raise UserError(f"--workspace {workspace} is a file; give the workspace directory "
                        "(the one `stance studio start` made)")
    path = studio_file(workspace)
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        info = json.loads(text) if text.strip() else None
    except UnicodeDecodeError:
        raise _broken_info(path, "unreadable (not UTF-8 JSON)") from None
    except OSError as err:
        raise _broken_info(path, f"unreadable ({err.strerror})") from None
    except ValueError as err:
        raise _broken_info(path, f"unreadable ({err})") from None
    if info is None:
        raise _broken_info(path, "unreadable (empty)")
    if not isinstance(info, dict) or not info.get("api_key"):
        raise _broken_info(path, "no api_key in it")
    keep_private(path)
    if check_key:
        _check_file_key(info, workspace)
    return info


def keep_private(path: Path, holds: str = "the password and API key") -> None:
    """Set a file of secrets (studio.json, the pseudonym key) back to mode 600 when someone loosened
    it, with a note saying what it ``holds`` (or the command to run)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return
    try:
        os.chmod(path, 0o600)
    except OSError as err:
        _note(f"{path} is mode {mode:o} and could not be set to 600 ({err.strerror}); "
              f"it holds {holds}: run `chmod 600 {path}`")
    else:
        _note(f"{path} was mode {mode:o}; set it to 600 (it holds {holds})")


def _check_file_key(info: dict[str, Any], workspace: str | Path) -> None:
    _check_key(info["api_key"], str(studio_file(workspace)),
               "put back the api_key `stance studio start` wrote (40 hex characters)")


def _write_info(workspace: str | Path, info: dict[str, Any]) -> None:
    with atomic_write(studio_file(workspace), file_mode=0o600) as handle:
        json.dump(info, handle, indent=2)
        handle.write("\n")


def _public(info: dict[str, Any], workspace: str | Path, **extra: Any) -> dict[str, Any]:
    """What start/status return: everything in studio.json plus where it lives and its file mode."""
    out = dict(info)
    out["workspace"] = str(workspace)
    out["studio_json"] = str(studio_file(workspace))
    with contextlib.suppress(OSError):
        out["studio_json_mode"] = f"{stat.S_IMODE(studio_file(workspace).stat().st_mode):o}"
    out["log"] = str(Path(workspace) / "studio.log")
    out.update(extra)
    return out


def _check_workspace(workspace: Path) -> None:
    """Refuse a workspace that is a file or cannot be written, before anything is created."""
    if workspace.exists() and not workspace.is_dir():
        raise UserError(f"--workspace {workspace} is a file; give a directory (new or used before)")
    existing = nearest_existing(workspace)
    if not existing.is_dir():
        raise UserError(f"--workspace {workspace}: {existing} is a file; give a directory (new or used before)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--workspace {workspace}: {existing} is not writable; choose another --workspace")


def _make_workspace(workspace: Path) -> Path | None:
    """Create ``workspace``; return the topmost directory made (None when it existed)."""
    existing = nearest_existing(workspace)
    top = None if existing == workspace else next(
        folder for folder in [workspace, *workspace.parents] if folder.parent == existing)
    try:
        workspace.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"--workspace {workspace}: cannot create it ({err.strerror}); "
                        "choose another --workspace") from None
    return top
