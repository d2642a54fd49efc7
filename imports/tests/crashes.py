"""A worker that dies in the middle of an import, for the tests and journeys of issue 20."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from health.models import WorkerHeartbeat
from imports import pipeline, services
from imports.models import ImportJob


class WorkerKilled(BaseException):
    """Stands for the worker process dying: nothing in the job catches it."""


def run_until_killed(monkeypatch, start_import, *, chunk_size: int, dies_in_chunk: int) -> ImportJob:
    """Run `start_import()` (it submits one job) with chunks of `chunk_size` rows; the worker
    dies inside chunk `dies_in_chunk`, whose transaction rolls back, as a killed process's does."""
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", chunk_size)
    record = services.record_progress
    seen = []

    def die(job, tally):
        seen.append(tally)
        if len(seen) == dies_in_chunk:
            raise WorkerKilled
        record(job, tally)

    monkeypatch.setattr(services, "record_progress", die)
    # The test task backend keeps the exception as the task's outcome, as if the worker died.
    start_import()
    monkeypatch.setattr(services, "record_progress", record)
    return ImportJob.objects.latest("pk")


def running_task(worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="imports.tasks.run_import",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        worker_ids=[worker_id],
        exception_class_path="",
        traceback="",
    )


def on_dead_worker(job: ImportJob, worker_id: str = "worker-1") -> DBTaskResult:
    """Give the job the task row of a worker whose heartbeat stopped five minutes ago."""
    task = running_task(worker_id)
    WorkerHeartbeat.objects.create(worker_id=worker_id, beat_on=timezone.now() - datetime.timedelta(minutes=5))
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(task.id))
    return task
