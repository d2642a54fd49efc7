"""Background tasks (Django Tasks API): the worker runs them, tests run them inline."""

from __future__ import annotations

from django_tasks import task

from imports import export_jobs, services


@task()
def run_import(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


@task()
def run_removal(job_id: int) -> None:
    services.import_job_remove_run(job_id=job_id)


@task()
def run_export(job_id: int) -> None:
    export_jobs.export_job_run(job_id=job_id)
