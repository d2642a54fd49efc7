"""Journey 6: what a new user ran into (issue 11), clicked the way they did: the A-Z bar on the
list as it first opens, Previous / Next record from a plain list, a phone number typed as
people write it, the lists at a laptop's and a phone's width, Recent beside the site map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import Account
from contacts.models import Contact
from imports.tests.conftest import grant

pytestmark = pytest.mark.browser

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def names_in_list(page) -> list[str]:
    return page.locator("tbody td[data-priority='1']").all_inner_texts()


def open_from_site_map(page, area: str) -> None:
    page.get_by_role("navigation", name="Site map").get_by_role("link", name=area).click()
    expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()


def test_a_new_user_jumps_by_letter_steps_through_records_and_types_a_phone_as_usual(
    signed_in_page, sales_data, screenshot
):
    page = signed_in_page
    page.set_viewport_size(LAPTOP)
    mine = list(Account.objects.active().owned_by(sales_data).order_by("name", "id"))

    # The plain path: the list as it first opens (no query string), its first row, then Next.
    open_from_site_map(page, "Accounts")
    assert "?" not in page.url
    page.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mine[0].name)
    page.get_by_role("link", name="Next record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mine[1].name)
    page.get_by_role("link", name="Previous record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mine[0].name)
    page.get_by_role("link", name="Back to list").click()
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()

    # The A-Z bar: a letter shows only names starting with it, and shows as the current one.
    letter = sorted({account.name[0].upper() for account in mine})[1]
    with_letter = [account.name for account in mine if account.name.upper().startswith(letter)]
    jump_bar = page.get_by_role("navigation", name="Jump to letter")
    jump_bar.get_by_role("link", name=letter, exact=True).click()
    expect(jump_bar.get_by_role("link", name=letter, exact=True)).to_have_attribute("aria-current", "true")
    expect(page.locator("tbody td[data-priority='1']")).to_have_count(len(with_letter))
    assert names_in_list(page) == with_letter
    screenshot("accounts-by-letter")
    page.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(with_letter[0])
    if len(with_letter) > 1:
        page.get_by_role("link", name="Next record").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(with_letter[1])

    # A phone number as people write it is kept as typed.
    open_from_site_map(page, "Contacts")
    page.get_by_role("toolbar", name="Commands").get_by_role("link", name="New").click()
    page.get_by_label("First Name").fill("Ana")
    page.get_by_label("Last Name").fill("Lopez")
    page.get_by_label("Business Phone").fill("(555) 010-2030")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lopez")
    expect(page.get_by_role("link", name="(555) 010-2030")).to_have_attribute("href", "tel:5550102030")
    assert Contact.objects.get(full_name="Ana Lopez").telephone1 == "(555) 010-2030"


def fits_without_scrolling(page, selector: str) -> bool:
    return page.locator(selector).evaluate("element => element.scrollWidth <= element.clientWidth + 1")


@pytest.mark.parametrize("area", ["Accounts", "Contacts"])
def test_the_lists_fit_a_laptop_and_a_phone(signed_in_page, sales_data, area):
    # With every command a list can have: the widest command bar.
    grant(sales_data, "export_account", "import_account", "export_contact", "import_contact")
    page = signed_in_page
    DOCS.mkdir(parents=True, exist_ok=True)
    slug = area.lower()

    page.set_viewport_size(LAPTOP)
    open_from_site_map(page, area)
    assert fits_without_scrolling(page, ".table-container")
    commands = page.get_by_role("toolbar", name="Commands")
    expect(commands.get_by_role("link", name="Export to Excel")).to_be_visible()
    expect(commands.get_by_role("button", name="More")).to_be_hidden()
    assert commands.bounding_box()["height"] < 60  # one row
    page.screenshot(path=DOCS / f"{slug}-list-1280.png")

    page.set_viewport_size(PHONE)
    page.reload()
    assert fits_without_scrolling(page, "html")
    # The global search keeps the width to read what is typed.
    assert page.get_by_label("Search all records").bounding_box()["width"] >= 300
    # Rows are cards with 44 px touch targets.
    first_row = page.locator("tbody tr").first
    select_all = page.locator("thead label.crm-hit")
    for target in (select_all, first_row.locator("label.crm-hit"), first_row.get_by_role("link").first):
        box = target.bounding_box()
        assert box["height"] >= 44, target
    expect(commands.get_by_role("button", name="Deactivate")).to_be_hidden()
    page.screenshot(path=DOCS / f"{slug}-list-390.png", full_page=False)
    commands.get_by_role("button", name="More").click()
    expect(commands.get_by_role("button", name="Deactivate")).to_be_visible()
    page.screenshot(path=DOCS / f"{slug}-list-390-more.png")
    page.keyboard.press("Escape")


def test_recent_opens_beside_the_site_map_by_keyboard_and_closes_with_escape(signed_in_page, sales_data, screenshot):
    page = signed_in_page
    page.set_viewport_size(LAPTOP)
    account = Account.objects.active().owned_by(sales_data).order_by("name").first()
    open_from_site_map(page, "Accounts")
    page.get_by_role("table").get_by_role("link", name=account.name, exact=True).click()

    site_map = page.get_by_role("navigation", name="Site map")
    recent = site_map.locator("summary", has_text="Recent")
    recent.focus()
    page.keyboard.press("Enter")
    expect(recent).to_have_attribute("aria-controls", "recent-flyout-panel")
    panel = page.locator("#recent-flyout-panel")
    expect(panel.get_by_role("link", name=re.compile(re.escape(account.name)))).to_be_visible()
    # Beside the site map, not inside it: Accounts and Contacts stay where they were.
    assert panel.bounding_box()["x"] >= site_map.bounding_box()["x"] + site_map.bounding_box()["width"] - 1
    expect(site_map.get_by_role("link", name="Contacts")).to_be_in_viewport()
    screenshot("recent-flyout")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(recent).to_be_focused()
