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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import staged
from crm.models import sort_name_copies_of
from crm.services import commit_without_waiting_for_disk
from duplicates.batch import BatchDuplicates, Match
from imports import rules, sources, writers
from imports.columns import CellError, Column, RecordLinkColumn, cell_text
from imports.entities import Entity

CHUNK_SIZE = 1000
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
    job_id: int | None = None
    # New rows the duplicate rules match (to a record or an earlier row): created if allowed.
    allow_duplicates: bool = True
    # Where the file comes from (imports.sources), for the way its cells are written, and the
    # file's headings, which the source's row preparer reads.
    source: str = ""
    headers: tuple[str, ...] = ()
    # Links that name no record create it (a contact's company that is no account yet).
    create_missing_links: bool = False


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    created_ids: list[int] = field(default_factory=list)
    failures: list[tuple[int, str, list[str]]] = field(default_factory=list)
    # (line, what it matches, whether it was skipped), for the job's report.
    duplicates: list[tuple[int, Match, bool]] = field(default_factory=list)

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


def differs(stored: object, imported: object) -> bool:
    """Whether an imported value changes a stored one. Files write moments to the minute
    (imports.columns.DateTimeColumn): a stored moment with seconds is unchanged by its own."""
    if isinstance(stored, datetime.datetime) and isinstance(imported, datetime.datetime):
        return stored.replace(second=0, microsecond=0) != imported
    return stored != imported


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
        source = sources.by_key(plan.source)
        self.preparer = source.preparer(list(plan.headers), plan.mapping) if source is not None else None
        if self.preparer is not None:
            # The fields it fills that no column maps (a second email in Google's "a ::: b").
            mapped_names = set(plan.mapping)
            self.columns += [
                (-1, plan.entity.by_name[name])
                for name in self.preparer.extra_fields
                if name not in mapped_names and name in plan.entity.by_name
            ]
        self.mapped = {column.name for _index, column in self.columns}
        self.id_name = plan.entity.id_column.name if plan.entity.id_column.name in self.mapped else ""
        # The row rules both import paths share (imports.rules).
        self.owners = rules.Owners()
        self.hierarchy = rules.Hierarchy(plan.entity)
        self.file_keys = rules.RepeatedKeys()
        self.changed_fields: set[str] = set()
        self.pk_name = self.model._meta.pk.attname
        # What differs from type to type: bookkeeping, owner, access (imports.writes).
        self.writes = plan.entity.writes_class(
            plan.entity, by_id=plan.by_id, owners=self.owners, default_owner_id=plan.default_owner_id
        )
        self.access = self.writes.access
        # The lists sort linked records by a copy of their name kept on the row (owner_name,
        # company_name): written with the row here, as save() would, for the links a file sets.
        self.name_copies = {
            relation: field
            for field, (relation, _attribute) in getattr(self.model, "SORT_NAMES", {}).items()
            if relation == "owner" or relation in self.mapped
        }
        # What an update compares (the mapped fields), checks and rewrites (the name parts a
        # derived name is built from), read for the matching records only.
        loaded = [
            *self.writes.bookkeeping(self.mapped),
            *(column.field.attname for _index, column in self.columns),
            *(field for relation, field in self.name_copies.items() if relation in self.mapped),
            *plan.entity.name_parts,
        ]
        self.matches = rules.Matches(
            plan.entity,
            keys=(plan.match_key,) if plan.match_key else (),
            fields=list(dict.fromkeys(loaded)),
            scope=self.writes.matchable(),
        )
        self.possible_duplicates = BatchDuplicates(self.model)
        # Links name only records the importer may read and append to (access.guard.linkable).
        self.links = {
            column.name: rules.Links(
                column,
                scope=self.writes.link_scope(column),
                create_missing=plan.create_missing_links and self.writes.CREATES_LINKED,
                carried=self.writes.carried(column),
                keys=self.writes.link_keys(column),
            )
            for _index, column in self.columns
            if isinstance(column, RecordLinkColumn)
        }
        # What every audit entry of the import carries (the importing user is loaded already).
        self.audit_tag = staged.ImportTag(by_id=plan.by_id, job_id=plan.job_id, user_name=self.access.by.get_username())

    def run(self, rows: Iterable[tuple[int, list]], on_chunk: Callable[[Tally], None]) -> Tally:
        """Import every row; returns the counts (created ids are left to `on_chunk`)."""
        total = Tally()
        # Reading and parsing is Python work, writing mostly waits for the database: parsing
        # the next chunk in a thread meanwhile keeps both of two cores busy.
        for parsed in read_ahead(self.parsed_chunks(rows, translation.get_language()), depth=2):
            with commit_without_waiting_for_disk():
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
        if self.preparer is not None:
            return self.parse_prepared(line, cells)
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

    def parse_prepared(self, line: int, cells: list) -> Row:
        """A row of a recognised source: its preparer gives the field texts. A field it
        leaves out is not written (an update keeps the record's value); links always are."""
        prepared = self.preparer.prepare(cells)
        row = Row(line, cells, errors=list(prepared.errors))
        for _index, column in self.columns:
            text = prepared.texts.get(column.name)
            if text is None and column.name not in self.links:
                continue
            try:
                row.values[column.name] = column.parse(text)
            except CellError as error:
                row.errors.append(str(error))
        if self.id_name:
            row.record_id = row.values.pop(self.id_name, None)
        return row

    # Writing -------------------------------------------------------------------------

    def import_chunk(self, rows: list[Row]) -> Tally:
        tally = Tally()
        # Only the fields some row really changes are written (an update's cost grows with them).
        self.changed_fields: set[str] = set()
        for name, links in self.links.items():
            links.resolve(row.values[name] for row in rows)
            if links.create_missing:
                links.create(
                    (row.values[name] for row in rows if not row.errors),
                    owner_id=self.plan.default_owner_id,
                    access=self.access,
                    audit=self.audit_tag,
                )
        matching = self.plan.duplicates != "create"
        found = self.matches.read((row.record_id, row.values) for row in rows) if matching else ({}, {})
        self.access.load(found[0])
        # New rows like an existing record or an earlier row: a few queries for the chunk.
        possible = self.possible_duplicates.check(
            [(row.line, row.values) for row in rows if not row.errors and row.record_id is None]
        )
        creates: list[dict] = []
        updates: dict[int, dict] = {}
        now = timezone.now()
        for row in rows:
            if row.errors:
                # Report the lookups' problems too, so one round of fixes is enough.
                try:
                    self.resolve(row, None, complete=False)
                except CellError as error:
                    row.errors.append(str(error))
                tally.fail(row.line, " ".join(row.errors), row.cells)
                continue
            file_key = self.matches.file_key(row.record_id, row.values) if matching else None
            try:
                self.file_keys.refuse_repeated(file_key)
                record = self.matches.match(row.record_id, row.values, found) if matching else None
                if record is not None and self.plan.duplicates == "skip":
                    tally.skipped += 1
                    self.file_keys.remember(file_key, row.line)
                    continue
                if record is None and row.line in possible:
                    skip = not self.plan.allow_duplicates
                    tally.duplicates.append((row.line, possible[row.line], skip))
                    if skip:
                        tally.skipped += 1
                        self.file_keys.remember(file_key, row.line)
                        continue
                values = self.resolve(row, record)
                if record is None:
                    creates.append(self.new_record(values, now))
                    tally.created += 1
                elif self.update(record, values, now):
                    updates[record[self.pk_name]] = record
                    tally.updated += 1
                else:
                    tally.skipped += 1
            except CellError as refusal:
                tally.fail(row.line, str(refusal), row.cells)
                continue
            self.file_keys.remember(file_key, row.line)
        self.save(creates, list(updates.values()), tally)
        return tally

    def resolve(self, row: Row, record: dict | None, *, complete: bool = True) -> dict:
        """The row's values with links turned into ids (`company_id`, `owner_id`...), then
        checked by the type's own rules unless `complete` is False (a row whose cells already
        failed: those rules would only repeat that a failed cell is missing)."""
        values = dict(row.values)
        for name, links in self.links.items():
            text = values.pop(name)
            copy = self.name_copies.get(name)
            if not text:
                values[f"{name}_id"] = None
                if copy:
                    values[copy] = ""
                continue
            current = record.get(f"{name}_id") if record is not None else None
            linked = links.choose(text, current_id=current)
            if linked != current:
                refusal = self.access.link_refusal(record[self.pk_name] if record is not None else None)
                if refusal:
                    raise CellError(links.column.problem(refusal))
            values[f"{name}_id"] = linked
            if copy:
                # A link kept without being read (one its importer may not read) keeps its name.
                values[copy] = links.names[linked] if linked in links.names else record[copy]
        if "owner" in values:
            text = values.pop("owner")
            if text:
                owner_id = self.owners.resolve(text)
                refusal = self.access.owner_refusal(owner_id)
                if refusal:
                    raise CellError(_("Owner: %(reason)s") % {"reason": refusal})
                values.update(self.writes.owner_values(owner_id))
            elif record is None:
                values.update(self.writes.owner_values(self.plan.default_owner_id))
        if complete:
            self.writes.complete(values, record, self.links)
        return values

    def new_record(self, values: dict, now: datetime.datetime) -> dict:
        record = self.writes.new_record(owner_id=self.plan.default_owner_id, now=now)
        self.assign(record, values)
        return record

    def assign(self, record: dict, values: dict) -> None:
        record.update(values)
        self.entity.derive_name(record)

    def update(self, record: dict, values: dict, now: datetime.datetime) -> bool:
        """Apply a row to an existing record: False when nothing changes, True when it does;
        CellError when it can't change."""
        changed = {name for name, value in values.items() if differs(record[name], value)}
        if not changed:
            return False
        self.writes.refuse_update(record, changed)
        link = self.entity.hierarchy
        if link and f"{link}_id" in changed:
            self.hierarchy.check(record_id=record[self.pk_name], target_id=values[f"{link}_id"])
        self.assign(record, values)
        self.changed_fields |= changed
        record.update(self.writes.update_stamps(record, now))
        return True

    def save(self, creates: list[dict], updates: list[dict], tally: Tally) -> None:
        audit = self.audit_tag
        if creates:
            self.writes.before_save(creates)
            tally.created_ids = writers.insert_rows(self.model, creates)
            staged.created(self.model, tally.created_ids, tag=audit)
        if updates:
            names = self.changed_fields | set(self.writes.STAMPS)
            if names & set(self.entity.name_parts):
                names.add(self.entity.derived_name)
            writers.update_rows(self.model, updates, sorted(names), audit=audit)
            self.refresh_copies_of_renamed(updated_ids=[record[self.pk_name] for record in updates], written=names)

    def refresh_copies_of_renamed(self, *, updated_ids: list[int], written: set[str]) -> None:
        """Rows of other tables keep a copy of a linked record's name for sorting (a contact
        keeps its company's): when an import rewrites a name, recopy it there, as save() does."""
        for other, _field, relation, attribute in sort_name_copies_of(self.model):
            if attribute in written:
                other.objects.filter(**{f"{relation}_id__in": updated_ids}).refresh_sort_names()
