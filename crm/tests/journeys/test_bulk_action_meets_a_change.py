"""Journey: a bulk action whose records someone changes while its confirmation is open
changes nothing until the user has seen the records as they are now."""

from __future__ import annotations

import pytest
from django.db.models import F
from playwright.sync_api import expect

from accounts.models import Account

pytestmark = pytest.mark.browser


def test_a_deactivation_stops_when_a_record_changed_after_the_confirmation_was_shown(
    signed_in_page, sales_data, screenshot
):
    page = signed_in_page
    page.get_by_role("navigation", name="Site map").get_by_role("link", name="Accounts").click()
    first, second = Account.objects.active().owned_by(sales_data).order_by("name", "id")[:2]
    page.get_by_label(f"Select {first.name}").check()
    page.get_by_label(f"Select {second.name}").check()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate these 2 accounts?")).to_be_visible()

    # Meanwhile a teammate renames one of them.
    Account.objects.filter(pk=second.pk).update(name=f"{second.name} (renamed)", version=F("version") + 1)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed: 1 of these records was changed")
    expect(page.get_by_text(f"{second.name} (renamed)")).to_be_visible()
    assert Account.objects.filter(pk__in=[first.pk, second.pk], status="active").count() == 2
    screenshot("bulk-refused")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("bulk-refused-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Having seen the records as they are now, the user confirms again.
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("2 records were deactivated.")).to_be_visible()
    assert Account.objects.filter(pk__in=[first.pk, second.pk], status="inactive").count() == 2
