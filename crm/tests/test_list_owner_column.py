from __future__ import annotations

import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


LISTS = [(AccountFactory, "accounts:list"), (ContactFactory, "contacts:list")]


@pytest.mark.parametrize(("factory", "url_name"), LISTS)
def test_the_owner_column_shows_the_owner_by_name_not_by_sign_in(owner_client, owner, factory, url_name):
    factory(owner=owner)
    table = owner_client.get(reverse(url_name)).context["table"]
    assert [row.get_cell("owner") for row in table.rows] == ["Olivia Owner"]


def test_the_owner_column_sorts_by_the_name_it_shows(owner_client, owner):
    zoe = UserFactory(username="aaron", first_name="Zoe", last_name="Zed")
    AccountFactory(owner=zoe)
    AccountFactory(owner=owner)
    response = owner_client.get(reverse("accounts:list"), {"view": "active", "sort": "owner"})
    assert [row.get_cell("owner") for row in response.context["table"].rows] == ["Olivia Owner", "Zoe Zed"]
