"""The "duplicates" benchmark section (issue 19): what duplicate detection adds to a save.

- the exact rules on save: the Possible duplicates check of a new account named like an
  existing one (one probe of the name key's index), and of a new contact (first + last name
  and email rules, two probes);
- the similar-name rule (pg_trgm on the name key at threshold 0.6 on PostgreSQL, its Python
  twin on SQLite), enabled for the run only.
Each figure is the check alone, as the signed-in benchmark user, the median and p95 of
`repeat` rounds over a spread of names.

And what issue 19's second round added:
- Detect duplicates over every active account (the whole record type, as the benchmark user
  sees it): rows per second with the shipped exact rule (one window-count statement), and
  with a similar-name rule alone (a join through the trigram index per 2,000-row chunk);
  target: a million accounts in five minutes (>= 3,400 rows/s);
- an import of new contacts with the shipped rules on / off (import rows/s with detection
  >= 80% of without: "costs <= 20%"), and with a similar-name rule added (reported);
- a merge of an account with many linked rows (activities and contacts), rolled back: the
  milliseconds per linked row that set MERGE_IN_REQUEST_MAX_ROWS.

Session 6 (PostgreSQL only): how many similar names the generated accounts have (a sample), and
the similar-name probe over a million varied names with seeded near-duplicates (rate, recall).
"""

from __future__ import annotations

import io
import statistics
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from access import guard
from accounts.models import Account
from activities.models import Activity, Kind
from bench.timing import Result, SQLTimer, Target, percentile
from bench.varied_names import varied_names
from contacts.models import Contact
from duplicates import detection, keys, scan, services
from duplicates.jobs import linked_rows
from duplicates.models import DuplicateRule, Operator, RuleCondition
from imports.entities import entity_for
from imports.pipeline import Importer, Plan

EXACT_P95_MS = 5
SIMILAR_P95_MS = 50
PROBES = 20  # different existing names per round
DETECT_ROWS_PER_S = 1_000_000 / 300  # a million accounts in five minutes
# SQLite compares every pair for a similar-name rule: timed over this many accounts there
# (PostgreSQL's sorted neighbourhood runs over them all).
SIMILAR_DETECT_SAMPLE = 2_000
IMPORT_SHARE_AT_LEAST = 0.80
IMPORT_ROWS = 5_000
# Rounds of on / off / similar imports; the ratio is the median of each round's own ratio (the
# three imports of a round run back to back: the shared machine's load drifts between rounds).
IMPORT_ROUNDS = 5
MERGE_LINKED_ROWS = 5_000
# Generated accounts sampled for how many similar names each has (the benchmark's names are a
# few dozen words with a number: is a similar-name detection over them even reviewable?).
PAIR_SAMPLE = 200
# Names as varied as real ones (bench.varied_names), as many as the scale, up to a million: the
# similar-name probe Detect duplicates runs per record, timed over the originals of this many
# seeded near-duplicates (which also gives the probe's recall).
VARIED_NAMES_AT_MOST = 1_000_000
VARIED_PROBES = 500


def spread(model, count: int, *fields: str) -> list[tuple]:
    """`fields` of `count` records spread over the table (ids are dense in the benchmark)."""
    top = model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    step = max(top // count, 1)
    wanted = [step * index + 1 for index in range(count)]
    return list(model._default_manager.filter(pk__in=wanted).values_list(*fields))


def timed(label: str, check, probes: list, *, repeat: int, target_ms: float) -> Result:
    for probe in probes[:2]:
        check(probe)  # warm up: the user's access, the rules
    times, sql = [], []
    for _ in range(repeat):
        for probe in probes:
            timer = SQLTimer()
            started = time.perf_counter()
            with connection.execute_wrapper(timer):
                check(probe)
            times.append((time.perf_counter() - started) * 1000)
            sql.append(timer.seconds * 1000)
    return Result(
        section="duplicates",
        label=label,
        median_ms=round(statistics.median(times), 2),
        p95_ms=round(percentile(times, 0.95), 2),
        sql_ms=round(statistics.median(sql), 2),
        samples=len(times),
        targets=[Target("p95_ms", at_most=target_ms)],
    )


def duplicates_section(context) -> list[Result]:
    user, repeat = context.user, max(context.repeat // 5, 2)
    names = [name for (name,) in spread(Account, PROBES, "name")]
    people = spread(Contact, PROBES, "first_name", "last_name", "emailaddress1")
    results = [
        timed(
            "exact rule on save: new account named like an existing one",
            lambda name: detection.find(Account(name=name.upper() + " Ltd."), user),
            names,
            repeat=repeat,
            target_ms=EXACT_P95_MS,
        ),
        timed(
            "exact rules on save: new contact (first + last name, email)",
            lambda person: detection.find(
                Contact(first_name=person[0], last_name=person[1], emailaddress1=person[2]), user
            ),
            people,
            repeat=repeat,
            target_ms=EXACT_P95_MS,
        ),
    ]
    # The similar-name rule exists only for this run (and alone, to time it alone).
    with transaction.atomic():
        DuplicateRule.objects.filter(record_type="accounts.account").update(enabled=False)
        rule = DuplicateRule.objects.create(name="bench: similar account name", record_type="accounts.account")
        RuleCondition.objects.create(rule=rule, field="name", operator=Operator.SIMILAR)
        results.append(
            timed(
                "similar-name rule on save (threshold 0.6)",
                lambda name: detection.find(Account(name=name + "x"), user),
                names,
                repeat=repeat,
                target_ms=SIMILAR_P95_MS,
            )
        )
        transaction.set_rollback(True)
    results += detect_results(context)
    results.append(import_result(context))
    results.append(merge_result(context))
    vacuum_written()
    return results


def vacuum_written() -> None:
    """The imports and the merge above roll back, which leaves their rows dead until a VACUUM
    (autovacuum is off on this shared server): after a run, 78,000 dead contacts made every
    later plan that looked up the ends of the contacts' id index walk them (a duplicate check
    planned in 5-15 ms instead of 0.4)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            tables = [Contact._meta.db_table, Account._meta.db_table, Activity._meta.db_table]
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


@contextmanager
def only_rule(*conditions: tuple[str, str, int | None], record_type: str):
    """The record type's rules replaced by one, for the block only (rolled back after)."""
    with transaction.atomic():
        DuplicateRule.objects.filter(record_type=record_type).update(enabled=False)
        rule = DuplicateRule.objects.create(name="bench rule", record_type=record_type)
        for field, operator, length in conditions:
            RuleCondition.objects.create(rule=rule, field=field, operator=operator, length=length)
        yield
        transaction.set_rollback(True)


def detect_rate(context, label: str, *, at_most: int | None = None) -> Result:
    """Detection's rows per second over the active accounts, or over the first `at_most` of
    them (the rate is what is compared; a similar-name rule over a million takes hours)."""
    scope = guard.visible(Account, context.user)
    if at_most is not None:
        last = scope.filter(status="active").order_by("pk").values_list("pk", flat=True)[at_most - 1 : at_most]
        scope = scope.filter(pk__lte=last[0]) if last else scope
    started = time.perf_counter()
    groups = scan.duplicate_groups(Account, scope)
    elapsed = time.perf_counter() - started
    rows = scope.filter(status="active").count()
    return Result(
        section="duplicates",
        label=f"Detect duplicates over {rows:,} active accounts: {label}",
        samples=1,
        figures={"rows_per_s": round(rows / elapsed), "seconds": round(elapsed, 1)},
        targets=[Target("rows_per_s", at_least=DETECT_ROWS_PER_S)],
        note=f"{len(groups):,} groups",
    )


def detect_results(context) -> list[Result]:
    results = [detect_rate(context, "shipped exact rule")]
    sample = None if connection.vendor == "postgresql" else SIMILAR_DETECT_SAMPLE
    with only_rule(("name", Operator.SIMILAR, None), record_type="accounts.account"):
        results.append(detect_rate(context, "similar-name rule", at_most=sample))
    if connection.vendor == "postgresql":
        results += [similar_names_per_account(), *varied_names_result(min(context.scale, VARIED_NAMES_AT_MOST))]
    return results


def similar_names_per_account() -> Result:
    """How many active accounts each of PAIR_SAMPLE spread accounts is similar to (pg_trgm at
    the rule's threshold): the number of pairs a similar-name detection over them would list."""
    sample = [key for (key,) in spread(Account, PAIR_SAMPLE, "name_key") if key]
    counts = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
        for key in sample:
            cursor.execute(
                "SELECT count(*) - 1 FROM accounts_account WHERE name_key %% %s AND status = 'active'", [key]
            )
            counts.append(cursor.fetchone()[0])
    active = Account.objects.filter(status="active").count()
    return Result(
        section="duplicates",
        label=f"generated account names: similar active accounts per account ({len(counts)} sampled)",
        samples=len(counts),
        figures={"median": statistics.median(counts), "largest": max(counts)},
        note=f"~{statistics.mean(counts) * active / 2:,.0f} similar pairs among {active:,} active accounts",
    )


def varied_names_result(count: int) -> list[Result]:
    """Detect duplicates with a similar-name rule (scan.neighbour_pairs, the sorted
    neighbourhood) over `count` varied names in a temporary table, end to end, and how many of
    the seeded near-duplicates at least keys.SIMILARITY_THRESHOLD similar (by the Python twin
    of pg_trgm) it finds; beside it, for comparison, the exhaustive way: a trigram index probe
    per record (what the check on save does), timed over the originals of VARIED_PROBES."""
    names, seeded = varied_names(count)
    similar = RuleCondition(field="name", operator=Operator.SIMILAR)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_varied_names (id bigint, name text)")
        try:
            rows = "".join(f"{index}\t{name}\n" for index, name in enumerate(names))
            cursor.copy_expert("COPY bench_varied_names FROM STDIN", io.StringIO(rows))
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_varied_keys AS "
                f"SELECT id, {keys.NAME_KEY_FUNCTION}(name, true) AS s FROM bench_varied_names"
            )
            cursor.execute("ANALYZE bench_varied_keys")
            started = time.perf_counter()
            found = set(
                scan.neighbour_pairs(("SELECT id AS id_, s AS k0 FROM bench_varied_keys", []), [similar], print_nothing)
            )
            detect_seconds = time.perf_counter() - started
            cursor.execute("CREATE INDEX ON bench_varied_keys USING gin (s gin_trgm_ops)")
            cursor.execute("ANALYZE bench_varied_keys")
            originals = sorted({original for original, _copy in seeded[:VARIED_PROBES]})
            with transaction.atomic():
                cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
                started = time.perf_counter()
                cursor.execute(
                    "SELECT c.id, t.id FROM bench_varied_keys c JOIN bench_varied_keys t ON t.s %% c.s "
                    "AND t.id > c.id WHERE c.id = ANY(%s)",
                    [originals],
                )
                probe_ms = (time.perf_counter() - started) * 1000 / max(len(originals), 1)
        finally:
            cursor.execute("DROP TABLE IF EXISTS bench_varied_names, bench_varied_keys")
    similar_enough = [
        pair
        for pair in seeded
        if (keys.similarity(keys.name_key(names[pair[0]]), keys.name_key(names[pair[1]])) or 0)
        >= keys.SIMILARITY_THRESHOLD
    ]
    recall = sum(pair in found for pair in similar_enough) / max(len(similar_enough), 1)
    return [
        Result(
            section="duplicates",
            label=f"Detect duplicates, similar-name rule, over {count:,} varied names (sorted neighbourhood)",
            samples=1,
            figures={
                "rows_per_s": round(count / detect_seconds),
                "seconds": round(detect_seconds, 1),
                "recall_at_threshold": round(recall, 3),
            },
            targets=[Target("rows_per_s", at_least=DETECT_ROWS_PER_S)],
            note=f"{len(found):,} similar pairs; {len(similar_enough):,} seeded near-duplicates at or above the "
            f"threshold, {recall:.1%} of them found",
        ),
        Result(
            section="duplicates",
            label=f"(comparison) a trigram index probe per record over the same {count:,} names",
            samples=len(originals),
            median_ms=round(probe_ms, 1),
            figures={"rows_per_s": round(1000 / probe_ms)},
            note=f"{count * probe_ms / 1000 / 3600:.1f} h for all {count:,}: exhaustive, too slow to detect",
        ),
    ]


def print_nothing(rows: int) -> None:
    """Progress of a detection nobody watches."""


def new_contacts_rate(user, suffix: str) -> float:
    """Rows per second of an import creating IMPORT_ROWS new contacts (names repeat existing
    ones now and then, as real files do)."""
    people = list(Contact.objects.order_by("pk").values_list("first_name", "last_name")[:IMPORT_ROWS])
    plan = Plan(
        entity=entity_for(Contact),
        mapping=["first_name", "last_name", "emailaddress1"],
        duplicates="create",
        allow_duplicates=True,
        match_key="emailaddress1",
        default_owner_id=user.pk,
        by_id=user.pk,
    )
    rows = [
        (line, [f"{first}{suffix}" if line % 10 else first, last, f"bench-{suffix}-{line}@example.com"])
        for line, (first, last) in enumerate(people, start=2)
    ]
    with transaction.atomic():
        started = time.perf_counter()
        tally = Importer(plan).run(rows, on_chunk=lambda tally: None)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)  # the next round imports the same rows again
    return tally.created / elapsed


def import_result(context) -> Result:
    rates: dict[str, list[float]] = {"on": [], "off": [], "similar": []}
    for round_number in range(IMPORT_ROUNDS):
        for case in ("on", "off", "similar") if round_number % 2 == 0 else ("similar", "off", "on"):
            suffix = f"{round_number}{case}"
            if case == "on":
                rates[case].append(new_contacts_rate(context.user, suffix))
                continue
            with transaction.atomic():
                DuplicateRule.objects.filter(record_type="contacts.contact").update(enabled=False)
                if case == "similar":
                    DuplicateRule.objects.filter(record_type="contacts.contact").update(enabled=True)
                    rule = DuplicateRule.objects.create(name="bench: similar last name", record_type="contacts.contact")
                    RuleCondition.objects.create(rule=rule, field="last_name", operator=Operator.SIMILAR)
                    RuleCondition.objects.create(rule=rule, field="first_name", operator=Operator.EXACT)
                rates[case].append(new_contacts_rate(context.user, suffix))
                transaction.set_rollback(True)
    on, off, similar = (statistics.median(rates[case]) for case in ("on", "off", "similar"))
    ratio = statistics.median(a / b for a, b in zip(rates["on"], rates["off"], strict=True))
    similar_ratio = statistics.median(a / b for a, b in zip(rates["similar"], rates["off"], strict=True))
    return Result(
        section="duplicates",
        label=f"import of {IMPORT_ROWS:,} new contacts: rows/s with the shipped rules / without",
        samples=IMPORT_ROUNDS,
        figures={"ratio": round(ratio, 2), "rows_per_s": round(on), "similar_ratio": round(similar_ratio, 2)},
        targets=[Target("ratio", at_least=IMPORT_SHARE_AT_LEAST)],
        note=f"{on:,.0f} rows/s with, {off:,.0f} without, {similar:,.0f} with a similar-last-name rule added",
    )


def merge_result(context) -> Result:
    """A merge of an account holding MERGE_LINKED_ROWS linked rows (four in five activities,
    the rest contacts), in a transaction rolled back."""
    with transaction.atomic():
        master, other = Account.objects.filter(owner=context.user, status="active").order_by("pk")[:2]
        contacts = MERGE_LINKED_ROWS // 5
        Contact.objects.filter(pk__in=Contact.objects.order_by("pk").values("pk")[:contacts]).update(company=other)
        now = timezone.now()
        Activity.objects.bulk_create(
            (
                Activity(
                    kind=Kind.NOTE,
                    subject="bench",
                    regarding_account=other,
                    rollup_account=other,
                    occurred_at=now,
                    owner_id=other.owner_id,
                    owner_team_id=other.owner_team_id,
                )
                for _ in range(MERGE_LINKED_ROWS - contacts)
            ),
            batch_size=2_000,
        )
        master.refresh_from_db()
        other.refresh_from_db()
        started = time.perf_counter()
        linked = linked_rows(other)
        counted = time.perf_counter()
        services.records_merge(
            master=master,
            other=other,
            keep_other=set(),
            versions={master.pk: master.version, other.pk: other.version},
            by=context.user,
        )
        finished = time.perf_counter()
        transaction.set_rollback(True)
    merge_ms = (finished - counted) * 1000
    return Result(
        section="duplicates",
        label=f"merge of an account with {linked:,} linked rows (activities, contacts)",
        samples=1,
        median_ms=round(merge_ms, 1),
        figures={"ms_per_row": round(merge_ms / linked, 3), "count_ms": round((counted - started) * 1000, 1)},
        note="sets MERGE_IN_REQUEST_MAX_ROWS: larger merges go to the worker",
    )
