"""Keyset paging of the record lists: Next/Previous links carry a cursor, pages stay exact."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from accounts.models import Account
from crm import lists
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def page_link(content: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', content)
    return html.unescape(found.group(1)) if found else None


def names_on(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def tied_accounts(owner):
    # Few distinct names, so most rows tie on the sort column and only the id orders them.
    return [AccountFactory(name=f"Tied {n % 3}", owner=owner) for n in range(23)]


def test_following_next_links_shows_every_row_once_in_order(owner_client, tied_accounts):
    url = reverse("accounts:list") + "?view=active&per_page=25&sort=name"
    seen, pages = [], 0
    while url:
        response = owner_client.get(reverse("accounts:list") + url if url.startswith("?") else url)
        rows = response.context["table"].page.object_list
        seen += [row.record.pk for row in rows]
        pages += 1
        url = page_link(response.content.decode(), "next")
    expected = list(Account.objects.active().order_by("name", "id").values_list("pk", flat=True))
    assert seen == expected
    assert pages == 1  # 23 rows fit on one page of 25


def test_next_links_carry_a_cursor_and_match_offset_paging(owner_client, owner, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZES", (5, *lists.PAGE_SIZES))
    for n in range(17):
        AccountFactory(name=f"Tied {n % 4}", owner=owner)
    base = reverse("accounts:list")
    response = owner_client.get(base + "?view=active&per_page=5&sort=-name")
    pages = [names_on(response)]
    ids = [[row.record.pk for row in response.context["table"].page.object_list]]
    while link := page_link(response.content.decode(), "next"):
        assert "cursor=" in link
        response = owner_client.get(base + link)
        ids.append([row.record.pk for row in response.context["table"].page.object_list])
        pages.append(names_on(response))
    flat = [pk for page in ids for pk in page]
    assert flat == list(Account.objects.order_by("-name", "-id").values_list("pk", flat=True))
    assert len(flat) == len(set(flat)) == 17
    assert [len(page) for page in pages] == [5, 5, 5, 2]


def test_previous_links_lead_back_to_the_same_rows(owner_client, owner, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZES", (5, *lists.PAGE_SIZES))
    for n in range(20):
        AccountFactory(name=f"Tied {n % 2}", owner=owner)
    base = reverse("accounts:list")
    forward = [owner_client.get(base + "?view=active&per_page=5")]
    for _ in range(3):
        forward.append(owner_client.get(base + page_link(forward[-1].content.decode(), "next")))
    response = forward[-1]
    for expected in reversed(forward[:-1]):
        response = owner_client.get(base + page_link(response.content.decode(), "prev"))
        assert response.context["table"].page.number == expected.context["table"].page.number
        assert names_on(response) == names_on(expected)
        assert [r.record.pk for r in response.context["table"].page.object_list] == [
            r.record.pk for r in expected.context["table"].page.object_list
        ]


def test_a_cursor_for_another_sort_or_page_is_ignored(owner_client, owner, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZES", (5, *lists.PAGE_SIZES))
    AccountFactory.create_batch(12, owner=owner)
    base = reverse("accounts:list")
    second = page_link(owner_client.get(base + "?view=active&per_page=5").content.decode(), "next")
    cursor = re.search(r"cursor=([^&]+)", second).group(1)
    offset_page_two = owner_client.get(base + "?view=active&per_page=5&page=2&sort=account_number")
    with_stale_cursor = owner_client.get(base + f"?view=active&per_page=5&page=2&sort=account_number&cursor={cursor}")
    assert names_on(with_stale_cursor) == names_on(offset_page_two)
    garbage = owner_client.get(base + "?view=active&per_page=5&page=2&cursor=not-a-cursor")
    assert garbage.status_code == 200 and len(names_on(garbage)) == 5


def test_sorting_by_a_lookup_column_pages_by_cursor_too(owner_client, owner, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZES", (5, *lists.PAGE_SIZES))
    contact = ContactFactory(owner=owner)
    for n in range(8):
        AccountFactory(owner=owner, primary_contact=contact if n % 2 else None)
    response = owner_client.get(reverse("accounts:list") + "?view=active&per_page=5&sort=primary_contact")
    link = page_link(response.content.decode(), "next")
    assert "page=2" in link and "cursor=" in link
    second = owner_client.get(reverse("accounts:list") + link)
    shown = [row.record.pk for row in response.context["table"].page.object_list]
    shown += [row.record.pk for row in second.context["table"].page.object_list]
    assert shown == list(Account.objects.order_by("primary_contact_name", "id").values_list("pk", flat=True))


def test_a_sort_on_a_column_that_can_be_empty_falls_back_to_page_numbers():
    # NULLs compare as unknown, so "(keys) > (cursor)" would silently drop those rows.
    assert not lists.supports_keyset(Account.objects.order_by("parent__name", "id"))
    assert not lists.supports_keyset(Account.objects.order_by("name", "-id"))
    assert lists.supports_keyset(Account.objects.order_by("-owner_name", "-id"))


def test_the_a_to_z_bar_matches_either_case_and_nothing_else(owner_client, owner):
    for name in ("cobalt", "Contoso", "Acme", "Zeta", "9 Lives"):
        AccountFactory(name=name, owner=owner)
    response = owner_client.get(reverse("accounts:list") + "?view=active&letter=C")
    assert sorted(names_on(response)) == ["Contoso", "cobalt"]
    response = owner_client.get(reverse("accounts:list") + "?view=active&letter=%23")
    assert names_on(response) == ["9 Lives"]


def test_quick_find_on_contacts_still_matches_the_company_name(owner_client, owner):
    company = AccountFactory(name="Fabrikam Foods", owner=owner)
    ContactFactory(first_name="Pat", last_name="Lee", company=company, owner=owner)
    ContactFactory(first_name="Sam", last_name="Fabrikson", owner=owner)
    ContactFactory(first_name="Kim", last_name="Other", owner=owner)
    response = owner_client.get(reverse("contacts:list") + "?view=active&q=fabrik")
    assert sorted(row.record.full_name for row in response.context["table"].page.object_list) == [
        "Pat Lee",
        "Sam Fabrikson",
    ]


def test_a_record_opened_from_a_keyset_page_steps_to_the_same_neighbours(owner_client, owner, monkeypatch):
    from django.http import QueryDict

    monkeypatch.setattr(lists, "PAGE_SIZES", (5, *lists.PAGE_SIZES))
    for n in range(16):
        AccountFactory(name=f"Tied {n % 3}", owner=owner)
    base = reverse("accounts:list")
    response = owner_client.get(base + "?view=active&per_page=5")
    for _ in range(2):  # to page 3, by cursor
        response = owner_client.get(base + page_link(response.content.decode(), "next"))
    keyset_params = response.wsgi_request.GET
    assert "cursor" in keyset_params
    offset_params = QueryDict("view=active&per_page=5&page=3")
    record_set = Account.objects.order_by("name", "id")
    for row in response.context["table"].page.object_list:
        by_cursor = lists.neighbours(record_set=record_set, params=keyset_params, pk=row.record.pk)
        by_offset = lists.neighbours(record_set=record_set, params=offset_params, pk=row.record.pk)
        assert {d: pk for d, (pk, _params) in by_cursor.items()} == {d: pk for d, (pk, _p) in by_offset.items()}
        for direction, (_pk, carried) in by_cursor.items():
            # Stepping off the page lands on a page that is itself read by cursor.
            assert carried["page"] == by_offset[direction][1]["page"]
            assert ("cursor" in carried) == (carried["page"] != "1")
    # And the detail page follows it: the "next" link from the page's last row.
    last = response.context["table"].page.object_list[-1].record
    detail = owner_client.get(reverse("accounts:detail", args=[last.pk]), {"list": keyset_params.urlencode()})
    assert "cursor" in detail.context["record_set"]["next"]
