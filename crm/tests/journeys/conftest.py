"""Browser journeys: a real Chromium, driven by Playwright, against the live test server.

Every journey signs in as Dana, who owns about half of a small, realistic book of demo
accounts and contacts. A journey fails on any browser console error (a CSP violation, a
script error, a missing file) and keeps screenshots of the pages it passes in
test-artifacts/journeys/<test name>/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls
# from it unless told that this (test-only) thread is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1440, "height": 900}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "journeys"
PASSWORD = "correct horse battery staple"
# Playwright waits this long (ms) for an element before failing; pages here answer in far less.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"Browser journeys need Chromium at {CHROMIUM}: install it with `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleErrors(list):
    """Every console error and uncaught exception a page reports, as readable lines."""

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(self.describe(message)))
        page.on("pageerror", lambda error: self.append(f"uncaught exception: {error}"))

    @staticmethod
    def describe(message) -> str:
        location = message.location or {}
        return f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})"


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); a journey overrides it to be, say, French."""
    return "en-US"


@pytest.fixture
def page(browser, live_server, console_errors, browser_locale) -> Iterator:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale=browser_locale)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console_errors.watch(page)
    yield page
    context.close()
    assert not console_errors, "The browser reported errors:\n" + "\n".join(console_errors)


@pytest.fixture
def screenshot(page, request, console_errors) -> Callable[[str], Path]:
    """Save the visible page as NN-<name>.png; also the moment to check the console is clean."""
    folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken: list[Path] = []

    def take(name: str) -> Path:
        assert not console_errors, f"The browser reported errors before {name!r}:\n" + "\n".join(console_errors)
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=path, animations="disabled", caret="hide")
        taken.append(path)
        return path

    return take


@pytest.fixture
def dana(transactional_db):
    from crm.tests.factories import UserFactory

    # The demo loader shares its data between the user called "demo" and a teammate: Dana is "demo".
    return UserFactory(username="demo", first_name="Dana", last_name="Reyes")


@pytest.fixture
def sales_data(dana):
    """120 demo accounts with 1 to 4 contacts each, half of them Dana's; three accounts inactive."""
    from accounts.models import Account
    from crm import demo_data, services

    demo_data.load_demo_data(accounts=120, contacts_per_account=2, seed=6)
    last_three = Account.objects.filter(owner=dana).order_by("-name").values_list("pk", flat=True)[:3]
    services.deactivate(Account.objects.filter(pk__in=list(last_three)), by=dana)
    return dana


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """Uploaded import files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("^Welcome")).wait_for()


@pytest.fixture
def signed_in_page(page, sales_data):
    sign_in(page, sales_data.username)
    return page
