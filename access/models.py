"""Who may see and change which record: business units, teams, security roles with a depth per
record type and privilege, and shares of single records (D365's model, see README "Security").

Role-derived access is never stored per record: a record carries its owner (a user or a team)
and its owning business unit, and each user's effective access is computed from the tables
below once and cached (access.scope), invalidated by AccessStamp on any change here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Depth(models.IntegerChoices):
    """How far a privilege reaches, from the user outwards (D365: None, Basic, Local, Deep, Global)."""

    NONE = 0, _("None")
    USER = 1, _("User")
    BUSINESS_UNIT = 2, _("Business Unit")
    BUSINESS_UNIT_AND_CHILDREN = 3, _("Business Unit and children")
    ORGANISATION = 4, _("Organisation")


class Privilege(models.TextChoices):
    CREATE = "create", _("Create")
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    DELETE = "delete", _("Delete")
    APPEND = "append", _("Append")
    APPEND_TO = "append_to", _("Append To")
    ASSIGN = "assign", _("Assign")
    SHARE = "share", _("Share")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class ShareRight(models.IntegerChoices):
    """The bits of RecordShare.rights: what a share grants on its one record."""

    READ = 1, _("Read")
    WRITE = 2, _("Write")
    DELETE = 4, _("Delete")
    ASSIGN = 8, _("Assign")
    SHARE = 16, _("Share")


# The share right that lets a privilege through on a shared record.
SHARE_RIGHT_OF = {
    Privilege.READ: ShareRight.READ,
    Privilege.WRITE: ShareRight.WRITE,
    Privilege.DELETE: ShareRight.DELETE,
    Privilege.ASSIGN: ShareRight.ASSIGN,
    Privilege.SHARE: ShareRight.SHARE,
}


class BusinessUnit(models.Model):
    """A node of the organisation's tree; the root has no parent."""

    name = models.CharField(_("Name"), max_length=160, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Parent business unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The business unit above this one. Only the root has none."),
    )

    class Meta:
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")
        ordering = ["name", "id"]
        constraints = [
            # One root: every other unit hangs below it.
            models.UniqueConstraint(fields=["parent"], condition=Q(parent__isnull=True), name="businessunit_one_root"),
        ]

    def __str__(self) -> str:
        return self.name


# The ready-made roles by their stable code: (the name and description stored, in English,
# and how each reads in the user's language). Roles administrators make have no code.
BUILT_IN_ROLES: dict[str, tuple[str, str, object, object]] = {
    "salesperson": (
        "Salesperson",
        "Works their own and their teams' records; reads the records of their business unit.",
        _("Salesperson"),
        _("Works their own and their teams' records; reads the records of their business unit."),
    ),
    "sales_manager": (
        "Sales Manager",
        "Everything on the records of their business unit and the units below it.",
        _("Sales Manager"),
        _("Everything on the records of their business unit and the units below it."),
    ),
    "system_administrator": (
        "System Administrator",
        "Everything on every record, and the security pages (business units, teams, roles, users).",
        _("System Administrator"),
        _("Everything on every record, and the security pages (business units, teams, roles, users)."),
    ),
    "read_only": (
        "Read-only",
        "Reads every record; changes nothing.",
        _("Read-only"),
        _("Reads every record; changes nothing."),
    ),
}


def role_label(name: str, code: str) -> str:
    """How a role reads: a ready-made role in the user's language, unless an administrator
    renamed it; any other role by the name it was given."""
    built_in = BUILT_IN_ROLES.get(code)
    return str(built_in[2]) if built_in and name == built_in[0] else name


class SecurityRole(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    # A ready-made role's stable code (BUILT_IN_ROLES); empty for the roles administrators make.
    code = models.CharField(_("Code"), max_length=40, blank=True, default="", editable=False)
    description = models.TextField(_("Description"), blank=True)

    class Meta:
        verbose_name = _("security role")
        verbose_name_plural = _("security roles")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="securityrole_unique_code")]

    def __str__(self) -> str:
        return role_label(self.name, self.code)

    @property
    def description_label(self) -> str:
        built_in = BUILT_IN_ROLES.get(self.code)
        return str(built_in[3]) if built_in and self.description == built_in[1] else self.description


class RolePrivilege(models.Model):
    """One cell of a role's privilege grid: for one record type, one privilege at one depth."""

    role = models.ForeignKey(SecurityRole, on_delete=models.CASCADE, related_name="privileges")
    # The model's label, e.g. "accounts.account" (see access.registry).
    record_type = models.CharField(_("Record type"), max_length=100)
    privilege = models.CharField(_("Privilege"), max_length=20, choices=Privilege.choices)
    depth = models.PositiveSmallIntegerField(_("Depth"), choices=Depth.choices, default=Depth.NONE)

    class Meta:
        verbose_name = _("role privilege")
        verbose_name_plural = _("role privileges")
        constraints = [
            models.UniqueConstraint(fields=["role", "record_type", "privilege"], name="roleprivilege_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.record_type} {self.privilege} {self.depth}"


class Team(models.Model):
    """An owner team: it can own records, its members share them, and its roles add to theirs."""

    name = models.CharField(_("Name"), max_length=160, unique=True)
    business_unit = models.ForeignKey(
        BusinessUnit, verbose_name=_("Business unit"), on_delete=models.PROTECT, related_name="teams"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("Members"), related_name="crm_teams", blank=True
    )
    roles = models.ManyToManyField(SecurityRole, verbose_name=_("Security roles"), related_name="teams", blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class UserAccess(models.Model):
    """A user's place in the organisation: their business unit and their security roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("User"), on_delete=models.CASCADE, related_name="crm_access"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, verbose_name=_("Business unit"), on_delete=models.PROTECT, related_name="user_accesses"
    )
    roles = models.ManyToManyField(
        SecurityRole, verbose_name=_("Security roles"), related_name="user_accesses", blank=True
    )

    class Meta:
        verbose_name = _("user access")
        verbose_name_plural = _("user access")

    def __str__(self) -> str:
        return str(self.user)


class RecordShare(models.Model):
    """One record shared with one user or team, granting the ShareRight bits in `rights`.

    Integer keys throughout: listing "shared with me" is an index range scan, never a cast.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("Record id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("User"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("Team"), on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    rights = models.PositiveSmallIntegerField(_("Rights"), default=ShareRight.READ)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    granted_on = models.DateTimeField(_("Granted on"), auto_now_add=True)

    class Meta:
        verbose_name = _("record share")
        verbose_name_plural = _("record shares")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="recordshare_one_principal",
            ),
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="recordshare_unique_user"),
            models.UniqueConstraint(fields=["team", "content_type", "object_id"], name="recordshare_unique_team"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="recordshare_record_idx")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} -> {self.user or self.team}"

    @property
    def principal(self):
        return self.user or self.team

    @property
    def principal_label(self) -> str:
        """The user's full name (or user name), or the team's name."""
        if self.user is None:
            return str(self.team)
        return self.user.get_full_name() or self.user.get_username()

    def grants(self, right: int) -> bool:
        return bool(self.rights & right)


class AccessStamp(models.Model):
    """One row whose version changes on any change to roles, teams, memberships or business
    units: cached effective access computed under another version is stale."""

    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("access stamp")
        verbose_name_plural = _("access stamps")

    def __str__(self) -> str:
        return str(self.version)


class Owned(models.Model):
    """A row owned by a user or by a team, exactly one of them: accounts, contacts (through
    crm.models.CustomerRecord) and activities. Each model's Meta carries one_owner(prefix);
    Assign changes the owner (a service), no form does."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        # Each model's own indexes begin with the owner where it is looked up by (a list's
        # view index, My Activities'); an index of its own would only be one more to write.
        db_index=False,
        help_text=_("The person responsible for this record. Their 'My Active' view lists it."),
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("Owning team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # indexed by each model's partial team index, only where set
        help_text=_("The team responsible for this record, when a team owns it."),
    )

    class Meta:
        abstract = True

    @property
    def owner_principal(self):
        """The user or team that owns this row."""
        return self.owner if self.owner_id is not None else self.owner_team

    @property
    def owner_label(self) -> str:
        if self.owner_id is not None:
            return self.owner.get_full_name() or self.owner.get_username()
        return str(self.owner_team)


def one_owner(prefix: str) -> models.CheckConstraint:
    """The CHECK every owned model carries (see Owned): a user or a team owns it, exactly one."""
    return models.CheckConstraint(
        condition=Q(owner__isnull=False, owner_team__isnull=True) | Q(owner__isnull=True, owner_team__isnull=False),
        name=f"{prefix}_one_owner",
    )


def scope_indexes(prefix: str, name_field: str) -> list[models.Index]:
    """The view indexes of the access branches that are not "mine" (which the owner index
    answers): one business unit's records in list order, and a team's (partial: most records
    are owned by users, so it costs imports almost nothing)."""
    return [
        models.Index(
            fields=["business_unit", "status", name_field, "id"],
            include=["search_text"],
            name=f"{prefix}_unit_status_idx",
        ),
        models.Index(
            fields=["owner_team", "status", name_field, "id"],
            condition=Q(owner_team__isnull=False),
            name=f"{prefix}_team_status_idx",
        ),
    ]
