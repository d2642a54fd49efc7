"""Journeys of issue 20: a Mac Roman file read right once its encoding is picked; an import
whose worker died, shown stopped at its count, resumed, then removed with its records."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from imports import entities, services
from imports.models import ImportJob
from imports.tests.conftest import grant
from imports.tests.crashes import on_dead_worker, run_until_killed
from imports.tests.files import csv_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_in_tmp")]


def open_import_data(page) -> None:
    page.reload()
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Import Data").click()
    expect(page.get_by_role("heading", name="Import Data", exact=True)).to_be_visible()


def test_a_mac_roman_file_is_read_right_once_its_encoding_is_picked(signed_in_page, sales_data, tmp_path, screenshot):
    page = signed_in_page
    grant(sales_data, "import_account")
    spreadsheet = tmp_path / "accounts from an old mac.csv"
    spreadsheet.write_bytes(
        csv_bytes([["Account Name", "Address 1: City"], ["Société Générale Océan", "Orléans"]], encoding="mac-roman")
    )
    open_import_data(page)
    page.get_by_label("File").set_input_files(spreadsheet)
    page.get_by_role("button", name="Next").click()

    preview = page.get_by_role("table", name="First rows of your file")
    expect(page.get_by_label("Encoding")).to_have_value("cp1252")
    expect(preview).to_contain_text("SociŽtŽ")
    screenshot("encoding-detected")
    page.get_by_label("Encoding").select_option(label="Mac Roman")
    expect(preview).to_contain_text("Société Générale Océan")
    expect(page.get_by_label("Encoding")).to_have_value("mac-roman")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("encoding-picked-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("encoding-picked-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Update the existing record").check()
    page.get_by_label("Match existing records on").select_option(label="Account Name")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    assert Account.objects.filter(name="Société Générale Océan", address1_city="Orléans").exists()


def killed_import(importer, monkeypatch) -> ImportJob:
    """250 accounts, 100 a chunk; the worker dies in the third chunk, its heartbeat stops."""
    rows = [["Account Name"], *[[f"Resumed {number:03d}"] for number in range(250)]]

    def start_import() -> None:
        [job] = services.import_jobs_create(
            upload=upload("big accounts.csv", csv_bytes(rows)), entity="account", by=importer
        )
        services.import_job_submit(
            job=job,
            entity=entities.get("account"),
            mapping=job.mapping,
            duplicates="create",
            match_key="name",
            record_owner=importer,
        )

    job = run_until_killed(monkeypatch, start_import, chunk_size=100, dies_in_chunk=3)
    on_dead_worker(job)
    return job


def test_an_import_whose_worker_died_is_resumed_then_removed_with_its_records(
    signed_in_page, sales_data, monkeypatch, screenshot
):
    page = signed_in_page
    grant(sales_data, "import_account")
    killed_import(sales_data, monkeypatch)
    assert Account.objects.filter(name__startswith="Resumed").count() == 200

    open_import_data(page)
    page.get_by_role("link", name="Import history").first.click()
    page.get_by_role("link", name="big accounts.csv").click()
    expect(page.locator("[data-job-field=status_label]")).to_have_text("Failed")
    expect(page.get_by_text(re.compile("its background worker is no longer running"))).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "80")
    expect(page.get_by_text(re.compile(r"200\s*/\s*250"))).to_be_visible()
    screenshot("import-stopped")

    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    counts = page.locator("dl.crm-import-counts")
    expect(counts.locator("div").filter(has=page.get_by_text("Created", exact=True)).locator("dd")).to_have_text("250")
    assert Account.objects.filter(name__startswith="Resumed").count() == 250
    screenshot("import-resumed")

    page.get_by_role("link", name="Remove import").click()
    page.get_by_label(re.compile("Also delete the 250 records")).check()
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page.get_by_text("The import was removed, with 250 records it created.")).to_be_visible()
    expect(page.locator("[data-job-field=status_label]")).to_have_text("Removed")
    assert not Account.objects.filter(name__startswith="Resumed").exists()
    screenshot("import-removed")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("import-removed-390")
