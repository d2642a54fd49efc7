"""Record pages in D365's shape: a Summary tab (the key fields that are filled in, the
timeline, related records) and a Details tab (every section, empty fields folded away),
switched by links, so without JavaScript."""

from __future__ import annotations

import pytest

from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_the_summary_shows_only_filled_key_fields_and_the_timeline(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner, industry="consulting", telephone1="", website="")
    response = owner_client.get(account.get_absolute_url())
    page = response.content.decode()
    assert response.context["record_tab"] == "summary"
    labels = [str(field["label"]) for field in response.context["summary"]]
    assert "Industry" in labels and "Main Phone" not in labels and "Website" not in labels
    assert 'id="timeline"' in page and "Address 1: Street 1" not in page
    assert 'aria-current="page">Summary</a>' in page and 'href="?tab=details">Details</a>' in page


def test_details_shows_every_section_with_empty_fields_folded(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner, address1_city="Lyon", address1_line1="")
    response = owner_client.get(account.get_absolute_url(), {"tab": "details"})
    page = response.content.decode()
    assert 'aria-current="page">Details</a>' in page and 'id="timeline"' not in page
    address = next(section for section in response.context["sections"] if section["title"] == "Address")
    filled = [str(field["label"]) for field in address["fields"]]
    assert "Address 1: City" in filled and "Address 1: Street 1" not in filled
    assert "Address 1: Street 1" in [str(field["label"]) for field in address["empty"]]
    assert '<details class="crm-empty-fields">' in page and "Record information" in page


def test_an_unknown_tab_is_the_summary(owner_client, owner):
    account = AccountFactory(owner=owner)
    assert owner_client.get(account.get_absolute_url(), {"tab": "<script>"}).context["record_tab"] == "summary"
