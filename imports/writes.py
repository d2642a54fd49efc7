"""How an import writes the rows of one type: the part of the pipeline (imports.pipeline)
that differs from type to type, offered by the type's entity (`Entity.writes`).

RecordWrites is the customer records' way (accounts, contacts and any type built on
crm.models.CustomerRecord): an owner with a copy of their name and their business unit, a
status that makes inactive records read-only, a version raised on each change, and the
access rules of access.imports. Activities bring their own (activities.imports)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from access import guard
from access.imports import ImportAccess, import_owner_refusal
from access.models import Privilege
from imports import rules
from imports.columns import CellError, RecordLinkColumn


class RecordWrites:
    # What an update writes besides the changed fields.
    STAMPS = ("version", "modified_by_id", "modified_on")
    # Whether link cells that name nothing may create the record (a contact's new company).
    CREATES_LINKED = True

    def __init__(self, entity, *, by_id: int, owners: rules.Owners, default_owner_id: int | None = None):
        self.entity, self.by_id, self.owners = entity, by_id, owners
        self.access = ImportAccess(entity.model, by_id=by_id, user_ids=owners.names)

    def matchable(self) -> QuerySet:
        """The existing records a row may name."""
        return self.entity.model._default_manager.all()

    def link_scope(self, column: RecordLinkColumn) -> QuerySet:
        """The records a link cell may name: those the importer may read and append to."""
        return self.access.linkable(column.target)

    def carried(self, column: RecordLinkColumn) -> tuple[str, ...]:
        """Values of the records a link names, read with them (rules.Links.carried)."""
        return ()

    def link_keys(self, column: RecordLinkColumn) -> tuple[str, ...]:
        """The keys a link cell is read by: the linked type's (rules.Links)."""
        return ()

    def bookkeeping(self, mapped: set[str]) -> list[str]:
        """What is read of a matched record besides the mapped fields."""
        return ["status", "version", *(["business_unit_id"] if "owner" in mapped else [])]

    def owner_values(self, owner_id: int) -> dict:
        return {
            "owner_id": owner_id,
            "owner_name": self.owners.names[owner_id],
            "business_unit_id": self.access.units[owner_id],
        }

    def new_record(self, *, owner_id: int, now: datetime.datetime) -> dict:
        """A new record's values before the row's: its owner and stamps."""
        return {**self.owner_values(owner_id), **rules.create_stamps(by_id=self.by_id, now=now)}

    def complete(self, values: dict, record: dict | None, links: dict[str, rules.Links]) -> None:
        """The type's own checks of a resolved row (`record` is the matched one, None for a
        new one); CellError refuses the row."""

    def refuse_update(self, record: dict, changed: set[str]) -> None:
        rules.refuse_inactive(record["status"])
        pk = record[self.entity.model._meta.pk.attname]
        refusal = self.access.update_refusal(pk, changes_owner="owner_id" in changed)
        if refusal:
            raise CellError(refusal)

    def update_stamps(self, record: dict, now: datetime.datetime) -> dict:
        return rules.update_stamps(version=record["version"], by_id=self.by_id, now=now)

    def before_save(self, creates: list[dict]) -> None:
        """Last set-based touches to a chunk's new rows, just before they are inserted."""

    @staticmethod
    def chosen_owner_refusal(entity, owner, *, by) -> str | None:
        """Why `by` can't make `owner` the owner of the rows (the mapping page's choice)."""
        return import_owner_refusal(entity.model, owner, by=by)

    @staticmethod
    def deletable(records: QuerySet, user) -> QuerySet:
        """Of the records an import created, those `user` may delete (removing the import)."""
        return guard.visible(records, user, Privilege.DELETE)
