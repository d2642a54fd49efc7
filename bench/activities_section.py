"""`make bench` section "activities": the timeline of an account with many activities (its
contacts' included) and My Open Activities, at 10 activities per account by default, read by
the benchmark's administrator and then by the access section's Salesperson (its organisation is
set up first if it isn't there).

BENCH_ACTIVITIES sets how many activities to generate (default 10 x SCALE; 10M at 1M accounts);
the busiest account gets min(100,000, a tenth of them), half about its contacts. Generation is
one INSERT ... SELECT over a generated series, then VACUUM ANALYZE: on PostgreSQL 10M took
about 4.7 minutes on this machine (index upkeep included) and 3.3 GB (table and indexes);
later runs reuse the rows.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from activities.models import Activity
from activities.timeline import PAGE_SIZE as TIMELINE_PAGE
from activities.timeline import cursor_of
from bench.timing import Result, Scenario, Target, measure
from contacts.models import Contact

TIMELINE_P95_MS = 30  # the list target: first page of a timeline or of My Open Activities
TIMELINE_QUERIES = 20  # the whole record page, timeline included: constant whatever the count
PAGE_TARGETS = [Target("p95_ms", at_most=TIMELINE_P95_MS), Target("queries", at_most=TIMELINE_QUERIES)]
HOT_ACCOUNT_MAX = 100_000


def wanted_activities(scale: int) -> int:
    return int(os.environ.get("BENCH_ACTIVITIES", 10 * scale))


def series(count: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {int(count)}) AS g"
    return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {int(count)}) SELECT n FROM s"


def minutes_ago(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"now() - ({expression}) * interval '1 minute'"
    return f"datetime('now', '-' || ({expression}) || ' minutes')"


def insert_activities(*, count: int, account_sql: str, contact_sql: str, owner_id: int, other_owner_id: int) -> None:
    """`count` activities; `account_sql` / `contact_sql` are SQL of n giving the regarding row.
    One in eleven is `owner_id`'s (My Activities, Home), the others a colleague's (every
    activity has exactly one owner). Eleven, prime to the five kinds and the three states
    taken by n: with one in ten, every activity of `owner_id` was an open or completed note,
    and Home's tasks and appointments were never measured."""
    table = Activity._meta.db_table
    sql = f"""
        INSERT INTO {table} (kind, subject, body, state, priority, due_at, location, direction, phone_number,
                             occurred_at, modified_on, regarding_account_id, regarding_contact_id, rollup_account_id,
                             owner_id)
        SELECT CASE n % 5 WHEN 0 THEN 'note' WHEN 1 THEN 'task' WHEN 2 THEN 'phone_call' WHEN 3 THEN 'email'
                          ELSE 'appointment' END,
               'Activity ' || n, '', CASE WHEN n % 3 = 0 THEN 'open' ELSE 'completed' END, 'normal',
               {minutes_ago("n % 20000 - 10000")}, '', 'outgoing', '',
               {minutes_ago("n")}, {minutes_ago("n")},
               {account_sql}, {contact_sql}, COALESCE({account_sql}, (SELECT company_id FROM {Contact._meta.db_table}
                                                                       WHERE id = {contact_sql})),
               CASE WHEN n % 11 = 0 THEN {int(owner_id)} ELSE {int(other_owner_id)} END
        FROM ({series(count)}) AS numbers
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)


def ensure_activities(context) -> Account:
    """The busiest account, generating the activities first if they aren't there yet."""
    wanted = wanted_activities(context.scale)
    hot = Account.objects.order_by("pk").first()
    if Activity.objects.count() >= wanted:
        return hot
    context.log(f"Generating {wanted:,} activities...")
    colleague = (
        get_user_model().objects.filter(username__startswith="bench-teammate-").order_by("pk").first() or context.user
    )
    owners = {"owner_id": context.user.pk, "other_owner_id": colleague.pk}
    Activity.objects.all().delete()
    hot_count = min(HOT_ACCOUNT_MAX, wanted // 10)
    contact_ids = list(Contact.objects.filter(company=hot).values_list("pk", flat=True)[:1]) or [None]
    insert_activities(count=hot_count // 2, account_sql=str(hot.pk), contact_sql="NULL", **owners)
    # The other half about one of its contacts, or about the account too if it has none (the
    # total must reach `wanted`, or every run would generate the rows again).
    insert_activities(
        count=hot_count - hot_count // 2,
        account_sql="NULL" if contact_ids[0] is not None else str(hot.pk),
        contact_sql=str(contact_ids[0]) if contact_ids[0] is not None else "NULL",
        **owners,
    )
    ids = Account.objects.order_by("pk").values_list("pk", flat=True)
    first, last = ids[0], ids.reverse()[0]
    insert_activities(
        count=wanted - hot_count,
        account_sql=f"({first} + n % {last - first + 1})",
        contact_sql="NULL",
        **owners,
    )
    with connection.cursor() as cursor:
        # VACUUM too: with autovacuum off (this shared server) the visibility map of fresh rows
        # stays empty, and My Activities' capped count then reads 5,000 heap rows instead of
        # the index alone (21 ms instead of ~2 at 10M).
        vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        cursor.execute(f"{vacuum} {Activity._meta.db_table}")
    return hot


def activities_section(context) -> list[Result]:
    hot = ensure_activities(context)
    timeline = reverse("accounts:detail", args=[hot.pk])
    first_page = list(
        Activity.objects.on_timeline_of(hot, context.user).order_by("-occurred_at", "-id")[:TIMELINE_PAGE]
    )
    scenarios = [
        Scenario("account page, timeline of the busiest account (rollup)", timeline, PAGE_TARGETS),
        Scenario("account timeline, overdue only", f"{timeline}?state=overdue", PAGE_TARGETS),
        Scenario("My Open Activities, first page", reverse("activities:list"), PAGE_TARGETS),
        Scenario("Home: my overdue and today's tasks and appointments", reverse("home"), PAGE_TARGETS),
        Scenario("My Overdue Activities, first page", reverse("activities:list") + "?view=overdue", PAGE_TARGETS),
    ]
    more = f"{timeline}?{urlencode({'before': cursor_of(first_page[-1])})}" if len(first_page) == TIMELINE_PAGE else ""
    if more:
        scenarios.append(Scenario("account timeline, Show more", more, PAGE_TARGETS))
    # What the page's script fetches when a filter changes or Show more is clicked: the
    # timeline alone (X-Fragment), the record looked up with the user's access as for the page.
    alone = {"X-Fragment": "timeline"}
    scenarios += [
        Scenario("the timeline alone (script), first page", timeline, PAGE_TARGETS, headers=alone),
        Scenario("the timeline alone (script), overdue only", f"{timeline}?state=overdue", PAGE_TARGETS, headers=alone),
    ]
    if more:
        scenarios.append(Scenario("the timeline alone (script), Show more", more, PAGE_TARGETS, headers=alone))
    results = measure(context.client, "activities", scenarios, repeat=context.repeat)
    return results + salesperson_results(context, hot, timeline)


def salesperson_results(context, hot: Account, timeline: str) -> list[Result]:
    """The same account page as the access section's Salesperson reads it: a unit, two teams
    and shares, so the page's related lists and the timeline's contacts carry access filters
    (the administrator above reads everything, the cheapest case)."""
    from access import guard
    from bench.access_section import SALESPERSON_USER, ensure_bench_organisation

    salesperson = ensure_bench_organisation(context.log)["Salesperson"]
    if not guard.visible(Account.objects.filter(pk=hot.pk), salesperson).exists():
        context.log(f"  {SALESPERSON_USER} may not read the busiest account: not measured")
        return []
    client = Client()
    client.force_login(salesperson)
    scenarios = [
        Scenario("Salesperson: account page, timeline of the busiest account", timeline, PAGE_TARGETS),
        Scenario("Salesperson: My Open Activities, first page", reverse("activities:list"), PAGE_TARGETS),
    ]
    return measure(client, "activities", scenarios, repeat=context.repeat)
