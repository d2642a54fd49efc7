from __future__ import annotations

from pathlib import Path

import pytest

from imports import entities, services
from imports.models import ImportJob
from imports.tests.conftest import grant, importer_client, media_in_tmp  # noqa: F401 - shared fixtures
from imports.tests.files import upload

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def importer(owner):
    """Who imports contacts and may create the accounts they name."""
    return grant(owner, "import_contact", "export_contact", "add_account")


@pytest.fixture
def upload_file(importer):
    """A draft job for a fixture file (or given bytes), as the upload page makes it."""

    def draft(name: str, data: bytes | None = None) -> ImportJob:
        [job] = services.import_jobs_create(
            upload=upload(name, data if data is not None else fixture_bytes(name)), entity="", by=importer
        )
        return job

    return draft


@pytest.fixture
def import_file(importer, upload_file):
    """Upload and import a file with its recognised mapping; returns the finished job."""

    def run(name: str, data: bytes | None = None, *, create_missing: bool = False, duplicates: str = "update"):
        job = upload_file(name, data)
        info = entities.get(job.entity)
        services.import_job_submit(
            job=job,
            entity=info,
            mapping=job.mapping,
            duplicates=duplicates,
            match_key=info.match_keys[0],
            record_owner=importer,
            create_missing_links=create_missing,
        )
        return ImportJob.objects.get(pk=job.pk)

    return run
