"""A capability that is not a record type (like activities) plugs into the site map, Quick
Create and Home with one registration, as a record type does."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse

from crm import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns():
    panel = engines["django"].from_string('<section id="campaign-panel">{{ panel.running }} running</section>')
    registry.register_capability(
        registry.Capability(
            namespace="campaigns",
            label="Campaigns",
            list_url_name="search",
            quick_create=(registry.QuickCreateEntry("Campaign", "search", "q=campaign"),),
            home_panel=registry.HomePanel(panel, lambda user: {"running": 3}),
        )
    )
    yield
    registry.unregister_capability("campaigns")


def test_the_site_map_quick_create_and_home_offer_a_registered_capability(owner_client, campaigns):
    html = owner_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("search")}"' in html and "<span>Campaigns</span>" in html
    assert f'href="{reverse("search")}?q=campaign">Campaign</a>' in html
    assert '<section id="campaign-panel">3 running</section>' in html


def test_activities_are_one_such_registration(owner_client):
    html = owner_client.get(reverse("home")).content.decode()
    assert "<span>Activities</span>" in html
    assert f'href="{reverse("activities:quick_create")}?kind=phone_call">Phone call</a>' in html
    assert "My tasks and appointments" in html
    assert [capability.namespace for capability in registry.capabilities()] == ["activities"]


def test_a_capabilitys_pages_highlight_its_site_map_entry(owner_client):
    assert owner_client.get(reverse("activities:list")).context["nav_area"] == "activities"
