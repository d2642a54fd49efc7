"""Quick find counts its matches up to 500 ("500+"); views keep counting to 5,000."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm import lists
from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def names_on(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(lists, "SEARCH_COUNT_CAP", 5)
    monkeypatch.setattr(lists, "COUNT_CAP", 8)


def test_a_search_with_more_matches_than_its_cap_shows_the_cap_and_a_plus(owner_client, owner, small_caps):
    for n in range(7):
        AccountFactory(name=f"Contoso {n}", owner=owner)
    response = owner_client.get(reverse("accounts:list"), {"q": "contoso"})
    assert (response.context["record_count"], response.context["record_count_capped"]) == (5, True)
    assert "5+" in response.content.decode()
    assert names_on(response) == [f"Contoso {n}" for n in range(7)]


def test_a_view_keeps_its_own_larger_cap(owner_client, owner, small_caps):
    for n in range(7):
        AccountFactory(name=f"Contoso {n}", owner=owner)
    response = owner_client.get(reverse("accounts:list"))
    assert (response.context["record_count"], response.context["record_count_capped"]) == (7, False)


def test_a_search_that_fits_on_its_page_is_counted_exactly(owner_client, owner, small_caps):
    for n in range(4):
        AccountFactory(name=f"Contoso {n}", owner=owner)
    response = owner_client.get(reverse("accounts:list"), {"q": "contoso"})
    assert (response.context["record_count"], response.context["record_count_capped"]) == (4, False)
