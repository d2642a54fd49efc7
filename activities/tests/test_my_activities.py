from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from activities.models import Activity, Kind


def task(org, subject, *, due, by="owner", regarding=None):
    return services.activity_create(
        activity=Activity(kind=Kind.TASK, subject=subject, due_at=due),
        regarding=regarding or org.contact,
        by=org.users[by],
    )


@pytest.fixture
def tasks(org):
    now = timezone.now()
    return {
        "late": task(org, "Late one", due=now - datetime.timedelta(days=3)),
        "soon": task(org, "Soon one", due=now + datetime.timedelta(hours=1)),
        "later": task(org, "Later one", due=now + datetime.timedelta(days=30)),
        "theirs": task(org, "Their one", due=now, by="teammate"),
    }


def subjects(response) -> set[str]:
    return {row.record.subject for row in response.context["table"].page.object_list}


def test_my_open_activities_is_the_plain_view(org, tasks):
    response = org.client("owner").get("/activities/")
    assert subjects(response) == {"Late one", "Soon one", "Later one"}


def test_overdue_and_completed_views(org, tasks):
    client = org.client("owner")
    assert subjects(client.get("/activities/", {"view": "overdue"})) == {"Late one"}
    services.activity_complete(activity=tasks["soon"], by=org.users["owner"])
    assert subjects(client.get("/activities/", {"view": "completed"})) == {"Soon one"}


def test_search_this_view(org, tasks):
    assert subjects(org.client("owner").get("/activities/", {"q": "later"})) == {"Later one"}


def test_bulk_complete_changes_only_what_the_user_may_change(org, tasks):
    client = org.client("colleague")
    ids = [tasks["late"].pk, tasks["soon"].pk]
    response = client.post("/activities/bulk/", {"action": "complete", "selected": ids}, follow=True)
    assert "left unchanged" in response.content.decode()
    assert Activity.objects.filter(pk__in=ids, state="open").count() == 2
    org.client("owner").post("/activities/bulk/", {"action": "complete", "selected": ids})
    assert Activity.objects.filter(pk__in=ids, state="completed").count() == 2


def test_the_list_costs_the_same_queries_whatever_its_size(org, tasks):
    client = org.client("owner")
    client.get("/activities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/activities/")
    for number in range(30):
        task(org, f"More {number}", due=timezone.now(), regarding=org.mine if number % 2 else org.contact)
    with CaptureQueriesContext(connection) as many:
        client.get("/activities/")
    assert len(many) == len(few)


def test_home_shows_my_overdue_and_todays_tasks(org, tasks):
    page = org.client("owner").get("/").content.decode()
    assert "Late one" in page and "Later one" not in page and "Their one" not in page


def test_quick_create_opens_the_records_timeline_with_the_kind_form(org):
    client = org.client("owner")
    assert client.get("/activities/quick-create/", {"kind": "task"}).status_code == 200
    response = client.post("/activities/quick-create/", {"kind": "task", "contact": "", "contact_label": "Cora Mine"})
    assert response.status_code == 302 and response["Location"].endswith(
        f"/contacts/{org.contact.pk}/?add=task#timeline"
    )


def test_quick_create_needs_one_record(org):
    response = org.client("owner").post("/activities/quick-create/", {"kind": "task"})
    assert "Choose the account or the contact" in response.content.decode()


def test_quick_create_refuses_an_unknown_record_keeping_the_name(org):
    response = org.client("owner").post(
        "/activities/quick-create/", {"kind": "task", "contact": "", "contact_label": "Nobody Known"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "No active contact is called" in page and "Nobody Known" in page
