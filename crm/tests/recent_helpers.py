"""What the recent-items tests share: opening records and reading the lists as a user sees them."""

from __future__ import annotations

from django.urls import reverse

from crm.tests.factories import AccountFactory

WRITES = ("INSERT", "UPDATE", "DELETE")


def numbered_accounts(count: int) -> list:
    return [AccountFactory(name=f"Account {number:02d}") for number in range(count)]


def open_record(client, record) -> None:
    assert client.get(record.get_absolute_url()).status_code == 200


def recent_lists(client):
    # The Home page neither opens nor writes anything, so it shows the lists as they are.
    return client.get(reverse("home")).context["recent_lists"]


def recent_names(client) -> list[str]:
    return [entry.label for entry in recent_lists(client).recent]


def pinned_names(client) -> list[str]:
    return [entry.label for entry in recent_lists(client).pinned]


def pin(client, record, *, pinned: bool = True, **extra):
    button = {("pin" if pinned else "unpin"): f"{record._meta.app_label}-{record.pk}"}
    return client.post(reverse("recent_pin"), {**button, "next": record.get_absolute_url()}, **extra)


def writes(captured) -> list[str]:
    return [query["sql"] for query in captured if query["sql"].lstrip().upper().startswith(WRITES)]


def recent_item_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if "crm_recentitem" in query["sql"]]
