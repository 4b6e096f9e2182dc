"""Reading YAML settings files and turning validation errors into one line naming file and field.

Every stage's config (label schemes, compare settings, pipeline, manifests) goes through these two
functions, so a typo reads the same everywhere: ``configs/x.yaml: labels.1.hotkey: field required``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.errors import UserError


MAX_DEPTH = 100      # levels of lists and mappings, as for a JSONL row; the YAML parser recurses once a level
MAX_CONFIG_MB = 1.0  # a label scheme or a settings file: a few kilobytes
MIN_EXPANSION = 100_000   # values aliases may expand to, or as many as the file has characters if more


def read_yaml(path: str | Path, what: str = "config file", hint: str = "pass an existing YAML file",
              max_mb: float = MAX_CONFIG_MB) -> Any:
    """The parsed content of a YAML file; a missing, unreadable, malformed or oversized file is a UserError.

    So is a file nested over ``MAX_DEPTH`` levels (the parser would overflow Python's stack) and an
    alias bomb ("billion laughs": anchors whose aliases repeat aliases expand exponentially), refused
    before anything is built from it.
    """
    path = Path(path)
    limit = int(max_mb * 1024 * 1024)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)   # a device or a pipe could be endless: never more than the limit
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}; {hint}") from None
    except IsADirectoryError:
        raise UserError(f"{path}: a folder, not a {what}; {hint}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read the {what} ({err}); check its permissions and encoding") from None
    if len(data) > limit:
        raise UserError(f"{path}: over the {max_mb:g} MB a {what} may have; check that it is the file meant")
    return parse_yaml(text, path, what)


def parse_yaml(text: str, source: str | Path, what: str = "config file") -> Any:
    """Parse YAML ``text`` read from ``source`` with the guards of ``read_yaml`` (depth, aliases)."""
    import yaml  # imported here: `stance claims` without a manifest never pays for it

    loader = _guarded_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, source, what, budget=max(MIN_EXPANSION, len(text)))
        return loader.construct_document(node)
    except _TooDeep as err:
        raise UserError(f"{source}:{err.line + 1}: nested too deep (over {MAX_DEPTH} levels of lists and "
                        f"mappings); fix the {what}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(f"{source}{where}: not valid YAML ({getattr(err, 'problem', None) or err}); "
                        f"fix the {what}") from None
    finally:
        loader.dispose()


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _guarded_loader(yaml: Any) -> type:
    """yaml.SafeLoader that refuses a list or mapping nested deeper than ``MAX_DEPTH``."""

    class GuardedLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            opens = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
            if opens:
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise _TooDeep(self.peek_event().start_mark.line)
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= opens

    return GuardedLoader


def _check_aliases(root: Any, source: str | Path, what: str, budget: int) -> None:
    """Refuse a node graph whose aliases expand past ``budget`` values, nest past ``MAX_DEPTH``
    levels once expanded, or loop (an alias inside its own anchor). Each shared node is counted once."""
    sizes: dict[int, int] = {}
    path: set[int] = set()

    def size(node: Any, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if not isinstance(node.value, list):   # a scalar
            return 1
        if key in path:
            raise UserError(f"{source}:{node.start_mark.line + 1}: an alias refers to the list or mapping that "
                            f"holds it (an anchor &name used inside itself); fix the {what}")
        if depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark.line)
        path.add(key)
        total = 1
        for item in node.value:
            for child in (item if isinstance(item, tuple) else (item,)):   # a mapping's (key, value) pairs
                total += size(child, depth + 1)
            if total > budget:
                raise UserError(f"{source}: its aliases (*name) expand to over {budget:,} values, more than a "
                                f"{what} holds (an alias bomb?); write the values out or repeat fewer aliases")
        path.discard(key)
        sizes[key] = total
        return total

    size(root, 1)


def _nearest_field(model: Any, loc: tuple[Any, ...]) -> str | None:
    """The field of ``model`` (or of the nested model ``loc`` leads to) spelt most like ``loc``'s last part."""
    import difflib

    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        model = getattr(field, "annotation", None)
    fields = getattr(model, "model_fields", None)
    if not fields or not isinstance(loc[-1], str):
        return None
    close = difflib.get_close_matches(loc[-1], list(fields), n=1, cutoff=0.6)
    return close[0] if close else None


def validation_error(source: str | Path, err: Any, prefix: str = "", model: Any = None) -> UserError:
    """A pydantic ``ValidationError`` as one line: the source, the dotted field path, the problem.

    A misspelt key gives two errors, the unknown key and the required one it was meant to be: the
    unknown key is named, with the missing one beside it (``hotkee: unknown field; did you mean
    hotkey?``), not "hotkey: field required" alone. An optional field has no such twin: given the
    pydantic ``model`` validated, its field nearest the unknown key is named (``projekt: unknown field
    (check the spelling); did you mean project?``).
    """
    errors = err.errors()
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    first = extra[0] if extra else errors[0]
    msg = first["msg"]
    if first["type"] == "missing":
        msg = "field required"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
        parent = tuple(first["loc"][:-1])
        meant = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent]
        if meant:
            msg = f"unknown field; did you mean {' or '.join(meant)}?"
        elif (near := _nearest_field(model, first["loc"])) is not None:
            msg += f"; did you mean {near}?"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    where = prefix + (".".join(str(part) for part in first["loc"]) or "(top level)")
    return UserError(f"{source}: {where}: {msg}")
