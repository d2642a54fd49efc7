"""The worker's duplicate jobs: Detect duplicates over a view or a record type, and merges too
large for a request, and their Undo merge when as large.

A merge moves every row linked to the merged record in one transaction (one UPDATE per
relation, the audit's SELECT and INSERT for audited links, the activities' rollup trigger per
row). Measured in `make bench` (section duplicates, "merge", 5,000 linked rows on PostgreSQL,
machine under load): 0.08-0.17 ms a linked row. MERGE_IN_REQUEST_MAX_ROWS (5,000 by default)
therefore keeps a merge in the request under about a second; anything larger goes to the
worker instead of holding a request (and a gunicorn thread) for seconds or minutes. Counting
the linked rows first costs one COUNT per relation (5-7 ms in the same run). Undo merge moves
back the rows the merge recorded, the same way (one UPDATE per relation, the audit's entries):
past the same limit it goes to the worker too, without counting (the merge recorded them).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import guard
from access.models import Privilege
from crm import lists, registry
from duplicates import scan, services
from duplicates.models import DetectionJob, DuplicateGroup, JobStatus, MergeJob, MergeOperation

logger = logging.getLogger(__name__)
# Groups written per INSERT when a detection job ends.
GROUP_BATCH = 1000
# Rows ticked on a list a detection takes (a list page shows at most a few hundred).
SELECTED_MAX = 1000


# --- Detect duplicates -------------------------------------------------------------------------


def scope_of(*, model: type[Model], params: str, user) -> QuerySet:
    """The records a detection covers: those of the list view `params` describes (its view,
    search and letter) as `user` sees it, or every record of the type they may read."""
    record_type = registry.for_model(model)
    records = record_type.records_for(user)
    if not params:
        return records
    chosen = selected_in(params)
    if chosen:
        return records.filter(pk__in=chosen)
    request = HttpRequest()
    request.user = user
    request.GET = QueryDict(params)
    return lists.ordered_record_set(
        table_class=record_type.list_view.table_class,
        filterset_class=record_type.list_view.filterset_class,
        queryset=records,
        params=request.GET,
        request=request,
    )


def selected_in(params: str) -> list[int]:
    """The record ids a detection over rows ticked on a list covers ("selected=17&selected=4")."""
    return [int(value) for value in QueryDict(params).getlist("selected") if value.isdigit()][:SELECTED_MAX]


def selected_params(ids: list[int]) -> str:
    """A detection's parameters for the rows `ids` (what selected_in reads back)."""
    return urlencode([("selected", pk) for pk in ids[:SELECTED_MAX]])


def scope_label(*, model: type[Model], params: str) -> str:
    """What the user chose, in their words: "My Active Accounts", with the search if any."""
    record_type = registry.for_model(model)
    if not params:
        return _("All active %(records)s") % {"records": model._meta.verbose_name_plural}
    chosen = selected_in(params)
    if chosen:
        name = model._meta.verbose_name if len(chosen) == 1 else model._meta.verbose_name_plural
        return ngettext("%(count)d selected %(name)s", "%(count)d selected %(name)s", len(chosen)) % {
            "count": len(chosen),
            "name": name,
        }
    query = QueryDict(params)
    filterset = record_type.list_view.filterset_class
    label = str(
        record_type.view_labels.get(query.get("view", ""), dict(filterset.VIEW_CHOICES)[filterset.DEFAULT_VIEW])
    )
    search = query.get("q", "").strip()
    letter = query.get("letter", "").strip()
    if search:
        label = _("%(view)s, search “%(search)s”") % {"view": label, "search": search}
    if letter:
        label = _("%(view)s, starting with %(letter)s") % {"view": label, "letter": letter}
    return label[:300]


def detection_job_start(*, model: type[Model], params: str, by) -> DetectionJob:
    job = DetectionJob.objects.create(
        created_by=by,
        record_type=model._meta.label_lower,
        params=params,
        scope_label=scope_label(model=model, params=params),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    from duplicates.tasks import run_detection  # the task module imports this one

    run_detection.enqueue(job.pk)
    return job


def detection_job_run(*, job_id: int) -> None:
    job = DetectionJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    model = apps.get_model(job.record_type)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            scope = scope_of(model=model, params=job.params, user=job.created_by)
            total = scope.filter(status="active").count() * scan.rule_count(model)
            update(job, status=JobStatus.RUNNING, total_rows=total, progressed_on=timezone.now())
            progress = Progress(job)
            groups = scan.duplicate_groups(model, scope, on_progress=progress.add)
            DuplicateGroup.objects.bulk_create(
                (DuplicateGroup(job=job, record_ids=members) for members in groups), batch_size=GROUP_BATCH
            )
    except Exception:
        logger.exception("Duplicate detection %s failed", job.pk)
        finish(job, status=JobStatus.FAILED, error=_("The detection stopped because of an error. Try again."))
        raise
    finish(job, status=JobStatus.COMPLETED, group_count=len(groups), processed_rows=job.total_rows)


class Progress:
    """Writes a job's progress at most once a second (each write is its own short statement)."""

    def __init__(self, job) -> None:
        self.job = job
        self.written_at = timezone.now()

    def add(self, rows: int) -> None:
        self.job.processed_rows += rows
        now = timezone.now()
        if (now - self.written_at).total_seconds() >= 1:
            self.written_at = now
            update(self.job, processed_rows=self.job.processed_rows, progressed_on=now)


def update(job, **changes) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    type(job).objects.filter(pk=job.pk).update(**changes)


def finish(job, *, status: str, error: str = "", **changes) -> None:
    now = timezone.now()
    update(job, status=status, error=error, finished_on=now, progressed_on=now, **changes)


def duplicate_jobs_fail_stalled(*, since) -> int:
    """Detections and merges queued or running with no progress since `since` lost their
    worker: marked failed with what to do (cleanup_imports runs this). A merge that died
    rolled back whole."""
    stalled = Q(progressed_on__lt=since) | Q(progressed_on__isnull=True, created_on__lt=since)
    running = [JobStatus.QUEUED, JobStatus.RUNNING]
    now = timezone.now()
    failed = DetectionJob.objects.filter(stalled, status__in=running).update(
        status=JobStatus.FAILED, error=_("The detection stopped unexpectedly. Start it again."), finished_on=now
    )
    failed += MergeJob.objects.filter(stalled, status__in=running, undo=False).update(
        status=JobStatus.FAILED,
        error=_("The merge stopped unexpectedly; nothing changed. Merge again."),
        finished_on=now,
    )
    return failed + MergeJob.objects.filter(stalled, status__in=running, undo=True).update(
        status=JobStatus.FAILED,
        error=_("Undo merge stopped unexpectedly; nothing changed. Undo the merge again."),
        finished_on=now,
    )


# --- Large merges ------------------------------------------------------------------------------


def linked_rows(record: Model) -> int:
    """How many rows a merge of `record` into another would move: one COUNT per relation."""
    model = type(record)
    count = sum(services.linked_rows_of(field, record.pk).count() for field in services.links_to(model))
    content_type = ContentType.objects.get_for_model(model)
    return count + sum(
        link_model._default_manager.filter(content_type=content_type, object_id=record.pk).count()
        for link_model, _unique in services.GENERIC_LINKS
    )


def needs_worker(other: Model) -> int | None:
    """The number of linked rows when a merge of `other` is too large for a request, else None."""
    rows = linked_rows(other)
    return rows if rows > settings.MERGE_IN_REQUEST_MAX_ROWS else None


def merge_job_start(
    *, master: Model, other: Model, keep_other: set[str], versions: dict[int, int], rows: int, by
) -> MergeJob:
    return queued_merge_job(
        created_by=by,
        record_type=master._meta.label_lower,
        master_id=master.pk,
        other_id=other.pk,
        keep_other=sorted(keep_other),
        versions={str(pk): version for pk, version in versions.items()},
        total_rows=rows,
    )


def undo_rows(operation: MergeOperation) -> int:
    """How many rows Undo merge moves back: those the merge moved (it recorded them)."""
    return sum(len(ids) for ids in operation.moved.values())


def undo_needs_worker(operation: MergeOperation) -> int | None:
    """The number of rows to move back when undoing `operation` is too large for a request."""
    rows = undo_rows(operation)
    return rows if rows > settings.MERGE_IN_REQUEST_MAX_ROWS else None


def undo_job_start(*, operation: MergeOperation, rows: int, by) -> MergeJob:
    return queued_merge_job(
        created_by=by,
        record_type=operation.content_type.model_class()._meta.label_lower,
        master_id=operation.master_id,
        other_id=operation.other_id,
        operation=operation,
        undo=True,
        total_rows=rows,
    )


def queued_merge_job(**fields) -> MergeJob:
    job = MergeJob.objects.create(language=translation.get_language() or settings.LANGUAGE_CODE, **fields)
    from duplicates.tasks import run_merge

    run_merge.enqueue(job.pk)
    return job


def merge_job_run(*, job_id: int) -> None:
    """The merge or its undo, in its one transaction: progress can only say queued, running,
    done."""
    job = MergeJob.objects.select_related("operation").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    model = apps.get_model(job.record_type)
    update(job, status=JobStatus.RUNNING, progressed_on=timezone.now())
    by = get_user_model().objects.filter(pk=job.created_by_id).first()
    with translation.override(job.language or settings.LANGUAGE_CODE):
        records = {record.pk: record for record in model._default_manager.filter(pk__in=[job.master_id, job.other_id])}
        if len(records) != 2 or (job.undo and job.operation is None):
            finish(job, status=JobStatus.FAILED, error=_("One of the records no longer exists."))
            return
        if not all(guard.allows(record, by, Privilege.WRITE) for record in records.values()):
            refusal = (
                _("You may no longer edit both records, so the merge was not undone.")
                if job.undo
                else _("You may no longer edit both records, so they were not merged.")
            )
            finish(job, status=JobStatus.FAILED, error=refusal)
            return
        try:
            if job.undo:
                services.merge_undo(operation=job.operation, by=by)
                operation = job.operation
            else:
                operation = services.records_merge(
                    master=records[job.master_id],
                    other=records[job.other_id],
                    keep_other=set(job.keep_other),
                    versions={int(pk): version for pk, version in job.versions.items()},
                    by=by,
                )
        except services.MergeRefused as refusal:
            finish(job, status=JobStatus.FAILED, error=str(refusal))
            return
        except Exception:
            logger.exception("Merge job %s failed", job.pk)
            error = (
                _("Undo merge stopped because of an error; nothing changed.")
                if job.undo
                else _("The merge stopped because of an error; nothing changed.")
            )
            finish(job, status=JobStatus.FAILED, error=error)
            raise
    finish(job, status=JobStatus.COMPLETED, operation=operation, processed_rows=job.total_rows)
