"""What can be imported and exported: each record type's entity, declared by its own app
(its resources.py) and registered with the type in crm.registry (or with a capability, for
activities). An entity names the type's columns, the keys that find an existing record, how
links to the type are resolved, the type's own row rules (a hierarchy that must not loop, a
name built from parts) and how an import writes its rows (`writes`, imports.writes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm import registry
from imports.columns import Column, RecordIdColumn, RecordLinkColumn, columns_for, normalise_header


@dataclass(frozen=True)
class Entity:
    model: type[models.Model]
    field_names: tuple[str, ...]
    # The keys that find an existing record, in the order the admin import tries them; the
    # Import Data page lets the user pick one.
    match_keys: tuple[str, ...]
    # A link to this type (a contact's company) is written as `link_name` and read by
    # `link_keys`, exact matches first, in this order.
    link_name: str = "name"
    link_keys: tuple[str, ...] = ("name",)
    # A link to the same type that must not loop (an account's parent).
    hierarchy: str = ""
    # A stored name built from other fields (a contact's full_name). Imports write rows in
    # bulk, without save(), so they build it with `compose_name(*parts)`.
    derived_name: str = ""
    name_parts: tuple[str, ...] = ()
    compose_name: Callable[..., str] | None = None
    # Of records an import created, those that removing the import must keep (accounts
    # that gained contacts since).
    kept_on_removal: Callable[[QuerySet], QuerySet] | None = None
    # How an import writes the type's rows: a customer record's bookkeeping (owner, business
    # unit, status, version) by default, imports.writes.RecordWrites; activities bring theirs.
    writes: Any = None
    # The record types whose Import and Export rights cover this entity: its own type by
    # default; activities travel with the accounts and contacts they are about.
    covered_by: tuple[type[models.Model], ...] = ()

    @property
    def key(self) -> str:
        return self.model._meta.model_name

    @property
    def default_match_key(self) -> str:
        """The key existing records are matched on unless the user picks another; "" for a
        type whose rows are matched by their ID only (activities)."""
        return self.match_keys[0] if self.match_keys else ""

    @property
    def record_type(self) -> registry.RecordType:
        return registry.for_model(self.model)

    @property
    def list_url_name(self) -> str:
        """Where the rows are listed: the record type's list, or the capability's."""
        for capability in registry.capabilities():
            if capability.transfer is self:
                return capability.list_url_name
        return f"{self.record_type.namespace}:list"

    @property
    def writes_class(self):
        from imports.writes import RecordWrites

        return self.writes or RecordWrites

    def may(self, user, action: str) -> bool:
        """Whether `user` may import or export ("import", "export") this entity's rows: the one
        gate of Import Data, the lists' commands and the exports (access.imports.may_transfer)."""
        from access.imports import may_transfer

        return any(may_transfer(user, model, action) for model in self.covered_by or (self.model,))

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        # The record's ID last, after what people read: exports write it, imports match on it
        # before the match key.
        return (*columns_for(self.model, list(self.field_names)), self.id_column)

    @cached_property
    def id_column(self) -> RecordIdColumn:
        return RecordIdColumn(self.model._meta.pk)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    @cached_property
    def links(self) -> tuple[RecordLinkColumn, ...]:
        return tuple(column for column in self.columns if isinstance(column, RecordLinkColumn))

    @property
    def label(self):
        return self.model._meta.verbose_name_plural

    @property
    def required(self) -> list[str]:
        # The owner is required too, but the import's chosen owner fills it in; yes/no
        # columns have a default.
        return [
            column.name
            for column in self.columns
            if not column.field.blank and not column.field.has_default() and column.name != "owner"
        ]

    def derive_name(self, record: dict) -> None:
        if self.derived_name:
            record[self.derived_name] = self.compose_name(*(record.get(part) or "" for part in self.name_parts))

    def column_for_header(self, header: str) -> Column | None:
        wanted = normalise_header(header)
        for column in self.columns:
            if wanted in column.header_names():
                return column
        return None

    def auto_mapping(self, headers: list[str]) -> list[str]:
        """The field each header maps to by its label or logical name, "" for not mapped."""
        taken: set[str] = set()
        mapping = []
        for header in headers:
            column = self.column_for_header(header)
            if column is None or column.name in taken:
                mapping.append("")
            else:
                taken.add(column.name)
                mapping.append(column.name)
        return mapping


def importable(form_class, *, leaving_out: set[str] = frozenset()) -> tuple[str, ...]:
    """The fields of a record type's main form, but `leaving_out`, and the owner: no form field
    (Assign changes it) but a column, the import checking who may give records to whom
    (access.imports)."""
    return (*(name for name in form_class._meta.fields if name not in leaving_out), "owner")


def all_entities() -> Iterator[Entity]:
    return iter(registry.transfers())


def get(key: str | None) -> Entity | None:
    """The entity whose key (model name: "account", "activity") is `key`, None if there is none."""
    return next((entity for entity in all_entities() if entity.key == key), None)


def entity_for(model: type[models.Model]) -> Entity:
    return next(entity for entity in all_entities() if entity.model is model)


def validate_record_type(key: str) -> None:
    """A stored import's record type is one the registry knows as importable."""
    if key and get(key) is None:
        raise ValidationError(_("“%(value)s” is not a record type that can be imported.") % {"value": key})


def detect_entity(headers: list[str]) -> Entity | None:
    """The record type whose columns the headers match best; None on a tie or no match.

    Having the required column (Account Name, Last Name) counts first: the columns both
    types share (Email, Fax...) don't tell them apart.
    """
    ranked = []
    for entity in all_entities():
        mapped = entity.auto_mapping(headers)
        ranked.append(((all(name in mapped for name in entity.required), sum(1 for name in mapped if name)), entity))
    ranked.sort(key=lambda item: item[0], reverse=True)
    if not ranked:
        return None
    best, winner = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else None
    return winner if best[1] > 0 and best != runner_up else None
