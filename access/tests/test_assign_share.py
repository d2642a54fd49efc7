"""Assign, Share and "Why can I see this?", tried by the personas of access/tests/conftest.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access.models import RecordShare, ShareRight
from access.tests.factories import TeamFactory
from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
ASSIGN = reverse("access:assign", args=["accounts.account"])


def assign(client, records, **choice):
    data = {"selected": [record.pk for record in records], "confirmed": "yes", "next": "/", **choice}
    return client.post(ASSIGN, data, follow=True)


def test_the_owner_assigns_an_account_to_a_team_and_its_contacts_go_along(org):
    response = assign(org.client("owner"), [org.mine], to="team", team=org.team.pk, carry="all")
    assert "1 record was assigned to North Sales." in response.content.decode()
    mine, contact = Account.objects.get(pk=org.mine.pk), Contact.objects.get(pk=org.contact.pk)
    assert mine.owner is None and mine.owner_team == org.team and mine.owner_name == "North Sales"
    assert mine.business_unit == org.north and mine.version == org.mine.version + 1
    assert contact.owner_team == org.team


@pytest.mark.parametrize(
    ("carry", "moved"),
    [
        ("all", {"Active", "Inactive", "Other's"}),
        ("active", {"Active", "Other's"}),
        ("owned", {"Active", "Inactive"}),
        ("none", set()),
    ],
)
def test_an_accounts_contacts_are_carried_per_option(org, carry, moved):
    org.contact.delete()
    ContactFactory(last_name="Active", company=org.mine, owner=org.users["owner"])
    ContactFactory(last_name="Inactive", company=org.mine, owner=org.users["owner"], status="inactive")
    ContactFactory(last_name="Other's", company=org.mine, owner=org.users["teammate"])
    assign(org.client("admin"), [org.mine], to="user", user=org.users["colleague"].pk, carry=carry)
    assert set(Contact.objects.filter(owner=org.users["colleague"]).values_list("last_name", flat=True)) == moved


def test_assigning_to_me_from_the_list_takes_several_rows_and_skips_those_i_may_not_assign(org):
    response = assign(org.client("teammate"), [org.team_account, org.mine], to="me", carry="none")
    html = response.content.decode()
    assert "1 record was assigned to Teammate." in html and "1 record was not assigned" in html
    assert Account.objects.get(pk=org.team_account.pk).owner == org.users["teammate"]
    assert Account.objects.get(pk=org.mine.pk).owner == org.users["owner"]


@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        ("inactive", "is inactive and can't own records"),
        ("no_role", "has no security role that lets them read accounts"),
        ("south_team", "is in another business unit (South)"),
    ],
)
def test_an_assignment_the_new_owner_cant_take_is_refused_with_the_reason_and_changes_nothing(org, choice, reason):
    if choice == "inactive":
        data = {"to": "user", "user": UserFactory(username="gone", is_active=True).pk}
        type(org.users["owner"]).objects.filter(username="gone").update(is_active=False)
    elif choice == "no_role":
        data = {"to": "user", "user": org.users["no_role"].pk}
    else:
        data = {"to": "team", "team": TeamFactory(name="South Team", business_unit=org.south).pk}
    response = assign(org.client("owner"), [org.mine], **data, carry="all")
    html = response.content.decode()
    if choice == "inactive":  # an inactive user isn't even offered
        assert "Select a valid choice" in html
    else:
        assert reason in html
    mine = Account.objects.get(pk=org.mine.pk)
    assert mine.owner == org.users["owner"] and mine.version == org.mine.version


def test_an_edit_opened_before_an_assignment_meets_the_conflict_page(org):
    client = org.client("owner")
    loaded = org.mine.version
    assign(org.client("admin"), [org.mine], to="user", user=org.users["owner"].pk, carry="none")
    response = client.post(
        reverse("accounts:update", args=[org.mine.pk]), {"name": "Late edit", "loaded_version": loaded}
    )
    assert "saved this record after you opened it" in response.content.decode()
    assert Account.objects.get(pk=org.mine.pk).name == "Mine Ltd"


def test_sharing_a_contact_lets_a_colleague_of_another_unit_see_it_and_unsharing_takes_it_back(org):
    viewer = org.client("other_bu")
    assert viewer.get(org.contact.get_absolute_url()).status_code == 404
    share_url = reverse("access:share", args=["contacts.contact", org.contact.pk])
    org.client("owner").post(share_url, {"user": org.users["other_bu"].pk, "rights": [ShareRight.READ]})
    assert viewer.get(org.contact.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("contacts:update", args=[org.contact.pk])).status_code == 403
    share = RecordShare.objects.get(user=org.users["other_bu"])
    page = org.client("owner").get(share_url).content.decode()
    assert "Stop sharing with Other Bu" in page
    org.client("owner").post(share_url, {"remove": share.pk})
    assert viewer.get(org.contact.get_absolute_url()).status_code == 404


def test_a_share_never_grants_more_than_the_grantees_roles_allow(org):
    share_url = reverse("access:share", args=["contacts.contact", org.contact.pk])
    response = org.client("owner").post(share_url, {"user": org.users["no_role"].pk, "rights": [ShareRight.READ]})
    assert "security roles don&#x27;t allow Read" in response.content.decode()
    assert not RecordShare.objects.filter(user=org.users["no_role"]).exists()


def test_only_those_with_the_share_privilege_may_share(org):
    share_url = reverse("access:share", args=["contacts.contact", org.contact.pk])
    assert org.client("colleague").get(share_url).status_code == 403
    assert org.client("other_bu").get(share_url).status_code == 404


def test_why_can_i_see_this_names_every_path_for_an_administrator(org):
    html = org.client("admin").get(reverse("access:why", args=["accounts.account", org.mine.pk])).content.decode()
    assert "records of the business unit North" in html  # the colleagues of North
    assert "owner" in html
    assert "shared with them or their team" in html  # shared_with
    assert "every record of the organisation" in html  # the administrator
    assert "Other Bu" not in html


def test_why_can_i_see_this_answers_only_for_myself_to_others(org):
    html = (
        org.client("teammate")
        .get(reverse("access:why", args=["accounts.account", org.team_account.pk]))
        .content.decode()
    )
    assert "member of the owning team North Sales" in html
    assert "Colleague" not in html


@pytest.mark.parametrize(
    "persona", ["owner", "teammate", "colleague", "other_bu", "manager", "admin", "no_role", "shared_with"]
)
def test_the_python_reading_of_the_rules_agrees_with_the_queries(org, persona):
    from access import guard
    from access.scope import access_of

    user = type(org.users[persona]).objects.get(pk=org.users[persona].pk)
    for record in (*Account.objects.all(), *Contact.objects.all()):
        for privilege in ("read", "write", "delete", "assign", "share"):
            in_python = bool(guard.paths_to(record, access_of(user), privilege))
            assert in_python == guard.allows(record, user, privilege), (record, privilege)


def test_a_team_nobody_in_which_may_read_accounts_cannot_own_one(org):
    empty = TeamFactory(name="Nobody Home", business_unit=org.north)
    response = assign(org.client("owner"), [org.mine], to="team", team=empty.pk, carry="all")
    assert (
        "Neither the roles of Nobody Home nor those of its members let them read accounts." in response.content.decode()
    )
    assert Account.objects.get(pk=org.mine.pk).owner == org.users["owner"]


def test_contacts_go_along_only_where_the_assigner_may_assign_them(org):
    other = ContactFactory(last_name="Colleague's", company=org.mine, owner=org.users["colleague"])
    assign(org.client("owner"), [org.mine], to="team", team=org.team.pk, carry="all")
    assert Contact.objects.get(pk=org.contact.pk).owner_team == org.team
    assert Contact.objects.get(pk=other.pk).owner == org.users["colleague"]


def test_new_contact_from_an_unreadable_account_gets_no_company(org):
    response = org.client("other_bu").get(reverse("contacts:create") + f"?company={org.mine.pk}")
    assert "Mine Ltd" not in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "\x00", "99999999999999999999999"])
def test_odd_values_posted_to_share_and_assign_give_no_error_page(org, value):
    owner = org.client("owner")
    share_url = reverse("access:share", args=["contacts.contact", org.contact.pk])
    # A NUL byte is refused as a bad request before any view sees it (crm.middleware.OddInputMiddleware).
    nul = "\x00" in value
    assert owner.post(share_url, {"remove": value}).status_code == (400 if nul else 302)
    assert owner.post(share_url, {"user": value, "rights": [value]}).status_code == (400 if nul else 200)
    response = assign(owner, [org.mine], to=value, user=value, team=value, carry=value)
    assert response.status_code == (400 if nul else 200)
    assert owner.post(reverse("access:assign", args=[value or "x"]), {"selected": value}).status_code == (
        400 if nul else 404
    )
    assert owner.get(reverse("access:why", args=["accounts.account", 999999])).status_code == 404


@pytest.mark.parametrize("persona", ["owner", "teammate", "colleague", "other_bu", "admin", "shared_with"])
def test_a_record_page_offers_the_commands_the_rules_allow_reading_shares_only_when_needed(
    org, persona, django_assert_max_num_queries
):
    from access import guard
    from access.models import Privilege
    from access.scope import access_of

    user = type(org.users[persona]).objects.get(pk=org.users[persona].pk)
    access_of(user)  # read once per request
    for record in (*Account.objects.all(), *Contact.objects.all()):
        expected = {privilege for privilege in Privilege.values if guard.paths_to(record, access_of(user), privilege)}
        with django_assert_max_num_queries(1):
            assert guard.privileges_on(record, user) == expected, record
    if persona == "admin":  # every privilege on every record: the shares are never read
        with django_assert_max_num_queries(0):
            guard.privileges_on(org.mine, user)
