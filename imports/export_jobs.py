"""Background exports: a list view too large to stream from a request (more than
settings.EXPORT_STREAM_MAX_ROWS rows) is written to a file by the background worker, with
its progress on a page, and kept for its user to download for EXPORT_KEEP_HOURS hours.

The rows are those exports.records_in_view gives for the same view and user, the function a
streamed export uses, so both export exactly what the list shows to that user."""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imports import exports
from imports.entities import Entity
from imports.models import ExportJob

logger = logging.getLogger(__name__)
WRITERS = {"csv": exports.write_csv, "xlsx": exports.write_xlsx}
PROGRESS_SECONDS = 1.0


def export_job_start(*, entity: Entity, file_format: str, params: QueryDict, by) -> ExportJob:
    job = ExportJob.objects.create(
        created_by=by,
        entity=entity.key,
        file_format=file_format,
        params=params.urlencode(),
        language=translation.get_language() or "",
        file_name=exports.file_name(entity, file_format),
    )
    from imports.tasks import run_export  # the task module imports this one

    run_export.enqueue(job.pk)
    return job


def view_request(job: ExportJob) -> HttpRequest:
    """The list request the export was asked from, as far as choosing its rows goes: the
    user and the list's parameters."""
    request = HttpRequest()
    request.user = get_user_model().objects.get(pk=job.created_by_id)
    request.GET = QueryDict(job.params)
    return request


def export_job_run(*, job_id: int) -> None:
    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return
    entity = job.entity_info
    relative = f"exports/{job.pk}-{uuid.uuid4().hex}.{job.file_format}"
    path = Path(settings.MEDIA_ROOT) / relative
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            records = exports.records_in_view(entity=entity, request=view_request(job))
            update(job, status=ExportJob.Status.RUNNING, total_rows=records.count(), progressed_on=timezone.now())
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as output, ProgressWriter(job.pk) as progress:
                WRITERS[job.file_format](output, entity=entity, records=records, progress=progress.add)
    except Exception:
        logger.exception("Export %s failed", job.pk)
        path.unlink(missing_ok=True)
        finish(job, status=ExportJob.Status.FAILED, error=_("The export stopped because of an error. Try again."))
        raise
    job.file.name = relative
    finish(job, status=ExportJob.Status.COMPLETED, file=relative)


class ProgressWriter(threading.Thread):
    """Writes a running export's row count, at most every PROGRESS_SECONDS, from a database
    connection of its own: the export's connection is busy with COPY, which takes no other
    statement until it ends. The final count is written with the job's end (finish)."""

    def __init__(self, job_id: int):
        super().__init__(name=f"export-{job_id}-progress", daemon=True)
        self.job_id = job_id
        self.rows = self.written = 0
        self.stopped = threading.Event()

    def add(self, rows: int) -> None:
        self.rows += rows

    def run(self) -> None:
        try:
            while not self.stopped.wait(PROGRESS_SECONDS):
                if self.rows != self.written:
                    self.written = self.rows
                    changes = {"processed_rows": self.written, "progressed_on": timezone.now()}
                    ExportJob.objects.filter(pk=self.job_id).update(**changes)
        except DatabaseError:
            logger.warning("Progress of export %s could not be written", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> ProgressWriter:
        self.start()
        return self

    def __exit__(self, *exception) -> None:
        self.stopped.set()
        self.join()


def update(job: ExportJob, **changes) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(**changes)


def finish(job: ExportJob, *, status: str, error: str = "", file: str = "") -> None:
    now = timezone.now()
    changes = {"status": status, "error": error, "finished_on": now, "progressed_on": now}
    if status == ExportJob.Status.COMPLETED:
        changes.update(
            file=file,
            processed_rows=job.total_rows,
            expires_on=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )
    update(job, **changes)


def export_jobs_cleanup(*, now: datetime.datetime, stalled_after: datetime.timedelta) -> tuple[int, int]:
    """Delete the exports kept past their time, with their files, and fail those whose worker
    died; returns (deleted, failed)."""
    expired = list(ExportJob.objects.expired(now=now))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    failed = ExportJob.objects.stalled(since=now - stalled_after).update(
        status=ExportJob.Status.FAILED,
        error=_("The export stopped unexpectedly. Export the list again."),
        finished_on=now,
        expires_on=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    return len(expired), failed
