"""Every screen and command, tried by each persona of access/tests/conftest.py: each sees and
changes exactly what their roles, teams, business unit and shares allow."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from access.models import UserAccess
from access.services import user_move
from accounts.models import Account
from contacts.models import Contact
from crm.tests.bulk_helpers import confirmed
from crm.tests.recent_helpers import pin, pinned_names

pytestmark = pytest.mark.django_db

READERS_OF_MINE = {"owner", "teammate", "colleague", "manager", "admin", "shared_with"}
WRITERS_OF_MINE = {"owner", "manager", "admin", "shared_with"}
DELETERS_OF_MINE = {"owner", "manager", "admin"}
READERS_OF_TEAM = {"owner", "teammate", "colleague", "manager", "admin"}
WRITERS_OF_TEAM = {"owner", "teammate", "manager", "admin"}
READERS_OF_FAR = {"manager", "admin"}
PERSONAS = ["owner", "teammate", "colleague", "other_bu", "manager", "admin", "no_role", "shared_with"]


def expected_status(persona: str, readers: set, allowed: set) -> int:
    if persona not in readers:
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_record_page_opens_only_for_those_who_may_read_it(org, persona):
    client = org.client(persona)
    for record, readers in (
        (org.mine, READERS_OF_MINE),
        (org.team_account, READERS_OF_TEAM),
        (org.far, READERS_OF_FAR),
    ):
        assert client.get(record.get_absolute_url()).status_code == (200 if persona in readers else 404), record


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_edit_form_opens_for_writers_and_says_why_to_readers(org, persona):
    client = org.client(persona)
    for record, readers, writers in (
        (org.mine, READERS_OF_MINE, WRITERS_OF_MINE),
        (org.team_account, READERS_OF_TEAM, WRITERS_OF_TEAM),
    ):
        response = client.get(reverse("accounts:update", args=[record.pk]))
        assert response.status_code == expected_status(persona, readers, writers), record
        if response.status_code == 403:
            assert "Your security roles let you write only accounts" in response.content.decode()


@pytest.mark.parametrize("persona", ["teammate", "colleague", "other_bu", "no_role"])
def test_an_edit_posted_by_someone_not_allowed_changes_nothing(org, persona):
    response = org.client(persona).post(
        reverse("accounts:update", args=[org.mine.pk]), {"name": "Hijacked", "loaded_version": org.mine.version}
    )
    assert response.status_code in (403, 404)
    assert Account.objects.get(pk=org.mine.pk).name == "Mine Ltd"


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_is_allowed_only_to_those_with_the_delete_privilege(org, persona):
    response = org.client(persona).post(reverse("contacts:delete", args=[org.contact.pk]))
    readers = READERS_OF_MINE - {"shared_with"}  # the account is shared with them, not its contact
    assert response.status_code == (302 if persona in DELETERS_OF_MINE else 404 if persona not in readers else 403)
    assert Contact.objects.filter(pk=org.contact.pk).exists() == (persona not in DELETERS_OF_MINE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_bulk_delete_of_another_users_account_fails_without_the_privilege(org, persona):
    org.contact.delete()  # an account with contacts is never deleted: leave only the access rule
    client = org.client(persona)
    data = confirmed("delete", [org.mine])
    client.post(reverse("accounts:bulk"), data)
    assert Account.objects.filter(pk=org.mine.pk).exists() == (persona not in DELETERS_OF_MINE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_bulk_deactivate_changes_only_the_records_one_may_write(org, persona):
    client = org.client(persona)
    data = confirmed("deactivate", [org.mine, org.team_account])
    response = client.post(reverse("accounts:bulk"), data, follow=True)
    mine, team = (Account.objects.get(pk=record.pk) for record in (org.mine, org.team_account))
    assert (not mine.is_active) == (persona in WRITERS_OF_MINE)
    assert (not team.is_active) == (persona in WRITERS_OF_TEAM)
    refused = (persona in READERS_OF_MINE and persona not in WRITERS_OF_MINE) or (
        persona in READERS_OF_TEAM and persona not in WRITERS_OF_TEAM
    )
    assert ("left unchanged" in response.content.decode()) == refused


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_their_counts_and_quick_find_show_only_readable_records(org, persona):
    client = org.client(persona)
    expected = {
        name
        for name, readers in (("Mine Ltd", READERS_OF_MINE), ("Team Ltd", READERS_OF_TEAM), ("Far Ltd", READERS_OF_FAR))
        if persona in readers
    }
    for query in ("?view=active", "?view=active&q=ltd", "?view=active&letter=M"):
        response = client.get(reverse("accounts:list") + query)
        shown = {str(row.record) for row in response.context["table"].page.object_list}
        wanted = {name for name in expected if "letter=M" not in query or name.startswith("M")}
        assert shown == wanted, query
        assert response.context["record_count"] == len(wanted)


@pytest.mark.parametrize("persona", PERSONAS)
def test_global_search_and_home_counts_show_only_readable_records(org, persona):
    client = org.client(persona)
    results = client.get(reverse("search") + "?q=ltd").context["results"]
    accounts = next(result for result in results if result["record_type"].namespace == "accounts")
    found = {str(account) for account, _detail in accounts["matches"]}
    assert ("Mine Ltd" in found) == (persona in READERS_OF_MINE)
    assert ("Far Ltd" in found) == (persona in READERS_OF_FAR)
    stats = client.get(reverse("home")).context["stats"]
    active_accounts = next(s for s in stats if s["record_type"].namespace == "accounts" and s["view"] == "active")
    readable = sum(persona in readers for readers in (READERS_OF_MINE, READERS_OF_TEAM, READERS_OF_FAR))
    assert active_accounts["count"] == (readable, False)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lookups_offer_only_records_one_may_read_and_append_to(org, persona):
    results = org.client(persona).get(reverse("accounts:lookup") + "?q=ltd").json()["results"]
    labels = {result["label"] for result in results}
    assert ("Mine Ltd" in labels) == (persona in READERS_OF_MINE - {"shared_with"})
    assert ("Far Ltd" in labels) == (persona in READERS_OF_FAR)


def test_a_typed_company_name_one_cannot_see_is_unknown(org):
    client = org.client("other_bu")
    data = {"first_name": "Sam", "last_name": "South", "company": "", "company_label": "Mine Ltd"}
    response = client.post(reverse("contacts:create"), data)
    assert "No active account is called “Mine Ltd”" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_hold_only_readable_rows(org, persona):
    user = org.users[persona]
    user.user_permissions.add(Permission.objects.get(codename="export_account"))
    response = org.client(persona).get(reverse("imports:export", args=["account", "csv"]) + "?view=active")
    if persona == "no_role":
        assert response.status_code == 403
        return
    body = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else ""
    assert ("Mine Ltd" in body) == (persona in READERS_OF_MINE)
    assert ("Far Ltd" in body) == (persona in READERS_OF_FAR)


def test_a_pinned_record_disappears_when_access_is_lost(org):
    client = org.client("colleague")
    pin(client, org.mine)
    assert pinned_names(client) == ["Mine Ltd"]
    user_move(user=org.users["colleague"], business_unit=org.south)
    assert pinned_names(client) == []
    assert client.get(org.mine.get_absolute_url()).status_code == 404


def test_a_user_removed_from_a_team_loses_its_access_at_once(org):
    client = org.client("teammate")
    assert client.get(reverse("accounts:update", args=[org.team_account.pk])).status_code == 200
    org.team.members.remove(org.users["teammate"])
    assert client.get(reverse("accounts:update", args=[org.team_account.pk])).status_code == 403


def test_previous_and_next_step_only_through_readable_records(org):
    client = org.client("colleague")
    params = "view=active"
    response = client.get(org.mine.get_absolute_url() + "?list=" + params)
    links = response.context["record_set"]
    stepped = {client.get(links[key]).context["object"].name for key in ("previous", "next") if key in links}
    assert "Far Ltd" not in stepped and stepped <= {"Team Ltd"}


@pytest.mark.parametrize("url_name", ["accounts:create", "accounts:quick_create"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_new_records_need_the_create_privilege_and_belong_to_their_creator(org, persona, url_name):
    client = org.client(persona)
    response = client.post(reverse(url_name), {"name": f"New by {persona}", "owner": org.users["admin"].pk})
    if persona == "no_role":
        assert response.status_code == 403
        assert "no security role" in response.content.decode()
        return
    account = Account.objects.get(name=f"New by {persona}")
    assert account.owner == org.users[persona]
    assert account.business_unit == UserAccess.objects.get(user=org.users[persona]).business_unit


def test_a_user_without_a_role_sees_an_empty_app_with_a_message(org):
    client = org.client("no_role")
    html = client.get(reverse("home")).content.decode()
    assert "You have no security role yet." in html
    response = client.get(reverse("accounts:list") + "?view=active")
    assert response.status_code == 200 and response.context["record_count"] == 0


@pytest.mark.parametrize("persona", ["colleague", "manager", "admin"])
def test_the_admin_lists_only_readable_records(org, persona):
    user = org.users[persona]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_account", "change_account"]))
    response = org.client(persona).get(reverse("admin:accounts_account_changelist"))
    names = {str(account) for account in response.context["cl"].result_list}
    assert ("Far Ltd" in names) == (persona in READERS_OF_FAR)
    assert "Mine Ltd" in names
    change = org.client(persona).get(reverse("admin:accounts_account_change", args=[org.mine.pk]))
    assert b'name="name"' in change.content if persona in WRITERS_OF_MINE else b'name="name"' not in change.content


def test_a_team_owned_record_shows_its_team_as_owner_in_the_list_and_on_its_page(org):
    client = org.client("teammate")
    html = client.get(reverse("accounts:list") + "?view=active&q=team").content.decode()
    assert ">North Sales</td>" in html
    assert "Owner: <strong>North Sales</strong>" in client.get(org.team_account.get_absolute_url()).content.decode()


def test_the_admin_import_is_for_system_administrators_only(org):
    for persona, allowed in (("colleague", False), ("admin", True)):
        user = org.users[persona]
        user.is_staff = True
        user.save()
        user.user_permissions.add(*Permission.objects.filter(codename__in=["view_account", "import_account"]))
        response = org.client(persona).get(reverse("admin:accounts_account_import"))
        assert (response.status_code == 200) == allowed


def test_without_the_append_privilege_a_record_links_to_nothing(org):
    from access.models import RolePrivilege

    cell = RolePrivilege.objects.get(role__name="Salesperson", record_type="contacts.contact", privilege="append")
    cell.depth = 0
    cell.save()
    data = {"first_name": "Sam", "last_name": "North", "company": "", "company_label": "Mine Ltd"}
    response = org.client("colleague").post(reverse("contacts:create"), data)
    page = html.unescape(response.content.decode())
    assert (
        "You may not link this contact to other records: Your security roles (Salesperson) give you no append" in page
    )
    assert 'value="Mine Ltd"' in page and not Contact.objects.filter(last_name="North").exists()
    cell.depth = 1
    cell.save()  # a saved privilege makes every cached access stale at once
    response = org.client("colleague").post(reverse("contacts:create"), data)
    assert Contact.objects.get(last_name="North").company == org.mine


def test_a_teams_roles_add_to_its_members_and_leave_with_them(org):
    from access.models import SecurityRole

    client = org.client("no_role")
    assert client.get(org.mine.get_absolute_url()).status_code == 404
    org.team.roles.add(SecurityRole.objects.get(name="Salesperson"))
    org.team.members.add(org.users["no_role"])
    assert client.get(org.mine.get_absolute_url()).status_code == 200  # the team role reads North
    assert client.get(reverse("accounts:update", args=[org.team_account.pk])).status_code == 200
    org.team.members.remove(org.users["no_role"])
    assert client.get(org.mine.get_absolute_url()).status_code == 404


def link_parent(org, persona: str, account, parent_name: str):
    from accounts.forms import AccountForm
    from audit.tests.conftest import edit_data

    data = edit_data(account, form_class=AccountForm, user=org.users[persona], loaded_version=account.version)
    data.update(parent="", parent_label=parent_name)
    return org.client(persona).post(reverse("accounts:update", args=[account.pk]), data)


def test_changing_a_link_takes_append_on_that_very_record_not_just_its_type(org):
    # shared_with may write `mine` (shared read + write) and holds Append on accounts (their own),
    # but not on `mine`: its other fields change, its parent doesn't.
    from crm.tests.factories import AccountFactory

    AccountFactory(name="South Ltd", owner=org.users["other_bu"])  # shared_with may append to it
    refused = link_parent(org, "shared_with", org.mine, "South Ltd")
    page = html.unescape(refused.content.decode())
    assert "You may not link this account to other records" in page and 'value="South Ltd"' in page
    org.mine.refresh_from_db()
    assert org.mine.parent is None
    # The owner holds Append on `mine`, and Append To on the North team's account.
    assert link_parent(org, "owner", org.mine, "Team Ltd").status_code == 302
    org.mine.refresh_from_db()
    assert org.mine.parent == org.team_account


def test_a_link_target_needs_append_to_on_that_very_record(org):
    # Far Ltd is in North West: outside the owner's reach for Read and Append To.
    response = link_parent(org, "owner", org.mine, "Far Ltd")
    assert "No active account is called “Far Ltd”" in html.unescape(response.content.decode())
    # The Sales Manager of North reaches North West.
    response = link_parent(org, "manager", org.mine, "Far Ltd")
    assert response.status_code == 302, response.context["form"].errors


def test_a_record_without_append_keeps_its_link_when_other_fields_change(org):
    from accounts.forms import AccountForm
    from audit.tests.conftest import edit_data

    org.mine.parent = org.team_account
    org.mine.save()
    data = edit_data(org.mine, form_class=AccountForm, user=org.users["shared_with"], loaded_version=org.mine.version)
    data.update(telephone1="+1 425 555 0142", parent=org.team_account.pk, parent_label="Team Ltd")
    response = org.client("shared_with").post(reverse("accounts:update", args=[org.mine.pk]), data)
    assert response.status_code == 302
    org.mine.refresh_from_db()
    assert (org.mine.telephone1, org.mine.parent) == ("+1 425 555 0142", org.team_account)


def test_may_append_is_per_record_and_per_type_for_a_new_record(org):
    from access import guard
    from accounts.models import Account

    assert guard.may_append(org.mine, org.users["owner"])
    assert not guard.may_append(org.mine, org.users["shared_with"])
    assert guard.may_append(Account, org.users["shared_with"])
    assert guard.may_append(Account(name="New"), org.users["shared_with"])
    assert not guard.may_append(Account, org.users["no_role"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_active_shows_what_one_owns_and_may_read_without_the_access_branches(org, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.tests.factories import AccountFactory

    user = org.users[persona]
    AccountFactory(name="Own Ltd", owner=user)
    client = org.client(persona)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("accounts:list") + "?view=my_active&sort=address1_city")
    shown = {str(row.record) for row in response.context["table"].page.object_list}
    # Everyone with a role reads what they own; a user without one reads nothing.
    assert shown == (set() if persona == "no_role" else {"Own Ltd"} | ({"Mine Ltd"} if persona == "owner" else set()))
    list_queries = [query["sql"] for query in captured if "crm_recentitem" not in query["sql"]]
    assert not any("UNION" in sql and "accounts_account" in sql for sql in list_queries)
