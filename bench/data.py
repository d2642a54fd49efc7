"""Benchmark data: N accounts and N contacts from the demo generators, loaded in bulk.

PostgreSQL gets COPY with the secondary indexes dropped and rebuilt once, all in one
transaction (a crash leaves the previous state, never a table without its indexes).
SQLite, used at small scales only, gets bulk_create. Loading is skipped when the data at
that scale is already there, so re-running the benchmark costs only the measurements.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from access.services import units_of_users
from accounts.models import Account
from bench.access_section import place_bench_users
from contacts.models import Contact, compose_full_name
from crm import demo_data
from crm.choices import Status
from crm.models import stored_fields

BENCH_USERNAME = "bench"
# The signed-in user owns one record in OWNER_COUNT, as in a team of that size.
OWNER_COUNT = 10
INACTIVE_SHARE = 0.1
PARENT_SHARE = 0.1
COPY_CHUNK_ROWS = 50_000
SEED = 7


@dataclass(frozen=True)
class BenchData:
    user: object
    accounts: int
    contacts: int
    generated: bool
    seconds: float


def bench_users() -> list:
    """The signed-in benchmark user (an administrator, for the admin comparison) and teammates."""
    users = get_user_model()
    bench, created = users.objects.get_or_create(username=BENCH_USERNAME, defaults={"first_name": "Bench"})
    if created or not bench.is_superuser:
        bench.is_staff = bench.is_superuser = True
        bench.set_unusable_password()
        bench.save()
    teammates = [
        users.objects.get_or_create(username=f"bench-teammate-{number}")[0] for number in range(1, OWNER_COUNT)
    ]
    place_bench_users([bench, *teammates])  # their records' business units follow (the access section)
    return [bench, *teammates]


def data_present(scale: int) -> bool:
    return (
        Account.objects.count() == scale
        and Contact.objects.count() == scale
        and Account.objects.filter(owner__username=BENCH_USERNAME).exists()
    )


def ensure_bench_data(scale: int, *, regenerate: bool = False, log: Callable[[str], None] = print) -> BenchData:
    started = timezone.now()
    users = bench_users()
    generated = regenerate or not data_present(scale)
    if generated:
        log(f"Generating {scale:,} accounts and {scale:,} contacts on {connection.vendor}...")
        loader = copy_rows if connection.vendor == "postgresql" else bulk_create_rows
        with transaction.atomic():
            loader(scale, users, log)
        # Fresh statistics, so the planner knows e.g. that "active" is 90% of rows and walks
        # the sort index instead of sorting them; VACUUM also lets counts read the index alone.
        log("ANALYZE...")
        with connection.cursor() as cursor:
            for table in (Account._meta.db_table, Contact._meta.db_table):
                cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}")
    seconds = (timezone.now() - started).total_seconds()
    return BenchData(user=users[0], accounts=scale, contacts=scale, generated=generated, seconds=seconds)


@dataclass
class Plan:
    """Decided up front so both tables are written in one pass each, ids and copied names included."""

    company_of: list[int]  # contact id - 1 -> its account's id
    primary_of: list[int | None]  # account id -> its primary contact's id (its first contact)
    contact_names: list[tuple[str, str]]  # contact id - 1 -> (first, last)
    usernames: dict[int, str]
    units: dict[int, int]  # owner id -> their business unit, copied onto their records
    account_names: list[str]  # filled while accounts are written, read by contacts


def plan(scale: int, users: list, rng: random.Random) -> Plan:
    company_of = [rng.randrange(scale) + 1 for _ in range(scale)]
    primary_of: list[int | None] = [None] * (scale + 1)
    for contact_id, company_id in enumerate(company_of, start=1):
        if primary_of[company_id] is None:
            primary_of[company_id] = contact_id
    contact_names = [demo_data.contact_name(rng) for _ in range(scale)]
    usernames = {user.pk: user.username for user in users}
    return Plan(company_of, primary_of, contact_names, usernames, units_of_users(usernames), [])


def account_rows(scale: int, plan: Plan, rng: random.Random) -> Iterator[dict]:
    owner_ids = list(plan.usernames)
    parents_end = max(scale // 20, 1)
    for number in range(scale):
        account_id = number + 1
        owner = rng.choice(owner_ids)
        fields = demo_data.account_fields(
            number, rng, owner=owner, created_by=owner_ids[0], business_unit_id=plan.units[owner]
        )
        plan.account_names.append(fields["name"])
        fields["id"] = account_id
        fields["owner_name"] = plan.usernames[owner]
        primary = plan.primary_of[account_id]
        if primary is not None:
            fields["primary_contact"] = primary
            fields["primary_contact_name"] = compose_full_name(*plan.contact_names[primary - 1])
        if account_id > parents_end and rng.random() < PARENT_SHARE:
            fields["parent"] = rng.randrange(parents_end) + 1
        yield with_status(fields, rng)


def contact_rows(plan: Plan, rng: random.Random) -> Iterator[dict]:
    owner_ids = list(plan.usernames)
    for contact_id, company_id in enumerate(plan.company_of, start=1):
        owner = rng.choice(owner_ids)
        company_name = plan.account_names[company_id - 1]
        fields = demo_data.contact_fields(
            rng,
            company=company_id,
            company_name=company_name,
            owner=owner,
            created_by=owner_ids[0],
            business_unit_id=plan.units[owner],
            name=plan.contact_names[contact_id - 1],
        )
        fields.update(id=contact_id, company_name=company_name, owner_name=plan.usernames[owner])
        yield with_status(fields, rng)


def with_status(fields: dict, rng: random.Random) -> dict:
    if rng.random() < INACTIVE_SHARE:
        fields["status"] = fields["status_reason"] = Status.INACTIVE
    return fields


# --- PostgreSQL: COPY -------------------------------------------------------------------


def copy_rows(scale: int, users: list, log: Callable[[str], None]) -> None:
    rng = random.Random(SEED)
    rows = plan(scale, users, rng)
    tables = [Account._meta.db_table, Contact._meta.db_table]
    with connection.cursor() as cursor:
        # Skipping FK triggers needs a superuser; without one the (deferred) checks just run.
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            log("  (not a superuser: foreign keys are checked while loading)")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        indexes = secondary_indexes(cursor, tables)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        log(f"  accounts (dropped {len(indexes)} indexes for the load)...")
        copy_model(cursor, Account, account_rows(scale, rows, rng))
        log("  contacts...")
        copy_model(cursor, Contact, contact_rows(rows, rng))
        log("  rebuilding indexes...")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {scale})")


def secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """Indexes that back no constraint: cheaper to rebuild once than to maintain row by row."""
    cursor.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes i
        WHERE schemaname = current_schema() AND tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%%I', i.indexname)::regclass)
        ORDER BY indexname
        """,
        [tables],
    )
    return cursor.fetchall()


def copy_model(cursor, model: type[Model], rows: Iterable[dict]) -> None:
    fields = stored_fields(model)
    now = timezone.now()
    template = [copy_text(default_for(field, now)) for field in fields]
    position = {}
    for index, field in enumerate(fields):
        position[field.name] = position[field.attname] = index
    columns = ", ".join(f'"{field.column}"' for field in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    raw = cursor.connection.cursor()  # psycopg2's own cursor, for copy_expert
    buffer = io.StringIO()
    for count, fields_values in enumerate(rows, start=1):
        line = template.copy()
        for name, value in fields_values.items():
            line[position[name]] = copy_text(value)
        buffer.write("\t".join(line))
        buffer.write("\n")
        if count % COPY_CHUNK_ROWS == 0:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    raw.copy_expert(sql, buffer)


def default_for(field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


# --- SQLite: bulk_create ---------------------------------------------------------------


def bulk_create_rows(scale: int, users: list, log: Callable[[str], None]) -> None:
    rng = random.Random(SEED)
    rows = plan(scale, users, rng)
    Contact.objects.all().delete()
    Account.objects.all().delete()
    with_ids = {"owner", "created_by", "modified_by", "company", "parent", "primary_contact"}

    def instances(model, rows):
        for fields in rows:
            yield model(**{(f"{name}_id" if name in with_ids else name): value for name, value in fields.items()})

    log("  accounts...")
    for batch in demo_data._batches(instances(Account, account_rows(scale, rows, rng)), demo_data.BATCH_SIZE):
        Account.objects.bulk_create(batch)
    log("  contacts...")
    for batch in demo_data._batches(instances(Contact, contact_rows(rows, rng)), demo_data.BATCH_SIZE):
        Contact.objects.bulk_create(batch)
