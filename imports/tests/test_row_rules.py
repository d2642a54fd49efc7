"""The same bad rows get the same refusals on both import paths: the Import Data pipeline
and the admin's import (django-import-export), which apply one set of rules (imports.rules)."""

from __future__ import annotations

import pytest
import tablib

from accounts.models import Account
from accounts.resources import AccountResource
from contacts.models import Contact
from contacts.resources import ContactResource
from crm.choices import Status
from crm.tests.factories import AccountFactory, ContactFactory
from imports.tests.files import csv_bytes

pytestmark = pytest.mark.django_db

RESOURCES = {"account": AccountResource, "contact": ContactResource}


def admin_refusals(entity: str, rows: list[list[str]], user) -> list[str]:
    """What the admin's import refuses, row by row, for a file of `rows` (preview, as the
    admin's first step runs it)."""
    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    result = RESOURCES[entity]().import_data(dataset, dry_run=True, user=user, use_transactions=True)
    refusals = [
        message for invalid in result.invalid_rows for messages in invalid.error_dict.values() for message in messages
    ]
    refusals += [str(error.error) for _number, errors in result.row_errors() for error in errors]
    return refusals


@pytest.fixture
def both_paths(run_import, importer):
    """The refusals of each path for the same rows; the pipeline's first, rolled back between."""

    def refusals(entity: str, rows: list[list[str]], *, match_key: str = "") -> tuple[list[str], list[str]]:
        job = run_import(f"{entity}.csv", csv_bytes(rows), entity=entity, match_key=match_key)
        pipeline = [failure.reason for failure in job.failures.order_by("line")]
        return pipeline, admin_refusals(entity, rows, importer)

    return refusals


def test_neither_path_updates_an_inactive_account(both_paths):
    AccountFactory(name="Old Co", account_number="A-1", status=Status.INACTIVE, telephone1="+1 555 0100")
    pipeline, admin = both_paths(
        "account", [["Account Name", "Account Number", "Main Phone"], ["Old Co", "A-1", "+1 555 0199"]]
    )
    assert pipeline == admin == ["The matching record is inactive, so it is read-only; activate it first."]
    assert Account.objects.get(account_number="A-1").telephone1 == "+1 555 0100"


def test_neither_path_lets_two_accounts_become_each_others_parent(both_paths):
    AccountFactory(name="East", account_number="E-1")
    AccountFactory(name="West", account_number="W-1")
    rows = [["Account Name", "Account Number", "Parent Account"], ["East", "E-1", "W-1"], ["West", "W-1", "E-1"]]
    pipeline, admin = both_paths("account", rows, match_key="account_number")
    refusal = "Parent Account: that account is below this one, so it can't be its parent account."
    assert pipeline == admin == [refusal]
    assert Account.objects.get(account_number="W-1").parent is None


def test_both_paths_refuse_an_unknown_and_an_ambiguous_company(both_paths):
    AccountFactory(name="Twin", account_number="T-1")
    AccountFactory(name="Twin", account_number="T-2")
    rows = [["Last Name", "Company Name"], ["Li", "Nowhere"], ["Lee", "Twin"]]
    pipeline, admin = both_paths("contact", rows)
    assert (
        pipeline
        == admin
        == [
            "Company Name: no account has the account name or account number “Nowhere”.",
            "Company Name: “Twin” matches 2 accounts; use the account number instead.",
        ]
    )
    assert not Contact.objects.exists()


def test_both_paths_resolve_a_company_exactly_first_then_in_any_case(both_paths):
    AccountFactory(name="Contoso", account_number="C-1")
    rows = [["Last Name", "Company Name"], ["Li", "contoso"], ["Lee", "C-1"]]
    pipeline, admin = both_paths("contact", rows)
    assert pipeline == admin == []


def test_both_paths_refuse_an_unknown_owner(both_paths):
    pipeline, admin = both_paths("contact", [["Last Name", "Owner"], ["Li", "nobody"]])
    assert pipeline == admin == ["Owner: no user has the user name or email “nobody”."]


def test_both_paths_refuse_a_record_id_that_names_no_record(both_paths):
    rows = [["Last Name", "(Do Not Modify) Contact ID"], ["Li", "contact:999999"]]
    pipeline, admin = both_paths("contact", rows)
    message = (
        "(Do Not Modify) Contact ID: no record has the ID “contact:999999”: it may have been deleted. "
        "Leave the cell empty to add the row as a new record."
    )
    assert pipeline == admin == [message]


def test_both_paths_refuse_a_key_several_records_share(both_paths):
    ContactFactory(emailaddress1="same@x.com")
    ContactFactory(emailaddress1="same@x.com")
    pipeline, admin = both_paths("contact", [["Last Name", "Email"], ["Li", "same@x.com"]])
    assert pipeline == admin == ["2 existing records have this Email; make it unique first."]


def test_both_paths_refuse_a_row_repeating_an_earlier_rows_key(both_paths):
    rows = [["Last Name", "Email"], ["Li", "ana@x.com"], ["Lee", "ANA@x.com"]]
    pipeline, admin = both_paths("contact", rows)
    # Each path names the line as its page numbers it: the file's line on the job page (the
    # heading is line 1), the data row in the admin's preview.
    refusal = "This row is a duplicate of line %d in this file (same Email): keep one of them."
    assert (pipeline, admin) == ([refusal % 2], [refusal % 1])
