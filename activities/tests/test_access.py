"""A note must never leak: whoever can't read the record sees none of its activities,
anywhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from access.roles import READ_ONLY
from access.tests.factories import place_user
from activities import services
from activities.models import Activity, Kind, State
from crm.tests.factories import UserFactory


@pytest.fixture
def note(org):
    activity = services.activity_create(
        activity=Activity(kind=Kind.NOTE, body="Confidential pricing"),
        regarding=org.contact,
        by=org.users["owner"],
        files=[(SimpleUploadedFile("price.txt", b"secret price"), "text/plain")],
    )
    return activity


@pytest.fixture
def task(org):
    return services.activity_create(
        activity=Activity(kind=Kind.TASK, subject="Confidential follow-up"),
        regarding=org.contact,
        by=org.users["owner"],
    )


def test_a_colleague_without_access_sees_none_of_it_anywhere(org, note, task):
    client = org.client("other_bu")
    assert client.get(org.contact.get_absolute_url()).status_code == 404
    assert client.get(org.mine.get_absolute_url()).status_code == 404
    fragment = {"X-Fragment": "timeline"}
    assert client.get(org.contact.get_absolute_url(), headers=fragment).status_code == 404
    assert client.get(org.mine.get_absolute_url(), headers=fragment).status_code == 404
    assert client.get(note.get_absolute_url()).status_code == 404
    assert client.get(note.attachments.get().get_absolute_url()).status_code == 404
    assert client.post(f"/activities/{task.pk}/state/", {"action": "complete"}).status_code == 404
    assert client.post(f"/activities/{task.pk}/delete/").status_code == 404
    listed = client.get("/activities/", {"view": "my_open"}).content.decode()
    assert "Confidential" not in listed
    assert Activity.objects.visible_to(org.users["other_bu"]).count() == 0


def test_even_owning_the_activity_shows_nothing_once_the_record_is_out_of_reach(org, task):
    task.owner = org.users["other_bu"]
    task.save()
    assert "Confidential follow-up" not in org.client("other_bu").get("/activities/").content.decode()


def test_those_who_can_read_the_record_see_its_activities(org, note):
    for persona in ("owner", "teammate", "manager", "admin"):
        assert Activity.objects.visible_to(org.users[persona]).filter(pk=note.pk).exists(), persona


def test_an_account_shared_alone_does_not_show_its_contacts_notes_on_its_timeline(org, note):
    account_note = services.activity_create(
        activity=Activity(kind=Kind.NOTE, body="About the company"), regarding=org.mine, by=org.users["owner"]
    )
    page = org.client("shared_with").get(org.mine.get_absolute_url()).content.decode()
    assert account_note.body in page and "Confidential pricing" not in page


def test_a_reader_who_may_not_edit_the_record_can_not_close_someone_elses_task(org, task):
    colleague = org.users["colleague"]  # reads North's records, edits only their own
    with pytest.raises(PermissionDenied):
        services.activity_complete(activity=task, by=colleague)
    assert org.client("colleague").post(f"/activities/{task.pk}/state/", {"action": "complete"}).status_code == 403


def test_adding_to_a_record_one_can_only_read_is_refused(org, client):
    reader = UserFactory(username="reader", role="")
    place_user(reader, unit=org.north, roles=[READ_ONLY])
    client.force_login(reader)
    response = client.post(org.contact.get_absolute_url(), {"activity_kind": "note", "activity-body": "x"})
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_complete_cancel_and_reopen(org, task):
    client = org.client("owner")
    client.post(f"/activities/{task.pk}/state/", {"action": "complete"})
    task.refresh_from_db()
    assert task.state == State.COMPLETED and task.closed_on is not None
    client.post(f"/activities/{task.pk}/state/", {"action": "reopen"})
    task.refresh_from_db()
    assert task.state == State.OPEN and task.closed_on is None
    client.post(f"/activities/{task.pk}/state/", {"action": "cancel"})
    task.refresh_from_db()
    assert task.state == State.CANCELLED


def test_assigning_to_someone_who_can_not_see_the_record_is_refused(org, task):
    client = org.client("owner")
    response = client.post(f"/activities/{task.pk}/assign/", {"user": org.users["other_bu"].pk})
    assert "can&#x27;t see" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == org.users["owner"]
    client.post(f"/activities/{task.pk}/assign/", {"user": org.users["teammate"].pk})
    task.refresh_from_db()
    assert task.owner == org.users["teammate"]


def test_deleting_a_note_deletes_its_files(org, note):
    attachment = note.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    response = org.client("owner").post(f"/activities/{note.pk}/delete/")
    assert response.status_code == 302
    assert not Activity.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_files_go_once_the_delete_is_committed(org, note):
    attachment = note.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    services.activity_delete(activity=note, by=org.users["owner"])
    assert not storage.exists(name)


def test_the_database_refuses_an_activity_about_no_record_or_two(org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(kind=Kind.NOTE, body="orphan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(kind=Kind.NOTE, body="both", regarding_account=org.mine, regarding_contact=org.contact)
