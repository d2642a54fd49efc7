"""Background tasks (Django Tasks API): the worker runs them, tests run them inline."""

from __future__ import annotations

from django_tasks import task

from imports import services


@task()
def run_import(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
