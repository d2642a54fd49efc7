"""`manage.py bench_removal --rows 400000`: import N accounts as Import Data does, then remove
them with "Remove import and the records it created" as the background worker runs it, and
print the time, the rows per second and the worker's memory (issue 20). Writes to the
configured database: a user `bench-removal` and accounts named "Removal NNNNNN", all gone
at the end (the job too)."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from accounts.models import Account
from imports import entities, services
from imports.models import ImportJob


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Command(BaseCommand):
    help = "Import N accounts, then remove them with their import as the worker does; print time and memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=400_000)

    def handle(self, *args, rows: int, **options):
        user, _created = get_user_model().objects.get_or_create(username="bench-removal")
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["Account Name", "Address 1: City"])
        writer.writerows([f"Removal {number:06d}", "Lyon"] for number in range(rows))
        upload = SimpleUploadedFile("removal.csv", text.getvalue().encode())
        del text
        [job] = services.import_jobs_create(upload=upload, entity="account", by=user)
        services.import_job_submit(
            job=job,
            entity=entities.get("account"),
            mapping=job.mapping,
            duplicates="create",
            match_key="name",
            record_owner=user,
        )
        started = time.perf_counter()
        services.import_job_run(job_id=job.pk)  # what the worker runs
        imported = time.perf_counter() - started
        job.refresh_from_db()
        self.stdout.write(f"imported {job.created_count:,} rows in {imported:.1f} s ({job.status})")

        before = resident_mb()
        services.import_job_delete(job=job, with_records=True)  # what the page's Remove does
        highest = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                highest.append(resident_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        services.import_job_remove_run(job_id=job.pk)  # what the worker runs
        removed = time.perf_counter() - started
        done.set()
        sampler.join()
        job.refresh_from_db()
        left = Account.objects.filter(name__startswith="Removal ", owner=user).count()
        self.stdout.write(
            f"removed {job.removed_count:,} records in {removed:.1f} s ({job.removed_count / removed:,.0f} rows/s), "
            f"status {job.status}, {left} left; worker memory {before:.0f} MB before, at most {max(highest):.0f} MB "
            f"during the removal, {resident_mb():.0f} MB after"
        )
        DBTaskResult.objects.filter(id__in=services.database_task_ids([job.task_id])).delete()
        DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).delete()
        ImportJob.objects.filter(pk=job.pk).delete()
