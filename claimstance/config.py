"""The validated settings of one `stance run` (configs/pipeline.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corpus.errors import UserError
from corpus.settings import read_yaml, validation_error

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
DEFAULT_PIPELINE = CONFIGS / "pipeline.yaml"


class PipelineConfig(BaseModel):
    """What `stance run` does; every field has its default here and in configs/pipeline.yaml."""

    model_config = ConfigDict(extra="forbid")

    scheme: str = "kremlin_framing"
    model: str | None = None
    project: str = "claimstance sample"
    port: int = Field(default=8080, ge=1, le=65535)
    push_all: bool = False
    overlap: int | None = Field(default=None, ge=1)
    compare: dict[str, Any] = Field(default_factory=dict)


def load_pipeline_config(path: str | Path | None = None) -> PipelineConfig:
    """Load and validate a pipeline YAML (default configs/pipeline.yaml)."""
    path = Path(path) if path else DEFAULT_PIPELINE
    data = read_yaml(path, hint="pass --config with an existing YAML") or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    try:
        return PipelineConfig(**data)
    except ValidationError as err:
        raise validation_error(path, err) from None
