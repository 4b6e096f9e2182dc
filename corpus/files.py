"""Atomic writes and checked JSONL reading, shared by every stage's file edges."""

from __future__ import annotations

import codecs
import contextlib
import errno
import fnmatch
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, IO

from corpus.decoding import may_hold_surrogates, replace_surrogates
from corpus.errors import UserError, json_problem, named_few, why_missing


def default_mode(directory: bool = False) -> int:
    """Permissions of a new file (or directory) under the current umask: what a plain ``open`` or
    ``mkdir`` would give. ``mkstemp`` and ``mkdtemp`` alone give 0600 and 0700, which left outputs
    unreadable to the rest of a team on a shared machine."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                 file_mode: int | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success rename it over ``path``. The file gets
    ``file_mode``, by default what the umask allows (``default_mode``).

    A failure (exception, kill) leaves ``path`` as it was: never half-written. A symbolic link is
    followed: its target gets the new file, and the link stays. A device or a named pipe
    (``/dev/null``, ``/dev/stdout``, a FIFO) is written to directly, since renaming over it would
    replace the device itself (as root, ``--out /dev/null`` had turned /dev/null into a file).
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a directory; give a file name for the output")
    device = path.exists() and not path.is_file()   # a device or a pipe, a link to one too (/dev/stdout a pipe)
    if path.is_symlink() and not device:
        path = link_target(path)
    if device:
        kwargs = {} if "b" in mode else {"encoding": encoding}
        try:
            with open(path, mode, **kwargs) as handle:
                yield handle
        except OSError as err:
            if _is_no_room(err):
                raise _no_room(path, err) from None
            raise
        return
    made = _make_parents(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        _remove_dirs(made)
        raise _unwritable(path, err) from None
    try:
        os.fchmod(fd, default_mode() if file_mode is None else file_mode)
        kwargs = {} if "b" in mode else {"encoding": encoding}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _remove_dirs(made)
        if isinstance(err, OSError) and _is_no_room(err):
            raise _no_room(path, err) from None
        raise


def link_target(link: Path) -> Path:
    """Where the symbolic link ``link`` leads, which an output then replaces; its folder must exist.
    A dangling link's missing folders are never made: `--out o/x` linked to /nonexistent/dir/x had
    created /nonexistent/dir at the filesystem's root."""
    try:
        os.stat(link)
    except OSError as err:
        if err.errno == errno.ELOOP:   # realpath gives the loop back: the link was replaced, or a folder's work lost
            raise UserError(f"{link} is a symbolic link that loops ({link} -> {os.readlink(link)} -> ...); remove "
                            "it or give another output path") from None
    target = Path(os.path.realpath(link))
    if not target.parent.is_dir():
        raise UserError(f"{link} is a symbolic link to {os.readlink(link)}, whose folder {target.parent} does not "
                        "exist; create that folder or give another output path")
    return target


def nearest_existing(path: Path) -> Path:
    """``path`` itself when it exists, else its nearest ancestor that does."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _make_parents(path: Path) -> list[Path]:
    """Create the missing folders above ``path``; return them, deepest first, for ``_remove_dirs``."""
    top = nearest_existing(path.parent)
    made = [p for p in [path.parent, *path.parent.parents] if p not in (top, *top.parents)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _remove_dirs(made)
        raise _unwritable(path, err) from None
    return made


def _remove_dirs(made: list[Path]) -> None:
    """Remove the folders an output that failed had made (if still empty): a failure leaves nothing."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


# Written into every output directory a command builds: the names that command expects. A folder
# is replaced only when it holds this file with the same names, or nothing at all. Before the mark,
# a folder holding any one expected name was replaced whole: a `config.json` beside a user's own
# files, or `stance evaluate --data pulled/dataset --out pulled` deleting the labels it had just read.
OUTPUT_MARK = ".claimstance-output"


def check_output_dir(path: str | Path, expect: Sequence[str] = (), written: Sequence[str] = ()) -> None:
    """Refuse an output directory the command must not replace: a file, or a non-empty directory
    that is not an earlier output of the same command.

    An earlier output holds ``OUTPUT_MARK`` naming the same ``expect`` or, written before the mark,
    every one of the ``expect`` names; and nothing else than those names and ``written`` (the other
    names the command writes, as fnmatch patterns). A file a user added to it, or the command's own
    input kept there, would be deleted with it: such a directory is refused too.
    """
    path = Path(path)
    if path.is_symlink():
        path = link_target(path)   # a dangling link's missing folder: refused before the work
    if not path.exists():
        return
    if not path.is_dir():
        raise UserError(f"{path} is a file; give a directory for the output")
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        return
    marked = _marked_as(path, expect)
    ours = marked or (bool(expect) and OUTPUT_MARK not in entries and all(name in entries for name in expect))
    foreign = [name for name in entries if name != OUTPUT_MARK
               and not any(fnmatch.fnmatchcase(name, pattern) for pattern in (*expect, *written))]
    if ours and not foreign:
        return
    shown_from = foreign if marked else entries
    shown = named_few(shown_from)
    what = (f"an earlier output of this command with other files added ({shown})" if marked else
            f"files that are not an earlier output of this command ({shown})")
    raise UserError(f"{path} holds {what}; replacing it would delete them: give a new or empty directory")


def _marked_as(path: Path, expect: Sequence[str]) -> bool:
    try:
        return sorted(json.loads((path / OUTPUT_MARK).read_text(encoding="utf-8"))["expect"]) == sorted(expect)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def check_output_file(path: str | Path) -> None:
    """Before the work: ``path`` can take a file (not a directory; its folder writable)."""
    given = Path(path)
    if given.is_dir():
        raise UserError(f"{path} is a directory; give a file name for the output")
    if given.exists() and not given.is_file():
        return   # a device or a pipe (/dev/stdout a pipe: a link to no path), written to directly (see atomic_write)
    real = link_target(given) if given.is_symlink() else Path(os.path.realpath(path))   # a link's target is what gets written
    check_writable(real)


def check_not_input(flag: str, out: str | Path, inputs: dict[str, str | Path | None]) -> None:
    """Refuse an output file (the option ``flag``) that is one of the inputs, each named as a message
    says it (``{"--corpus file": path}``): writing it would replace what the command reads."""
    for name, path in inputs.items():
        if path is not None and Path(out).exists() and Path(path).exists() and os.path.samefile(out, path):
            raise UserError(f"{flag} {out} is the {name}, which would be replaced; give another path", exit_code=2)


def check_not_inside(flag: str, out: str | Path, inputs: dict[str, str | Path | None]) -> None:
    """Refuse an output directory (the option ``flag``) that is, or holds, one of the inputs, each named
    as a message says it (``{"--data": path}``): replacing the directory would delete what it reads (or
    a cache folder the work makes there, which then kept the new output from being written)."""
    home = os.path.realpath(out)
    for name, path in inputs.items():
        if path is None:
            continue
        real = os.path.realpath(path)
        if real == home or real.startswith(home.rstrip(os.sep) + os.sep):
            what = f"is the {name}, which would be replaced" if real == home else \
                f"holds the {name} {path}, which replacing it would delete"
            raise UserError(f"{flag} {out} {what}; give another directory", exit_code=2)


def check_writable(path: str | Path) -> None:
    """Fail now, not after the work, when ``path`` could not be written (its folder is read-only,
    or a file stands where a folder should be)."""
    path = Path(path)
    parent = nearest_existing(path.parent)   # nothing is created by the check
    if not parent.is_dir():
        raise UserError(f"cannot write {path}: {parent} is a file; choose another output path")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".probe", dir=parent))
    except OSError as err:
        raise _unwritable(path, err) from None


# A write that fails for want of room: the system names no file, so the output must be named here
# (the command had ended with "error: No space left on device", whichever of its outputs it was).
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class _NoRoom(UserError):
    """A full disk or quota (``_NO_ROOM``) met writing ``path``."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write {path} ({reason}); free space on its disk or choose another output "
                         "path (nothing was written)")
        self.reason = reason


def _is_no_room(err: BaseException) -> bool:
    """Whether ``err`` is a write refused for want of room (already named, or still the system's)."""
    return isinstance(err, _NoRoom) or (isinstance(err, OSError) and err.errno in _NO_ROOM)


def _no_room(path: Path, err: OSError | _NoRoom) -> _NoRoom:
    return _NoRoom(path, err.reason if isinstance(err, _NoRoom) else err.strerror or str(err))


def _unwritable(path: Path, err: OSError) -> UserError:
    top = nearest_existing(path.parent)
    if isinstance(err, (FileExistsError, NotADirectoryError)) and not top.is_dir():   # the system names no file
        return UserError(f"cannot write {path}: {top} is a file; choose another output path")
    return UserError(f"cannot write {path} ({err.strerror or err}); choose another output path or fix "
                     "the permissions of its folder")


@contextlib.contextmanager
def atomic_dir(path: str | Path, expect: Sequence[str] | None = None, written: Sequence[str] = ()) -> Iterator[Path]:
    """Build a directory under a temporary name; on success swap it in for ``path``.

    With ``expect``, ``path`` may be missing, empty, or an earlier output of the same command (it
    holds ``OUTPUT_MARK`` naming the same ``expect``, which the new directory gets too); anything
    else is refused (``check_output_dir``). Without it the caller has checked.
    """
    path = Path(path)
    if path.is_symlink():   # a linked output folder: its target is replaced, the link stays
        path = link_target(path)
    if expect is not None:
        check_output_dir(path, expect, written)
    made = _make_parents(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as err:
        _remove_dirs(made)
        raise _unwritable(path, err) from None
    old: Path | None = None   # the earlier output, moved aside while the new one is swapped in
    try:
        yield tmp
        if expect is not None:
            (tmp / OUTPUT_MARK).write_text(json.dumps({"expect": sorted(expect)}) + "\n", encoding="utf-8")
        # As readable as anything else written under this umask (secrets are never written in an
        # output directory: they live in a workspace's studio.json, mode 600).
        dir_mode, file_mode = default_mode(directory=True), default_mode()   # each reads the umask twice
        for folder, _, files in os.walk(tmp):
            os.chmod(folder, dir_mode)
            for name in files:
                os.chmod(os.path.join(folder, name), file_mode)
        if path.exists():
            # A fresh name for the old one: a fixed ".NAME.old" could be a folder of the user's.
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old)   # onto the empty directory just made
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException as err:
        if old is not None and old.exists() and not os.path.lexists(path):
            # cut off between the two renames (Ctrl-C): the earlier output goes back, not left hidden
            with contextlib.suppress(OSError):
                os.replace(old, path)
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_dirs(made)
        # A file of the temporary folder (written with atomic_write) is the output folder to the user.
        if _is_no_room(err):
            raise _no_room(path, err) from None
        raise


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON lines atomically; return how many were written."""
    n = 0
    with atomic_write(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False))
            handle.write("\n")
            n += 1
    return n


MAX_LINE_MB = 16   # a row of claims, queries or labels: a sentence, its paragraph and metadata


def _json_array(path: Path) -> UserError:
    return UserError(f"{path}: a JSON array where JSON lines are expected (one object a line); convert it "
                     "(jq -c '.[]' FILE > FILE.jsonl)")


def read_jsonl(path: str | Path, max_line_mb: float = MAX_LINE_MB) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file; a bad line raises UserError naming file and line.

    A line over ``max_line_mb`` is refused before it is parsed (a whole document pasted into one
    row would otherwise take gigabytes on its way through a tokenizer).
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: {why_missing(path)}")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, expected a .jsonl file")
    limit = int(max_line_mb * 1024 * 1024)
    with path.open("rb") as handle:
        for lineno, raw in enumerate(iter(lambda: handle.readline(limit + 1), b""), start=1):
            if len(raw) > limit:
                raise UserError(f"{path}:{lineno}: a line over {max_line_mb:g} MB; rows here are claims "
                                "(sentences): split long documents with `stance claims` first")
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]   # a byte-order mark (Windows editors write one) is not part of line 1
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise UserError(f"{path}:{lineno}: not UTF-8; re-encode the file as UTF-8") from None
            except json.JSONDecodeError as err:
                if lineno == 1 and path.suffix.lower() in (".csv", ".tsv", ".parquet", ".xlsx"):
                    raise UserError(f"{path}: a {path.suffix.lower()[1:].upper()} file where JSON lines are expected; "
                                    "convert it (pandas: df.to_json(path, orient='records', lines=True))") from None
                if lineno == 1 and path.suffix.lower() not in ("", ".jsonl", ".ndjson", ".json", ".jl", ".txt"):
                    raise UserError(f"{path}: not JSON lines (a '{path.suffix}' file); give the .jsonl file the "
                                    "previous step wrote") from None
                if lineno == 1 and raw.lstrip().startswith(b"["):
                    raise _json_array(path) from None
                raise UserError(f"{path}:{lineno}: malformed JSON ({json_problem(err)}); fix or remove that line") from None
            except RecursionError:   # the parser recurses once a level
                raise UserError(f"{path}:{lineno}: malformed JSON (nested too deep); fix or remove that line") from None
            if not isinstance(row, dict):
                if lineno == 1 and isinstance(row, list):
                    raise _json_array(path)
                raise UserError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
            if may_hold_surrogates(raw):
                # Half an emoji (a lone "\ud83d") cannot be written as UTF-8, by us or by a tokenizer:
                # U+FFFD in its place, one character for one, so offsets into the text hold.
                row = replace_surrogates(row)[0]
            yield row
