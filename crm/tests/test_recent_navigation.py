from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.choices import Status
from crm.tests.bulk_helpers import confirmed
from crm.tests.factories import AccountFactory, ContactFactory
from crm.tests.recent_helpers import (
    numbered_accounts,
    open_record,
    pin,
    pinned_names,
    recent_item_queries,
    recent_names,
)

pytestmark = pytest.mark.django_db


def test_the_site_map_lists_recent_records_with_type_name_time_and_link(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    html = owner_client.get(reverse("accounts:list")).content.decode()
    assert f'<a class="crm-recent-link" href="{account.get_absolute_url()}" title="Contoso">' in html
    assert '<span class="visually-hidden">Account: </span>Contoso</a>' in html
    assert "#account" in html and "Opened now" in html
    assert "Records you open will be listed here." not in html.split('id="pinned-flyout"')[0]


def test_empty_lists_say_what_they_are_for(owner_client):
    html = owner_client.get(reverse("accounts:list")).content.decode()
    assert "Records you open will be listed here." in html
    assert "Pin a record to keep it here." in html


def test_the_home_page_shows_the_recent_list(owner_client):
    open_record(owner_client, ContactFactory(first_name="Ada", last_name="Lovelace"))
    html = owner_client.get(reverse("home")).content.decode()
    panel = html.split('id="home-recent"')[1].split("</section>")[0]
    assert "Ada Lovelace" in panel


def test_home_renders_each_list_once_though_it_shows_recent_in_two_places(owner_client):
    open_record(owner_client, AccountFactory(name="Contoso"))
    pin(owner_client, AccountFactory(name="Fabrikam"))
    response = owner_client.get(reverse("home"))
    html = response.content.decode()
    flyout = html.split('id="recent-flyout"')[1].split("</details>")[0]
    panel = html.split('id="home-recent"')[1].split("</section>")[0]
    assert ">Contoso</a>" in flyout and ">Contoso</a>" in panel
    assert [template.name for template in response.templates].count("includes/recent_items.html") == 2


def test_home_repeats_the_recent_list_without_repeating_an_id(owner_client):
    for account in numbered_accounts(3):
        open_record(owner_client, account)
    pin(owner_client, AccountFactory(name="Pinned"))
    ids = re.findall(r'\sid="([^"]*)"', owner_client.get(reverse("home")).content.decode())
    assert ids and len(ids) == len(set(ids))


def test_a_deleted_record_disappears_from_recent_and_pinned(owner_client):
    gone, pinned_gone, kept = (
        AccountFactory(name="Gone"),
        AccountFactory(name="Pinned gone"),
        AccountFactory(name="Kept"),
    )
    for account in (gone, pinned_gone, kept):
        open_record(owner_client, account)
    pin(owner_client, pinned_gone)
    gone.delete()
    pinned_gone.delete()
    assert recent_names(owner_client) == ["Kept"]
    assert pinned_names(owner_client) == []


def test_a_record_deleted_through_the_bulk_action_disappears_too(owner_client):
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    open_record(owner_client, contact)
    owner_client.post(reverse("contacts:bulk"), confirmed("delete", [contact]))
    assert recent_names(owner_client) == []


def test_an_inactive_record_is_shown_as_inactive(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    type(account).objects.filter(pk=account.pk).update(status=Status.INACTIVE)
    lists = owner_client.get(reverse("home")).context["recent_lists"]
    assert [(entry.label, entry.inactive) for entry in lists.recent] == [("Contoso", True)]
    panel = owner_client.get(reverse("home")).content.decode().split('id="home-recent"')[1]
    assert '<span class="badge text-bg-secondary">Inactive</span>' in panel


def test_a_renamed_record_shows_its_new_name(owner_client):
    account = AccountFactory(name="Contoso")
    open_record(owner_client, account)
    type(account).objects.filter(pk=account.pk).update(name="Contoso Ltd")
    assert recent_names(owner_client) == ["Contoso Ltd"]


def test_record_names_are_escaped(owner_client):
    account = AccountFactory(name='<script>alert("x")</script>')
    open_record(owner_client, account)
    pin(owner_client, AccountFactory(name="<b>bold</b>"))
    html = owner_client.get(reverse("home")).content.decode()
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_user_never_sees_another_users_lists(owner_client, teammate, outsider):
    open_record(owner_client, AccountFactory(name="Owner's recent"))
    pin(owner_client, AccountFactory(name="Owner's pin"))
    for user in (teammate, outsider):
        client = Client()
        client.force_login(user)
        html = client.get(reverse("accounts:list")).content.decode()
        assert "Owner&#x27;s" not in html
        assert recent_names(client) == [] and pinned_names(client) == []


@pytest.mark.parametrize("opened", [0, 1, 20])
def test_the_navigation_reads_both_lists_and_their_names_with_one_query_whatever_their_length(owner_client, opened):
    for account in numbered_accounts(opened):
        open_record(owner_client, account)
    if opened:
        pin(owner_client, AccountFactory(name="Pinned"))
    owner_client.get(reverse("contacts:list"))  # warm the content-type cache, as a running server has
    with CaptureQueriesContext(connection) as captured:
        owner_client.get(reverse("contacts:list"))
    # The lines joined to their records' names (one UNION ALL over the types, each scoped).
    assert len(recent_item_queries(captured)) == 1
    assert len(captured) == BASELINE_CONTACT_LIST_QUERIES + 1


# Session, user, the access version (permissions are cached under it), the list's ids and its
# rows (a view this small needs no count); the one more is the Recent and Pinned lists.
BASELINE_CONTACT_LIST_QUERIES = 4


def test_pages_without_the_site_map_do_not_read_the_lists(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("login"))
    assert recent_item_queries(captured) == []
