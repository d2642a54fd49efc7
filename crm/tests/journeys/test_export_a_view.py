"""Journey 6: export the list being looked at (its view, search and sort) to Excel and to CSV."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts.models import Account
from imports.tests.conftest import grant

pytestmark = pytest.mark.browser


def download(page, link_name: str, folder: Path) -> Path:
    """Click the link and keep the file under the name the browser suggests."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    saved = folder / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    return saved


def test_a_salesperson_exports_a_searched_and_sorted_view_to_excel_and_csv(
    signed_in_page, sales_data, tmp_path, screenshot
):
    page = signed_in_page
    grant(sales_data, "export_account")
    # A city some of Dana's active accounts share with accounts outside her view.
    mine = Account.objects.active().owned_by(sales_data)
    cities = Counter(Account.objects.values_list("address1_city", flat=True)).most_common()
    city = next(city for city, _ in cities if 1 < mine.search(city).count() < Account.objects.search(city).count())
    in_view = mine.search(city)

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    expect(page.get_by_label("View", exact=True)).to_have_value("my_active")
    page.get_by_label("Search this view").fill(city)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Account Number").click()
    page.get_by_role("link", name="Account Number").click()
    expect(page.get_by_role("columnheader", name="Account Number")).to_have_attribute("aria-sort", "descending")
    rows = page.locator("table.crm-list-table tbody tr")
    expect(rows).to_have_count(in_view.count())
    # What the salesperson sees, top to bottom: the files must hold these rows, in this order.
    numbers_on_screen = rows.locator("td:nth-child(3)").all_inner_texts()
    assert sorted(numbers_on_screen, reverse=True) == numbers_on_screen
    assert set(numbers_on_screen) == set(in_view.values_list("account_number", flat=True))
    on_screen = list(zip(numbers_on_screen, rows.locator("td:nth-child(2)").all_inner_texts(), strict=True))
    screenshot("searched-and-sorted-view")

    excel = download(page, "Export to Excel", tmp_path)
    assert re.fullmatch(r"Accounts \d{4}-\d{2}-\d{2}\.xlsx", excel.name)
    sheet = openpyxl.load_workbook(excel, read_only=True).active
    header, *records = [list(row) for row in sheet.iter_rows(values_only=True)]
    number, name = header.index("Account Number"), header.index("Account Name")
    assert [(record[number], record[name]) for record in records] == on_screen

    text = download(page, "Export to CSV", tmp_path)
    assert re.fullmatch(r"Accounts \d{4}-\d{2}-\d{2}\.csv", text.name)
    with text.open(newline="", encoding="utf-8-sig") as file:
        header, *records = list(csv.reader(file))
    assert header[:2] == ["Account Name", "Account Number"]
    assert [(record[1], record[0]) for record in records] == on_screen
    owner_column = header.index("Owner")
    assert {record[owner_column] for record in records} == {sales_data.username}
