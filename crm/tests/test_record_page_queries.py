"""A record page costs the same queries however many records it links to: its linked rows are
read with the record (their names only) and its related lists with a query each."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import registry
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warm(owner_client):
    # Content types and the user's effective access are cached for the process, as after any
    # earlier request.
    ContentType.objects.get_for_models(*(record_type.model for record_type in registry.all_types()))


def queries_of(client, url: str) -> list[str]:
    client.get(url)  # Recent then holds the record, as on every later visit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def linked_account(owner, *, contacts: int, sub_accounts: int):
    account = AccountFactory(owner=owner, parent=AccountFactory(owner=owner))
    account.primary_contact = ContactFactory(owner=owner, company=account)
    account.save(update_fields=["primary_contact"])
    for _ in range(contacts - 1):
        ContactFactory(owner=owner, company=account)
    for _ in range(sub_accounts):
        AccountFactory(owner=owner, parent=account)
    return account


def test_an_account_page_costs_the_same_queries_however_many_records_it_links(owner, owner_client):
    alone = linked_account(owner, contacts=1, sub_accounts=0)
    busy = linked_account(owner, contacts=6, sub_accounts=3)

    plain = queries_of(owner_client, alone.get_absolute_url())
    linked = queries_of(owner_client, busy.get_absolute_url())

    assert len(linked) == len(plain)
    page = owner_client.get(busy.get_absolute_url()).content.decode()
    assert busy.primary_contact.full_name in page and busy.parent.name in page


def test_an_account_without_parent_or_primary_contact_skips_reading_them(owner, owner_client):
    plain = queries_of(owner_client, AccountFactory(owner=owner).get_absolute_url())
    linked = queries_of(owner_client, linked_account(owner, contacts=1, sub_accounts=0).get_absolute_url())

    assert len(linked) == len(plain) + 2  # the parent, the primary contact: by key, not joined


def test_a_contact_page_costs_the_same_queries_however_many_reports_it_has(owner, owner_client):
    company = AccountFactory(owner=owner, telephone1="+33 1 23 45 67 89")
    manager = ContactFactory(owner=owner)
    alone = ContactFactory(owner=owner, company=company, manager=manager)
    busy = ContactFactory(owner=owner, company=company, manager=manager)
    reports = [ContactFactory(owner=owner, manager=busy) for _ in range(4)]

    plain = queries_of(owner_client, alone.get_absolute_url())
    linked = queries_of(owner_client, busy.get_absolute_url())

    assert len(linked) == len(plain)
    page = owner_client.get(busy.get_absolute_url()).content.decode()
    assert company.telephone1 in page and manager.full_name in page and reports[0].full_name in page


@pytest.mark.parametrize("tab", ["summary", "details"])
def test_a_record_page_reads_the_people_it_names_with_the_record(owner, owner_client, django_user_model, tab):
    creator = django_user_model.objects.create(username="cleo.creator")
    modifier = django_user_model.objects.create(username="mo.modifier")
    account = AccountFactory(owner=owner)
    type(account).objects.filter(pk=account.pk).update(created_by=creator, modified_by=modifier)
    url = account.get_absolute_url() + ("?tab=details" if tab == "details" else "")

    queries = queries_of(owner_client, url)
    users_read = [sql for sql in queries if sql.startswith('SELECT "auth_user"')]
    record_read = next(sql for sql in queries if sql.startswith('SELECT "accounts_account"."id"'))

    assert len(users_read) == 1  # the signed-in user only: the owner, creator and modifier are joined
    # The Summary tab joins only what it names: the owner (not the creator, modifier, team, unit).
    assert record_read.count(" JOIN ") == (1 if tab == "summary" else 5)
    page = owner_client.get(url).content.decode()
    assert ("cleo.creator" in page and "mo.modifier" in page) == (tab == "details")
