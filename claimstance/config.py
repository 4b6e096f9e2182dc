"""The validated settings of one `stance run` (configs/pipeline.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corpus.errors import UserError
from corpus.settings import read_yaml, validation_error
from models.provenance import DEFAULT_SCHEME

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
DEFAULT_PIPELINE = CONFIGS / "pipeline.yaml"


class PipelineConfig(BaseModel):
    """What `stance run` does; every field has its default here and in configs/pipeline.yaml."""

    model_config = ConfigDict(extra="forbid")

    scheme: str = DEFAULT_SCHEME
    model: str | None = None
    project: str = "claimstance sample"
    port: int = Field(default=8080, ge=1, le=65535)
    # Which sentences go to Label Studio (`stance push --scope`): claims, statements or all.
    push_scope: Literal["claims", "statements", "all"] = "statements"
    push_all: bool = False   # the older setting: true is push_scope: all
    overlap: int | None = Field(default=None, ge=1)
    compare: dict[str, Any] = Field(default_factory=dict)


    @model_validator(mode="after")
    def _one_scope(self) -> "PipelineConfig":
        if self.push_all and "push_scope" in self.model_fields_set and self.push_scope != "all":
            raise ValueError(f"push_all: true and push_scope: {self.push_scope} ask for different sentences; "
                             "keep push_scope alone")
        return self

    @property
    def scope(self) -> str:
        """The push scope: ``push_scope``, or ``all`` when the older ``push_all`` is true."""
        return "all" if self.push_all else self.push_scope


def load_pipeline_config(path: str | Path | None = None) -> PipelineConfig:
    """Load and validate a pipeline YAML (default configs/pipeline.yaml)."""
    path = Path(path) if path else DEFAULT_PIPELINE
    data = read_yaml(path, hint="pass --config with an existing YAML") or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    try:
        return PipelineConfig(**data)
    except ValidationError as err:
        raise validation_error(path, err, model=PipelineConfig) from None
