"""Import and export throughput, measured side by side on the same generated file.

Compared in one run, round after round so that drift (other load on the machine) hits
them alike:
  - our import, end to end as the background task runs it (open and check the file,
    count its rows, parse, look up companies and existing contacts, write), CSV and XLSX;
  - django-import-export's ModelResource on the same file: the project's ContactResource
    as configured (its default options), and the same resource with every speed option
    its documentation offers (bulk mode, batches, no diff, no instance lookups, one
    transaction, company lookups cached);
  - PostgreSQL COPY of the same rows straight into the table: the ceiling;
  - whole-table CSV and XLSX exports of the contacts list.
Each measurement runs in a child process (`bench_import --case`), so its peak memory
(ru_maxrss) is its own. The functions are standalone so a wider benchmark can call them.

The benchmark writes to the configured database: a user `bench-import`, accounts named
"Bench Account NNNNN", and contacts it deletes after each measurement.
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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import Account
from contacts.models import Contact, compose_full_name
from imports import exports, services
from imports.entities import CONTACT
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
IMPORT_CASES = ["ours-csv", "ours-xlsx", "dje-default", "dje-best", "copy"]
EXPORT_CASES = ["export-csv", "export-xlsx"]
TARGETS = {
    "import_rows_per_s": 10_000,
    "vs_dje_best": 2.0,
    "vs_dje_default": 15.0,
    "peak_mb_1m_csv": 300,
    "export_rows_per_s": 50_000,
}


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


@dataclass
class Report:
    rows: int
    accounts: int
    vendor: str
    measurements: list[Measurement] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)


# Data ------------------------------------------------------------------------------------


def bench_user():
    user, _created = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": "bench-import@example.invalid"}
    )
    return user


def seed_accounts(count: int) -> list[str]:
    """`count` accounts for the contacts' Company Name to find; returns their names."""
    user = bench_user()
    names = [f"{ACCOUNT_PREFIX} {number:05d}" for number in range(count)]
    existing = set(Account.objects.filter(name__in=names).values_list("name", flat=True))
    Account.objects.bulk_create(
        [
            Account(name=name, account_number=f"BENCH-{name[-5:]}", owner=user, created_by=user, modified_by=user)
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


def write_contacts_csv(path: Path, count: int, account_names: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(contact_rows(count, account_names))
    return path


def write_contacts_xlsx(path: Path, count: int, account_names: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_xlsx(file, title="Contacts", header=HEADERS, rows=contact_rows(count, account_names))
    return path


def remove_bench_contacts() -> int:
    """Delete the contacts the benchmark made. Statistics first: the foreign-key checks of
    a big delete plan their lookups from them, and a fresh table has none."""
    user = bench_user()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE contacts_contact")
        cursor.execute("DELETE FROM contacts_contact WHERE created_by_id = %s", [user.pk])
        return cursor.rowcount


# Cases (each runs in its own process) ----------------------------------------------------


def run_ours(path: Path) -> int:
    """An import job for the file, run as the background worker runs it."""
    user = bench_user()
    with override_settings(MEDIA_ROOT=str(path.parent)):
        job = ImportJob.objects.create(
            created_by=user,
            file=path.name,
            file_name=path.name,
            entity=CONTACT.key,
            headers=HEADERS,
            mapping=CONTACT.auto_mapping(HEADERS),
            duplicates=ImportJob.Duplicates.UPDATE,
            match_key="emailaddress1",
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
    from imports.resources import ColumnWidget

    if not best:
        return ContactResource()

    class CachedAccountWidget(ColumnWidget):
        # "Ensure that any FK field lookups don't make repeated db calls."
        cache: dict[str, Account] = {}

        def account(self, text: str) -> Account:
            if text not in self.cache:
                self.cache[text] = super().account(text)
            return self.cache[text]

    class FastContactResource(ContactResource):
        class Meta(ContactResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_unchanged = False
            report_skipped = False
            force_init_instance = True
            use_transactions = True

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            company = self.fields["company"]
            company.widget = CachedAccountWidget(company.widget.column)

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
        for model_field in Contact._meta.concrete_fields
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


def run_export(file_format: str) -> int:
    """The contacts list's "Export to CSV/Excel" of the whole Active Contacts view."""
    request = RequestFactory().get("/", {"view": "active"})
    request.user = bench_user()
    records = exports.records_in_view(entity=CONTACT, request=request)
    if file_format == "csv":
        response = exports.csv_response(entity=CONTACT, records=records)
        for _piece in response.streaming_content:
            pass
    else:
        response = exports.xlsx_response(entity=CONTACT, records=records)
        for _piece in response.streaming_content:
            pass
        response.close()
    return records.count()


CASES: dict[str, Callable[[Path], int]] = {
    "ours-csv": run_ours,
    "ours-xlsx": run_ours,
    "dje-default": lambda path: run_dje(path, best=False),
    "dje-best": lambda path: run_dje(path, best=True),
    "copy": run_copy,
    "export-csv": lambda path: run_export("csv"),
    "export-xlsx": lambda path: run_export("xlsx"),
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case_here(case: str, path: Path) -> Measurement:
    """Run one case in this process; meant for a fresh child process."""
    baseline = rss_mb()
    started = time.perf_counter()
    rows = CASES[case](path)
    seconds = time.perf_counter() - started
    return Measurement(case=case, rows=rows, seconds=seconds, peak_mb=rss_mb(), baseline_mb=baseline)


def run_case(case: str, path: Path) -> Measurement:
    """Run one case in a child process, for a peak memory of its own."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    command = [sys.executable, str(manage), "bench_import", "--case", case, "--file", str(path)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode:
        raise RuntimeError(f"{case} failed:\n{finished.stderr[-3000:]}")
    return Measurement(**json.loads(finished.stdout.strip().splitlines()[-1]))


# The whole benchmark ---------------------------------------------------------------------


def bench_imports(
    *, rows: int, accounts: int, rounds: int, folder: Path, memory_rows: int, dje_rows: int, log=print
) -> Report:
    report = Report(rows=rows, accounts=accounts, vendor=connection.vendor)
    names = seed_accounts(accounts)
    remove_bench_contacts()
    csv_file = write_contacts_csv(folder / f"contacts-{rows}.csv", rows, names)
    xlsx_file = write_contacts_xlsx(folder / f"contacts-{rows}.xlsx", rows, names)
    # django-import-export takes minutes for what ours does in seconds: it may get the
    # first rows of the same file only (rows/s barely depend on the file's length).
    dje_file = (
        csv_file if dje_rows >= rows else write_contacts_csv(folder / f"contacts-{dje_rows}.csv", dje_rows, names)
    )
    files = {
        "ours-csv": csv_file,
        "ours-xlsx": xlsx_file,
        "dje-default": dje_file,
        "dje-best": dje_file,
        "copy": csv_file,
    }
    cases = [case for case in IMPORT_CASES if case != "copy" or connection.vendor == "postgresql"]
    for number in range(rounds):
        for case in cases:
            measurement = run_case(case, files[case])
            remove_bench_contacts()
            report.measurements.append(measurement)
            log(f"  round {number + 1}: {case:<12} {measurement.rate:>10,.0f} rows/s  {measurement.peak_mb:,.0f} MB")
    # Exports read what one import leaves in the table.
    run_case("ours-csv", csv_file)
    for number in range(rounds):
        for case in EXPORT_CASES:
            measurement = run_case(case, csv_file)
            report.measurements.append(measurement)
            log(f"  round {number + 1}: {case:<12} {measurement.rate:>10,.0f} rows/s  {measurement.peak_mb:,.0f} MB")
    remove_bench_contacts()
    if memory_rows:
        big_file = write_contacts_csv(folder / f"contacts-{memory_rows}.csv", memory_rows, names)
        measurement = run_case("ours-csv", big_file)
        measurement.case = "ours-csv-big"
        report.measurements.append(measurement)
        log(f"  {memory_rows:,} rows: {measurement.rate:,.0f} rows/s, peak {measurement.peak_mb:,.0f} MB")
        remove_bench_contacts()
        big_file.unlink()
    report.figures = figures(report)
    return report


def median_rate(report: Report, case: str) -> float:
    rates = [measurement.rate for measurement in report.measurements if measurement.case == case]
    return statistics.median(rates) if rates else 0.0


def peak(report: Report, case: str) -> float:
    return max((m.peak_mb for m in report.measurements if m.case == case), default=0.0)


def figures(report: Report) -> list[dict]:
    """Target, figure, PASS/MISS rows; a figure of 0 (case not run) is reported as n/a."""
    ours = median_rate(report, "ours-csv")
    rows = []

    def add(name: str, value: float, target: float | None, unit: str, *, lower_is_better: bool = False) -> None:
        if target is None or not value:
            verdict = "info" if value else "n/a"
        else:
            verdict = "PASS" if (value <= target if lower_is_better else value >= target) else "MISS"
        rows.append({"figure": name, "value": round(value, 2), "unit": unit, "target": target, "verdict": verdict})

    add("import CSV, ours (median)", ours, TARGETS["import_rows_per_s"], "rows/s")
    add("import XLSX, ours (median)", median_rate(report, "ours-xlsx"), TARGETS["import_rows_per_s"], "rows/s")
    add("import CSV, django-import-export default", median_rate(report, "dje-default"), None, "rows/s")
    add("import CSV, django-import-export best", median_rate(report, "dje-best"), None, "rows/s")
    add("import CSV, PostgreSQL COPY (ceiling)", median_rate(report, "copy"), None, "rows/s")
    best, default, copy = (median_rate(report, case) for case in ("dje-best", "dje-default", "copy"))
    add("ours / django-import-export best", ours / best if best else 0, TARGETS["vs_dje_best"], "x")
    add("ours / django-import-export default", ours / default if default else 0, TARGETS["vs_dje_default"], "x")
    add("ours / COPY ceiling", ours / copy if copy else 0, None, "x")
    add("import CSV peak memory (file of the run)", peak(report, "ours-csv"), None, "MB")
    add("import XLSX peak memory (file of the run)", peak(report, "ours-xlsx"), None, "MB")
    big = [m for m in report.measurements if m.case == "ours-csv-big"]
    if big:
        add(f"import CSV {big[0].rows:,} rows, ours", big[0].rate, TARGETS["import_rows_per_s"], "rows/s")
        add(
            f"import CSV {big[0].rows:,} rows, peak memory",
            big[0].peak_mb,
            TARGETS["peak_mb_1m_csv"],
            "MB",
            lower_is_better=True,
        )
    for case, label in (("export-csv", "CSV"), ("export-xlsx", "XLSX")):
        add(f"export {label}, whole table (median)", median_rate(report, case), TARGETS["export_rows_per_s"], "rows/s")
        add(f"export {label} peak memory", peak(report, case), None, "MB")
    return rows


def report_table(report: Report) -> str:
    lines = [
        f"Import/export benchmark: {report.rows:,} contacts, {report.accounts:,} accounts, {report.vendor}",
        f"{'figure':<46} {'value':>14} {'target':>12}  verdict",
    ]
    for row in report.figures:
        target = "" if row["target"] is None else f"{row['target']:,} {row['unit']}"
        value = f"{row['value']:,.1f} {row['unit']}" if row["unit"] == "x" else f"{row['value']:,.0f} {row['unit']}"
        lines.append(f"{row['figure']:<46} {value:>14} {target:>12}  {row['verdict']}")
    return "\n".join(lines)


def write_report(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(report)
    for measurement, source in zip(data["measurements"], report.measurements, strict=True):
        measurement["rows_per_s"] = round(source.rate, 1)
    path.write_text(json.dumps(data, indent=2))
