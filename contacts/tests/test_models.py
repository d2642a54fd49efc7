from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_the_full_name_is_built_from_the_name_parts_and_stored(owner):
    contact = ContactFactory(first_name="Anne", middle_name="", last_name="Dubois", suffix="Jr.", owner=owner)
    contact.refresh_from_db()
    assert contact.full_name == "Anne Dubois Jr."


def test_the_full_name_follows_an_edit_of_the_last_name(owner):
    contact = ContactFactory(first_name="Anne", last_name="Dubois", owner=owner)
    contact.last_name = "Martin"
    contact.save(update_fields=["last_name"])
    contact.refresh_from_db()
    assert contact.full_name == "Anne Martin"


def test_a_contact_needs_a_last_name(owner):
    with pytest.raises(ValidationError) as raised:
        ContactFactory.build(last_name="", owner=owner).full_clean()
    assert "last_name" in raised.value.message_dict


def test_the_manager_must_work_at_the_same_company(owner):
    manager = ContactFactory(company=AccountFactory(owner=owner), owner=owner)
    report = ContactFactory.build(company=AccountFactory(owner=owner), manager=manager, owner=owner)
    with pytest.raises(ValidationError) as raised:
        report.full_clean()
    assert raised.value.message_dict["manager"] == ["The manager must work at the same company as the contact."]


def test_a_contact_cannot_manage_themselves(owner):
    contact = ContactFactory(owner=owner)
    contact.manager = contact
    with pytest.raises(ValidationError) as raised:
        contact.full_clean()
    assert "manager" in raised.value.message_dict


def test_a_manager_at_the_same_company_is_accepted(owner):
    company = AccountFactory(owner=owner)
    manager = ContactFactory(company=company, owner=owner)
    ContactFactory.build(company=company, manager=manager, owner=owner).full_clean()


def test_a_manager_cannot_report_to_their_own_report(owner):
    company = AccountFactory(owner=owner)
    boss = ContactFactory(company=company, owner=owner)
    report = ContactFactory(company=company, manager=boss, owner=owner)
    boss.manager = report
    with pytest.raises(ValidationError) as raised:
        boss.full_clean()
    assert "already reports to this contact" in raised.value.message_dict["manager"][0]
