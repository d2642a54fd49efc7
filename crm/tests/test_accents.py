"""Names as people read them: quick find ignores accents, the A-Z bar files a name under its
letter without accents, and (on PostgreSQL) names sort with accents and capitals beside
their letter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.models import fold
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

NAMES = ["Zoé", "Eve", "acme", "Acme", "Émile", "éclair", "Emile", "Œuvray", "Ørsted", "3M", "Straße"]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="ICU collations are PostgreSQL's")


@pytest.fixture
def accounts(owner):
    return [AccountFactory(name=name, owner=owner) for name in NAMES]


def found(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def test_folding_drops_accents_and_splits_ligatures():
    assert fold("Émile Œuvray, Ærø, Straße, Ñandú") == "EMILE OEUVRAY, AERO, STRASSE, NANDU"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("emile", ["Emile", "Émile"]),
        ("ÉMILE", ["Emile", "Émile"]),
        ("oeuvray", ["Œuvray"]),
        ("œuv", ["Œuvray"]),
        ("zoe", ["Zoé"]),
        ("strasse", ["Straße"]),
        ("orsted", ["Ørsted"]),
    ],
)
def test_quick_find_ignores_accents_and_case(accounts, term, expected):
    assert found(Account.objects.search(term)) == expected


def test_quick_find_of_contacts_ignores_accents_in_their_company_too(owner):
    company = AccountFactory(name="Société Générale", owner=owner)
    ContactFactory(first_name="Hélène", last_name="Côté", owner=owner, company=company)
    assert Contact.objects.search("helene cote").count() == 1
    assert Contact.objects.search("societe generale").count() == 1


def test_lookups_match_names_typed_without_accents(accounts):
    assert found(Account.objects.named_starting_with("emi")) == ["Emile", "Émile"]


def test_the_jump_bar_files_names_under_their_letter_without_accents(owner_client, accounts):
    assert found(Account.objects.starting_with("name", "E")) == sorted(["Emile", "Eve", "éclair", "Émile"])
    assert found(Account.objects.starting_with("name", "O")) == ["Ørsted", "Œuvray"]
    assert found(Account.objects.not_starting_with_a_letter("name")) == ["3M"]
    page = owner_client.get(reverse("accounts:list"), {"letter": "E"})
    shown = sorted(row.record.name for row in page.context["table"].page.object_list)
    assert shown == sorted(["Emile", "Eve", "éclair", "Émile"])


@on_postgresql
def test_names_sort_as_people_expect_on_postgresql(accounts):
    ordered = list(Account.objects.order_by("name", "id").values_list("name", flat=True))
    assert ordered == ["3M", "acme", "Acme", "éclair", "Emile", "Émile", "Eve", "Œuvray", "Ørsted", "Straße", "Zoé"]


@on_postgresql
def test_contacts_and_name_copies_sort_with_the_same_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE collation_name = %s",
            ["und-x-icu"],
        )
        columns = {row[0] for row in cursor.fetchall()}
    assert columns == {
        "accounts_account.name",
        "accounts_account.owner_name",
        "accounts_account.primary_contact_name",
        "contacts_contact.full_name",
        "contacts_contact.owner_name",
        "contacts_contact.company_name",
        # The test settings' Lead record type (crm/tests/leads) inherits the owner's name copy.
        "leads_lead.owner_name",
    }


@on_postgresql
def test_quick_find_folds_the_term_once_while_planning(accounts):
    """The folded term is a constant PostgreSQL computes while planning, so the trigram
    index (or a list index carrying the search text) can answer it."""
    query = Account.objects.search("émile").only("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "'%EMILE%'::text" in plan, plan
