"""The Audit History of a record (for those who may read it) and the Audit Summary (admins)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import ShareRight
from access.services import record_share, record_unshare, records_assign, shares_of
from audit.models import AuditEntry, Event, Source
from audit.presenters import PAGE_SIZE
from contacts.models import Contact
from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def history_url(record) -> str:
    return reverse("audit:history", args=[record._meta.label_lower, record.pk])


def entry(record, **values) -> AuditEntry:
    values = {"event": Event.UPDATE, "source": Source.FORM, **values}
    return AuditEntry.objects.create(
        record_type=record._meta.label_lower, record_id=record.pk, record_name=str(record), **values
    )


def test_the_history_shows_values_the_way_users_read_them(org):
    contoso = AccountFactory(name="Contoso", owner=org.users["owner"])
    entry(org.contact, changes={"role": ["", "decision_maker"], "company_id": [org.mine.pk, contoso.pk]})
    page = org.client("owner").get(history_url(org.contact)).content.decode()
    assert "Decision Maker" in page and "decision_maker" not in page
    assert "Mine Ltd" in page and "Contoso" in page


def test_only_those_who_may_read_the_record_read_its_history(org):
    entry(org.contact, changes={"telephone1": ["1", "2"]})
    assert org.client("owner").get(history_url(org.contact)).status_code == 200
    assert org.client("manager").get(history_url(org.contact)).status_code == 200
    assert org.client("other_bu").get(history_url(org.contact)).status_code == 404
    assert org.client("no_role").get(history_url(org.contact)).status_code == 404
    assert org.client("owner").get(reverse("audit:history", args=["auth.user", 1])).status_code == 404


def test_the_detail_page_links_to_its_audit_history(org):
    page = org.client("owner").get(org.contact.get_absolute_url()).content.decode()
    assert history_url(org.contact) in page


def test_the_history_filters_by_field_and_by_user(org):
    owner, teammate = org.users["owner"], org.users["teammate"]
    entry(org.contact, user=owner, user_name="owner", changes={"telephone1": ["1", "2"]})
    entry(org.contact, user=teammate, user_name="teammate", changes={"job_title": ["", "Boss"]})
    client = org.client("owner")
    by_field = client.get(history_url(org.contact), {"field": "job_title"}).context["rows"]
    assert [row["entry"].changes for row in by_field] == [{"job_title": ["", "Boss"]}]
    by_user = client.get(history_url(org.contact), {"user": owner.pk}).context["rows"]
    assert [row["entry"].user for row in by_user] == [owner]
    odd = client.get(history_url(org.contact), {"field": "nonsense", "user": "x", "after": "garbage"})
    assert odd.status_code == 200


def test_the_history_pages_by_keyset_newest_first(org):
    start = timezone.now()
    for minute in range(PAGE_SIZE + 5):
        entry(org.contact, at=start + datetime.timedelta(minutes=minute), changes={"telephone1": [str(minute), "x"]})
    client = org.client("owner")
    first = client.get(history_url(org.contact))
    rows = first.context["rows"]
    assert len(rows) == PAGE_SIZE and rows[0]["entry"].changes["telephone1"][0] == str(PAGE_SIZE + 4)
    second = client.get(history_url(org.contact), {"after": first.context["next_cursor"]})
    assert [row["entry"].changes["telephone1"][0] for row in second.context["rows"]] == ["4", "3", "2", "1", "0"]
    assert second.context["next_cursor"] == ""


def test_assign_and_share_appear_with_names_and_rights(org):
    owner, colleague = org.users["owner"], org.users["colleague"]
    records_assign(records=Contact.objects.filter(pk=org.contact.pk), to=colleague, by=owner)
    record_share(record=org.contact, principal=org.users["teammate"], rights=ShareRight.READ, by=colleague)
    record_unshare(record=org.contact, share_id=shares_of(org.contact).get().pk, by=colleague)
    events = list(AuditEntry.objects.of_record("contacts.contact", org.contact.pk).order_by("id"))
    assert [e.event for e in events] == [Event.ASSIGN, Event.SHARE, Event.UNSHARE]
    assert events[0].changes == {"owner_id": [owner.pk, colleague.pk]}
    assert events[1].detail == str(org.users["teammate"]) and events[1].user == colleague
    page = org.client("admin").get(history_url(org.contact)).content.decode()
    assert "Colleague" in page and "Owner" in page and "Read" in page


def test_the_summary_is_for_administrators_and_filters_and_exports(org):
    entry(org.contact, user=org.users["owner"], user_name="owner", changes={"telephone1": ["+1", "=2+3"]})
    entry(org.mine, event=Event.DELETE)
    assert org.client("manager").get(reverse("audit:summary")).status_code == 403
    assert org.client("manager").get(reverse("audit:summary_export")).status_code == 403
    admin = org.client("admin")
    assert admin.get(reverse("audit:summary")).status_code == 200
    filtered = admin.get(reverse("audit:summary"), {"record_type": "contacts.contact", "event": "update"})
    assert [row["entry"].record_id for row in filtered.context["rows"]] == [org.contact.pk]
    today = timezone.localdate().isoformat()
    assert len(admin.get(reverse("audit:summary"), {"start": today, "end": today}).context["rows"]) >= 2
    assert admin.get(reverse("audit:summary"), {"start": "not a date"}).status_code == 200
    export = admin.get(reverse("audit:summary_export"), {"event": "update"})
    text = b"".join(export.streaming_content).decode()
    assert "Business Phone" in text and "'=2+3" in text and "Mine Ltd" not in text


def test_audit_entries_cant_be_changed_or_deleted_by_the_app_or_the_admin(org):
    from audit.models import AppendOnly

    one = entry(org.contact)
    with pytest.raises(AppendOnly):
        one.save()
    with pytest.raises(AppendOnly):
        one.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=one.pk).update(detail="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=one.pk).delete()
    org.users["admin"].is_staff = True
    org.users["admin"].save()
    admin = org.client("admin")
    assert admin.get(reverse("admin:audit_auditentry_change", args=[one.pk])).status_code == 200
    assert admin.post(reverse("admin:audit_auditentry_delete", args=[one.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=one.pk).exists()


def test_the_rows_span_an_events_changes_escape_what_people_typed_and_link_to_live_records(org):
    entry(
        org.contact,
        user_name="<b>owner</b>",
        job_id=7,
        changes={"telephone1": ["+1", "<script>x</script>"], "role": ["", "decision_maker"]},
    )
    AuditEntry.objects.create(
        event=Event.DELETE, source=Source.BULK, record_type="accounts.account", record_id=999, record_name="Gone & Co"
    )
    history = org.client("owner").get(history_url(org.contact), {"field": "role"}).content.decode()
    assert '<td rowspan="2">' in history and "Decision Maker" in history
    assert "&lt;script&gt;x&lt;/script&gt;" in history and "<script>x" not in history
    assert "&lt;b&gt;owner&lt;/b&gt;" in history and "Import · import job 7" not in history
    assert "Form · import job 7" in history
    assert '<option value="role" selected>Role</option>' in history
    summary = org.client("admin").get(reverse("audit:summary")).content.decode()
    assert f'<a href="{history_url(org.contact)}">Cora Mine</a>' in summary
    assert "<td>Gone &amp; Co</td>" in summary
