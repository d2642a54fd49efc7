"""Trigram indexes for quick find, on PostgreSQL only.

Quick find looks for the term anywhere in a record's search text (see
crm.models.search_text_of): `search_text LIKE '%TERM%'`. A GIN index of pg_trgm trigrams on
that column answers it without reading the whole table. SQLite has no such index and keeps
scanning, which is fine at its scale; the migration operations below do nothing there, so one
migration history serves both.

Quick find first searched each field on its own, as UPPER(col::text) LIKE '%TERM%', with one
index per field (`trigram_indexes`); those are kept for the earlier migrations that create
and then drop them.
"""

from __future__ import annotations

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def create_indexes(schema_editor, table: str, expressions: dict[str, str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column, expression in expressions.items():
        name = index_name(table, column)
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)')


def drop_indexes(schema_editor, table: str, columns) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in columns:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')


def per_field(columns: list[str]) -> dict[str, str]:
    return {column: f'UPPER("{column}"::text)' for column in columns}


def trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """Create (and on reversal drop) one index per field, on UPPER(field)."""
    return migrations.RunPython(
        lambda apps, schema_editor: create_indexes(schema_editor, table, per_field(columns)),
        lambda apps, schema_editor: drop_indexes(schema_editor, table, columns),
        elidable=False,
    )


def drop_trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """Drop (and on reversal recreate) the per-field indexes of trigram_indexes."""
    return migrations.RunPython(
        lambda apps, schema_editor: drop_indexes(schema_editor, table, columns),
        lambda apps, schema_editor: create_indexes(schema_editor, table, per_field(columns)),
        elidable=False,
    )


def search_text_trigram_index(table: str) -> migrations.RunPython:
    """Create (and on reversal drop) the index on the search_text column, already in capitals."""
    return migrations.RunPython(
        lambda apps, schema_editor: create_indexes(schema_editor, table, {"search_text": '"search_text"'}),
        lambda apps, schema_editor: drop_indexes(schema_editor, table, ["search_text"]),
        elidable=False,
    )


def drop_search_text_trigram_index(table: str) -> migrations.RunPython:
    """Drop (and on reversal recreate) the index of search_text_trigram_index."""
    return migrations.RunPython(
        lambda apps, schema_editor: drop_indexes(schema_editor, table, ["search_text"]),
        lambda apps, schema_editor: create_indexes(schema_editor, table, {"search_text": '"search_text"'}),
        elidable=False,
    )
