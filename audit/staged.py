"""The audit of an import chunk, set-based: one INSERT ... SELECT that joins the staged rows
to the records they are about to overwrite and compares them column by column, so 100k
imported rows cost a few statements, not a query each.

On PostgreSQL the rows are already staged (COPY) for the UPDATE ... FROM that follows; on
SQLite they are staged here the same way, with executemany.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import connection, models
from django.utils import timezone

from audit.fields import audited_fields, name_column
from audit.models import AuditEntry, Event, Source

# jsonb_build_object takes at most 100 arguments: audited columns go in groups of 40.
GROUP = 40


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def entry_columns() -> str:
    names = ["at", "event", "source", "record_type", "record_id", "record_name", "user_id", "user_name"]
    names += ["job_id", "changes", "detail"]
    return ", ".join(quote(AuditEntry._meta.get_field(name).column) for name in names)


@dataclass(frozen=True)
class ImportTag:
    """Who imports, in which job: what every entry of an import chunk carries."""

    by_id: int | None
    job_id: int | None = None
    user_name: str = ""


def shared_values(tag: ImportTag, model: type[models.Model], event: str, source: str = Source.IMPORT) -> list:
    """The values every entry of the statement shares: when, what, who, from where, which job."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return [now, event, source, model._meta.label_lower, tag.by_id, tag.user_name, tag.job_id]


def pg_changes(pairs: list[tuple[str, str, str]]) -> str:
    """SQL for the jsonb {column: [old, new]} of the columns that differ (no key otherwise)."""
    groups = []
    for start in range(0, len(pairs), GROUP):
        members = ", ".join(
            f"'{name}', CASE WHEN {old} IS DISTINCT FROM {new} THEN jsonb_build_array({old}, {new}) END"
            for name, old, new in pairs[start : start + GROUP]
        )
        groups.append(f"jsonb_build_object({members})")
    return f"jsonb_strip_nulls({' || '.join(groups)})"


def sqlite_changes(pairs: list[tuple[str, str, str]]) -> str:
    # json_patch drops the members whose value is null: those of the unchanged columns.
    members = ", ".join(
        f"'{name}', CASE WHEN {old} IS NOT {new} THEN json_array({old}, {new}) END" for name, old, new in pairs
    )
    return f"json_patch('{{}}', json_object({members}))"


@cache
def update_statement(model: type[models.Model], names: tuple[str, ...], staging: str) -> str:
    """INSERT the update entries of the staged rows whose audited columns differ from the table's."""
    from imports.writers import cast_type  # the same casts the UPDATE uses

    fields = audited_fields(model)
    table, pk = quote(model._meta.db_table), model._meta.pk
    postgres = connection.vendor == "postgresql"
    pairs = []
    for name in names:
        if name not in fields:
            continue
        column = quote(fields[name].column)
        new = f"v.{column}::{cast_type(fields[name])}" if postgres else f"v.{column}"
        pairs.append((name, f"t.{column}", new))
    changes = pg_changes(pairs) if postgres else sqlite_changes(pairs)
    key = f"v.{quote(pk.column)}::{cast_type(pk)}" if postgres else f"v.{quote(pk.column)}"
    empty = "'{}'::jsonb" if postgres else "'{}'"
    # The entry names the record as the import leaves it: the staged name when the import
    # writes one (a renamed account, a contact's rebuilt full name), the table's otherwise.
    named = model._meta.get_field(name_column(model))
    name = f"v.{quote(named.column)}" if named.attname in names else f"t.{quote(named.column)}"
    return (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({entry_columns()}) "
        f"SELECT %s, %s, %s, %s, t.{quote(pk.column)}, {name}, "
        f"%s, %s, %s, c.changes, '' FROM {staging} v JOIN {table} t ON t.{quote(pk.column)} = {key} "
        f"CROSS JOIN LATERAL (SELECT {changes} AS changes) c WHERE c.changes <> {empty}"
        if postgres
        else f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({entry_columns()}) "
        f"SELECT %s, %s, %s, %s, id, name, %s, %s, %s, changes, '' FROM ("
        f"SELECT t.{quote(pk.column)} AS id, {name} AS name, "
        f"{changes} AS changes FROM {staging} v JOIN {table} t ON t.{quote(pk.column)} = {key}"
        f") WHERE changes <> {empty}"
    )


def staged_updates(cursor, model: type[models.Model], names: Sequence[str], staging: str, *, tag: ImportTag) -> None:
    """Audit the updates staged in `staging` (PostgreSQL), before the UPDATE applies them."""
    if not set(names) & set(audited_fields(model)):
        return
    cursor.execute(update_statement(model, tuple(names), staging), shared_values(tag, model, Event.UPDATE))


def sqlite_updates(model: type[models.Model], rows: Sequence[dict], names: Sequence[str], *, tag: ImportTag) -> None:
    """Audit rows about to be written by bulk_update (SQLite): staged with executemany, then
    the same INSERT ... SELECT as on PostgreSQL."""
    audited = {name: audited_fields(model)[name] for name in names if name in audited_fields(model)}
    if not audited:
        return
    named = model._meta.get_field(name_column(model))
    renamed = {named.attname: named} if named.attname in names else {}
    fields = {model._meta.pk.attname: model._meta.pk, **audited, **renamed}
    staging = quote(f"audit_staging_{model._meta.db_table}")
    columns = ", ".join(f"{quote(field.column)} {field.db_type(connection) or ''}" for field in fields.values())
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        # Its columns are those of this import's mapping: made afresh, as another import on
        # this connection may have staged other columns.
        cursor.execute(f"DROP TABLE IF EXISTS temp.{staging}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({columns})")
        targets = ", ".join(quote(field.column) for field in fields.values())
        cursor.executemany(
            f"INSERT INTO {staging} ({targets}) VALUES ({placeholders})",
            [[field.get_db_prep_save(row[name], connection) for name, field in fields.items()] for row in rows],
        )
        cursor.execute(
            update_statement(model, tuple(name for name in fields if name != model._meta.pk.attname), staging),
            shared_values(tag, model, Event.UPDATE),
        )
        cursor.execute(f"DELETE FROM {staging}")


def created(model: type[models.Model], ids: Sequence[int], *, tag: ImportTag, source: str = Source.IMPORT) -> None:
    """The create entries of records an import (or a command) just inserted, in one
    INSERT ... SELECT a chunk of ids."""
    if not ids:
        return
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    name = quote(model._meta.get_field(name_column(model)).column)
    for start in range(0, len(ids), 5000):
        chunk = list(ids[start : start + 5000])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({entry_columns()}) "
                f"SELECT %s, %s, %s, %s, {pk}, {name}, %s, %s, %s, %s, '' FROM {table} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))})",
                [*shared_values(tag, model, Event.CREATE, source), json.dumps({}), *chunk],
            )
