"""A user's effective access: what their roles (and their teams' roles) let them do, per record
type and privilege, and where (their business unit, its children, their teams).

Computed once per user and access version and kept in the cache; any change to business
units, teams, memberships, roles or privileges bumps AccessStamp (access.signals), which makes
every cached copy stale at once, in every process.
"""

from __future__ import annotations

from collections import defaultdict
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


def version_for(user) -> int:
    """current_version(), read once per request (a request's user object lives for one)."""
    version = getattr(user, "_crm_access_version", None)
    if version is None:
        version = user._crm_access_version = current_version()
    return version


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
    key = f"crm-access:{user.pk}:{version_for(user)}"
    access = cache.get(key)
    if access is None:
        access = compute_access(user)
        cache.set(key, access, CACHE_SECONDS)
    user._crm_access = access
    return access


def descendants(unit_id: int) -> frozenset[int]:
    return below(unit_id, unit_children())


def unit_children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in BusinessUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    return children


def below(unit_id: int, children: dict[int | None, list[int]]) -> frozenset[int]:
    """`unit_id` and every unit under it in the tree `children` (parent -> child units)."""
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
    rows = (
        RolePrivilege.objects.filter(role__in=set(named))
        .values("record_type", "privilege")
        .annotate(deepest=Max("depth"))
        .values_list("record_type", "privilege", "deepest")
    )
    depths = {(kind, privilege): depth for kind, privilege, depth in rows}
    unit = profile.business_unit_id if profile else None
    return effective_access(
        user,
        unit=unit,
        team_units=team_units,
        roles=list(named.values()),
        depths=depths,
        units_below=descendants(unit) if unit else frozenset(),
    )


def effective_access(user, *, unit, team_units, roles, depths, units_below) -> EffectiveAccess:
    """The EffectiveAccess of `user` from what was read about them: their unit, their teams
    (team -> unit), their roles [(name, code)] and the deepest depth per (record type,
    privilege) those roles grant. One user at a time (compute_access) or many (accesses_of)."""
    codes_by_name = dict(roles)
    role_names = tuple(sorted(codes_by_name))
    role_codes = tuple(codes_by_name[name] for name in role_names)
    if user.is_superuser:
        # The account `createsuperuser` makes must never be locked out of its own CRM.
        depths = {(kind, privilege): Depth.ORGANISATION for kind in record_types() for privilege in Privilege.values}
        role_names = role_names or ("superuser",)
        role_codes = role_codes or ("superuser",)
    return EffectiveAccess(
        user_id=user.pk,
        business_unit_id=unit,
        team_units=team_units,
        units_below=units_below,
        depths=depths,
        role_names=role_names,
        role_codes=role_codes,
    )


def accesses_of(users) -> dict[int, EffectiveAccess]:
    """The effective access of many users at once, read with a fixed handful of set-based
    queries (placements, memberships, role grants, privilege grids, the unit tree) however
    many users: what "Why can I see this?" needs for a whole organisation, where one
    compute_access() a user costs five queries each on a cold cache."""
    users = list(users)
    ids = [user.pk for user in users]
    units = dict(UserAccess.objects.filter(user_id__in=ids).values_list("user_id", "business_unit_id"))
    role_ids: dict[int, set[int]] = defaultdict(set)
    direct = UserAccess.roles.through.objects.filter(useraccess__user_id__in=ids)
    for user_id, role_id in direct.values_list("useraccess__user_id", "securityrole_id"):
        role_ids[user_id].add(role_id)
    team_unit = dict(Team.objects.values_list("pk", "business_unit_id"))
    team_roles: dict[int, set[int]] = defaultdict(set)
    for team_id, role_id in Team.roles.through.objects.values_list("team_id", "securityrole_id"):
        team_roles[team_id].add(role_id)
    teams_of: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, team_id in Team.members.through.objects.filter(user_id__in=ids).values_list("user_id", "team_id"):
        teams_of[user_id][team_id] = team_unit[team_id]
        role_ids[user_id] |= team_roles[team_id]
    named = {pk: (name, code) for pk, name, code in SecurityRole.objects.values_list("pk", "name", "code")}
    grids: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for role_id, kind, privilege, depth in RolePrivilege.objects.values_list(
        "role_id", "record_type", "privilege", "depth"
    ):
        grids[role_id][(kind, privilege)] = depth
    children = unit_children()
    under: dict[int, frozenset[int]] = {}
    found = {}
    for user in users:
        depths: dict[tuple[str, str], int] = {}
        for role_id in role_ids[user.pk]:
            for key, depth in grids[role_id].items():
                depths[key] = max(depth, depths.get(key, Depth.NONE))
        unit = units.get(user.pk)
        if unit and unit not in under:
            under[unit] = below(unit, children)
        found[user.pk] = effective_access(
            user,
            unit=unit,
            team_units=teams_of[user.pk],
            roles=[named[role_id] for role_id in role_ids[user.pk]],
            depths=depths,
            units_below=under[unit] if unit else frozenset(),
        )
    return found
