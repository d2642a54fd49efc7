"""Writes that change who owns or may see a record: Assign, Share, and keeping each record's
business unit in step with its owner."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access import guard
from access.models import SHARE_RIGHT_OF, BusinessUnit, Depth, Privilege, RecordShare, ShareRight, Team, UserAccess
from access.roles import ensure_root_unit
from access.scope import access_of
from audit import services as audit
from audit.models import Event, Source


def owner_business_unit_id(*, user_id: int | None, team_id: int | None) -> int:
    """The business unit a record owned by this user or team belongs to.

    A user without a place in the organisation yet counts as in the root unit.
    """
    if team_id is not None:
        return Team.objects.values_list("business_unit_id", flat=True).get(pk=team_id)
    unit = UserAccess.objects.filter(user_id=user_id).values_list("business_unit_id", flat=True).first()
    return unit or ensure_root_unit().pk


def units_of_users(user_ids) -> dict[int, int]:
    """Each user's business unit (the root for those without one), in one query: for bulk
    writes (imports, demo and benchmark data), which skip save()."""
    user_ids = set(user_ids)
    units = dict(UserAccess.objects.filter(user_id__in=user_ids).values_list("user_id", "business_unit_id"))
    missing = user_ids - set(units)
    if missing:
        root = ensure_root_unit().pk
        units.update(dict.fromkeys(missing, root))
    return units


# --- Assign ------------------------------------------------------------------------------


class CarryContacts(models.TextChoices):
    """Which contacts of an account go with it to its new owner (D365's cascade options)."""

    ALL = "all", _("All its contacts")
    ACTIVE = "active", _("Its active contacts")
    OWNED = "owned", _("Its contacts owned by the previous owner")
    NONE = "none", _("None of its contacts")


def new_owner_refusal(record_model, new_owner, *, by) -> str | None:
    """Why `new_owner` (a user or team) can't own `record_model` records given by `by`, or None."""
    if isinstance(new_owner, Team):
        access = access_of(by)
        # Teams of one's own business unit, or of the units one's Assign privilege reaches.
        reach = access.units_at(access.depth(record_model, Privilege.ASSIGN))
        if reach is not None and new_owner.business_unit_id not in {*reach, access.business_unit_id}:
            return _("%(team)s is in another business unit (%(unit)s); you can't assign records to it.") % {
                "team": new_owner,
                "unit": new_owner.business_unit,
            }
        if not team_can_read(new_owner, record_model):
            return _("Neither the roles of %(team)s nor those of its members let them read %(records)s.") % {
                "team": new_owner,
                "records": record_model._meta.verbose_name_plural,
            }
        return None
    if not new_owner.is_active:
        return _("%(user)s is inactive and can't own records.") % {"user": new_owner}
    if access_of(new_owner).depth(record_model, Privilege.READ) == Depth.NONE:
        return _("%(user)s has no security role that lets them read %(records)s, so they can't own one.") % {
            "user": new_owner,
            "records": record_model._meta.verbose_name_plural,
        }
    return None


def team_can_read(team: Team, record_model) -> bool:
    from access.models import RolePrivilege
    from access.registry import record_type

    by_role = RolePrivilege.objects.filter(
        role__teams=team, record_type=record_type(record_model), privilege=Privilege.READ, depth__gt=Depth.NONE
    )
    members = team.members.filter(is_active=True)
    return by_role.exists() or any(access_of(member).depth(record_model, Privilege.READ) for member in members)


@dataclass
class AssignResult:
    assigned: int
    refused: int
    carried: int = 0


def records_assign(
    *, records: QuerySet, to, by, carry: str = CarryContacts.NONE, source: str = Source.FORM
) -> AssignResult:
    """Give `records` (those `by` may assign) to the user or team `to`, in one UPDATE each.

    Refuses the whole assignment, changing nothing, when `to` can't own them. Each record's
    version goes up, so an edit opened before the assignment meets the usual conflict page.
    """
    model = records.model
    refusal = new_owner_refusal(model, to, by=by)
    if refusal:
        raise ValidationError(refusal)
    allowed = guard.visible(records, by, Privilege.ASSIGN)
    wanted = records.count()
    is_team = isinstance(to, Team)
    unit = to.business_unit_id if is_team else owner_business_unit_id(user_id=to.pk, team_id=None)
    name = to.name if is_team else (to.get_full_name() or to.get_username())
    changes = {
        "owner_id": None if is_team else to.pk,
        "owner_team_id": to.pk if is_team else None,
        "business_unit_id": unit,
        "owner_name": name,
        "modified_by": by,
        "modified_on": timezone.now(),
        "version": F("version") + 1,
    }
    with transaction.atomic():
        ids = list(allowed.values_list("pk", flat=True))
        previous = dict(model._default_manager.filter(pk__in=ids).values_list("pk", "owner_id"))
        chosen = model._default_manager.filter(pk__in=ids)
        audit.records_changing(records=chosen, changes=changes, by=by, event=Event.ASSIGN, source=source)
        assigned = chosen.update(**changes)
        carried = carry_contacts(model, previous, carry=carry, changes=changes, by=by, source=source)
    return AssignResult(assigned=assigned, refused=wanted - assigned, carried=carried)


def carry_contacts(model, previous_owners: dict[int, int | None], *, carry: str, changes: dict, by, source: str) -> int:
    """Assign the contacts of the assigned accounts as `carry` says (only accounts have any),
    those `by` may assign."""
    contacts = getattr(model, "contacts", None)
    if contacts is None or carry == CarryContacts.NONE or not previous_owners:
        return 0
    related = contacts.rel.related_model._default_manager.filter(company_id__in=list(previous_owners))
    related = guard.visible(related, by, Privilege.ASSIGN)
    if carry == CarryContacts.ACTIVE:
        related = related.active()
    elif carry == CarryContacts.OWNED:
        owners = {owner for owner in previous_owners.values() if owner is not None}
        related = related.filter(owner_id__in=owners)
    audit.records_changing(records=related, changes=changes, by=by, event=Event.ASSIGN, source=source)
    return related.update(**changes)


# --- Share -------------------------------------------------------------------------------


def share_rights_allowed(record_model, principal) -> int:
    """The share rights `principal`'s roles allow on `record_model` records: never more."""
    if isinstance(principal, Team):
        members = list(principal.members.filter(is_active=True))
        return max((share_rights_allowed(record_model, member) for member in members), default=0)
    access = access_of(principal)
    return sum(
        int(right) for privilege, right in SHARE_RIGHT_OF.items() if access.depth(record_model, privilege) >= Depth.USER
    )


def record_share(*, record: models.Model, principal, rights: int, by, source: str = Source.FORM) -> RecordShare:
    """Share `record` with a user or team, granting `rights` (ShareRight bits); `source` is what
    the audit says it was done from."""
    guard.require(record, by, Privilege.SHARE)
    if not rights & ShareRight.READ:
        raise ValidationError(_("A share always grants Read: the other rights need the record to be seen."))
    allowed = share_rights_allowed(type(record), principal)
    beyond = [right.label for right in ShareRight if rights & right and not allowed & right]
    if beyond:
        raise ValidationError(
            _("%(principal)s's security roles don't allow %(rights)s on %(records)s; share less.")
            % {
                "principal": principal,
                "rights": ", ".join(str(label) for label in beyond),
                "records": record._meta.verbose_name_plural,
            }
        )
    key = {"team": principal} if isinstance(principal, Team) else {"user": principal}
    with transaction.atomic():
        before = shares_of(record).filter(**key).values_list("rights", flat=True).first()
        share, _created = RecordShare.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            **key,
            defaults={"rights": rights, "granted_by": by},
        )
        if before != rights:
            audit.record_share_changed(
                record=record, principal=principal, old_rights=before, new_rights=rights, by=by, source=source
            )
    return share


def record_unshare(*, record: models.Model, share_id: int, by, source: str = Source.FORM) -> None:
    guard.require(record, by, Privilege.SHARE)
    with transaction.atomic():
        for share in shares_of(record).filter(pk=share_id):
            audit.record_share_changed(
                record=record,
                principal=share.team or share.user,
                old_rights=share.rights,
                new_rights=None,
                by=by,
                source=source,
            )
        shares_of(record).filter(pk=share_id).delete()


def shares_of(record: models.Model) -> QuerySet:
    return RecordShare.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("user", "team")


# --- Organisation changes ----------------------------------------------------------------


def refuse_if_owning(owner, *, what: str) -> None:
    """Refuse to delete a team or business unit that still owns records, with advice."""
    from access.registry import record_types

    for model in record_types().values():
        field = "owner_team" if isinstance(owner, Team) else "business_unit"
        count = model._default_manager.filter(**{field: owner}).count()
        if count:
            raise ValidationError(
                _("%(what)s %(name)s still owns %(count)d %(records)s. Assign them to another owner first.")
                % {"what": what, "name": owner, "count": count, "records": model._meta.verbose_name_plural}
            )


def user_place(user, *, unit: BusinessUnit | None = None, roles=()) -> UserAccess:
    """Put `user` in `unit` (the root if None) with exactly the named roles."""
    from access.models import SecurityRole
    from access.roles import CODE_OF, ensure_standard_roles

    ensure_standard_roles()
    access, _created = UserAccess.objects.update_or_create(
        user=user, defaults={"business_unit": unit or ensure_root_unit()}
    )
    # Ready-made roles by their code (an administrator may have renamed them), others by name.
    names = [role for role in roles if role]
    codes = [CODE_OF[name] for name in names if name in CODE_OF]
    access.roles.set(SecurityRole.objects.filter(Q(name__in=names) | Q(code__in=codes)).distinct())
    return access


def user_move(*, user, business_unit: BusinessUnit) -> None:
    """Move a user to another business unit; their records follow (their unit is denormalised)."""
    from access.registry import record_types

    with transaction.atomic():
        UserAccess.objects.update_or_create(user=user, defaults={"business_unit": business_unit})
        for model in record_types().values():
            model._default_manager.filter(owner=user).exclude(business_unit=business_unit).update(
                business_unit=business_unit
            )


def require_administrator(user) -> None:
    from access.roles import is_system_administrator

    if not is_system_administrator(user):
        raise PermissionDenied(_("Only System Administrators manage business units, teams, roles and users."))
