"""Writing a chunk of imported records to the database, as plain rows of column values.

On PostgreSQL a chunk's new records go in with one `INSERT ... SELECT ... FROM (VALUES ...)
RETURNING id` and its changed records with one `UPDATE ... FROM (VALUES ...)`. The VALUES
list carries only the columns the file fills (plus owner, stamps and derived names); every
other column gets its default once, in the SELECT, instead of once per row. Django's
bulk_create spends most of an import preparing ~75 parameters per row, and bulk_update
writes a CASE with a branch per row for every field, which the database evaluates per row.

Other databases (SQLite in development and tests) take the ORM's bulk_create and
bulk_update: same rows in, same records out.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from functools import cache

from django.db import connection, models

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


def pg_insert(model: type[models.Model], names: list[str], rows: Sequence[dict]) -> list[int]:
    head, tail, template = insert_statement(model, tuple(names))
    with connection.cursor() as cursor:
        values = b",".join(cursor.mogrify(template, [row[name] for name in names]) for row in rows)
        cursor.execute(head + values + tail, None)
        return [pk for (pk,) in cursor.fetchall()]


def pg_update(model: type[models.Model], names: list[str], rows: Sequence[dict]) -> None:
    pk = model._meta.pk.attname
    head, tail, template = update_statement(model, tuple(names))
    with connection.cursor() as cursor:
        values = b",".join(cursor.mogrify(template, [row[pk], *(row[name] for name in names)]) for row in rows)
        cursor.execute(head + values + tail, None)


@cache
def insert_statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[bytes, bytes, bytes]:
    """The statement before and after its VALUES rows, and the template of one row.
    Columns the rows don't carry get their field's default in the SELECT, once for all rows."""
    fields = fields_by_attname(model, names)
    others = [field for field in model._meta.concrete_fields if field.attname not in fields and not field.primary_key]
    with connection.cursor() as cursor:
        defaults = [cursor.mogrify("%s", [db_value(field, field.get_default())]).decode() for field in others]
    selected = [f"v.{quote(field.column)}::{cast_type(field)}" for field in fields.values()]
    columns = ", ".join(quote(field.column) for field in [*fields.values(), *others])
    aliases = ", ".join(quote(field.column) for field in fields.values())
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    head = f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected + defaults)} FROM (VALUES "
    tail = f") AS v({aliases}) RETURNING {pk}"
    return head.encode(), tail.encode(), row_template(len(names))


@cache
def update_statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[bytes, bytes, bytes]:
    fields = list(fields_by_attname(model, names).values())
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}::{cast_type(field)}" for field in fields)
    aliases = ", ".join([pk, *(quote(field.column) for field in fields)])
    head = f"UPDATE {table} SET {assignments} FROM (VALUES "
    tail = f") AS v({aliases}) WHERE {table}.{pk} = v.{pk}"
    return head.encode(), tail.encode(), row_template(len(names) + 1)


def fields_by_attname(model: type[models.Model], names: tuple[str, ...]) -> dict[str, models.Field]:
    fields = {field.attname: field for field in model._meta.concrete_fields if not field.primary_key}
    unknown = set(names) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    return {name: fields[name] for name in names}


def row_template(width: int) -> bytes:
    return ("(" + ", ".join(["%s"] * width) + ")").encode()


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def cast_type(field: models.Field) -> str:
    """The type a VALUES column is cast to. Text stays unbounded `text`: casting to
    varchar(n) would cut a long value silently, where assigning it raises."""
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return field.db_type(connection)


def db_value(field: models.Field, value: object) -> object:
    if isinstance(value, enum.Enum):
        value = value.value
    return field.get_db_prep_save(value, connection)
