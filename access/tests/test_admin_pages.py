"""The security pages: System Administrators manage business units, teams, roles and users."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access.models import Depth, RolePrivilege, SecurityRole, Team, UserAccess
from access.roles import SALESPERSON

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["owner", "manager", "no_role"])
def test_the_security_pages_are_for_system_administrators_only(org, persona):
    response = org.client(persona).get(reverse("access:overview"))
    assert response.status_code == 403
    assert "Only System Administrators" in response.content.decode()


def test_an_administrator_sees_units_teams_roles_and_users(org):
    html = org.client("admin").get(reverse("access:overview")).content.decode()
    for text in ("North West", "North Sales", "Sales Manager", "Shared With", "No role"):
        assert text in html


def test_deleting_a_team_that_owns_records_is_refused_with_advice(org):
    response = org.client("admin").post(reverse("access:team_delete", args=[org.team.pk]), follow=True)
    assert "still owns 1 accounts. Assign them to another owner first." in response.content.decode()
    assert Team.objects.filter(pk=org.team.pk).exists()


def test_deleting_a_business_unit_that_owns_records_is_refused_with_advice(org):
    response = org.client("admin").post(reverse("access:business_unit_delete", args=[org.north_west.pk]), follow=True)
    assert "The business unit North West still owns 1 accounts." in response.content.decode()


def test_an_empty_team_is_deleted(org):
    empty = Team.objects.create(name="Empty", business_unit=org.south)
    org.client("admin").post(reverse("access:team_delete", args=[empty.pk]))
    assert not Team.objects.filter(pk=empty.pk).exists()


def test_the_privilege_grid_changes_what_a_role_allows_at_once(org):
    client = org.client("colleague")
    assert client.get(reverse("accounts:update", args=[org.mine.pk])).status_code == 403
    role = SecurityRole.objects.get(name=SALESPERSON)
    grid = {f"{cell.record_type}:{cell.privilege}": cell.depth for cell in role.privileges.all()}
    grid["accounts.account:write"] = Depth.BUSINESS_UNIT
    org.client("admin").post(reverse("access:role_edit", args=[role.pk]), grid)
    assert (
        RolePrivilege.objects.get(role=role, record_type="accounts.account", privilege="write").depth
        == Depth.BUSINESS_UNIT
    )
    assert client.get(reverse("accounts:update", args=[org.mine.pk])).status_code == 200


def test_moving_a_user_to_another_unit_takes_their_records_along(org):
    south = org.south
    roles = [SecurityRole.objects.get(name=SALESPERSON).pk]
    org.client("admin").post(
        reverse("access:user_edit", args=[org.users["owner"].pk]), {"business_unit": south.pk, "roles": roles}
    )
    assert UserAccess.objects.get(user=org.users["owner"]).business_unit == south
    org.mine.refresh_from_db()
    assert org.mine.business_unit == south
    assert org.client("colleague").get(org.mine.get_absolute_url()).status_code == 404
    assert org.client("other_bu").get(org.mine.get_absolute_url()).status_code == 200


def test_an_administrator_creates_a_team_with_members_and_roles(org):
    data = {"name": "South Sales", "business_unit": org.south.pk, "members": [org.users["other_bu"].pk]}
    org.client("admin").post(reverse("access:team_create"), data)
    assert list(Team.objects.get(name="South Sales").members.all()) == [org.users["other_bu"]]


def test_the_privilege_grid_names_each_record_type(org):
    role = SecurityRole.objects.get(name=SALESPERSON)
    html = org.client("admin").get(reverse("access:role_edit", args=[role.pk])).content.decode()
    assert '<th scope="row">Accounts</th>' in html and '<th scope="row">Contacts</th>' in html


def test_ready_made_roles_read_in_the_users_language_and_custom_ones_as_typed(org):
    from django.utils import translation

    from access.models import SecurityRole

    salesperson = SecurityRole.objects.get(code="salesperson")
    custom = SecurityRole.objects.create(name="Key Account Team")
    with translation.override("fr"):
        assert str(salesperson) == "Commercial"
        assert salesperson.description_label.startswith("Travaille sur ses enregistrements")
        assert str(custom) == "Key Account Team"
    with translation.override("en"):
        assert str(salesperson) == "Salesperson"
    salesperson.name = "Field Sales"
    salesperson.save()
    with translation.override("fr"):
        assert str(salesperson) == "Field Sales"  # an administrator's own name is kept


def test_the_security_pages_and_why_panel_name_ready_made_roles_in_french(org):
    import html

    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    overview = html.unescape(org.client("admin").get(reverse("access:overview"), **french).content.decode())
    assert "Commercial" in overview and "Directeur commercial" in overview and "Administrateur système" in overview
    assert "Salesperson" not in overview
    why = reverse("access:why", args=["accounts.account", org.mine.pk])
    page = html.unescape(org.client("owner").get(why, **french).content.decode())
    assert "(Commercial)" in page and "Salesperson" not in page


def test_a_renamed_system_administrator_role_still_makes_system_administrators(org):
    from access.models import SecurityRole
    from access.roles import is_system_administrator
    from access.scope import access_of

    SecurityRole.objects.filter(code="system_administrator").update(name="Admins")
    SecurityRole.objects.get(code="system_administrator").save()  # bumps the access version
    admin = org.users["admin"]
    assert "Admins" in access_of(admin).role_names and is_system_administrator(admin)
