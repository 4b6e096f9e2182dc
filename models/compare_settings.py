"""The settings of `stance compare` (and `stance match`'s ranking under ``match:``): ``CompareSettings``,
read from configs/compare.yaml or the ``compare:`` section of a pipeline YAML and validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corpus.errors import UserError
from corpus.settings import read_yaml, validation_error
from models.matcher import MatchSettings

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "compare.yaml"


class CompareSettings(BaseModel):
    """Thresholds of `stance compare` (configs/compare.yaml, or `compare:` in a pipeline YAML)."""

    model_config = ConfigDict(extra="forbid")

    min_similarity: float = Field(0.55, ge=-1, le=1)    # cosine of a pair, at least
    # ... or at least this, when the two claims are each other's nearest claim in the other's
    # document (mutual nearest neighbours; null: off)
    mutual_similarity: float | None = Field(0.45, ge=-1, le=1)
    top_k: int = Field(5, ge=1)                         # neighbours per claim in other documents
    cluster_similarity: float | None = Field(None, ge=-1, le=1)  # pairs that join topics (default: min_similarity)
    max_cluster_size: int = Field(12, ge=2)             # bigger components are split by average linkage
    # Which rows take part: claims, statements (claims, opinions, headlines and other assertions:
    # what `stance push` sends by default) or all (never front matter, bylines, datelines, markers)
    scope: Literal["claims", "statements", "all"] = "statements"
    only_claims: bool | None = None                     # the older setting: true is scope claims, false all
    unrelated_below: float = Field(0.5, ge=-1, le=1)    # suggested "unrelated" under this similarity
    contradict_above: float = Field(0.8, ge=-1, le=1)   # near-identical pair, one side negated: "contradict"
    # a pair at least this similar whose claims name opposite sides (Russia, Ukraine) as the one that
    # fired or struck, of the same event (same places, same date where both give one): "contradict" (null: off)
    opposite_cause_above: float | None = Field(0.7, ge=-1, le=1)
    # pairs of two documents of one source too (its outlet, author, platform or site); a document
    # that names no source is a source of its own; a corpus of one source is paired within it anyway
    within_source: bool = False
    label_terms: int = Field(3, ge=1, le=10)            # words in a topic label
    scheme: str | None = "kremlin_framing"             # whose cue words the report highlights
    match: MatchSettings = Field(default_factory=MatchSettings)  # `stance match` ranking

    @model_validator(mode="after")
    def _cluster_default(self) -> "CompareSettings":
        if self.cluster_similarity is None:
            self.cluster_similarity = self.min_similarity
        if self.only_claims is not None:   # a scope given beside it wins
            if "scope" not in self.model_fields_set:
                self.scope = "claims" if self.only_claims else "all"
            self.only_claims = None
        return self


def load_compare_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None
                          ) -> CompareSettings:
    """Settings from a YAML that is either just the compare settings or a pipeline with ``compare:``,
    with ``overrides`` (command-line options) on top.

    No path: configs/compare.yaml when present, else the defaults of ``CompareSettings``.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return compare_settings(overrides, "command line")
        path = DEFAULT_CONFIG
    path = Path(path)
    data = read_yaml(path, hint="pass --config with an existing YAML") or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    if "compare" in data:
        data = data["compare"] or {}
        if not isinstance(data, dict):
            raise UserError(f"{path}: `compare:` must hold a mapping of settings")
    return compare_settings({**data, **overrides}, path)


def compare_settings(data: dict[str, Any], path: str | Path) -> CompareSettings:
    """Validated settings from the mapping read from ``path`` (named in errors), its scheme included."""
    try:
        settings = CompareSettings(**data)
    except ValidationError as err:
        raise validation_error(path, err, prefix="compare.", model=CompareSettings) from None
    if settings.scheme is not None:
        from models.schemes import load_scheme

        try:
            load_scheme(settings.scheme)
        except UserError as err:
            raise UserError(f"{path}: compare.scheme: {err}") from None
    return settings
