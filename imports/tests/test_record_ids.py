"""The record ID column of exports: imports match on it first, strictly, and never write it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db

CONTACT_ID = "(Do Not Modify) Contact ID"


def test_a_contact_is_found_by_its_id_even_when_its_email_changes(run_import):
    contact = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="old@x.com")
    rows = [["Last Name", "Email", CONTACT_ID], ["Lopez-Diaz", "new@x.com", f"contact:{contact.pk}"]]
    job = run_import("people.csv", csv_bytes(rows))
    assert (job.created_count, job.updated_count, job.failed_count) == (0, 1, 0)
    contact.refresh_from_db()
    assert (contact.full_name, contact.emailaddress1, contact.version) == ("Ana Lopez-Diaz", "new@x.com", 2)


def test_contacts_without_email_are_updated_by_id_instead_of_duplicated(run_import):
    first = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="")
    second = ContactFactory(first_name="Bo", last_name="Li", emailaddress1="")
    rows = [
        ["First Name", "Last Name", "Email", CONTACT_ID],
        ["Ana", "Lopez", "", f"contact:{first.pk}"],
        ["Bo", "Li-Wong", "", f" Contact : {second.pk} "],
        ["Cy", "New", "", ""],
    ]
    job = run_import("people.csv", csv_bytes(rows))
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (1, 1, 1, 0)
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == ["Ana Lopez", "Bo Li-Wong", "Cy New"]


def test_a_second_row_naming_the_same_record_fails_as_a_duplicate(run_import):
    contact = ContactFactory(last_name="Li", emailaddress1="")
    rows = [["Last Name", CONTACT_ID], ["Li-Wong", f"contact:{contact.pk}"], ["Li-Chen", f"contact:{contact.pk}"]]
    job = run_import("people.csv", csv_bytes(rows))
    assert (job.created_count, job.updated_count, job.failed_count) == (0, 1, 1)
    failure = job.failures.get()
    assert failure.line == 3 and "duplicate of line 2 in this file" in failure.reason
    assert Contact.objects.get().last_name == "Li-Wong"


@pytest.mark.parametrize("duplicates", ["update", "skip"])
def test_an_unknown_foreign_or_malformed_id_fails_its_row_with_the_reason(run_import, duplicates):
    account = AccountFactory(name="Contoso")
    twin = ContactFactory(last_name="Twin", emailaddress1="")
    Contact.objects.filter(pk=twin.pk).update(id=account.pk)  # the same number in both tables
    rows = [
        ["Last Name", CONTACT_ID],
        ["Gone", "contact:999999"],
        ["Wrong type", f"account:{account.pk}"],
        ["Plain number", str(account.pk)],
        ["Other system", "003Dn00000AbCdE"],
    ]
    job = run_import("people.csv", csv_bytes(rows), duplicates=duplicates)
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (0, 0, 0, 4)
    reasons = dict(job.failures.values_list("line", "reason"))
    assert reasons[2] == (
        "(Do Not Modify) Contact ID: no record has the ID “contact:999999”: it may have been deleted. "
        "Leave the cell empty to add the row as a new record."
    )
    for line, value in ((3, f"account:{account.pk}"), (4, str(account.pk)), (5, "003Dn00000AbCdE")):
        assert reasons[line] == (
            f"(Do Not Modify) Contact ID: “{value}” is not a valid ID here: IDs in this column look like "
            "“contact:123”. Leave it empty to add the row as a new record."
        )
    assert Contact.objects.get(pk=account.pk).last_name == "Twin"


def test_an_id_is_never_written_even_when_creating_duplicates(run_import):
    contact = ContactFactory(last_name="Lopez", emailaddress1="")
    job = run_import(
        "p.csv", csv_bytes([["Last Name", CONTACT_ID], ["Copy", f"contact:{contact.pk}"]]), duplicates="create"
    )
    assert job.created_count == 1
    assert Contact.objects.get(pk=contact.pk).last_name == "Lopez"
    assert Contact.objects.exclude(pk=contact.pk).get().last_name == "Copy"


def test_rows_with_and_without_an_id_read_the_matches_with_one_query(run_import):
    contacts = ContactFactory.create_batch(3, emailaddress1="")
    rows = [["Last Name", "Email", CONTACT_ID]]
    rows += [[f"Renamed {n}", "", f"contact:{contact.pk}"] for n, contact in enumerate(contacts)]
    rows += [["By email", "known@x.com", ""]]
    ContactFactory(last_name="Known", emailaddress1="known@x.com")
    with CaptureQueriesContext(connection) as captured:
        job = run_import("p.csv", csv_bytes(rows))
    assert (job.updated_count, job.failed_count) == (4, 0)
    # Duplicate detection's own reads (of the key columns for the new rows, then of the names
    # of the records they duplicate) are not match reads.
    reads = [
        query["sql"]
        for query in captured
        if query["sql"].startswith('SELECT "contacts_contact"."id"')
        and "_key" not in query["sql"]
        and '"full_name" AS "full_name" FROM "contacts_contact" WHERE "contacts_contact"."id" IN' not in query["sql"]
    ]
    assert len(reads) == 1, reads


def test_the_mapping_accepts_an_id_column_in_place_of_the_match_key(importer_client, importer):
    from imports import services

    [job] = services.import_jobs_create(
        upload=upload("p.csv", csv_bytes([["Last Name", CONTACT_ID], ["Li", ""]])), entity="", by=importer
    )
    response = importer_client.post(
        reverse("imports:map", args=[job.pk]),
        {
            "entity": "contact",
            "duplicates": "update",
            "match_key": "emailaddress1",
            "record_owner": importer.pk,
            "col_0": "last_name",
            "col_1": "id",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Contact.objects.get().last_name == "Li"


def test_the_admin_import_matches_on_the_id_and_refuses_an_unknown_one(client, owner):
    contact = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="")
    owner.is_staff = True
    owner.save()
    client.force_login(grant(owner, "view_contact", "add_contact", "change_contact", "import_contact"))
    rows = [["Last Name", CONTACT_ID], ["Lopez-Diaz", f"contact:{contact.pk}"], ["Gone", "contact:999999"]]
    preview = client.post(
        reverse("admin:contacts_contact_import"),
        {"resource": 0, "format": 0, "import_file": upload("p.csv", csv_bytes(rows))},
    )
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["update", "error"]
    assert "no record has the ID “contact:999999”" in preview.content.decode()
    assert not Account.objects.exists() and Contact.objects.count() == 1
