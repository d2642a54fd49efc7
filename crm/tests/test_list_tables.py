"""List tables render only the django-tables2 options crm.lists supports; others fail loudly."""

from __future__ import annotations

import django_tables2 as tables
import pytest
from django.core.exceptions import ImproperlyConfigured

from crm.lists import RecordTable, priority


def define_table(**columns) -> type[RecordTable]:
    return type("LeadTable", (RecordTable,), {"__module__": __name__, **columns})


@pytest.mark.parametrize(
    ("column", "named"),
    [
        (tables.Column(linkify=True), "linkify"),
        (tables.Column(attrs={"td": {"class": "text-end"}}), "attrs"),
        (tables.Column(attrs={"cell": {"class": "text-end"}}), "attrs"),
        (tables.Column(accessor="owner__username"), "accessor"),
        (tables.Column(localize=True), "localize"),
        (tables.Column(footer="Total"), "footer"),
        (tables.BooleanColumn(), "BooleanColumn"),
    ],
)
def test_an_unsupported_column_option_fails_when_the_table_is_defined(column, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        define_table(topic=column)


def test_the_supported_options_define_a_table():
    table = define_table(
        topic=tables.Column(
            verbose_name="Topic", order_by=("topic", "id"), orderable=True, default="-", attrs=priority(2)
        ),
        email=tables.EmailColumn(order_by=("email", "id")),
    )
    assert list(table.base_columns) == ["selected", "topic", "email"]
