"""What can be imported and exported: accounts and contacts, with their columns, the keys
that find an existing record, and the permissions that guard them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.forms import AccountForm
from accounts.models import Account
from contacts.forms import ContactForm
from contacts.models import Contact, compose_full_name
from imports.columns import Column, RecordIdColumn, columns_for, normalise_header

# Lookups to contacts (primary contact, manager) would need a person's identity across files;
# they are left to the forms for now.
NOT_IMPORTED = {"primary_contact", "manager"}


@dataclass(frozen=True)
class Entity:
    key: str
    model: type[models.Model]
    field_names: tuple[str, ...]
    match_keys: tuple[str, ...]
    list_url_name: str
    # A stored name built from other fields (a contact's full_name). Imports write rows in
    # bulk, without save(), so they build it here.
    derived_name: str = ""
    name_parts: tuple[str, ...] = ()

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
            record[self.derived_name] = compose_full_name(*(record.get(part) or "" for part in self.name_parts))

    def permission(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

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


def importable(form_class) -> tuple[str, ...]:
    # The owner is no form field (Assign changes it) but a column: the import checks who may
    # give records to whom (access.imports).
    return (*(name for name in form_class._meta.fields if name not in NOT_IMPORTED), "owner")


ACCOUNT = Entity("account", Account, importable(AccountForm), ("account_number", "name"), "accounts:list")
CONTACT = Entity(
    "contact",
    Contact,
    importable(ContactForm),
    ("emailaddress1",),
    "contacts:list",
    derived_name="full_name",
    name_parts=("first_name", "middle_name", "last_name", "suffix"),
)
ENTITIES = {entity.key: entity for entity in (ACCOUNT, CONTACT)}
ENTITY_CHOICES = [(ACCOUNT.key, _("Accounts")), (CONTACT.key, _("Contacts"))]


def detect_entity(headers: list[str]) -> Entity | None:
    """The record type whose columns the headers match best; None on a tie or no match.

    Having the required column (Account Name, Last Name) counts first: the columns both
    types share (Email, Fax...) don't tell them apart.
    """
    ranked = []
    for entity in ENTITIES.values():
        mapped = entity.auto_mapping(headers)
        ranked.append(((all(name in mapped for name in entity.required), sum(1 for name in mapped if name)), entity))
    ranked.sort(key=lambda item: item[0], reverse=True)
    (best, winner), (runner_up, _other) = ranked[0], ranked[1]
    return winner if best[1] > 0 and best != runner_up else None
