"""The chunk writers: COPY + INSERT/UPDATE on PostgreSQL, the ORM's bulk writes elsewhere.
The same tests run on both, so both paths must leave the same records behind."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.roles import ensure_root_unit
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from imports import writers
from imports.pipeline import read_ahead

pytestmark = pytest.mark.django_db


def new_contact(owner, **values) -> dict:
    now = timezone.now()
    return {
        "owner_id": owner.pk,
        "business_unit_id": ensure_root_unit().pk,
        "created_by_id": owner.pk,
        "modified_by_id": owner.pk,
        "created_on": now,
        "modified_on": now,
        **values,
    }


def test_inserted_rows_keep_their_values_and_the_other_columns_get_their_defaults():
    owner = UserFactory()
    company = AccountFactory()
    rows = [
        new_contact(
            owner,
            first_name="Zoé",
            last_name='O\'Brien, "the" boss',
            full_name="Zoé O'Brien",
            company_id=company.pk,
            birthday=datetime.date(1980, 4, 23),
            number_of_children=2,
            address1_latitude=Decimal("-33.868800"),
            do_not_email=True,
            description="Line one\nLine two\ttabbed \\ backslash",
        ),
        new_contact(owner, first_name="", last_name="Li", full_name="Li", company_id=None, birthday=None),
    ]
    ids = writers.insert_rows(Contact, rows)
    assert len(ids) == 2
    zoe, li = (Contact.objects.get(pk=pk) for pk in ids)
    assert (zoe.first_name, zoe.last_name, zoe.company, zoe.full_name) == (
        "Zoé",
        'O\'Brien, "the" boss',
        company,
        "Zoé O'Brien",
    )
    assert (zoe.birthday, zoe.number_of_children, zoe.address1_latitude) == (
        datetime.date(1980, 4, 23),
        2,
        Decimal("-33.868800"),
    )
    assert zoe.do_not_email is True and zoe.description == "Line one\nLine two\ttabbed \\ backslash"
    # Not given: the field defaults, an empty text being empty and not NULL.
    assert (li.first_name, li.salutation, li.company_id, li.birthday, li.status, li.version) == (
        "",
        "",
        None,
        None,
        "active",
        1,
    )
    assert li.do_not_phone is False and li.owner == owner and li.created_by == owner


def test_rows_that_leave_out_a_column_get_its_default():
    owner = UserFactory()
    ids = writers.insert_rows(
        Contact, [new_contact(owner, last_name="A", job_title="CFO"), new_contact(owner, last_name="B")]
    )
    assert list(Contact.objects.filter(pk__in=ids).order_by("last_name").values_list("job_title", flat=True)) == [
        "CFO",
        "",
    ]


def test_an_update_writes_the_named_columns_only():
    contact = ContactFactory(first_name="Old", job_title="Buyer", company=AccountFactory())
    other = ContactFactory(first_name="Other", job_title="CFO")
    row = {
        "id": contact.pk,
        "first_name": "New",
        "company_id": None,
        "version": 5,
        "birthday": datetime.date(2000, 1, 2),
    }
    writers.update_rows(
        Contact,
        [row, {**row, "id": other.pk, "first_name": "Changed"}],
        ["first_name", "company_id", "version", "birthday"],
    )
    contact.refresh_from_db()
    other.refresh_from_db()
    assert (contact.first_name, contact.company_id, contact.version, contact.birthday) == (
        "New",
        None,
        5,
        datetime.date(2000, 1, 2),
    )
    assert contact.job_title == "Buyer" and other.job_title == "CFO"
    assert other.first_name == "Changed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_postgresql_writes_a_chunk_with_one_statement_per_table_not_per_row():
    owner = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        writers.insert_rows(Contact, [new_contact(owner, last_name=f"N{n}") for n in range(50)])
    writes = [query["sql"] for query in queries if 'INSERT INTO "contacts_contact"' in query["sql"]]
    assert len(writes) == 1 and writes[0].startswith("WITH v AS (DELETE FROM")
    assert Contact.objects.count() == 50


def test_read_ahead_gives_every_item_in_order_and_raises_the_producers_error():
    assert list(read_ahead(iter(range(100)), depth=2)) == list(range(100))

    def failing():
        yield 1
        raise ValueError("broken file")

    items = read_ahead(failing(), depth=2)
    assert next(items) == 1
    with pytest.raises(ValueError, match="broken file"):
        next(items)


def test_read_ahead_stops_its_thread_when_the_consumer_stops():
    before = threading.active_count()
    items = read_ahead(iter(range(10_000)), depth=1)
    next(items)
    items.close()
    assert threading.active_count() == before
