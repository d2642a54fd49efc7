"""Journey (issue 18): a busy account's timeline pages by "Show more" and filters in place: the
script fetches the timeline alone, so the lines already read stay and the page doesn't jump.
Reloading keeps the filter (the address follows it)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from activities.models import Activity, Kind, State
from crm.tests.journeys.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_account(sales_data):
    """Dana's first account in name order, with 24 notes and 3 open tasks over the last days."""
    account = Account.objects.active().filter(owner=sales_data).order_by("name", "id").first()
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            kind=Kind.TASK if number % 9 == 0 else Kind.NOTE,
            subject=f"Follow-up {number}" if number % 9 == 0 else "",
            body=f"Note number {number}",
            state=State.OPEN if number % 9 == 0 else State.COMPLETED,
            regarding_account=account,
            rollup_account=account,
            owner=sales_data,
            occurred_at=now - datetime.timedelta(hours=number),
        )
        for number in range(27)
    )
    return account


def test_a_long_timeline_shows_more_and_filters_without_leaving_the_page(page, busy_account, sales_data, screenshot):
    sign_in(page, sales_data.username)
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name=busy_account.name, exact=True).first.click()
    timeline = page.locator("#timeline")
    lines = timeline.locator(".crm-timeline-entries > li")
    expect(lines).to_have_count(20)
    page.evaluate("window.stillTheSamePage = true")

    timeline.get_by_role("link", name="Show more").click()
    expect(lines).to_have_count(27)
    expect(timeline.get_by_role("link", name="Show more")).to_have_count(0)
    expect(lines.first).to_contain_text("Follow-up 0")  # the first lines stayed
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot("timeline-show-more")

    # Picking a type filters at once, in place; the address follows, so a reload keeps it.
    page.get_by_label("Activity type").focus()  # as when tabbed to or clicked
    page.get_by_label("Activity type").select_option(label="Task")
    expect(lines).to_have_count(3)
    expect(page.get_by_label("Activity type")).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True
    assert "kind=task" in page.url
    page.reload()
    expect(lines).to_have_count(3)
    expect(page.get_by_label("Activity type")).to_have_value("task")

    # Status and search through the Apply button, the same way.
    page.get_by_label("Activity type").select_option(label="All types")
    expect(lines).to_have_count(20)
    page.get_by_label("Search the timeline").fill("number 26")
    page.get_by_role("button", name="Apply").click()
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Note number 26")
    page.set_viewport_size({"width": 390, "height": 844})
    timeline.scroll_into_view_if_needed()
    screenshot("timeline-search-phone")
