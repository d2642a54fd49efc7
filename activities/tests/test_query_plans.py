"""The timeline and My Open Activities read an index range in their own order (keyset, no
sort of every match, no deep OFFSET), proven on the database's own plan at a small scale;
`make bench` measures them at scale."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from access.models import Team
from activities.models import Activity, Attachment, Attendee, Kind
from activities.timeline import timeline_page


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of test rows would be read by a sequential scan; the question is
            # whether the index can serve the query in its order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_an_accounts_timeline_reads_its_rollup_index_in_order(org):
    Activity.objects.create(
        kind=Kind.NOTE, body="x", regarding_account=org.mine, rollup_account=org.mine, owner=org.users["owner"]
    )
    activities = Activity.objects.on_timeline_of(org.mine, org.users["owner"])
    page = activities.order_by("-occurred_at", "-id")[:21]
    plan = plan_of(page)
    assert "activity_account_timeline_idx" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", "")
    assert len(timeline_page(activities, {}, user=org.users["owner"], on_account=True).entries) == 1


def test_a_contacts_timeline_reads_its_index_in_order(org):
    activities = Activity.objects.on_timeline_of(org.contact, org.users["owner"])
    plan = plan_of(activities.order_by("-occurred_at", "-id")[:21])
    assert "activity_contact_timeline_idx" in plan and "TEMP B-TREE" not in plan


def test_my_open_activities_reads_the_owner_index_in_due_order(org):
    activities = Activity.objects.visible_to(org.users["owner"]).owned_by(org.users["owner"]).open()
    plan = plan_of(activities.order_by("due_at", "id")[:51])
    assert "activity_owner_state_due_idx" in plan and "TEMP B-TREE" not in plan


def test_an_activity_has_exactly_one_owner_like_a_record(org):
    team = Team.objects.create(name="Key accounts", business_unit=org.users["owner"].crm_access.business_unit)
    about = {"kind": Kind.NOTE, "body": "x", "regarding_account": org.mine}
    for owners in ({}, {"owner": org.users["owner"], "owner_team": team}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.create(**about, **owners)
    assert Activity.objects.create(**about, owner_team=team).owner_label == "Key accounts"


def test_the_timeline_costs_the_same_queries_for_one_appointment_as_for_a_page_of_them(org):
    def appointment(number):
        activity = Activity.objects.create(
            kind=Kind.APPOINTMENT,
            subject=f"Meeting {number}",
            regarding_contact=org.contact,
            rollup_account=org.mine,
            owner=org.users["owner"],
        )
        Attendee.objects.create(activity=activity, contact=org.contact)
        Attendee.objects.create(activity=activity, user=org.users["teammate"], required=False)
        Attachment.objects.create(
            activity=activity, file="x.pdf", name=f"agenda {number}.pdf", size=10, content_type=""
        )

    client = org.client("owner")
    appointment(0)
    client.get(org.mine.get_absolute_url())  # warm caches (content types, access)
    with CaptureQueriesContext(connection) as one:
        page = client.get(org.mine.get_absolute_url()).content.decode()
    assert "Attendees: Cora Mine, Teammate (optional)" in page and "agenda 0.pdf" in page
    for number in range(1, 15):
        appointment(number)
    with CaptureQueriesContext(connection) as many:
        page = client.get(org.mine.get_absolute_url()).content.decode()
    assert "agenda 14.pdf" in page
    assert len(many) == len(one)


@pytest.mark.parametrize("reader", ["owner", "admin"])  # some contacts checked / every contact readable
def test_an_accounts_timeline_holds_its_own_and_its_readable_contacts_activities(org, reader):
    from crm.tests.factories import ContactFactory

    far_contact = ContactFactory(company=org.mine, owner=org.far.owner)  # in a unit `owner` can't read
    about = {"kind": Kind.NOTE, "owner": org.users["owner"]}
    assert org.contact.company_id == org.mine.pk
    own = Activity.objects.create(**about, body="own", regarding_account=org.mine, rollup_account=org.mine)
    of_contact = Activity.objects.create(
        **about, body="contact", regarding_contact=org.contact, rollup_account=org.mine
    )
    of_far_contact = Activity.objects.create(
        **about, body="far", regarding_contact=far_contact, rollup_account=org.mine
    )
    Activity.objects.create(**about, body="elsewhere", regarding_account=org.far, rollup_account=org.far)

    shown = set(Activity.objects.on_timeline_of(org.mine, org.users[reader]))

    expected = {own, of_contact} | ({of_far_contact} if reader == "admin" else set())
    assert shown == expected
