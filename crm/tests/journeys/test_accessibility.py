"""axe-core on the shell, a list, a record and a form: nothing serious or critical."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.models import Account
from contacts.models import Contact

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def pages_to_check(user) -> dict[str, str]:
    account = Account.objects.active().owned_by(user).order_by("name").first()
    contact = Contact.objects.active().owned_by(user).order_by("full_name").first()
    return {
        "home": "/",
        "accounts list": "/accounts/",
        "contacts list": "/contacts/?view=active",
        "account detail": account.get_absolute_url(),
        "contact detail": contact.get_absolute_url(),
        "new account form": "/accounts/new/",
        "account form with errors": None,
        "new contact form": "/contacts/new/",
    }


def test_the_shell_lists_records_and_forms_have_no_serious_accessibility_problems(
    signed_in_page, sales_data, screenshot
):
    page = signed_in_page
    problems = {}
    for name, url in pages_to_check(sales_data).items():
        if url is None:
            # The same form after a failed save: error messages must be accessible too.
            page.goto("/accounts/new/")
            page.get_by_role("button", name="Save", exact=True).click()
            page.get_by_role("alert").wait_for()
        else:
            page.goto(url)
        found = blocking_violations(page)
        if found:
            problems[name] = found
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())


def test_the_sign_in_page_has_no_serious_accessibility_problems(page, live_server):
    page.goto("/sign-in/")
    assert blocking_violations(page) == []
