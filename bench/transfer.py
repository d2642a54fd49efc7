"""Import and export throughput and memory, measured side by side: the `imports` and
`exports` sections of `manage.py bench` (bench/sections.py) call these functions.

Imports, compared on the same generated file, round after round so that drift (other load
on the machine) hits them alike:
  - our import, end to end as the background task runs it (open and check the file,
    count its rows, parse, look up companies and existing contacts, write), CSV and XLSX;
  - django-import-export's ModelResource on the first rows of the same file: the project's
    ContactResource as configured (its default options), and the same resource with every
    speed option its documentation offers (bulk mode, batches, no diff, no instance
    lookups, one transaction, company lookups cached);
  - PostgreSQL COPY of the same rows straight into the table: the ceiling.
Exports: a list's "Export to CSV/Excel" of a whole view, as the view answers it, with the
cells rendered by the database (COPY, PostgreSQL) or by Python (the other databases' path).

Each measurement runs in a child process (`manage.py bench_case`), so its peak memory
(VmHWM) is its own. Imports write to the configured database: a user `bench-import`,
accounts named "Bench Account NNNNN" and the contacts imported, all removed afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from access.roles import SYSTEM_ADMINISTRATOR
from access.services import units_of_users, user_place
from accounts.models import Account
from contacts.models import Contact, compose_full_name
from contacts.resources import CONTACT
from crm.models import stored_fields
from imports import entities, exports, services
from imports.models import ImportJob
from imports.xlsx import write_xlsx

BENCH_USERNAME = "bench-import"
ACCOUNT_PREFIX = "Bench Account"
HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Company Name",
    "Job Title",
    "Business Phone",
    "Mobile Phone",
    "Address 1: City",
    "Role",
]
JOB_TITLES = ["Buyer", "Purchasing Manager", "CFO", "Engineer", "Office Manager", "Sales Director"]
CITIES = ["Seattle", "Redmond", "Lyon", "Zürich", "São Paulo", "Kraków", "Montréal"]
ROLES = ["Decision Maker", "Employee", "Influencer", ""]
IMPORT_CASES = ["ours-csv", "ours-xlsx", "dje-default", "dje-best", "copy", "ours-activities"]
# Activities about the seeded accounts, named by their name (issue 18).
ACTIVITY_HEADERS = ["Activity type", "Subject", "Due", "Priority", "Description", "Regarding account"]
ACTIVITY_KINDS = ["Task", "Phone call", "Note", "Email", "Appointment"]


@dataclass
class Measurement:
    case: str
    rows: int
    seconds: float
    peak_mb: float
    baseline_mb: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def growth_mb(self) -> float:
        """Memory taken while the case ran, over what the process held when it began."""
        return max(self.peak_mb - self.baseline_mb, 0.0)


@dataclass
class Measurements:
    items: list[Measurement] = field(default_factory=list)

    def add(self, measurement: Measurement, log) -> None:
        self.items.append(measurement)
        log(f"    {measurement.case:<34} {measurement.rate:>10,.0f} rows/s  {measurement.peak_mb:,.0f} MB")

    def of(self, case: str) -> list[Measurement]:
        return [measurement for measurement in self.items if measurement.case == case]

    def median_rate(self, case: str) -> float:
        rates = [measurement.rate for measurement in self.of(case)]
        return statistics.median(rates) if rates else 0.0

    def peak_mb(self, case: str) -> float:
        return max((measurement.peak_mb for measurement in self.of(case)), default=0.0)

    def growth_mb(self, case: str) -> float:
        return max((measurement.growth_mb for measurement in self.of(case)), default=0.0)


# Data ------------------------------------------------------------------------------------


def bench_user():
    user, created = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": "bench-import@example.invalid"}
    )
    if created or not hasattr(user, "crm_access"):
        user_place(user, roles=[SYSTEM_ADMINISTRATOR])  # imports anything, updates anything
    return user


def seed_accounts(count: int) -> list[str]:
    """`count` accounts for the contacts' Company Name to find; returns their names."""
    user = bench_user()
    names = [f"{ACCOUNT_PREFIX} {number:05d}" for number in range(count)]
    unit = units_of_users([user.pk])[user.pk]
    existing = set(Account.objects.filter(name__in=names).values_list("name", flat=True))
    Account.objects.bulk_create(
        [
            Account(
                name=name,
                account_number=f"BENCH-{name[-5:]}",
                owner=user,
                business_unit_id=unit,
                created_by=user,
                modified_by=user,
            )
            for name in names
            if name not in existing
        ],
        batch_size=1000,
    )
    return names


def contact_rows(count: int, account_names: list[str], *, seed: int = 7):
    randomizer = random.Random(seed)
    for number in range(count):
        yield [
            f"Given{number}",
            f"Family{number % 9973}",
            f"person{number}@bench.example.com",
            randomizer.choice(account_names),
            randomizer.choice(JOB_TITLES),
            f"+1 425 555 {number % 10000:04d}",
            f"+1 (206) 555-{randomizer.randrange(10000):04d}",
            randomizer.choice(CITIES),
            randomizer.choice(ROLES),
        ]


def write_csv(path: Path, header: list[str], rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_contacts_csv(path: Path, count: int, account_names: list[str]) -> Path:
    return write_csv(path, HEADERS, contact_rows(count, account_names))


def write_contacts_xlsx(path: Path, count: int, account_names: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_xlsx(file, title="Contacts", header=HEADERS, rows=contact_rows(count, account_names))
    return path


def activity_rows(count: int, account_names: list[str], *, seed: int = 11):
    randomizer = random.Random(seed)
    for number in range(count):
        yield [
            ACTIVITY_KINDS[number % len(ACTIVITY_KINDS)],
            f"Follow-up {number}",
            f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d} {number % 10 + 8:02d}:30",
            randomizer.choice(["Low", "Normal", "High"]),
            f"Talked about order {number}; next step agreed.",
            randomizer.choice(account_names),
        ]


def write_activities_csv(path: Path, count: int, account_names: list[str]) -> Path:
    return write_csv(path, ACTIVITY_HEADERS, activity_rows(count, account_names))


def remove_bench_activities() -> int:
    """Delete the activities the benchmark imported (nothing refers to them)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM activities_activity WHERE created_by_id = %s", [bench_user().pk])
        return cursor.rowcount


def remove_bench_contacts() -> int:
    """Delete the contacts the benchmark made; nothing refers to them. On PostgreSQL,
    statistics first: the foreign-key checks of a big delete plan their lookups from them,
    and a fresh table has none. SQLite, whose statistics say every contact has the same
    (empty) manager, checks each deleted row by scanning the table (minutes for 20,000
    rows), so its checks are off for the delete."""
    user = bench_user()
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE contacts_contact")
        cursor.execute("DELETE FROM contacts_contact WHERE created_by_id = %s", [user.pk])
        return cursor.rowcount


# Cases (each runs in its own process) ----------------------------------------------------


def run_ours(path: Path, *, entity_key: str = CONTACT.key, headers: list[str] = HEADERS) -> int:
    """An import job for the file, run as the background worker runs it."""
    user = bench_user()
    entity = entities.get(entity_key)
    with override_settings(MEDIA_ROOT=str(path.parent)):
        job = ImportJob.objects.create(
            created_by=user,
            file=path.name,
            file_name=path.name,
            entity=entity.key,
            headers=headers,
            mapping=entity.auto_mapping(headers),
            duplicates=ImportJob.Duplicates.UPDATE,
            match_key=entity.default_match_key,
            record_owner=user,
            status=ImportJob.Status.SUBMITTED,
        )
        services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    if job.status != ImportJob.Status.COMPLETED or job.failed_count:
        raise RuntimeError(f"import {job.status}: {job.failed_count} failed, {job.error}")
    job.delete()
    return job.created_count + job.updated_count


def dje_resource(*, best: bool):
    """The admin's ContactResource, as configured or with every documented speed option."""
    from contacts.resources import ContactResource

    if not best:
        return ContactResource()

    # "Ensure that any FK field lookups don't make repeated db calls": the resource's company
    # lookups (imports.rules.Links) are cached already, for both.
    class FastContactResource(ContactResource):
        class Meta(ContactResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_unchanged = False
            report_skipped = False
            force_init_instance = True
            use_transactions = True

    return FastContactResource()


def run_dje(path: Path, *, best: bool) -> int:
    from import_export.formats.base_formats import CSV

    dataset = CSV().create_dataset(path.read_text(encoding="utf-8-sig"))
    result = dje_resource(best=best).import_data(dataset, dry_run=False, user=bench_user())
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError(f"django-import-export reported errors: {result.totals}")
    return result.totals["new"] + result.totals["update"]


def run_copy(path: Path) -> int:
    """COPY of the same rows, companies resolved with one query, straight into the table:
    no checks, no duplicates handling, no progress. What the database alone can take."""
    if connection.vendor != "postgresql":
        raise RuntimeError("COPY needs PostgreSQL")
    user = bench_user()
    companies = dict(Account.objects.filter(name__startswith=ACCOUNT_PREFIX).values_list("name", "pk"))
    roles = CONTACT.by_name["role"].choice_values
    now = timezone.now().isoformat()
    given = ["first_name", "last_name", "emailaddress1", "company_id", "job_title", "telephone1"]
    given += ["mobile_phone", "address1_city", "role", "full_name", "owner_id", "created_by_id", "modified_by_id"]
    given += ["created_on", "modified_on"]
    defaults = {
        model_field.column: model_field.get_default()
        for model_field in stored_fields(Contact)
        if not model_field.null and not model_field.primary_key and model_field.attname not in given
    }
    constants = [getattr(value, "value", value) for value in defaults.values()]
    buffer = io.StringIO()
    # Quoted, an empty value is an empty text; unquoted, COPY would read it as NULL.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        count = 0
        for first, last, email, company, title, phone, mobile, city, role in reader:
            full_name = compose_full_name(first, "", last, "")
            row = [first, last, email, companies[company], title, phone, mobile, city, roles.get(role.casefold(), "")]
            writer.writerow([*row, full_name, user.pk, user.pk, user.pk, now, now, *constants])
            count += 1
    buffer.seek(0)
    columns = ", ".join([*given, *defaults])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(f"COPY contacts_contact ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    return count


def run_export(entity_key: str, file_format: str, view: str, rendered_by: str, username: str) -> tuple[int, float]:
    """A list's "Export to CSV/Excel" of a whole view, read to its end as a browser reads it;
    returns the rows and the seconds the export took. `rendered_by` "python" takes the
    path of the databases without COPY, for comparison."""
    entity = entities.get(entity_key)
    request = RequestFactory().get("/", {"view": view})
    request.user = get_user_model().objects.get(username=username)
    respond = exports.csv_response if file_format == "csv" else exports.xlsx_response
    records = exports.records_in_view(entity=entity, request=request)
    rows = records.count()
    database_renders = rendered_by == "database" and exports.copies_rows()
    with mock.patch.object(exports, "copies_rows", lambda: database_renders):
        started = time.perf_counter()
        response = respond(entity=entity, records=records)
        for _piece in response.streaming_content:
            pass
        seconds = time.perf_counter() - started
    # As the server does once the response is sent (closes the temporary file).
    response.close()
    return rows, seconds


IMPORTS: dict[str, Callable[[Path], int]] = {
    "ours-csv": run_ours,
    "ours-xlsx": run_ours,
    "dje-default": lambda path: run_dje(path, best=False),
    "dje-best": lambda path: run_dje(path, best=True),
    "copy": run_copy,
    "ours-activities": lambda path: run_ours(path, entity_key="activity", headers=ACTIVITY_HEADERS),
}


def peak_rss_mb() -> float:
    """The most memory this process has held since it started. On Linux, from VmHWM: a child
    process's ru_maxrss starts from its parent's size at fork (the kernel carries it over
    exec), so it would report the benchmark's own size as every case's peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case_here(kind: str, arguments: list[str]) -> Measurement:
    """Run one case in this process (a fresh child process): `import CASE FILE` or
    `export ENTITY FORMAT VIEW RENDERED_BY USERNAME`."""
    baseline = peak_rss_mb()
    if kind == "import":
        case, file = arguments
        started = time.perf_counter()
        rows = IMPORTS[case](Path(file))
        seconds = time.perf_counter() - started
    else:
        case = export_case(*arguments[:4])
        rows, seconds = run_export(*arguments)
    return Measurement(case=case, rows=rows, seconds=seconds, peak_mb=peak_rss_mb(), baseline_mb=baseline)


def export_case(entity_key: str, file_format: str, view: str, rendered_by: str) -> str:
    return f"export {entity_key} {file_format} {view} {rendered_by}"


def run_case(kind: str, *arguments: str) -> Measurement:
    """Run one case in a child process, for a peak memory of its own."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    command = [sys.executable, str(manage), "bench_case", kind, *arguments]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode:
        raise RuntimeError(f"{kind} {' '.join(arguments)} failed:\n{finished.stderr[-3000:]}")
    return Measurement(**json.loads(finished.stdout.strip().splitlines()[-1]))


# The measurements ----------------------------------------------------------------------


def bench_imports(
    *,
    rows: int,
    accounts: int,
    rounds: int,
    folder: Path,
    dje_best_rows: int,
    dje_default_rows: int,
    memory_rows: int,
    log=print,
) -> Measurements:
    """Every import case on one file of `rows` contacts, `rounds` times over, then one
    import of a `memory_rows` file for its peak memory; leaves the database as it was."""
    measured = Measurements()
    names = seed_accounts(accounts)
    remove_bench_contacts()
    csv_file = write_contacts_csv(folder / f"contacts-{rows}.csv", rows, names)
    # django-import-export takes minutes for what ours does in seconds: it gets the first
    # rows of the same file (rows/s barely depend on the file's length).
    files = {
        "ours-csv": csv_file,
        "ours-xlsx": write_contacts_xlsx(folder / f"contacts-{rows}.xlsx", rows, names),
        "dje-default": write_contacts_csv(folder / f"contacts-{dje_default_rows}.csv", dje_default_rows, names),
        "dje-best": write_contacts_csv(folder / f"contacts-{dje_best_rows}.csv", dje_best_rows, names),
        "copy": csv_file,
        "ours-activities": write_activities_csv(folder / f"activities-{rows}.csv", rows, names),
    }
    cases = [case for case in IMPORT_CASES if case != "copy" or connection.vendor == "postgresql"]
    for number in range(rounds):
        log(f"  import round {number + 1} of {rounds}")
        for case in cases:
            measured.add(run_case("import", case, str(files[case])), log)
            remove_bench_contacts()
            remove_bench_activities()
    if memory_rows:
        big_file = write_contacts_csv(folder / f"contacts-{memory_rows}.csv", memory_rows, names)
        log(f"  import of {memory_rows:,} rows")
        measurement = run_case("import", "ours-csv", str(big_file))
        measurement.case = "ours-csv-big"
        measured.add(measurement, log)
        big_file.unlink()
    started = time.perf_counter()
    remove_bench_contacts()
    remove_bench_accounts()
    log(f"  imported rows and seeded accounts removed, tables vacuumed: {time.perf_counter() - started:.0f} s")
    return measured


def remove_bench_accounts() -> None:
    """The accounts seeded for the Company Name lookups, and fresh statistics and visibility
    maps for the tables the imports wrote to, so later runs read them as before."""
    remove_bench_activities()
    Account.objects.filter(name__startswith=ACCOUNT_PREFIX, owner=bench_user()).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            tables = [Contact._meta.db_table, Account._meta.db_table, "activities_activity"]
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def bench_exports(
    *, whole_views: list[tuple[str, str]], compared_view: tuple[str, str], rounds: int, username: str, log=print
) -> Measurements:
    """Each (entity, view) of `whole_views` exported as CSV and XLSX, `rounds` times over;
    then `compared_view` exported both ways, cells rendered by the database and by Python,
    in interleaved rounds."""
    measured = Measurements()
    renderers = ["database", "python"] if exports.copies_rows() else ["python"]
    compared_entity, compared = compared_view
    for number in range(rounds):
        log(f"  export round {number + 1} of {rounds}")
        for entity_key, view in whole_views:
            for file_format in ("csv", "xlsx"):
                measured.add(run_case("export", entity_key, file_format, view, renderers[0], username), log)
        for file_format in ("csv", "xlsx"):
            for rendered_by in renderers:
                measured.add(run_case("export", compared_entity, file_format, compared, rendered_by, username), log)
    return measured
