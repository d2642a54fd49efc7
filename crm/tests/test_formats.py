"""Numbers, dates and money in the user's language: read as typed, shown as written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Account
from crm import formats
from crm.tests.factories import AccountFactory, ContactFactory

FRENCH = {"accept-language": "fr"}


@pytest.mark.parametrize(
    ("typed", "french", "english"),
    [
        ("1 234,56", "1234.56", "1234.56"),
        ("1\u202f234,56", "1234.56", "1234.56"),  # the narrow no-break space French formatting writes
        ("1\u00a0234\u00a0567", "1234567", "1234567"),
        ("1234,5", "1234.5", "1234.5"),
        ("1,234", "1.234", "1234"),  # the language's own reading
        ("1.234,56", "1234.56", "1234.56"),
        ("1,234.56", "1234.56", "1234.56"),
        ("12,345,678", "12345678", "12345678"),
        ("1 234,56 €", "1234.56", "1234.56"),
        ("-3,5", "-3.5", "-3.5"),
    ],
)
def test_numbers_are_read_as_the_users_language_writes_them(typed, french, english):
    for language, expected in (("fr", french), ("en", english)):
        with translation.override(language):
            assert formats.parse_number(typed) == Decimal(expected), language


def test_a_number_french_could_read_two_ways_is_refused_with_how_to_write_it():
    with translation.override("fr"), pytest.raises(formats.FormatError, match="ambigu.*1234.*1,234"):
        formats.parse_number("1.234")
    with translation.override("en"):
        assert formats.parse_number("1.234") == Decimal("1.234")


@pytest.mark.parametrize("typed", ["abc", "1,2,3.4.5", "NaN", ""])
def test_what_is_not_a_number_says_so(typed):
    with translation.override("fr"), pytest.raises(formats.FormatError, match="n'est pas un nombre"):
        formats.parse_number(typed)


def test_dates_are_read_day_first_in_french_and_month_first_in_english():
    with translation.override("fr"):
        assert formats.parse_date("31/12/2026") == datetime.date(2026, 12, 31)
        assert formats.parse_date("03/04/2026") == datetime.date(2026, 4, 3)
        with pytest.raises(formats.FormatError, match="31/12/2026|23/04/1980"):
            formats.parse_date("12/31/2026")
    with translation.override("en"):
        assert formats.parse_date("12/31/2026") == datetime.date(2026, 12, 31)
        assert formats.parse_date("03/04/2026") == datetime.date(2026, 3, 4)
    for language in ("fr", "en"):
        with translation.override(language):
            assert formats.parse_date("2026-12-31") == datetime.date(2026, 12, 31)


def test_a_two_digit_year_is_ambiguous():
    with translation.override("fr"), pytest.raises(formats.FormatError, match="quatre chiffres"):
        formats.parse_date("31/12/26")


def test_money_is_written_in_the_languages_order():
    with translation.override("fr"):
        assert formats.money(Decimal("1234.56"), "€") == "1\u00a0234,56\u00a0€"
    with translation.override("en"):
        assert formats.money(Decimal("1234.56"), "€") == "€1,234.56"


@pytest.mark.django_db
def test_a_french_user_reads_amounts_numbers_and_dates_in_french(owner_client, owner):
    account = AccountFactory(owner=owner, credit_limit=Decimal("1234.56"), number_of_employees=12500)
    contact = ContactFactory(owner=owner, birthday=datetime.date(1980, 4, 23))
    # The Details tab: every field (the Summary shows only the key ones).
    details = {"tab": "details"}
    text = owner_client.get(account.get_absolute_url(), details, headers=FRENCH).text
    assert "1\u00a0234,56\u00a0€" in text and "12\u00a0500" in text
    assert "23 avril 1980" in owner_client.get(contact.get_absolute_url(), details, headers=FRENCH).text


@pytest.mark.django_db
def test_a_french_user_types_numbers_in_french(owner_client, owner):
    data = {"name": "Dupont SA", "credit_limit": "1 234,56", "number_of_employees": "1\u202f200"}
    response = owner_client.post(reverse("accounts:create"), {**data, "save": "close"}, headers=FRENCH)
    assert response.status_code == 302, response.content
    account = Account.objects.get(name="Dupont SA")
    assert (account.credit_limit, account.number_of_employees) == (Decimal("1234.56"), 1200)
    form = owner_client.get(reverse("accounts:update", args=[account.pk]), headers=FRENCH).text
    assert 'value="1234,56"' in form


@pytest.mark.django_db
def test_an_ambiguous_number_in_a_form_keeps_what_was_typed_and_says_why(owner_client):
    response = owner_client.post(
        reverse("accounts:create"), {"name": "Dupont SA", "annual_revenue": "1.500"}, headers=FRENCH
    )
    assert response.status_code == 200
    assert "« 1.500 » est ambigu" in response.text
    assert 'value="1.500"' in response.text
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_a_french_user_types_dates_in_french_and_a_two_digit_year_is_refused(owner_client):
    from contacts.models import Contact

    typed = {"last_name": "Martin", "birthday": "31/12/1980", "anniversary": "01/02/03"}
    response = owner_client.post(reverse("contacts:create"), typed, headers=FRENCH)
    assert "« 01/02/03 » est ambigu" in response.text and "quatre chiffres" in response.text
    assert not Contact.objects.exists()
    response = owner_client.post(reverse("contacts:create"), {**typed, "anniversary": "2003-02-01"}, headers=FRENCH)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.birthday, contact.anniversary) == (datetime.date(1980, 12, 31), datetime.date(2003, 2, 1))
