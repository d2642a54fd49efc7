from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from imports import entities, services
from imports.models import ImportJob
from imports.tests.files import upload


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def grant(user, *codenames: str):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    # Permissions are cached on the user object; a fresh one sees the new ones.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def importer(owner):
    return grant(owner, "import_account", "import_contact", "export_account", "export_contact")


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


@pytest.fixture
def run_import(importer):
    """Upload a file and import it with its automatic mapping; returns the finished job."""

    def run(
        name: str,
        data: bytes,
        *,
        entity: str = "",
        duplicates: str = "update",
        match_key: str = "",
        mapping=None,
        allow_duplicates: bool = True,
    ):
        [job] = services.import_jobs_create(upload=upload(name, data), entity=entity, by=importer)
        info = entities.get(job.entity)
        services.import_job_submit(
            job=job,
            entity=info,
            mapping=mapping if mapping is not None else job.mapping,
            duplicates=duplicates,
            match_key=match_key or info.match_keys[0],
            record_owner=importer,
            allow_duplicates=allow_duplicates,
        )
        return ImportJob.objects.get(pk=job.pk)

    return run
