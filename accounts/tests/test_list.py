from __future__ import annotations

import pytest
from django.urls import reverse

from crm import lists
from crm.choices import Status
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
LIST = reverse("accounts:list")


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


def test_my_active_accounts_is_the_default_view(owner_client, owner, teammate):
    AccountFactory(name="Mine", owner=owner)
    AccountFactory(name="Mine but inactive", owner=owner, status=Status.INACTIVE)
    AccountFactory(name="Theirs", owner=teammate)
    response = owner_client.get(LIST)
    assert names(response) == ["Mine"]
    assert "My Active Accounts" in response.content.decode()


@pytest.mark.parametrize(
    ("view", "expected"),
    [("my_active", ["Mine"]), ("active", ["Mine", "Theirs"]), ("inactive", ["Old"])],
)
def test_each_view_lists_exactly_its_records(owner_client, owner, teammate, view, expected):
    AccountFactory(name="Mine", owner=owner)
    AccountFactory(name="Theirs", owner=teammate)
    AccountFactory(name="Old", owner=teammate, status=Status.INACTIVE)
    assert names(owner_client.get(LIST, {"view": view})) == expected


def test_an_unknown_view_falls_back_to_the_default(owner_client, owner, teammate):
    AccountFactory(name="Mine", owner=owner)
    AccountFactory(name="Theirs", owner=teammate)
    assert names(owner_client.get(LIST, {"view": "everything"})) == ["Mine"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("contoso", ["Contoso Ltd"]),
        ("ACC-777", ["Fabrikam"]),
        ("sales@north", ["Northwind"]),
        ("555 0199", ["Litware"]),
        ("lyon", ["Alpine"]),
    ],
)
def test_search_this_view_matches_name_number_email_phone_and_city(owner_client, owner, term, expected):
    AccountFactory(name="Contoso Ltd", owner=owner)
    AccountFactory(name="Fabrikam", account_number="ACC-777", owner=owner)
    AccountFactory(name="Northwind", emailaddress1="sales@northwind.example.com", owner=owner)
    AccountFactory(name="Litware", telephone1="+1 425 555 0199", owner=owner)
    AccountFactory(name="Alpine", address1_city="Lyon", owner=owner)
    assert names(owner_client.get(LIST, {"q": term})) == expected


def test_search_stays_within_the_chosen_view(owner_client, owner, teammate):
    AccountFactory(name="Contoso Mine", owner=owner)
    AccountFactory(name="Contoso Theirs", owner=teammate)
    assert names(owner_client.get(LIST, {"q": "contoso"})) == ["Contoso Mine"]
    assert names(owner_client.get(LIST, {"q": "contoso", "view": "active"})) == ["Contoso Mine", "Contoso Theirs"]


def test_the_jump_bar_filters_by_first_letter(owner_client, owner):
    for name in ["Alpha", "Beta", "bravo", "3M"]:
        AccountFactory(name=name, owner=owner)
    assert names(owner_client.get(LIST, {"letter": "B"})) == ["Beta", "bravo"]
    assert names(owner_client.get(LIST, {"letter": "#"})) == ["3M"]


def test_the_jump_bar_links_filter_and_show_the_current_letter(owner_client, owner):
    AccountFactory(name="Contoso", owner=owner)
    html = owner_client.get(LIST).content.decode()
    assert 'href="?letter=C"' in html and "??" not in html
    html = owner_client.get(LIST, {"letter": "C"}).content.decode()
    assert '<a href="?letter=C" class="active" aria-current="true">C</a>' in html


def test_columns_sort_both_ways(owner_client, owner):
    AccountFactory(name="B", address1_city="Oslo", owner=owner)
    AccountFactory(name="A", address1_city="Paris", owner=owner)
    AccountFactory(name="C", address1_city="Lima", owner=owner)
    assert names(owner_client.get(LIST, {"sort": "address1_city"})) == ["C", "B", "A"]
    assert names(owner_client.get(LIST, {"sort": "-name"})) == ["C", "B", "A"]


def test_pages_hold_the_chosen_number_of_rows(owner_client, owner):
    AccountFactory.create_batch(30, owner=owner)
    assert len(names(owner_client.get(LIST, {"per_page": 25}))) == 25
    assert len(names(owner_client.get(LIST, {"per_page": 25, "page": 2}))) == 5
    assert len(names(owner_client.get(LIST, {"per_page": 7}))) == 30  # not offered: the default, 50


def test_the_record_count_is_capped_instead_of_counting_everything(owner_client, owner, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    AccountFactory.create_batch(5, owner=owner)
    response = owner_client.get(LIST)
    assert response.context["record_count_capped"] is True
    assert "3+ records" in response.content.decode()


def test_names_link_to_the_record_remembering_the_list(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner)
    html = owner_client.get(LIST, {"q": "cont"}).content.decode()
    assert f'href="/accounts/{account.pk}/?list=q%3Dcont"' in html


def test_names_link_to_the_record_remembering_the_list_as_it_first_opens(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner)
    html = owner_client.get(LIST).content.decode()
    assert f'href="/accounts/{account.pk}/?list="' in html


def test_rows_show_links_names_labels_and_a_dash_for_empty_cells(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner, address1_city="", emailaddress1="a@contoso.example.com")
    contact = ContactFactory(first_name="Ann", last_name="Lee", company=account, owner=owner)
    account.primary_contact = contact
    account.save()
    html = owner_client.get(LIST).content.decode()
    row = html[html.index(f'value="{account.pk}"') :].split("</tr>")[0]
    assert f'<a href="/accounts/{account.pk}/?list=">Contoso</a>' in row
    assert f'<a href="/contacts/{contact.pk}/">Ann Lee</a>' in row
    assert '<a href="mailto:a@contoso.example.com">a@contoso.example.com</a>' in row
    assert '<td data-label="Owner" data-priority="4">Olivia Owner</td>' in row
    assert '<td data-label="Status" data-priority="4">Active</td>' in row
    assert '<td data-label="City" data-priority="3">—</td>' in row
