"""Journey 4: Recent and Pinned bring back what a salesperson opened, on any browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from contacts.models import Contact

from .conftest import ARTIFACTS, VIEWPORT, sign_in

pytestmark = pytest.mark.browser


def recent_names(page) -> list[str]:
    flyout = page.locator("#recent-flyout")
    if not flyout.evaluate("element => element.open"):
        flyout.locator("summary").click()
    # Each link reads "Account: <name>" to a screen reader; the type is visually hidden.
    return [text.split(":", 1)[-1].strip() for text in flyout.locator(".crm-recent-link").all_inner_texts()]


def test_recent_lists_what_was_opened_newest_first_and_a_pin_follows_the_user(
    signed_in_page, sales_data, browser, live_server, screenshot
):
    page = signed_in_page
    accounts = list(Account.objects.active().owned_by(sales_data).order_by("name")[:3])
    contacts = list(Contact.objects.active().owned_by(sales_data).order_by("full_name")[:2])
    opened = [*accounts, *contacts]
    for record in opened:
        page.goto(record.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(str(record))

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Recent records")).to_be_visible()
    expected = [str(record) for record in reversed(opened)]
    assert recent_names(page) == expected
    screenshot("recent-newest-first")

    # Pin the second account from its own page; without a page jump, it shows as pinned.
    page.goto(accounts[1].get_absolute_url())
    # On its own page the account already heads Recent, though the visit is written after it.
    expect(page.locator("#recent-flyout .crm-recent-link").first).to_have_attribute("title", accounts[1].name)
    page.get_by_role("button", name=f"Pin {accounts[1].name}").first.click()
    expect(page.get_by_role("button", name=f"Unpin {accounts[1].name}").first).to_be_visible()
    pinned = page.locator("details").filter(has=page.locator("summary", has_text="Pinned"))
    pinned.locator("summary").click()
    expect(pinned.get_by_role("link", name=accounts[1].name)).to_be_visible()
    screenshot("pinned-account")

    # Sign out, then in again from another browser: both lists are still there.
    page.get_by_role("button", name="Account menu for demo").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    other = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    try:
        elsewhere = other.new_page()
        sign_in(elsewhere, sales_data.username)
        # Pinning moved the second account from Recent to Pinned; the rest keep their order.
        assert recent_names(elsewhere) == [name for name in expected if name != accounts[1].name]
        other_pinned = elsewhere.locator("details").filter(has=elsewhere.locator("summary", has_text="Pinned"))
        other_pinned.locator("summary").click()
        expect(other_pinned.get_by_role("link", name=accounts[1].name)).to_be_visible()
        elsewhere.screenshot(path=ARTIFACTS / "recent_other_browser.png")
    finally:
        other.close()
