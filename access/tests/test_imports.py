"""Imports under the access rules: only records one may write are updated, and the owner a
file or the import names must be allowed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from access.models import RolePrivilege, SecurityRole
from access.roles import SALESPERSON
from accounts.models import Account
from imports import entities, services
from imports.forms import entity_choices
from imports.models import ImportJob
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def importing(org):
    """Salespeople may import here (the ready-made role doesn't grant it)."""
    RolePrivilege.objects.filter(role__name=SALESPERSON, privilege="import").delete()
    role = SecurityRole.objects.get(name=SALESPERSON)
    for kind in ("accounts.account", "contacts.contact"):
        RolePrivilege.objects.create(role=role, record_type=kind, privilege="import", depth=1)

    def run(persona: str, rows: list[list], *, owner=None) -> ImportJob:
        user = org.users[persona]
        user.user_permissions.add(*Permission.objects.filter(codename__in=["import_account"]))
        [job] = services.import_jobs_create(upload=upload("a.csv", csv_bytes(rows)), entity="account", by=user)
        services.import_job_submit(
            job=job,
            entity=entities.get("account"),
            mapping=job.mapping,
            duplicates="update",
            match_key="name",
            record_owner=owner or user,
        )
        return ImportJob.objects.get(pk=job.pk)

    return run


def test_an_import_updates_only_the_records_the_importer_may_write(org, importing):
    job = importing("colleague", [["Account Name", "Main Phone"], ["Mine Ltd", "+1 206 555 0100"], ["Fresh Ltd", ""]])
    assert (job.created_count, job.updated_count, job.failed_count) == (1, 0, 1)
    assert "You may not change this record" in job.failures.get().reason
    assert Account.objects.get(pk=org.mine.pk).telephone1 != "+1 206 555 0100"
    fresh = Account.objects.get(name="Fresh Ltd")
    assert fresh.owner == org.users["colleague"] and fresh.business_unit == org.north


def test_an_owner_named_in_the_file_must_be_allowed(org, importing):
    rows = [["Account Name", "Owner"], ["A Ltd", "no_role"], ["B Ltd", "teammate"], ["C Ltd", "owner"]]
    job = importing("owner", rows)
    reasons = sorted(failure.reason for failure in job.failures.all())
    assert "has no security role that lets them read accounts" in reasons[0]
    assert job.created_count == 2  # a Salesperson may assign: to a colleague, and to themself
    assert Account.objects.get(name="B Ltd").business_unit == org.north


def test_a_user_without_the_import_privilege_is_offered_no_record_type(org):
    user = org.users["colleague"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=["import_account", "import_contact"]))
    assert entity_choices(type(user).objects.get(pk=user.pk)) == []


def test_removing_an_import_deletes_only_the_records_the_importer_may_delete(org, importing):
    job = importing("colleague", [["Account Name"], ["Gone Ltd"], ["Given Ltd"]])
    # Given away since to a salesperson of another unit: no longer the importer's to delete.
    Account.objects.filter(name="Given Ltd").update(owner=org.users["other_bu"], business_unit=org.south)
    services.import_job_delete(job=job, with_records=True)
    job.refresh_from_db()
    assert not Account.objects.filter(name="Gone Ltd").exists()
    assert Account.objects.filter(name="Given Ltd").exists()
    assert (job.status, job.removed_count, job.created_count) == (ImportJob.Status.REMOVED, 1, 1)


def test_an_import_links_only_to_records_the_importer_may_read_and_append_to(org, importing):
    rows = [["Account Name", "Parent Account"], ["Far Child", "Far Ltd"], ["Team Child", "Team Ltd"]]
    job = importing("owner", rows)
    assert (job.created_count, job.failed_count) == (1, 1)
    assert "no account has the" in job.failures.get().reason  # Far Ltd is out of reach: as if absent
    assert Account.objects.get(name="Team Child").parent == org.team_account


def test_an_import_changes_a_records_links_only_with_append_on_that_record(org, importing):
    from crm.tests.factories import AccountFactory

    AccountFactory(name="South Ltd", owner=org.users["other_bu"])
    # shared_with may write `mine` (shared read + write) but holds no Append on it.
    rows = [["Account Name", "Main Phone", "Parent Account"], ["Mine Ltd", "+1 206 555 0177", "South Ltd"]]
    job = importing("shared_with", rows)
    assert (job.updated_count, job.failed_count) == (0, 1)
    assert "you may not link this record to other records" in job.failures.get().reason
    job = importing("shared_with", [["Account Name", "Main Phone"], ["Mine Ltd", "+1 206 555 0177"]])
    assert job.updated_count == 1
    org.mine.refresh_from_db()
    assert (org.mine.telephone1, org.mine.parent) == ("+1 206 555 0177", None)
