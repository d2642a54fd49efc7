"""Measure what Recent and Pinned cost per request, on the configured database.

Three set-ups serve the same pages in turn, request by request, so drift (caches warming,
other load) hits them alike:
  - "off": no middleware, and the navigation's lists read nothing (the site before issue 4);
  - "lists only": the navigation reads Recent and Pinned, no middleware;
  - "full": the middleware too, as configured in settings.
Record pages cycle through more records than the Recent list holds, so every opening in the
full set-up is the costly case: a record not yet listed, on a full list.
The benchmark creates its own user and records, and deletes them when done.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm import recent

MIDDLEWARE_PATH = "crm.middleware.RecentItemsMiddleware"
BENCH_USERNAME = "bench-recent"
STATIC_FILES_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


@contextmanager
def lists_read_nothing():
    """The navigation as it was before Recent and Pinned: no query for them."""
    original = recent.RecentLists.rows
    recent.RecentLists.rows = property(lambda self: [])
    try:
        yield
    finally:
        recent.RecentLists.rows = original


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Print the per-request cost (median, p95) of the recent-items middleware and lists, side by side."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="Requests per page and set-up (default 200).")
        parser.add_argument(
            "--records",
            type=int,
            default=recent.RECENT_LIMIT + 10,
            help="Records the record pages cycle through (default: more than Recent holds).",
        )

    def handle(self, *args, requests: int, records: int, **options):
        user_model = get_user_model()
        user_model.objects.filter(username=BENCH_USERNAME).delete()
        user = user_model.objects.create_user(BENCH_USERNAME)
        made = self.make_records(user, records)
        try:
            # As in production (no query log), but static URLs without needing collectstatic first.
            storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_FILES_STORAGE}}
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], STORAGES=storages):
                self.run(user, made, requests)
        finally:
            Contact.objects.filter(pk__in=[r.pk for r in made if isinstance(r, Contact)]).delete()
            Account.objects.filter(pk__in=[r.pk for r in made if isinstance(r, Account)]).delete()
            user.delete()  # Its recent items go with it.

    def make_records(self, user, count: int) -> list:
        half = count // 2
        accounts = [Account.objects.create(name=f"Bench account {n}", owner=user) for n in range(count - half)]
        contacts = [Contact.objects.create(last_name=f"Bench contact {n}", owner=user) for n in range(half)]
        return [record for pair in zip(accounts, contacts, strict=False) for record in pair] + accounts[half:]

    def run(self, user, records: list, requests: int) -> None:
        clients = {name: self.signed_in_client(user, middleware) for name, middleware in self.setups().items()}
        contexts: dict[str, Callable] = {"off": lists_read_nothing, "lists only": nullcontext, "full": nullcontext}
        pages = {
            "record page": lambda i: records[i % len(records)].get_absolute_url(),
            "list page": lambda i: reverse("accounts:list"),
            "home page": lambda i: reverse("home"),
        }
        self.stdout.write(
            f"{connection.vendor}, {requests} requests per page and set-up, {len(records)} records cycled; "
            "milliseconds per request, median / p95"
        )
        header = f"{'':<12}" + "".join(f"{name:>18}" for name in clients) + f"{'full - off':>18}{'queries':>14}"
        self.stdout.write(header)
        for page, url_for in pages.items():
            timings: dict[str, list[float]] = {name: [] for name in clients}
            for i in range(requests):
                # Alternate who goes first so neither always meets a warm cache.
                order = list(clients) if i % 2 == 0 else list(reversed(clients))
                for name in order:
                    with contexts[name]():
                        started = time.perf_counter()
                        response = clients[name].get(url_for(i))
                        timings[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (name, url_for(i), response.status_code)
            queries = []
            for name in clients:
                with contexts[name](), CaptureQueriesContext(connection) as captured:
                    clients[name].get(url_for(requests))
                queries.append(str(len(captured)))
            cells = "".join(self.cell(values) for values in timings.values())
            overhead = self.cell(timings["full"], minus=timings["off"])
            self.stdout.write(f"{page:<12}{cells}{overhead}{'/'.join(queries):>14}")
        self.stdout.write("queries: off/lists only/full, per request; full - off: difference of medians / of p95s")
        own = self.middleware_own_time(clients["full"], pages["record page"], requests)
        self.stdout.write(f"the middleware's own work on a record page (read reused, one write): {self.cell(own)}")

    def middleware_own_time(self, client: Client, url_for: Callable[[int], str], requests: int) -> list[float]:
        """Time spent in the middleware's write, measured inside the request."""
        spent: list[float] = []
        original = recent.recent_item_open

        def timed(**kwargs):
            started = time.perf_counter()
            original(**kwargs)
            spent.append((time.perf_counter() - started) * 1000)

        recent.recent_item_open = timed
        try:
            for i in range(requests):
                client.get(url_for(i))
        finally:
            recent.recent_item_open = original
        return spent

    def setups(self) -> dict[str, list[str]]:
        without = [path for path in settings.MIDDLEWARE if path != MIDDLEWARE_PATH]
        return {"off": without, "lists only": without, "full": list(settings.MIDDLEWARE)}

    def signed_in_client(self, user, middleware: list[str]) -> Client:
        client = Client()
        client.force_login(user)
        # The test client builds its middleware chain on its first request, then keeps it.
        with override_settings(MIDDLEWARE=middleware):
            client.get(reverse("home"))
        return client

    def cell(self, values: list[float], minus: list[float] | None = None) -> str:
        median, p95 = statistics.median(values), percentile(values, 0.95)
        if minus is not None:
            median, p95 = median - statistics.median(minus), p95 - percentile(minus, 0.95)
            return f"{median:>+8.2f} / {p95:>+6.2f}"
        return f"{median:>9.2f} / {p95:>6.2f}"
