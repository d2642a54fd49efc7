from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as raised:
        record.full_clean()
    return raised.value.message_dict


def test_an_account_needs_a_name(owner):
    account = AccountFactory.build(name="", owner=owner)
    assert "name" in errors_of(account)


def test_the_name_is_at_most_160_characters(owner):
    assert "name" in errors_of(AccountFactory.build(name="x" * 161, owner=owner))
    AccountFactory.build(name="x" * 160, owner=owner).full_clean()


@pytest.mark.parametrize(
    "phone",
    [
        "+1 (425) 555-0100",
        "+33 1 42 68 53 00",
        "555.0100 ext. 12",
        "0800/123 456",
        "425-555-0100 x12",
        "(555) 010-2030",
        "(0)20 7946 0958",
        "+44 (0)20 7946 0958",
    ],
)
def test_real_world_phone_numbers_are_accepted(owner, phone):
    AccountFactory.build(telephone1=phone, owner=owner).full_clean()


@pytest.mark.parametrize(
    "phone", ["call me", "12", "+1 425 555 0100; drop table", "++1 425", "(((-)))", "555-CALL-NOW", "(12)"]
)
def test_junk_phone_numbers_are_refused_with_an_example(owner, phone):
    message = errors_of(AccountFactory.build(telephone1=phone, owner=owner))["telephone1"][0]
    assert "e.g. (555) 010-2030" in message


def test_email_and_website_must_be_well_formed(owner):
    errors = errors_of(AccountFactory.build(emailaddress1="not-an-email", website="not a url", owner=owner))
    assert set(errors) == {"emailaddress1", "website"}


def test_money_and_counts_cannot_be_negative(owner):
    account = AccountFactory.build(credit_limit=Decimal("-1"), number_of_employees=None, owner=owner)
    assert "credit_limit" in errors_of(account)


def test_choices_only_take_their_values(owner):
    assert "industry" in errors_of(AccountFactory.build(industry="astrology", owner=owner))


def test_an_account_cannot_be_its_own_parent(owner):
    account = AccountFactory(owner=owner)
    account.parent = account
    assert errors_of(account)["parent"] == ["An account can't be its own parent."]


def test_a_parent_cannot_be_one_of_its_own_descendants(owner):
    top = AccountFactory(name="Top", owner=owner)
    middle = AccountFactory(name="Middle", parent=top, owner=owner)
    bottom = AccountFactory(name="Bottom", parent=middle, owner=owner)
    top.parent = bottom
    assert "already below this account" in errors_of(top)["parent"][0]


def test_a_valid_hierarchy_is_accepted(owner):
    top = AccountFactory(owner=owner)
    child = AccountFactory(owner=owner)
    child.parent = top
    child.full_clean()
