from __future__ import annotations

import pytest

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates.batch import BatchDuplicates, Match

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


def test_a_chunk_costs_two_queries_whatever_its_size(django_assert_max_num_queries):
    AccountFactory.create_batch(5, name="Contoso")
    batch = BatchDuplicates(Account)
    rows = [(line, {"name": f"Company {line}"}) for line in range(2, 500)]
    with django_assert_max_num_queries(2):
        batch.check(rows)
