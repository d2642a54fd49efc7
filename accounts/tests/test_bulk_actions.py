from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from crm.choices import Status
from crm.tests.bulk_helpers import confirmed
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
BULK = reverse("accounts:bulk")


def test_deactivating_asks_for_confirmation_first(owner_client, owner):
    accounts = AccountFactory.create_batch(2, owner=owner)
    response = owner_client.post(BULK, {"action": "deactivate", "selected": [a.pk for a in accounts]})
    assert response.status_code == 200
    assert "Deactivate these 2 accounts?" in response.content.decode()
    assert Account.objects.active().count() == 2


def test_confirmed_deactivation_makes_the_records_inactive_and_bumps_their_version(owner_client, owner):
    accounts = AccountFactory.create_batch(2, owner=owner)
    untouched = AccountFactory(owner=owner)
    response = owner_client.post(BULK, confirmed("deactivate", accounts), follow=True)
    assert "2 records were deactivated." in response.content.decode()
    assert set(Account.objects.inactive().values_list("pk", flat=True)) == {a.pk for a in accounts}
    assert Account.objects.get(pk=accounts[0].pk).version == 2
    assert Account.objects.get(pk=untouched.pk).is_active


def test_activation_brings_records_back(owner_client, owner):
    account = AccountFactory(owner=owner, status=Status.INACTIVE, status_reason=Status.INACTIVE)
    owner_client.post(BULK, confirmed("activate", [account]))
    account.refresh_from_db()
    assert account.is_active and account.status_reason == Status.ACTIVE


def test_bulk_delete_spares_accounts_that_still_have_contacts(owner_client, owner):
    empty = AccountFactory(name="Empty", owner=owner)
    busy = AccountFactory(name="Busy", owner=owner)
    ContactFactory(company=busy, owner=owner)
    response = owner_client.post(BULK, confirmed("delete", [empty, busy]), follow=True)
    html = response.content.decode()
    assert "1 account was deleted." in html
    assert "Not deleted because they still have contacts (deactivate them instead): Busy." in html
    assert list(Account.objects.values_list("name", flat=True)) == ["Busy"]


def test_nothing_selected_gets_a_clear_message(owner_client):
    response = owner_client.post(BULK, {"action": "delete"}, follow=True)
    assert "Select at least one record first." in response.content.decode()


def test_bulk_actions_need_a_post(owner_client):
    assert owner_client.get(BULK).status_code == 405


def test_the_confirmation_carries_the_versions_it_shows(owner_client, owner):
    account = AccountFactory(owner=owner)
    html = owner_client.post(BULK, {"action": "deactivate", "selected": [account.pk]}).content.decode()
    assert f'name="seen" value="{account.pk}:{account.version}"' in html


def test_a_record_changed_after_the_confirmation_was_shown_stops_the_action(owner_client, owner, teammate):
    shown = AccountFactory.create_batch(2, owner=owner)
    # A teammate edits one of them while the confirmation is open.
    Account.objects.filter(pk=shown[1].pk).update(name="Renamed", version=2, modified_by=teammate)
    response = owner_client.post(BULK, confirmed("deactivate", shown))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed: 1 of these records was changed, or not reviewed" in html
    assert "Renamed" in html and f'name="seen" value="{shown[1].pk}:2"' in html
    assert Account.objects.active().count() == 2


@pytest.mark.parametrize("seen", [None, [], ["abc"], ["1:x"]])
def test_a_confirmation_without_versions_changes_nothing(owner_client, owner, seen):
    account = AccountFactory(owner=owner)
    data = confirmed("delete", [account])
    if seen is None:
        del data["seen"]
    else:
        data["seen"] = seen
    response = owner_client.post(BULK, data)
    assert "Nothing was changed: 1 of these records was changed, or not reviewed" in response.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()
