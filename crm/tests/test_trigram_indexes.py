"""Quick find's trigram indexes exist on PostgreSQL only; elsewhere the migration does nothing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from crm.trigram import search_text_trigram_index

pytestmark = pytest.mark.django_db


def test_the_trigram_migration_does_nothing_on_other_databases():
    executed: list[str] = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor="sqlite"), execute=executed.append)
    operation = search_text_trigram_index("accounts_account")
    operation.code(None, editor)
    operation.reverse_code(None, editor)
    assert executed == []


def test_the_trigram_migration_creates_gin_indexes_on_postgresql():
    executed: list[str] = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor="postgresql"), execute=executed.append)
    search_text_trigram_index("accounts_account").code(None, editor)
    assert executed[0] == "CREATE EXTENSION IF NOT EXISTS pg_trgm"
    assert 'USING gin ("search_text" gin_trgm_ops)' in executed[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL-only")
def test_quick_find_reads_one_trigram_index_per_table_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    # The per-field indexes of the first migrations are gone: one index per table is written
    # for quick find, plus the similar-name duplicate rule's on the name keys.
    assert names == {
        "accounts_account_search_text_trgm",
        "contacts_contact_search_text_trgm",
        "accounts_account_name_key_trgm",
        "contacts_contact_first_name_key_trgm",
        "contacts_contact_last_name_key_trgm",
    }
