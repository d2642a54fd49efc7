from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates.batch import BatchDuplicates, Match
from duplicates.models import DuplicateRule, Operator, RuleCondition
from duplicates.tests.helpers import only_rule

pytestmark = pytest.mark.django_db


def test_rows_matching_existing_records_or_earlier_rows_are_found():
    contoso = AccountFactory(name="Contoso Ltd.")
    batch = BatchDuplicates(Account)
    found = batch.check([(2, {"name": "CONTOSO"}), (3, {"name": "Fabrikam"}), (4, {"name": "Fabrikam, Inc."})])
    assert found == {2: Match(record_id=contoso.pk, record_label="Contoso Ltd."), 4: Match(line=3)}
    # The next chunk remembers the rows before it.
    assert batch.check([(5, {"name": "fabrikam"}), (6, {"name": ""})]) == {5: Match(line=3)}


def test_every_condition_of_a_rule_must_match_and_blanks_never_do():
    ann = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@x.com")
    found = BatchDuplicates(Contact).check(
        [
            (2, {"first_name": "ann", "last_name": "LEE", "emailaddress1": ""}),
            (3, {"first_name": "Bob", "last_name": "Lee", "emailaddress1": " ANN@x.com"}),
            (4, {"first_name": "", "last_name": "Zed", "emailaddress1": ""}),
            (5, {"first_name": "", "last_name": "Zed", "emailaddress1": ""}),
        ]
    )
    assert found == {
        2: Match(record_id=ann.pk, record_label=ann.full_name),
        3: Match(record_id=ann.pk, record_label=ann.full_name),
    }


def test_values_with_quotes_backslashes_commas_and_braces_reach_the_database_intact():
    # On PostgreSQL a chunk's values travel as arrays in their text form, quoted by us.
    only_rule("contacts.contact", ("emailaddress1", Operator.EXACT, None))
    odd = ['a"b@x.com', "c\\d@x.com", "e,f@x.com", "{g}@x.com", "h i@x.com", "NULL"]
    known = {value: ContactFactory(emailaddress1=value) for value in odd}
    rows = [(line, {"emailaddress1": value.upper()}) for line, value in enumerate(odd, start=2)]
    found = BatchDuplicates(Contact).check(rows)
    assert {line: match.record_id for line, match in found.items()} == {
        line: known[value].pk for line, value in enumerate(odd, start=2)
    }


def test_a_chunk_costs_two_queries_whatever_its_size(django_assert_max_num_queries):
    AccountFactory.create_batch(5, name="Contoso")
    batch = BatchDuplicates(Account)
    rows = [(line, {"name": f"Company {line}"}) for line in range(2, 500)]
    with django_assert_max_num_queries(2):
        batch.check(rows)
    # And one more for the names of the records matched, when there are.
    rows = [(line, {"name": "Contoso" if line % 2 else f"Company {line}"}) for line in range(2, 500)]
    with django_assert_max_num_queries(3):
        batch.check(rows)


def test_a_similar_name_rule_matches_records_and_earlier_rows():
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    johansson = AccountFactory(name="Johansson Trading")
    batch = BatchDuplicates(Account)
    found = batch.check(
        [(2, {"name": "Johanson Trading AB"}), (3, {"name": "Brightwater Foods"}), (4, {"name": "Okafor Logistics"})]
    )
    assert found == {2: Match(record_id=johansson.pk, record_label="Johansson Trading")}
    # Across chunks, an earlier row found again by its trigrams.
    assert batch.check([(5, {"name": "Brightwatter Foods"}), (6, {"name": "Lindqvist Marine"})]) == {5: Match(line=3)}


def test_a_similar_name_rule_checks_its_other_conditions_too():
    only_rule("contacts.contact", ("last_name", Operator.SIMILAR, None), ("emailaddress1", Operator.EXACT, None))
    same = ContactFactory(last_name="Johansson", emailaddress1="j@x.example")
    ContactFactory(last_name="Johansson", emailaddress1="other@x.example")
    found = BatchDuplicates(Contact).check(
        [
            (2, {"last_name": "Johanson", "emailaddress1": "J@X.example"}),
            (3, {"last_name": "Johanson", "emailaddress1": "nobody@x.example"}),
        ]
    )
    assert found == {2: Match(record_id=same.pk, record_label=same.full_name)}


def test_a_similar_last_name_with_the_same_first_name_matches_an_exact_or_a_similar_name():
    only_rule("contacts.contact", ("last_name", Operator.SIMILAR, None), ("first_name", Operator.EXACT, None))
    johansson = ContactFactory(first_name="Ann", last_name="Johansson")
    lindqvist = ContactFactory(first_name="Bo", last_name="Lindqvist")
    ContactFactory(first_name="Bo", last_name="Okafor")
    ContactFactory(first_name="Cy", last_name="Lindqvist", status="inactive")
    found = BatchDuplicates(Contact).check(
        [
            (2, {"first_name": "ANN", "last_name": "Johansson"}),  # the same name
            (3, {"first_name": "Bo", "last_name": "Lindqvistt"}),  # a similar one
            (4, {"first_name": "Ann", "last_name": "Lindqvist"}),  # similar, another first name
            (5, {"first_name": "Cy", "last_name": "Lindqvist"}),  # only an inactive contact
            (6, {"first_name": "Bo", "last_name": "Okonkwo"}),  # same first name, not similar
        ]
    )
    assert found == {
        2: Match(record_id=johansson.pk, record_label=johansson.full_name),
        3: Match(record_id=lindqvist.pk, record_label=lindqvist.full_name),
    }


def test_same_first_and_last_characters_match_records_and_rows():
    only_rule("contacts.contact", ("emailaddress1", Operator.LAST, 12), ("last_name", Operator.FIRST, 3))
    lee = ContactFactory(last_name="Leeds", emailaddress1="a@contoso.com")
    found = BatchDuplicates(Contact).check(
        [
            (2, {"last_name": "Leeming", "emailaddress1": "b@CONTOSO.com"}),  # lee + contoso.com
            (3, {"last_name": "Lind", "emailaddress1": "c@contoso.com"}),  # another start
            (4, {"last_name": "Lindqvist", "emailaddress1": "d@contoso.com"}),  # like row 3
        ]
    )
    assert found == {2: Match(record_id=lee.pk, record_label=lee.full_name), 4: Match(line=3)}


def test_a_chunk_costs_two_statements_whatever_its_rules(django_assert_max_num_queries):
    rule = only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    second = DuplicateRule.objects.create(name="First letters", record_type="accounts.account")
    RuleCondition.objects.create(rule=second, field="name", operator=Operator.FIRST, length=6)
    assert rule.enabled
    AccountFactory.create_batch(5, name="Contoso")
    batch = BatchDuplicates(Account)
    rows = [(line, {"name": f"Company {line}"}) for line in range(2, 500)]
    # Keys, then every rule's matches (on PostgreSQL with the similar-name threshold's SET
    # LOCAL, in a savepoint: two more, and its release).
    with django_assert_max_num_queries(2 if connection.vendor == "sqlite" else 5):
        batch.check(rows)


def test_the_trigram_index_finds_what_comparing_every_pair_finds():
    from duplicates import keys
    from duplicates.batch import TrigramIndex

    names = ["johanssontrading", "johansontrading", "brightwaterfoods", "brightwatterfoods", "okafor", "okafo"]
    names += [f"company{n}" for n in range(40)]
    index = TrigramIndex()
    for line, name in enumerate(names):
        expected = next((i for i in range(line) if keys.similarity(names[i], name) >= keys.SIMILARITY_THRESHOLD), None)
        assert index.find(name) == expected, name
        index.add(name, line)
