"""My Activities exports the view the user looks at, streamed, only activities of records they
may read and of the record types they may export, and the export is in the audit."""

from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Kind, State
from audit.models import AuditEntry, Event
from crm.tests.factories import AccountFactory
from imports.tests.conftest import grant


def task(org, subject, *, owner="owner", record=None, **fields):
    record = record or org.contact
    about = {"regarding_contact": record} if record._meta.model_name == "contact" else {"regarding_account": record}
    return Activity.objects.create(
        kind=Kind.TASK, subject=subject, owner=org.users[owner], rollup_account=org.mine, **about, **fields
    )


def exported_rows(client, file_format="csv", **params):
    response = client.get(reverse("activities:export", args=[file_format]), params)
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_my_open_activities_export_the_view_with_their_record_and_dates(org, client):
    due = datetime.datetime(2026, 12, 1, 10, 30, tzinfo=timezone.get_current_timezone())
    task(org, "Send the quote", due_at=due, priority="high")
    task(org, "=HYPERLINK(evil)", record=org.mine)
    task(org, "Done already", state=State.COMPLETED)
    task(org, "Someone else's", owner="teammate")
    client.force_login(grant(org.users["owner"], "export_account", "export_contact"))
    header, *rows = exported_rows(client)
    assert header[:6] == ["Activity type", "Subject", "Description", "Status", "Priority", "Due"]
    assert header[-1] == "(Do Not Modify) Activity ID"
    by_subject = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_subject) == {"Send the quote", "'=HYPERLINK(evil)"}
    quote = by_subject["Send the quote"]
    assert quote["Activity type"] == "Task" and quote["Priority"] == "High" and quote["Due"] == "2026-12-01 10:30"
    assert quote["Regarding contact"] == "Cora Mine" and quote["Regarding account"] == "" and quote["Owner"] == "owner"
    assert by_subject["'=HYPERLINK(evil)"]["Regarding account"] == "Mine Ltd"
    entry = AuditEntry.objects.get(event=Event.EXPORT)
    assert entry.record_type == "activities.activity" and entry.changes == {"rows": [None, 2]}


def test_the_search_and_view_of_the_list_are_exported(org, client):
    task(org, "Call back", state=State.COMPLETED)
    task(org, "Call the bank", state=State.COMPLETED)
    task(org, "Write", state=State.COMPLETED)
    client.force_login(grant(org.users["owner"], "export_account", "export_contact"))
    _header, *rows = exported_rows(client, view="completed", q="call", sort="subject")
    assert [row[1] for row in rows] == ["Call back", "Call the bank"]


def test_excel_is_streamed_too(org, client):
    task(org, "Send the quote")
    client.force_login(grant(org.users["owner"], "export_account", "export_contact"))
    response = client.get(reverse("activities:export", args=["xlsx"]))
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_only_activities_of_the_types_the_user_may_export(org, client):
    task(org, "About the contact")
    task(org, "About the account", record=org.mine)
    client.force_login(grant(org.users["owner"], "export_contact"))
    _header, *rows = exported_rows(client)
    assert [row[1] for row in rows] == ["About the contact"]


def test_without_an_export_permission_there_is_no_button_and_the_address_is_refused(org):
    client = org.client("owner")
    assert "Export to CSV" not in client.get(reverse("activities:list")).content.decode()
    response = client.get(reverse("activities:export", args=["csv"]))
    assert response.status_code == 403
    assert "permission to export accounts or contacts" in response.content.decode()
    assert not AuditEntry.objects.filter(event=Event.EXPORT).exists()


def test_an_activity_of_a_record_the_user_cant_read_is_never_exported(org, client):
    theirs = AccountFactory(name="South Ltd", owner=org.users["other_bu"])
    task(org, "Readable", owner="other_bu", record=theirs)
    task(org, "About Mine Ltd, which they can't read", owner="other_bu", record=org.mine)
    client.force_login(grant(org.users["other_bu"], "export_account", "export_contact"))
    _header, *rows = exported_rows(client)
    assert [row[1] for row in rows] == ["Readable"]
