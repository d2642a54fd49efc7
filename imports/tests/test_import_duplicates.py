"""Import Data and the duplicate detection rules: rows like an existing record or an earlier
row are listed with what they match, and skipped unless duplicates are allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from crm.tests.factories import AccountFactory
from duplicates.defaults import ensure_default_rules
from imports.tests.files import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    ["Account Name", "Main Phone"],
    ["contoso, LIMITED", "+1 425 555 0100"],  # line 2: like the existing Contoso Ltd.
    ["Fabrikam", "+1 425 555 0101"],  # line 3: new
    ["Fabrikam Inc.", "+1 425 555 0102"],  # line 4: like line 3
]


@pytest.fixture(autouse=True)
def default_rules():
    ensure_default_rules()


def test_duplicates_not_allowed_are_skipped_and_reported_row_by_row(run_import, client, importer):
    contoso = AccountFactory(name="Contoso Ltd.")
    job = run_import("accounts.csv", csv_bytes(ROWS), duplicates="create", allow_duplicates=False)
    assert (job.created_count, job.skipped_count, job.duplicate_count) == (1, 2, 2)
    assert list(Account.objects.filter(name__startswith="Fabrikam").values_list("name", flat=True)) == ["Fabrikam"]
    reported = [(d.line, d.record_id, d.earlier_line, d.skipped) for d in job.possible_duplicates.all()]
    assert reported == [(2, contoso.pk, None, True), (4, None, 3, True)]
    client.force_login(importer)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Possible duplicates" in page
    assert reverse("accounts:detail", args=[contoso.pk]) in page
    assert "line 3 of the file" in page


def test_allowed_duplicates_are_imported_and_still_reported(run_import):
    AccountFactory(name="Contoso Ltd.")
    job = run_import("accounts.csv", csv_bytes(ROWS), duplicates="create", allow_duplicates=True)
    assert (job.created_count, job.duplicate_count) == (3, 2)
    assert not any(d.skipped for d in job.possible_duplicates.all())


def test_a_row_updating_its_record_is_not_a_duplicate(run_import):
    AccountFactory(name="Contoso Ltd.", telephone1="")
    rows = [["Account Name", "Main Phone"], ["Contoso Ltd.", "+1 425 555 0199"]]
    job = run_import("accounts.csv", csv_bytes(rows), duplicates="update", match_key="name", allow_duplicates=False)
    assert (job.updated_count, job.duplicate_count) == (1, 0)


def test_a_similar_name_rule_applies_to_imports_too(run_import):
    from duplicates.models import DuplicateRule, Operator, RuleCondition

    DuplicateRule.objects.update(enabled=False)
    rule = DuplicateRule.objects.create(name="Similar account names", record_type="accounts.account")
    RuleCondition.objects.create(rule=rule, field="name", operator=Operator.SIMILAR)
    johansson = AccountFactory(name="Johansson Trading")
    rows = [["Account Name"], ["Johanson Trading AB"], ["Brightwater Foods"], ["Brightwatter Foods"]]
    job = run_import("accounts.csv", csv_bytes(rows), duplicates="create", allow_duplicates=False)
    reported = [(d.line, d.record_id, d.earlier_line) for d in job.possible_duplicates.all()]
    assert reported == [(2, johansson.pk, None), (4, None, 3)]
    assert job.created_count == 1
