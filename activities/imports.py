"""How activities are imported: the write strategy the activities entity offers the import
pipeline (imports.writes) and the admin's import alike.

A row is about one account or one contact, named in its Regarding account or Regarding
contact cell by ID ("contact:12", as exports write it), by name or by email. The record must
be one the importing user can see (any other is reported as not found, never named) and may
add activities to (Append To, as on the timeline). An activity has no business unit, status
or version of its own: who may change one is its owner, its team, or whoever may edit its
record (activities.services.can_change), checked here for a whole chunk at once.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from access import guard
from access.imports import ImportAccess
from access.models import Privilege
from access.scope import access_of
from activities.models import Activity, Direction, Kind, State
from imports import entities, rules
from imports.columns import CellError, RecordLinkColumn
from imports.writes import RecordWrites

REGARDING = ("regarding_account", "regarding_contact")
# Kinds that have a subject line people find them by (a note may have a description only).
NEEDS_SUBJECT = (Kind.TASK, Kind.PHONE_CALL, Kind.EMAIL, Kind.APPOINTMENT)


class ActivityAccess(ImportAccess):
    """access.imports.ImportAccess with an activity's rules (activities.services)."""

    def load(self, ids) -> None:
        """Note which matched activities the importer may change: their own, their team's,
        or those about a record they may edit."""
        rows = list(
            Activity.objects.filter(pk__in=list(ids)).values_list(
                "pk", "owner_id", "owner_team_id", "regarding_account_id", "regarding_contact_id"
            )
        )
        teams = access_of(self.by).team_units
        editable = {
            relation: writable_ids(relation, {row[index] for row in rows} - {None}, self.by)
            for index, relation in ((3, "regarding_account"), (4, "regarding_contact"))
        }
        self.writable = {
            pk
            for pk, owner_id, team_id, account_id, contact_id in rows
            if owner_id == self.by.pk
            or (team_id is not None and team_id in teams)
            or account_id in editable["regarding_account"]
            or contact_id in editable["regarding_contact"]
        }
        self.assignable = self.writable

    def update_refusal(self, pk: int, *, changes_owner: bool) -> str | None:
        if pk not in self.writable:
            return _("Only the activity's owner, or someone who may edit its record, can change it.")
        return None

    def link_refusal(self, pk: int | None) -> str | None:
        return None  # Append To on the regarding record is checked row by row (complete)

    def owner_refusal(self, owner_id: int) -> str | None:
        if owner_id not in self._owner_refusals:
            owner = get_user_model().objects.get(pk=owner_id)
            inactive = _("%(user)s is inactive and can't own records.") % {"user": owner}
            self._owner_refusals[owner_id] = None if owner.is_active else inactive
        return self._owner_refusals[owner_id]


def writable_ids(relation: str, ids: set, user) -> set:
    if not ids:
        return set()
    model = Activity._meta.get_field(relation).related_model
    return set(guard.visible(model, user, Privilege.WRITE).filter(pk__in=ids).values_list("pk", flat=True))


class ActivityWrites(RecordWrites):
    STAMPS = ("modified_on",)
    CREATES_LINKED = False  # an activity never creates the record it is about

    def __init__(self, entity, *, by_id: int, owners: rules.Owners, default_owner_id: int | None = None):
        self.entity, self.by_id, self.owners = entity, by_id, owners
        self.default_owner_id = default_owner_id or by_id
        self.access = ActivityAccess(Activity, by_id=by_id, user_ids=owners.names)
        self.by = self.access.by
        # (owner id, record type, record id) -> whether that owner can read that record.
        self.owner_reads: dict[tuple[int, str, int], bool] = {}

    def matchable(self) -> QuerySet:
        return Activity.objects.visible_to(self.by)

    def link_scope(self, column: RecordLinkColumn) -> QuerySet:
        """The records the importer can read, each marked with whether they may add activities
        to it, and with the account whose timeline shows its activities (rollup)."""
        model = column.target
        appendable = (
            Value(True, output_field=BooleanField())
            if guard.branches_of_user(model, self.by, Privilege.APPEND_TO) is None
            else Exists(guard.visible(model, self.by, Privilege.APPEND_TO).filter(pk=OuterRef("pk")))
        )
        rollup = F("pk") if model._meta.model_name == "account" else F("company_id")
        return guard.visible(model, self.by).annotate(may_add_activities=appendable, rollup_account=rollup)

    def link_keys(self, column: RecordLinkColumn) -> tuple[str, ...]:
        # The record's usual keys (an account's number and name, a contact's full name), then
        # its email.
        return (*entities.entity_for(column.target).link_keys, "emailaddress1")

    def carried(self, column: RecordLinkColumn) -> tuple[str, ...]:
        return ("may_add_activities", "rollup_account")

    def bookkeeping(self, mapped: set[str]) -> list[str]:
        # What the checks of complete() read from a matched activity the row doesn't change.
        return [
            "owner_id",
            "owner_team_id",
            "regarding_account_id",
            "regarding_contact_id",
            "kind",
            "subject",
            "body",
            "state",
            "closed_on",
            "due_at",
            "ends_at",
        ]

    def owner_values(self, owner_id: int) -> dict:
        return {"owner_id": owner_id, "owner_team_id": None}

    def new_record(self, *, owner_id: int, now: datetime.datetime) -> dict:
        # Every column a default would fill at insert time is given here: the database path
        # writes defaults once per statement, which for "now" would be the wrong moment.
        return {**self.owner_values(owner_id), "created_by_id": self.by_id, "occurred_at": now, "modified_on": now}

    def complete(self, values: dict, record: dict | None, links: dict[str, rules.Links]) -> None:
        merged = {**(record or {}), **values}
        regarding = self.regarding(values, merged, links)
        if record is None:
            values["rollup_account_id"] = regarding[2]
        if record is None or "owner_id" in values or regarding[3]:
            self.check_owner_reads(merged.get("owner_id", self.default_owner_id), regarding, links)
        self.check_kind(values, merged)

    def regarding(self, values: dict, merged: dict, links) -> tuple[str, int, int | None, bool]:
        """(relation, record id, its rollup account, whether the row changes it) of the one
        record the activity is about; CellError unless exactly one, and one the importer may
        add activities to."""
        named = [name for name in REGARDING if merged.get(f"{name}_id")]
        if len(named) != 1:
            raise CellError(_("Give the account or the contact the activity is about (one of them)."))
        name = named[0]
        pk = merged[f"{name}_id"]
        changed = f"{name}_id" in values and (name in links)
        if not changed:
            return name, pk, None, False
        found = links[name].carried.get(pk)
        if found is None:  # kept as it was (the admin's import, a row without the column)
            return name, pk, None, False
        if not found["may_add_activities"]:
            raise CellError(
                links[name].column.problem(
                    _("you may not add activities to %(record)s: %(reason)s")
                    % {
                        "record": links[name].names[pk],
                        "reason": guard.refusal(links[name].target.model, self.by, Privilege.APPEND_TO),
                    }
                )
            )
        return name, pk, found["rollup_account"], True

    def check_owner_reads(self, owner_id: int | None, regarding: tuple, links) -> None:
        """An activity's owner must be able to see its record (or it would vanish from their
        lists the moment they got it), as Assign requires."""
        name, pk, _rollup, _changed = regarding
        if owner_id is None or owner_id == self.by_id:
            return
        model = Activity._meta.get_field(name).related_model
        key = (owner_id, name, pk)
        if key not in self.owner_reads:
            owner = get_user_model().objects.get(pk=owner_id)
            self.owner_reads[key] = guard.visible(model, owner).filter(pk=pk).exists()
        if not self.owner_reads[key]:
            record = links[name].names.get(pk) if name in links else None
            raise CellError(
                _("Owner: %(reason)s")
                % {
                    "reason": _("%(user)s can't see %(record)s, so they can't be given its activities.")
                    % {"user": self.owners.names[owner_id], "record": record or model._meta.verbose_name}
                }
            )

    def check_kind(self, values: dict, merged: dict) -> None:
        """What each kind needs, and a state that agrees with its close date."""
        columns = self.entity.by_name
        kind = merged.get("kind")
        if kind in NEEDS_SUBJECT and not merged.get("subject"):
            raise CellError(columns["subject"].problem(_("This field is required.")))
        if kind == Kind.NOTE and not merged.get("subject") and not merged.get("body"):
            raise CellError(_("A note needs a subject or a description."))
        if kind == Kind.APPOINTMENT and not merged.get("due_at"):
            raise CellError(columns["due_at"].problem(_("An appointment needs its start.")))
        start, end = merged.get("due_at"), merged.get("ends_at")
        if start is not None and end is not None and end <= start:
            raise CellError(columns["ends_at"].problem(_("The end must be after the start.")))
        if kind == Kind.PHONE_CALL and not merged.get("direction") and "direction" in values:
            values["direction"] = Direction.OUTGOING
        if kind == Kind.NOTE:
            # A note records something written down: done once written, as on the timeline.
            values["state"] = State.COMPLETED
        state = values.get("state", merged.get("state", State.OPEN))
        if state == State.OPEN:
            if merged.get("closed_on") is not None:
                values["closed_on"] = None
        elif not merged.get("closed_on"):
            values["closed_on"] = merged.get("occurred_at") or timezone.now()

    def refuse_update(self, record: dict, changed: set[str]) -> None:
        refusal = self.access.update_refusal(record["id"], changes_owner="owner_id" in changed)
        if refusal:
            raise CellError(refusal)

    def update_stamps(self, record: dict, now: datetime.datetime) -> dict:
        return {"modified_on": now}

    @staticmethod
    def chosen_owner_refusal(entity, owner, *, by) -> str | None:
        # Whether the owner can see each row's record is checked row by row (complete).
        return None if owner.is_active else _("%(user)s is inactive and can't own records.") % {"user": owner}

    @staticmethod
    def deletable(records: QuerySet, user) -> QuerySet:
        """Removing an import deletes the activities the importer may still change."""
        teams = list(access_of(user).team_units)
        editable = Q(owner_id=user.pk) | Q(owner_team_id__in=teams)
        for relation in REGARDING:
            model = Activity._meta.get_field(relation).related_model
            editable |= Q(**{f"{relation}__in": guard.visible(model, user, Privilege.WRITE).values("pk")})
        return records.visible_to(user).filter(editable)
