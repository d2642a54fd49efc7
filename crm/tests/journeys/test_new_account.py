"""Journey 2: create an account with the field guides' help, recover from a mistake, edit it,
deactivate it (read-only), reactivate it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account

pytestmark = pytest.mark.browser

TYPED = {
    "Account Number": "HV-2041",
    "Main Phone": "+1 206 555 0142",
    "Address 1: City": "Seattle",
    "Description": "Freight forwarder; renewing its fleet contract in Q3.",
}


def test_a_salesperson_creates_edits_deactivates_and_reactivates_an_account(signed_in_page, screenshot):
    page = signed_in_page
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    page.get_by_role("toolbar", name="Commands").get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New account")).to_be_visible()

    # Field guides: hovering a field, or reaching it with the keyboard, shows what it is for.
    name = page.get_by_label("Account Name")
    name.hover()
    expect(page.get_by_role("tooltip")).to_have_text("The company's name as people know it. Required.")
    screenshot("new-account-field-guide-on-hover")
    page.mouse.move(0, 0)
    expect(page.get_by_role("tooltip")).to_have_count(0)
    page.get_by_label("Main Phone").focus()
    expect(page.get_by_role("tooltip")).to_have_text("The company's main phone number.")
    # The guide never replaces the field's name for screen readers, and stays its description.
    expect(name).to_have_accessible_name("Account Name*")
    expect(name).to_have_accessible_description("The company's name as people know it. Required.")

    for label, value in TYPED.items():
        page.get_by_label(label, exact=label == "Description").fill(value)
    page.get_by_label("Industry").select_option(label="Transportation")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved yet")
    expect(summary).to_contain_text("Account Name: This field is required.")
    screenshot("new-account-error-summary")
    summary.get_by_role("link", name="Account Name").click()
    expect(page.get_by_label("Account Name")).to_be_focused()
    # ... and the field it jumps to shows below the sticky top bar, with its label.
    top_bar = page.get_by_role("banner").bounding_box()
    label = page.locator("label").filter(has_text="Account Name").bounding_box()
    assert label["y"] >= top_bar["y"] + top_bar["height"]
    for label, value in TYPED.items():
        expect(page.get_by_label(label, exact=label == "Description")).to_have_value(value)
    expect(page.get_by_label("Industry")).to_have_value("transportation")
    assert not Account.objects.filter(account_number="HV-2041").exists()
    page.mouse.move(0, 0)
    screenshot("new-account-missing-name")

    page.get_by_label("Account Name").fill("Harborview Logistics")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Harborview Logistics was created.")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit Harborview Logistics")).to_be_visible()
    account = Account.objects.get(name="Harborview Logistics")
    assert account.owner.first_name == "Dana"
    assert account.industry == "transportation"

    page.get_by_label("Main Phone").fill("+1 206 555 0199")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_text("Harborview Logistics was saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harborview Logistics")
    expect(page.get_by_text("+1 206 555 0199")).to_be_visible()
    screenshot("account-saved")

    commands = page.get_by_role("toolbar", name="Commands")
    commands.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate this record?")).to_be_visible()
    expect(page.get_by_text("Inactive accounts are read-only")).to_be_visible()
    screenshot("deactivate-confirmation")
    page.get_by_role("button", name="Deactivate").click()

    expect(page.get_by_text("1 record was deactivated.")).to_be_visible()
    expect(page.get_by_text("This record is inactive and read-only.")).to_be_visible()
    expect(commands.get_by_role("link", name="Edit")).to_have_count(0)
    # Even straight to the edit address (an old bookmark), an inactive record is read-only.
    page.goto(f"/accounts/{account.pk}/edit/")
    expect(page).to_have_url(re.compile(rf"/accounts/{account.pk}/$"))
    expect(
        page.get_by_role("status").filter(has_text="Harborview Logistics is inactive, so it is read-only.")
    ).to_contain_text("Activate it to edit it.")
    screenshot("inactive-account-is-read-only")

    commands.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Activate this record?")).to_be_visible()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("1 record was activated.")).to_be_visible()
    expect(page.get_by_text("This record is inactive and read-only.")).to_have_count(0)
    commands.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Harborview Logistics")).to_be_visible()
    expect(page.get_by_label("Main Phone")).to_have_value("+1 206 555 0199")
