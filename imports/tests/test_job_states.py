"""Honest job states after a crash, Resume, removal on the worker, ANALYZE after large jobs
(issue 20)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import Account
from health.models import WorkerHeartbeat
from imports import services
from imports.models import ImportJob
from imports.tests.crashes import on_dead_worker, run_until_killed
from imports.tests.files import csv_bytes


def accounts_csv(count: int) -> bytes:
    return csv_bytes([["Account Name"], *[[f"Account {number:05d}"] for number in range(count)]])


@pytest.fixture
def killed_import(run_import, monkeypatch):
    """An import of 250 accounts whose worker died in its third chunk of 100."""
    job = run_until_killed(
        monkeypatch,
        lambda: run_import("accounts.csv", accounts_csv(250), entity="account"),
        chunk_size=100,
        dies_in_chunk=3,
    )
    on_dead_worker(job)
    job.refresh_from_db()
    return job


def test_a_killed_workers_job_is_shown_stopped_at_the_right_count_without_waiting_for_cron(
    importer_client, killed_import
):
    job = killed_import
    assert job.status == ImportJob.Status.IMPORTING
    html = importer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "its background worker is no longer running" in html
    assert 'value="80"' in html and '200</span> / <span data-job-field="total">250' in html
    status = importer_client.get(reverse("imports:status", args=[job.pk])).json()
    assert (status["percent"], status["processed"], status["total"]) == (80, 200, 250)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    # The data up to the last committed chunk is consistent.
    ids = set(Account.objects.values_list("pk", flat=True))
    assert len(ids) == job.created_count == 200
    assert ids == {pk for first, last in job.created_ids for pk in range(first, last + 1)}


def test_a_job_whose_worker_still_beats_is_left_running(importer_client, killed_import):
    WorkerHeartbeat.objects.update(beat_on=timezone.now())
    importer_client.get(reverse("imports:detail", args=[killed_import.pk]))
    killed_import.refresh_from_db()
    assert killed_import.status == ImportJob.Status.IMPORTING


def test_a_job_of_a_worker_without_heartbeat_waits_for_cleanup_which_closes_its_task(importer_client, killed_import):
    WorkerHeartbeat.objects.all().delete()
    importer_client.get(reverse("imports:detail", args=[killed_import.pk]))
    assert ImportJob.objects.get().status == ImportJob.Status.IMPORTING
    ImportJob.objects.update(progressed_on=timezone.now() - datetime.timedelta(minutes=31))
    call_command("cleanup_imports", stdout=io.StringIO())
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.percent == 80
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


def test_resume_continues_after_the_last_committed_chunk_to_completion(importer_client, killed_import):
    importer_client.get(reverse("imports:detail", args=[killed_import.pk]))
    html = importer_client.get(reverse("imports:detail", args=[killed_import.pk])).content.decode()
    assert "Resume" in html
    response = importer_client.post(reverse("imports:resume", args=[killed_import.pk]))
    assert response.url == reverse("imports:detail", args=[killed_import.pk])
    job = ImportJob.objects.get()
    assert (job.status, job.processed_rows, job.created_count, job.failed_count) == ("completed", 250, 250, 0)
    names = list(Account.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)) == 250
    assert job.task_id and job.task_id != str(DBTaskResult.objects.get().id)


def test_only_an_import_that_stopped_part_way_can_be_resumed(importer_client, run_import):
    job = run_import("accounts.csv", accounts_csv(3), entity="account")
    response = importer_client.post(reverse("imports:resume", args=[job.pk]), follow=True)
    assert "Only an import that stopped part-way" in response.content.decode()
    assert importer_client.get(reverse("imports:resume", args=[job.pk])).status_code == 405


def test_removal_deletes_in_chunks_with_progress_and_reports_when_done(importer_client, run_import, monkeypatch):
    monkeypatch.setattr(services, "REMOVAL_CHUNK", 10)
    job = run_import("accounts.csv", accounts_csv(35), entity="account")
    Account.objects.create(name="Not imported", owner=job.created_by)
    steps = []
    step = services.step
    monkeypatch.setattr(services, "step", lambda job, **changes: steps.append(changes) or step(job, **changes))
    with CaptureQueriesContext(connection) as queries:
        response = importer_client.post(reverse("imports:delete", args=[job.pk]), {"with_records": "yes"})
    deletes = [query for query in queries if query["sql"].startswith("DELETE") and "account" in query["sql"]]
    assert len(deletes) >= 4 and len(steps) == 4
    assert list(Account.objects.values_list("name", flat=True)) == ["Not imported"]
    html = importer_client.get(response.url).content.decode()
    assert "The import was removed, with 35 records it created." in html
    assert "Removed" in html


def test_a_removal_whose_worker_died_says_so_and_removing_again_finishes_it(importer_client, run_import, monkeypatch):
    job = run_import("accounts.csv", accounts_csv(5), entity="account")
    # The worker takes the removal and dies before its first chunk.
    monkeypatch.setattr(services, "enqueue", lambda job, task_name: job)
    importer_client.post(reverse("imports:delete", args=[job.pk]), {"with_records": "yes"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REMOVING
    on_dead_worker(job, "worker-2")
    html = importer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "The removal stopped unexpectedly" in html
    monkeypatch.undo()
    importer_client.post(reverse("imports:delete", args=[job.pk]), {"with_records": "yes"})
    assert not Account.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.REMOVED


@pytest.mark.parametrize(("threshold", "analyzed"), [(3, True), (4, False)])
def test_a_job_that_wrote_many_rows_analyzes_the_table_before_it_reports_done(
    run_import, settings, threshold, analyzed
):
    settings.IMPORT_ANALYZE_AFTER_ROWS = threshold
    with CaptureQueriesContext(connection) as queries:
        job = run_import("accounts.csv", accounts_csv(3), entity="account")
    assert any(query["sql"].startswith("ANALYZE") for query in queries) is analyzed
    with CaptureQueriesContext(connection) as queries:
        services.import_job_delete(job=job, with_records=True)
    assert any(query["sql"].startswith("ANALYZE") for query in queries) is analyzed
