"""Imports leave one entry per record they create or really change, tagged with the job and
user, written set-based: the statements don't grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry, Event, Source
from contacts.models import Contact
from crm.tests.factories import ContactFactory
from imports.tests.files import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Email", "Business Phone", "Role"]


def test_an_import_that_updates_records_lists_only_what_each_row_changed(run_import, importer):
    ana = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com", telephone1="+1 111", role="")
    bo = ContactFactory(first_name="Bo", last_name="Li", emailaddress1="bo@x.com", telephone1="+1 222", role="")
    rows = [
        HEADER,
        ["Ana", "Lopez", "ana@x.com", "+1 999", ""],
        ["Bo", "Li", "bo@x.com", "+1 222", "Decision Maker"],
        ["Cy", "New", "cy@x.com", "+1 333", ""],
    ]
    job = run_import("people.csv", csv_bytes(rows), match_key="emailaddress1")
    assert (job.created_count, job.updated_count) == (1, 2)
    updates = {entry.record_id: entry for entry in AuditEntry.objects.filter(event=Event.UPDATE)}
    assert updates[ana.pk].changes == {"telephone1": ["+1 111", "+1 999"]}
    assert updates[bo.pk].changes == {"role": ["", "decision_maker"]}
    for entry in updates.values():
        assert (entry.source, entry.job_id, entry.user_id, entry.user_name) == (
            Source.IMPORT,
            job.pk,
            importer.pk,
            importer.username,
        )
    [created] = AuditEntry.objects.filter(event=Event.CREATE)
    cy = Contact.objects.get(emailaddress1="cy@x.com")
    assert (created.record_id, created.record_name, created.job_id) == (cy.pk, "Cy New", job.pk)


def test_a_row_that_changes_nothing_leaves_no_entry(run_import):
    ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com", telephone1="+1 111", role="")
    run_import(
        "people.csv", csv_bytes([HEADER, ["Ana", "Lopez", "ana@x.com", "+1 111", ""]]), match_key="emailaddress1"
    )
    assert not AuditEntry.objects.exists()


def audit_statements(run_import, count: int) -> int:
    ContactFactory.create_batch(count, telephone1="+1 000")
    rows = [HEADER] + [[c.first_name, c.last_name, c.emailaddress1, "+1 555", ""] for c in Contact.objects.all()]
    before = AuditEntry.objects.filter(event=Event.UPDATE).count()
    with CaptureQueriesContext(connection) as queries:
        run_import("people.csv", csv_bytes(rows), match_key="emailaddress1")
    assert AuditEntry.objects.filter(event=Event.UPDATE).count() == before + count
    return sum("audit_auditentry" in query["sql"] for query in queries.captured_queries)


def test_the_import_audit_costs_the_same_statements_for_5_rows_or_60(run_import):
    small = audit_statements(run_import, 5)
    Contact.objects.all().delete()
    assert audit_statements(run_import, 60) == small


def test_removing_an_import_with_its_records_records_their_deletion(run_import, importer):
    from imports import services

    job = run_import(
        "people.csv", csv_bytes([HEADER, ["Cy", "New", "cy@x.com", "+1 333", ""]]), match_key="emailaddress1"
    )
    cy = Contact.objects.get(emailaddress1="cy@x.com")
    services.import_job_delete(job=job, with_records=True)
    deleted = AuditEntry.objects.get(event=Event.DELETE)
    assert (deleted.record_id, deleted.record_name, deleted.source, deleted.user) == (
        cy.pk,
        "Cy New",
        Source.IMPORT,
        importer,
    )


def test_an_import_that_renames_a_record_names_it_as_the_import_left_it(run_import):
    ana = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com", telephone1="+1 111", role="")
    run_import(
        "people.csv", csv_bytes([HEADER, ["Anna", "Lopez-Diaz", "ana@x.com", "+1 111", ""]]), match_key="emailaddress1"
    )
    [entry] = AuditEntry.objects.filter(event=Event.UPDATE)
    assert entry.record_name == "Anna Lopez-Diaz"
    assert entry.changes == {"first_name": ["Ana", "Anna"], "last_name": ["Lopez", "Lopez-Diaz"]}
    ana.refresh_from_db()
    assert ana.full_name == "Anna Lopez-Diaz"


def test_an_import_that_keeps_the_name_still_names_the_record(run_import):
    ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com", telephone1="+1 111", role="")
    run_import(
        "people.csv", csv_bytes([["Email", "Business Phone"], ["ana@x.com", "+1 999"]]), match_key="emailaddress1"
    )
    [entry] = AuditEntry.objects.filter(event=Event.UPDATE)
    assert (entry.record_name, entry.changes) == ("Ana Lopez", {"telephone1": ["+1 111", "+1 999"]})


def test_two_imports_of_different_columns_on_one_connection_are_both_audited(run_import):
    ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com", telephone1="+1 111", role="")
    run_import("a.csv", csv_bytes([["Email", "Business Phone"], ["ana@x.com", "+1 999"]]), match_key="emailaddress1")
    run_import(
        "b.csv",
        csv_bytes([HEADER, ["Ana", "Lopez", "ana@x.com", "+1 999", "Decision Maker"]]),
        match_key="emailaddress1",
    )
    changes = [entry.changes for entry in AuditEntry.objects.filter(event=Event.UPDATE).order_by("id")]
    assert changes == [{"telephone1": ["+1 111", "+1 999"]}, {"role": ["", "decision_maker"]}]
