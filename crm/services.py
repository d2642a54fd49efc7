"""Writes every customer record goes through: saving with a version check, status changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from crm.choices import Status
from crm.models import CustomerRecord


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


def record_create(*, record: CustomerRecord, by) -> CustomerRecord:
    """Save a new record, owned by its creator (Assign gives it to someone else)."""
    record.created_by = record.modified_by = by
    record.owner, record.owner_team, record.business_unit = by, None, None
    record.save()
    return record


def refusal_count_message(count: int, reason: str) -> str:
    return ngettext(
        "%(count)d selected record was left unchanged. %(reason)s",
        "%(count)d selected records were left unchanged. %(reason)s",
        count,
    ) % {"count": count, "reason": reason}


def record_update(*, record: CustomerRecord, loaded_version: int | None, by) -> CustomerRecord:
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
        record.save()
    return record


def records_check_versions(*, records: QuerySet, seen: dict[int, int]) -> list:
    """Lock `records` and return those not at the version the user reviewed (`seen`, id ->
    version; a record missing from it counts as changed). Call inside a transaction: the
    action that follows then applies to exactly what was reviewed."""
    return [record for record in records.select_for_update() if seen.get(record.pk) != record.version]


def records_set_status(*, records: QuerySet, status: str, by) -> int:
    """Activate or deactivate many records at once; returns how many changed."""
    return records.exclude(status=status).update(
        status=status,
        status_reason=status,
        modified_by=by,
        modified_on=timezone.now(),
        version=F("version") + 1,
    )


def deactivate(records: QuerySet, *, by) -> int:
    return records_set_status(records=records, status=Status.INACTIVE, by=by)


def activate(records: QuerySet, *, by) -> int:
    return records_set_status(records=records, status=Status.ACTIVE, by=by)
