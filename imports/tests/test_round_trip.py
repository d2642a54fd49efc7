"""An exported file imports back with no changes: list exports and the admin's five formats."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports import entities
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, exported_rows

pytestmark = pytest.mark.django_db

ADMIN_FORMATS = {"csv": 0, "tsv": 1, "xlsx": 2, "xls": 3, "ods": 4}


@pytest.fixture
def records(importer):
    parent = AccountFactory(name="Holding", owner=importer)
    contoso = AccountFactory(
        name='Contoso, "The" Company',
        owner=importer,
        parent=parent,
        industry="legal_services",
        credit_limit=Decimal("1500.50"),
        credit_on_hold=True,
        address1_latitude=Decimal("-33.868800"),
        number_of_employees=250,
        description="Line one\nLine two; with = sign",
        telephone1="+61 2 5550 0100",
        website="https://contoso.example",
    )
    AccountFactory(name="=cmd|' /C calc'!A0", owner=importer, account_number="")
    ContactFactory(
        first_name="Zoé",
        last_name="Müller-Lüdenscheidt",
        owner=importer,
        company=contoso,
        role="decision_maker",
        birthday=datetime.date(1980, 4, 23),
        number_of_children=2,
        do_not_phone=True,
        job_title="-VP-",
    )
    ContactFactory(first_name="", last_name="@Solo", owner=importer, emailaddress1="solo@example.com")
    # Matched by its record ID: by email, it would come back as a new contact.
    ContactFactory(first_name="No", last_name="Email", owner=importer, emailaddress1="")


def snapshot(model):
    return list(model.objects.order_by("pk").values())


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_list_export_imports_back_unchanged(importer_client, run_import, records, entity, file_format):
    model = entities.get(entity).model
    before = snapshot(model)
    response = importer_client.get(reverse("imports:export", args=[entity, file_format]) + "?view=active")
    job = run_import(
        f"export.{file_format}", b"".join(response.streaming_content), match_key=entities.get(entity).match_keys[-1]
    )
    assert job.entity == entity
    assert all(job.mapping), job.mapping
    assert job.failed_count == 0, list(job.failures.values_list("reason", flat=True))
    assert job.created_count == job.updated_count == 0
    assert job.skipped_count == len(before)
    assert snapshot(model) == before


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("file_format", sorted(ADMIN_FORMATS))
def test_an_admin_export_imports_back_unchanged_through_import_data(
    client, importer, run_import, records, entity, file_format
):
    info = entities.get(entity)
    importer.is_staff = True
    importer.save()
    client.force_login(grant(importer, f"view_{entity}"))
    model = info.model
    before = snapshot(model)
    selected = {f"{entity}resource_{column.name}": "on" for column in info.columns}
    response = client.post(
        reverse(f"admin:{model._meta.app_label}_{entity}_export"),
        {"resource": 0, "format": ADMIN_FORMATS[file_format], **selected},
    )
    assert response.status_code == 200
    job = run_import(f"export.{file_format}", response.content, match_key=info.match_keys[-1])
    assert job.failed_count == 0, list(job.failures.values_list("reason", flat=True))
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, len(before))
    assert snapshot(model) == before


def test_contacts_round_trip_keeps_the_company_when_two_accounts_share_its_name(importer_client, run_import, importer):
    first = AccountFactory(name="Twin", owner=importer)
    second = AccountFactory(name="Twin", owner=importer)
    ContactFactory(owner=importer, company=first, emailaddress1="a@x.com")
    ContactFactory(owner=importer, company=second, emailaddress1="b@x.com")
    response = importer_client.get(reverse("imports:export", args=["contact", "csv"]))
    job = run_import("export.csv", b"".join(response.streaming_content))
    assert (job.failed_count, job.skipped_count) == (0, 2)
    assert {contact.company for contact in Contact.objects.all()} == {first, second}
    assert Account.objects.count() == 2


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_contacts_without_email_come_back_to_the_same_records_after_an_edit(
    importer_client, run_import, importer, file_format
):
    kept = ContactFactory(first_name="Ana", last_name="Lopez", owner=importer, emailaddress1="")
    edited = ContactFactory(first_name="Bo", last_name="Li", owner=importer, emailaddress1="", job_title="Clerk")
    rows = exported_rows(importer_client, "contact", file_format)
    header, *records = rows
    title = header.index("Job Title")
    for row in records:
        if row[header.index("Last Name")] == "Li":
            row[title] = "Manager"
    job = run_import("export.csv", csv_bytes(rows))
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (0, 1, 1, 0)
    assert Contact.objects.count() == 2
    assert Contact.objects.get(pk=edited.pk).job_title == "Manager"
    assert Contact.objects.get(pk=kept.pk).version == 1
