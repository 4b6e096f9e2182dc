"""Label schemes: the labels annotators choose from, and the cues and examples the bootstrap uses.

A scheme is a YAML file in ``configs/schemes/`` loaded into pydantic models with ``extra="forbid"``,
so a typo in a field name is an error that names the file and the field. Defaults live here.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from corpus.errors import UserError
from corpus.settings import read_yaml

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
SCHEME_DIR = CONFIG_DIR / "schemes"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ID_RULE = "must be lower-case letters, digits and underscores, starting with a letter"


# A `re:` cue's leading global flags, such as (?i): Python allows them only at the start of a whole
# pattern, and the cue is matched inside a group of all a label's cues.
_GLOBAL_FLAGS = re.compile(r"^\(\?([imsx]+)\)")


def regex_cue(phrase: str) -> str:
    """A ``re:`` cue's expression as it is matched among other cues: ``(?i)foo`` as ``(?i:foo)``."""
    body = phrase[3:]
    flags = _GLOBAL_FLAGS.match(body)
    return f"(?{flags.group(1)}:{body[flags.end():]})" if flags else body


def cue_problem(phrase: str) -> str | None:
    """What is wrong with a cue phrase, or None: a ``re:`` expression that does not compile (it had
    stopped `stance prelabel` with a traceback) or matches an empty text, and a phrase with no letter or
    digit (``*``), which would each find a cue in every claim. A blank cue is ignored."""
    if phrase.startswith("re:"):
        try:
            pattern = re.compile(regex_cue(phrase))
        except re.error as err:
            return f"{phrase!r} is not a regular expression ({err}); fix it, or drop `re:` for a plain phrase"
        if pattern.search("") is not None:
            return f"{phrase!r} matches an empty text, so it would find a cue in every claim; make it match words"
        return None
    if phrase.strip() and not re.search(r"\w", phrase):
        return f"{phrase!r} has no letter or digit, so it would find a cue in every claim; write words"
    return None


def _cue_problems(phrases: list[str]) -> list[str]:
    """Each cue's ``cue_problem``, raised as one error (pydantic reports it under the field)."""
    problems = [p for p in (cue_problem(str(phrase)) for phrase in phrases) if p]
    if problems:
        raise ValueError("; ".join(problems))
    return phrases


def _id_fix(value: str) -> str:
    """What to write instead of an id that breaks the rule: the id is stored in every pre-label and
    dataset row, so it is never rewritten silently; the display name takes any spelling."""
    fixed = re.sub(r"[^a-z0-9_]+", "_", value.strip().lower()).strip("_")
    if not fixed or not fixed[0].isalpha():
        fixed = "label_" + fixed if fixed else "label"
    return fixed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """One label: what annotators see (name, description, hotkey) and what the bootstrap uses."""

    id: str
    name: str
    description: str
    hotkey: str
    cues: list[str] = Field(default_factory=list)
    cue_groups: dict[str, list[str]] = Field(default_factory=dict)
    examples: list[str] = Field(default_factory=list)
    source_types: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_is_a_name(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} {_ID_RULE}: ids are stored in the data; write `id: {_id_fix(value)}` "
                             f"and keep {value!r} as the label's `name`, which is what annotators see")
        return value

    @field_validator("name")
    @classmethod
    def _name_is_written(cls, value: str, info: ValidationInfo) -> str:
        # Annotators pick a label by its name, and Label Studio hands it back (``Scheme.by_name``).
        if not value.strip():
            label_id = info.data.get("id")
            shown = label_id.replace("_", " ").capitalize() if isinstance(label_id, str) else "Favor"
            raise ValueError(f"empty; annotators see and pick a label by its name: write one, such as `name: {shown}`")
        return value

    @field_validator("hotkey")
    @classmethod
    def _one_char(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError(f"{value!r} must be a single character")
        return value

    @field_validator("cues")
    @classmethod
    def _cues_work(cls, value: list[str]) -> list[str]:
        return _cue_problems(value)

    @field_validator("cue_groups")
    @classmethod
    def _group_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, phrases in value.items():
            if not _ID.match(name):
                raise ValueError(f"group name {name!r} {_ID_RULE}; write {_id_fix(name)!r}")
            _cue_problems(phrases)
        return value


class Similarity(_Strict):
    """How similarity to the labels' descriptions and examples turns into probabilities."""

    temperature: float = Field(default=0.03, gt=0)
    top_k: int = Field(default=3, ge=1)
    description_weight: float = Field(default=0.3, ge=0, le=1)
    min_margin: float = Field(default=0.02, ge=0)


class NeutralEvidence(_Strict):
    """Whether a claim is neutral, decided apart from which side it takes (log-odds weights).

    The labels' log-odds say which side a claim leans to; these weights say whether it takes one:
    ``P(neutral) = sigmoid(bias + the weighted evidence)``, and the other labels share the rest in
    the proportions they had, so the comparison between them does not move. The neutral label's
    own log-odds (its prior, the end model's and similarity's share) are then not used. It needs
    sentence embeddings: a bootstrap run without them (no similarity labeller and no end model)
    keeps the plain log-odds. The defaults are the weights fitted for ``kremlin_framing``.
    """

    bias: float = 2.5
    framed_cue: float = -2.0  # for each labeller voting a side, at most two (the source type's vote not counted)
    neutral_vote: float = 1.0  # for each labeller voting neutral: a neutral cue, a neutral source type
    not_a_statement: float = 1.0  # the claims step's reason: a speaker marker, byline, heading, ...
    question: float = 1.5  # the reason "question", or a "?" at the end
    similarity: float = 0.35  # neutral's similarity score minus the best other label's, over the temperature
    # Cue groups that say how a claim is sourced, not how it frames events ("according to"): their
    # votes still lean a side, but do not count as the claim taking one.
    not_framing: list[str] = Field(default_factory=list)


class StatementEvidence(_Strict):
    """Whether a sentence that states nothing is neutral (log-odds), in any scheme with a neutral label.

    That a sentence is a heading, a dateline, a fragment, a filler, a speaker marker or a question is
    the claims step's finding (its ``reason``), whatever the scheme; a side's examples, written as
    statements, say little about such a line. For those rows only, ``P(neutral) = sigmoid(weight +
    side_cue * the cue labellers voting a side)`` and the other labels share the rest in the
    proportions they had; statements keep exactly the probabilities the labellers give. A side's cue
    outweighs the reason: "Lift the sanctions" posted without a full stop (a fragment) takes a side.
    Used unless the scheme has a ``neutral_evidence`` block, whose own ``not_a_statement`` and
    ``question`` weights do this there; ``statement_evidence: null`` switches it off.
    """

    not_a_statement: float = Field(default=3.0, ge=0)  # the reason: heading, dateline, fragment, filler, ...
    question: float = Field(default=2.0, ge=0)  # the reason "question"; a "?" at the end of a row without one
    side_cue: float = Field(default=-4.0, le=0)  # each cue labeller voting a side, at most two (not the source type)


class Combiner(_Strict):
    """Weights of the label model: each labeller's assumed accuracy and the end model's share."""

    accuracy: dict[str, float] = Field(default_factory=dict)
    default_accuracy: float = Field(default=0.75, gt=0, lt=1)
    similarity_weight: float = Field(default=1.0, ge=0)
    end_model: bool = True
    end_model_weight: float = Field(default=1.0, ge=0)
    end_model_c: float = Field(default=1.0, gt=0)
    end_model_words: float = Field(default=2.0, ge=0)
    end_model_min_confidence: float = Field(default=0.6, ge=0, le=1)
    end_model_rounds: int = Field(default=1, ge=1, le=5)
    neutral_prior: float = Field(default=0.1, gt=0, lt=1)
    # Scheme-independent and on by default (null: off); not used beside a neutral_evidence block.
    statement_evidence: StatementEvidence | None = Field(default_factory=StatementEvidence)
    # Weights fitted to one scheme's labelled sentences (kremlin_framing's): without it the neutral
    # label competes in the log-odds like any other, from neutral_prior, plus statement_evidence.
    neutral_evidence: NeutralEvidence | None = None


class Scheme(_Strict):
    """A label scheme: labels in display order, annotator guidelines, and bootstrap settings."""

    name: str
    title: str
    guidelines: str = ""
    target: str | None = None
    neutral: str | None = None
    labellers: list[str] = Field(default_factory=lambda: ["cues", "cue_groups", "source_type", "similarity"])
    labels: list[Label]
    similarity: Similarity = Field(default_factory=Similarity)
    combiner: Combiner = Field(default_factory=Combiner)

    @model_validator(mode="after")
    def _consistent(self) -> "Scheme":
        problems = scheme_problems(self.model_dump(exclude_unset=True))
        if problems:
            # One error for all of them: parse_scheme lists them one a line.
            raise ValueError("\n".join(f"{where}: {msg}" for where, msg in problems))
        return self

    @property
    def statement_evidence(self) -> StatementEvidence | None:
        """The statement evidence in effect: a neutral label, no neutral_evidence block, not switched off."""
        if self.neutral is None or self.combiner.neutral_evidence is not None:
            return None
        return self.combiner.statement_evidence

    @property
    def label_ids(self) -> list[str]:
        """Label ids in scheme order (the column order of every probability matrix)."""
        return [lab.id for lab in self.labels]

    def label(self, label_id: str) -> Label:
        """The label with this id; KeyError naming the known ids otherwise."""
        for lab in self.labels:
            if lab.id == label_id:
                return lab
        raise KeyError(f"unknown label {label_id!r}; known: {', '.join(self.label_ids)}")

    def by_name(self, display_name: str) -> Label:
        """The label with this display name (what Label Studio returns)."""
        for lab in self.labels:
            if lab.name == display_name:
                return lab
        raise KeyError(f"unknown label name {display_name!r}; known: {', '.join(lab.name for lab in self.labels)}")

    def index(self, label_id: str) -> int:
        """The column of ``label_id`` in probability matrices."""
        return self.label_ids.index(self.label(label_id).id)

    @cached_property
    def version(self) -> str:
        """A short hash of the scheme's content: it changes when any cue, example or weight does."""
        dump = self.model_dump(mode="json")
        can_act = self.neutral is not None and self.combiner.neutral_evidence is None
        if not (can_act and "statement_evidence" in self.combiner.model_fields_set):
            # Left to the code's default (or unable to act): versions stay as they were before the
            # setting existed, so an upgrade alone changes no scheme's version. Set in the file, it counts.
            del dump["combiner"]["statement_evidence"]
        payload = yaml.safe_dump(dump, sort_keys=True)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]


KNOWN_LABELLERS = ("cues", "cue_groups", "source_type", "similarity")


def scheme_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems between fields (two labels with one hotkey, a neutral label that is no label, ...) as
    ``(field path, message)``, read from the raw mapping: they are reported with the fields' own
    errors, not only once those are fixed."""
    problems: list[tuple[str, str]] = []
    labels = data.get("labels")
    entries = [lab if isinstance(lab, dict) else {} for lab in labels] if isinstance(labels, list) else []
    if isinstance(labels, list) and len(labels) < 2:
        problems.append(("labels", "a scheme needs at least two labels"))
    for field in ("id", "hotkey", "name"):
        seen: dict[str, int] = {}
        for i, lab in enumerate(entries):
            value = lab.get(field)
            if not isinstance(value, str):
                continue
            # Label Studio reads a hotkey without its case: 'F' beside 'f' takes that key from the other label.
            key = value.lower() if field == "hotkey" else value
            if key in seen:
                other = entries[seen[key]].get(field)
                problems.append((f"labels.{i}.{field}", f"{value!r} is used by two labels (labels.{seen[key]} too"
                                 + (f": {other!r}, and Label Studio reads keys without their case)"
                                    if other != value else ")")))
            else:
                seen[key] = i
    ids = [lab["id"] for lab in entries if isinstance(lab.get("id"), str)]
    neutral = data.get("neutral")
    if isinstance(neutral, str) and ids and neutral not in ids:
        like = [i for i in ids if i.lower() == neutral.lower()] or difflib.get_close_matches(neutral, ids, n=1)
        problems.append(("neutral", f"{neutral!r} is not one of the label ids {ids}"
                                    + (f"; did you mean {like[0]}?" if like else "")))
    kinds = data.get("labellers")
    if isinstance(kinds, list):
        for i, kind in enumerate(kinds):
            if isinstance(kind, str) and kind not in KNOWN_LABELLERS:
                like = difflib.get_close_matches(kind, KNOWN_LABELLERS, n=1)
                problems.append((f"labellers.{i}", f"unknown labeller {kind!r}; "
                                 + (f"did you mean {like[0]}?" if like else f"known: {', '.join(KNOWN_LABELLERS)}")))
    combiner = data.get("combiner") if isinstance(data.get("combiner"), dict) else {}
    evidence = combiner.get("neutral_evidence")
    if evidence is not None and neutral is None:
        problems.append(("combiner.neutral_evidence", "the scheme names no neutral label; add `neutral: <label id>`"))
    if combiner.get("statement_evidence") is not None:
        if neutral is None:
            problems.append(("combiner.statement_evidence", "the scheme names no neutral label; add "
                             "`neutral: <label id>` or remove the block"))
        elif evidence is not None:
            problems.append(("combiner.statement_evidence", "not used beside combiner.neutral_evidence, whose "
                             "not_a_statement and question weights do its work; remove one of the two"))
    if isinstance(evidence, dict) and isinstance(evidence.get("not_framing"), list):
        groups = sorted({group for lab in entries if isinstance(lab.get("cue_groups"), dict)
                         for group in lab["cue_groups"]})
        for i, name in enumerate(evidence["not_framing"]):
            if name not in groups:
                problems.append((f"combiner.neutral_evidence.not_framing.{i}",
                                 f"{name!r} is not a cue group; known: {', '.join(groups) or 'none'}"))
    return problems


def _fields_at(parent: tuple[Any, ...]) -> list[str]:
    """The field names of the part of a scheme at ``parent`` (e.g. ``("labels", 0)``: a label's)."""
    model: Any = Scheme
    for part in parent:
        if isinstance(part, int):
            continue   # an item of a list: the list's field already gave its model
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
        if model is None:
            return []
    return list(model.model_fields)


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside a field's type (``list[Label]``, ``NeutralEvidence | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _field_problems(err: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as ``(field path, message)``: a misspelt key with the key it was meant to be
    (a required one it leaves missing, else the closest known field), not a second "field required"."""
    errors = err.errors()
    problems: list[tuple[str, str]] = []
    named: set[tuple[Any, ...]] = set()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] != "extra_forbidden":
            continue
        missing = [str(m["loc"][-1]) for m in errors if m["type"] == "missing" and tuple(m["loc"][:-1]) == loc[:-1]]
        named.update(loc[:-1] + (m,) for m in missing)
        meant = missing or difflib.get_close_matches(str(loc[-1]), _fields_at(loc[:-1]), n=1, cutoff=0.7)
        if not meant and len(loc) == 1 and str(loc[0]) in Label.model_fields:   # `source_types:` above the labels
            problems.append((_path(loc), f"unknown field at the top level: `{loc[0]}` is a label's field; write it "
                                         f"under the label it is for (labels: - id: ..., {loc[0]}: ...)"))
            continue
        problems.append((_path(loc), f"unknown field; did you mean {' or '.join(meant)}?" if meant
                         else f"unknown field (known here: {', '.join(_fields_at(loc[:-1]))})"))
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden" or loc in named:
            continue
        msg = "field required" if e["type"] == "missing" else str(e["msg"]).removeprefix("Value error, ")
        if not loc:   # the checks between fields (Scheme._consistent): one problem a line
            problems.extend(tuple(line.split(": ", 1)) for line in msg.splitlines())  # type: ignore[misc]
        else:
            problems.append((_path(loc), msg))
    return problems


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_scheme(data: Any, source: str = "<scheme>") -> Scheme:
    """Validate a scheme given as a dict; every problem is reported at once, each naming ``source``
    and the field."""
    if data is None:
        raise UserError(f"{source}: empty; a scheme needs name, title and labels (copy "
                        "configs/schemes/kremlin_framing.yaml and edit it)")
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a mapping of scheme fields, got {type(data).__name__}")
    try:
        return Scheme.model_validate(data)
    except ValidationError as err:
        problems = _field_problems(err)
        if all(e["loc"] for e in err.errors()):
            # Field errors stop pydantic before the checks between fields: run those on the raw data.
            problems += [p for p in scheme_problems(data) if p[0] not in {where for where, _ in problems}]
    problems = list(dict.fromkeys(problems))
    if len(problems) == 1:
        raise UserError(f"{source}: {problems[0][0]}: {problems[0][1]}")
    raise UserError(f"{source}: {len(problems)} problems:" + "".join(f"\n  {where}: {msg}" for where, msg in problems))


NEUTRAL_NAMES = ("none", "neutral", "other", "no_stance", "unrelated")


def scheme_notes(scheme: Scheme) -> list[str]:
    """Advice on a valid scheme that the bootstrap will label poorly (printed where pre-labels are made)."""
    notes = []
    evidence = scheme.combiner.neutral_evidence
    fitted = NeutralEvidence().model_dump(exclude={"not_framing"})
    if evidence is not None and scheme.name != "kremlin_framing" and evidence.model_dump(exclude={"not_framing"}) == fitted:
        notes.append(f"scheme {scheme.name!r}: its combiner.neutral_evidence holds the weights fitted to "
                     f"kremlin_framing's sentences, which pre-label most of another scheme's statements "
                     f"{scheme.neutral!r}; remove the block (headings, datelines, fragments and questions are "
                     "neutral in every scheme with a neutral label without it) or fit the weights to your own labels")
    if scheme.neutral is None:
        like = [lab.id for lab in scheme.labels if lab.id in NEUTRAL_NAMES]
        if like:
            notes.append(f"scheme {scheme.name!r} names no neutral label: if {like[0]!r} is one, add `neutral: "
                         f"{like[0]}` so that headings, datelines, fragments and questions are pre-labelled with it")
    return notes


def scheme_path(name_or_path: str) -> Path:
    """The YAML file of a scheme given by name (configs/schemes/NAME.yaml) or by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_path or candidate.is_file():
        if not candidate.exists():
            raise UserError(f"{name_or_path}: no such scheme file; check the path")
        return candidate
    path = SCHEME_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in SCHEME_DIR.glob("*.yaml"))
        raise UserError(f"unknown scheme {name_or_path!r}; known: {', '.join(known)} (or give a YAML path)")
    return path


def load_scheme(name_or_path: str) -> Scheme:
    """Load and validate a scheme by name (configs/schemes/NAME.yaml) or from a YAML path."""
    path = scheme_path(name_or_path)
    try:
        source = str(path.relative_to(CONFIG_DIR.parent))
    except ValueError:
        source = str(path)
    return parse_scheme(read_yaml(path, "scheme file", hint="check the path"), source)


# The group of claims whose documents have no source_type: `stance run`'s summary and the source-type
# chart of `stance compare`'s report name it alike (`stance evaluate` as "(no FIELD)").
NO_SOURCE_TYPE = "(no source_type)"


def source_type_note(sources: Any, scheme: Any, missing: str) -> str | None:
    """A note for pre-labels made with ``scheme`` (`stance run`'s summary, `stance prelabel`): the
    source types (``sources``; ``missing`` stands for documents without one) that the scheme does not
    know, so they inform no pre-label (the ``source_type`` labeller maps a label's ``source_types``
    and its id to it), with the known value a typo was likely meant for."""
    given = sorted(str(s) for s in sources if s != missing)
    if not given:
        return None
    if "source_type" not in scheme.labellers:
        return (f"scheme {scheme.name!r} does not use source types (its labellers: {', '.join(scheme.labellers)}): the "
                "grouping by source type is for reading only; to use them as distant labels, add source_type to the "
                "scheme's `labellers:` and list each value under the `source_types:` of the label it speaks for")
    listed = sorted({t for label in scheme.labels for t in label.source_types})
    known = {label.id for label in scheme.labels} | set(listed)
    unknown = [s for s in given if s not in known]
    if not unknown:
        return None
    # a typo of a known value ("kremlin_framin", "Kremlin framing") is named beside the value it misses
    close = {s: difflib.get_close_matches(s.lower().replace(" ", "_"), sorted(known), n=1, cutoff=0.8) for s in unknown}
    guesses = [f"{s!r}: did you mean {m[0]!r}?" for s, m in close.items() if m]
    return (f"source type{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} match{'' if len(unknown) > 1 else 'es'} "
            f"none of the source_types of scheme {scheme.name!r} ({', '.join(listed) or 'none listed'}) nor its label ids, so "
            f"{'they do' if len(unknown) > 1 else 'it does'} not inform the pre-labels"
            + (f" ({'; '.join(guesses)})" if guesses else "")
            + "; list a value under the `source_types:` of the label its documents speak for, or leave it if they take "
            "no side")
