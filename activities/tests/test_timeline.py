from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Attachment, Attendee, Kind, State
from activities.timeline import PAGE_SIZE
from crm.models import RecentItem
from crm.tests.factories import ContactFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def add(client, record, kind, **fields):
    data = {"activity_kind": kind, **{f"activity-{name}": value for name, value in fields.items()}}
    return client.post(record.get_absolute_url(), data)


def test_a_note_with_a_pdf_is_added_from_the_contact_page_and_downloaded(org):
    client = org.client("owner")
    pdf = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/octet-stream")
    response = add(client, org.contact, Kind.NOTE, body="Met at the fair.", attachments=pdf)
    assert response.status_code == 302
    note = Activity.objects.get(kind=Kind.NOTE)
    assert note.regarding_contact == org.contact and note.rollup_account == org.mine
    attachment = note.attachments.get()
    assert attachment.content_type == "application/pdf"
    download = client.get(attachment.get_absolute_url())
    assert download["Content-Disposition"].startswith('attachment; filename="minutes.pdf"')
    assert b"".join(download.streaming_content) == PDF
    page = client.get(org.contact.get_absolute_url()).content.decode()
    assert "Met at the fair." in page and "minutes.pdf" in page


def test_an_executable_is_refused_whatever_its_name_and_the_note_is_kept(org):
    program = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100)
    response = add(org.client("owner"), org.contact, Kind.NOTE, body="Keep me", attachments=program)
    assert response.status_code == 200
    page = response.content.decode()
    assert "programs are refused" in page and "Keep me" in page
    assert not Activity.objects.exists() and not Attachment.objects.exists()


@override_settings(ACTIVITY_ATTACHMENT_MAX_BYTES=1024)
def test_an_attachment_over_the_cap_is_refused_with_the_limit(org):
    big = SimpleUploadedFile("big.txt", b"a" * 2048)
    response = add(org.client("owner"), org.contact, Kind.NOTE, body="Long one", attachments=big)
    assert response.status_code == 200
    assert "at most 1.0\xa0KB" in response.content.decode()
    assert not Activity.objects.exists()


def test_an_appointment_ending_before_it_starts_is_refused_with_what_was_typed(org):
    response = add(
        org.client("owner"),
        org.contact,
        Kind.APPOINTMENT,
        subject="Kick-off",
        due_at="2026-12-01T10:00",
        ends_at="2026-12-01T09:00",
        location="Their office",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end must be after the start." in page and "Their office" in page and "Kick-off" in page
    assert not Activity.objects.exists()


def test_an_appointment_has_attendees_and_an_ics_file(org):
    colleague = ContactFactory(first_name="Cid", last_name="Colleague", owner=org.users["owner"], company=org.mine)
    client = org.client("owner")
    response = add(
        client,
        org.contact,
        Kind.APPOINTMENT,
        subject="Kick-off",
        due_at="2026-12-01T10:00",
        ends_at="2026-12-01T11:00",
        required_attendees=[f"contact:{org.contact.pk}", f"user:{org.users['teammate'].pk}"],
        optional_attendees=[f"contact:{colleague.pk}"],
    )
    assert response.status_code == 302
    meeting = Activity.objects.get(kind=Kind.APPOINTMENT)
    assert meeting.attendees.filter(required=True).count() == 2
    ics = client.get(f"/activities/{meeting.pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "SUMMARY:Kick-off" in body and "DTSTART:20261201T100000Z" in body and "OPT-PARTICIPANT" in body


def test_an_attendee_the_user_may_not_see_is_refused(org):
    hidden = ContactFactory(last_name="Hidden", owner=org.users["other_bu"], company=org.far)
    response = add(
        org.client("owner"),
        org.contact,
        Kind.APPOINTMENT,
        subject="Secret",
        due_at="2026-12-01T10:00",
        ends_at="2026-12-01T11:00",
        required_attendees=[f"contact:{hidden.pk}"],
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_an_email_is_sent_through_the_email_backend_and_kept_on_the_timeline(org):
    org.contact.emailaddress1 = "cora@example.com"
    org.contact.save()
    client = org.client("owner")
    page = client.get(org.contact.get_absolute_url() + "?add=email").content.decode()
    assert 'value="cora@example.com"' in page  # the recipient is prefilled from the record
    response = add(client, org.contact, Kind.EMAIL, to="cora@example.com", cc="", subject="Offer", body="Here it is.")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["cora@example.com"]]
    email = Activity.objects.get(kind=Kind.EMAIL)
    assert email.email.status == "sent" and email.state == State.COMPLETED
    assert "Sent" in client.get(org.contact.get_absolute_url()).content.decode()


def test_an_email_without_a_recipient_is_refused(org):
    response = add(org.client("owner"), org.contact, Kind.EMAIL, to="", subject="Offer", body="Here it is.")
    assert response.status_code == 200
    assert "Give at least one recipient" in response.content.decode()
    assert not mail.outbox


def test_a_contact_who_must_not_be_emailed_is_refused_with_the_reason(org):
    org.contact.do_not_email = True
    org.contact.save()
    response = add(org.client("owner"), org.contact, Kind.EMAIL, to="cora@example.com", subject="Offer", body="Typed")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Do not allow Emails" in page and "Typed" in page
    assert not mail.outbox and not Activity.objects.exists()


def test_a_task_due_in_the_past_is_allowed_and_shown_overdue(org):
    client = org.client("owner")
    add(client, org.contact, Kind.TASK, subject="Send the offer", due_at="2020-01-01T09:00", priority="high")
    task = Activity.objects.get(kind=Kind.TASK)
    assert task.owner == org.users["owner"] and task.is_overdue
    overdue = client.get(org.contact.get_absolute_url() + "?state=overdue").content.decode()
    assert "Send the offer" in overdue
    closed = client.get(org.contact.get_absolute_url() + "?state=closed").content.decode()
    assert "Send the offer" not in closed


def test_a_phone_call_prefills_the_number_and_goes_outgoing(org):
    org.contact.telephone1 = "+44 20 7946 0000"
    org.contact.save()
    page = org.client("owner").get(org.contact.get_absolute_url() + "?add=phone_call").content.decode()
    assert 'value="+44 20 7946 0000"' in page
    assert 'value="outgoing"  id="id_activity-direction_0" checked' in page


def test_the_account_timeline_holds_its_contacts_activities_labelled_with_the_contact(org):
    client = org.client("owner")
    add(client, org.contact, Kind.NOTE, body="About Cora")
    add(client, org.mine, Kind.NOTE, body="About the company")
    page = client.get(org.mine.get_absolute_url()).content.decode()
    assert "About Cora" in page and "About the company" in page
    assert f'{org.contact.get_absolute_url()}">Cora Mine</a>' in page


def test_a_contact_moving_company_takes_its_activities_to_the_new_timeline(org):
    add(org.client("owner"), org.contact, Kind.NOTE, body="Travels along")
    org.contact.company = org.team_account
    org.contact.save()
    assert Activity.objects.get().rollup_account == org.team_account


def test_show_more_pages_by_keyset_newest_first(org):
    start = timezone.now() - datetime.timedelta(days=1)
    Activity.objects.bulk_create(
        Activity(
            kind=Kind.NOTE,
            body=f"note {number}",
            regarding_contact=org.contact,
            rollup_account=org.mine,
            owner=org.users["owner"],
            occurred_at=start + datetime.timedelta(minutes=number),
        )
        for number in range(PAGE_SIZE + 5)
    )
    client = org.client("owner")
    first = client.get(org.contact.get_absolute_url())
    entries = first.context["timeline"].entries
    assert entries[0].activity.body == f"note {PAGE_SIZE + 4}" and len(entries) == PAGE_SIZE
    # Follow the page's own "Show more" link, as a person would.
    show_more = re.search(r'href="([^"]*)#timeline">Show more</a>', first.content.decode()).group(1)
    second = client.get(org.contact.get_absolute_url() + html.unescape(show_more)).context["timeline"]
    assert [entry.activity.body for entry in second.entries] == [f"note {number}" for number in range(4, -1, -1)]
    assert second.next_cursor is None


def test_the_timeline_alone_answers_a_script_that_filters_or_shows_more(org):
    client = org.client("owner")
    add(client, org.contact, Kind.NOTE, body="Budget approved")
    add(client, org.contact, Kind.NOTE, body="Lunch booked")
    opened_before = RecentItem.objects.filter(user=org.users["owner"]).count()

    response = client.get(org.mine.get_absolute_url(), {"q": "budget"}, headers={"X-Fragment": "timeline"})

    page = response.content.decode()
    assert response.status_code == 200 and "X-Fragment" in response["Vary"]
    assert page.lstrip().startswith('<section class="crm-panel crm-timeline" id="timeline"')
    assert "Budget approved" in page and "Lunch booked" not in page
    assert org.contact.full_name in page  # the account's timeline names the contact
    assert "Key fields" not in page and "crm-page-header" not in page
    # Fetching a panel of a page already open is not opening the record again.
    assert RecentItem.objects.filter(user=org.users["owner"]).count() == opened_before


def test_a_fragment_nobody_offers_gets_the_whole_page_which_is_opening_the_record(org):
    client = org.client("owner")
    response = client.get(org.contact.get_absolute_url(), headers={"X-Fragment": "nonsense"})
    assert response.status_code == 200 and "Key fields" in response.content.decode()
    assert RecentItem.objects.filter(user=org.users["owner"], object_id=org.contact.pk).exists()


@pytest.mark.parametrize("cursor", ["nonsense", "2026-01-01_x", "_1", "2026-01-01T00:00:00_5"])
def test_a_damaged_cursor_shows_the_first_page(org, cursor):
    assert org.client("owner").get(org.contact.get_absolute_url(), {"before": cursor}).status_code == 200


def test_an_unknown_kind_posted_is_not_found(org):
    assert add(org.client("owner"), org.contact, "fax", body="x").status_code == 404


def test_search_within_the_timeline(org):
    client = org.client("owner")
    add(client, org.contact, Kind.NOTE, body="Budget approved")
    add(client, org.contact, Kind.NOTE, body="Lunch booked")
    entries = client.get(org.contact.get_absolute_url(), {"q": "budget"}).context["timeline"].entries
    assert [entry.activity.body for entry in entries] == ["Budget approved"]


class RefusingBackend:
    """An email backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused by smtp.example.com")


@override_settings(EMAIL_BACKEND="activities.tests.test_timeline.RefusingBackend")
def test_an_email_the_server_refuses_is_kept_open_with_the_error(org):
    client = org.client("owner")
    response = add(client, org.contact, Kind.EMAIL, to="cora@example.com", subject="Offer", body="Here it is.")
    assert response.status_code == 302
    email = Activity.objects.get(kind=Kind.EMAIL)
    assert email.state == State.OPEN and email.email.status == "failed"
    page = client.get(org.contact.get_absolute_url()).content.decode()
    assert "could not be sent" in page and "Connection refused by smtp.example.com" in page


def test_attendees_the_viewer_may_not_read_are_counted_not_named(org):
    """shared_with reads Mine Ltd (shared with them) but not its contact Cora: the appointment
    shows, its colleague attendee is named, Cora is "1 other attendee", on the timeline, the
    activity's page and in its .ics file."""
    add(
        org.client("owner"),
        org.mine,
        Kind.APPOINTMENT,
        subject="Quarterly review",
        due_at="2026-12-01T10:00",
        ends_at="2026-12-01T11:00",
        required_attendees=[f"contact:{org.contact.pk}", f"user:{org.users['owner'].pk}"],
    )
    appointment = Activity.objects.get()
    outsider = org.client("shared_with")
    for url in (org.mine.get_absolute_url(), appointment.get_absolute_url()):
        page = outsider.get(url).content.decode()
        assert "Quarterly review" in page and "Attendees: Owner, 1 other attendee" in page
        assert "Cora" not in page
    ics = outsider.get(reverse("activities:ics", args=[appointment.pk])).content.decode()
    assert 'CN="Owner"' in ics and "Cora" not in ics and org.contact.emailaddress1 not in ics
    assert "Attendees: Cora Mine, Owner" in org.client("owner").get(appointment.get_absolute_url()).content.decode()


def timeline_of(client, record, **params):
    return client.get(record.get_absolute_url(), params).context["timeline"]


def test_the_date_filter_keeps_the_chosen_period_and_pages_by_keyset(org):
    now = timezone.now()
    for days in (1, 3, 10, 40, 400):
        Activity.objects.create(
            kind=Kind.NOTE,
            body=f"{days} days ago",
            regarding_contact=org.contact,
            rollup_account=org.mine,
            owner=org.users["owner"],
            occurred_at=now - datetime.timedelta(days=days),
        )
    client = org.client("owner")

    def bodies(**params):
        return [entry.activity.body for entry in timeline_of(client, org.contact, **params).entries]

    assert bodies(period="7d") == ["1 days ago", "3 days ago"]
    assert bodies(period="30d") == ["1 days ago", "3 days ago", "10 days ago"]
    start = (now - datetime.timedelta(days=12)).date().isoformat()
    end = (now - datetime.timedelta(days=2)).date().isoformat()
    assert bodies(period="range", start=start, end=end) == ["3 days ago", "10 days ago"]
    this_year = [body for body in bodies() if body != "400 days ago"]
    assert bodies(period="year") == [
        b for b in this_year if (now - datetime.timedelta(days=int(b.split()[0]))).year == now.year
    ]
    # The next page keeps the period: only older activities within it.
    with_cursor = timeline_of(client, org.contact, period="30d").entries[0].activity
    rest = bodies(period="30d", before=f"{with_cursor.occurred_at.isoformat()}_{with_cursor.pk}")
    assert rest == ["3 days ago", "10 days ago"]


def test_a_bad_date_is_explained_and_kept_while_the_timeline_shows_unfiltered(org):
    response = org.client("owner").get(
        org.contact.get_absolute_url(), {"period": "range", "start": "2026-13-45", "end": "2026-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page and 'value="2026-13-45"' in page and "The dates are not applied." in page
    later = org.client("owner").get(
        org.contact.get_absolute_url(), {"period": "range", "start": "2026-02-01", "end": "2026-01-01"}
    )
    assert "The end date must be on or after the start date." in later.content.decode()


def test_a_line_reads_entirely_in_french_for_a_french_user(org):
    """Every word of a line is translated, "(optional)" included (inside an f-string it was never
    extracted to the catalogue), with French spacing before the colons."""
    meeting = Activity.objects.create(
        kind=Kind.APPOINTMENT,
        subject="Revue",
        location="Lyon",
        due_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=1),
        regarding_contact=org.contact,
        rollup_account=org.mine,
        owner=org.users["owner"],
    )
    Attendee.objects.create(activity=meeting, user=org.users["teammate"], required=False)
    client = org.client("owner")
    client.cookies["django_language"] = "fr"

    page = html.unescape(client.get(org.contact.get_absolute_url(), headers={"Accept-Language": "fr"}).content.decode())

    assert "Ouverte · Propriétaire : Owner · Début : " in page and " · Lieu : Lyon" in page
    assert "Participants : Teammate (facultatif)" in page and "Ajouter au calendrier (.ics)" in page
