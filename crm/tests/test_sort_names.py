"""Lookup columns sort by a copy of the linked record's name, kept true by every save."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_a_saved_record_copies_its_owner_and_linked_names(owner):
    company = AccountFactory(name="Northwind", owner=owner)
    contact = ContactFactory(first_name="Ada", last_name="Lovelace", company=company, owner=owner)
    company.primary_contact = contact
    company.save(update_fields=["primary_contact"])
    company.refresh_from_db()
    contact.refresh_from_db()
    assert (company.owner_name, company.primary_contact_name) == ("Olivia Owner", "Ada Lovelace")
    assert (contact.owner_name, contact.company_name) == ("Olivia Owner", "Northwind")


def test_renaming_keeps_the_copies_on_linked_records_in_step(owner):
    company = AccountFactory(name="Northwind", owner=owner)
    contact = ContactFactory(first_name="Ada", last_name="Lovelace", company=company, owner=owner)
    company.primary_contact = contact
    company.save()
    company.name = "Southwind"
    company.save(update_fields=["name"])
    contact.last_name = "Byron"
    contact.save(update_fields=["last_name"])
    assert Contact.objects.get(pk=contact.pk).company_name == "Southwind"
    assert Account.objects.get(pk=company.pk).primary_contact_name == "Ada Byron"


def test_deleting_the_primary_contact_clears_its_copied_name(owner):
    contact = ContactFactory(owner=owner)
    company = AccountFactory(owner=owner, primary_contact=contact)
    contact.delete()
    company.refresh_from_db()
    assert company.primary_contact_id is None and company.primary_contact_name == ""


def test_bulk_written_rows_get_their_names_in_one_update(owner):
    company = AccountFactory(name="Fabrikam", owner=owner)
    Contact.objects.bulk_create([Contact(last_name="Bulk", full_name="Bulk", owner=owner, company=company)])
    assert Contact.objects.get(last_name="Bulk").company_name == ""
    Contact.objects.filter(last_name="Bulk").refresh_sort_names()
    assert Contact.objects.get(last_name="Bulk").company_name == "Fabrikam"


def test_sorting_contacts_by_company_orders_by_its_name(owner_client, owner):
    for name in ("Bravo", "Alpha", "Charlie"):
        ContactFactory(last_name=name, company=AccountFactory(name=name, owner=owner), owner=owner)
    response = owner_client.get(reverse("contacts:list") + "?view=active&sort=-company")
    rows = response.context["table"].page.object_list
    assert [row.record.company.name for row in rows] == ["Charlie", "Bravo", "Alpha"]


def test_the_migration_fills_the_copies_of_existing_rows(owner):
    from django.apps import apps

    from crm.migration_operations import copy_sort_names

    company = AccountFactory(name="Tailspin", owner=owner)
    contact = ContactFactory(company=company, owner=owner)
    Contact.objects.filter(pk=contact.pk).update(company_name="", owner_name="")
    copies = {"owner_name": ("owner", "person_name"), "company_name": ("company", "name")}
    copy_sort_names("contacts.Contact", copies).code(apps, None)
    assert Contact.objects.filter(pk=contact.pk).values_list("owner_name", "company_name").get() == (
        "Olivia Owner",
        "Tailspin",
    )


def test_a_user_without_a_full_name_is_sorted_by_user_name(teammate):
    teammate.first_name = teammate.last_name = ""
    teammate.save()
    account = AccountFactory(owner=teammate)
    Account.objects.filter(pk=account.pk).update(owner_name="")
    Account.objects.filter(pk=account.pk).refresh_sort_names()
    assert Account.objects.get(pk=account.pk).owner_name == "teammate"
