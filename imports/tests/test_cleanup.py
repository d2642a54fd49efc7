"""manage.py cleanup_imports: jobs whose worker died, old uploaded files, abandoned drafts."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from imports import pipeline, services
from imports.models import ImportJob
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db

ACCOUNTS = csv_bytes([["Account Name"], ["Alpha"], ["Bravo"], ["Charlie"]])


def cleanup(*args: str) -> str:
    out = io.StringIO()
    call_command("cleanup_imports", *args, stdout=out)
    return out.getvalue()


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


@pytest.fixture
def draft(importer):
    def make(**changes) -> ImportJob:
        [job] = services.import_jobs_create(upload=upload("accounts.csv", ACCOUNTS), entity="account", by=importer)
        ImportJob.objects.filter(pk=job.pk).update(**changes)
        return ImportJob.objects.get(pk=job.pk)

    return make


def test_an_import_whose_worker_died_is_marked_failed_and_its_page_says_so(importer_client, draft):
    job = draft(status=ImportJob.Status.IMPORTING, processed_rows=1, progressed_on=ago(minutes=31))
    assert "Stalled imports marked failed: 1;" in cleanup()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_on is not None
    html = importer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Failed" in html
    assert "The import stopped unexpectedly (no progress for 30 minutes)." in html
    assert "Resume it to import the rest, or remove it with the records it created." in html
    assert reverse("imports:delete", args=[job.pk]) in html
    assert importer_client.get(reverse("imports:status", args=[job.pk])).json()["finished"] is True


@pytest.mark.parametrize("status", [ImportJob.Status.PARSING, ImportJob.Status.IMPORTING])
def test_a_running_import_with_recent_progress_is_left_alone(draft, status):
    job = draft(status=status, progressed_on=ago(minutes=29), created_on=ago(days=2))
    cleanup()
    job.refresh_from_db()
    assert job.status == status and job.error == ""


def test_a_job_from_before_progress_was_recorded_is_judged_by_its_upload_time(draft):
    job = draft(status=ImportJob.Status.PARSING, progressed_on=None, created_on=ago(hours=1))
    cleanup()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED


def test_the_time_without_progress_is_configurable(draft, settings):
    settings.IMPORT_STALLED_AFTER_MINUTES = 5
    job = draft(status=ImportJob.Status.IMPORTING, progressed_on=ago(minutes=6))
    cleanup()
    assert "no progress for 5 minutes" in ImportJob.objects.get(pk=job.pk).error
    other = draft(status=ImportJob.Status.IMPORTING, progressed_on=ago(minutes=6))
    cleanup("--stalled-after-minutes", "10")
    assert ImportJob.objects.get(pk=other.pk).status == ImportJob.Status.IMPORTING


def test_a_worker_that_was_given_up_stops_at_its_next_chunk_and_keeps_the_failure(run_import, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 1)
    recorded = services.record_progress

    def given_up_after_the_first_chunk(job, tally):
        recorded(job, tally)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="Given up.")

    monkeypatch.setattr(services, "record_progress", given_up_after_the_first_chunk)
    job = run_import("accounts.csv", ACCOUNTS)
    assert (job.status, job.error, job.created_count) == (ImportJob.Status.FAILED, "Given up.", 1)
    assert list(Account.objects.values_list("name", flat=True)) == ["Alpha"]


def test_files_of_imports_finished_long_ago_are_deleted_and_the_jobs_kept(run_import, importer_client):
    old = run_import("old.csv", csv_bytes([["Account Name"], ["Old one"], ["Old two"]]))
    recent = run_import("recent.csv", ACCOUNTS)
    ImportJob.objects.filter(pk=old.pk).update(finished_on=ago(days=31))
    old_path, recent_path = old.file.path, recent.file.path
    assert "files of finished imports deleted: 1;" in cleanup()
    old.refresh_from_db()
    assert old.file.name == "" and old.created_count == 2
    assert not _exists(old_path) and _exists(recent_path)
    assert importer_client.get(reverse("imports:detail", args=[old.pk])).status_code == 200
    response = importer_client.post(reverse("imports:delete", args=[old.pk]), {"with_records": "yes"})
    assert response.url == reverse("imports:detail", args=[old.pk])
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Alpha", "Bravo", "Charlie"]


def test_the_file_retention_is_configurable(run_import, settings):
    job = run_import("accounts.csv", ACCOUNTS)
    ImportJob.objects.filter(pk=job.pk).update(finished_on=ago(days=3))
    settings.IMPORT_KEEP_FILES_DAYS = 7
    cleanup()
    assert ImportJob.objects.get(pk=job.pk).file.name != ""
    cleanup("--keep-files-days", "2")
    assert ImportJob.objects.get(pk=job.pk).file.name == ""


def test_running_and_submitted_imports_keep_their_files(draft):
    jobs = [
        draft(status=status, finished_on=ago(days=90), created_on=ago(days=90), progressed_on=timezone.now())
        for status in (ImportJob.Status.SUBMITTED, ImportJob.Status.IMPORTING)
    ]
    cleanup()
    for job in jobs:
        assert _exists(ImportJob.objects.get(pk=job.pk).file.path)


def test_drafts_never_started_are_deleted_with_their_file_after_a_day(draft):
    abandoned, fresh = draft(created_on=ago(hours=25)), draft(created_on=ago(hours=23))
    assert "abandoned drafts deleted: 1;" in cleanup()
    assert not ImportJob.objects.filter(pk=abandoned.pk).exists() and not _exists(abandoned.file.path)
    assert ImportJob.objects.filter(pk=fresh.pk).exists() and _exists(fresh.file.path)


@pytest.mark.parametrize("option", [["--stalled-after-minutes", "0"], ["--keep-files-days", "-1"]])
def test_the_command_refuses_values_that_make_no_sense(option):
    with pytest.raises(CommandError):
        cleanup(*option)


def _exists(path: str) -> bool:
    return Path(path).exists()
