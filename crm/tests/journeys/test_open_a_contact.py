"""Journey 3: open Contacts, click a contact's name, read their details and company."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contacts.models import Contact

pytestmark = pytest.mark.browser


def test_a_salesperson_opens_a_contact_and_sees_their_details_and_company(signed_in_page, sales_data, screenshot):
    page = signed_in_page
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    expect(page.get_by_label("View", exact=True)).to_have_value("my_active")
    screenshot("my-active-contacts")

    mine = Contact.objects.active().owned_by(sales_data).select_related("company")
    contact = mine.order_by("full_name", "id").first()
    page.get_by_role("table").get_by_role("link", name=contact.full_name, exact=True).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(contact.full_name)
    for value in (contact.job_title, contact.emailaddress1, contact.mobile_phone):
        expect(page.get_by_text(value, exact=True).first).to_be_visible()
    company_panel = page.locator("section").filter(has=page.get_by_role("heading", name="Company", exact=True))
    expect(company_panel.get_by_role("link", name=contact.company.name)).to_be_visible()
    screenshot("contact-detail")

    company_panel.get_by_role("link", name=contact.company.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contact.company.name)
    expect(page.get_by_role("link", name=contact.full_name, exact=True)).to_be_visible()
