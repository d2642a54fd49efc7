from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import RecentItem
from crm.recent import RECENT_LIMIT
from crm.tests.factories import AccountFactory, ContactFactory
from crm.tests.recent_helpers import (
    numbered_accounts,
    open_record,
    pin,
    pinned_names,
    recent_item_queries,
    recent_names,
    writes,
)

pytestmark = pytest.mark.django_db


def test_opened_accounts_and_contacts_are_listed_newest_first(owner_client):
    first, second = AccountFactory(name="Contoso"), AccountFactory(name="Fabrikam")
    person = ContactFactory(first_name="Ada", last_name="Lovelace")
    for record in (first, person, second):
        open_record(owner_client, record)
    assert recent_names(owner_client) == ["Fabrikam", "Ada Lovelace", "Contoso"]


def test_opening_a_record_again_moves_it_to_the_top_without_a_duplicate(owner_client, owner):
    first, second = AccountFactory(name="Contoso"), AccountFactory(name="Fabrikam")
    for record in (first, second, first):
        open_record(owner_client, record)
    assert recent_names(owner_client) == ["Contoso", "Fabrikam"]
    assert RecentItem.objects.filter(user=owner).count() == 2


def test_an_account_and_a_contact_with_the_same_id_are_two_entries(owner_client):
    account = AccountFactory(name="Contoso")
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    contact.pk = account.pk  # Ids of different tables may coincide; entries must not.
    contact.save()
    open_record(owner_client, account)
    open_record(owner_client, contact)
    assert recent_names(owner_client) == ["Ada Lovelace", "Contoso"]


def test_only_the_twenty_most_recently_opened_records_are_kept(owner_client, owner):
    accounts = numbered_accounts(RECENT_LIMIT + 2)
    for account in accounts:
        open_record(owner_client, account)
    names = recent_names(owner_client)
    assert names == [account.name for account in reversed(accounts[2:])]
    assert RecentItem.objects.filter(user=owner).count() == RECENT_LIMIT


def test_a_full_list_gives_up_a_deleted_records_place_before_the_oldest(owner_client):
    accounts = numbered_accounts(RECENT_LIMIT)
    for account in accounts:
        open_record(owner_client, account)
    accounts[5].delete()
    open_record(owner_client, AccountFactory(name="Newcomer"))
    names = recent_names(owner_client)
    assert names[0] == "Newcomer" and "Account 00" in names
    assert len(names) == RECENT_LIMIT


def test_pinned_records_stay_pinned_and_leave_recent_its_twenty_places(owner_client, owner):
    favourite = AccountFactory(name="Favourite")
    open_record(owner_client, favourite)
    pin(owner_client, favourite)
    for account in numbered_accounts(RECENT_LIMIT + 1):
        open_record(owner_client, account)
    assert "Favourite" not in recent_names(owner_client)
    assert len(recent_names(owner_client)) == RECENT_LIMIT
    assert RecentItem.objects.filter(user=owner, pinned_at__isnull=False).count() == 1


def test_each_user_has_their_own_recent_list(owner_client, teammate):
    mine, theirs = AccountFactory(name="Mine"), AccountFactory(name="Theirs")
    open_record(owner_client, mine)
    teammate_client = Client()
    teammate_client.force_login(teammate)
    open_record(teammate_client, theirs)
    assert recent_names(owner_client) == ["Mine"]
    assert recent_names(teammate_client) == ["Theirs"]


def test_the_lists_survive_sign_out_and_follow_the_user_to_another_browser(owner_client, owner):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    pin(owner_client, account)
    owner_client.post(reverse("logout"))
    other_browser = Client()
    other_browser.post(reverse("login"), {"username": "owner", "password": "correct horse battery staple"})
    assert pinned_names(other_browser) == ["Contoso"]
    open_record(other_browser, AccountFactory(name="Fabrikam"))
    assert recent_names(other_browser) == ["Fabrikam"]


@pytest.mark.parametrize("suffix", ["edit/", "delete/"])
def test_other_pages_of_a_record_do_not_list_it(owner_client, suffix):
    account = AccountFactory(name="Contoso")
    assert owner_client.get(account.get_absolute_url() + suffix).status_code == 200
    assert recent_names(owner_client) == []


def test_a_record_that_does_not_exist_is_not_listed(owner_client):
    assert owner_client.get(reverse("accounts:detail", args=[999_999])).status_code == 404
    assert not RecentItem.objects.exists()


def test_a_head_request_does_not_list_the_record(owner_client):
    account = AccountFactory()
    assert owner_client.head(account.get_absolute_url()).status_code == 200
    assert not RecentItem.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("search") + "?q=Contoso",
        reverse("accounts:list"),
        reverse("contacts:list") + "?view=active",
        reverse("accounts:lookup") + "?q=Con",
    ],
)
def test_requests_other_than_a_record_page_write_nothing(owner_client, url):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    with CaptureQueriesContext(connection) as captured:
        assert owner_client.get(url).status_code == 200
    assert writes(captured) == []


@pytest.mark.parametrize("already_full", [False, True])
def test_opening_a_record_costs_one_read_and_one_write_of_the_recent_list(owner_client, already_full):
    for account in numbered_accounts(RECENT_LIMIT if already_full else 3):
        open_record(owner_client, account)
    account = AccountFactory(name="Contoso")
    with CaptureQueriesContext(connection) as captured:
        open_record(owner_client, account)
    queries = recent_item_queries(captured)
    # The read is the navigation's: the middleware reuses it to place the record.
    assert len(queries) == 2
    assert len(writes(captured)) == 1
    assert recent_names(owner_client)[0] == "Contoso"


def test_a_failed_recent_write_does_not_fail_the_record_page(owner_client, monkeypatch):
    from django.db import DatabaseError

    from crm import recent

    def broken(**kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(recent, "recent_item_open", broken)
    account = AccountFactory(name="Contoso")
    assert owner_client.get(account.get_absolute_url()).status_code == 200


def test_a_record_page_already_lists_that_record_first_in_recent(owner_client):
    first, second = AccountFactory(name="Contoso"), AccountFactory(name="Fabrikam")
    open_record(owner_client, first)
    open_record(owner_client, second)
    response = owner_client.get(first.get_absolute_url())
    assert [entry.label for entry in response.context["recent_lists"].recent] == ["Contoso", "Fabrikam"]
    flyout = response.content.decode().split('id="recent-flyout"')[1].split("</details>")[0]
    assert flyout.index(">Contoso</a>") < flyout.index(">Fabrikam</a>")


def test_the_first_record_ever_opened_is_listed_on_its_own_page(owner_client):
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    response = owner_client.get(contact.get_absolute_url())
    [entry] = response.context["recent_lists"].recent
    assert (entry.label, entry.type_name, entry.url) == ("Ada Lovelace", "Contact", contact.get_absolute_url())
    assert "Records you open will be listed here." not in response.content.decode()


def test_a_pinned_record_stays_pinned_on_its_own_page(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    pin(owner_client, account)
    response = owner_client.get(account.get_absolute_url())
    assert response.context["pin_state"] is True
    assert [entry.label for entry in response.context["recent_lists"].pinned] == ["Contoso"]
    assert response.context["recent_lists"].recent == []


def test_showing_the_record_first_costs_no_query(owner_client):
    for account in numbered_accounts(3):
        open_record(owner_client, account)
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    with CaptureQueriesContext(connection) as on_its_page:
        owner_client.get(account.get_absolute_url())
    with CaptureQueriesContext(connection) as on_home:
        owner_client.get(reverse("home"))
    assert len(recent_item_queries(on_its_page)) == 2  # the read, then the write after the page
    assert len(recent_item_queries(on_home)) == 1


def test_a_record_page_that_fails_to_render_records_nothing(owner_client, monkeypatch):
    from crm import recent

    def broken(entry):
        raise RuntimeError("template failure")

    earlier, failing = AccountFactory(name="Contoso"), AccountFactory(name="Fabrikam")
    open_record(owner_client, earlier)
    monkeypatch.setattr(recent.RecentEntry, "url", property(broken))
    owner_client.raise_request_exception = False
    assert owner_client.get(failing.get_absolute_url()).status_code == 500
    assert list(RecentItem.objects.values_list("object_id", flat=True)) == [earlier.pk]
