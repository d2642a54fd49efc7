"""The admin searches and counts as the lists do, so it can't stall the server."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import lists
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def changelist_sql(client, url: str, **params) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    ("url_name", "factory", "field"),
    [
        ("admin:accounts_account_changelist", AccountFactory, "name"),
        ("admin:contacts_contact_changelist", ContactFactory, "last_name"),
    ],
)
def test_an_admin_search_reads_the_search_text_not_each_field(admin_client, url_name, factory, field):
    factory(**{field: "Zaragoza"})
    factory(**{field: "Quimperlé"})
    html, queries = changelist_sql(admin_client, reverse(url_name), q="zaragoza")
    assert "Zaragoza" in html and "Quimperlé" not in html
    searched = [sql for sql in queries if "LIKE" in sql.upper()]
    assert searched and all('"search_text"' in sql for sql in searched)
    # Django's own search would be UPPER("...name"::text) LIKE UPPER(...) per field.
    assert not any(re.search(r'UPPER\("[a-z_]+"\."(name|full_name|emailaddress1)"', sql) for sql in queries)


def test_no_admin_page_counts_the_whole_table(admin_client, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    for n in range(5):
        AccountFactory(name=f"Contoso {n}")
    for params in ({}, {"q": "contoso"}, {"status__exact": "active"}):
        html, queries = changelist_sql(admin_client, reverse("admin:accounts_account_changelist"), **params)
        counts = [sql for sql in queries if "COUNT(" in sql.upper()]
        assert counts and all("LIMIT 4" in sql for sql in counts), counts
        assert "3+ accounts" in html
        if "q" in params:
            assert "3+ results" in html


def test_an_admin_list_under_the_cap_shows_its_exact_count(admin_client):
    AccountFactory.create_batch(2)
    html, _queries = changelist_sql(admin_client, reverse("admin:accounts_account_changelist"))
    assert "2 accounts" in html


def test_the_admin_lists_active_records_first_by_name_as_the_views_do(admin_client):
    for name, status in (("Bravo", "active"), ("Alpha", "inactive"), ("Charlie", "active")):
        AccountFactory(name=name, status=status)
    response = admin_client.get(reverse("admin:accounts_account_changelist"))
    assert [account.name for account in response.context["cl"].result_list] == ["Bravo", "Charlie", "Alpha"]
