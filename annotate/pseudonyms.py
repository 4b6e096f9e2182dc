"""Annotators' Label Studio logins (usually e-mail addresses) replaced by stable pseudonyms.

A pseudonym is ``annotator-`` and the first 8 hex digits of HMAC-SHA256 of the login under a secret
key that the workspace keeps in ``W/pseudonym.key`` (32 random bytes as 64 hex digits, file mode
600, made by the first pseudonymised pull). The same login gets the same pseudonym in every pull of
that workspace; without the key, hashing candidate e-mail addresses finds nothing. The key is never
printed: the report names it by ``key_id``, a digest of it, so that two pulls can be told to share
pseudonyms or not.

``pseudonymise_rows`` relabels the annotation rows of a pull before their labels are resolved and
their figures counted, so everything made from them (labels, dataset, report, card) names the
pseudonym; the figures do not depend on the names.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotate.studio_api import _note
from annotate.studio_workspace import keep_private
from corpus.errors import UserError

KEY_FILE = "pseudonym.key"
PREFIX = "annotator-"
DIGITS = 8   # 32 bits: two of 1,000 annotators share one with a chance of about 1 in 10,000, and a pull refuses that
KEY_BYTES = 32
FORM = f"{PREFIX}<first {DIGITS} hex digits of HMAC-SHA256(key, login)>"
METHOD = (f"{FORM}; login: the annotator's Label Studio login; key: the secret the pulling workspace keeps in "
          f"{KEY_FILE}")
_KEY_TEXT = re.compile(r"[0-9a-f]{64}")


def pseudonym(login: str, key: bytes) -> str:
    """``annotator-`` and 8 hex digits of HMAC-SHA256(key, login): the same for the same login and
    key, another for another key."""
    if len(key) < 16:
        raise ValueError("a pseudonym key needs 16 bytes or more")
    return PREFIX + hmac.new(key, login.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGITS]


def key_id(key: bytes) -> str:
    """A name of the key that gives nothing of it away (for the report: same key id, same pseudonyms)."""
    return hmac.new(key, b"claimstance pseudonym key id", hashlib.sha256).hexdigest()[:DIGITS]


def key_file(workspace: str | Path) -> Path:
    return Path(workspace) / KEY_FILE


def _broken(path: Path, why: str) -> UserError:
    return UserError(f"{path}: {why}; restore it from a backup (64 hex digits): a new key gives every annotator "
                     f"another pseudonym than earlier pulls did, so delete it only to start afresh")


def _read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (UnicodeDecodeError, ValueError):
        raise _broken(path, "not a pseudonym key") from None
    except OSError as err:
        raise _broken(path, f"unreadable ({err.strerror})") from None
    if not _KEY_TEXT.fullmatch(text):
        raise _broken(path, "not a pseudonym key" if text else "empty")
    keep_private(path, "the key of the annotators' pseudonyms")
    return bytes.fromhex(text)


def workspace_key(workspace: str | Path) -> bytes:
    """The workspace's pseudonym key, made (mode 600) when it has none. Two pulls making it at once
    get one key: the file appears whole or not at all (a link to a finished file), never replaced."""
    folder = Path(workspace)
    path = key_file(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--workspace {folder} is a file; give the workspace directory (it keeps {KEY_FILE}, the key "
                        "of the annotators' pseudonyms)")
    if path.is_dir():
        raise _broken(path, "a directory")
    if path.exists():
        return _read_key(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", suffix=".tmp", dir=folder)   # mode 600
    except OSError as err:
        raise UserError(f"--workspace {folder}: cannot keep the pseudonym key there ({err.strerror}); "
                        "choose another --workspace") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:   # another pull made it first: theirs is the key
            pass
        else:
            # Named here, not in the report: a pull run elsewhere (with --url and no --workspace, in
            # another folder) makes another key, and everyone gets other pseudonyms than before.
            _note(f"made {path}, the key of the annotators' pseudonyms (mode 600): back it up, and give "
                  f"later --pseudonymise pulls --workspace {folder} to keep the same pseudonyms")
    except OSError as err:
        raise UserError(f"--workspace {folder}: cannot keep the pseudonym key there ({err.strerror}); "
                        "choose another --workspace") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return _read_key(path)


def _login_pattern(logins: Iterable[str]) -> re.Pattern[str] | None:
    """The e-mail logins as whole words of a free note (longest first); None when there is none."""
    mails = sorted({login for login in logins if "@" in login}, key=len, reverse=True)
    if not mails:
        return None
    return re.compile(r"(?<![\w.+-])(" + "|".join(re.escape(m) for m in mails) + r")(?![\w-]|\.\w)", re.IGNORECASE)


def pseudonymise_rows(rows: Sequence[dict[str, Any]], key: bytes, logins: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The annotation rows with each ``annotator`` replaced by its pseudonym, ``annotator_id`` (the
    Label Studio user id, which names the account on the server) emptied, and any e-mail login of
    ``logins`` or of the rows written in a ``note`` replaced by its pseudonym too. Refuses two logins
    sharing a pseudonym (the figures would merge them)."""
    names = {row["annotator"] for row in rows} | set(logins)
    seen: dict[str, str] = {}
    for login in sorted(names):
        alias = pseudonym(login, key)
        if seen.setdefault(alias, login) != login:
            raise UserError(f"two annotators' logins share the pseudonym {alias}; pull without --pseudonymise, or "
                            f"make a new key (move {KEY_FILE} out of the workspace): every pseudonym then changes")
    by_lower = {login.casefold(): pseudonym(login, key) for login in sorted(names, reverse=True)}
    mails = _login_pattern(names)
    out = []
    for row in rows:
        row = {**row, "annotator": pseudonym(row["annotator"], key), "annotator_id": None}
        if mails is not None and isinstance(row.get("note"), str):
            row["note"] = mails.sub(lambda m: by_lower.get(m.group(1).casefold(), m.group(1)), row["note"])
        out.append(row)
    return out


def report_entry(key: bytes) -> dict[str, Any]:
    """What report.json says of the pseudonyms: how they are made and which key (by its id, never itself)."""
    return {"method": METHOD, "key_id": key_id(key), "key_file": KEY_FILE,
            "annotator_id": "emptied (a Label Studio user id names the account on the server)"}


__all__ = ["pseudonym", "key_id", "key_file", "workspace_key", "pseudonymise_rows", "report_entry", "KEY_FILE",
           "FORM", "METHOD"]
