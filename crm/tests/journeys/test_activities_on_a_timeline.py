"""Journey (issue 18's "done when"): Alex opens a contact, logs a call, adds a note with a PDF,
plans a meeting with two attendees and a follow-up task, completes the task; the account's
timeline shows all of it with the contact's name, by date too; the account's Details tab; from
Home, Quick Create's activity kinds and the export of My Completed Activities; Sol, of another
business unit, sees none of it."""

from __future__ import annotations

import csv
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from activities.models import Activity
from crm.tests.journeys.test_assign_and_share import sign_in_as
from imports.tests.conftest import grant

pytestmark = pytest.mark.browser


def test_a_salesperson_logs_the_work_done_with_a_contact_on_its_timeline(
    page, sales_data, screenshot, media_in_tmp, tmp_path
):
    sign_in_as(page, "alex", "harbor-alex")
    sitemap = page.get_by_role("navigation", name="Site map")

    # My Active Contacts, as the list first opens: open the first contact.
    sitemap.get_by_role("link", name="Contacts").click()
    contact_link = page.locator("table.crm-list-table tbody tr").first.locator("td a").first
    contact_name = contact_link.inner_text()
    contact_link.click()
    timeline = page.locator("#timeline")

    # Log a call: the number is prefilled, the direction is outgoing.
    timeline.get_by_role("link", name="+ Phone call").click()
    expect(page.get_by_label("Outgoing")).to_be_checked()
    page.get_by_label("Call notes").fill("Asked for a quote for 40 seats.")
    page.get_by_label("Duration (minutes)").fill("12")
    screenshot("log-a-call")
    timeline.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Phone call added.")).to_be_visible()

    # A note with a PDF.
    pdf = tmp_path / "quote-request.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    timeline.get_by_role("link", name="+ Note").click()
    page.get_by_label("Note", exact=True).fill("They want the quote before Friday.")
    page.get_by_label("Attachments").set_input_files(str(pdf))
    timeline.get_by_role("button", name="Save").click()
    expect(timeline.get_by_role("link", name="quote-request.pdf")).to_be_visible()

    # A meeting with two attendees: the end before the start is refused, nothing typed is lost.
    timeline.get_by_role("link", name="+ Appointment").click()
    page.get_by_label("Subject").fill("Quote walkthrough")
    page.get_by_label("Start").fill("2030-05-06T10:00")
    page.get_by_label(re.compile(r"^\s*End\b")).fill("2030-05-06T09:00")
    page.get_by_label("Location").fill("Their office")
    required = page.get_by_role("group", name="Required attendees")
    required.get_by_label(contact_name).check()
    required.get_by_label("Mia Manager").check()
    timeline.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The end must be after the start.")).to_be_visible()
    expect(page.get_by_label("Location")).to_have_value("Their office")
    screenshot("end-before-start-refused")
    page.get_by_label(re.compile(r"^\s*End\b")).fill("2030-05-06T11:00")
    timeline.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Appointment added.")).to_be_visible()
    expect(timeline.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()

    # A follow-up task, then completed.
    timeline.get_by_role("link", name="+ Task").click()
    page.get_by_label("Subject").fill("Send the quote")
    page.get_by_label("Due").fill("2030-05-07T09:00")
    timeline.get_by_role("button", name="Save").click()
    entry = timeline.locator("li", has_text="Send the quote")
    entry.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Send the quote is completed.")).to_be_visible()
    screenshot("contact-timeline")

    # The account's timeline shows all of it, each labelled with the contact.
    page.locator(".crm-page-header").get_by_role("link").first.click()
    account_timeline = page.locator("#timeline")
    for subject in ("Call with", "They want the quote", "Quote walkthrough", "Send the quote"):
        expect(account_timeline.locator("li", has_text=subject).first).to_contain_text(contact_name)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("account-timeline")
    page.set_viewport_size({"width": 390, "height": 844})
    account_timeline.scroll_into_view_if_needed()
    screenshot("account-timeline-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert Activity.objects.filter(regarding_contact__full_name=contact_name).count() == 4

    # The timeline by date: all four are from the last 7 days; none between two old dates.
    filters = page.get_by_role("form", name="Filter the timeline")
    filters.get_by_label("Date", exact=True).select_option(label="Last 7 days")
    filters.get_by_role("button", name="Apply").click()
    expect(account_timeline.locator("li", has_text="Quote walkthrough")).to_be_visible()
    filters.get_by_label("Date", exact=True).select_option(label="Between dates")
    filters.get_by_label("From").fill("2001-01-01")
    filters.get_by_label("To", exact=True).fill("2001-01-31")
    filters.get_by_role("button", name="Apply").click()
    expect(account_timeline.get_by_text("No activities match these filters.")).to_be_visible()
    screenshot("timeline-between-dates")

    # Details: every section, the empty fields folded away; Summary again.
    page.get_by_role("navigation", name="Record tabs").get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="Record information")).to_be_visible()
    expect(page.locator("#timeline")).to_have_count(0)
    screenshot("account-details")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("account-details-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Record tabs").get_by_role("link", name="Summary").click()
    expect(page.locator("#timeline")).to_be_visible()

    # From Home: Quick Create offers the activity kinds; My Activities exports its view.
    grant(get_user_model().objects.get(username="alex"), "export_account", "export_contact")
    sitemap.get_by_role("link", name="Home").click()
    page.get_by_role("button", name="Quick create").click()
    page.get_by_role("link", name="Phone call").click()
    expect(page.get_by_label("Activity type")).to_have_value("phone_call")
    sitemap.get_by_role("link", name="Activities").click()
    page.get_by_label("View", exact=True).select_option(label="My Completed Activities")
    expect(page.get_by_role("link", name="Send the quote")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export to CSV").click()
    exported = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(exported)
    with exported.open(newline="", encoding="utf-8-sig") as file:
        header, *rows = list(csv.reader(file))
    subjects = {row[header.index("Subject")]: row for row in rows}
    assert subjects["Send the quote"][header.index("Regarding contact")] == contact_name

    page.get_by_role("button", name="Account menu for alex").click()
    page.get_by_role("button", name="Sign out").click()

    # Sol, of Sales South, finds none of it: not the contact, not its activities.
    sign_in_as(page, "sol", "harbor-sol")
    expect(page.get_by_text("Quote walkthrough")).to_have_count(0)
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Activities").click()
    expect(page.get_by_text("No activities in this view.")).to_be_visible()
    page.get_by_label("Search all records").fill(contact_name)
    page.get_by_label("Search all records").press("Enter")
    expect(page.get_by_role("link", name=contact_name)).to_have_count(0)
    screenshot("colleague-sees-nothing")
