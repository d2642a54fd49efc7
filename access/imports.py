"""The access rules of an import, in one object the import pipeline asks: which matched
records it may update, whether it may give a record to an owner, and each owner's business
unit (a record's unit follows its owner)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from access import guard
from access.models import Depth, Privilege
from access.scope import access_of
from access.services import new_owner_refusal, units_of_users


class ImportAccess:
    def __init__(self, model, *, by_id: int, user_ids):
        self.model = model
        self.by = get_user_model().objects.get(pk=by_id)
        self.units = units_of_users(user_ids)
        self.writable: set[int] = set()
        self.assignable: set[int] = set()
        self.appendable: set[int] = set()
        self._owner_refusals: dict[int, str | None] = {}

    def load(self, ids) -> None:
        """Note which of these matched records the importing user may update and reassign."""
        ids = list(ids)
        self.writable = self.allowed(ids, Privilege.WRITE)
        self.assignable = self.allowed(ids, Privilege.ASSIGN)
        self.appendable = self.allowed(ids, Privilege.APPEND)

    def allowed(self, ids: list[int], privilege: str) -> set[int]:
        if guard.branches(self.model, access_of(self.by), privilege) is None:
            return set(ids)  # organisation-wide: no query
        return set(guard.visible(self.model, self.by, privilege).filter(pk__in=ids).values_list("pk", flat=True))

    def update_refusal(self, pk: int, *, changes_owner: bool) -> str | None:
        if pk not in self.writable:
            return _("You may not change this record: %(reason)s") % {
                "reason": guard.refusal(self.model, self.by, Privilege.WRITE)
            }
        if changes_owner and pk not in self.assignable:
            return _("Owner: you may not assign this record to someone else.")
        return None

    def linkable(self, target):
        """The `target` records the importing user may link to (read and append to)."""
        return guard.linkable(target._default_manager.all(), self.by)

    def link_refusal(self, pk: int | None) -> str | None:
        """Why the importing user may not change the links of record `pk` (None: a new one)."""
        allowed = guard.may_append(self.model, self.by) if pk is None else pk in self.appendable
        if allowed:
            return None
        return _("you may not link this record to other records: %(reason)s") % {
            "reason": guard.refusal(self.model, self.by, Privilege.APPEND)
        }

    def owner_refusal(self, owner_id: int) -> str | None:
        """Why the importing user can't make `owner_id` the owner of a new or updated record."""
        if owner_id not in self._owner_refusals:
            owner = get_user_model().objects.get(pk=owner_id)
            self._owner_refusals[owner_id] = import_owner_refusal(self.model, owner, by=self.by)
        return self._owner_refusals[owner_id]


def import_owner_refusal(model, owner, *, by) -> str | None:
    """Why `by` can't import `model` records owned by `owner`, or None: the owner must be
    allowed to own them, and giving records to someone else takes the Assign privilege."""
    refusal = new_owner_refusal(model, owner, by=by)
    if refusal is None and owner.pk != by.pk and not access_of(by).depth(model, Privilege.ASSIGN):
        refusal = _("you may not give records to other people.")
    return refusal


def may_transfer(user, model, action: str) -> bool:
    """Whether `user` may import or export ("import", "export") `model` records: Django's
    permission (accounts.import_account) and the Import or Export privilege of their roles."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") and (
        access_of(user).depth(model, Privilege(action)) > Depth.NONE
    )
