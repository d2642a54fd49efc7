from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_the_detail_page_shows_the_record_its_contacts_parent_and_sub_accounts(owner_client, owner):
    parent = AccountFactory(name="Group", owner=owner)
    account = AccountFactory(name="Contoso", parent=parent, owner=owner, industry="consulting")
    AccountFactory(name="Contoso Lab", parent=account, owner=owner)
    ContactFactory(first_name="Ann", last_name="Lee", company=account, owner=owner)
    html = owner_client.get(account.get_absolute_url()).content.decode()
    for text in ["Contoso", "Consulting", "Group", "Contoso Lab", "Ann Lee", "Contacts (1)", "Olivia Owner"]:
        assert text in html
    assert f'href="/contacts/new/?company={account.pk}&amp;next=/accounts/{account.pk}/"' in html


@pytest.mark.parametrize("reader", ["owner_client", "admin_client"])  # counted by scope / of all
def test_a_page_lists_the_first_contacts_and_counts_them_all(request, reader, owner, monkeypatch):
    from accounts import views

    owner_client = request.getfixturevalue(reader)
    monkeypatch.setattr(views, "RELATED_SHOWN", 3)
    account = AccountFactory(name="Contoso", owner=owner)
    ContactFactory.create_batch(3, company=account, owner=owner)
    html = owner_client.get(account.get_absolute_url()).content.decode()
    assert "Contacts (3)" in html and "All contacts" not in html

    ContactFactory.create_batch(2, company=account, owner=owner)
    html = owner_client.get(account.get_absolute_url()).content.decode()
    assert "Contacts (5)" in html and "All contacts" in html


def test_emails_websites_and_phones_are_links(owner_client, owner):
    account = AccountFactory(
        owner=owner,
        emailaddress1="info@contoso.example.com",
        website="https://contoso.example.com",
        telephone1="+1 (425) 555-0100",
    )
    html = owner_client.get(account.get_absolute_url()).content.decode()
    assert '<a href="mailto:info@contoso.example.com">info@contoso.example.com</a>' in html
    assert '<a href="https://contoso.example.com" rel="noopener noreferrer" target="_blank">' in html
    assert '<a href="tel:+14255550100">+1 (425) 555-0100</a>' in html


def test_the_detail_page_steps_through_the_list_it_was_opened_from(owner_client, owner):
    a, b, c = (AccountFactory(name=name, owner=owner) for name in ["A", "B", "C"])
    response = owner_client.get(b.get_absolute_url(), {"list": "sort=name"})
    links = response.context["record_set"]
    assert links["previous"] == f"/accounts/{a.pk}/?list=sort%3Dname%26page%3D1"
    assert links["next"] == f"/accounts/{c.pk}/?list=sort%3Dname%26page%3D1"
    assert links["list"] == "/accounts/?sort=name"


def test_the_detail_page_steps_through_the_list_as_it_first_opened(owner_client, owner):
    a, b, c = (AccountFactory(name=name, owner=owner) for name in ["A", "B", "C"])
    links = owner_client.get(b.get_absolute_url(), {"list": ""}).context["record_set"]
    assert links == {
        "list": "/accounts/",
        "previous": f"/accounts/{a.pk}/?list=page%3D1",
        "next": f"/accounts/{c.pk}/?list=page%3D1",
    }


def test_stepping_crosses_into_the_next_page(owner_client, owner):
    accounts = [AccountFactory(name=f"N{i:02d}", owner=owner) for i in range(26)]
    response = owner_client.get(accounts[24].get_absolute_url(), {"list": "per_page=25"})
    assert response.context["record_set"]["next"].endswith("per_page%3D25%26page%3D2")


def test_an_unknown_record_is_a_404(owner_client):
    assert owner_client.get(reverse("accounts:detail", args=[999999])).status_code == 404


def test_deleting_an_account_with_contacts_is_refused_with_advice(owner_client, owner):
    account = AccountFactory(owner=owner)
    ContactFactory(company=account, owner=owner)
    url = reverse("accounts:delete", args=[account.pk])
    assert "so it can't be deleted. Deactivate it instead" in owner_client.get(url).content.decode()
    response = owner_client.post(url, follow=True)
    assert "Deactivate the account instead" in response.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()


def test_deleting_an_account_unlinks_its_sub_accounts(owner_client, owner):
    account = AccountFactory(owner=owner)
    child = AccountFactory(parent=account, owner=owner)
    url = reverse("accounts:delete", args=[account.pk])
    assert "Its 1 sub-account stays, without a parent account." in owner_client.get(url).content.decode()
    response = owner_client.post(url)
    assert response["Location"] == reverse("accounts:list")
    child.refresh_from_db()
    assert child.parent is None and not Account.objects.filter(pk=account.pk).exists()


def test_delete_needs_a_post(owner_client, owner):
    account = AccountFactory(owner=owner)
    owner_client.get(reverse("accounts:delete", args=[account.pk]))
    assert Account.objects.filter(pk=account.pk).exists()
