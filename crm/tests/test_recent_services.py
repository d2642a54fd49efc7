from __future__ import annotations

import pytest

from crm import recent, registry
from crm.models import RecentItem
from crm.tests.recent_helpers import numbered_accounts

pytestmark = pytest.mark.django_db


def open_as(user, account, *, lists=None) -> None:
    lists = lists or recent.RecentLists(user)
    recent.recent_item_open(lists=lists, record_type=registry.get("accounts"), object_id=account.pk)


def test_two_tabs_opening_the_same_record_on_a_full_list_keep_one_row(owner):
    accounts = numbered_accounts(recent.RECENT_LIMIT + 1)
    for account in accounts[:-1]:
        open_as(owner, account)
    newcomer = accounts[-1]
    second_tab = recent.RecentLists(owner)
    assert len(second_tab.rows) == recent.RECENT_LIMIT  # read before the first tab writes
    open_as(owner, newcomer)
    open_as(owner, newcomer, lists=second_tab)
    assert RecentItem.objects.filter(user=owner, object_id=newcomer.pk).count() == 1
    assert RecentItem.objects.filter(user=owner).count() == recent.RECENT_LIMIT


def test_a_row_pinned_in_another_tab_is_not_reused(owner):
    accounts = numbered_accounts(recent.RECENT_LIMIT + 1)
    for account in accounts[:-1]:
        open_as(owner, account)
    stale = recent.RecentLists(owner)
    assert len(stale.rows) == recent.RECENT_LIMIT  # read before the pin in the other tab
    recent.recent_item_pin(user=owner, record_type=registry.get("accounts"), object_id=accounts[0].pk)
    open_as(owner, accounts[-1], lists=stale)
    assert RecentItem.objects.filter(user=owner, object_id=accounts[0].pk, pinned_at__isnull=False).exists()
    assert RecentItem.objects.filter(user=owner, object_id=accounts[-1].pk).exists()


def test_opening_a_listed_record_moves_it_first_and_keeps_its_pin(owner):
    first, second = numbered_accounts(2)
    open_as(owner, first)
    recent.recent_item_pin(user=owner, record_type=registry.get("accounts"), object_id=first.pk)
    open_as(owner, second)
    before = RecentItem.objects.get(user=owner, object_id=first.pk)
    open_as(owner, first)
    after = RecentItem.objects.get(user=owner, object_id=first.pk)
    # The opening is written with SQL of its own (crm.recent.opening_upsert): read back here
    # through the ORM, on both databases.
    assert after.opened_at > before.opened_at
    assert after.pinned_at == before.pinned_at
    assert RecentItem.objects.filter(user=owner).order_by("-opened_at").first().object_id == first.pk
    assert RecentItem.objects.filter(user=owner).count() == 2
