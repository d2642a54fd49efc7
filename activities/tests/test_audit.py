"""Every write of an activity is in the audit: who, how and what changed."""

from __future__ import annotations

import pytest
from django.http import Http404

from activities import services
from activities.models import Activity, Kind, State
from audit.models import AuditEntry, Event, Source


@pytest.fixture
def task(org):
    return services.activity_create(
        activity=Activity(kind=Kind.TASK, subject="Send the price list"),
        regarding=org.contact,
        by=org.users["owner"],
    )


def entries_of(activity_id: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(record_type="activities.activity", record_id=activity_id).order_by("pk"))


def test_adding_an_activity_records_who_added_it_and_what_it_says(org, task):
    (created,) = entries_of(task.pk)
    assert (created.event, created.source, created.user) == (Event.CREATE, Source.FORM, org.users["owner"])
    assert created.changes["subject"] == [None, "Send the price list"]
    assert created.record_name == str(task)


def test_completing_reopening_assigning_and_deleting_are_recorded(org, task):
    owner, pk = org.users["owner"], task.pk
    services.activity_complete(activity=task, by=owner)
    services.activity_reopen(activity=task, by=owner)
    services.activity_assign(activity=task, by=owner, user=org.users["teammate"])
    services.activity_delete(activity=task, by=owner, source=Source.BULK)
    events = [(entry.event, entry.source) for entry in entries_of(pk)]
    assert events == [
        (Event.CREATE, Source.FORM),
        (Event.UPDATE, Source.FORM),
        (Event.UPDATE, Source.FORM),
        (Event.ASSIGN, Source.FORM),
        (Event.DELETE, Source.BULK),
    ]
    completed = entries_of(pk)[1]
    assert completed.changes["state"] == [State.OPEN, State.COMPLETED]
    assigned = entries_of(pk)[3]
    assert assigned.changes["owner_id"] == [owner.pk, org.users["teammate"].pk]


def test_a_bulk_completion_from_my_activities_is_recorded_as_a_bulk_action(org, task):
    response = org.client("owner").post("/activities/bulk/", {"action": "complete", "selected": [task.pk]})
    assert response.status_code == 302
    assert (entries_of(task.pk)[-1].event, entries_of(task.pk)[-1].source) == (Event.UPDATE, Source.BULK)


def test_a_refused_change_writes_nothing(org, task):
    with pytest.raises(Http404):
        services.activity_complete(activity=task, by=org.users["other_bu"])
    assert len(entries_of(task.pk)) == 1


def test_an_administrator_reads_activity_entries_in_the_audit_summary(org, task):
    page = org.client("admin").get("/audit/")
    assert page.status_code == 200
    assert "Send the price list" in page.content.decode()
