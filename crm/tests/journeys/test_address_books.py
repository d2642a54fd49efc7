"""Journey of issue 21: a salesperson imports their Outlook contacts (recognised as such),
opens one, and downloads its vCard to put the customer in their phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from addressbooks.tests.conftest import FIXTURES
from contacts.models import Contact
from imports.tests.conftest import grant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_in_tmp")]


def test_outlook_contacts_are_imported_then_one_is_downloaded_as_a_vcard(
    signed_in_page, sales_data, tmp_path, screenshot
):
    page = signed_in_page
    grant(sales_data, "import_contact", "export_contact", "add_account")
    page.reload()
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_role("toolbar", name="Commands").get_by_role("link", name="Import Data").click()
    page.get_by_label("File").set_input_files(FIXTURES / "outlook_en.csv")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Recognised: Outlook contacts export")).to_be_visible()
    expect(page.get_by_label("Record type")).to_have_value("contact")
    expect(page.get_by_label("Business Street", exact=True)).to_have_value("address1_line1")
    expect(page.get_by_label("Notes", exact=True)).to_have_value("description")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("outlook-recognised-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("outlook-recognised-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Create the companies that don't exist yet").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    counts = page.locator("dl.crm-import-counts")
    expect(counts.locator("div").filter(has=page.get_by_text("Created", exact=True)).locator("dd")).to_have_text("2")
    screenshot("outlook-imported")

    page.get_by_role("link", name="Open contacts").click()
    page.get_by_label("Search this view").fill("Müller")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=re.compile("Zoë Ann Müller")).click()
    expect(page.get_by_role("heading", name="Zoë Ann Müller Jr.")).to_be_visible()
    expect(page.get_by_text("Head Buyer")).to_be_visible()
    screenshot("contact-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("contact-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download vCard").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "Zoë Ann Müller Jr..vcf"
    card = saved.read_bytes().decode()
    zoe = Contact.objects.get(emailaddress1="zoe.muller@contoso.com")
    assert "N:Müller;Zoë;Ann;Mrs.;Jr.\r\n" in card and "ORG:Contoso Ltd;Purchasing\r\n" in card
    assert f"BDAY:{zoe.birthday.isoformat()}\r\n" in card and "TEL;TYPE=CELL:+1 425 555 0102\r\n" in card
