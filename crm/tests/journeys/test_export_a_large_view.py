"""Journey: a view too large to stream is exported by the background worker, with a progress
page and a download link."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts.models import Account
from crm.tests.journeys.test_accessibility import blocking_violations
from imports.tests.conftest import grant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_in_tmp")]


def test_a_salesperson_exports_a_large_view_to_excel_in_the_background(
    signed_in_page, sales_data, settings, tmp_path, screenshot
):
    page = signed_in_page
    grant(sales_data, "export_account")
    mine = list(Account.objects.active().owned_by(sales_data).order_by("name", "id").values_list("name", flat=True))
    settings.EXPORT_STREAM_MAX_ROWS = 10  # Dana's view holds more
    assert len(mine) > 10

    # The plain path: the list as it first opens (My Active Accounts), then Export to Excel.
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    expect(page.get_by_label("View", exact=True)).to_have_value("my_active")
    page.get_by_role("link", name="Export to Excel").click()
    expect(page.get_by_role("heading", name="Export accounts to Excel")).to_be_visible()
    expect(page.get_by_text("This view holds more than 10 records")).to_be_visible()
    screenshot("offer")
    assert blocking_violations(page) == []

    page.get_by_role("button", name="Prepare the Excel file").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Export Accounts \d{4}-\d{2}-\d{2}\.xlsx$"))).to_be_visible()
    expect(page.get_by_text("Ready to download")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "100")
    screenshot("ready")
    assert blocking_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("ready-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download Accounts")).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert re.fullmatch(r"Accounts \d{4}-\d{2}-\d{2}\.xlsx", saved.name)
    header, *rows = [
        list(row) for row in openpyxl.load_workbook(saved, read_only=True).active.iter_rows(values_only=True)
    ]
    assert [row[header.index("Account Name")] for row in rows] == mine
