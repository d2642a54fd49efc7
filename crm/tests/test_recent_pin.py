from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crm.recent import PINNED_LIMIT
from crm.tests.factories import AccountFactory, ContactFactory
from crm.tests.recent_helpers import numbered_accounts, open_record, pin, pinned_names, recent_names

pytestmark = pytest.mark.django_db


def test_pinning_moves_a_record_from_recent_to_pinned(owner_client):
    first, second = AccountFactory(name="Contoso"), ContactFactory(first_name="Ada", last_name="Lovelace")
    open_record(owner_client, first)
    open_record(owner_client, second)
    pin(owner_client, first)
    assert recent_names(owner_client) == ["Ada Lovelace"]
    assert pinned_names(owner_client) == ["Contoso"]


def test_unpinning_puts_the_record_back_in_recent(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    pin(owner_client, account)
    pin(owner_client, account, pinned=False)
    assert pinned_names(owner_client) == []
    assert recent_names(owner_client) == ["Contoso"]


def test_the_newest_pin_comes_first(owner_client):
    first, second = AccountFactory(name="Contoso"), AccountFactory(name="Fabrikam")
    pin(owner_client, first)
    pin(owner_client, second)
    assert pinned_names(owner_client) == ["Fabrikam", "Contoso"]


def test_pinning_twice_keeps_one_pin(owner_client):
    account = AccountFactory(name="Contoso")
    pin(owner_client, account)
    pin(owner_client, account)
    assert pinned_names(owner_client) == ["Contoso"]


def test_without_javascript_pinning_redirects_back_with_a_message(owner_client):
    account = AccountFactory(name="Contoso")
    response = pin(owner_client, account, follow=True)
    assert response.redirect_chain == [(account.get_absolute_url(), 302)]
    assert "Contoso is pinned." in response.content.decode()


def test_pinning_never_redirects_to_another_site(owner_client):
    account = AccountFactory()
    data = {"pin": f"accounts-{account.pk}", "next": "https://evil.example.com/"}
    response = owner_client.post(reverse("recent_pin"), data)
    assert response["Location"] == reverse("home")


def test_the_scripted_toggle_gets_the_updated_lists_and_button_without_a_redirect(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    response = pin(owner_client, account, headers={"X-Fragment": "recent"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="recent-flyout"' in html and 'id="pinned-flyout"' in html and 'id="home-recent"' in html
    assert f'id="record-pin-accounts-{account.pk}"' in html and "Unpin Contoso" in html
    assert "Contoso is pinned." in html
    # The forms of the fragment go back to the page the user is on, not to the pin URL.
    assert html.count(f'name="next" value="{account.get_absolute_url()}"') == 2  # Pinned list, record toggle


def test_a_pin_without_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    account = AccountFactory()
    response = pin(client, account)
    assert response.status_code == 403
    assert pinned_names(client) == []


def test_pinning_needs_a_post(owner_client):
    assert owner_client.get(reverse("recent_pin")).status_code == 405


@pytest.mark.parametrize("button", ["accounts-999999", "contacts-999999", "admin-1", "accounts-x", "-1", ""])
def test_pinning_an_unknown_record_or_type_is_not_found(owner_client, button):
    AccountFactory(pk=1)
    assert owner_client.post(reverse("recent_pin"), {"pin": button}).status_code == 404


def test_pinning_is_refused_beyond_the_limit(owner_client):
    for account in numbered_accounts(PINNED_LIMIT):
        pin(owner_client, account)
    response = pin(owner_client, AccountFactory(name="One too many"), follow=True)
    assert f"You can pin up to {PINNED_LIMIT} records. Unpin one first." in response.content.decode()
    assert len(pinned_names(owner_client)) == PINNED_LIMIT
    assert "One too many" not in pinned_names(owner_client)


def test_a_deleted_pinned_record_frees_its_place(owner_client):
    accounts = numbered_accounts(PINNED_LIMIT)
    for account in accounts:
        pin(owner_client, account)
    accounts[0].delete()
    pin(owner_client, AccountFactory(name="Newcomer"))
    assert pinned_names(owner_client)[0] == "Newcomer"
    assert len(pinned_names(owner_client)) == PINNED_LIMIT


def test_the_record_page_offers_pin_then_unpin(owner_client):
    account = AccountFactory(name="Contoso")
    assert "Pin Contoso" in owner_client.get(account.get_absolute_url()).content.decode()
    pin(owner_client, account)
    html = owner_client.get(account.get_absolute_url()).content.decode()
    assert (
        f'<form class="crm-pin-form" id="record-pin-accounts-{account.pk}" method="post" action="/recent/pin/"' in html
    )
    assert f'name="unpin" value="accounts-{account.pk}"' in html
    assert "Unpin Contoso" in html


def test_one_users_pins_are_not_anothers(owner_client, teammate):
    account = AccountFactory(name="Contoso")
    pin(owner_client, account)
    teammate_client = Client()
    teammate_client.force_login(teammate)
    assert pinned_names(teammate_client) == []
    assert "Pin Contoso" in teammate_client.get(account.get_absolute_url()).content.decode()
