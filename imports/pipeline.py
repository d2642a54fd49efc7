"""The import core: rows in, records out, in chunks, with every row accounted for.

Rows are read lazily and handled CHUNK_SIZE at a time. Per chunk: each cell is converted
and validated in Python; the accounts named in the chunk (a contact's company, a parent
account) and the records already matching the duplicate key are fetched with one query each;
then the new records go in with one bulk insert and the changed ones with one bulk update,
inside one transaction together with the chunk's failures and counts. Nothing is done per
row against the database, which is what makes per-row imports take hours elsewhere.
"""

from __future__ import annotations

import datetime
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from itertools import islice
from operator import or_
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.imports import ImportAccess
from accounts.models import Account
from crm.choices import Status
from crm.models import chain_ids, person_name, sort_name_copies_of
from imports import duplicates, writers
from imports.columns import CellError, Column, cell_text
from imports.entities import Entity

CHUNK_SIZE = 1000
AMBIGUOUS = -1
T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """What the user asked for: columns to fields, what to do with duplicates, whose records."""

    entity: Entity
    mapping: list[str]
    duplicates: str  # "create", "update" or "skip"
    match_key: str
    default_owner_id: int
    by_id: int


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    created_ids: list[int] = field(default_factory=list)
    failures: list[tuple[int, str, list[str]]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.skipped + self.failed

    def fail(self, line: int, reason: str, cells: list) -> None:
        self.failed += 1
        self.failures.append((line, reason, [cell_text(cell) for cell in cells]))


@dataclass
class Row:
    line: int
    cells: list
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # The record the row names by its ID column (an export's), matched before the match key.
    record_id: int | None = None


def chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def id_ranges(ids: list[int], ranges: list[list[int]] | None = None) -> list[list[int]]:
    """[3, 4, 5, 9] -> [[3, 5], [9, 9]], extending the ranges already recorded."""
    ranges = [list(item) for item in ranges or []]
    for pk in sorted(ids):
        if ranges and ranges[-1][1] == pk - 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def read_ahead(items: Iterator[T], *, depth: int) -> Iterator[T]:
    """The items of `items`, produced by a thread up to `depth` items ahead of the consumer.

    The producer's exceptions are raised to the consumer; a consumer that stops early (on
    its own error) stops the producer too. Only for producers that use no database
    connection: the thread has its own, outside the consumer's transaction."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, who raises it
            offer(("error", error))
        else:
            offer(("done", None))

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = buffer.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


class Importer:
    """Runs a Plan over rows. `on_chunk(tally)` is called inside each chunk's transaction,
    so the caller's progress and failure records commit with the records themselves."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.entity = plan.entity
        self.model = plan.entity.model
        self.columns: list[tuple[int, Column]] = [
            (index, plan.entity.by_name[name]) for index, name in enumerate(plan.mapping) if name
        ]
        self.mapped = {column.name for _index, column in self.columns}
        self.id_name = plan.entity.id_column.name if plan.entity.id_column.name in self.mapped else ""
        self.file_keys = duplicates.RepeatedKeys()
        self.lookups = [column for _index, column in self.columns if column.kind == "account"]
        self.account_cache: dict[str, list[int]] = {}
        self.changed_fields: set[str] = set()
        self.users = self.load_users() if "owner" in self.mapped else {}
        self.pk_name = self.model._meta.pk.attname
        # The lists sort linked records by a copy of their name kept on the row (owner_name,
        # company_name): written with the row here, as save() would, for the links a file sets.
        self.name_copies = {
            relation: field
            for field, (relation, _attribute) in self.model.SORT_NAMES.items()
            if relation == "owner" or relation in self.mapped
        }
        self.person_names = {user.pk: person_name(user) for user in get_user_model().objects.all()}
        self.access = ImportAccess(self.model, by_id=plan.by_id, user_ids=self.person_names)
        self.account_names: dict[int, str] = {}
        # What an update compares (the mapped fields), checks and rewrites (the name parts a
        # derived name is built from), read for the matching records only.
        self.loaded = list(
            dict.fromkeys(
                [
                    self.pk_name,
                    plan.match_key,
                    "status",
                    "version",
                    *(column.field.attname for _index, column in self.columns),
                    *(field for relation, field in self.name_copies.items() if relation in self.mapped),
                    *plan.entity.name_parts,
                    *(["business_unit_id"] if "owner" in self.mapped else []),
                ]
            )
        )

    def run(self, rows: Iterable[tuple[int, list]], on_chunk: Callable[[Tally], None]) -> Tally:
        """Import every row; returns the counts (created ids are left to `on_chunk`)."""
        total = Tally()
        # Reading and parsing is Python work, writing mostly waits for the database: parsing
        # the next chunk in a thread meanwhile keeps both of two cores busy.
        for parsed in read_ahead(self.parsed_chunks(rows, translation.get_language()), depth=2):
            with transaction.atomic():
                writers.commit_without_flush()
                tally = self.import_chunk(parsed)
                on_chunk(tally)
            for name in ("created", "updated", "skipped", "failed"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
        return total

    # Reading -------------------------------------------------------------------------

    def parsed_chunks(self, rows: Iterable[tuple[int, list]], language: str | None) -> Iterator[list[Row]]:
        # The messages of bad cells are in the language of the user who runs the import.
        with translation.override(language):
            for chunk in chunks(rows, CHUNK_SIZE):
                yield [self.parse(line, cells) for line, cells in chunk]

    def parse(self, line: int, cells: list) -> Row:
        row = Row(line, cells)
        for index, column in self.columns:
            try:
                row.values[column.name] = column.parse(cells[index] if index < len(cells) else None)
            except CellError as error:
                row.errors.append(str(error))
        if self.id_name:
            # Only for matching: a record's ID is never written.
            row.record_id = row.values.pop(self.id_name, None)
        return row

    def load_users(self) -> dict[str, int]:
        users: dict[str, int] = {}
        for pk, username, email in get_user_model().objects.values_list("pk", "username", "email"):
            users[username.casefold()] = pk
            if email:
                key = email.casefold()
                users[key] = AMBIGUOUS if users.get(key, pk) != pk else pk
        return users

    def resolve_accounts(self, keys: set[str]) -> dict[str, list[int]]:
        """Account ids per name or number: a number match wins over a name match; names that
        match nothing exactly are tried again without case. Positive answers are cached."""
        missing = [key for key in keys if key not in self.account_cache]
        found: dict[str, list[int]] = {}
        if missing:
            by_number: dict[str, set[int]] = defaultdict(set)
            by_name: dict[str, set[int]] = defaultdict(set)
            accounts = Account.objects.filter(Q(account_number__in=missing) | Q(name__in=missing))
            for pk, name, number in accounts.values_list("pk", "name", "account_number"):
                by_number[number].add(pk)
                by_name[name].add(pk)
                self.account_names[pk] = name
            unmatched = {key.casefold(): key for key in missing if key not in by_number and key not in by_name}
            if unmatched:
                folded = Account.objects.annotate(folded_name=Lower("name"), folded_number=Lower("account_number"))
                folded = folded.filter(Q(folded_number__in=list(unmatched)) | Q(folded_name__in=list(unmatched)))
                for pk, name, number, real_name in folded.values_list("pk", "folded_name", "folded_number", "name"):
                    self.account_names[pk] = real_name
                    if number in unmatched:
                        by_number[unmatched[number]].add(pk)
                    if name in unmatched:
                        by_name[unmatched[name]].add(pk)
            for key in missing:
                ids = sorted(by_number.get(key) or by_name.get(key) or [])
                found[key] = ids
                if ids:
                    self.account_cache[key] = ids
        return {key: self.account_cache.get(key) or found.get(key, []) for key in keys}

    def existing_matches(self, rows: list[Row]) -> tuple[dict[int, dict], dict[str, list[dict]]]:
        """Records already in the database that rows name by ID (by id), or whose match key
        equals the key of a row without an ID (by folded key), read with one query as dicts of
        the columns an update compares and rewrites; a record found both ways is one dict."""
        if self.plan.duplicates == "create":
            return {}, {}
        key = self.plan.match_key
        ids = {row.record_id for row in rows if row.record_id is not None}
        values = {row.values.get(key) for row in rows if row.record_id is None and row.values.get(key)}
        wanted = {variant for value in values for variant in (value, value.lower())}
        by_id: dict[int, dict] = {}
        by_key: dict[str, list[dict]] = defaultdict(list)
        wanted_records = [Q(pk__in=ids)] if ids else []
        if wanted:
            wanted_records.append(Q(**{f"{key}__in": wanted}))
        if wanted_records:
            records = self.model.objects.filter(reduce(or_, wanted_records)).order_by("pk").values(*self.loaded)
            for record in records:
                by_id[record[self.pk_name]] = record
                if record[key]:
                    by_key[record[key].casefold()].append(record)
        self.access.load(by_id)
        return by_id, by_key

    # Writing -------------------------------------------------------------------------

    def import_chunk(self, rows: list[Row]) -> Tally:
        tally = Tally()
        # Only the fields some row really changes are written (an update's cost grows with them).
        self.changed_fields: set[str] = set()
        account_keys = {row.values[column.name] for row in rows for column in self.lookups} - {""}
        accounts = self.resolve_accounts(account_keys) if account_keys else {}
        by_id, existing = self.existing_matches(rows)
        creates: list[dict] = []
        updates: dict[int, dict] = {}
        seen: dict[str, dict] = {}
        now = timezone.now()
        for row in rows:
            if row.errors:
                # Report the lookups' problems too, so one round of fixes is enough.
                try:
                    self.resolve(row, accounts, None)
                except CellError as error:
                    row.errors.append(str(error))
                tally.fail(row.line, " ".join(row.errors), row.cells)
                continue
            file_key = self.file_key(row)
            repeated = self.file_keys.repeated(file_key)
            if repeated:
                tally.fail(row.line, repeated, row.cells)
                continue
            if row.record_id is not None and self.plan.duplicates != "create":
                # The record's own ID decides; one that names no record fails the row rather
                # than adding a copy of a record someone deleted. Rows naming the same record
                # share its dict, so they apply in turn.
                key = ""
                record = by_id.get(row.record_id)
                if record is None:
                    tally.fail(row.line, self.entity.id_column.unknown(row.record_id), row.cells)
                    continue
            else:
                key = (row.values.get(self.plan.match_key) or "").casefold() if self.plan.duplicates != "create" else ""
                matches = [seen[key]] if key in seen else existing.get(key, [])
                if len(matches) > 1:
                    tally.fail(row.line, self.several_match(len(matches)), row.cells)
                    continue
                record = matches[0] if matches else None
            if record is not None and self.plan.duplicates == "skip":
                tally.skipped += 1
                continue
            try:
                values = self.resolve(row, accounts, record)
            except CellError as error:
                tally.fail(row.line, str(error), row.cells)
                continue
            if record is None:
                record = self.new_record(values, now)
                creates.append(record)
                tally.created += 1
            elif self.pk_name not in record:
                # Created by an earlier row of this chunk: still unsaved, so merge into it.
                self.assign(record, values)
                tally.updated += 1
            else:
                outcome = self.update(record, values, now)
                if outcome is None:
                    tally.skipped += 1
                elif isinstance(outcome, str):
                    tally.fail(row.line, outcome, row.cells)
                    continue
                else:
                    updates[record[self.pk_name]] = record
                    tally.updated += 1
            if key:
                seen[key] = record
            self.file_keys.remember(file_key, row.line)
        self.save(creates, list(updates.values()), tally)
        return tally

    def file_key(self, row: Row) -> duplicates.Key | None:
        if self.plan.duplicates == "create":
            return None
        return duplicates.file_key(
            record_id=row.record_id,
            id_label=self.entity.id_column.label,
            value=row.values.get(self.plan.match_key),
            value_label=self.entity.by_name[self.plan.match_key].label,
        )

    def several_match(self, count: int) -> str:
        label = self.entity.by_name[self.plan.match_key].label
        return ngettext(
            "%(count)d existing record has this %(key)s; make it unique first.",
            "%(count)d existing records have this %(key)s; make it unique first.",
            count,
        ) % {"count": count, "key": label}

    def resolve(self, row: Row, accounts: dict[str, list[int]], record: dict | None) -> dict:
        """The row's values with lookups turned into ids (`company_id`, `owner_id`...)."""
        values = dict(row.values)
        for column in self.lookups:
            text = values.pop(column.name)
            copy = self.name_copies.get(column.name)
            if not text:
                values[f"{column.name}_id"] = None
                if copy:
                    values[copy] = ""
                continue
            ids = accounts.get(text, [])
            current = record.get(f"{column.name}_id") if record is not None else None
            if len(ids) > 1 and current in ids:
                # An export names the company; when names repeat, keep the one already set.
                ids = [current]
            if not ids:
                raise CellError(
                    column.problem(_("no account has the name or account number “%(value)s”.") % {"value": text})
                )
            if len(ids) > 1:
                raise CellError(
                    column.problem(
                        _("“%(value)s” matches %(count)d accounts; use the account number instead.")
                        % {"value": text, "count": len(ids)}
                    )
                )
            values[f"{column.name}_id"] = ids[0]
            if copy:
                values[copy] = self.account_names[ids[0]]
        if "owner" in values:
            text = values.pop("owner")
            if text:
                owner_id = self.users.get(text.casefold())
                if owner_id is None:
                    raise CellError(_("Owner: no user has the user name or email “%(value)s”.") % {"value": text})
                if owner_id == AMBIGUOUS:
                    raise CellError(_("Owner: several users have the email “%(value)s”.") % {"value": text})
                refusal = self.access.owner_refusal(owner_id)
                if refusal:
                    raise CellError(_("Owner: %(reason)s") % {"reason": refusal})
                values["owner_id"] = owner_id
                values["owner_name"] = self.person_names[owner_id]
                values["business_unit_id"] = self.access.units[owner_id]
            elif record is None:
                values["owner_id"] = self.plan.default_owner_id
                values["owner_name"] = self.person_names[self.plan.default_owner_id]
                values["business_unit_id"] = self.access.units[self.plan.default_owner_id]
        return values

    def new_record(self, values: dict, now: datetime.datetime) -> dict:
        record = {
            "owner_id": self.plan.default_owner_id,
            "owner_name": self.person_names[self.plan.default_owner_id],
            "business_unit_id": self.access.units[self.plan.default_owner_id],
            "created_by_id": self.plan.by_id,
            "modified_by_id": self.plan.by_id,
            "created_on": now,
            "modified_on": now,
        }
        self.assign(record, values)
        return record

    def assign(self, record: dict, values: dict) -> None:
        record.update(values)
        self.entity.derive_name(record)

    def update(self, record: dict, values: dict, now: datetime.datetime) -> bool | str | None:
        """Apply a row to an existing record: None when nothing changes, a reason when it
        can't change, True when it does."""
        changed = {name for name, value in values.items() if record[name] != value}
        if not changed:
            return None
        if record["status"] != Status.ACTIVE:
            return _("The matching record is inactive, so it is read-only; activate it first.")
        pk = record[self.pk_name]
        refusal = self.access.update_refusal(pk, changes_owner="owner_id" in changed)
        if refusal:
            return refusal
        parent_id = values.get("parent_id")
        changes_parent = parent_id is not None and parent_id != record.get("parent_id")
        if changes_parent and (parent_id == pk or pk in chain_ids(Account, start=parent_id, link="parent")):
            return _("Parent Account: that account is below this one, so it can't be its parent.")
        self.assign(record, values)
        self.changed_fields |= changed
        record["version"] += 1
        record["modified_by_id"] = self.plan.by_id
        record["modified_on"] = now
        return True

    def save(self, creates: list[dict], updates: list[dict], tally: Tally) -> None:
        if creates:
            tally.created_ids = writers.insert_rows(self.model, creates)
        if updates:
            names = self.changed_fields | {"version", "modified_by_id", "modified_on"}
            if names & set(self.entity.name_parts):
                names.add(self.entity.derived_name)
            writers.update_rows(self.model, updates, sorted(names))
            self.refresh_copies_of_renamed(updated_ids=[record[self.pk_name] for record in updates], written=names)

    def refresh_copies_of_renamed(self, *, updated_ids: list[int], written: set[str]) -> None:
        """Rows of other tables keep a copy of a linked record's name for sorting (a contact
        keeps its company's): when an import rewrites a name, recopy it there, as save() does."""
        for other, _field, relation, attribute in sort_name_copies_of(self.model):
            if attribute in written:
                other.objects.filter(**{f"{relation}_id__in": updated_ids}).refresh_sort_names()
