from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from imports.models import ImportJob
from imports.tests.files import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Email", "Company Name", "Role", "Do not allow Emails"]


def test_contacts_import_with_their_company_found_by_name_or_number(run_import, importer):
    contoso = AccountFactory(name="Contoso", account_number="C-1")
    fabrikam = AccountFactory(name="Fabrikam", account_number="F-9")
    rows = [HEADER, ["Ana", "Lopez", "ana@x.com", "Contoso", "Decision Maker", "yes"], ["Bo", "Li", "", "F-9", "", ""]]
    job = run_import("people.csv", csv_bytes(rows))
    assert job.status == ImportJob.Status.COMPLETED
    assert (job.total_rows, job.created_count, job.failed_count) == (2, 2, 0)
    ana = Contact.objects.get(emailaddress1="ana@x.com")
    assert ana.full_name == "Ana Lopez"
    assert ana.company == contoso and ana.role == "decision_maker" and ana.do_not_email is True
    assert ana.owner == importer and ana.created_by == importer
    assert Contact.objects.get(last_name="Li").company == fabrikam


def test_a_company_that_matches_no_account_or_several_fails_the_row_with_the_reason(run_import):
    AccountFactory.create_batch(2, name="Twin Corp")
    rows = [
        HEADER,
        ["A", "One", "", "Nowhere Ltd", "", ""],
        ["B", "Two", "", "Twin Corp", "", ""],
        ["C", "Ok", "", "", "", ""],
    ]
    job = run_import("people.csv", csv_bytes(rows))
    assert (job.created_count, job.failed_count) == (1, 2)
    reasons = {failure.line: failure.reason for failure in job.failures.all()}
    assert "no account has the account name or account number “Nowhere Ltd”" in reasons[2]
    assert "matches 2 accounts" in reasons[3]
    assert Contact.objects.count() == 1


def test_company_names_match_without_case(run_import):
    contoso = AccountFactory(name="Contoso Ltd")
    job = run_import("p.csv", csv_bytes([HEADER, ["A", "B", "", "CONTOSO LTD", "", ""]]))
    assert job.created_count == 1
    assert Contact.objects.get().company == contoso


def test_update_mode_updates_the_contact_with_the_same_email_instead_of_duplicating(run_import):
    existing = ContactFactory(first_name="Old", last_name="Name", emailaddress1="ana@x.com")
    job = run_import("p.csv", csv_bytes([HEADER, ["Ana", "Lopez", "ANA@x.com", "", "employee", "no"]]))
    assert (job.created_count, job.updated_count) == (0, 1)
    existing.refresh_from_db()
    assert existing.full_name == "Ana Lopez" and existing.role == "employee"
    assert existing.version == 2
    assert Contact.objects.count() == 1


def test_an_unchanged_row_is_skipped_without_writing(run_import):
    existing = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="ana@x.com")
    job = run_import("p.csv", csv_bytes([["First Name", "Last Name", "Email"], ["Ana", "Lopez", "ana@x.com"]]))
    assert (job.updated_count, job.skipped_count) == (0, 1)
    existing.refresh_from_db()
    assert existing.version == 1


def test_skip_mode_leaves_existing_records_alone_and_creates_new_ones(run_import):
    ContactFactory(first_name="Old", last_name="Name", emailaddress1="ana@x.com")
    rows = [HEADER, ["Ana", "Lopez", "ana@x.com", "", "", ""], ["Bo", "Li", "bo@x.com", "", "", ""]]
    job = run_import("p.csv", csv_bytes(rows), duplicates="skip")
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert Contact.objects.get(emailaddress1="ana@x.com").first_name == "Old"


def test_create_mode_creates_duplicates_when_asked(run_import):
    ContactFactory(emailaddress1="ana@x.com")
    job = run_import("p.csv", csv_bytes([HEADER, ["Ana", "Lopez", "ana@x.com", "", "", ""]]), duplicates="create")
    assert job.created_count == 1
    assert Contact.objects.filter(emailaddress1="ana@x.com").count() == 2


@pytest.mark.parametrize("duplicates", ["update", "skip"])
def test_a_key_repeated_in_the_file_fails_the_second_row_as_a_duplicate(run_import, duplicates):
    rows = [HEADER, ["Ana", "Lopez", "ana@x.com", "", "", ""], ["Ana", "Lopez-Diaz", "ANA@x.com", "", "", ""]]
    job = run_import("p.csv", csv_bytes(rows), duplicates=duplicates)
    assert (job.created_count, job.updated_count, job.failed_count) == (1, 0, 1)
    failure = job.failures.get()
    assert failure.line == 3
    assert "duplicate of line 2 in this file (same Email)" in failure.reason
    assert Contact.objects.get().last_name == "Lopez"


def test_an_account_number_repeated_in_the_file_fails_the_second_row(run_import):
    AccountFactory(name="Old", account_number="A-1")
    rows = [["Account Name", "Account Number"], ["First", "A-1"], ["Second", "A-1"], ["Third", "A-2"]]
    job = run_import("a.csv", csv_bytes(rows), match_key="account_number")
    assert (job.created_count, job.updated_count, job.failed_count) == (1, 1, 1)
    assert "duplicate of line 2 in this file" in job.failures.get().reason
    assert Account.objects.get(account_number="A-1").name == "First"


def test_a_repeated_key_is_no_duplicate_when_the_first_row_failed(run_import):
    rows = [HEADER, ["x" * 60, "Lopez", "ana@x.com", "", "", ""], ["Ana", "Lopez", "ana@x.com", "", "", ""]]
    job = run_import("p.csv", csv_bytes(rows))
    assert (job.created_count, job.failed_count) == (1, 1)
    assert "at most 50 characters" in job.failures.get().reason


def test_rows_are_duplicates_across_chunks(run_import, monkeypatch):
    monkeypatch.setattr("imports.pipeline.CHUNK_SIZE", 2)
    rows = [HEADER, *[["A", f"L{n}", f"a{n}@x.com", "", "", ""] for n in range(3)], ["A", "L", "a0@x.com", "", "", ""]]
    job = run_import("p.csv", csv_bytes(rows))
    assert (job.created_count, job.failed_count) == (3, 1)
    assert job.failures.get().line == 5


def test_with_duplicates_allowed_a_repeated_key_is_a_second_record(run_import):
    rows = [HEADER, ["Ana", "Lopez", "ana@x.com", "", "", ""], ["Ana", "Lopez", "ana@x.com", "", "", ""]]
    job = run_import("p.csv", csv_bytes(rows), duplicates="create")
    assert (job.created_count, job.failed_count) == (2, 0)


def test_accounts_match_on_account_number_or_on_name(run_import):
    by_number = AccountFactory(name="Old name", account_number="A-1")
    by_name = AccountFactory(name="Northwind", account_number="")
    rows = [
        ["Account Name", "Account Number", "Main Phone"],
        ["New name", "A-1", "+1 555 0100"],
        ["Northwind", "", "+1 555 0200"],
    ]
    run_import("a.csv", csv_bytes(rows[:2]), match_key="account_number")
    by_number.refresh_from_db()
    assert by_number.name == "New name"
    job = run_import("a.csv", csv_bytes(rows[:1] + rows[2:]), match_key="name")
    assert job.updated_count == 1
    by_name.refresh_from_db()
    assert by_name.telephone1 == "+1 555 0200"


def test_choices_accept_their_label_in_any_case_or_their_stored_value(run_import):
    rows = [
        ["Account Name", "Industry", "Relationship Type", "Payment Terms"],
        ["A", "legal services", "CUSTOMER", "net45"],
    ]
    run_import("a.csv", csv_bytes(rows))
    account = Account.objects.get()
    assert (account.industry, account.relationship_type, account.payment_terms) == (
        "legal_services",
        "customer",
        "net45",
    )


def test_owner_is_found_by_user_name_or_email(run_import):
    teammate = UserFactory(username="tom", email="tom@harbor.example")
    rows = [["Account Name", "Owner"], ["A", "tom"], ["B", "TOM@harbor.example"], ["C", "nobody"]]
    job = run_import("a.csv", csv_bytes(rows))
    assert set(Account.objects.values_list("owner", flat=True)) == {teammate.pk}
    assert "no user has the user name or email “nobody”" in job.failures.get().reason


def test_bad_values_fail_their_row_with_every_reason_and_line(run_import):
    rows = [
        ["Account Name", "Email", "Number of Employees", "Credit Limit", "Industry"],
        ["Good", "a@b.com", "12", "1,500.50", ""],
        ["", "not-an-email", "many", "-3", "Basket weaving"],
    ]
    job = run_import("a.csv", csv_bytes(rows))
    assert (job.created_count, job.failed_count) == (1, 1)
    failure = job.failures.get()
    assert failure.line == 3
    for expected in (
        "Account Name: This field is required",
        "Email: Enter a valid email",
        "Number of Employees",
        "Credit Limit",
        "Industry",
    ):
        assert expected in failure.reason
    assert failure.values == ["", "not-an-email", "many", "-3", "Basket weaving"]
    assert Account.objects.get().credit_limit == 1500.50


def test_logical_names_map_as_well_as_labels(run_import):
    rows = [
        ["name", "telephone1", "address1_city", "accountnumber", "websiteurl"],
        ["A", "+1 555 0100", "Lyon", "N-1", "contoso.com"],
    ]
    job = run_import("a.csv", csv_bytes(rows))
    assert job.mapping == ["name", "telephone1", "address1_city", "account_number", "website"]
    account = Account.objects.get()
    assert (account.address1_city, account.website) == ("Lyon", "https://contoso.com")


def test_a_column_mapped_by_hand_and_an_ignored_one(run_import):
    rows = [["Société", "Ville", "Notes internes"], ["Acme", "Paris", "secret"]]
    job = run_import("a.csv", csv_bytes(rows), entity="account", mapping=["name", "address1_city", ""])
    assert job.created_count == 1
    account = Account.objects.get()
    assert (account.name, account.address1_city, account.description) == ("Acme", "Paris", "")


def test_removing_an_import_deletes_the_records_it_created_only(run_import):
    from imports import services

    kept = ContactFactory(emailaddress1="ana@x.com", first_name="Old")
    rows = [
        HEADER,
        ["Ana", "Lopez", "ana@x.com", "", "", ""],
        ["Bo", "Li", "bo@x.com", "", "", ""],
        ["Cy", "Wu", "", "", "", ""],
    ]
    job = run_import("p.csv", csv_bytes(rows))
    assert (job.created_count, job.updated_count) == (2, 1)
    services.import_job_delete(job=job, with_records=True)
    assert list(Contact.objects.all()) == [kept]
    job.refresh_from_db()
    assert (job.status, job.removed_count, job.created_count, job.file) == (ImportJob.Status.REMOVED, 2, 0, "")


def test_removing_an_account_import_keeps_accounts_that_gained_contacts(run_import):
    from imports import services

    job = run_import("a.csv", csv_bytes([["Account Name"], ["A"], ["B"]]))
    ContactFactory(company=Account.objects.get(name="A"))
    services.import_job_delete(job=job, with_records=True)
    assert list(Account.objects.values_list("name", flat=True)) == ["A"]
    job.refresh_from_db()
    assert (job.removed_count, job.created_count) == (1, 1)


def test_a_large_file_is_imported_in_chunks_with_a_few_queries_per_chunk_not_per_row(run_import):
    AccountFactory(name="Contoso")
    rows = [HEADER] + [[f"P{n}", "Doe", f"p{n}@x.com", "Contoso", "", ""] for n in range(2500)]
    data = csv_bytes(rows)
    with CaptureQueriesContext(connection) as queries:
        job = run_import("p.csv", data)
    # Bulk inserts are split by the database's parameter limit (small on SQLite); the rest
    # is a handful of queries per chunk of 1,000 rows (writes, lookups, sort-name copies, progress,
    # and two for duplicate detection).
    other = [query for query in queries if not query["sql"].startswith('INSERT INTO "contacts_contact"')]
    # (The audit adds one statement a chunk: the INSERT ... SELECT of its entries.)
    assert len(other) < 63, [q["sql"][:60] for q in other]
    assert job.created_count == 2500
    assert len(job.created_ids) == 1


def test_imported_rows_sort_by_their_owner_and_company_like_saved_ones(run_import, importer):
    AccountFactory(name="Contoso")
    rows = [HEADER, ["Ana", "Lopez", "ana@x.com", "Contoso", "", ""]]
    run_import("people.csv", csv_bytes(rows))
    ana = Contact.objects.get(emailaddress1="ana@x.com")
    assert (ana.company_name, ana.owner_name) == ("Contoso", importer.get_full_name() or importer.username)


def test_renaming_an_account_by_import_renames_it_in_its_contacts_sort_copy(run_import):
    account = AccountFactory(name="Old name", account_number="A-1")
    contact = ContactFactory(company=account)
    rows = [["Account Name", "Account Number"], ["New name", "A-1"]]
    run_import("a.csv", csv_bytes(rows), match_key="account_number")
    contact.refresh_from_db()
    assert contact.company_name == "New name"


def test_a_too_long_cell_fails_with_djangos_own_message(run_import):
    rows = [["First Name", "Last Name"], ["x" * 60, "Ok"], ["Ana", "Fine"]]
    job = run_import("p.csv", csv_bytes(rows))
    assert job.failures.get().reason == "First Name: Ensure this value has at most 50 characters (it has 60)."
    assert job.created_count == 1


def test_an_import_can_set_a_parent_but_never_make_a_loop(run_import):
    top = AccountFactory(name="Top", account_number="T-1")
    child = AccountFactory(name="Child", account_number="C-1", parent=top)
    rows = [["Account Name", "Account Number", "Parent Account"], ["Top", "T-1", "C-1"], ["New", "N-1", "T-1"]]
    job = run_import("a.csv", csv_bytes(rows), match_key="account_number")
    assert (
        job.failures.get().reason
        == "Parent Account: that account is below this one, so it can't be its parent account."
    )
    assert Account.objects.get(account_number="N-1").parent == top
    top.refresh_from_db()
    assert top.parent is None and child.parent == top


def test_updating_the_owner_by_import_keeps_the_owner_sort_copy(run_import, teammate):
    contact = ContactFactory(emailaddress1="ana@x.com", last_name="Lopez")
    rows = [["Last Name", "Email", "Owner"], ["Lopez", "ana@x.com", teammate.username]]
    run_import("p.csv", csv_bytes(rows))
    contact.refresh_from_db()
    assert contact.owner == teammate and contact.owner_name == "Tom Mate"


def test_phone_numbers_import_as_they_were_typed(run_import):
    rows = [["Last Name", "Business Phone", "Mobile Phone"], ["Li", "(555) 010-2030", "(0)20 7946 0958"]]
    job = run_import("p.csv", csv_bytes(rows))
    assert (job.created_count, job.failed_count) == (1, 0)
    assert Contact.objects.values_list("telephone1", "mobile_phone").get() == ("(555) 010-2030", "(0)20 7946 0958")


def test_a_phone_number_with_letters_fails_its_row_with_the_reason(run_import):
    job = run_import("p.csv", csv_bytes([["Last Name", "Business Phone"], ["Li", "call me"]]))
    assert (job.created_count, job.failed_count) == (0, 1)
    assert "e.g. (555) 010-2030" in job.failures.get().reason
