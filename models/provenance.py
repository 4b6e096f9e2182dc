"""Which label scheme pre-labels, a pulled dataset and a trained model were made with, and whether a
model was found fit to pre-label: what each records, so later commands need no ``--scheme``.

A scheme's record is ``{"name", "version", "labels", "source"}``: ``source`` is what ``--scheme``
takes to load it again (a bundled scheme's name, else the YAML's absolute path). Pre-labelled rows
carry it as ``scheme``, ``scheme_version`` and ``scheme_source`` (and ``model_dir`` when a trained
model made them); a pull's ``report.json`` as ``scheme``, ``scheme_version``, ``scheme_source`` and
its ``label_counts``; a model's ``claimstance.json`` as ``scheme``, ``scheme_version``,
``scheme_labels`` and ``scheme_path``. ``resolve`` picks the scheme a command uses: the one given,
checked against every record, else the recorded one, else the default.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from corpus.errors import UserError

DEFAULT_SCHEME = "kremlin_framing"
ROW_FIELDS = ("scheme", "scheme_version", "scheme_source", "model_dir")   # what pre-labelling adds to a row
Record = dict[str, Any]


# --- records ------------------------------------------------------------------------------------

def source_of(ref: str) -> str:
    """What ``--scheme`` takes to find ``ref`` again from anywhere: a bundled scheme's name, else the
    YAML's absolute path."""
    from models.schemes import SCHEME_DIR, scheme_path

    path = scheme_path(str(ref))
    if path.resolve().parent == SCHEME_DIR.resolve():
        return path.stem
    return str(path.resolve())


def scheme_record(scheme: Any, source: str | None = None) -> Record:
    """The record of a loaded scheme (``source``: how it was loaded, see ``source_of``)."""
    version = getattr(scheme, "version", None)
    return {"name": str(scheme.name), "version": version if isinstance(version, str) else None,
            "labels": [str(label.id) for label in scheme.labels], "source": source}


def load(ref: str) -> tuple[Any, Record]:
    """The scheme ``ref`` names (a bundled name or a YAML path) and its record."""
    from models.schemes import load_scheme

    scheme = load_scheme(str(ref))
    return scheme, scheme_record(scheme, source_of(str(ref)))


def row_fields(record: Record, model_dir: str | Path | None = None) -> dict[str, Any]:
    """The fields a pre-labelled row carries about its scheme (and the trained model that made it)."""
    out = {"scheme": record["name"], "scheme_version": record.get("version"), "scheme_source": record.get("source")}
    if model_dir is not None:
        out["model_dir"] = str(Path(model_dir).resolve())
    return out


def with_provenance(rows: Iterable[dict[str, Any]], record: Record | None,
                    model_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Pre-labelled rows with ``row_fields`` (what an earlier pre-labelling recorded replaced)."""
    extra = row_fields(record, model_dir) if record is not None else {}
    return [{**{k: v for k, v in row.items() if k not in ROW_FIELDS}, **extra} for row in rows]


def describe(record: Record) -> str:
    """``'sanctions_stance' (favor, against, none; version df25fd6b57)`` for messages."""
    parts = [", ".join(record.get("labels") or []), f"version {record['version']}" if record.get("version") else ""]
    shown = "; ".join(p for p in parts if p)
    return f"{record['name']!r}" + (f" ({shown})" if shown else "")


def source_key(source: Any) -> str | None:
    """What identifies a scheme's file across machines: a bundled scheme's name (``favor_against``), or
    ``file:NAME.yaml`` for a YAML of the user's (its file name: the directory stays on the machine);
    None when nothing is recorded."""
    if not isinstance(source, str) or not source:
        return None
    from models.schemes import SCHEME_DIR

    path = Path(source)
    if path.suffix not in (".yaml", ".yml") and "/" not in source:
        return source
    if path.is_absolute() and path.parent == SCHEME_DIR.resolve():
        return path.stem   # a bundled scheme's YAML given by its path
    return f"file:{path.name}"


def shared_record(record: Record) -> Record:
    """``record`` as it may leave this machine (Label Studio, a shareable report): a YAML's file name
    in place of its absolute path."""
    key = source_key(record.get("source"))
    return {**record, "source": key.removeprefix("file:") if key else record.get("source")}


def relation(a: Record, b: Record) -> str:
    """``same``; ``version`` (one scheme, its labels unchanged, edited since); ``labels`` (one scheme,
    its labels edited: the same name and file); ``other`` (another name, another file, or other labels
    with no file recorded to tell). Labels not recorded (a model from before ``scheme_labels``) are not
    compared."""
    labels_a, labels_b = set(a.get("labels") or []), set(b.get("labels") or [])
    key_a, key_b = source_key(a.get("source")), source_key(b.get("source"))
    if a["name"] != b["name"] or (key_a and key_b and key_a != key_b):
        return "other"
    if labels_a and labels_b and labels_a != labels_b:
        return "labels" if key_a == key_b else "other"   # both unrecorded: a scheme object given in Python
    if a.get("version") and b.get("version") and a["version"] != b["version"]:
        return "version"
    return "same"


def labels_change(now: Record, then: Record) -> str:
    """``labels now a, b, c (added c; removed d)`` for a scheme whose labels were edited."""
    new = [x for x in now.get("labels") or [] if x not in set(then.get("labels") or [])]
    gone = [x for x in then.get("labels") or [] if x not in set(now.get("labels") or [])]
    parts = [f"added {', '.join(new)}" if new else "", f"removed {', '.join(gone)}" if gone else ""]
    return f"labels now {', '.join(now.get('labels') or [])} ({'; '.join(p for p in parts if p)})"


def _bundled_with_version(version: str) -> Record | None:
    """The bundled scheme whose content has this version (a bootstrap's model version names it)."""
    from models.schemes import SCHEME_DIR

    for path in sorted(SCHEME_DIR.glob("*.yaml")):
        try:
            _, record = load(path.stem)
        except UserError:
            continue
        if record["version"] == version:
            return record
    return None


def from_rows(rows: Iterable[dict[str, Any]], where: str = "the rows") -> Record | None:
    """The scheme pre-labelled rows were made with; None when they record none (claims never
    pre-labelled, or pre-labelled before stance recorded it and not by a bundled scheme's bootstrap).
    Rows of two schemes are an error naming both."""
    found: Counter = Counter()
    labels: dict[str, list[str]] = {}
    versions: Counter = Counter()
    for row in rows:
        if isinstance(row.get("scheme"), str):
            key = (row["scheme"], row.get("scheme_version"), row.get("scheme_source"))
            found[key] += 1
            if isinstance(row.get("probs"), dict):
                labels.setdefault(row["scheme"], list(row["probs"]))
        elif isinstance(row.get("model_version"), str) and row["model_version"].startswith("bootstrap-"):
            versions[row["model_version"].removeprefix("bootstrap-").split("-")[0]] += 1
    names = sorted({name for name, _, _ in found})
    if len(names) > 1:
        raise UserError(f"{where} hold pre-labels of {len(names)} schemes ({', '.join(map(repr, names))}); "
                        "pre-label them again with one --scheme")
    if found:
        (name, version, source), _ = found.most_common(1)[0]
        return {"name": name, "version": version, "labels": labels.get(name, []), "source": source}
    if versions:
        return _bundled_with_version(versions.most_common(1)[0][0])
    return None


def rows_model_dir(rows: list[dict[str, Any]], version: str | None = None) -> str | None:
    """The model directory recorded by the rows pre-labelled by ``version`` (None: the model version
    most rows carry, the one a push shows)."""
    if version is None:
        versions = Counter(row["model_version"] for row in rows if isinstance(row.get("model_version"), str))
        version = versions.most_common(1)[0][0] if versions else None
    dirs = Counter(row["model_dir"] for row in rows
                   if row.get("model_version") == version and isinstance(row.get("model_dir"), str))
    return dirs.most_common(1)[0][0] if dirs else None


def from_model(model_dir: str | Path) -> Record | None:
    """The scheme a model directory from `stance train` was trained with; None for no such directory."""
    from models.model_dir import model_config

    config = model_config(model_dir)
    if not isinstance(config.get("scheme"), str):
        return None
    source = config.get("scheme_path") or config["scheme"]
    return {"name": config["scheme"], "version": config.get("scheme_version"),
            "labels": list(config.get("scheme_labels") or []), "source": source}   # "labels": those it learnt


def pull_report_path(data: str | Path) -> Path | None:
    """The ``report.json`` of the pull a dataset path comes from: the pull's folder, its dataset
    folder, or its labels.jsonl / labels.parquet / annotations.jsonl (`stance evaluate --data
    annotations.jsonl --by annotator`); None for any other data."""
    path = Path(data)
    if path.is_dir() and (path / "report.json").is_file() and (path / "labels.jsonl").exists():
        return path / "report.json"
    if (path.name in ("dataset", "labels.jsonl", "labels.parquet", "annotations.jsonl")
            and (path.parent / "report.json").is_file()):
        return path.parent / "report.json"
    return None


def _pull_report(data: str | Path) -> dict[str, Any] | None:
    """The ``report.json`` of the pull a dataset path comes from, read; None for other data or a report
    that cannot be read."""
    report_path = pull_report_path(data)
    if report_path is None:
        return None
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def from_dataset(data: str | Path) -> Record | None:
    """The scheme a pulled dataset was labelled with (its pull's ``report.json``); None for other data."""
    return _dataset_record(_pull_report(data))


def _dataset_record(report: dict[str, Any] | None) -> Record | None:
    """The scheme record of a pull's report (see ``from_dataset``)."""
    if report is None or not isinstance(report.get("scheme"), str) or report.get("unit") == "pair":
        return None
    record = {"name": report["scheme"], "version": report.get("scheme_version"),
              "labels": list(report.get("label_counts") or {}), "source": report.get("scheme_source")}
    if not record["source"] and record["version"]:   # pulled before the source was recorded
        bundled = _bundled_with_version(record["version"])
        record["source"] = bundled["source"] if bundled and bundled["name"] == record["name"] else None
    return record


# --- choosing the scheme of a command --------------------------------------------------------------

@dataclass
class Resolved:
    """The scheme a command uses: the loaded scheme, its ``source`` (for ``--scheme``), its record, and
    notes to print (a scheme edited since, a new version given)."""

    scheme: Any
    source: str
    record: Record
    notes: list[str] = field(default_factory=list)


def _made(what: str) -> str:
    """How ``what`` came from its scheme: "the pre-labels in F were made with", "project P was pushed
    with", "model M was trained with", "the dataset D was labelled with"."""
    for start, verb in (("the pre-labels", "were made with"), ("the labels", "were labelled with"),
                        ("project", "was pushed with"), ("model", "was trained with"),
                        ("the dataset", "was labelled with")):
        if what.startswith(start):
            return verb
    return "was made with"


def _agree(recorded: list[tuple[str, Record]]) -> None:
    first_what, first = recorded[0]
    for what, record in recorded[1:]:
        if relation(first, record) == "other":
            raise UserError(f"{first_what} {_made(first_what)} scheme "
                            f"{describe(first)}, {what} with scheme {describe(record)}; use the ones made with one scheme")


def _version_note(given: Record, what: str, recorded: Record) -> str:
    return (f"{what} {_made(what)} version {recorded['version']} of scheme "
            f"{given['name']!r}, this is version {given['version']} (the same labels)")


def _labels_note(given: Record, what: str, recorded: Record) -> str:
    return (f"scheme {given['name']!r} has been edited since {what} {_made(what).removesuffix(' with')}: "
            f"{labels_change(given, recorded)}; using it as it is now")


def _place(record: Record) -> str:
    """`` from configs/schemes`` or `` from NAME.yaml``: where a scheme came from, for two of one name."""
    key = source_key(record.get("source")) or ""
    return " from " + (key.removeprefix("file:") if key.startswith("file:") else "configs/schemes")


def check_given(given: Record, flag: str, what: str, recorded: Record, fix: str) -> str | None:
    """None when ``given`` is the recorded scheme; a note when it is another version of it, or the
    same file with its labels edited; a UserError naming both and ``fix`` when it is another scheme
    (another name, or the same name from another file)."""
    kind = relation(given, recorded)
    if kind == "other":
        twins = given["name"] == recorded["name"]   # two files of one name: say which is which
        raise UserError(f"{flag} is scheme {describe(given)}{_place(given) if twins else ''}, but {what} {_made(what)} "
                        f"scheme {describe(recorded)}{_place(recorded) if twins else ''}; {fix}")
    if kind == "labels":
        return _labels_note(given, what, recorded)
    return _version_note(given, what, recorded) if kind == "version" else None


def resolve(given: str | None, recorded: Iterable[tuple[str, Record | None]], default: str | None = DEFAULT_SCHEME,
            fix: str = "leave out --scheme to use it", flag: str | None = None) -> Resolved:
    """The scheme of a command: ``given`` (``--scheme``) checked against every ``(what, record)``
    recorded (another scheme: one error naming both and ``fix``; another version of the same scheme: a
    note), else the recorded one (loaded from its source), else ``default`` (None: an error)."""
    known = [(what, record) for what, record in recorded if record is not None]
    if known:
        _agree(known)
    if given is not None:
        scheme, record = load(given)
        notes = [note for what, rec in known
                 if (note := check_given(record, flag or f"--scheme {given}", what, rec, fix)) is not None]
        return Resolved(scheme, record["source"], record, notes)
    if known:
        what, rec = known[0]
        if not rec.get("source"):
            raise UserError(f"{what} {_made(what)} scheme {describe(rec)}, "
                            "whose file is not recorded; give --scheme with that scheme's name or YAML")
        if source_key(rec["source"]) != rec["source"] and not Path(rec["source"]).is_absolute():
            raise UserError(f"{what} {_made(what)} scheme {describe(rec)} from a file {rec['source']} whose "
                            "place this workspace does not record; give --scheme with that YAML's path")
        try:
            scheme, record = load(rec["source"])
        except UserError as err:
            raise UserError(f"{what} {_made(what)} scheme {describe(rec)} "
                            f"from {rec['source']}, which cannot be read now ({err}); give --scheme with that "
                            "scheme's YAML") from None
        kind = relation(record, rec)
        if kind == "other":   # the file now holds a scheme of another name
            raise UserError(f"{rec['source']} is now scheme {describe(record)}, but {what} "
                            f"{_made(what)} scheme {describe(rec)}; "
                            "give --scheme with the scheme it was made with")
        notes = []
        if kind == "labels":
            notes.append(_labels_note(record, what, rec))
        if kind == "version":
            notes.append(f"scheme {rec['name']!r} ({rec['source']}) has changed since {what} "
                         f"{_made(what).removesuffix(' with')} (version {rec['version']}, now "
                         f"{record['version']}; the same labels): using it as it is now")
        return Resolved(scheme, record["source"], record, notes)
    if default is None:
        raise UserError("no scheme is recorded here; give --scheme (a name in configs/schemes or a YAML path)")
    scheme, record = load(default)
    return Resolved(scheme, record["source"], record)


# --- a trained model's fitness, as `stance train` recorded it ----------------------------------------

def model_warning(model_dir: str | Path) -> str | None:
    """One line when `stance train` found a model at chance, or no better than the bootstrap, on its
    validation claims (its ``claimstance.json``); None otherwise or when there is no record."""
    from models.model_dir import model_config

    config = model_config(model_dir)
    metrics, blend = config.get("metrics") or {}, config.get("blend") or {}
    labels = config.get("labels") or []
    if not labels or not isinstance(metrics, dict) or not isinstance(blend, dict):
        return None
    chance = 1 / len(labels)
    network = metrics.get("validation_macro_f1")
    blended = (blend.get("validation_f1_by_weight") or {}).get(str(blend.get("bootstrap_weight")))
    boot = blend.get("validation_f1_bootstrap_alone")
    top = blend.get("validation_mean_top_probability")
    n = metrics.get("validation_claims")
    on = f"on its {n} validation claims" if n else "on its validation claims"
    advice = "pre-label with the bootstrap (leave out --model) until more claims are labelled"
    if isinstance(network, (int, float)) and network <= chance + 1e-9:
        from models.blending import is_flat   # the rule stance train applies to the same figure

        uniform = (f", probabilities near-uniform (top {top:.3f})"
                   if isinstance(top, (int, float)) and is_flat(blend, len(labels)) else "")
        return (f"model {config.get('version')} ({model_dir}) scored at chance {on} (network macro-F1 "
                f"{network:.3f}, chance {chance:.3f}{uniform}): {advice}")
    if isinstance(blended, (int, float)) and isinstance(boot, (int, float)) and blended <= boot + 1e-9:
        return (f"model {config.get('version')} ({model_dir}) did no better than the bootstrap {on} (macro-F1 "
                f"{blended:.3f}, the bootstrap alone {boot:.3f}): {advice}")
    return None


# --- the scheme of each command ----------------------------------------------------------------------

def for_training(data: str | Path, given: str | None) -> Resolved:
    """`stance train`: the scheme the pulled dataset was labelled with, or ``given`` checked against it."""
    report = _pull_report(data)   # read once: its scheme, then its label counts
    recorded = _dataset_record(report)
    resolved = resolve(given, [(f"the dataset {data}", recorded)],
                       fix="leave out --scheme to train with the dataset's own")
    counts = _label_counts(report) if report is not None and recorded is not None else {}
    gone = [label for label, n in counts.items() if n and label not in resolved.record["labels"]]
    if gone:
        raise UserError(f"scheme {resolved.record['name']!r} ({resolved.source}) has no label {', '.join(gone)}, which "
                        f"claims of the dataset {data} are labelled with; put {'it' if len(gone) == 1 else 'them'} "
                        "back in the scheme's file to train (new labels are fine)")
    return resolved


def _label_counts(report: dict[str, Any]) -> dict[str, int]:
    counts = report.get("label_counts")
    return {str(k): v for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {}


def for_evaluation(model: str, data: str | Path, given: str | None) -> Resolved:
    """`stance evaluate`: the model's scheme (a directory from `stance train`) and the dataset's,
    which must agree, or ``given`` checked against both."""
    recorded = [(f"the dataset {data}", from_dataset(data))]
    if model != "bootstrap":
        recorded.insert(0, (f"model {model}", from_model(model)))
    resolved = resolve(given, recorded, fix="leave out --scheme to use it")
    if model != "bootstrap" and recorded[0][1] is not None:
        check_model_labels(model, resolved)
    return resolved


def check_model_labels(model_dir: str | Path, resolved: Resolved) -> None:
    """A UserError when the scheme a model directory is used with (its own file, edited since) has
    lost a label the network was trained on: its bootstrap and the network would disagree on columns."""
    from models.model_dir import model_config

    trained = [str(x) for x in model_config(model_dir).get("labels") or []]
    gone = [x for x in trained if x not in resolved.record["labels"]]
    if gone:
        raise UserError(f"scheme {resolved.record['name']!r} ({resolved.source}) has no label {', '.join(gone)}, which "
                        f"model {model_dir} was trained on; put {'it' if len(gone) == 1 else 'them'} back in that "
                        "file (new labels are fine), or train the model again with the scheme as it is now")


def for_prelabel(model_dir: str | Path | None, given: str | None) -> Resolved | None:
    """`stance prelabel`: ``given`` checked against a model's scheme; None: the model's own (or the
    default for the bootstrap), as ``models.prelabel`` finds it."""
    if given is None:
        return None
    recorded = [(f"model {model_dir}", from_model(model_dir))] if model_dir else []
    resolved = resolve(given, recorded, fix="leave out --scheme to use the model's own")
    if recorded and recorded[0][1] is not None:
        check_model_labels(model_dir, resolved)
    return resolved


def for_compare(inp: str | Path, labels: str | Path | None, given: str | None) -> Resolved | None:
    """`stance compare`: the scheme the pre-labels were made with (and the pulled labels, which must
    agree), or ``given`` checked against them; None when nothing records one and none is given (the
    compare settings' scheme then, if it holds the pre-labels' stances)."""
    from corpus.files import read_jsonl

    recorded = [(f"the pre-labels in {inp}", from_rows(read_jsonl(inp), str(inp)))]
    if labels is not None:
        recorded.append((f"the labels {labels}", from_dataset(labels)))
    if given is None and all(record is None for _, record in recorded):
        return None
    return resolve(given, recorded, fix="leave out --scheme to use it")
