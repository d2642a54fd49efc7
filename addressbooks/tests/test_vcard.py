from __future__ import annotations

import datetime

import pytest

from addressbooks import vcard
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports import readers
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def accounts():
    return AccountFactory(name="Contoso Ltd"), AccountFactory(name="Fabrikam Inc")


def test_a_phones_vcard_3_imports_every_card_with_its_fields(import_file):
    job = import_file("phone_3_0.vcf")
    assert (job.source, job.status) == ("vcard", ImportJob.Status.COMPLETED)
    assert (job.created_count, job.failed_count) == (2, 0), list(job.failures.values_list("reason", flat=True))
    jp = Contact.objects.get(last_name="Durand")
    assert (jp.salutation, jp.first_name, jp.middle_name) == ("Dr.", "Jean-Pierre", "Marc")
    assert (jp.company.name, jp.department, jp.job_title) == ("Contoso Ltd", "Sales, Europe", "Regional Director")
    assert (jp.emailaddress1, jp.emailaddress2) == ("jp.durand@contoso.com", "jp@durand.example")
    assert (jp.mobile_phone, jp.telephone1, jp.telephone2, jp.fax) == (
        "+33 6 11 22 33 44",
        "+33 1 44 55 66 77",
        "+33 1 40 00 00 00",
        "+33 1 44 55 66 78",
    )
    assert (jp.address1_line1, jp.address1_line2, jp.address1_city, jp.address1_state) == (
        "12 Avenue des Champs",
        "Bâtiment C",
        "Paris",
        "Île-de-France",
    )
    assert (jp.address2_line1, jp.address2_city, jp.address2_postal_code) == ("3 Rue du Lac", "Annecy", "74000")
    assert jp.description.startswith("Met at the Lyon fair, 2023.\nLikes: wine; cheese.\nFollow up in Q3")
    assert jp.birthday == datetime.date(1975, 6, 21) and jp.website == "https://contoso.example/jp"


def test_a_vcard_4_reads_tel_uris_departments_and_a_birthday_without_a_year(import_file):
    job = import_file("phone_4_0.vcf")
    assert job.created_count == 1, list(job.failures.values_list("reason", flat=True))
    ingrid = Contact.objects.get(last_name="Larsen")
    assert (ingrid.telephone1, ingrid.mobile_phone) == ("+47-22-00-00-00 ext. 42", "+47-900-00-000")
    assert ingrid.department == "Research, Lab 2" and ingrid.gender == "female"
    assert ingrid.anniversary == datetime.date(2010, 6, 12) and ingrid.birthday is None
    assert "Speaks Norwegian, English and German." in ingrid.description
    assert "Birthday: 5 November (no year given)" in ingrid.description


def test_an_old_outlook_vcard_reads_quoted_printable_in_windows_1252(import_file):
    job = import_file("outlook_2_1.vcf")
    assert job.created_count == 1, list(job.failures.values_list("reason", flat=True))
    helene = Contact.objects.get(emailaddress1="helene.lefevre@contoso.com")
    assert (helene.first_name, helene.last_name) == ("Hélène", "Lefèvre")
    assert helene.description == "Rencontrée au salon de Lyon.\r\nPréfère le café."
    assert (helene.address1_line1, helene.address1_line2) == ("10 Place Bellecour", "2e étage")
    assert (helene.telephone1, helene.mobile_phone) == ("+33 4 72 00 00 00", "+33 6 00 00 00 01")
    assert helene.spouse_name == "Marc Lefèvre" and helene.birthday == datetime.date(1982, 7, 4)


def test_a_card_that_fails_is_reported_by_its_card_number(import_file):
    data = b"BEGIN:VCARD\r\nN:Ok;Al\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@y.z\r\nEND:VCARD\r\n"
    job = import_file("two.vcf", data)
    assert (job.created_count, job.failed_count) == (1, 1)
    failure = job.failures.get()
    assert failure.line == 2 and failure.row_label == "Card 2" and "Last Name" in failure.reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello\r\nworld\r\n", "not a vCard file"),
        (b"BEGIN:VCARD\r\nN:A;B\r\n", "has no END:VCARD"),
        (b"BEGIN:VCARD\r\nN:A\x00\r\nEND:VCARD\r\n", "binary data"),
        (b"", "holds no cards"),
    ],
)
def test_a_file_that_is_not_a_vcard_is_refused_with_a_reason(tmp_path, data, message):
    path = tmp_path / "bad.vcf"
    path.write_bytes(data)
    with pytest.raises(readers.UnreadableFile, match=message):
        readers.open_table(path, "bad.vcf")


def test_budgets_refuse_hostile_vcards(tmp_path, monkeypatch):
    monkeypatch.setattr(vcard, "BUDGET", vcard.CardBudget(line_chars=1000, properties_per_card=10, cards=3))
    cases = {
        "line": b"BEGIN:VCARD\r\nNOTE:" + b"x" * 2000 + b"\r\nEND:VCARD\r\n",
        "folded": b"BEGIN:VCARD\r\nNOTE:x\r\n" + b" " + b"y" * 600 + b"\r\n " + b"z" * 600 + b"\r\nEND:VCARD\r\n",
        "properties": b"BEGIN:VCARD\r\n" + b"EMAIL:a@b.c\r\n" * 11 + b"END:VCARD\r\n",
        "cards": b"BEGIN:VCARD\r\nN:A\r\nEND:VCARD\r\n" * 4,
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.vcf"
        path.write_bytes(data)
        with pytest.raises(readers.UnreadableFile):
            table = readers.open_table(path, f"{name}.vcf")
            list(table.rows())


def test_a_downloaded_vcard_imports_back_unchanged(importer, import_file, accounts):
    contoso = accounts[0]
    contact = ContactFactory(
        owner=importer,
        salutation="Ms.",
        first_name="Zoë",
        middle_name="A.",
        last_name="Müller; Smith",
        suffix="PhD",
        nickname="Zo",
        company=contoso,
        department="R&D, Lab",
        job_title="Head, Research",
        emailaddress1="zoe@contoso.com",
        emailaddress2="zoe2@contoso.com",
        emailaddress3="zoe@home.example",
        telephone1="+1 425 555 0100",
        telephone2="+1 425 555 0101",
        mobile_phone="+1 425 555 0102",
        fax="+1 425 555 0103",
        assistant_phone="+1 425 555 0104",
        address1_line1="1 Way",
        address1_line2="Building 4",
        address1_line3="Floor 2",
        address1_city="Redmond",
        address1_state="WA",
        address1_postal_code="98052",
        address1_country="USA",
        address1_po_box="PO 7",
        address2_line1="2 Home Rd",
        address2_line3="Flat 3",
        address2_city="Paris",
        birthday=datetime.date(1978, 3, 14),
        anniversary=datetime.date(2005, 6, 1),
        gender="female",
        spouse_name="Sam",
        website="https://contoso.com/zoe",
        description="Line one, with commas; semicolons\nand a \\ backslash. " + ("Long text " * 30).strip(),
    )
    fields = [
        field.name
        for field in Contact._meta.concrete_fields
        if field.name not in ("id", "version", "modified_on", "modified_by", "search_text")
    ]
    before = {name: getattr(contact, name) for name in fields}
    card = vcard.contact_card(contact)
    assert all(len(line.encode()) <= 75 for line in card.split("\r\n"))
    job = import_file("zoe.vcf", card.encode())
    contact.refresh_from_db()
    assert {name: getattr(contact, name) for name in fields if getattr(contact, name) != before[name]} == {}
    assert (job.updated_count, job.created_count, job.failed_count, job.skipped_count) == (0, 0, 0, 1), list(
        job.failures.values_list("reason", flat=True)
    )
    assert {name: getattr(contact, name) for name in fields} == before
    # And into an empty book, the same person again.
    contact.delete()
    job = import_file("zoe.vcf", card.encode())
    assert job.created_count == 1
    again = Contact.objects.get()
    changed = {
        name: (before[name], getattr(again, name))
        for name in fields
        if before[name] != getattr(again, name)
        and name not in ("created_on", "created_by", "owner", "owner_name", "business_unit", "email_key")
    }
    assert changed == {}
