"""Lookup columns sort by a copy of the linked record's name, kept true by every save."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from contacts.models import Contact
from crm import services
from crm.tests.factories import AccountFactory, ContactFactory
from crm.tests.recent_helpers import writes

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
    services.record_update(record=company, loaded_version=company.version, by=owner)
    contact.last_name = "Byron"
    services.record_save(record=contact, update_fields=["last_name"])
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
    Contact.objects.bulk_create(
        [Contact(last_name="Bulk", full_name="Bulk", owner=owner, company=company, business_unit=company.business_unit)]
    )
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


@pytest.mark.parametrize(
    ("factory", "url_name"), [(AccountFactory, "accounts:list"), (ContactFactory, "contacts:list")]
)
def test_lists_sort_a_renamed_owner_by_the_new_name(owner_client, owner, teammate, factory, url_name):
    factory(owner=owner)
    factory(owner=teammate)
    owner.first_name, owner.last_name = "Zara", "Zimmer"
    owner.save()
    response = owner_client.get(reverse(url_name), {"view": "active", "sort": "owner"})
    assert [row.get_cell("owner") for row in response.context["table"].rows] == ["Tom Mate", "Zara Zimmer"]


def test_a_new_user_name_is_copied_when_the_user_has_no_full_name(teammate):
    teammate.first_name = teammate.last_name = ""
    teammate.save()
    account, contact = AccountFactory(owner=teammate), ContactFactory(owner=teammate)
    teammate.username = "tmate"
    teammate.save(update_fields=["username"])
    assert Account.objects.get(pk=account.pk).owner_name == "tmate"
    assert Contact.objects.get(pk=contact.pk).owner_name == "tmate"


def test_a_rename_updates_each_table_once_and_leaves_other_owners_alone(owner, teammate):
    AccountFactory.create_batch(3, owner=owner)
    ContactFactory.create_batch(3, owner=owner)
    others = AccountFactory(owner=teammate)
    owner.last_name = "Owens"
    with CaptureQueriesContext(connection) as captured:
        owner.save()
    record_updates = [sql for sql in writes(captured) if "accounts_account" in sql or "contacts_contact" in sql]
    assert len(record_updates) == 2
    assert set(Account.objects.filter(owner=owner).values_list("owner_name", flat=True)) == {"Olivia Owens"}
    assert set(Contact.objects.filter(owner=owner).values_list("owner_name", flat=True)) == {"Olivia Owens"}
    assert Account.objects.get(pk=others.pk).owner_name == "Tom Mate"


def test_saving_a_user_without_renaming_writes_no_record(owner):
    AccountFactory(owner=owner)
    owner.email = "olivia@example.com"
    with CaptureQueriesContext(connection) as captured:
        owner.save()
    assert [sql for sql in writes(captured) if "accounts_account" in sql] == []


def test_a_sign_in_costs_no_extra_query_for_the_name_copies(owner):
    owner.last_login = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        owner.save(update_fields=["last_login"])
    assert len(captured) == 1


def test_a_rename_in_the_admin_reaches_the_linked_rows_copies(owner):
    from django.contrib import admin

    company = AccountFactory(name="Northwind", owner=owner)
    contact = ContactFactory(company=company, owner=owner)
    company.name = "Southwind"
    request = RequestFactory().post("/admin/")
    request.user = owner
    admin.site._registry[Account].save_model(request=request, obj=company, form=None, change=True)
    contact.refresh_from_db()
    assert contact.company_name == "Southwind"
