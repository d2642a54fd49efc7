"""The admin's import and export: own permissions, our headers and lookups, safe exports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from accounts.resources import ACCOUNT
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(owner):
    owner.is_staff = True
    owner.save()
    return grant(owner, "view_contact", "add_contact", "change_contact", "view_account")


def admin_import(client, data: bytes, name="people.csv", format_index=0):
    response = client.post(
        reverse("admin:contacts_contact_import"),
        {"resource": 0, "format": format_index, "import_file": upload(name, data)},
    )
    return response


def test_a_staff_user_without_the_import_permission_is_refused(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:contacts_contact_import")).status_code == 403
    assert client.get(reverse("admin:contacts_contact_export")).status_code == 403


def test_a_staff_user_with_the_import_permission_imports_through_preview_and_confirm(client, staff):
    AccountFactory(name="Contoso")
    ContactFactory(emailaddress1="ana@x.com", first_name="Old", last_name="Lopez")
    user = grant(staff, "import_contact")
    client.force_login(user)
    rows = [
        ["first name", "lastname", "Email", "Company Name", "Role"],
        ["Ana", "Lopez", "ana@x.com", "contoso", "decision maker"],
        ["Bo", "Li", "bo@x.com", "Contoso", "employee"],
    ]
    preview = admin_import(client, csv_bytes(rows))
    assert preview.status_code == 200
    assert not preview.context.get("result").has_errors(), preview.context["result"].invalid_rows
    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:contacts_contact_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Contact.objects.count() == 2
    ana = Contact.objects.get(emailaddress1="ana@x.com")
    assert (ana.full_name, ana.role, ana.company.name, ana.version) == ("Ana Lopez", "decision_maker", "Contoso", 2)
    bo = Contact.objects.get(emailaddress1="bo@x.com")
    assert bo.owner == user and bo.created_by == user


def test_the_admin_import_reports_an_unknown_company_on_its_row(client, staff):
    client.force_login(grant(staff, "import_contact"))
    preview = admin_import(client, csv_bytes([["Last Name", "Company Name"], ["Li", "Nowhere"]]))
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "no account has the account name or account number “Nowhere”" in preview.content.decode()
    assert not Contact.objects.exists()


def test_the_admin_import_keeps_a_phone_number_as_typed(client, staff):
    client.force_login(grant(staff, "import_contact"))
    preview = admin_import(client, csv_bytes([["Last Name", "Business Phone"], ["Li", "(555) 010-2030"]]))
    assert not preview.context["result"].has_validation_errors(), preview.context["result"].invalid_rows
    client.post(reverse("admin:contacts_contact_process_import"), preview.context["confirm_form"].initial)
    assert Contact.objects.get().telephone1 == "(555) 010-2030"


def test_the_admin_export_neutralises_formulas_and_uses_the_labels(client, staff):
    ContactFactory(first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)", telephone1="+1 555 0100")
    client.force_login(grant(staff, "export_contact"))
    response = client.post(
        reverse("admin:contacts_contact_export"),
        {
            "resource": 0,
            "format": 0,
            **{f"contactresource_{name}": "on" for name in ("first_name", "last_name", "telephone1")},
        },
    )
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "First Name,Last Name,Business Phone,(Do Not Modify) Contact ID"
    assert "'=HYPERLINK" in body and "'@SUM(A1)" in body and "'+1 555 0100" in body


def test_an_account_export_from_the_admin_imports_back_unchanged(client, staff):
    AccountFactory(name="-Minus Corp", industry="legal_services", credit_limit="1500.50", address1_latitude="-33.5")
    user = grant(staff, "export_account", "import_account", "add_account", "change_account")
    client.force_login(user)
    selected = {f"accountresource_{name}": "on" for name in ACCOUNT.field_names}
    exported = client.post(reverse("admin:accounts_account_export"), {"resource": 0, "format": 0, **selected})
    assert exported["Content-Type"].startswith("text/csv")
    before = list(Account.objects.values())
    preview = client.post(
        reverse("admin:accounts_account_import"),
        {"resource": 0, "format": 0, "import_file": upload("a.csv", exported.content)},
    )
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert [row.import_type for row in result.rows] == ["skip"]
    assert list(Account.objects.values()) == before


def test_the_admin_import_preview_shows_values_as_they_will_be_stored_without_inline_styles(client, staff):
    client.force_login(grant(staff, "import_contact"))
    preview = admin_import(client, csv_bytes([["Last Name", "Business Phone"], ["Li", "+47 55 00 00 01"]]))
    html = preview.content.decode()
    # The strict CSP refuses style attributes: the browser would report each one and drop it.
    assert "<ins>+47 55 00 00 01</ins>" in html
    assert "'+47" not in html
    assert ' style="' not in html


def test_admin_pages_carry_the_crm_icon_and_the_admin_stylesheet(client, staff):
    client.force_login(staff)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'href="/static/crm/favicon.svg"' in html
    assert 'href="/static/crm/admin.css"' in html


def test_the_admin_re_imports_its_own_export_when_two_accounts_share_a_name(client, staff):
    AccountFactory(name="Contoso")
    second = AccountFactory(name="Contoso")
    ContactFactory(last_name="Li", emailaddress1="", company=second)
    client.force_login(grant(staff, "export_contact", "import_contact"))
    # The fields a person ticks; the record's ID goes with them all the same.
    ticked = {f"contactresource_{name}": "on" for name in ("first_name", "last_name", "emailaddress1", "company")}
    exported = client.post(reverse("admin:contacts_contact_export"), {"resource": 0, "format": 0, **ticked})
    assert exported.content.decode("utf-8-sig").splitlines()[0].endswith("(Do Not Modify) Contact ID")
    preview = admin_import(client, exported.content)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert [row.import_type for row in result.rows] == ["skip"]
    response = client.post(reverse("admin:contacts_contact_process_import"), preview.context["confirm_form"].initial)
    assert response.status_code == 302
    assert list(Contact.objects.values_list("last_name", "company")) == [("Li", second.pk)]


def test_the_admin_import_reports_and_skips_possible_duplicates_like_import_data(client, staff):
    existing = ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="")
    user = grant(staff, "import_contact")
    client.force_login(user)
    rows = [
        ["first name", "lastname", "Email"],
        ["ana", "LOPEZ", "ana.lopez@x.com"],  # like the existing contact
        ["Bo", "Li", "bo@x.com"],
        ["Bo", "Li", "bo.li@y.com"],  # like the row before
    ]
    preview = admin_import(client, csv_bytes(rows))
    warning = " ".join(str(message) for message in preview.context["messages"])
    assert f"row 1 is like {existing.full_name}: will be skipped" in warning
    assert "row 3 is like row 2 of the file: will be skipped" in warning
    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:contacts_contact_process_import"), confirm.initial, follow=True)
    assert response.status_code == 200
    assert set(Contact.objects.values_list("emailaddress1", flat=True)) == {"", "bo@x.com"}
    assert "row 1 is like Ana Lopez: skipped" in " ".join(str(m) for m in response.context["messages"])


def test_the_admin_import_creates_possible_duplicates_when_allowed_and_lists_them(client, staff):
    ContactFactory(first_name="Ana", last_name="Lopez", emailaddress1="")
    user = grant(staff, "import_contact")
    client.force_login(user)
    rows = [["first name", "lastname", "Email"], ["ana", "LOPEZ", "ana.lopez@x.com"]]
    response = client.post(
        reverse("admin:contacts_contact_import"),
        {"resource": 0, "format": 0, "import_file": upload("people.csv", csv_bytes(rows)), "allow_duplicates": "on"},
    )
    warning = " ".join(str(message) for message in response.context["messages"])
    assert "row 1 is like Ana Lopez." in warning
    confirm = response.context["confirm_form"]
    assert confirm.initial["allow_duplicates"] is True
    client.post(reverse("admin:contacts_contact_process_import"), confirm.initial)
    assert Contact.objects.filter(emailaddress1="ana.lopez@x.com").exists()
