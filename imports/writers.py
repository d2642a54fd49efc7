"""Writing a chunk of imported records to the database, as plain rows of column values.

On PostgreSQL a chunk's rows are copied into a staging table (COPY), then its new records
go in with one `INSERT ... SELECT ... RETURNING id` and its changed records with one
`UPDATE ... FROM`. Only the columns the file fills (plus owner, stamps and derived names)
travel; every other column gets its default once, in the SELECT, instead of once per row. Django's
bulk_create spends most of an import preparing ~75 parameters per row, and bulk_update
writes a CASE with a branch per row for every field, which the database evaluates per row.

Other databases (SQLite in development and tests) take the ORM's bulk_create and
bulk_update: same rows in, same records out.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Sequence
from functools import cache

from django.db import connection, models

from crm.models import stored_fields

# bulk_update writes one CASE per field with a branch per row, which the database evaluates
# for every row: small batches keep that from growing quadratically.
UPDATE_BATCH_SIZE = 100


def insert_rows(model: type[models.Model], rows: Sequence[dict]) -> list[int]:
    """Insert rows (field attname -> value; missing fields get their default) and return
    their new ids in order, or [] where the database can't return them."""
    if not rows:
        return []
    names = column_names(rows)
    if connection.vendor == "postgresql":
        return pg_insert(model, names, filled(model, names, rows))
    created = model._default_manager.bulk_create([model(**row) for row in rows])
    if not connection.features.can_return_rows_from_bulk_insert:
        return []
    return [record.pk for record in created]


def update_rows(model: type[models.Model], rows: Sequence[dict], names: Sequence[str]) -> None:
    """Write the `names` columns of rows that carry the primary key and those columns."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        pg_update(model, list(names), rows)
        return
    pk = model._meta.pk.attname
    records = [model(**{pk: row[pk]}, **{name: row[name] for name in names}) for row in rows]
    fields = [model._meta.get_field(name).name for name in names]
    model._default_manager.bulk_update(records, fields, batch_size=UPDATE_BATCH_SIZE)


def filled(model: type[models.Model], names: list[str], rows: Sequence[dict]) -> Sequence[dict]:
    """Rows that all carry every column: a missing one takes its field's default."""
    if all(len(row) == len(names) for row in rows):
        return rows
    fields = fields_by_attname(model, tuple(names))
    return [{name: row[name] if name in row else fields[name].get_default() for name in names} for row in rows]


def column_names(rows: Sequence[dict]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


# PostgreSQL ------------------------------------------------------------------------------
#
# Rows reach the server by COPY into a temporary staging table of text columns, and one
# statement moves them into the real table, casting each column to its type:
#   WITH v AS (DELETE FROM staging RETURNING *) INSERT INTO table (...) SELECT ... FROM v
# COPY's CSV is written by the csv module in C, several times faster than quoting each
# value as an SQL literal, and the DELETE leaves the staging table empty for the next use.


def pg_insert(model: type[models.Model], names: list[str], rows: Sequence[dict]) -> list[int]:
    fields = fields_by_attname(model, tuple(names))
    with connection.cursor() as cursor:
        staging = stage(cursor, model, fields, ([row[name] for name in names] for row in rows))
        cursor.execute(insert_statement(model, tuple(names), staging))
        return [pk for (pk,) in cursor.fetchall()]


def pg_update(model: type[models.Model], names: list[str], rows: Sequence[dict]) -> None:
    pk = model._meta.pk
    fields = {pk.attname: pk, **fields_by_attname(model, tuple(names))}
    with connection.cursor() as cursor:
        staging = stage(cursor, model, fields, ([row[name] for name in fields] for row in rows))
        cursor.execute(update_statement(model, tuple(names), staging))


def stage(cursor, model: type[models.Model], fields: dict[str, models.Field], rows: Iterable[list]) -> str:
    """COPY rows into the model's staging table (created for this connection if needed)."""
    staging = quote(f"import_staging_{model._meta.db_table}")
    definition = ", ".join(f"{quote(field.column)} text" for field in stored_fields(model))
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({definition})")
    buffer = io.StringIO()
    # Every value is quoted, so an empty text stays empty; None is written as an empty
    # quoted value too, and FORCE_NULL reads it back as NULL in the columns that allow it.
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [["" if value is None else value for value in row] for row in rows]
    )
    buffer.seek(0)
    options = "FORMAT csv"
    nullable = [quote(field.column) for field in fields.values() if field.null]
    if nullable:
        options += f", FORCE_NULL ({', '.join(nullable)})"
    targets = ", ".join(quote(field.column) for field in fields.values())
    cursor.copy_expert(f"COPY {staging} ({targets}) FROM STDIN WITH ({options})", buffer)
    return staging


@cache
def insert_statement(model: type[models.Model], names: tuple[str, ...], staging: str) -> str:
    """Move the staged rows into the table; columns the rows don't carry get their field's
    default, written once in the SELECT."""
    fields = fields_by_attname(model, names)
    others = [field for field in stored_fields(model) if field.attname not in fields and not field.primary_key]
    with connection.cursor() as cursor:
        defaults = [cursor.mogrify("%s", [db_value(field, field.get_default())]).decode() for field in others]
    selected = [f"v.{quote(field.column)}::{cast_type(field)}" for field in fields.values()]
    columns = ", ".join(quote(field.column) for field in [*fields.values(), *others])
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    return (
        f"WITH v AS (DELETE FROM {staging} RETURNING *) "
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected + defaults)} FROM v RETURNING {pk}"
    )


@cache
def update_statement(model: type[models.Model], names: tuple[str, ...], staging: str) -> str:
    fields = fields_by_attname(model, names).values()
    pk = model._meta.pk
    table, pk_column = quote(model._meta.db_table), quote(pk.column)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}::{cast_type(field)}" for field in fields)
    return (
        f"WITH v AS (DELETE FROM {staging} RETURNING *) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk_column} = v.{pk_column}::{cast_type(pk)}"
    )


def fields_by_attname(model: type[models.Model], names: tuple[str, ...]) -> dict[str, models.Field]:
    fields = {field.attname: field for field in stored_fields(model) if not field.primary_key}
    unknown = set(names) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    return {name: fields[name] for name in names}


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def cast_type(field: models.Field) -> str:
    """The type a staged text column is cast to. Text stays unbounded `text`: a cast to
    varchar(n) would cut a long value silently, where assigning it raises."""
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return field.db_type(connection)


def db_value(field: models.Field, value: object) -> object:
    if isinstance(value, enum.Enum):
        value = value.value
    return field.get_db_prep_save(value, connection)
