"""The similar-name condition reads a trigram index of the name key on PostgreSQL, for
contacts as for accounts; SQLite compares with the Python measure."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import F, Value

from contacts.models import Contact
from crm.tests.factories import ContactFactory
from duplicates import keys
from duplicates.detection import candidates
from duplicates.models import DuplicateRule, Operator, RuleCondition

pytestmark = pytest.mark.django_db


@pytest.fixture
def similar_last_name():
    DuplicateRule.objects.update(enabled=False)
    rule = DuplicateRule.objects.create(name="Similar last name", record_type="contacts.contact")
    RuleCondition.objects.create(rule=rule, field="last_name", operator=Operator.SIMILAR)
    return rule


def test_a_similar_last_name_finds_the_contact_on_both_databases(similar_last_name):
    ann = ContactFactory(first_name="Ann", last_name="Johansson")
    ContactFactory(first_name="Bob", last_name="Okafor")
    typed = Contact(first_name="Anna", last_name="Johanson")
    with transaction.atomic():
        assert list(candidates(typed)) == [ann]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL-only")
@pytest.mark.parametrize("column", ["first_name_key", "last_name_key"])
def test_a_similar_contact_name_can_probe_a_trigram_index(column):
    # On a table this small the planner prefers the status index: the condition alone (the
    # operator the rule's filter uses) shows that the index serves it.
    probe = Contact.objects.filter(keys.TrigramMatch(F(column), Value("johanson"))).order_by()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = probe.explain()
    assert f"contacts_contact_{column}_trgm" in plan
