"""A record's timeline: its activities newest first, a page at a time by keyset (never a deep
OFFSET), filtered by kind and state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import TupleLessThan
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Kind

PAGE_SIZE = 20

STATE_FILTERS = {
    "open": _("Open"),
    "overdue": _("Overdue"),
    "closed": _("Closed"),
}


def cursor_of(activity: Activity) -> str:
    return f"{activity.occurred_at.isoformat()}_{activity.pk}"


def parse_cursor(raw: str) -> tuple[datetime, int] | None:
    moment, _sep, pk = raw.rpartition("_")
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if not pk.isdigit() or timezone.is_naive(when):
        return None
    return when, int(pk)


@dataclass
class Timeline:
    entries: list[Activity]
    next_cursor: str | None
    kind: str
    state: str
    search: str


def filtered(activities: QuerySet, params: QueryDict) -> tuple[QuerySet, str, str, str]:
    kind = params.get("kind", "")
    state = params.get("state", "")
    search = params.get("q", "").strip()
    if search:
        # Within one record's timeline: a short index range, read without a text index.
        activities = activities.filter(Q(subject__icontains=search) | Q(body__icontains=search))
    if kind in Kind.values:
        activities = activities.filter(kind=kind)
    else:
        kind = ""
    if state == "open":
        activities = activities.open()
    elif state == "overdue":
        activities = activities.overdue()
    elif state == "closed":
        activities = activities.closed()
    else:
        state = ""
    return activities, kind, state, search


def timeline_page(activities: QuerySet, params: QueryDict) -> Timeline:
    """One page of `activities` (already scoped to the record and the user) after the cursor."""
    activities, kind, state, search = filtered(activities, params)
    cursor = parse_cursor(params.get("before", ""))
    if cursor is not None:
        activities = activities.filter(TupleLessThan((F("occurred_at"), F("id")), cursor))
    rows = list(activities.with_timeline_columns().order_by("-occurred_at", "-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Timeline(
        entries=rows, next_cursor=cursor_of(rows[-1]) if more else None, kind=kind, state=state, search=search
    )
