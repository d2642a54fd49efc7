"""Django's model permissions are kept between requests, and a change takes effect at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import SALESPERSON, ensure_root_unit
from access.services import user_place
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def export_offered(client: Client) -> bool:
    return "Export to Excel" in client.get(reverse("accounts:list")).content.decode()


@pytest.fixture
def salesperson(client):
    user = UserFactory()
    user_place(user, unit=ensure_root_unit(), roles=[SALESPERSON])
    client.force_login(user)
    return user


def test_a_permission_given_or_taken_applies_on_the_next_page(client, salesperson):
    export = Permission.objects.get(codename="export_account")
    assert not export_offered(client)
    salesperson.user_permissions.add(export)
    assert export_offered(client)
    salesperson.user_permissions.remove(export)
    assert not export_offered(client)


def test_a_groups_permission_applies_on_the_next_page(client, salesperson):
    group = Group.objects.create(name="Exporters")
    salesperson.groups.add(group)
    assert not export_offered(client)
    group.permissions.add(Permission.objects.get(codename="export_account"))
    assert export_offered(client)
    group.delete()
    assert not export_offered(client)


def test_the_permissions_are_not_read_again_on_each_page(client, salesperson):
    salesperson.user_permissions.add(Permission.objects.get(codename="export_account"))
    client.get(reverse("accounts:list"))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("accounts:list"))
    assert not [query for query in captured if "auth_permission" in query["sql"]]
