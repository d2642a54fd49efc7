"""A record type added as its own app (crm/tests/leads, installed by the test settings with
its URLs) gets every shared screen from the registry: navigation, quick create, Home, its
list and detail pages, Recent, global search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import RecentItem
from crm.tests.leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(owner):
    return Lead.objects.create(name="Solar panels for the new depot", emailaddress1="ines@example.org", owner=owner)


def test_the_site_map_and_quick_create_offer_the_new_type(owner_client):
    html = owner_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("leads:list")}"' in html and "<span>Leads</span>" in html
    assert f'href="{reverse("leads:quick_create")}">Lead</a>' in html


def test_home_counts_the_new_type_with_its_own_view_names(owner_client, lead):
    html = owner_client.get(reverse("home")).content.decode()
    assert "My Open Leads" in html and "Open Leads" in html


def test_its_list_shows_its_records_and_highlights_its_site_map_entry(owner_client, lead):
    response = owner_client.get(reverse("leads:list"))
    assert response.status_code == 200
    assert [row.record for row in response.context["table"].page.object_list] == [lead]
    assert response.context["nav_area"] == "leads"


def test_its_detail_page_shows_its_sections_and_lists_it_in_recent(owner_client, owner, lead):
    html = owner_client.get(lead.get_absolute_url()).content.decode()
    assert "ines@example.org" in html and f"Pin {lead.name}" in html
    assert RecentItem.objects.filter(user=owner, object_id=lead.pk).exists()


def test_global_search_finds_it(owner_client, lead):
    response = owner_client.get(reverse("search"), {"q": "solar"})
    found = {result["record_type"].namespace: result["matches"] for result in response.context["results"]}
    assert found["leads"] == [(lead, "ines@example.org")]


def test_quick_create_makes_one(owner_client, owner):
    data = {"name": "Fleet renewal", "command": "save_close", "company": "", "company_label": ""}
    response = owner_client.post(reverse("leads:quick_create"), data)
    assert response.status_code == 302
    assert Lead.objects.get(name="Fleet renewal").owner == owner


def test_bulk_deactivate_works_for_it(owner_client, lead):
    data = {"action": "deactivate", "selected": [lead.pk], "confirmed": "yes"}
    owner_client.post(reverse("leads:bulk"), data)
    lead.refresh_from_db()
    assert not lead.is_active
