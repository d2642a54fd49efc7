"""A capability that is not a record type (like activities) plugs into the site map, Quick
Create and Home with one registration, as a record type does."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import reverse

from accounts.models import Account
from crm import registry
from crm.tests.factories import AccountFactory, ContactFactory

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


@pytest.fixture
def notes_panel():
    """A capability with a panel on account pages only, which takes its own form."""
    registry.register_capability(
        registry.Capability(
            namespace="stickers",
            label="Stickers",
            list_url_name="search",
            record_panel=registry.RecordPanel(
                template=engines["django"].from_string('<p class="sticker">{{ sticker }}</p>'),
                applies_to=lambda model: model is Account,
                context=lambda view, **kwargs: {"sticker": f"Sticker for {view.object.name}"},
                post_field="sticker",
                post=lambda view, request: HttpResponse(f"stuck on {view.object.name}"),
            ),
        )
    )
    yield
    registry.unregister_capability("stickers")


def test_a_record_type_gets_a_capability_panel_by_registration(owner_client, notes_panel, owner):
    account = AccountFactory(name="Panel Ltd", owner=owner)
    contact = ContactFactory(last_name="Nopanel", owner=owner)
    page = owner_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Sticker for Panel Ltd" in page and 'id="timeline"' in page  # and the activities' timeline
    assert "Sticker for" not in owner_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    response = owner_client.post(reverse("accounts:detail", args=[account.pk]), {"sticker": "1"})
    assert response.content == b"stuck on Panel Ltd"
    assert owner_client.post(reverse("accounts:detail", args=[account.pk]), {}).status_code == 405
    # The Details tab shows no panel.
    details = owner_client.get(reverse("accounts:detail", args=[account.pk]), {"tab": "details"}).content.decode()
    assert "Sticker for" not in details and 'id="timeline"' not in details
