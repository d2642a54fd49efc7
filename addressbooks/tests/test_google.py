from __future__ import annotations

import datetime

import pytest

from contacts.models import Contact
from crm.tests.factories import AccountFactory
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


def test_a_google_export_is_recognised_and_maps_its_pairs(upload_file):
    job = upload_file("google.csv")
    assert job.source == "google" and job.entity == "contact"
    mapped = dict(zip(job.headers, job.mapping, strict=True))
    assert mapped["Organization Name"] == "company" and mapped["Organization Title"] == "job_title"
    assert mapped["Organization Department"] == "department" and mapped["Address 1 - City"] == "address1_city"
    assert mapped["E-mail 1 - Value"] == "emailaddress1" and mapped["Phone 1 - Value"] == "telephone1"
    assert mapped["Website 1 - Value"] == "website" and mapped["Notes"] == "description"


def test_phones_and_emails_go_where_their_label_says_and_extra_values_to_the_next_free_field(import_file):
    AccountFactory(name="Contoso Ltd")
    AccountFactory(name="Fabrikam Inc")
    job = import_file("google.csv")
    assert job.status == ImportJob.Status.COMPLETED
    assert (job.created_count, job.failed_count) == (2, 0), list(job.failures.values_list("reason", flat=True))
    li = Contact.objects.get(last_name="Wei")
    assert (li.first_name, li.nickname, li.job_title, li.department) == ("Li", "Lee", "Engineer", "R&D")
    assert li.company.name == "Contoso Ltd"
    assert (li.mobile_phone, li.telephone1, li.telephone2) == (
        "+33 6 12 34 56 78",
        "+33 1 23 45 67 89",
        "+33 1 98 76 54 32",
    )
    # "a ::: b": the first in the field, the second in the next free email; the extra work
    # phone has no free phone field left, so the description says it.
    assert (li.emailaddress1, li.emailaddress2, li.emailaddress3) == (
        "li.wei@contoso.com",
        "li@contoso.com",
        "li@home.example",
    )
    assert "Phone 2 - Value (Work): +33 1 23 45 67 90" in li.description
    assert (li.address1_line1, li.address1_city, li.address1_postal_code) == ("8 Quai de Seine", "Paris", "75019")
    assert li.website == "https://example.org/li"


def test_a_birthday_without_a_year_is_kept_in_the_description(import_file):
    AccountFactory(name="Contoso Ltd")
    AccountFactory(name="Fabrikam Inc")
    import_file("google.csv")
    li = Contact.objects.get(last_name="Wei")
    assert li.birthday is None
    assert li.description.startswith("Met online.\nLikes tea.")
    assert "Birthday: 5 November (no year given)" in li.description
    assert Contact.objects.get(last_name="Silva").birthday == datetime.date(1990, 2, 28)


def test_a_work_fax_label_fills_the_fax_and_an_unlabelled_phone_the_first_free_one(import_file):
    AccountFactory(name="Contoso Ltd")
    AccountFactory(name="Fabrikam Inc")
    import_file("google.csv")
    ana = Contact.objects.get(last_name="Silva")
    assert (ana.fax, ana.telephone1, ana.emailaddress1) == (
        "+351 21 000 0001",
        "+351 91 000 0002",
        "ana@fabrikam.example",
    )
