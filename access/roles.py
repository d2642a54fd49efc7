"""The ready-made security roles and the root business unit, made by a migration and again
by anything that needs them after a test database was flushed."""

from __future__ import annotations

from access.models import BUILT_IN_ROLES, BusinessUnit, Depth, Privilege, RolePrivilege, SecurityRole
from access.registry import record_types

# The ready-made roles' names as stored (English, like any data); their codes identify them.
SALESPERSON, SALES_MANAGER, SYSTEM_ADMINISTRATOR, READ_ONLY = (
    BUILT_IN_ROLES[code][0] for code in ("salesperson", "sales_manager", "system_administrator", "read_only")
)
CODE_OF = {values[0]: code for code, values in BUILT_IN_ROLES.items()}

ROOT_UNIT = "Organisation"

USER, BU, DEEP, ORG = Depth.USER, Depth.BUSINESS_UNIT, Depth.BUSINESS_UNIT_AND_CHILDREN, Depth.ORGANISATION
P = Privilege

# Role -> (description, privilege -> depth), the same for every record type.
STANDARD_ROLES: dict[str, tuple[str, dict[str, int]]] = {
    SALESPERSON: (
        BUILT_IN_ROLES["salesperson"][1],
        {
            P.CREATE: USER,
            P.READ: BU,
            P.WRITE: USER,
            P.DELETE: USER,
            P.APPEND: USER,
            P.APPEND_TO: BU,
            P.ASSIGN: USER,
            P.SHARE: USER,
            P.EXPORT: USER,
        },
    ),
    SALES_MANAGER: (
        BUILT_IN_ROLES["sales_manager"][1],
        {privilege: DEEP for privilege in Privilege.values},
    ),
    SYSTEM_ADMINISTRATOR: (
        BUILT_IN_ROLES["system_administrator"][1],
        {privilege: ORG for privilege in Privilege.values},
    ),
    READ_ONLY: (BUILT_IN_ROLES["read_only"][1], {P.READ: ORG}),
}

# The record types of the first release, for the migration (the registry is empty there).
BUILT_IN_RECORD_TYPES = ("accounts.account", "contacts.contact")


def ensure_root_unit(business_unit_model=BusinessUnit):
    root = business_unit_model.objects.filter(parent__isnull=True).first()
    return root or business_unit_model.objects.create(name=ROOT_UNIT)


def has_code(role_model) -> bool:
    return any(field.name == "code" for field in role_model._meta.get_fields())


def give_codes(apps, schema_editor) -> None:
    """Migration step: the ready-made roles made before roles had codes get theirs."""
    role_model = apps.get_model("access", "SecurityRole")
    for name, code in CODE_OF.items():
        role_model.objects.filter(name=name, code="").update(code=code)


def ensure_standard_roles(role_model=SecurityRole, privilege_model=RolePrivilege, kinds=None) -> dict[str, object]:
    """Create the ready-made roles that are missing (an existing role is left as edited)."""
    kinds = kinds or sorted({*BUILT_IN_RECORD_TYPES, *record_types()})
    roles = {}
    for name, (description, grid) in STANDARD_ROLES.items():
        # Found by its code; by its name before roles had codes (migration 0002's model).
        key = {"code": CODE_OF[name]} if has_code(role_model) else {"name": name}
        role, created = role_model.objects.get_or_create(**key, defaults={"name": name, "description": description})
        if created:
            privilege_model.objects.bulk_create(
                privilege_model(role=role, record_type=kind, privilege=privilege, depth=depth)
                for kind in kinds
                for privilege, depth in grid.items()
            )
        roles[name] = role
    return roles


def is_system_administrator(user) -> bool:
    from access.scope import access_of

    return user.is_authenticated and (user.is_superuser or "system_administrator" in access_of(user).role_codes)


def set_up_organisation(apps, schema_editor) -> None:
    """Migration step: the root business unit, the ready-made roles, and a place for every
    existing user so that nobody is locked out: superusers become System Administrators,
    everyone else a Salesperson, all in the root unit."""
    unit_model, user_model = apps.get_model("access", "BusinessUnit"), apps.get_model("auth", "User")
    access_model = apps.get_model("access", "UserAccess")
    root = ensure_root_unit(unit_model)
    roles = ensure_standard_roles(apps.get_model("access", "SecurityRole"), apps.get_model("access", "RolePrivilege"))
    for user in user_model.objects.filter(crm_access__isnull=True):
        access = access_model.objects.create(user=user, business_unit=root)
        access.roles.add(roles[SYSTEM_ADMINISTRATOR if user.is_superuser else SALESPERSON])


def put_records_in_root_unit(app_label: str, model_name: str):
    """Migration step: existing records join the root unit, where the step above put their owners."""

    def step(apps, schema_editor) -> None:
        root = apps.get_model("access", "BusinessUnit").objects.get(parent__isnull=True)
        apps.get_model(app_label, model_name).objects.update(business_unit=root)

    return step
