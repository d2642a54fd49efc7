"""The "addressbooks" benchmark section (issue 21): vCards out and in.

- Export to vCard: the cards of the contacts the benchmark user sees, as the list's export
  streams them (one query per 2,000 contacts with their company), rows/s;
- vCard import: a file of that many new cards (written from the same contacts, emails
  changed) through the import job the worker runs (reader, mapping, row preparer, bulk
  writes), rows/s; the contacts it made are removed after.
Rows are capped (VCARD_ROWS) so the section stays short at any scale.
"""

from __future__ import annotations

import time
from itertools import islice

from django.test import override_settings

from addressbooks.vcard import HEADERS, VCardFile, contact_card
from bench.timing import Result, Target
from bench.transfer import bench_user, remove_bench_contacts
from contacts.models import Contact
from contacts.resources import CONTACT
from crm import registry
from imports import services
from imports.models import ImportJob

VCARD_ROWS = 20_000
# Written cards are short text; reading one is a few dozen small regex-free steps.
EXPORT_ROWS_PER_S = 5_000
IMPORT_ROWS_PER_S = 2_000


def addressbooks_section(context) -> list[Result]:
    user = bench_user()
    count = min(context.scale, VCARD_ROWS)
    contacts = registry.for_model(Contact).records_for(user).select_related("company").order_by("pk")
    started = time.perf_counter()
    written = 0
    cards = []
    for contact in islice(contacts.iterator(chunk_size=2000), count):
        cards.append(contact_card(contact))
        written += 1
    export_seconds = time.perf_counter() - started
    results = [
        Result(
            section="addressbooks",
            label=f"Export to vCard: {written:,} contacts",
            figures={"rows_per_s": round(written / export_seconds) if export_seconds else 0},
            targets=[Target("rows_per_s", at_least=EXPORT_ROWS_PER_S)],
        )
    ]
    # New people: the same cards with emails no contact has.
    context.files.mkdir(parents=True, exist_ok=True)
    path = context.files / "bench-contacts.vcf"
    with path.open("w", encoding="utf-8", newline="") as file:
        for number, card in enumerate(cards):
            file.write(card.replace("EMAIL;TYPE=INTERNET,PREF:", f"EMAIL;TYPE=INTERNET,PREF:vcard{number}."))
    with override_settings(MEDIA_ROOT=str(path.parent)):
        job = ImportJob.objects.create(
            created_by=user,
            file=path.name,
            file_name=path.name,
            entity=CONTACT.key,
            source="vcard",
            headers=HEADERS,
            mapping=VCardFile().mapping(HEADERS, CONTACT),
            duplicates=ImportJob.Duplicates.CREATE,
            match_key="emailaddress1",
            record_owner=user,
            status=ImportJob.Status.SUBMITTED,
        )
        started = time.perf_counter()
        services.import_job_run(job_id=job.pk)
        import_seconds = time.perf_counter() - started
    job.refresh_from_db()
    imported = job.created_count
    note = f"{job.failed_count} failed" if job.failed_count else ""
    job.delete()
    remove_bench_contacts()
    results.append(
        Result(
            section="addressbooks",
            label=f"vCard import: {written:,} cards",
            figures={"rows_per_s": round(imported / import_seconds) if import_seconds else 0},
            targets=[Target("rows_per_s", at_least=IMPORT_ROWS_PER_S)],
            note=note,
        )
    )
    return results
