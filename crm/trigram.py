"""Trigram indexes for quick find, on PostgreSQL only.

Quick find is `icontains`, which Django sends to PostgreSQL as UPPER(col::text) LIKE '%TERM%'.
A GIN index of pg_trgm trigrams on exactly that expression answers it without reading the
whole table. SQLite has no such index and keeps scanning, which is fine at its scale; the
migration operations below do nothing there, so one migration history serves both.
"""

from __future__ import annotations

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """A migration operation creating (and on reversal dropping) the indexes on PostgreSQL."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" '
                f'ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')

    return migrations.RunPython(create, drop, elidable=False)
