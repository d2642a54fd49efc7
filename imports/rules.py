"""The rules every import path applies to a row, whichever engine runs it: the Import Data
pipeline (imports.pipeline, in bulk, a chunk at a time) and the admin's import
(imports.resources, django-import-export, a row at a time). The same bad row gets the same
refusal on both:

- an existing record is found by the record ID an export wrote, then by its keys; an ID that
  names no record, or a key that several records share, is refused;
- a file names each record once: a row repeating the record ID or key of an earlier row of
  the file fails with the line it repeats, instead of being merged into the first one's record;
- a link (a contact's company, a parent account) is resolved by the linked type's keys,
  exact matches first, then in any case; a name that matches nothing is refused, and so is
  one several records share, unless the record already links to one of them;
- an owner is found by user name or email; an email several users share is refused;
- an inactive record is read-only: a row that would change it is refused;
- a hierarchy (an account's parent) never loops, also through rows of the same file;
- an update raises the record's version and stamps who changed it and when.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import guard
from access.services import units_of_users
from audit import staged
from crm.choices import Status
from crm.models import person_name
from imports.columns import CellError, RecordLinkColumn, in_every_language
from imports.entities import Entity, entity_for

AMBIGUOUS = -1


def inactive_refusal() -> str:
    return _("The matching record is inactive, so it is read-only; activate it first.")


def refuse_inactive(status: str) -> None:
    if status != Status.ACTIVE:
        raise CellError(inactive_refusal())


def update_stamps(*, version: int, by_id: int | None, now: datetime.datetime) -> dict:
    """What an update writes besides the row's values: the next version, who, when."""
    return {"version": version + 1, "modified_by_id": by_id, "modified_on": now}


def create_stamps(*, by_id: int | None, now: datetime.datetime) -> dict:
    return {"created_by_id": by_id, "modified_by_id": by_id, "created_on": now, "modified_on": now}


class Owners:
    """Users by user name or email, in any case, read once per import."""

    def __init__(self):
        self.users: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for user in get_user_model().objects.all():
            self.names[user.pk] = person_name(user)
            self.users[user.get_username().casefold()] = user.pk
            if user.email:
                key = user.email.casefold()
                self.users[key] = AMBIGUOUS if self.users.get(key, user.pk) != user.pk else user.pk

    @staticmethod
    def names_of(ids: list[int]) -> dict[int, str]:
        return {user.pk: person_name(user) for user in get_user_model().objects.filter(pk__in=ids)}

    def resolve(self, text: str) -> int:
        owner_id = self.users.get(text.casefold())
        if owner_id is None:
            raise CellError(_("Owner: no user has the user name or email “%(value)s”.") % {"value": text})
        if owner_id == AMBIGUOUS:
            raise CellError(_("Owner: several users have the email “%(value)s”.") % {"value": text})
        return owner_id


class Links:
    """The records link cells name (a contact's company, a parent account), by the linked
    type's keys: a match on an earlier key wins (account number before name); texts that
    match nothing exactly are tried again without case. Positive answers are cached."""

    def __init__(
        self,
        column: RecordLinkColumn,
        *,
        scope: QuerySet | None = None,
        create_missing: bool = False,
        carried: tuple[str, ...] = (),
        keys: tuple[str, ...] = (),
    ):
        self.column = column
        self.target = entity_for(column.target)
        # The linked type's keys, exact matches first, in this order (its link_keys unless
        # the linking type reads more: an activity's record by email too).
        self.keys = keys or self.target.link_keys
        # The records a link may name (Import Data: those the importer may read and append
        # to, access.guard.linkable); others are as if they didn't exist.
        self.scope = self.target.model._default_manager.all() if scope is None else scope
        # Names that match nothing become new records (the import's "create missing companies").
        self.create_missing = create_missing
        self.creation_refusal: str | None = None
        self.found: dict[str, list[int]] = {}
        self.latest: dict[str, list[int]] = {}
        self.names: dict[int, str] = {}
        # Values of the linked records read with them (a contact's company), by record id.
        self.carried_names = carried
        self.carried: dict[int, dict] = {}
        # What an export writes instead of the name of a linked record its reader may not
        # read (access.guard.unseen_label), in each language: it names no record.
        self.masked = in_every_language(lazy(guard.unseen_label, str)())

    def resolve(self, texts: Iterable[str]) -> dict[str, list[int]]:
        """Ids of the records each text names, read with one or two queries for all; what
        choose() picks from. Texts that named nothing are looked up again next time (an
        earlier row may have created the record since)."""
        texts = set(texts) - {""} - self.masked
        missing = [text for text in texts if text not in self.found]
        if missing:
            keys, name = self.keys, self.target.link_name
            # A record's own ID ("account:17", as exports write it) names it whatever its name.
            by_id = {text: pk for text in missing if (pk := self.target.id_column.id_in(text)) is not None}
            by_key: dict[str, dict[str, set[int]]] = {key: defaultdict(set) for key in keys}
            wanted = [Q(**{f"{key}__in": missing}) for key in keys] + ([Q(pk__in=by_id.values())] if by_id else [])
            found_ids: set[int] = set()
            for pk, shown, *values in self.scope.filter(reduce(or_, wanted)).values_list("pk", name, *self.read(keys)):
                found_ids.add(pk)
                self.keep(pk, shown, values)
                for key, value in zip(keys, values, strict=False):
                    by_key[key][value].add(pk)
            unmatched = {
                text.casefold(): text
                for text in missing
                if text not in by_id and not any(text in by_key[key] for key in keys)
            }
            if unmatched:
                folded = {f"folded_{key}": Lower(key) for key in keys}
                wanted = reduce(or_, (Q(**{f"{alias}__in": list(unmatched)}) for alias in folded))
                records = self.scope.annotate(**folded).filter(wanted)
                for pk, shown, *values in records.values_list("pk", name, *self.read(tuple(folded))):
                    self.keep(pk, shown, values)
                    for key, value in zip(keys, values, strict=False):
                        if value in unmatched:
                            by_key[key][unmatched[value]].add(pk)
            for text in missing:
                if text in by_id:
                    ids = [by_id[text]] if by_id[text] in found_ids else []
                else:
                    ids = next((sorted(by_key[key][text]) for key in keys if by_key[key].get(text)), [])
                if ids:
                    self.found[text] = ids
        self.latest = {text: self.found.get(text, []) for text in texts}
        return self.latest

    def read(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """What a lookup reads of each record after its id and name: the keys, then the
        carried values."""
        return (*keys, *self.carried_names)

    def keep(self, pk: int, shown: str, values: list) -> None:
        self.names[pk] = shown
        if self.carried_names:
            self.carried[pk] = dict(zip(self.carried_names, values[-len(self.carried_names) :], strict=True))

    def create(self, texts: Iterable[str], *, owner_id: int, access, audit) -> None:
        """Create, owned by `owner_id`, a record for each text the last resolve() matched to
        nothing, if the importing user may; a refusal is kept for choose() to report."""
        from imports import writers

        missing = sorted({text.strip() for text in texts if text and not self.latest.get(text)} - {""} - self.masked)
        if not missing:
            return
        model = self.target.model
        if self.creation_refusal is None:
            self.creation_refusal = link_creation_refusal(model, owner_id=owner_id, by=access.by) or ""
        if self.creation_refusal:
            return
        owners = Owners.names_of([owner_id])
        now = timezone.now()
        units = units_of_users([owner_id])
        rows = [
            {
                self.target.link_name: text[: model._meta.get_field(self.target.link_name).max_length],
                "owner_id": owner_id,
                "owner_name": owners[owner_id],
                "business_unit_id": units[owner_id],
                **create_stamps(by_id=access.by.pk, now=now),
            }
            for text in missing
        ]
        ids = writers.insert_rows(model, rows)
        if not ids:
            ids = list(
                model._default_manager.filter(**{f"{self.target.link_name}__in": missing}).values_list("pk", flat=True)
            )
        staged.created(model, ids, tag=audit)
        self.found = {text: ids for text, ids in self.found.items() if ids}
        self.resolve(list(self.latest))

    def choose(self, text: str, *, current_id: int | None) -> int:
        """The one record `text` names, from the last resolve(), which had it; CellError for
        none or several. A name several records share is the one already linked, if it is
        one of them (an export names the company; names repeat). The text an export writes
        for a linked record its reader may not read keeps the link there (an exported file
        imported back changes nothing) and names none otherwise."""
        if text in self.masked:
            if current_id is not None:
                return current_id
            raise CellError(
                self.column.problem(
                    _(
                        "“%(value)s” is what an export writes for a %(type)s you may not read: it keeps "
                        "a link already there but can't make a new one. Leave the cell empty or name a %(type)s."
                    )
                    % {"value": text, "type": self.target.model._meta.verbose_name}
                )
            )
        ids = self.latest[text]
        if len(ids) > 1 and current_id in ids:
            return current_id
        if not ids and self.creation_refusal:
            raise CellError(
                self.column.problem(
                    _("no %(type)s has the %(keys)s “%(value)s”, and it could not be created: %(reason)s")
                    % {
                        "type": self.target.model._meta.verbose_name,
                        "keys": self.key_labels(),
                        "value": text,
                        "reason": self.creation_refusal,
                    }
                )
            )
        if not ids:
            raise CellError(
                self.column.problem(
                    _("no %(type)s has the %(keys)s “%(value)s”.")
                    % {"type": self.target.model._meta.verbose_name, "keys": self.key_labels(), "value": text}
                )
            )
        if len(ids) > 1:
            raise CellError(
                self.column.problem(
                    _("“%(value)s” matches %(count)d %(types)s; use the %(key)s instead.")
                    % {
                        "value": text,
                        "count": len(ids),
                        "types": self.target.model._meta.verbose_name_plural,
                        "key": self.label_of(self.keys[0]),
                    }
                )
            )
        return ids[0]

    def label_of(self, key: str) -> str:
        return str(self.target.model._meta.get_field(key).verbose_name).lower()

    def key_labels(self) -> str:
        labels = [self.label_of(key) for key in reversed(self.keys)]
        return (
            _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
            if len(labels) > 1
            else labels[0]
        )


def link_creation_refusal(model, *, owner_id: int, by) -> str | None:
    """Why `by` can't create `model` records owned by `owner_id` during an import, or None."""
    from access.imports import import_owner_refusal
    from access.models import Privilege
    from access.scope import access_of

    opts = model._meta
    if not by.has_perm(f"{opts.app_label}.add_{opts.model_name}") or not access_of(by).depth(model, Privilege.CREATE):
        return _("you may not create %(types)s.") % {"types": opts.verbose_name_plural}
    owner = get_user_model().objects.get(pk=owner_id)
    return import_owner_refusal(model, owner, by=by)


class Hierarchy:
    """Refuses a link that would make a loop (an account above itself), counting the links
    set by earlier rows of the same import that aren't written yet."""

    def __init__(self, entity: Entity):
        self.entity = entity
        self.link = entity.hierarchy
        self.pending: dict[int, int | None] = {}

    def check(self, *, record_id: int | None, target_id: int | None) -> None:
        if not self.link or record_id is None or target_id is None:
            return
        model = self.entity.model
        current: int | None = target_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            if current == record_id:
                column = self.entity.by_name[self.link]
                raise CellError(
                    column.problem(
                        _("that %(type)s is below this one, so it can't be its %(link)s.")
                        % {"type": model._meta.verbose_name, "link": str(column.field.verbose_name).lower()}
                    )
                )
            seen.add(current)
            if current in self.pending:
                current = self.pending[current]
            else:
                current = model._default_manager.filter(pk=current).values_list(f"{self.link}_id", flat=True).first()
        self.pending[record_id] = target_id


def several_match(entity: Entity, key: str, count: int) -> str:
    return ngettext(
        "%(count)d existing record has this %(key)s; make it unique first.",
        "%(count)d existing records have this %(key)s; make it unique first.",
        count,
    ) % {"count": count, "key": entity.by_name[key].label}


# (column label, record id) for a record named by its ID; (column label, folded text) for a
# key. The label says which column repeats.
FileKey = tuple[str, object]


class RepeatedKeys:
    """The keys met so far in one file, each with the line it was first met on."""

    def __init__(self) -> None:
        self.first_lines: dict[FileKey, int] = {}

    def refuse_repeated(self, key: FileKey | None) -> None:
        """CellError if an earlier row of the file had `key`."""
        line = self.first_lines.get(key) if key is not None else None
        if line is not None:
            raise CellError(
                _("This row is a duplicate of line %(line)d in this file (same %(column)s): keep one of them.")
                % {"line": line, "column": key[0]}
            )

    def remember(self, key: FileKey | None, line: int) -> None:
        if key is not None:
            self.first_lines.setdefault(key, line)


class Matches:
    """The existing records rows name: by record ID first, else by `keys` in turn (the first
    key whose value matches decides), in any case; each as a dict of `fields`. One query for
    a batch of rows."""

    def __init__(self, entity: Entity, *, keys: tuple[str, ...], fields: list[str], scope: QuerySet | None = None):
        self.entity, self.keys, self.fields = entity, keys, fields
        self.pk_name = entity.model._meta.pk.attname
        # The records a row may name (activities: those the importer can see); others are as
        # if they didn't exist.
        self.scope = entity.model._default_manager.all() if scope is None else scope

    def read(
        self, rows: Iterable[tuple[int | None, dict]]
    ) -> tuple[dict[int, dict], dict[tuple[str, str], list[dict]]]:
        """(records by id, records by (key, folded value)) for rows of (record id, values)."""
        ids: set[int] = set()
        wanted: dict[str, set[str]] = defaultdict(set)
        for record_id, values in rows:
            if record_id is not None:
                ids.add(record_id)
                continue
            for key in self.keys:
                if values.get(key):
                    wanted[key] |= {values[key], values[key].lower()}
        conditions = [Q(pk__in=ids)] if ids else []
        conditions += [Q(**{f"{key}__in": values}) for key, values in wanted.items()]
        by_id: dict[int, dict] = {}
        by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
        if conditions:
            records = self.scope.filter(reduce(or_, conditions))
            for record in records.order_by("pk").values(*dict.fromkeys([self.pk_name, *self.keys, *self.fields])):
                by_id[record[self.pk_name]] = record
                for key in self.keys:
                    if record[key]:
                        by_key[key, record[key].casefold()].append(record)
        return by_id, by_key

    def file_key(self, record_id: int | None, values: dict) -> FileKey | None:
        """What the row names its record by, as RepeatedKeys compares it; None for none."""
        if record_id is not None:
            return (str(self.entity.id_column.label), record_id)
        for key in self.keys:
            if values.get(key):
                return (str(self.entity.by_name[key].label), str(values[key]).strip().casefold())
        return None

    def match(self, record_id: int | None, values: dict, found) -> dict | None:
        """The record a row names, None for a new one; CellError when it can't tell."""
        by_id, by_key = found
        if record_id is not None:
            # The record's own ID decides; one that names no record fails the row rather
            # than adding a copy of a record someone deleted.
            if record_id not in by_id:
                raise CellError(self.entity.id_column.unknown(record_id))
            return by_id[record_id]
        for key in self.keys:
            matches = by_key.get((key, values[key].casefold()), []) if values.get(key) else []
            if len(matches) > 1:
                raise CellError(several_match(self.entity, key, len(matches)))
            if matches:
                return matches[0]
        return None
