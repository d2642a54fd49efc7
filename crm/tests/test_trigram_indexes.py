"""Quick find's trigram indexes exist on PostgreSQL only; elsewhere the migration does nothing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from crm.trigram import trigram_indexes

pytestmark = pytest.mark.django_db


def test_the_trigram_migration_does_nothing_on_other_databases():
    executed: list[str] = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor="sqlite"), execute=executed.append)
    operation = trigram_indexes("accounts_account", ["name"])
    operation.code(None, editor)
    operation.reverse_code(None, editor)
    assert executed == []


def test_the_trigram_migration_creates_gin_indexes_on_postgresql():
    executed: list[str] = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor="postgresql"), execute=executed.append)
    trigram_indexes("accounts_account", ["name"]).code(None, editor)
    assert executed[0] == "CREATE EXTENSION IF NOT EXISTS pg_trgm"
    assert 'USING gin (UPPER("name"::text) gin_trgm_ops)' in executed[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL-only")
def test_quick_find_columns_are_trigram_indexed_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert {"accounts_account_name_trgm", "contacts_contact_full_name_trgm"} <= names
