"""Recent and pinned records: which models are tracked, the per-user lists the navigation
shows, and the few writes behind them.

Every registered record type (crm.registry) is tracked: a successful GET of
`accounts:detail` moves that account to the top of the user's Recent list
(crm.middleware.RecentItemsMiddleware does the call). The write comes after the page, so
that a page that fails records nothing; the page itself already shows the record at the top
(for a view that answers with a TemplateResponse, as generic views do).

Deleted records are filtered out when the lists are read, not cleaned up by each delete path:
the same query that reads the names tells which records are gone, so every way of deleting
(a form, a bulk action, the admin, a later app's cascade) is covered without each one knowing
about recent items, and a delete never has to write into other users' lists. The rows left
behind are reused first when a list is full, and purged when the pin limit is reached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, cached_property

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import CharField, Exists, F, IntegerField, Value
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from crm import registry
from crm.choices import Status
from crm.models import RecentItem
from crm.registry import RecordType
from crm.services import commit_without_waiting_for_disk, execute_without_waiting_for_disk

RECENT_LIMIT = 20
PINNED_LIMIT = 20


@dataclass(frozen=True)
class RecentEntry:
    """One line of the Recent or Pinned list, as the templates show it."""

    record_type: RecordType
    object_id: int
    label: str
    inactive: bool
    opened_at: datetime
    pinned_at: datetime | None
    type_name: str

    @property
    def key(self) -> tuple[str, int]:
        return self.record_type.namespace, self.object_id

    @property
    def url(self) -> str:
        return reverse(f"{self.record_type.namespace}:detail", args=[self.object_id])

    @property
    def pinned(self) -> bool:
        return self.pinned_at is not None


def rows_with_record_columns(user) -> list[RecentItem]:
    """The user's rows, newest opened first, each with its record's name and status
    (`record_label`, `record_status`), in one query.

    A record that no longer exists, or that `user` may no longer read, gets no name (None);
    that is how deleted ones are told apart, and lost access hides a line the same way.
    """
    sql, params = rows_query(user)
    rows = list(RecentItem.objects.raw(sql, params))
    for row in rows:
        row.record_status = row.record_status or ""
    return rows


# The SQL of rows_with_record_columns, by user and access scope. The names come from one plain
# query per record type glued with UNION ALL, each carrying the user's access filter and reading
# the ids from the user's own rows: building those with the ORM on every page cost ~1.5 ms of
# Python; the SQL depends only on the user and their scope, so it is built once for both.
ROWS_QUERIES: dict[tuple, tuple[str, tuple]] = {}
ROWS_QUERIES_MAX = 2048


def rows_query(user) -> tuple[str, tuple]:
    from access import guard
    from access.models import Privilege

    types = registry.all_types()
    scopes = [guard.branches_of_user(entry.model, user, Privilege.READ) for entry in types]
    key = (user.pk, tuple(tuple(scope) if scope is not None else None for scope in scopes))
    known = ROWS_QUERIES.get(key)
    if known is None:
        if len(ROWS_QUERIES) >= ROWS_QUERIES_MAX:
            ROWS_QUERIES.clear()
        # A type the user may read nothing of has no names to look up (its query is empty).
        readable = [entry for entry, scope in zip(types, scopes, strict=True) if scope != []]
        known = ROWS_QUERIES[key] = build_rows_query(user, readable)
    return known


def build_rows_query(user, types: list[RecordType]) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    table = quote(RecentItem._meta.db_table)
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in RecentItem._meta.concrete_fields)
    user_id, opened_at, row_id = (f"{table}.{quote(column)}" for column in ("user_id", "opened_at", "id"))
    where = f"WHERE {user_id} = %s ORDER BY {opened_at} DESC, {row_id} DESC"
    if not types:
        return f"SELECT {columns}, NULL AS record_label, NULL AS record_status FROM {table} {where}", (user.pk,)
    own = RecentItem.objects.filter(user=user)
    parts = [
        entry.records_for(user)
        .filter(pk__in=own.filter(content_type=entry.content_type).values("object_id"))
        .order_by()
        .annotate(
            listed_type=Value(entry.content_type.pk, output_field=IntegerField()),
            listed_id=F("pk"),
            listed_label=F(entry.label_field),
            listed_status=F(entry.status_field) if entry.status_field else Value("", output_field=CharField()),
        )
        .values_list("listed_type", "listed_id", "listed_label", "listed_status")
        for entry in types
    ]
    names = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    names_sql, names_params = names.query.sql_with_params()
    sql = (
        f"SELECT {columns}, names.listed_label AS record_label, names.listed_status AS record_status "
        f"FROM {table} LEFT JOIN ({names_sql}) names "
        f"ON names.listed_type = {table}.{quote('content_type_id')} AND names.listed_id = {table}.{quote('object_id')} "
        f"{where}"
    )
    return sql, (*names_params, user.pk)


class RecentLists:
    """A user's Recent and Pinned lists, read with one query the first time either is used."""

    def __init__(self, user):
        self.user = user
        # The record this request's page shows, listed first before its opening is written.
        self.opening: RecentEntry | None = None

    @cached_property
    def rows(self) -> list[RecentItem]:
        """Every row of the user, deleted records included (the opening write reuses those)."""
        if not self.user.is_authenticated:
            return []
        return rows_with_record_columns(self.user)

    @cached_property
    def entries(self) -> list[RecentEntry]:
        """The lines of both lists, newest opened first; `opening`, if any, at the top."""
        stored = self.stored_entries
        if self.opening is None:
            return stored
        opening = self.opening
        listed = next((entry for entry in stored if entry.key == opening.key), None)
        if listed is not None:
            opening = replace(opening, pinned_at=listed.pinned_at)
        return [opening, *(entry for entry in stored if entry.key != opening.key)]

    @cached_property
    def stored_entries(self) -> list[RecentEntry]:
        by_content_type = {entry.content_type.pk: entry for entry in registry.all_types()}
        # Type names are translated once here, not once per line of the lists.
        type_names = {content_type: str(entry.type_name) for content_type, entry in by_content_type.items()}
        return [
            RecentEntry(
                record_type=by_content_type[row.content_type_id],
                type_name=type_names[row.content_type_id],
                object_id=row.object_id,
                label=row.record_label,
                inactive=row.record_status == Status.INACTIVE,
                opened_at=row.opened_at,
                pinned_at=row.pinned_at,
            )
            for row in self.rows
            if row.record_label is not None and row.content_type_id in by_content_type
        ]

    def show_opening(self, record_type: RecordType, record: models.Model) -> None:
        """List `record` as opened now, first, on the page that opens it: the write that
        records the opening waits until the page has rendered fine."""
        status_field = record_type.status_field
        inactive = status_field is not None and getattr(record, status_field) == Status.INACTIVE
        self.opening = RecentEntry(
            record_type=record_type,
            type_name=str(record_type.type_name),
            object_id=record.pk,
            label=getattr(record, record_type.label_field),
            inactive=inactive,
            opened_at=timezone.now(),
            pinned_at=None,
        )
        self.__dict__.pop("entries", None)  # read already if the view asked for the pin state

    @property
    def recent(self) -> list[RecentEntry]:
        return [entry for entry in self.entries if not entry.pinned][:RECENT_LIMIT]

    @property
    def pinned(self) -> list[RecentEntry]:
        pinned = [entry for entry in self.entries if entry.pinned]
        return sorted(pinned, key=lambda entry: entry.pinned_at, reverse=True)

    def is_pinned(self, namespace: str, object_id: int) -> bool:
        return any(entry.pinned and entry.key == (namespace, object_id) for entry in self.entries)


def lists_for(request: HttpRequest) -> RecentLists:
    """The request's lists, shared by the navigation, the page and the middleware."""
    if not hasattr(request, "_recent_lists"):
        # Pages refused before authentication ran (a 400 for an unknown Host) have no user.
        request._recent_lists = RecentLists(getattr(request, "user", None) or AnonymousUser())
    return request._recent_lists


def pin_state(request: HttpRequest, namespace: str, object_id: int) -> bool | None:
    """Whether a record's page shows Pin (False) or Unpin (True); None if it isn't tracked."""
    if registry.get(namespace) is None:
        return None
    return lists_for(request).is_pinned(namespace, object_id)


def recent_item_open(*, lists: RecentLists, record_type: RecordType, object_id: int) -> None:
    """Move a record to the top of the user's Recent list, with one small write.

    `lists.rows` (usually read already, for the navigation of the same page) says whether the
    record is listed and whether the list is full. A full list reuses its oldest row instead
    of inserting and then deleting, so the bound costs no second write.
    """
    content_type, now = record_type.content_type, timezone.now()
    listed = any(row.content_type_id == content_type.pk and row.object_id == object_id for row in lists.rows)
    unpinned = [row for row in lists.rows if row.pinned_at is None]
    if listed or len(unpinned) < RECENT_LIMIT:
        # Every opening of a record page writes this: one statement, one round trip.
        record_opening(lists.user, content_type, object_id, now)
        return
    with commit_without_waiting_for_disk():
        # Rows of deleted records go first, then the oldest.
        oldest = min(unpinned, key=lambda row: (row.record_label is not None, row.opened_at, row.pk))
        if not _reuse_row(oldest, user=lists.user, content_type=content_type, object_id=object_id, opened_at=now):
            record_opening(lists.user, content_type, object_id, now)


def record_opening(user, content_type: ContentType, object_id: int, opened_at: datetime) -> None:
    opened_at = connection.ops.adapt_datetimefield_value(opened_at)
    execute_without_waiting_for_disk(opening_upsert(), (user.pk, content_type.pk, object_id, opened_at))


@cache
def opening_upsert() -> str:
    """List a record as opened at a time: a new row, or the listed row's time moved (its pin
    kept). The same SQL on PostgreSQL and SQLite (3.24+)."""
    quote = connection.ops.quote_name
    table = RecentItem._meta.db_table
    user, content_type, object_id, opened_at, pinned_at = (
        quote(RecentItem._meta.get_field(name).column)
        for name in ("user", "content_type", "object_id", "opened_at", "pinned_at")
    )
    return (
        f"INSERT INTO {quote(table)} ({user}, {content_type}, {object_id}, {opened_at}, {pinned_at}) "
        f"VALUES (%s, %s, %s, %s, NULL) ON CONFLICT ({user}, {content_type}, {object_id}) "
        f"DO UPDATE SET {opened_at} = excluded.{opened_at}"
    )


def _reuse_row(row: RecentItem, *, user, content_type: ContentType, object_id: int, opened_at: datetime) -> bool:
    """Point the row at the opened record, unless another tab pinned the row or listed the
    record since `row` was read; then the caller's upsert does the right thing instead."""
    listed_meanwhile = RecentItem.objects.for_user(user).filter(content_type=content_type, object_id=object_id)
    reused = (
        RecentItem.objects.filter(pk=row.pk, pinned_at__isnull=True)
        .exclude(Exists(listed_meanwhile))
        .update(content_type=content_type, object_id=object_id, opened_at=opened_at)
    )
    return reused == 1


class PinLimitReached(Exception):
    pass


def recent_item_pin(*, user, record_type: RecordType, object_id: int) -> None:
    """Pin a record (listing it if needed). Refuses a pin beyond PINNED_LIMIT."""
    content_type = record_type.content_type
    pinned = RecentItem.objects.for_user(user).pinned()
    others = pinned.exclude(content_type=content_type, object_id=object_id)
    if others.count() >= PINNED_LIMIT:
        purge_missing_records(user=user)
        if others.count() >= PINNED_LIMIT:
            raise PinLimitReached
    if pinned.filter(content_type=content_type, object_id=object_id).exists():
        return
    now = timezone.now()
    RecentItem.objects.bulk_create(
        [RecentItem(user=user, content_type=content_type, object_id=object_id, opened_at=now, pinned_at=now)],
        update_conflicts=True,
        unique_fields=["user", "content_type", "object_id"],
        update_fields=["pinned_at"],
    )


def recent_item_unpin(*, user, record_type: RecordType, object_id: int) -> None:
    """Unpin a record: it goes back to Recent, where only the newest RECENT_LIMIT stay."""
    items = RecentItem.objects.for_user(user)
    items.filter(content_type=record_type.content_type, object_id=object_id).update(pinned_at=None)
    newest = items.unpinned().order_by("-opened_at", "-pk").values_list("pk", flat=True)[:RECENT_LIMIT]
    items.unpinned().exclude(pk__in=list(newest)).delete()


def purge_missing_records(*, user) -> int:
    """Delete the user's rows whose record was deleted; returns how many went."""
    purged = 0
    items = RecentItem.objects.for_user(user)
    for entry in registry.all_types():
        existing = entry.model._default_manager.order_by().values("pk")
        purged += items.filter(content_type=entry.content_type).exclude(object_id__in=existing).delete()[0]
    return purged
