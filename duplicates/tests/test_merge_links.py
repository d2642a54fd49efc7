"""A merge carries activities and writes the audit, and Undo merge puts both back."""

from __future__ import annotations

import pytest

from activities.models import Activity, Attendee, Kind
from audit.models import AuditEntry, Event, Source
from crm.choices import Status
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates import services
from duplicates.tests.helpers import merge

pytestmark = pytest.mark.django_db


def note_about(record, **fields) -> Activity:
    regarding = {"regarding_account": record} if record._meta.model_name == "account" else {"regarding_contact": record}
    rollup = record if record._meta.model_name == "account" else record.company
    # Owned like its record (an activity has exactly one owner, a user or a team).
    fields.setdefault("owner_id", record.owner_id)
    fields.setdefault("owner_team_id", record.owner_team_id)
    return Activity.objects.create(kind=Kind.NOTE, subject="Note", rollup_account=rollup, **regarding, **fields)


def rows_of(activities):
    return {
        a.pk: (a.regarding_account_id, a.regarding_contact_id, a.rollup_account_id)
        for a in Activity.objects.filter(pk__in=[a.pk for a in activities])
    }


def test_a_contacts_activities_land_on_the_survivor_and_its_companys_timeline_and_undo_moves_them_back(owner):
    north, south = AccountFactory(name="North"), AccountFactory(name="South")
    ann = ContactFactory(first_name="Ann", last_name="Lee", company=north)
    dup = ContactFactory(first_name="Ann", last_name="Lee", company=south)
    notes = [note_about(dup), note_about(dup), note_about(ann)]
    meeting = Activity.objects.create(kind=Kind.APPOINTMENT, regarding_account=north, rollup_account=north, owner=owner)
    attendee = Attendee.objects.create(activity=meeting, contact=dup)
    before = rows_of(notes)

    operation = merge(ann, dup, owner)

    assert rows_of(notes) == {note.pk: (None, ann.pk, north.pk) for note in notes}
    assert set(Activity.objects.on_timeline_of(north, owner)) >= set(notes)
    assert not Activity.objects.filter(rollup_account=south).exists()
    attendee.refresh_from_db()
    assert attendee.contact_id == ann.pk

    services.merge_undo(operation=operation, by=owner)

    assert rows_of(notes) == before
    attendee.refresh_from_db()
    assert attendee.contact_id == dup.pk


def test_an_accounts_activities_and_its_contacts_roll_up_to_the_master_and_back(owner):
    master, other = AccountFactory(name="Contoso"), AccountFactory(name="Contoso Ltd")
    person = ContactFactory(company=other)
    on_account, on_person = note_about(other), note_about(person)
    before = rows_of([on_account, on_person])

    operation = merge(master, other, owner)

    assert rows_of([on_account, on_person]) == {
        on_account.pk: (master.pk, None, master.pk),
        on_person.pk: (None, person.pk, master.pk),
    }
    services.merge_undo(operation=operation, by=owner)
    assert rows_of([on_account, on_person]) == before


def test_an_accounts_activities_are_found_through_the_rollup_timeline_index(owner):
    # No index starts with regarding_account; every activity regarding an account rolls up to
    # it, and the timeline index starts with the rollup account.
    account = AccountFactory()
    note = note_about(account)
    note_about(ContactFactory(company=account))  # rolls up to the account, regarding a contact
    rows = services.linked_rows_of(Activity._meta.get_field("regarding_account"), account.pk)
    assert list(rows) == [note]
    assert "rollup_account_id" in str(rows.query)


def test_merge_and_undo_write_audit_entries_on_both_records_in_the_same_transaction(owner):
    ann = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@contoso.com", telephone1="")
    dup = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@old.com", telephone1="+1 555 0101")
    operation = merge(ann, dup, owner, keep_other={"emailaddress1"})

    merged = {entry.record_id: entry for entry in AuditEntry.objects.filter(event=Event.MERGE)}
    assert set(merged) == {ann.pk, dup.pk}
    master_entry = merged[ann.pk]
    assert master_entry.changes == {
        "emailaddress1": ["ann@contoso.com", "ann@old.com"],
        "telephone1": ["", "+1 555 0101"],
    }
    assert (master_entry.user, master_entry.source) == (owner, Source.FORM)
    assert master_entry.detail == f"{dup} → {ann}"
    assert merged[dup.pk].changes["status"] == [Status.ACTIVE, Status.INACTIVE]

    services.merge_undo(operation=operation, by=owner)
    undone = {entry.record_id: entry for entry in AuditEntry.objects.filter(event=Event.UNDO_MERGE)}
    assert set(undone) == {ann.pk, dup.pk}
    assert undone[ann.pk].changes == {
        "emailaddress1": ["ann@old.com", "ann@contoso.com"],
        "telephone1": ["+1 555 0101", ""],
    }


def test_contacts_moved_by_an_account_merge_have_their_company_change_audited(owner):
    master, other = AccountFactory(name="Contoso"), AccountFactory(name="Contoso Ltd")
    person = ContactFactory(company=other)
    operation = merge(master, other, owner)
    moved = AuditEntry.objects.get(event=Event.MERGE, record_type="contacts.contact", record_id=person.pk)
    assert moved.changes == {"company_id": [other.pk, master.pk]}
    services.merge_undo(operation=operation, by=owner)
    back = AuditEntry.objects.get(event=Event.UNDO_MERGE, record_type="contacts.contact", record_id=person.pk)
    assert back.changes == {"company_id": [master.pk, other.pk]}


def test_a_refused_merge_leaves_no_audit_entry(owner):
    a, b = AccountFactory(name="A"), AccountFactory(name="B")
    with pytest.raises(services.MergeRefused):
        services.records_merge(master=a, other=b, keep_other=set(), versions={a.pk: a.version}, by=owner)
    assert not AuditEntry.objects.filter(event=Event.MERGE).exists()
