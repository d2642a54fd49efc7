"""Writing the audit: called by the services that change records, right where they write.

Single-record writes compare the row before and after in Python. Writes of many rows
(bulk actions, Assign, deletes) read what they need in one query and add their entries in
one bulk insert; imports add theirs with one INSERT ... SELECT per chunk (audit.staged).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import QuerySet

from audit.fields import audited_fields, name_column
from audit.models import AuditEntry, Event, Source

BATCH_SIZE = 1000


def who(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "user_name": ""}
    return {"user": user, "user_name": user.get_username()}


def about(record: models.Model) -> dict:
    return {
        "record_type": record._meta.label_lower,
        "record_id": record.pk,
        "record_name": str(record)[:400],
    }


def diff(before: models.Model | None, after: models.Model) -> dict:
    """{attname: [old, new]} for the audited fields whose value really changed."""
    changes = {}
    for name, field in audited_fields(type(after)).items():
        old = None if before is None else field.value_from_object(before)
        new = field.value_from_object(after)
        if before is None and new in (None, "", False):
            continue  # a new record lists the values it was given, not its blanks
        if old != new:
            changes[name] = [old, new]
    return changes


def record_created(*, record: models.Model, by, source: str = Source.FORM) -> AuditEntry:
    return AuditEntry.objects.create(
        event=Event.CREATE, source=source, changes=diff(None, record), **about(record), **who(by)
    )


def record_changed(
    *, before: models.Model, after: models.Model, by, source: str = Source.FORM, event: str = Event.UPDATE
) -> AuditEntry | None:
    """The update event of one record, or None when no audited field changed."""
    changes = diff(before, after)
    if not changes:
        return None
    return AuditEntry.objects.create(event=event, source=source, changes=changes, **about(after), **who(by))


def add(entries: Iterable[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def records_changing(*, records: QuerySet, changes: dict, by, event: str, source: str) -> None:
    """The entries of a bulk change about to set `changes` (attname -> value) on `records`:
    call it just before the UPDATE, in the same transaction. One query reads the old values."""
    model = records.model
    names = [name for name in changes if name in audited_fields(model)]
    rows = records.values_list("pk", name_column(model), *names)
    actor = who(by)
    entries = []
    for pk, name, *olds in rows.iterator(chunk_size=BATCH_SIZE):
        changed = {
            field: [old, changes[field]] for field, old in zip(names, olds, strict=True) if old != changes[field]
        }
        if changed:
            entries.append(
                AuditEntry(
                    event=event,
                    source=source,
                    record_type=model._meta.label_lower,
                    record_id=pk,
                    record_name=name[:400],
                    changes=changed,
                    **actor,
                )
            )
    add(entries)


def records_deleting(*, records: QuerySet, by, source: str) -> None:
    """The delete entries of records about to be deleted (call it before, in the same transaction)."""
    model = records.model
    actor = who(by)
    add(
        AuditEntry(
            event=Event.DELETE,
            source=source,
            record_type=model._meta.label_lower,
            record_id=pk,
            record_name=name[:400],
            **actor,
        )
        for pk, name in records.values_list("pk", name_column(model)).iterator(chunk_size=BATCH_SIZE)
    )


def record_deleting(*, record: models.Model, by, source: str) -> None:
    AuditEntry.objects.create(event=Event.DELETE, source=source, **about(record), **who(by))


def record_share_changed(
    *, record: models.Model, principal, old_rights: int | None, new_rights: int | None, by, source: str
) -> None:
    """A share granted, changed or removed: `principal` is who it is with, rights are ShareRight
    bits, `source` where it was done (the Share page, the admin, a merge moving shares...)."""
    AuditEntry.objects.create(
        event=Event.UNSHARE if new_rights is None else Event.SHARE,
        source=source,
        changes={"rights": [old_rights, new_rights]},
        detail=str(principal)[:400],
        **about(record),
        **who(by),
    )


def sign_in(*, user, succeeded: bool, username: str = "") -> None:
    actor = who(user) if succeeded else {"user": None, "user_name": username[:150]}
    AuditEntry.objects.create(
        event=Event.SIGN_IN if succeeded else Event.SIGN_IN_FAILED, source=Source.SIGN_IN, **actor
    )


def exported(*, by, model: type[models.Model], view: str, rows: int) -> None:
    """Who exported which view of which record type, and how many rows."""
    AuditEntry.objects.create(
        event=Event.EXPORT,
        source=Source.FORM,
        record_type=model._meta.label_lower,
        detail=str(view)[:400],
        changes={"rows": [None, rows]},
        **who(by),
    )


@transaction.atomic
def retention_apply(*, days: int, now) -> int:
    """Delete the entries older than `days` and log the run; the one write allowed to remove
    audit rows (on PostgreSQL through a setting the append-only trigger checks)."""
    from datetime import timedelta

    from django.db import connection

    cutoff = now - timedelta(days=days)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.retention', 'on', true)")
    expired = AuditEntry.objects.filter(at__lt=cutoff)
    removed = models.QuerySet.delete(expired)[0]
    AuditEntry.objects.create(
        event=Event.RETENTION,
        source=Source.COMMAND,
        changes={"rows": [None, removed], "days": [None, days]},
        **who(None),
    )
    return removed
