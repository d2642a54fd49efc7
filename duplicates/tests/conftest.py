import pytest

from access.tests.conftest import org  # noqa: F401  (the access personas)


@pytest.fixture(autouse=True)
def default_rules(db):
    """The rules migration 0002 ships: a browser journey's flush (transactional tests) empties
    every table, migration data included."""
    from duplicates.defaults import ensure_default_rules

    ensure_default_rules()
