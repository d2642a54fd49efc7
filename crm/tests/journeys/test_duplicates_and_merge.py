"""Journey: a duplicate is caught before it is saved; two contacts are merged, keeping the
email of one and the phone of the other; Undo merge brings both back exactly."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates import services

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def default_rules(transactional_db):
    """The rules migration 0002 ships (an earlier journey's flush removed them)."""
    from duplicates.defaults import ensure_default_rules

    ensure_default_rules()


def test_typing_a_company_that_exists_warns_before_saving(signed_in_page, sales_data, screenshot):
    page = signed_in_page
    AccountFactory(name="Contoso Ltd.", owner=sales_data)
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    page.get_by_role("toolbar", name="Commands").get_by_role("link", name="New").click()
    page.get_by_label("Account Name").fill("contoso")
    page.get_by_label("Main Phone").fill("+1 425 555 0123")
    page.get_by_role("button", name="Save", exact=True).click()

    warning = page.locator("#possible-duplicates")
    expect(warning.get_by_role("heading", name="Possible duplicates found")).to_be_visible()
    expect(warning.get_by_role("link", name="Contoso Ltd.")).to_be_visible()
    expect(page.get_by_label("Main Phone")).to_have_value("+1 425 555 0123")
    assert not Account.objects.filter(name="contoso").exists()
    screenshot("possible-duplicates-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("possible-duplicates-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    warning.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("contoso was created.")).to_be_visible()
    assert Account.objects.filter(name="contoso").exists()


def test_two_contacts_are_merged_and_the_merge_undone(signed_in_page, sales_data, screenshot):
    page = signed_in_page
    kept = ContactFactory(
        first_name="Aaliyah", last_name="Aabel", emailaddress1="aaliyah@contoso.com", telephone1="", owner=sales_data
    )
    other = ContactFactory(
        first_name="Aaliyah",
        last_name="Aabel",
        emailaddress1="a.aabel@old.example",
        telephone1="+1 206 555 0177",
        owner=sales_data,
    )
    before = {record.pk: services.snapshot(Contact.objects.get(pk=record.pk)) for record in (kept, other)}

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Contacts").click()
    for record in (kept, other):
        page.get_by_role("row").filter(has_text=record.emailaddress1).get_by_role("checkbox").check()
    page.get_by_role("toolbar", name="Commands").get_by_role("button", name="Merge").click()
    expect(page.get_by_role("heading", name="Merge contacts")).to_be_visible()
    screenshot("merge-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("merge-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The first ticked is the master; keep its email, and the other's phone (its own is empty).
    expect(page.get_by_role("radio", name="aaliyah@contoso.com")).to_be_checked()
    expect(page.get_by_role("radio", name="+1 206 555 0177")).to_be_checked()
    page.get_by_role("toolbar", name="Commands").get_by_role("button", name="Merge").click()
    expect(page.get_by_text("Aaliyah Aabel was merged into Aaliyah Aabel.")).to_be_visible()
    master = Contact.objects.get(pk=kept.pk)
    assert (master.emailaddress1, master.telephone1) == ("aaliyah@contoso.com", "+1 206 555 0177")
    assert Contact.objects.get(pk=other.pk).merged_into_id == kept.pk
    screenshot("merged")

    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    for record in Contact.objects.filter(pk__in=before):
        after = services.snapshot(record)
        for name in ("version", "modified_on", "modified_by_id"):
            after.pop(name), before[record.pk].pop(name)
        assert after == before[record.pk]


def test_an_administrator_disables_a_rule(signed_in_page, screenshot):
    page = signed_in_page
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Duplicate detection rules").click()
    rule = page.get_by_role("row").filter(has_text="Accounts with the same account name")
    expect(rule).to_contain_text("Account Name: Exact match")
    screenshot("rules-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("rules-390")
    # Each rule a card on a phone: nothing sideways, the commands within reach.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "[...document.querySelectorAll('.crm-panel button')].every(b => b.getBoundingClientRect().right <= innerWidth)"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    rule.get_by_role("button", name="Disable Accounts with the same account name").click()
    expect(page.get_by_text("The rule “Accounts with the same account name” is disabled.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Accounts with the same account name")).to_contain_text("Disabled")


def test_detect_duplicates_over_a_view_then_merge_a_group(signed_in_page, sales_data, screenshot):
    page = signed_in_page
    first = AccountFactory(name="Contoso Ltd.", owner=sales_data, telephone1="+1 425 555 0100")
    second = AccountFactory(name="contoso, Limited", owner=sales_data, telephone1="")

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    page.get_by_role("button", name="Detect duplicates").click()
    expect(page.get_by_role("heading", name="Detect duplicate accounts")).to_be_visible()
    expect(page.get_by_label("The list I came from: My Active Accounts")).to_be_checked()
    expect(page.get_by_text("Accounts with the same account name")).to_be_visible()
    screenshot("detect-offer-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("detect-offer-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Start detection").click()
    expect(page.get_by_role("heading", name="Duplicate accounts")).to_be_visible()
    expect(page.get_by_text("Completed")).to_be_visible()
    group = page.locator("form.crm-panel").filter(has=page.get_by_role("link", name="Contoso Ltd."))
    expect(group.get_by_role("link", name="contoso, Limited")).to_be_visible()
    screenshot("detect-result-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("detect-result-390")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    group.get_by_role("button", name="Merge the two selected").click()
    expect(page.get_by_role("heading", name="Merge accounts")).to_be_visible()
    page.get_by_role("toolbar", name="Commands").get_by_role("button", name="Merge").click()
    expect(page.get_by_text("contoso, Limited was merged into Contoso Ltd.. You can undo")).to_be_visible()
    assert Account.objects.get(pk=second.pk).merged_into_id == first.pk

    # The results again, from the list: the group says it is done.
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    page.get_by_role("button", name="Detect duplicates").click()
    page.get_by_role("link", name="My Active Accounts").click()
    group = page.locator("form.crm-panel").filter(has=page.get_by_role("link", name="Contoso Ltd."))
    expect(group.get_by_text("Merged")).to_be_visible()
    expect(group.get_by_text("Nothing left to merge in this group.")).to_be_visible()

    # Rows ticked on the list: only they are compared.
    third = AccountFactory(name="Fabrikam Inc", owner=sales_data)
    fourth = AccountFactory(name="FABRIKAM", owner=sales_data)
    AccountFactory(name="Fabrikam, Limited", owner=sales_data)  # not ticked
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    for record in (third, fourth):
        page.get_by_role("row").filter(has=page.get_by_role("link", name=record.name, exact=True)).get_by_role(
            "checkbox"
        ).check()
    page.get_by_role("button", name="Detect duplicates").click()
    expect(page.get_by_label("The rows I selected: 2 selected accounts")).to_be_checked()
    page.get_by_role("button", name="Start detection").click()
    expect(page.get_by_text("Completed")).to_be_visible()
    group = page.locator("form.crm-panel").filter(has=page.get_by_role("link", name="Fabrikam Inc"))
    expect(group.get_by_role("link", name="FABRIKAM", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Fabrikam, Limited")).to_have_count(0)
