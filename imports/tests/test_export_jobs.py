"""Exports never hold a request: a view up to EXPORT_STREAM_MAX_ROWS streams as it is
produced; a larger one is prepared by the background worker, for its user alone."""

from __future__ import annotations

import csv
import datetime
import io
import time
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.tests.factories import AccountFactory, UserFactory
from imports import export_jobs, export_sql, exports
from imports.models import ExportJob
from imports.tests.conftest import grant

pytestmark = pytest.mark.django_db
QUERY = "?view=my_active&sort=-name"


def export_url(file_format: str = "csv") -> str:
    return reverse("imports:export", args=["account", file_format]) + QUERY


@pytest.fixture
def five_accounts(importer):
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        AccountFactory(name=name, owner=importer)
    AccountFactory(name="Not mine")


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_small_view_streams_its_header_before_any_row_is_read(importer_client, five_accounts):
    response = importer_client.get(export_url())
    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.decode("utf-8-sig").startswith("Account Name,Account Number")
    assert not [query for query in queries if "accounts_account" in query["sql"]]
    rows = csv_rows(first + b"".join(chunks))
    assert [row[0] for row in rows[1:]] == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]


def test_a_view_over_the_limit_is_offered_in_the_background_and_changes_nothing_on_get(
    importer_client, five_accounts, settings
):
    settings.EXPORT_STREAM_MAX_ROWS = 4
    response = importer_client.get(export_url("xlsx"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "more than 4 records" in html and "Prepare the Excel file" in html
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_background_export_gives_the_file_the_stream_gives(
    importer_client, importer, five_accounts, settings, file_format
):
    streamed = b"".join(importer_client.get(export_url(file_format)).streaming_content)
    settings.EXPORT_STREAM_MAX_ROWS = 4
    response = importer_client.post(export_url(file_format))
    job = ExportJob.objects.get()
    assert response.url == reverse("imports:export_job", args=[job.pk])
    # The test settings run tasks inline: the job is done.
    assert (job.status, job.total_rows, job.processed_rows, job.created_by) == ("completed", 5, 5, importer)
    assert job.expires_on > timezone.now() + datetime.timedelta(hours=23)
    page = importer_client.get(response.url).content.decode()
    assert "Ready to download" in page and f"Download {job.file_name}" in page
    download = importer_client.get(reverse("imports:export_job_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)
    if file_format == "csv":
        assert content == streamed
    else:
        sheets = [openpyxl.load_workbook(io.BytesIO(data), read_only=True).active for data in (content, streamed)]
        assert [list(sheet.values) for sheet in sheets[:1]] == [list(sheet.values) for sheet in sheets[1:]]


def test_the_status_follows_the_progress(importer_client, five_accounts, settings):
    settings.EXPORT_STREAM_MAX_ROWS = 4
    importer_client.post(export_url())
    job = ExportJob.objects.get()
    status = importer_client.get(reverse("imports:export_job_status", args=[job.pk])).json()
    assert status == {
        "status": "completed",
        "status_label": "Ready to download",
        "finished": True,
        "percent": 100,
        "total": 5,
        "processed": 5,
    }


def test_an_export_is_for_the_user_who_asked_alone(importer_client, client, five_accounts, settings):
    settings.EXPORT_STREAM_MAX_ROWS = 4
    importer_client.post(export_url())
    job = ExportJob.objects.get()
    for other in (UserFactory(), UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(grant(other, "export_account"))
        for name in ("export_job", "export_job_status", "export_job_download"):
            assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404


def test_starting_a_background_export_needs_the_export_permission(owner_client, settings):
    settings.EXPORT_STREAM_MAX_ROWS = 1
    assert owner_client.post(export_url()).status_code == 403
    assert not ExportJob.objects.exists()


def test_cleanup_deletes_expired_exports_with_their_file_and_fails_stalled_ones(
    importer_client, importer, five_accounts, settings
):
    settings.EXPORT_STREAM_MAX_ROWS = 4
    importer_client.post(export_url())
    done = ExportJob.objects.get()
    path = Path(done.file.path)
    assert path.exists()
    stalled = ExportJob.objects.create(created_by=importer, entity="account", file_format="csv", file_name="x.csv")
    long_ago = timezone.now() - datetime.timedelta(days=2)
    ExportJob.objects.filter(pk=stalled.pk).update(created_on=long_ago)
    ExportJob.objects.filter(pk=done.pk).update(expires_on=timezone.now() - datetime.timedelta(minutes=1))
    assert importer_client.get(reverse("imports:export_job_download", args=[done.pk])).status_code == 404
    out = io.StringIO()
    call_command("cleanup_imports", stdout=out)
    assert "Expired exports deleted: 1; stalled exports marked failed: 1." in out.getvalue()
    assert not path.exists() and not ExportJob.objects.filter(pk=done.pk).exists()
    stalled.refresh_from_db()
    assert stalled.status == "failed"
    page = importer_client.get(reverse("imports:export_job", args=[stalled.pk])).content.decode()
    assert "The export stopped unexpectedly. Export the list again." in page
    assert "Download" not in page


def test_progress_during_copy_does_not_touch_the_exports_connection(
    importer_client, five_accounts, settings, monkeypatch
):
    """COPY takes no other statement on its connection until it ends: progress counted
    between its batches must be written elsewhere (it once failed the export on PostgreSQL)."""
    monkeypatch.setattr(export_sql, "ROWS_PER_BATCH", 2)
    monkeypatch.setattr(exports, "ROWS_PER_QUERY", 2)
    settings.EXPORT_STREAM_MAX_ROWS = 4
    importer_client.post(export_url("xlsx"))
    assert ExportJob.objects.get().status == "completed"


@pytest.mark.django_db(transaction=True)
def test_the_progress_of_a_running_export_is_written_while_it_runs(importer, monkeypatch):
    monkeypatch.setattr(export_jobs, "PROGRESS_SECONDS", 0.01)
    job = ExportJob.objects.create(created_by=importer, entity="account", file_format="csv", file_name="x.csv")
    with export_jobs.ProgressWriter(job.pk) as progress:
        progress.add(2000)
        progress.add(1500)
        for _ in range(200):
            if ExportJob.objects.get(pk=job.pk).processed_rows == 3500:
                break
            time.sleep(0.01)
    assert ExportJob.objects.get(pk=job.pk).processed_rows == 3500
