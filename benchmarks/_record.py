"""A benchmark run's results file: the figures it printed, with what is needed to trace them.

Each run writes benchmarks/results/<name>-YYYYmmdd-HHMMSS.json holding the command line, the git
commit (``+dirty`` when tracked files had changes), the host's load average and CPU count when the
run started, and the script's own settings and figures. Figures only: never claim texts.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))

from corpus.files import atomic_write  # noqa: E402


def git_commit() -> str | None:
    """``git rev-parse --short HEAD``, plus ``+dirty`` when tracked files changed; None without git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if status.strip() else "")


def run_context(argv: list[str] | None = None) -> dict[str, Any]:
    """What a run's figures depend on beyond its arguments; call it at the start of the run.

    ``argv`` is the list given to the script's ``main`` (None: the process's own command line).
    """
    return {
        "command": list(sys.argv) if argv is None else [sys.argv[0], *argv],
        "git_commit": git_commit(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }


def write_results(name: str, record: dict[str, Any], out: Path = RESULTS) -> Path:
    """Write ``record`` atomically to ``out/<name>-YYYYmmdd-HHMMSS.json``; return the path.

    NaN (an accuracy with nothing to score) and infinities are written as null, numpy numbers as
    plain numbers.
    """
    path = out / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    with atomic_write(path) as handle:
        handle.write(json.dumps(_plain(record), indent=2, allow_nan=False) + "\n")
    return path


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python ones and NaN or infinity as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return _plain(value.tolist())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
