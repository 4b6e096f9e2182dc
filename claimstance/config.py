"""The validated settings of one `stance run` (configs/pipeline.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corpus.errors import UserError

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
    compare: dict[str, Any] = Field(default_factory=dict)


def validation_message(path: Path, err: ValidationError) -> str:
    """One line naming the file, the field and what is wrong with it."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"{path}: {where}: {first['msg']}"


def load_pipeline_config(path: str | Path | None = None) -> PipelineConfig:
    """Load and validate a pipeline YAML (default configs/pipeline.yaml)."""
    path = Path(path) if path else DEFAULT_PIPELINE
    if not path.exists():
        raise UserError(f"{path}: no such config file; pass --config with an existing YAML")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise UserError(f"{path}: not valid YAML ({str(err).splitlines()[0]}); fix the file") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    try:
        return PipelineConfig(**data)
    except ValidationError as err:
        raise UserError(validation_message(path, err)) from None
