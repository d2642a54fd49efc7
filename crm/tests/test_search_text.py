"""Quick find: the term anywhere in a record's search text, in either case, field by field."""

from __future__ import annotations

import pytest

from accounts.models import Account
from contacts.models import Contact
from crm import services
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def account_names(term: str) -> list[str]:
    return list(Account.objects.search(term).values_list("name", flat=True))


@pytest.mark.parametrize(
    "term", ["fabrikam", "FABRIKAM", "ACC-77", "sales@fabrikam", "555-0199", "rotterdam", "  fabrikam  "]
)
def test_an_account_is_found_by_any_of_its_quick_find_fields_in_either_case(term):
    AccountFactory(
        name="Fabrikam Inc",
        account_number="ACC-7788",
        emailaddress1="sales@fabrikam.example.com",
        telephone1="+31 555-0199",
        address1_city="Rotterdam",
    )
    AccountFactory(name="Other")
    assert account_names(term) == ["Fabrikam Inc"]


def test_a_term_never_matches_across_two_fields():
    AccountFactory(name="North", account_number="Wind")
    assert account_names("north") == ["North"]
    assert account_names("northwind") == []
    assert account_names("north wind") == []


def test_wildcards_in_the_term_are_plain_characters():
    AccountFactory(name="100% Juice")
    AccountFactory(name="1000 Juices")
    AccountFactory(name="snake_case Ltd")
    AccountFactory(name="snakeXcase Ltd")
    assert account_names("100%") == ["100% Juice"]
    assert account_names("snake_case") == ["snake_case Ltd"]


def test_an_empty_term_keeps_every_row():
    AccountFactory.create_batch(2)
    assert Account.objects.search("   ").count() == 2


def test_a_contact_is_found_by_its_company_name_also_after_the_company_is_renamed():
    company = AccountFactory(name="Litware")
    ContactFactory(first_name="Ann", last_name="Lee", company=company)
    assert list(Contact.objects.search("litware").values_list("full_name", flat=True)) == ["Ann Lee"]
    company.name = "Proseware"
    services.record_save(record=company)
    assert list(Contact.objects.search("proseware").values_list("full_name", flat=True)) == ["Ann Lee"]
    assert not Contact.objects.search("litware").exists()


def test_a_contact_is_found_by_name_email_and_phones():
    ContactFactory(
        first_name="Zoë", last_name="Brandt", emailaddress1="zb@example.org", telephone1="0101", mobile_phone="0707"
    )
    for term in ("zoë brandt", "ZB@EXAMPLE", "0101", "0707"):
        assert Contact.objects.search(term).count() == 1, term


def test_a_field_is_matched_whole_in_either_case_and_only_that_field():
    AccountFactory(name="Rotterdam Freight", address1_city="Delft")
    in_rotterdam = AccountFactory(name="Delft Tiles", address1_city="Rotterdam")
    named_delft = Account.objects.where_text_is("name", "DELFT TILES")
    assert list(named_delft) == [in_rotterdam]
    assert not Account.objects.where_text_is("name", "Rotterdam").exists()
    assert list(Account.objects.where_text_is("address1_city", "rotterdam")) == [in_rotterdam]


def test_names_starting_with_a_text_leave_out_other_fields():
    AccountFactory(name="Contoso Bank", emailaddress1="a@example.com")
    AccountFactory(name="Bank of Fabrikam", emailaddress1="contoso@example.com")
    names = Account.objects.named_starting_with("contoso").values_list("name", flat=True)
    assert list(names) == ["Contoso Bank"]
