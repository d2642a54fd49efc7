"""Journey 5: import a spreadsheet through the admin and through Import Data, then find the records."""

from __future__ import annotations

import csv
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts.models import Account
from contacts.models import Contact
from imports.tests.conftest import grant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_in_tmp")]


def search_this_view(page, term: str) -> None:
    page.get_by_label("Search this view").fill(term)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q="))


def test_a_staff_user_imports_accounts_through_the_admin_and_finds_them_in_the_list(
    signed_in_page, sales_data, tmp_path, screenshot
):
    page = signed_in_page
    sales_data.is_staff = True
    sales_data.save(update_fields=["is_staff"])
    grant(sales_data, "import_account", "view_account", "add_account", "change_account")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Account Name", "Account Number", "Main Phone", "Address 1: City", "Owner"])
    workbook.active.append(["Fjordline Shipping", "IMP-0001", "+47 55 00 00 01", "Bergen", "demo"])
    workbook.active.append(["Fjordkraft Marine", "IMP-0002", "+47 55 00 00 02", "Ålesund", "demo"])
    spreadsheet = tmp_path / "new accounts.xlsx"
    workbook.save(spreadsheet)

    page.goto("/admin/")
    page.get_by_role("row", name="Accounts").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File to import").set_input_files(spreadsheet)
    page.get_by_label("Format").select_option(label="xlsx")
    screenshot("admin-import-upload")
    page.get_by_role("button", name="Submit").click()

    preview = page.get_by_role("table").filter(has_text="Fjordline Shipping")
    expect(preview).to_contain_text("Fjordkraft Marine")
    expect(preview.get_by_text("New", exact=True)).to_have_count(2)
    screenshot("admin-import-preview")
    assert not Account.objects.filter(account_number__startswith="IMP-").exists()

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text(re.compile(r"Import finished: 2 new"))).to_be_visible()
    screenshot("admin-import-finished")

    page.goto("/accounts/")
    search_this_view(page, "Fjord")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Fjordline Shipping", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="Fjordkraft Marine", exact=True)).to_be_visible()
    expect(page.get_by_text("2 records", exact=True)).to_be_visible()
    screenshot("imported-accounts-in-the-list")
    table.get_by_role("link", name="Fjordkraft Marine", exact=True).click()
    expect(page.get_by_text("Ålesund", exact=True).first).to_be_visible()


def test_a_salesperson_imports_contacts_on_the_import_data_page_and_downloads_the_failed_rows(
    signed_in_page, sales_data, tmp_path, screenshot
):
    page = signed_in_page
    grant(sales_data, "import_contact")
    company = Account.objects.active().owned_by(sales_data).order_by("name").first()
    unknown_company = ["Ida", "Quarles", "ida.quarles@leads.example", "No Such Company", "", "Dinner"]
    spreadsheet = tmp_path / "trade show leads.csv"
    with spreadsheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["First Name", "Last Name", "E-mail", "Company Name", "Cell", "Met at"])
        writer.writerow(["Zoë", "Quiroga", "zoe.quiroga@leads.example", company.name, "+1 206 555 0101", "Booth 4"])
        writer.writerow(["Björn", "Quist", "bjorn.quist@leads.example", company.name, "+1 206 555 0102", "Booth 4"])
        writer.writerow(unknown_company)
        writer.writerow(["Mo", "Quade", "mo.quade@leads.example", "", "+1 206 555 0104", "Booth 9"])

    # The Site map shows Import Data from the next page on, now that Dana may import.
    page.reload()
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Import Data").click()
    expect(page.get_by_role("heading", name="Import Data", exact=True)).to_be_visible()
    page.get_by_label("File").set_input_files(spreadsheet)
    expect(page.get_by_label("Record type")).to_have_value("")
    screenshot("import-data-upload")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Map the columns of trade show leads.csv")).to_be_visible()
    # Headings that are a field's label or a common alias map by themselves; the others wait.
    expect(page.get_by_label("Record type")).to_have_value("contact")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("emailaddress1")
    expect(page.get_by_label("Company Name", exact=True)).to_have_value("company")
    expect(page.get_by_label("Cell", exact=True)).to_have_value("")
    not_mapped = page.get_by_text("Not mapped", exact=True).filter(visible=True)
    expect(not_mapped).to_have_count(2)
    page.get_by_label("Cell", exact=True).select_option(label="Mobile Phone")
    expect(not_mapped).to_have_count(1)
    screenshot("import-data-mapping")
    page.get_by_label("Update the existing record").check()
    page.get_by_label("Match existing records on").select_option(label="Email")
    expect(page.get_by_label("Owner of new records").locator("option:checked")).to_have_text("Dana Reyes")
    page.get_by_role("button", name="Import", exact=True).scroll_into_view_if_needed()
    screenshot("import-data-options")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Import of trade show leads.csv")).to_be_visible()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    counts = page.locator("dl.crm-import-counts")
    for label, count in {"Created": "3", "Updated": "0", "Skipped": "0", "Failed": "1"}.items():
        expect(counts.locator("div").filter(has=page.get_by_text(label, exact=True)).locator("dd")).to_have_text(count)
    failed = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Reason"))
    expect(failed.get_by_role("row")).to_have_count(2)
    expect(failed.get_by_role("row").nth(1)).to_contain_text("4")
    expect(failed.get_by_role("row").nth(1)).to_contain_text("No Such Company")
    screenshot("import-data-job")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download failed rows").click()
    download = download_info.value
    assert download.suggested_filename == "trade show leads - failed rows.csv"
    with open(download.path(), newline="", encoding="utf-8-sig") as file:
        header, *rows = list(csv.reader(file))
    assert header == ["First Name", "Last Name", "E-mail", "Company Name", "Cell", "Met at", "Error"]
    assert [row[:6] for row in rows] == [
        ["Ida", "Quarles", "ida.quarles@leads.example", "No Such Company", "", "Dinner"]
    ]
    assert rows[0][6].startswith("Line 4: ")

    page.get_by_role("link", name="Open contacts").click()
    search_this_view(page, "Qu")
    table = page.get_by_role("table")
    for name in ("Zoë Quiroga", "Björn Quist", "Mo Quade"):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="Ida Quarles", exact=True)).to_have_count(0)
    screenshot("imported-contacts-in-the-list")
    zoe = Contact.objects.get(emailaddress1="zoe.quiroga@leads.example")
    assert (zoe.mobile_phone, zoe.company, zoe.owner) == ("+1 206 555 0101", company, sales_data)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_salesperson_imports_activities_and_finds_one_on_the_contact_timeline(
    signed_in_page, sales_data, tmp_path, screenshot, width
):
    """Issue 18: activities import like contacts; the row names its contact by email."""
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": 900})
    grant(sales_data, "import_contact")
    contact = Contact.objects.active().owned_by(sales_data).exclude(emailaddress1="").order_by("full_name").first()
    spreadsheet = tmp_path / "calls from the old system.csv"
    with spreadsheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Activity type", "Subject", "Due", "Regarding contact", "Description"])
        writer.writerow(["Phone call", "Asked about the spring catalogue", "", contact.emailaddress1, "Call back"])
        writer.writerow(["Task", "Send the spring catalogue", "2026-12-01 09:00", contact.emailaddress1, ""])
        writer.writerow(["Task", "Lost row", "", "nobody@nowhere.example", ""])

    # From Home, Tools > Import Data (the site map is behind its button on a phone).
    page.reload()
    if width < 700:
        page.get_by_role("button", name="Show site map").click()
    # (On a phone the site map opens as a dialog; its label stays.)
    page.get_by_label("Site map", exact=True).get_by_role("link", name="Import Data").click()
    page.get_by_label("File").set_input_files(spreadsheet)
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_label("Record type")).to_have_value("activity")
    expect(page.get_by_label("Regarding contact", exact=True)).to_have_value("regarding_contact")
    expect(page.get_by_label("Description", exact=True)).to_have_value("body")
    screenshot(f"activities-mapping-{width}")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    counts = page.locator("dl.crm-import-counts")
    for label, count in {"Created": "2", "Failed": "1"}.items():
        expect(counts.locator("div").filter(has=page.get_by_text(label, exact=True)).locator("dd")).to_have_text(count)
    expect(page.get_by_role("table").filter(has_text="nobody@nowhere.example")).to_contain_text("no contact has")
    screenshot(f"activities-job-{width}")

    # The contact's page, by clicking: its timeline shows the imported call and task.
    if width < 700:
        page.get_by_role("button", name="Show site map").click()
    page.get_by_label("Site map", exact=True).get_by_role("link", name="Contacts").click()
    search_this_view(page, contact.emailaddress1)
    page.get_by_role("table").get_by_role("link", name=contact.full_name, exact=True).first.click()
    timeline = page.locator("#timeline")
    expect(timeline.locator("li", has_text="Asked about the spring catalogue")).to_be_visible()
    expect(timeline.locator("li", has_text="Send the spring catalogue")).to_be_visible()
    screenshot(f"activities-on-the-timeline-{width}")
