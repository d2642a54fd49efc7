"""The "duplicates" benchmark section (issue 19): what duplicate detection adds to a save.

- the exact rules on save: the Possible duplicates check of a new account named like an
  existing one (one probe of the name key's index), and of a new contact (first + last name
  and email rules, two probes);
- the similar-name rule (pg_trgm on the name key at threshold 0.6 on PostgreSQL, its Python
  twin on SQLite), enabled for the run only.
Each figure is the check alone, as the signed-in benchmark user, the median and p95 of
`repeat` rounds over a spread of names.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction

from accounts.models import Account
from bench.timing import Result, SQLTimer, Target, percentile
from contacts.models import Contact
from duplicates import detection
from duplicates.models import DuplicateRule, Operator, RuleCondition

EXACT_P95_MS = 5
SIMILAR_P95_MS = 50
PROBES = 20  # different existing names per round


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
    return results
