"""Journey 1: sign in, open Sales > Accounts, switch view, search, sort, page on, open an account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from crm.tests.journeys.conftest import PASSWORD

pytestmark = pytest.mark.browser


def rows(page):
    return page.locator("table.crm-list-table tbody tr")


def first_names(page, count: int = 5) -> list[str]:
    return rows(page).locator("td:nth-child(2)").all_inner_texts()[:count]


def test_a_salesperson_finds_an_account_by_view_search_sort_and_page(page, sales_data, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot("sign-in")
    page.get_by_label("Username").fill(sales_data.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
    screenshot("home")

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    view_picker = page.get_by_label("View", exact=True)
    expect(view_picker).to_have_value("my_active")
    mine = Account.objects.active().owned_by(sales_data)
    expect(page.get_by_text(f"{mine.count()} records")).to_be_visible()
    screenshot("my-active-accounts")

    # The view picker submits itself (crm.js): no button to find.
    view_picker.select_option(label="Inactive Accounts")
    expect(page).to_have_url(re.compile(r"view=inactive"))
    inactive_names = sorted(Account.objects.inactive().values_list("name", flat=True))
    assert len(inactive_names) == 3
    assert first_names(page) == inactive_names
    screenshot("inactive-accounts")

    page.get_by_label("View", exact=True).select_option(label="Active Accounts")
    expect(page).to_have_url(re.compile(r"view=active"))
    expect(page.get_by_text(f"{Account.objects.active().count()} records")).to_be_visible()

    term = Account.objects.active().values_list("address1_city", flat=True).order_by("name").first()
    page.get_by_label("Search this view").fill(term)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q="))
    found = Account.objects.active().search(term)
    expect(rows(page)).to_have_count(min(found.count(), 50))
    expect(page.get_by_label("View", exact=True)).to_have_value("active")
    screenshot("search-results")

    page.get_by_label("Search this view").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    numbers = Account.objects.active().order_by("account_number").values_list("account_number", flat=True)
    page.get_by_role("link", name="Account Number").click()
    expect(page.get_by_role("columnheader", name="Account Number")).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).first.locator("td:nth-child(3)")).to_have_text(numbers.first())
    page.get_by_role("link", name="Account Number").click()
    expect(page.get_by_role("columnheader", name="Account Number")).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first.locator("td:nth-child(3)")).to_have_text(numbers.last())
    screenshot("sorted-by-number-descending")

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
    expect(rows(page).first.locator("td:nth-child(3)")).to_have_text(numbers.reverse()[50])
    expect(page.get_by_role("columnheader", name="Account Number")).to_have_attribute("aria-sort", "descending")
    screenshot("accounts-page-2")

    chosen = rows(page).first.locator("td:nth-child(2) a")
    name = chosen.inner_text()
    chosen.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    account = Account.objects.get(name=name)
    expect(page.get_by_text(account.account_number, exact=True)).to_be_visible()
    # Opened from the list, the record remembers it: back to the same page, sort and view.
    expect(page.get_by_role("link", name="Back to list")).to_have_attribute("href", re.compile(r"sort=-account_number"))
    screenshot("account-detail")
