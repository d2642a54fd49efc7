"""Writes every customer record goes through: saving with a version check, status changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from audit import services as audit
from audit.models import Event, Source
from crm.choices import Status
from crm.models import CustomerRecord, copy_name_to_linked_rows


@contextmanager
def commit_without_waiting_for_disk() -> Iterator[None]:
    """A transaction whose commit doesn't wait for the disk flush (PostgreSQL).

    For writes that are cheap to lose in a crash of the database server (the last fraction
    of a second of them) and costly to flush one by one: a Recent entry, an import's chunk
    (whose records, failures and counts commit together, so a chunk is lost whole or not at
    all; the job's final status is written with an ordinary commit, which flushes everything
    before it). SQLite runs in WAL mode with synchronous=NORMAL, which already commits that way.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def execute_without_waiting_for_disk(sql: str, params: tuple) -> None:
    """One statement, committed on its own like commit_without_waiting_for_disk() but in one
    round trip to the server instead of four (BEGIN, SET LOCAL, the statement, COMMIT).

    PostgreSQL runs the statements of one query string as a single implicit transaction, which
    SET LOCAL applies to. Inside a caller's transaction the statement simply joins it (and its
    commit), so that transaction's durability is never changed from here.
    """
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(("SET LOCAL synchronous_commit TO OFF; " if asynchronous else "") + sql, params)


class RecordChangedError(Exception):
    """Someone saved the record after the editor loaded it; `current` is what they saved."""

    def __init__(self, current: CustomerRecord):
        super().__init__(f"{current._meta.label} {current.pk} changed since it was loaded")
        self.current = current


class RecordVersionMissingError(RecordChangedError):
    """The save didn't say which version it was made from (an old page, a hand-made POST):
    saving it could overwrite anyone's change unseen, so it is refused like a conflict."""


class RecordInactiveError(Exception):
    """The record was deactivated; it is read-only until reactivated."""


def record_save(*, record: CustomerRecord, update_fields=None) -> CustomerRecord:
    """Save a record, then give the rows that keep a copy of its name for sorting (a
    company's contacts, a primary contact's accounts) its current name."""
    record.save(update_fields=update_fields)
    # Every copied attribute: a save may change one derived from the fields saved (full_name).
    copy_name_to_linked_rows(record)
    return record


def record_create(*, record: CustomerRecord, by, source: str = Source.FORM) -> CustomerRecord:
    """Save a new record, owned by its creator (Assign gives it to someone else)."""
    record.created_by = record.modified_by = by
    record.owner, record.owner_team, record.business_unit = by, None, None
    with transaction.atomic():
        record.save()
        audit.record_created(record=record, by=by, source=source)
    return record


def refusal_count_message(count: int, reason: str) -> str:
    return ngettext(
        "%(count)d selected record was left unchanged. %(reason)s",
        "%(count)d selected records were left unchanged. %(reason)s",
        count,
    ) % {"count": count, "reason": reason}


def record_update(
    *, record: CustomerRecord, loaded_version: int | None, by, source: str = Source.FORM
) -> CustomerRecord:
    """Save an edit only if nobody saved the record since `loaded_version` was read.

    The row is locked for the check-and-write, so two simultaneous saves can't both win. A
    save without a version is refused: without one there is nothing to check against.
    """
    model = type(record)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=record.pk)
        if loaded_version is None:
            raise RecordVersionMissingError(current)
        if current.version != loaded_version:
            raise RecordChangedError(current)
        if not current.is_active:
            raise RecordInactiveError
        record.version = current.version + 1
        record.modified_by = by
        record_save(record=record)
        audit.record_changed(before=current, after=record, by=by, source=source)
    return record


def records_check_versions(*, records: QuerySet, seen: dict[int, int]) -> list:
    """Lock `records` and return those not at the version the user reviewed (`seen`, id ->
    version; a record missing from it counts as changed). Call inside a transaction: the
    action that follows then applies to exactly what was reviewed."""
    return [record for record in records.select_for_update() if seen.get(record.pk) != record.version]


def records_set_status(*, records: QuerySet, status: str, by, source: str = Source.BULK) -> int:
    """Activate or deactivate many records at once; returns how many changed."""
    changing = records.exclude(status=status)
    event = Event.ACTIVATE if status == Status.ACTIVE else Event.DEACTIVATE
    with transaction.atomic():
        changes = {"status": status, "status_reason": status}
        audit.records_changing(records=changing, changes=changes, by=by, event=event, source=source)
        return changing.update(**changes, modified_by=by, modified_on=timezone.now(), version=F("version") + 1)


def deactivate(records: QuerySet, *, by, source: str = Source.BULK) -> int:
    return records_set_status(records=records, status=Status.INACTIVE, by=by, source=source)


def activate(records: QuerySet, *, by, source: str = Source.BULK) -> int:
    return records_set_status(records=records, status=Status.ACTIVE, by=by, source=source)
