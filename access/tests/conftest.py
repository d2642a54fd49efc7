"""The organisation persona tests run in: two business units under the root (North, with North
West below it, and South), a North team, and one user per persona.

    owner       Salesperson in North, member of the North Sales team; owns `mine`
    teammate    Salesperson in North, member of the North Sales team
    colleague   Salesperson in North, in no team
    other_bu    Salesperson in South
    manager     Sales Manager in North (North and North West)
    admin       System Administrator in the root unit
    no_role     in North, with no role
    shared_with Salesperson in South, with `mine` shared with them (read and write)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from access.models import ShareRight
from access.roles import SALES_MANAGER, SALESPERSON, SYSTEM_ADMINISTRATOR, ensure_root_unit
from access.services import record_share
from access.tests.factories import BusinessUnitFactory, TeamFactory, place_user
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

PERSONAS = ["owner", "teammate", "colleague", "other_bu", "manager", "admin", "no_role", "shared_with"]


@dataclass
class Organisation:
    users: dict
    north: object
    south: object
    north_west: object
    team: object
    mine: object  # an account owned by `owner`
    team_account: object  # owned by the North Sales team
    far: object  # owned by a Salesperson of North West
    contact: object  # a contact of `mine`, owned by `owner`

    def client(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.users[persona])
        return client


@pytest.fixture
def org(db) -> Organisation:
    root = ensure_root_unit()
    north = BusinessUnitFactory(name="North", parent=root)
    north_west = BusinessUnitFactory(name="North West", parent=north)
    south = BusinessUnitFactory(name="South", parent=root)
    places = {
        "owner": (north, SALESPERSON),
        "teammate": (north, SALESPERSON),
        "colleague": (north, SALESPERSON),
        "other_bu": (south, SALESPERSON),
        "manager": (north, SALES_MANAGER),
        "admin": (root, SYSTEM_ADMINISTRATOR),
        "no_role": (north, ""),
        "shared_with": (south, SALESPERSON),
        "far_owner": (north_west, SALESPERSON),
    }
    users = {}
    for persona, (unit, role) in places.items():
        users[persona] = UserFactory(username=persona, first_name=persona.replace("_", " ").title(), role="")
        place_user(users[persona], unit=unit, roles=[role])
    team = TeamFactory(name="North Sales", business_unit=north)
    team.members.add(users["owner"], users["teammate"])
    mine = AccountFactory(name="Mine Ltd", owner=users["owner"])
    team_account = AccountFactory(name="Team Ltd", owner=None, owner_team=team)
    far = AccountFactory(name="Far Ltd", owner=users["far_owner"])
    contact = ContactFactory(first_name="Cora", last_name="Mine", owner=users["owner"], company=mine)
    record_share(
        record=mine, principal=users["shared_with"], rights=ShareRight.READ | ShareRight.WRITE, by=users["owner"]
    )
    return Organisation(users, north, south, north_west, team, mine, team_account, far, contact)
