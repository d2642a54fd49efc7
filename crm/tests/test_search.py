from __future__ import annotations

import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_global_search_finds_accounts_and_contacts_of_everyone(owner_client, owner, teammate):
    AccountFactory(name="Contoso", owner=teammate)
    ContactFactory(first_name="Ann", last_name="Contoso-Lee", owner=owner)
    AccountFactory(name="Fabrikam", owner=owner)
    response = owner_client.get(reverse("search"), {"q": "contoso"})
    found = {result["record_type"].namespace: result["matches"] for result in response.context["results"]}
    assert [(account.name, city) for account, city in found["accounts"]] == [("Contoso", "Seattle")]
    assert [(contact.full_name, company) for contact, company in found["contacts"]] == [("Ann Contoso-Lee", "")]


def test_an_empty_search_explains_what_to_type(owner_client):
    response = owner_client.get(reverse("search"), {"q": "  "})
    assert "Type a name, number, email address" in response.content.decode()


def test_search_terms_are_escaped(owner_client):
    html = owner_client.get(reverse("search"), {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
