"""The label scheme a Label Studio project was pushed with, recorded in the project itself.

`stance push` puts a comment at the head of the project's label config, which Label Studio keeps as
given: ``<!-- claimstance scheme: {"name": ..., "version": ..., "labels": [...], "source": ...} -->``
(``models.provenance``'s record; ``source`` a bundled scheme's name or a YAML's file name: every
member of the project sees the config, so the YAML's directory stays on this machine, in the
workspace's ``schemes.json``). `stance pull` and later pushes read it back, so ``--scheme`` is
needed only the first time. A project pushed before the record existed is told by its labels.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from corpus.errors import UserError
from models.provenance import (DEFAULT_SCHEME, Record, describe, labels_change, relation, resolve, shared_record,
                                source_key)

LOCAL_SCHEMES = "schemes.json"   # in a workspace: project title -> the record with the YAML's full path
MARKER = "<!-- claimstance scheme: "
_MARKER = re.compile(re.escape(MARKER) + r"(\{.*?\}) -->")


def with_marker(config: str, record: Record) -> str:
    """``config`` headed by the comment recording ``record`` (no ``--`` inside an XML comment)."""
    payload = json.dumps(shared_record(record), ensure_ascii=False, sort_keys=True).replace("--", "-\\u002d")
    return f"{MARKER}{payload} -->\n{_without_marker(config)}"


def _without_marker(config: str) -> str:
    return _MARKER.sub("", config, count=1).lstrip("\n")


def marker_record(config: str | None) -> Record | None:
    """The scheme record of a project's label config; None when it has none (or it is unreadable)."""
    found = _MARKER.search(config or "")
    if not found:
        return None
    try:
        record = json.loads(found.group(1))
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("name"), str) or not isinstance(record.get("labels"), list):
        return None
    return record


def remember(workspace: str | Path | None, title: str, record: Record) -> None:
    """Keep in the workspace the record (with the YAML's full path) project ``title`` was pushed with."""
    if workspace is None or not Path(workspace).is_dir():
        return
    from corpus.files import atomic_write

    path = Path(workspace) / LOCAL_SCHEMES
    try:
        known = _local_records(workspace)
    except UserError as err:   # left as it is: rewriting it would lose its other projects
        raise UserError(f"project {title!r} was pushed, but the place of its scheme file is not recorded: {err}") from None
    if known.get(title) == record:
        return
    known[title] = record
    with atomic_write(path) as f:
        f.write(json.dumps(known, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def _local_records(workspace: str | Path | None) -> dict[str, Record]:
    """The workspace's ``schemes.json``; {} when there is none. One that cannot be read is an error
    (never ignored, so never overwritten by the next push with its other projects lost)."""
    if workspace is None:
        return {}
    path = Path(workspace) / LOCAL_SCHEMES
    fix = ("fix it or delete it (it maps each project title to the scheme file it was pushed with; without it, "
           "give --scheme once to pull or push)")
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: not valid JSON ({err.msg}, line {err.lineno}); {fix}") from None
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: cannot be read ({getattr(err, 'strerror', None) or err}); {fix}") from None
    if not isinstance(known, dict) or not all(isinstance(v, dict) for v in known.values()):
        raise UserError(f"{path}: not a JSON object of project title -> scheme record; {fix}")
    return known


def pushed_record(workspace: str | Path | None, title: str) -> Record | None:
    """The record (with the YAML's full path) this workspace last pushed project ``title`` with."""
    record = _local_records(workspace).get(title)
    return record if isinstance(record, dict) and isinstance(record.get("name"), str) else None


def local_record(workspace: str | Path | None, title: str, shared: Record | None) -> Record | None:
    """The project's record ``shared`` (as its label config holds it) with the YAML's full path this
    workspace pushed it from; ``shared`` itself when the workspace knows no such file for it."""
    if shared is None:
        return None
    mine = _local_records(workspace).get(title)
    if (isinstance(mine, dict) and mine.get("name") == shared["name"]
            and source_key(mine.get("source")) == source_key(shared.get("source"))):
        return {**shared, "source": mine.get("source")}
    return shared


def config_labels(config: str | None) -> list[str] | None:
    """The label ids (Choice values) of a claims project's ``stance`` control; None when it has none."""
    import xml.etree.ElementTree as ET

    from annotate.labelconfig import CLAIM, STANCE

    try:
        root = ET.fromstring(config or "")
    except ET.ParseError:
        return None
    for node in root.iter("Choices"):
        if node.get("name") == STANCE and node.get("toName") == CLAIM:
            return [str(c.get("alias") or c.get("value")) for c in node.iter("Choice")]
    return None


def project_change(title: str, old_config: str | None, new: Record, annotated: bool,
                   workspace: str | Path | None = None) -> str | None:
    """What pushing with scheme ``new`` does to project ``title`` (its label config ``old_config``):
    None (the same scheme, or nothing recorded), a note (another version of it, its labels edited
    included: the push's label check refuses to drop an annotated label; another scheme while the
    project holds no annotations), or a UserError (another scheme, annotations there). ``workspace``'s
    ``schemes.json`` gives the project's YAML by its full path, for the fix the error names."""
    old = local_record(workspace, title, marker_record(old_config))
    if old is None:
        return None   # a project from before the record: the label check of the push decides
    kind = relation(new, old)
    if kind == "same":
        return None
    if kind == "version":
        return (f"project {title!r} moves from version {old.get('version')} of scheme {old['name']!r} to "
                f"{new.get('version')} (the same labels)")
    if kind == "labels":   # the scheme's labels edited: the push refuses to drop an annotated one
        return (f"project {title!r} takes the labels of scheme {new['name']!r} as it is now: "
                f"{', '.join(new.get('labels') or [])} (were {', '.join(old.get('labels') or [])})")
    if annotated:
        # Two files of one scheme name read alike but for the version: the files tell them apart.
        files = old["name"] == new["name"] and old.get("source") and new.get("source")
        raise UserError(f"project {title!r} was pushed with scheme {describe(old)}"
                        + (f" from {old['source']}" if files else "") + " and holds annotations; these "
                        f"claims are for scheme {describe(new)}" + (f" from {new['source']}" if files else "")
                        + ": push them under another --project title, or pre-label them with the project's "
                        f"scheme (`stance prelabel --scheme {shlex.quote(str(old.get('source') or old['name']))}`)")
    return (f"project {title!r} holds no annotations yet: its labels change from scheme {describe(old)} to "
            f"{describe(new)}")


def project_scheme(project: Any, given: str | None, title: str, workspace: str | Path | None = None) -> Any:
    """The scheme to pull ``project`` with (``models.provenance.Resolved``): the one its label config
    records (its YAML found again by the workspace's ``schemes.json``), ``given`` checked against it;
    for a project whose config records none, ``given`` or the default, checked against the project's
    labels. Labels the scheme's file has dropped since the push are an error while the project holds
    annotations."""
    config = getattr(project, "label_config", None)
    what = f"project {title!r}"
    recorded = local_record(workspace, title, marker_record(config))
    if recorded is not None:
        resolved = resolve(given, [(what, recorded)], fix="leave out --scheme to pull with the project's own")
        gone = [x for x in recorded.get("labels") or [] if x not in resolved.record["labels"]]
        if gone and (getattr(project, "total_annotations_number", 0) or 0) > 0:
            raise UserError(f"scheme {resolved.record['name']!r} ({resolved.source}) has been edited since {what} was "
                            f"pushed with it: {labels_change(resolved.record, recorded)}, and the project holds "
                            f"annotations; put {', '.join(gone)} back in that file to pull (new labels are fine)")
        return resolved
    resolved = resolve(given, [])
    labels = config_labels(config)
    unrecorded = (f"{what} records no scheme (its label config has no `claimstance scheme` comment: pushed by a "
                  "stance from before the record, or the comment was removed in Label Studio)")
    if labels is not None and set(labels) != set(resolved.record["labels"]):
        if given is None:
            raise UserError(f"{unrecorded} and its labels ({', '.join(labels)}) are not those of the default scheme "
                            f"{DEFAULT_SCHEME!r}; give --scheme with the scheme it was pushed with")
        raise UserError(f"--scheme {given} is scheme {describe(resolved.record)}, but {what} labels "
                        f"{', '.join(labels)}; give the scheme it was pushed with")
    resolved.notes.append(f"{unrecorded}: pulling with scheme {describe(resolved.record)}"
                          + ("" if given is not None else " (the default, whose labels it has)")
                          + "; the next `stance push` to it records one")
    return resolved


def pull(project: str, out_dir: str | Path, *, workspace: str | Path | None = None, url: str | None = None,
         scheme: str | None = None, progress: bool = True, replace: bool = False,
         pseudonymise: bool = False) -> dict[str, Any]:
    """`stance pull` with the project's own scheme (``scheme``: a ``--scheme`` to check against it).
    The report gains ``scheme_source`` (for `stance train` and `stance evaluate`) and ``notes``.
    ``replace``: replace a pull of another project in ``out_dir`` (else refused, as ``annotate.pull``);
    ``pseudonymise``: name the annotators by pseudonyms (as ``annotate.pull``)."""
    from annotate import pull as pulling
    from annotate.pairs_pull import is_pairs_config
    from annotate.pseudonyms import workspace_key
    from annotate.studio import connect
    from annotate.studio_workspace import DEFAULT_WORKSPACE

    pulling._check_out_dir(Path(out_dir), project, replace, pseudonymise)   # before the server: a bad --out costs nothing
    if pseudonymise:
        workspace_key(workspace or DEFAULT_WORKSPACE)   # made, or a broken one named, before the server too
    ls, info = connect(workspace=workspace, url=url)
    found = pulling.find_project(ls, project, info["url"])
    if is_pairs_config(getattr(found, "label_config", None)):
        return pulling.pull(project, out_dir, workspace=workspace, url=url, progress=progress, replace=replace,
                            pseudonymise=pseudonymise)
    resolved = project_scheme(found, scheme, project, workspace)
    report = pulling.pull(project, out_dir, workspace=workspace, url=url, scheme=resolved.scheme,
                          progress=progress, scheme_source=resolved.source, replace=replace,
                          pseudonymise=pseudonymise)
    report["notes"] = resolved.notes
    return report
