""" "Why can I see this?" computes everyone's answer set-based: the same answer as one user at
a time, in a number of queries that doesn't grow with the organisation."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import guard
from access.models import Privilege, ShareRight
from access.scope import accesses_of, compute_access
from access.services import record_share
from access.tests.factories import place_user
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(org):
    org.team.members.add(org.users["colleague"])
    org.team.roles.add(*org.users["manager"].crm_access.roles.all())  # a team role adds to its members'
    record_share(record=org.mine, principal=org.team, rights=ShareRight.READ | ShareRight.WRITE, by=org.users["owner"])
    UserFactory(username="root", is_superuser=True, role="")  # no placement, no role
    UserFactory(username="unplaced", role="")
    return list(get_user_model().objects.order_by("pk"))


def test_everyones_access_read_at_once_is_each_ones_access(everyone):
    together = accesses_of(everyone)
    for user in everyone:
        alone = compute_access(user)
        assert together[user.pk] == alone, user.username


def test_who_can_read_gives_each_person_the_paths_one_at_a_time_would(org, everyone):
    for record in (org.mine, org.contact, org.team_account, org.far):
        rows = {row["person"].pk: row for row in guard.who_can_read(record, everyone)}
        for user in everyone:
            access = compute_access(user)
            read = guard.paths_to(record, access, Privilege.READ)
            assert rows.get(user.pk, {}).get("read", []) == read, (record, user.username)
            if read:
                assert rows[user.pk]["write"] == guard.paths_to(record, access, Privilege.WRITE)


def test_the_why_panel_costs_the_same_queries_for_10_or_60_people(org):
    url = reverse("access:why", args=["accounts.account", org.mine.pk])
    client = org.client("admin")

    def queries() -> int:
        client.get(url)  # the admin's own access, cached
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(50):
        place_user(UserFactory(username=f"extra{number}", role=""), unit=org.north, roles=["Salesperson"])
    page = client.get(url).content.decode()
    assert page.count("records of the business unit North") >= 50
    assert queries() == few
