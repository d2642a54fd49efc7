"""axe-core on the shell, a list, a record and a form: nothing serious or critical."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.models import Account
from contacts.models import Contact
from contacts.resources import CONTACT
from imports import services
from imports.models import ImportJob
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, upload

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


def problems_on(page, pages: dict[str, str | None], submit_empty: tuple[str, str]) -> str:
    """Blocking violations per page, readable; a None URL is the `submit_empty` form
    (URL, button name) sent empty, as error messages must be accessible too."""
    problems = {}
    for name, url in pages.items():
        if url is None:
            form_url, button = submit_empty
            page.goto(form_url)
            page.get_by_role("button", name=button, exact=True).click()
            page.get_by_role("alert").first.wait_for()
        else:
            page.goto(url)
        found = blocking_violations(page)
        if found:
            problems[name] = found
    return "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())


def test_the_shell_lists_records_and_forms_have_no_serious_accessibility_problems(
    signed_in_page, sales_data, screenshot
):
    problems = problems_on(signed_in_page, pages_to_check(sales_data), submit_empty=("/accounts/new/", "Save"))
    assert not problems, problems


def import_jobs(user) -> tuple[ImportJob, ImportJob]:
    """A file waiting for its mapping, and a finished import with a failed row."""
    rows = [["First Name", "Last Name", "Company Name", "Met at"], ["Ana", "Lopez", "", "Booth 4"], ["Bo", "", "", ""]]
    [draft] = services.import_jobs_create(upload=upload("leads.csv", csv_bytes(rows)), entity="", by=user)
    [done] = services.import_jobs_create(upload=upload("leads.csv", csv_bytes(rows)), entity="", by=user)
    services.import_job_submit(
        job=done,
        entity=CONTACT,
        mapping=done.mapping,
        duplicates="create",
        match_key="emailaddress1",
        record_owner=user,
    )
    done.refresh_from_db()
    assert (done.created_count, done.failed_count) == (1, 1)
    return draft, done


def test_the_import_data_pages_have_no_serious_accessibility_problems(signed_in_page, sales_data, media_in_tmp):
    draft, done = import_jobs(grant(sales_data, "import_contact"))
    pages = {
        "import data upload": "/imports/new/",
        "import data upload with errors": None,
        "column mapping": draft.get_absolute_url(),
        "import job with counts and failed rows": done.get_absolute_url(),
        "import history": "/imports/",
    }
    problems = problems_on(signed_in_page, pages, submit_empty=("/imports/new/", "Next"))
    assert not problems, problems


def test_the_sign_in_page_has_no_serious_accessibility_problems(page, live_server):
    page.goto("/sign-in/")
    assert blocking_violations(page) == []
