"""Journey: a Salesperson gives an account to their team and shares a contact with a colleague
of another business unit, who then sees it; "Why can I see this?" explains both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from contacts.models import Contact

pytestmark = pytest.mark.browser


def sign_in_as(page, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("^Welcome")).wait_for()


def test_a_salesperson_assigns_to_a_team_and_shares_with_a_colleague_who_then_sees_it(page, sales_data, screenshot):
    sign_in_as(page, "alex", "harbor-alex")
    sitemap = page.get_by_role("navigation", name="Site map")

    # My Active Accounts, as the list first opens: tick the first account and assign it.
    sitemap.get_by_role("link", name="Accounts").click()
    first_row = page.locator("table.crm-list-table tbody tr").first
    account_name = first_row.locator("td a").first.inner_text()
    first_row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_label("A team").check()
    page.get_by_label("Team", exact=True).select_option(label="North Key Accounts")
    page.get_by_label("None of its contacts").check()
    screenshot("assign-to-a-team")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("1 record was assigned to North Key Accounts.")).to_be_visible()
    account = Account.objects.get(name=account_name, owner_team__name="North Key Accounts")

    # The account no longer is "mine", but the team's: its page says why Alex still sees it.
    sitemap.get_by_role("link", name="Accounts").click()
    page.get_by_label("View", exact=True).select_option(label="Active Accounts")
    expect(page).to_have_url(re.compile(r"view=active"))
    page.get_by_label("Search this view").fill(account_name)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=account_name).first.click()
    expect(page.get_by_text("Owner: North Key Accounts")).to_be_visible()
    page.get_by_role("link", name="Why can I see this?").click()
    expect(page.get_by_text("member of the owning team North Key Accounts").first).to_be_visible()
    screenshot("why-team")

    # Share one of Alex's contacts with Sol, a Salesperson of Sales South.
    sitemap.get_by_role("link", name="Contacts").click()
    contact_link = page.locator("table.crm-list-table tbody tr").first.locator("td a").first
    contact_name = contact_link.inner_text()
    contact_link.click()
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_label("User", exact=True).select_option(label="Sol South")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text(f"{contact_name} is shared with Sol South.")).to_be_visible()
    expect(page.get_by_role("button", name="Stop sharing with Sol South")).to_be_visible()
    screenshot("shared-with")
    page.get_by_role("button", name="Account menu for alex").click()
    page.get_by_role("button", name="Sign out").click()

    # Sol finds it among the active contacts, and is told why.
    sign_in_as(page, "sol", "harbor-sol")
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Contacts").click()
    page.get_by_label("View", exact=True).select_option(label="Active Contacts")
    rows = page.locator("table.crm-list-table tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=contact_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contact_name)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    page.get_by_role("link", name="Why can I see this?").click()
    expect(page.get_by_text("shared with them or their team")).to_be_visible()
    screenshot("why-shared")
    assert Contact.objects.filter(full_name=contact_name, owner__username="alex").exists()
    assert account.business_unit.name == "Sales North"
