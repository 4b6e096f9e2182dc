"""What a push decides before and between its calls to Label Studio, without a server: the project's
overlap settings, the labels a new config drops, the data manager's first tab, the order and the
chunks tasks go in, and the model version a push shows. ``annotate.push`` makes the calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from annotate.claim_tasks import PROVENANCE_FIELDS
from corpus.errors import UserError

BOOTSTRAP_PREFIX = "bootstrap-"   # models.bootstrap's model versions; a trained model's start "minilm-ft-"
TITLE_LENGTH = (3, 50)   # what Label Studio 1.23 accepts as a project title (PROJECT_TITLE_MIN/MAX_LEN)


def _dropped_labels(old: str, new: str) -> list[str]:
    """Labels of the old config's controls that the new config no longer offers."""
    from label_studio_sdk.label_interface import LabelInterface

    try:
        before, after = LabelInterface(old), LabelInterface(new)
    except Exception:   # an old config the SDK cannot parse: let the server judge the change
        return []
    offered = {control.name: set(control.labels or []) for control in after.controls}
    dropped = []
    for control in before.controls:
        dropped += [label for label in (control.labels or []) if label not in offered.get(control.name, set())]
    return dropped


def overlap_settings(overlap: int) -> dict[str, Any]:
    """Label Studio's settings for ``overlap`` annotators a task: "Annotations per task" (its
    ``maximum_annotations``) applied to every task (``overlap_cohort_percentage`` 100). A task leaves
    the labelling queue once that many people have labelled it, so 2 or more is what gives agreement."""
    if not isinstance(overlap, int) or isinstance(overlap, bool) or overlap < 1:
        raise UserError(f"overlap {overlap!r}: give the number of annotators a task, 1 or more")
    return {"maximum_annotations": overlap, "overlap_cohort_percentage": 100}


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _majority_version(tasks: Iterable[dict[str, Any]]) -> str | None:
    counts = Counter(p["model_version"] for task in tasks for p in task.get("predictions", []))
    return counts.most_common(1)[0][0] if counts else None


# Data manager columns a new project's tab hides: the HTML the labelling view renders (raw markup in
# a table cell), the document's source type (the distant label), and bookkeeping an annotator
# does not need. The tab is ordered by the pre-label's score, least certain first.
HIDDEN_SYSTEM_COLUMNS = ("inner_id", "completed_at", "annotations_results", "annotations_ids", "predictions_results",
                         "file_upload", "storage_filename", "created_at", "updated_at", "updated_by", "draft_exists",
                         "avg_lead_time")


def _certainty(task: dict[str, Any]) -> float:
    """The lowest score among a task's predictions; a task without one comes last."""
    scores = [p["score"] for p in task.get("predictions", []) if isinstance(p.get("score"), (int, float))]
    return min(scores) if scores else float("inf")


def default_view(project_id: int, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The first data manager tab of a new project: least certain first, bookkeeping columns hidden."""
    fields = {k for task in tasks[:50] for k in task["data"]}
    # The claim and title as the view shows them (bidi controls as markers) in place of the stored ones.
    shown = {k.removesuffix("_shown") for k in fields if k.endswith("_shown")}
    hidden = [f"tasks:data.{k}" for k in sorted(fields) if k.endswith(("_html", "_source")) or k in shown or k in
              ("source_line", "source_type", "source_file", "is_claim", *PROVENANCE_FIELDS)] + [f"tasks:{c}" for c in HIDDEN_SYSTEM_COLUMNS]
    return {"project": project_id, "data": {"title": "least certain first", "ordering": ["tasks:predictions_score"],
                                            "hiddenColumns": {"explore": hidden, "labeling": hidden}}}


def is_bootstrap(version: str | None) -> bool:
    """Whether a model version is the bootstrap's (``bootstrap-...``), not a trained model's."""
    return bool(version) and str(version).startswith(BOOTSTRAP_PREFIX)
