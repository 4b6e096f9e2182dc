"""Run `label-studio` with one speed-up; executed by Label Studio's own interpreter, never imported.

Label Studio 1.23.2 recounts each imported task's annotations and predictions with a Django
``bulk_update`` whose SQL is built as one CASE branch per task (``tasks.functions.
update_tasks_counters``): about two thirds of the time of an import with predictions, pure Python.
This replaces it, before the server starts serving, with the same counts written by one UPDATE with
correlated subqueries. Only for the version it was written against; any other version runs as is.

    <label-studio venv>/bin/python studio_server.py start --no-browser ...   (same arguments)
"""

from __future__ import annotations

import sys

PATCHED_VERSION = "1.23.2"


def _fast_counters() -> None:
    from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
    from django.db.models.functions import Coalesce

    import tasks.functions as functions
    from tasks.models import Annotation, Prediction, Task

    def count(model, **filters):
        rows = (model.objects.filter(task=OuterRef("pk"), **filters).order_by().values("task")
                .annotate(n=Count("id")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    def update_tasks_counters(queryset, from_scratch=True):
        """Same contract as Label Studio's: set the three counters, return how many tasks have any."""
        if isinstance(queryset, (list, tuple, set)):
            ids = [task.id if isinstance(task, Task) else task for task in queryset]
        else:
            ids = queryset.values("id")   # a subquery: no limit on how many tasks
        tasks = Task.objects.filter(id__in=ids)
        if not from_scratch:
            tasks = tasks.exclude(Q(total_annotations__gt=0) | Q(cancelled_annotations__gt=0)
                                  | Q(total_predictions__gt=0))
        tasks.update(total_annotations=count(Annotation, was_cancelled=False),
                     cancelled_annotations=count(Annotation, was_cancelled=True),
                     total_predictions=count(Prediction))
        return tasks.filter(Q(annotations__isnull=False) | Q(predictions__isnull=False)).distinct().count()

    functions.update_tasks_counters = update_tasks_counters
    for name in ("data_import.api", "data_manager.actions.basic"):   # they import the name itself
        module = sys.modules.get(name) or __import__(name, fromlist=["update_tasks_counters"])
        if hasattr(module, "update_tasks_counters"):
            module.update_tasks_counters = update_tasks_counters


def main() -> int:
    import label_studio
    import label_studio.server as server

    if label_studio.__version__ == PATCHED_VERSION:
        serve = server._app_run

        def app_run(host, port):
            _fast_counters()   # Django is set up and migrated by now
            print("claimstance: task counters updated in one statement", flush=True)
            serve(host, port)

        server._app_run = app_run
    sys.argv[0] = "label-studio"
    return server.main()


if __name__ == "__main__":
    sys.exit(main())
