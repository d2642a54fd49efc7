"""The top bar and site map are rendered once per process for each language, area and user
(crm.templatetags.chrome); what differs per request is filled in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from crm.templatetags import chrome
from crm.tests.factories import AccountFactory, UserFactory
from crm.tests.recent_helpers import open_record

pytestmark = pytest.mark.django_db


def chrome_templates(response) -> list[str]:
    return [t.name for t in response.templates if t.name in ("includes/topbar.html", "includes/sitemap.html")]


def test_the_top_bar_and_site_map_are_rendered_once_and_reused(owner_client):
    chrome.RENDERED.clear()  # another test's user may have had the same id, name and access
    first = owner_client.get(reverse("accounts:list"))
    second = owner_client.get(reverse("accounts:list"))
    assert chrome_templates(first) == ["includes/topbar.html", "includes/sitemap.html"]
    assert chrome_templates(second) == []
    assert 'aria-current="page">' in second.content.decode()


def test_the_stored_chrome_carries_this_requests_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(reverse("accounts:list"))
    html = client.get(reverse("contacts:list")).content.decode()
    logout_form = html.split(f'action="{reverse("logout")}"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout_form).group(1)
    assert "chrome-" not in html
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_language_switch_comes_back_to_the_page_it_is_on(owner_client):
    owner_client.get(reverse("accounts:list"))
    html = owner_client.get(reverse("accounts:list") + "?view=active&letter=C").content.decode()
    switch = html.split(f'action="{reverse("switch_language")}"')[1]
    assert 'name="next" value="/accounts/?view=active&amp;letter=C"' in switch


def test_recent_lines_are_read_for_each_request(owner_client):
    owner_client.get(reverse("accounts:list"))
    open_record(owner_client, AccountFactory(name="Contoso"))
    html = owner_client.get(reverse("accounts:list")).content.decode()
    flyout = html.split('id="recent-flyout"')[1].split("</details>")[0]
    assert ">Contoso</a>" in flyout
    assert "Records you open will be listed here." not in flyout
    assert "Pin a record to keep it here." in html.split('id="pinned-flyout"')[1].split("</details>")[0]


def test_each_user_sees_their_own_name_and_menu(client):
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace", is_staff=True)
    bob = UserFactory(username="bob", first_name="Bob", last_name="Builder")
    for user, name in ((ada, "Ada Lovelace"), (bob, "Bob Builder")):
        client.force_login(user)
        client.get(reverse("accounts:list"))
        html = client.get(reverse("accounts:list")).content.decode()
        assert f"<strong>{name}</strong>" in html
        assert ("Administration" in html) is (user is ada)


def test_a_change_of_name_or_staff_flag_shows_on_the_next_page(owner, owner_client):
    owner_client.get(reverse("accounts:list"))
    owner.first_name, owner.last_name, owner.is_staff = "Grace", "Hopper", True
    owner.save()
    html = owner_client.get(reverse("accounts:list")).content.decode()
    assert "<strong>Grace Hopper</strong>" in html and "Administration" in html


def test_the_chrome_follows_the_language(owner_client):
    owner_client.get(reverse("accounts:list"))
    owner_client.post(reverse("switch_language"), {"language": "fr", "next": reverse("accounts:list")})
    html = owner_client.get(reverse("accounts:list")).content.decode()
    assert 'aria-label="Plan du site"' in html
