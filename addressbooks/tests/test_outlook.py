from __future__ import annotations

import datetime

import pytest

from accounts.models import Account
from addressbooks.tests.conftest import fixture_bytes
from contacts.models import Contact
from crm.tests.factories import AccountFactory
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def contoso():
    return AccountFactory(name="Contoso Ltd")


def test_an_outlook_export_is_recognised_and_maps_its_columns(upload_file):
    job = upload_file("outlook_en.csv")
    assert job.source == "outlook" and job.entity == "contact"
    assert len(job.headers) == 92
    mapped = dict(zip(job.headers, job.mapping, strict=True))
    assert mapped["Title"] == "salutation" and mapped["Notes"] == "description"
    assert mapped["Business Street"] == "address1_line1" and mapped["Home City"] == "address2_city"
    assert mapped["E-mail 3 Address"] == "emailaddress3" and mapped["Business Fax"] == "fax"
    assert mapped["Web Page"] == "website" and mapped["Spouse"] == "spouse_name"
    assert mapped["Gender"] == "gender" and mapped["Anniversary"] == "anniversary"
    assert mapped["E-mail Display Name"] == "" and mapped["Priority"] == ""


def test_an_ansi_outlook_export_imports_every_person_in_the_right_fields(import_file, contoso):
    job = import_file("outlook_en.csv", create_missing=True)
    assert job.status == ImportJob.Status.COMPLETED, job.error
    assert (job.created_count, job.failed_count) == (2, 0), list(job.failures.values_list("reason", flat=True))
    zoe = Contact.objects.get(emailaddress1="zoe.muller@contoso.com")
    assert (zoe.salutation, zoe.first_name, zoe.middle_name, zoe.last_name, zoe.suffix) == (
        "Mrs.",
        "Zoë",
        "Ann",
        "Müller",
        "Jr.",
    )
    assert zoe.company == contoso and zoe.job_title == "Head Buyer" and zoe.department == "Purchasing"
    assert zoe.birthday == datetime.date(1978, 3, 14) and zoe.anniversary is None
    assert (zoe.telephone1, zoe.mobile_phone, zoe.telephone2, zoe.fax, zoe.assistant_phone) == (
        "+1 (425) 555-0100",
        "+1 425 555 0102",
        "+33 1 42 00 00 01",
        "+1 425 555 0199",
        "+1 425 555 0109",
    )
    assert zoe.emailaddress2 == "zoe@home.example"
    assert (zoe.address1_line1, zoe.address1_line2, zoe.address1_city, zoe.address1_postal_code) == (
        "1 Microsoft Way",
        "Building 4",
        "Redmond",
        "98052",
    )
    assert (zoe.address2_line1, zoe.address2_city) == ("12 Rue de la Paix", "Paris")
    assert zoe.gender == "female" and zoe.spouse_name == "Sam Müller" and zoe.website == "https://www.contoso.com"
    # The quoted multi-line note, then what has no field: said in the description.
    assert zoe.description.startswith('Met at the Lyon fair.\r\nPrefers email; café lover, "no calls" before 10.')
    assert "Business Phone 2: +1 425 555 0101" in zoe.description
    assert "Manager's Name: Dana Boss" in zoe.description


def test_outlooks_other_address_fills_address_2_when_home_is_empty(import_file, contoso):
    import_file("outlook_en.csv", create_missing=True)
    pat = Contact.objects.get(last_name="O'Neil")
    assert (pat.address2_line1, pat.address2_city, pat.address2_country) == ("5 Harbour Road", "Cork", "Ireland")
    assert pat.birthday is None and pat.gender == "" and pat.anniversary == datetime.date(2005, 6, 1)
    # Other Phone and Car Phone: the next free phone fields.
    assert {pat.telephone1, pat.mobile_phone} == {"+353 21 000 0000", "+353 87 000 0000"}


def test_the_french_edition_reads_dates_day_first(import_file, contoso):
    job = import_file("outlook_fr.csv", create_missing=True)
    assert job.source == "outlook" and job.created_count == 2, list(job.failures.values_list("reason", flat=True))
    zoe = Contact.objects.get(emailaddress1="zoe.muller@contoso.com")
    assert zoe.birthday == datetime.date(1978, 3, 14) and zoe.gender == "female"
    assert zoe.address1_city == "Redmond" and zoe.address2_city == "Paris"
    assert "Nom du manager: Dana Boss" in zoe.description
    assert Contact.objects.get(last_name="O'Neil").anniversary == datetime.date(2005, 6, 1)


def test_missing_companies_fail_their_row_unless_asked_to_create_them(import_file, contoso):
    job = import_file("outlook_en.csv")
    assert (job.created_count, job.failed_count) == (1, 1)
    assert "Fabrikam Inc" in job.failures.get().reason
    assert not Account.objects.filter(name="Fabrikam Inc").exists()


def test_created_companies_are_owned_as_the_import_says_and_audited(import_file, importer, contoso):
    from audit.models import AuditEntry

    import_file("outlook_en.csv", create_missing=True)
    fabrikam = Account.objects.get(name="Fabrikam Inc")
    assert fabrikam.owner == importer and Contact.objects.get(last_name="O'Neil").company == fabrikam
    assert AuditEntry.objects.filter(record_type="accounts.account", record_id=fabrikam.pk, event="create").exists()


def test_a_user_who_may_not_create_accounts_gets_the_reason_per_row(import_file, importer, contoso):
    from django.contrib.auth.models import Permission

    importer.user_permissions.remove(Permission.objects.get(codename="add_account"))
    importer.groups.clear()
    job = import_file("outlook_en.csv", create_missing=True)
    assert job.failed_count == 1
    assert "could not be created" in job.failures.get().reason


def test_the_mapping_page_says_what_it_recognised(importer_client, upload_file):
    job = upload_file("outlook_en.csv")
    page = importer_client.get(job.get_absolute_url())
    assert "Recognised: Outlook contacts export" in page.content.decode()


def test_outlook_bytes_are_windows_1252(upload_file):
    assert "Zoë".encode("cp1252") in fixture_bytes("outlook_en.csv")
    assert upload_file("outlook_en.csv").encoding == "cp1252"
