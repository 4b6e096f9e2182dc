"""The corpus manifest: per-file (or per-id) document metadata and voice hints, in YAML.

A manifest lists what a user knows about each document and that the text itself may not say::

    defaults:                 # merged into every document of this manifest (optional)
      collection: sample
    documents:
      - file: 000_article.txt # relative to the manifest's directory (or `id:` for JSONL/CSV rows)
        id: soldatov-2024     # optional: overrides the content hash as the document id
        authors: [Andrei Soldatov, Irina Borogan]
        kind: analysis
        source_type: independent_reporting
        voices:               # optional hints for voices.py (see VOICE_HINTS)
          interviewee: Alexander Lyukmanov

Every key but `file`, `id` and `voices` is free metadata that rides along in each claim row.
Free keys are not rejected, but one that is a near miss of a key the pipeline reads (`titel:`,
`source_typ:`) gets a note, and so does a `source_type` that no label scheme could match.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import UserError
from corpus.settings import read_yaml

MANIFEST_NAMES = ("manifest.yaml", "manifest.yml")
MAX_MANIFEST_MB = 16.0   # about 100,000 entries; the YAML parser reads some 0.4 MB a second

# Voice hints a manifest may give; voices.py reads them from the document's meta["voices"].
VOICE_HINTS = {
    "byline": "false to ignore a 'By ...' first line",
    "author": "name of the document's own voice (author or blogger)",
    "repost_start": "text at the start of the first reposted paragraph",
    "repost_end": "text (e.g. an editorial marker) in the last reposted paragraph",
    "reposted_from": "who wrote the reposted text, when it is not an interview",
    "interviewer": "name of the interviewer (or their outlet)",
    "interviewee": "name of the person interviewed",
    "comments_start": "text at the start of the first reader comment",
}


# Keys the pipeline reads or the sample manifest uses; a free key that nearly matches one is a typo.
KNOWN_KEYS = ("file", "id", "voices", "title", "author", "authors", "blogger", "outlet", "date", "kind",
              "source", "source_type", "source_note", "reposted_from", "collection", "language", "url")
_SOURCE_TYPE = re.compile(r"[a-z][a-z0-9_]*")  # label schemes list source types as such ids


@dataclass(frozen=True)
class Manifest:
    """A loaded manifest: entries by file path (resolved) and by document id."""

    path: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    by_file: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    listed: tuple[tuple[int, str, str], ...] = ()  # (entry number, `file:` as written, resolved path)
    listed_ids: tuple[tuple[int, str], ...] = ()  # (entry number, `id:`) of the entries naming rows by id
    notes: tuple[str, ...] = ()  # what looks wrong but does not stop a run (near-miss keys, odd source types)

    def for_file(self, file: str | Path) -> dict[str, Any] | None:
        """The entry for a file: by its full path, else by a unique bare file name."""
        entry = self.by_file.get(os.path.realpath(file))
        if entry is None:
            entry = self.by_name.get(os.path.basename(file))
        return entry

    def fallback(self) -> dict[str, Any] | None:
        """What a file the manifest does not list gets: the defaults, if any."""
        return dict(self.defaults) if self.defaults else None

    def for_id(self, doc_id: str) -> dict[str, Any] | None:
        return self.by_id.get(doc_id)


def _plain(value: Any) -> Any:
    """YAML dates and times become ISO strings, so that every value is JSON."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _near_miss(key: str, known: tuple[str, ...], cutoff: float = 0.8) -> str | None:
    """The known key that ``key`` (not itself known) is most likely a typo of, if any.

    Free keys need a close match (``titel``); where a key is wrong anyway, a looser one does (``flie``).
    """
    folded = key.strip().lower().replace("-", "_").replace(" ", "_")
    if folded in known:
        return folded
    close = difflib.get_close_matches(folded, known, n=1, cutoff=cutoff)
    return close[0] if close else None


def _notes(path: Path, where: str, meta: dict[str, Any]) -> list[str]:
    """Notes on one entry (or the defaults): near-miss keys and a source_type no scheme could match."""
    notes = []
    for key in meta:
        if key not in KNOWN_KEYS and (near := _near_miss(key, KNOWN_KEYS)) is not None:
            notes.append(f"{path}: {where}: unknown key `{key}` (kept as free metadata); did you mean `{near}`?")
    value = meta.get("source_type")
    if value is not None and not (isinstance(value, str) and _SOURCE_TYPE.fullmatch(value)):
        if isinstance(value, str) and (fixed := re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")):
            fix = f"write it as `{fixed}`"
        else:
            fix = "give one id such as `state_media`"
        notes.append(f"{path}: {where}: source_type `{value}` is not a source-type id (lowercase letters, digits "
                     f"and _), so no label scheme will match it; {fix}")
    return notes


def _check_voices(path: Path, where: str, voices: Any) -> dict[str, Any]:
    if voices is None:
        return {}
    if not isinstance(voices, dict):
        raise UserError(f"{path}: {where}: `voices` must be a mapping of hints ({', '.join(VOICE_HINTS)})")
    for key, value in voices.items():
        if key not in VOICE_HINTS:
            raise UserError(f"{path}: {where}: unknown voice hint `{key}`; "
                            f"use one of: {', '.join(VOICE_HINTS)}")
        if key == "byline":
            if not isinstance(value, bool):
                raise UserError(f"{path}: {where}: voices.byline must be true or false")
        elif not isinstance(value, str) or not value.strip():
            raise UserError(f"{path}: {where}: voices.{key} must be a non-empty string")
    return dict(voices)


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest; a problem raises UserError naming the file and the entry."""
    path = Path(path)
    raw = read_yaml(path, "manifest", hint="check the --manifest path", max_mb=MAX_MANIFEST_MB)
    raw = _plain(raw) if raw is not None else {}
    if isinstance(raw, list):
        raw = {"documents": raw}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: a manifest is a mapping with `documents:` (a list of entries)")
    unknown = sorted(map(str, set(raw) - {"defaults", "documents"}))
    if unknown:
        near = [f"`{n}` for `{k}`" for k in unknown if (n := _near_miss(k, ("defaults", "documents"), 0.6))]
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise UserError(f"{path}: unknown top-level key(s) {', '.join(unknown)}; "
                        f"a manifest has `defaults:` and `documents:`{hint}")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise UserError(f"{path}: `defaults` must be a mapping of metadata fields")
    entries = raw.get("documents") or []
    if not isinstance(entries, list):
        raise UserError(f"{path}: `documents` must be a list of entries, each with `file:` or `id:`")

    base = path.parent
    by_file: dict[str, dict[str, Any]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    names: dict[str, list[dict[str, Any]]] = {}
    listed: list[tuple[int, str, str]] = []
    listed_ids: list[tuple[int, str]] = []
    default_voices = _check_voices(path, "defaults", defaults.get("voices"))
    notes = _notes(path, "defaults", defaults)
    for n, entry in enumerate(entries, start=1):
        where = f"documents entry {n}"
        if not isinstance(entry, dict):
            raise UserError(f"{path}: {where} must be a mapping with `file:` or `id:`")
        file, doc_id = entry.get("file"), entry.get("id")
        if file is None and doc_id is None:
            near = [f"`{n}` for `{k}`" for k in map(str, entry) if (n := _near_miss(k, ("file", "id"), 0.75))]
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise UserError(f"{path}: {where} has neither `file:` nor `id:`; add one{hint}")
        notes += _notes(path, where, entry)
        meta = {k: v for k, v in defaults.items() if k != "voices"}
        meta.update({k: v for k, v in entry.items() if k not in ("file", "voices")})
        voices = {**default_voices, **_check_voices(path, where, entry.get("voices"))}
        if voices:
            meta["voices"] = voices
        if doc_id is not None:
            meta["id"] = str(doc_id)
        if file is not None:
            by_file[os.path.realpath(base / str(file))] = meta
            listed.append((n, str(file), os.path.realpath(base / str(file))))
            names.setdefault(os.path.basename(str(file)), []).append(meta)
        elif doc_id is not None:
            by_id[str(doc_id)] = meta
            listed_ids.append((n, str(doc_id)))
    by_name = {name: metas[0] for name, metas in names.items() if len(metas) == 1}
    fallback = {k: v for k, v in defaults.items() if k != "voices"}
    if default_voices:
        fallback["voices"] = default_voices
    return Manifest(path=path, defaults=fallback, by_file=by_file, by_name=by_name, by_id=by_id,
                    listed=tuple(listed), listed_ids=tuple(listed_ids), notes=tuple(notes))


def find_manifest(directory: str | Path) -> Path | None:
    """The manifest file in ``directory``, if there is one."""
    for name in MANIFEST_NAMES:
        candidate = Path(directory) / name
        if candidate.is_file():
            return candidate
    return None
