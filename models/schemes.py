"""Label schemes: the labels annotators choose from, and the cues and examples the bootstrap uses.

A scheme is a YAML file in ``configs/schemes/`` loaded into pydantic models with ``extra="forbid"``,
so a typo in a field name is an error that names the file and the field. Defaults live here.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corpus.errors import UserError
from corpus.settings import read_yaml, validation_error

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
SCHEME_DIR = CONFIG_DIR / "schemes"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


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
            raise ValueError(f"{value!r} must be lower-case letters, digits and underscores")
        return value

    @field_validator("hotkey")
    @classmethod
    def _one_char(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError(f"{value!r} must be a single character")
        return value

    @field_validator("cue_groups")
    @classmethod
    def _group_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if not _ID.match(name):
                raise ValueError(f"group name {name!r} must be lower-case letters, digits and underscores")
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
    # Without it the neutral label competes in the log-odds like any other, from neutral_prior.
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
        if len(self.labels) < 2:
            raise ValueError("labels: a scheme needs at least two labels")
        for field, values in (("id", [lab.id for lab in self.labels]),
                              ("hotkey", [lab.hotkey for lab in self.labels]),
                              ("name", [lab.name for lab in self.labels])):
            seen: set[str] = set()
            for i, value in enumerate(values):
                if value in seen:
                    raise ValueError(f"labels.{i}.{field}: {value!r} is used by two labels")
                seen.add(value)
        if self.neutral is not None and self.neutral not in self.label_ids:
            raise ValueError(f"neutral: {self.neutral!r} is not one of the label ids {self.label_ids}")
        if self.combiner.neutral_evidence is not None and self.neutral is None:
            raise ValueError("combiner.neutral_evidence: the scheme names no neutral label; add `neutral: <label id>`")
        if self.combiner.neutral_evidence is not None:
            groups = sorted({group for lab in self.labels for group in lab.cue_groups})
            for i, name in enumerate(self.combiner.neutral_evidence.not_framing):
                if name not in groups:
                    raise ValueError(f"combiner.neutral_evidence.not_framing.{i}: {name!r} is not a cue group; "
                                     f"known: {', '.join(groups) or 'none'}")
        return self

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
        payload = yaml.safe_dump(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]


def parse_scheme(data: Any, source: str = "<scheme>") -> Scheme:
    """Validate a scheme given as a dict; errors name ``source`` and the field."""
    if data is None:
        raise UserError(f"{source}: empty; a scheme needs name, title and labels (copy "
                        "configs/schemes/kremlin_framing.yaml and edit it)")
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a mapping of scheme fields, got {type(data).__name__}")
    try:
        return Scheme.model_validate(data)
    except ValidationError as err:
        raise validation_error(source, err) from None


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
