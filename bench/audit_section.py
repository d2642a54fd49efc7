"""The "audit" benchmark section (issue 17): what the audit history costs.

- a contact's edit form saved with and without the audit (interleaved POSTs, each changing
  the phone number): with / without <= 1.3;
- an import updating contacts' phone numbers with and without the audit (the set-based
  INSERT ... SELECT per chunk): rows/s with >= 70% of rows/s without;
- the Audit History page of a contact with 10,000 events: first page and a deep page by
  its keyset link, p95 <= 30 ms.

"Without" runs the same code with the audit calls replaced by no-ops, in the same process.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit import services as audit_services
from audit import staged
from audit.models import AuditEntry, Event, Source
from audit.presenters import PAGE_SIZE, cursor_of
from bench.timing import Result, Scenario, Target, measure
from contacts.forms import ContactForm
from contacts.models import Contact
from imports.entities import entity_for
from imports.pipeline import Importer, Plan

SAVE_RATIO_AT_MOST = 1.3
IMPORT_SHARE_AT_LEAST = 0.70
HISTORY_P95_MS = 30
HISTORY_EVENTS = 10_000
SAVES = 40
IMPORT_ROWS = 5_000
IMPORT_ROUNDS = 4


@contextmanager
def audit_off():
    """The same writes with every audit call a no-op: the "without" of each comparison."""
    noop = mock.Mock(return_value=None)
    with (
        mock.patch.object(audit_services, "record_changed", noop),
        mock.patch.object(audit_services, "record_created", noop),
        mock.patch.object(staged, "staged_updates", noop),
        mock.patch.object(staged, "sqlite_updates", noop),
        mock.patch.object(staged, "created", noop),
    ):
        yield


def edit_data(contact: Contact, user, phone: str) -> dict:
    form = ContactForm(instance=contact, user=user)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(telephone1=phone, loaded_version=contact.version, command="save")
    return data


def save_ms(client, user, contact: Contact, phone: str) -> float:
    contact.refresh_from_db()
    data = edit_data(contact, user, phone)
    started = time.perf_counter()
    response = client.post(reverse("contacts:update", args=[contact.pk]), data)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"The edit form did not save ({response.status_code})")
    return elapsed


def form_save_result(context) -> Result:
    contact = Contact.objects.filter(status="active").order_by("pk").first()
    timings: dict[bool, list[float]] = {True: [], False: []}
    for round_number in range(SAVES + 2):
        for audited in (True, False) if round_number % 2 == 0 else (False, True):
            phone = f"+1 425 555 {round_number:04d}{int(audited)}"
            if audited:
                taken = save_ms(context.client, context.user, contact, phone)
            else:
                with audit_off():
                    taken = save_ms(context.client, context.user, contact, phone)
            if round_number >= 2:  # two warm-up rounds
                timings[audited].append(taken)
    with_audit, without = statistics.median(timings[True]), statistics.median(timings[False])
    return Result(
        "audit",
        "edit form save: with audit / without (median)",
        median_ms=round(with_audit, 2),
        samples=SAVES,
        figures={"ratio": round(with_audit / without, 2)},
        targets=[Target("ratio", at_most=SAVE_RATIO_AT_MOST)],
        note=f"{with_audit:.1f} ms with, {without:.1f} ms without",
    )


def import_rows_per_s(contacts: list[tuple[str, str]], user, suffix: str) -> float:
    """Rows per second of an import that gives each contact (e-mail, last name) a new phone."""
    entity = entity_for(Contact)
    plan = Plan(
        entity=entity,
        mapping=["emailaddress1", "last_name", "telephone1"],
        duplicates="update",
        match_key="emailaddress1",
        default_owner_id=user.pk,
        by_id=user.pk,
    )
    rows = [
        (line, [email, last_name, f"+1 206 {suffix} {line:05d}"])
        for line, (email, last_name) in enumerate(contacts, start=2)
    ]
    started = time.perf_counter()
    tally = Importer(plan).run(rows, on_chunk=lambda tally: None)
    elapsed = time.perf_counter() - started
    if not tally.updated:
        raise RuntimeError("The import updated no contact")
    # Rows whose e-mail several contacts share fail (as they would for a user): count the updates.
    return tally.updated / elapsed


def import_result(context) -> Result:
    contacts = list(
        Contact.objects.exclude(emailaddress1="")
        .order_by("pk")
        .values_list("emailaddress1", "telephone1")[:IMPORT_ROWS]
    )
    emails = [email for email, _phone in contacts]
    if len(set(emails)) != len(emails):
        raise RuntimeError("The benchmark contacts' e-mail addresses repeat")
    rates: dict[bool, list[float]] = {True: [], False: []}
    for round_number in range(IMPORT_ROUNDS):
        # Each import leaves dead rows that slow the next a little: alternate who goes first.
        for audited in (True, False) if round_number % 2 == 0 else (False, True):
            suffix = f"{round_number}{int(audited)}"
            if audited:
                rates[True].append(import_rows_per_s(contacts, context.user, suffix))
            else:
                with audit_off():
                    rates[False].append(import_rows_per_s(contacts, context.user, suffix))
    with_audit, without = statistics.median(rates[True]), statistics.median(rates[False])
    return Result(
        "audit",
        f"import updating {len(contacts):,} contacts: rows/s with audit / without",
        samples=IMPORT_ROUNDS,
        figures={"ratio": round(with_audit / without, 2), "rows_per_s": round(with_audit)},
        targets=[Target("ratio", at_least=IMPORT_SHARE_AT_LEAST)],
        note=f"{with_audit:,.0f} rows/s with, {without:,.0f} rows/s without",
    )


def contact_with_history(user) -> Contact:
    """A contact with HISTORY_EVENTS audit entries, one a minute (written once, kept)."""
    contact = Contact.objects.order_by("-pk").first()
    existing = AuditEntry.objects.of_record("contacts.contact", contact.pk).count()
    start = timezone.now() - timedelta(minutes=HISTORY_EVENTS)
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                at=start + timedelta(minutes=number),
                event=Event.UPDATE,
                source=Source.FORM,
                record_type="contacts.contact",
                record_id=contact.pk,
                record_name=str(contact),
                user=user,
                user_name=user.get_username(),
                changes={"telephone1": [f"+1 {number - 1:05d}", f"+1 {number:05d}"], "role": ["", "influencer"]},
            )
            for number in range(existing, HISTORY_EVENTS)
        ),
        batch_size=2_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AuditEntry._meta.db_table}")
    return contact


def history_results(context) -> list[Result]:
    contact = contact_with_history(context.user)
    url = reverse("audit:history", args=["contacts.contact", contact.pk])
    entries = AuditEntry.objects.of_record("contacts.contact", contact.pk).newest_first()
    middle = entries[HISTORY_EVENTS // 2 - 1]
    targets = [Target("p95_ms", at_most=HISTORY_P95_MS)]
    scenarios = [
        Scenario(f"history of a contact with {HISTORY_EVENTS:,} events: first page", url, targets),
        Scenario(
            f"history: page {HISTORY_EVENTS // 2 // PAGE_SIZE + 1} (keyset link)",
            f"{url}?{urlencode({'after': cursor_of(middle)})}",
            targets,
        ),
        Scenario("history filtered by a field", f"{url}?field=telephone1", targets),
    ]
    return measure(context.client, "audit", scenarios, repeat=context.repeat)


def audit_section(context) -> list[Result]:
    context.log("  audit: form saves")
    results = [form_save_result(context)]
    context.log("  audit: imports")
    results.append(import_result(context))
    context.log("  audit: history pages")
    return results + history_results(context)
