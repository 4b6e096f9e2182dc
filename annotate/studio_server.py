"""Run `label-studio` with two speed-ups; executed by Label Studio's own interpreter, never imported.

Label Studio 1.23.2 recounts each imported task's annotations and predictions with a Django
``bulk_update`` whose SQL is built as one CASE branch per task (``tasks.functions.
update_tasks_counters``): about two thirds of the time of an import with predictions, pure Python.
This replaces it, before the server starts serving, with the same counts written by one UPDATE with
correlated subqueries. A separate addition for `stance pull` (``_fast_export``) removes the snapshot
export's query a task and its repeated feature-flag evaluations, the exported JSON unchanged, and
``_delete_export_files`` has a deleted export take its file along (a pull deletes its snapshot);
``_lean_task_updates`` spares a task's PATCH (a push refreshing tasks in place) the data manager's query
of every column. Only for the version they were written against; any other version runs as is. It
also keeps studio.log free of the start and request lines Label Studio itself writes twice (``_quiet_first_settings``, ``_log_django_once``).

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


def _fast_export() -> None:
    """Snapshot exports (`stance pull`) without per-task overheads; the exported JSON is unchanged.

    Added for `stance pull`, separate from the counters patch. In 1.23.2 the snapshot export
    (``data_export.mixins.ExportMixin.get_export_data``) serialises tasks in batches from
    ``get_task_queryset``, which prefetches annotations, drafts and comment authors but not
    predictions: the serialiser's list of prediction ids then costs one query a task (10,000 tasks:
    10,000 queries). It also evaluates the same two feature flags four times a task (LaunchDarkly
    client, about a tenth of the export's CPU). Here predictions are prefetched, and while an export
    runs in a thread, ``flag_set`` answers repeated questions (same flag, user, default) from memory.
    """
    import threading

    import core.feature_flags as feature_flags
    import fsm.serializer_fields as fsm_fields
    from data_export.mixins import ExportMixin

    task_queryset = ExportMixin.get_task_queryset
    export_data = ExportMixin.get_export_data
    flag_set = feature_flags.flag_set
    exporting = threading.local()

    def get_task_queryset(self, ids, annotation_filter_options):
        return task_queryset(self, ids, annotation_filter_options).prefetch_related("predictions")

    def get_export_data(self, *args, **kwargs):
        exporting.flags = {}
        try:
            yield from export_data(self, *args, **kwargs)
        finally:
            exporting.flags = None

    def remembered_flag_set(feature_flag, user=None, override_system_default=None, organization=None):
        flags = getattr(exporting, "flags", None)
        if flags is None or user == "auto":   # not exporting, or the answer depends on the request
            return flag_set(feature_flag, user, override_system_default, organization)
        key = (feature_flag, user, override_system_default, organization)
        try:
            return flags[key]
        except KeyError:
            flags[key] = value = flag_set(feature_flag, user, override_system_default, organization)
            return value
        except TypeError:   # an unsaved user (no primary key) cannot be a key
            return flag_set(feature_flag, user, override_system_default, organization)

    ExportMixin.get_task_queryset = get_task_queryset
    ExportMixin.get_export_data = get_export_data
    feature_flags.flag_set = remembered_flag_set     # the export serialisers import it at each call
    fsm_fields.flag_set = remembered_flag_set        # the FSM state field imported the name itself


def _lean_task_updates() -> None:
    """A task's data changed (PATCH or PUT /api/tasks/<id>/, as a push refreshing tasks sends) without
    the data manager's query of every column, twice.

    Added for `stance push` updating tasks in place (``annotate.push_refresh``). In 1.23.2 ``TaskAPI``
    fetches the task in ``initial`` and again in ``update`` through ``get_object``, whose queryset
    annotates every data manager column (completed_at, annotators, predictions_results, ...): about
    60% of a PATCH's time, for a response (``TaskSimpleSerializer``: the model's fields, annotations,
    predictions) that reads none of them. Here a PATCH or PUT fetches the task once, with the same
    organisation filter and permission check ``get_object`` applies first; a GET is unchanged.
    """
    from rest_framework import generics
    from tasks.api import TaskAPI
    from tasks.models import Task

    get_object = TaskAPI.get_object

    def lean_get_object(self):
        if self.request.method not in ("PATCH", "PUT"):
            return get_object(self)
        held = getattr(self, "task", None)   # fetched by `initial` for this very request
        if held is not None and str(held.pk) == str(self.kwargs.get("pk")):
            return held
        queryset = (Task.objects.filter(project__organization=self.request.user.active_organization)
                    .select_related("project").prefetch_related("annotations", "predictions"))
        task = generics.get_object_or_404(queryset, pk=self.kwargs.get("pk"))
        self.check_object_permissions(self.request, task)
        return task

    TaskAPI.get_object = lean_get_object


def _delete_export_files() -> None:
    """A deleted export takes its file with it (and its converted formats' files).

    Label Studio 1.23.2 deletes an export's row but keeps its file under ``media/export/`` unless a
    feature flag it fixes off is on (``ff_back_dev_4664_...``, stale): each `stance pull`, which
    deletes its snapshot after the download, left a full copy of the project there (every
    annotation, the annotators' e-mail addresses, the texts).
    """
    from data_export.models import Export

    delete = Export.delete

    def delete_with_files(self, *args, **kwargs):
        files = [self.file] + [c.file for c in self.converted_formats.all()]
        result = delete(self, *args, **kwargs)
        for file in files:
            if file:
                try:
                    file.delete(save=False)
                except OSError:   # gone already: nothing left to remove
                    pass
        return result

    Export.delete = delete_with_files


def _quiet_first_settings() -> None:
    """Keep the start lines of Label Studio's settings once in studio.log.

    Its settings module runs twice: imported as ``label_studio.core.settings.base`` by the argument
    parser, then as ``core.settings.base`` (the name Django is given, through the path Label Studio
    adds) when Django sets up. Each run logs "=> Database and media directory" and "=> Static URL";
    only the second, the settings actually used, is kept. Warnings of the first still show.
    """
    import logging

    logging.getLogger("label_studio.core.settings.base").setLevel(logging.WARNING)


def _log_django_once() -> None:
    """Label Studio's LOGGING gives the ``django`` logger the console handler the root logger has
    too, and lets it propagate: each request line was written twice. Once Django has configured
    logging, it stops propagating when both have handlers (its own handler still writes it)."""
    import logging

    django = logging.getLogger("django")
    if django.handlers and logging.getLogger().handlers:
        django.propagate = False


def _hide_tokens() -> None:
    """Every log record made in this process has the ``token=`` of a URL it holds hidden: an invite
    link's token lets anyone sign up, and the request lines name it. (A record factory, not a
    handler filter: Label Studio configures its handlers more than once.)"""
    import logging
    import re

    secret = re.compile(r"(token(?:=|%3[Dd]|%253[Dd]))[^&%\s\"']+", re.IGNORECASE)   # also in an encoded next=...
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:   # a record whose arguments do not fit its format: logging reports it itself
            return record
        if "token" in message.lower():
            record.msg, record.args = secret.sub(r"\1<hidden>", message), ()
        return record

    logging.setLogRecordFactory(factory)


def main() -> int:
    _hide_tokens()
    _quiet_first_settings()   # before label_studio.server imports the argument parser
    import label_studio
    import label_studio.server as server

    serve = getattr(server, "_app_run", None)   # what `start` calls once Django is set up and migrated
    patched = label_studio.__version__ == PATCHED_VERSION

    def app_run(host, port):
        _log_django_once()   # Django has configured logging by now
        if patched:
            _fast_counters()   # Django is set up and migrated by now
            print("claimstance: task counters updated in one statement", flush=True)
            _fast_export()
            print("claimstance: snapshot exports prefetch predictions and remember feature flags", flush=True)
            _delete_export_files()
            print("claimstance: a deleted export takes its file with it", flush=True)
            _lean_task_updates()
            print("claimstance: a task's data is changed with one lean query", flush=True)
        serve(host, port)

    if serve is not None:
        server._app_run = app_run
    sys.argv[0] = "label-studio"
    return server.main()


if __name__ == "__main__":
    sys.exit(main())
