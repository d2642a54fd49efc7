"""The "why" benchmark section: "Why can I see this?" on one account, read by a System
Administrator (who sees everyone's answer) in an organisation of WHY_USERS active users, on a
cold access cache (the access version bumped before every request, as after any change to
roles, teams or units).

The users are spread over the benchmark's business units and teams with the ready-made roles;
the account is shared with a few of them and with a team.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import RecordShare, ShareRight, Team, UserAccess
from access.roles import READ_ONLY, SALES_MANAGER, SALESPERSON
from access.scope import bump_version
from access.services import user_place
from accounts.models import Account
from bench.access_section import bench_units
from bench.timing import Result, SQLTimer, percentile

WHY_USERS = 400
TEAMS = 50
SHARED_WITH = 10


def ensure_why_organisation(log) -> list:
    """WHY_USERS active users in all (the benchmark's own included), made once."""
    users = get_user_model()
    units = list(bench_units().values())
    teams = [
        Team.objects.get_or_create(
            name=f"Bench team {number:02d}", defaults={"business_unit": units[number % len(units)]}
        )[0]
        for number in range(1, TEAMS + 1)
    ]
    missing = WHY_USERS - users.objects.filter(is_active=True).count()
    if missing > 0:
        log(f"  why: adding {missing} users...")
        start = users.objects.filter(username__startswith="bench-why-").count()
        for number in range(start, start + missing):
            user = users.objects.create(username=f"bench-why-{number:03d}", first_name="Why", last_name=f"{number:03d}")
            role = READ_ONLY if number % 50 == 0 else SALES_MANAGER if number % 10 == 0 else SALESPERSON
            user_place(user, unit=units[number % len(units)], roles=[role])
            teams[number % TEAMS].members.add(user)
    return teams


def why_section(context) -> list[Result]:
    teams = ensure_why_organisation(context.log)
    account = Account.objects.filter(owner__isnull=False).order_by("pk").first()
    content_type = ContentType.objects.get_for_model(Account)
    if not RecordShare.objects.filter(content_type=content_type, object_id=account.pk).exists():
        placed = UserAccess.objects.exclude(user=account.owner).order_by("user_id")[:SHARED_WITH]
        RecordShare.objects.bulk_create(
            [
                RecordShare(content_type=content_type, object_id=account.pk, user_id=p.user_id, rights=ShareRight.READ)
                for p in placed
            ]
            + [RecordShare(content_type=content_type, object_id=account.pk, team=teams[0], rights=ShareRight.READ)]
        )
    url = reverse("access:why", args=["accounts.account", account.pk])
    people = get_user_model().objects.filter(is_active=True).count()
    samples, sql = [], []
    for _ in range(min(context.repeat, 20)):
        bump_version()  # every user's cached access is stale: the cold case
        timer = SQLTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = context.client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        sql.append(timer.seconds * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    bump_version()
    with CaptureQueriesContext(connection) as queries:
        context.client.get(url)
    return [
        Result(
            section="why",
            label=f"Why can I see this? {people} users, cold cache",
            url=url,
            median_ms=round(statistics.median(samples), 2),
            p95_ms=round(percentile(samples, 0.95), 2),
            queries=len(queries.captured_queries),
            sql_ms=round(statistics.median(sql), 2),
            samples=len(samples),
        )
    ]
