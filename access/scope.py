"""A user's effective access: what their roles (and their teams' roles) let them do, per record
type and privilege, and where (their business unit, its children, their teams).

Computed once per user and access version and kept in the cache; any change to business
units, teams, memberships, roles or privileges bumps AccessStamp (access.signals), which makes
every cached copy stale at once, in every process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import F, Max
from django.utils.translation import gettext_lazy as _

from access.models import (
    AccessStamp,
    BusinessUnit,
    Depth,
    Privilege,
    RolePrivilege,
    SecurityRole,
    Team,
    UserAccess,
    role_label,
)
from access.registry import record_type, record_types

CACHE_SECONDS = 3600
# What the roles of a superuser without any role read as.
SUPERUSER = _("superuser")


@dataclass(frozen=True)
class EffectiveAccess:
    user_id: int | None
    business_unit_id: int | None = None
    # Team id -> the team's business unit.
    team_units: dict[int, int] = field(default_factory=dict)
    # The user's business unit and every unit below it.
    units_below: frozenset[int] = frozenset()
    # (record type, privilege) -> the deepest depth any of the user's roles grants.
    depths: dict[tuple[str, str], int] = field(default_factory=dict)
    # Each role's name and code as stored; shown through role_labels, in the reader's language.
    role_names: tuple[str, ...] = ()
    role_codes: tuple[str, ...] = ()

    @property
    def team_ids(self) -> list[int]:
        return sorted(self.team_units)

    @property
    def role_labels(self) -> list[str]:
        """The user's roles as the current reader's language names them (the cache is shared
        by every language, so they are named here, not when the access is computed)."""
        codes = dict(zip(self.role_names, self.role_codes, strict=False))
        return sorted(
            str(SUPERUSER) if codes.get(name) == "superuser" else role_label(name, codes.get(name, ""))
            for name in self.role_names
        )

    @property
    def has_role(self) -> bool:
        return bool(self.role_names)

    def depth(self, model, privilege: str) -> int:
        return self.depths.get((record_type(model), privilege), Depth.NONE)

    def units_at(self, depth: int) -> frozenset[int] | None:
        """The business units a privilege at `depth` reaches; None for the whole organisation."""
        if depth >= Depth.ORGANISATION:
            return None
        if depth >= Depth.BUSINESS_UNIT_AND_CHILDREN:
            return self.units_below
        if depth >= Depth.BUSINESS_UNIT and self.business_unit_id is not None:
            return frozenset({self.business_unit_id})
        return frozenset()


def current_version() -> int:
    return AccessStamp.objects.values_list("version", flat=True).first() or 0


def bump_version() -> None:
    """Make every cached effective access stale."""
    if not AccessStamp.objects.update(version=F("version") + 1):
        AccessStamp.objects.create(version=2)


def access_of(user) -> EffectiveAccess:
    """`user`'s effective access, cached per access version, and kept on the user object for
    the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EffectiveAccess(user_id=None)
    memo = getattr(user, "_crm_access", None)
    if memo is not None:
        # A request's user object lives for one request: one version read per request.
        return memo
    key = f"crm-access:{user.pk}:{current_version()}"
    access = cache.get(key)
    if access is None:
        access = compute_access(user)
        cache.set(key, access, CACHE_SECONDS)
    user._crm_access = access
    return access


def descendants(unit_id: int) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in BusinessUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return frozenset(found)


def compute_access(user) -> EffectiveAccess:
    profile = UserAccess.objects.filter(user=user).first()
    team_units = dict(Team.objects.filter(members=user).values_list("pk", "business_unit_id"))
    roles = SecurityRole.objects.filter(teams__in=team_units) if team_units else SecurityRole.objects.none()
    if profile is not None:
        roles = roles | SecurityRole.objects.filter(user_accesses=profile)
    named = {pk: (name, code) for pk, name, code in roles.values_list("pk", "name", "code")}
    role_ids, role_names = set(named), tuple(sorted({name for name, _code in named.values()}))
    codes_by_name = dict(named.values())
    role_codes = tuple(codes_by_name[name] for name in role_names)
    rows = (
        RolePrivilege.objects.filter(role__in=role_ids)
        .values("record_type", "privilege")
        .annotate(deepest=Max("depth"))
        .values_list("record_type", "privilege", "deepest")
    )
    depths = {(kind, privilege): depth for kind, privilege, depth in rows}
    if user.is_superuser:
        # The account `createsuperuser` makes must never be locked out of its own CRM.
        depths = {(kind, privilege): Depth.ORGANISATION for kind in record_types() for privilege in Privilege.values}
        role_names = role_names or ("superuser",)
        role_codes = role_codes or ("superuser",)
    unit = profile.business_unit_id if profile else None
    return EffectiveAccess(
        user_id=user.pk,
        business_unit_id=unit,
        team_units=team_units,
        units_below=descendants(unit) if unit else frozenset(),
        depths=depths,
        role_names=role_names,
        role_codes=role_codes,
    )
