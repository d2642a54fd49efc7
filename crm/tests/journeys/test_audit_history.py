"""Journey (issue 17): a Salesperson edits a contact's phone, their manager imports a file
that changes it again, and the Salesperson assigns the contact to the manager; its Audit
History shows the three changes with who, from where and the values, and a Salesperson of
another unit can't read it."""

from __future__ import annotations

import csv
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.models import Contact
from crm.tests.journeys.conftest import PASSWORD
from crm.tests.journeys.test_assign_and_share import sign_in_as
from imports.tests.conftest import grant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_in_tmp")]


def sign_out(page, username: str) -> None:
    page.get_by_role("button", name=f"Account menu for {username}").click()
    page.get_by_role("button", name="Sign out").click()


def test_edit_import_and_assign_show_in_the_audit_history_for_those_who_may_read_it(
    page, sales_data, tmp_path, screenshot, console_errors
):
    from django.contrib.auth import get_user_model

    grant(get_user_model().objects.get(username="mia"), "import_contact")
    sign_in_as(page, "alex", "harbor-alex")
    sitemap = page.get_by_role("navigation", name="Site map")

    # My Active Contacts as it first opens: the first one, edited by hand.
    sitemap.get_by_role("link", name="Contacts").click()
    link = page.locator("table.crm-list-table tbody tr").first.locator("td a").first
    name = link.inner_text()
    contact = Contact.objects.get(pk=int(re.search(r"/contacts/(\d+)/", link.get_attribute("href")).group(1)))
    old_phone = contact.telephone1
    link.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Business Phone").fill("+1 206 555 0111")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_text(f"{name} was saved.")).to_be_visible()

    sign_out(page, "alex")

    # Mia, the Sales Manager of Alex's unit, imports a file that changes the phone again.
    sign_in_as(page, "mia", "harbor-mia")
    spreadsheet = tmp_path / "phones.csv"
    with spreadsheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["First Name", "Last Name", "Email", "Business Phone"])
        writer.writerow([contact.first_name, contact.last_name, contact.emailaddress1, "+1 206 555 0222"])
    sitemap.get_by_role("link", name="Import Data").click()
    page.get_by_label("File").set_input_files(spreadsheet)
    page.get_by_label("Record type").select_option("contact")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Business Phone", exact=True)).to_have_value("telephone1")
    page.get_by_label("Update the existing record").check()
    page.get_by_label("Match existing records on").select_option(label="Email")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    job_heading = page.get_by_role("heading", name="Import of phones.csv")
    expect(job_heading).to_be_visible()
    job_id = int(re.search(r"/(\d+)/", page.url).group(1))
    sign_out(page, "mia")

    sign_in_as(page, "alex", "harbor-alex")

    # Assign it to Mia, the Sales Manager of the same unit.
    sitemap.get_by_role("link", name="Contacts").click()
    page.get_by_label("Search this view").fill(contact.emailaddress1)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_label("Another user").check()
    page.get_by_label("User", exact=True).select_option(label="Mia Manager")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("1 record was assigned to Mia Manager.")).to_be_visible()

    # Alex still reads it (same business unit): its Audit History, newest first.
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Audit History").click()
    expect(page.get_by_role("heading", name="Audit History")).to_be_visible()
    rows = page.locator("table.crm-audit-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Assign")
    expect(rows.nth(0)).to_contain_text("alex")
    expect(rows.nth(0)).to_contain_text("Owner")
    expect(rows.nth(0)).to_contain_text("Alex Teammate")
    expect(rows.nth(0)).to_contain_text("Mia Manager")
    expect(rows.nth(1)).to_contain_text("mia")
    expect(rows.nth(1)).to_contain_text(f"Import · import job {job_id}")
    expect(rows.nth(1)).to_contain_text("+1 206 555 0111")
    expect(rows.nth(1)).to_contain_text("+1 206 555 0222")
    expect(rows.nth(2)).to_contain_text("alex")
    expect(rows.nth(2)).to_contain_text("Form")
    expect(rows.nth(2)).to_contain_text(old_phone)
    expect(rows.nth(2)).to_contain_text("+1 206 555 0111")
    screenshot("audit-history")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("audit-history-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Only the phone changes: filtering by the field leaves the two phone entries.
    page.get_by_label("Field").select_option(label="Business Phone")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    history_url = reverse("audit:history", args=["contacts.contact", contact.pk])
    sign_out(page, "alex")

    # Sol, of Sales South, doesn't see the contact, nor its history even by its address.
    sign_in_as(page, "sol", "harbor-sol")
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Contacts").click()
    page.get_by_label("View", exact=True).select_option(label="Active Contacts")
    page.get_by_label("Search this view").fill(contact.emailaddress1)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    response = page.goto(history_url)
    assert response.status == 404
    # The browser logs that 404, the answer this check expects: not an error of the page.
    assert [line for line in console_errors if "404" not in line] == []
    console_errors.clear()


def test_an_administrator_filters_the_audit_summary_and_exports_it(page, sales_data, screenshot):
    sign_in_as(page, "alex", "harbor-alex")
    sign_out(page, "alex")
    sign_in_as(page, "demo", PASSWORD)  # Dana, a System Administrator
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Audit Summary").click()
    expect(page.get_by_role("heading", name="Audit Summary")).to_be_visible()
    rows = page.locator("table.crm-audit-table tbody tr")
    expect(rows.first).to_be_visible()
    page.get_by_label("Event").select_option(label="Sign-in")
    page.get_by_label("Changed by").select_option(label="alex")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sign-in page")
    screenshot("audit-summary")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("audit-summary-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export to CSV").click()
    download = download_info.value
    assert download.suggested_filename == "Audit Summary.csv"
    with open(download.path(), newline="", encoding="utf-8-sig") as file:
        header, *lines = list(csv.reader(file))
    assert header[:3] == ["Changed date", "Changed by", "Event"]
    assert [line[1:3] for line in lines] == [["alex", "Sign-in"]]
