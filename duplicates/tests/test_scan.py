"""Detect duplicates over many records: the groups the enabled rules make, on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Account
from contacts.models import Contact
from crm.choices import Status
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates import scan
from duplicates.models import Operator
from duplicates.tests.helpers import only_rule

pytestmark = pytest.mark.django_db


def groups_of(model, scope=None):
    return scan.duplicate_groups(model, scope if scope is not None else model.objects.all())


def test_accounts_with_the_same_name_written_differently_make_one_group():
    contoso = [AccountFactory(name=name) for name in ("Contoso Ltd.", "contoso", "Contoso, Limited")]
    fabrikam = [AccountFactory(name=name) for name in ("Fabrikam", "FABRIKAM Inc")]
    AccountFactory(name="Northwind")
    assert groups_of(Account) == sorted([sorted(a.pk for a in contoso), sorted(a.pk for a in fabrikam)])


def test_two_rules_chain_contacts_into_one_group():
    ann = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@contoso.com")
    ann_again = ContactFactory(first_name="ann", last_name="LEE", emailaddress1="ann.lee@home.example")
    same_email = ContactFactory(first_name="A.", last_name="Other", emailaddress1=" ANN.LEE@home.example")
    ContactFactory(first_name="Bob", last_name="Lee", emailaddress1="")
    assert groups_of(Contact) == [sorted([ann.pk, ann_again.pk, same_email.pk])]


def test_inactive_records_and_blank_values_take_no_part():
    AccountFactory(name="Contoso")
    AccountFactory(name="Contoso Ltd", status=Status.INACTIVE, status_reason=Status.INACTIVE)
    ContactFactory(first_name="", last_name="Lee", emailaddress1="")
    ContactFactory(first_name="", last_name="Lee", emailaddress1="")
    assert groups_of(Account) == []
    assert groups_of(Contact) == []


def test_only_records_of_the_scope_are_grouped():
    inside = [
        AccountFactory(name="Contoso", address1_city="Oslo"),
        AccountFactory(name="Contoso Ltd", address1_city="Oslo"),
    ]
    AccountFactory(name="Contoso AB", address1_city="Lund")
    assert groups_of(Account, Account.objects.filter(address1_city="Oslo")) == [sorted(a.pk for a in inside)]


def test_same_first_characters_group_by_the_start_of_the_key():
    only_rule("accounts.account", ("name", Operator.FIRST, 5))
    first = [AccountFactory(name="Contoso North"), AccountFactory(name="CONTO-SOUTH")]
    AccountFactory(name="Fabrikam")
    assert groups_of(Account) == [sorted(a.pk for a in first)]


def test_same_last_characters_group_by_the_end_of_the_key():
    only_rule("contacts.contact", ("emailaddress1", Operator.LAST, 12))
    same_domain = [ContactFactory(emailaddress1="a@contoso.com"), ContactFactory(emailaddress1="b@CONTOSO.com")]
    ContactFactory(emailaddress1="c@fabrikam.com")
    assert groups_of(Contact) == [sorted(c.pk for c in same_domain)]


def test_similar_names_make_a_group_on_both_databases():
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    similar = [AccountFactory(name="Johansson Trading"), AccountFactory(name="Johanson Trading AB")]
    AccountFactory(name="Okafor Logistics")
    assert groups_of(Account) == [sorted(a.pk for a in similar)]


def test_a_similar_name_rule_also_checks_its_other_conditions():
    only_rule("contacts.contact", ("last_name", Operator.SIMILAR, None), ("emailaddress1", Operator.EXACT, None))
    pair = [
        ContactFactory(last_name="Johansson", emailaddress1="j@x.example"),
        ContactFactory(last_name="Johanson", emailaddress1="J@X.example"),
    ]
    ContactFactory(last_name="Johansson", emailaddress1="other@x.example")
    assert groups_of(Contact) == [sorted(c.pk for c in pair)]


def test_similar_names_are_found_across_chunks(monkeypatch):
    monkeypatch.setattr(scan, "CHUNK", 2)
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    first = AccountFactory(name="Johansson Trading")
    for name in ("Okafor Logistics", "Lindqvist Marine", "Brightwater Foods"):
        AccountFactory(name=name)
    last = AccountFactory(name="Johanson Trading")
    assert groups_of(Account) == [[first.pk, last.pk]]


def test_progress_counts_every_record_once_per_rule():
    AccountFactory.create_batch(3)
    done = []
    scan.duplicate_groups(Account, Account.objects.all(), on_progress=done.append)
    assert sum(done) == 3 * scan.rule_count(Account)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sorted neighbourhood is PostgreSQL's method")
def test_similar_names_are_found_among_their_neighbours_read_either_way(monkeypatch):
    monkeypatch.setattr(scan, "NEIGHBOURS", 2)
    monkeypatch.setattr(scan, "NEIGHBOUR_CHUNK", 3)  # pairs across the statements' ranges too
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    # A typo near the end: the two sort next to each other.
    end = [AccountFactory(name="Brightwater Foods"), AccountFactory(name="Brightwater Fods")]
    # A typo at the start: five names apart in name order, next to each other read backwards.
    start = [AccountFactory(name="Kalmar Shipping"), AccountFactory(name="Qalmar Shipping Ltd")]
    for name in ("Lindqvist Marine", "Meridian Tools", "Northwind Traders", "Okafor Logistics", "Pinecrest Dairy"):
        AccountFactory(name=name)
    done = []

    groups = scan.duplicate_groups(Account, Account.objects.all(), on_progress=done.append)

    assert groups == sorted([sorted(a.pk for a in end), sorted(a.pk for a in start)])
    assert sum(done) == Account.objects.count()


def test_a_similar_name_rule_keeps_to_a_searched_scope():
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    pair = [AccountFactory(name="Johansson Trading"), AccountFactory(name="Johanson Trading AB")]
    AccountFactory(name="Johansson Tradin")  # similar, outside the search below
    scope = Account.objects.filter(name__icontains="trading")  # a LIKE '%...%' parameter in the scope's SQL
    assert groups_of(Account, scope) == [sorted(a.pk for a in pair)]
