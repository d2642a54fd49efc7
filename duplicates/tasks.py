"""Background tasks of duplicate detection (Django Tasks API): the worker runs them, tests
run them inline."""

from __future__ import annotations

from django_tasks import task

from duplicates import jobs


@task()
def run_detection(job_id: int) -> None:
    jobs.detection_job_run(job_id=job_id)


@task()
def run_merge(job_id: int) -> None:
    jobs.merge_job_run(job_id=job_id)
