"""Sign-ins, exports and the retention run are in the audit too; PostgreSQL itself refuses
to change or delete audit rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Event, Source
from crm.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_sign_in_successes_and_failures_are_logged(client):
    user = UserFactory(username="sam")
    client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    client.post(reverse("login"), {"username": "sam", "password": PASSWORD})
    failed, succeeded = AuditEntry.objects.order_by("id")
    assert (failed.event, failed.user, failed.user_name) == (Event.SIGN_IN_FAILED, None, "sam")
    assert (succeeded.event, succeeded.user, succeeded.source) == (Event.SIGN_IN, user, Source.SIGN_IN)


def test_an_export_logs_who_exported_which_view_and_how_many_rows(client, owner):
    from imports.tests.conftest import grant

    exporter = grant(owner, "export_contact")
    ContactFactory.create_batch(3, owner=owner)
    client.force_login(exporter)
    response = client.get(reverse("imports:export", args=["contact", "csv"]), {"view": "active"})
    assert response.status_code == 200
    [entry] = AuditEntry.objects.filter(event=Event.EXPORT)
    assert (entry.user, entry.record_type, entry.changes["rows"]) == (exporter, "contacts.contact", [None, 3])
    assert "view=active" in entry.detail


def test_the_retention_command_removes_old_entries_and_logs_its_run(settings):
    old = AuditEntry.objects.create(
        event=Event.UPDATE, source=Source.FORM, at=timezone.now() - datetime.timedelta(days=40)
    )
    recent = AuditEntry.objects.create(event=Event.UPDATE, source=Source.FORM)
    call_command("audit_retention")  # 0, the default, keeps everything
    assert AuditEntry.objects.count() == 2
    settings.AUDIT_RETENTION_DAYS = 30
    call_command("audit_retention")
    left = AuditEntry.objects.order_by("id")
    assert old not in left and recent in left
    run = left.last()
    assert (run.event, run.source, run.changes) == (
        Event.RETENTION,
        Source.COMMAND,
        {"rows": [None, 1], "days": [None, 30]},
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE audit_auditentry SET detail = 'x'", "DELETE FROM audit_auditentry"])
def test_postgresql_refuses_to_change_or_delete_audit_rows(statement):
    AuditEntry.objects.create(event=Event.UPDATE, source=Source.FORM)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.filter(detail="").count() == 1
