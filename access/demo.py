"""The demo organisation: two sales business units, a team, and a sign-in per role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from access.models import BusinessUnit, Team
from access.roles import READ_ONLY, SALES_MANAGER, SALESPERSON, SYSTEM_ADMINISTRATOR, ensure_root_unit
from access.services import user_move, user_place

NORTH, SOUTH, TEAM = "Sales North", "Sales South", "North Key Accounts"
SELLERS = ("alex", "mia", "sol")
TRANSFER_PERMISSIONS = ("import_account", "export_account", "import_contact", "export_contact")

# User name -> (first name, last name, password, role, business unit or None for the root).
PERSONAS = {
    "demo": ("Dana", "Demo", "harbor-demo", SYSTEM_ADMINISTRATOR, None),
    "alex": ("Alex", "Teammate", "harbor-alex", SALESPERSON, NORTH),
    "mia": ("Mia", "Manager", "harbor-mia", SALES_MANAGER, NORTH),
    "sol": ("Sol", "South", "harbor-sol", SALESPERSON, SOUTH),
    "rita": ("Rita", "Reader", "harbor-rita", READ_ONLY, None),
}


def ensure_demo_organisation() -> dict[str, object]:
    """Create what is missing (units, team, personas); leaves existing passwords alone."""
    root = ensure_root_unit()
    units = {
        name: BusinessUnit.objects.get_or_create(name=name, defaults={"parent": root})[0] for name in (NORTH, SOUTH)
    }
    users = {}
    for username, (first, last, password, role, unit) in PERSONAS.items():
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
        )
        if created or not user.has_usable_password():
            user.set_password(password)
            user.save()
        user_place(user, unit=units.get(unit, root), roles=[role])
        user_move(user=user, business_unit=units.get(unit, root))
        users[username] = user
    team, _created = Team.objects.get_or_create(name=TEAM, defaults={"business_unit": units[NORTH]})
    team.members.add(users["alex"], users["mia"])
    # Importing and exporting also take Django's permissions, which an administrator gives to
    # whom it fits; the sales personas have them, as D365's sales roles have Export to Excel.
    transfer = Permission.objects.filter(codename__in=TRANSFER_PERMISSIONS)
    for username in SELLERS:
        users[username].user_permissions.add(*transfer)
    return users


def sign_ins() -> list[str]:
    return [f"{username} / {values[2]} ({values[3]})" for username, values in PERSONAS.items()]
