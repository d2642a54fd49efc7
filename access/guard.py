"""The one access helper every read and write of a record goes through (the healthchecks way:
one read helper, one write helper).

    guard.visible(Account, user, Privilege.READ)     # a queryset: only what the user may read
    guard.require(account, user, Privilege.WRITE)    # 404 if unreadable, 403 with the reason

A scope is a few branches, one per access path (a business unit, my own records, one of my
teams, shared with me). They are OR-ed for ordinary filtering, and kept on the queryset so
that list pages can read one ordered, limited query per branch glued with UNION
(crm.lists.rows_by_id): an OR across paths makes the database walk the list index row by row,
measured 1000x slower at a million rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Func, Model, Q, QuerySet, Value
from django.db.models.sql.where import AND, OR, WhereNode
from django.http import Http404
from django.utils.translation import gettext as _

from access.models import SHARE_RIGHT_OF, Depth, Privilege, RecordShare
from access.registry import is_registered
from access.scope import EffectiveAccess, access_of, accesses_of

# The keys, in a queryset's hints, of the branches its access filter is made of, and of where
# that filter (their OR) sits among the conditions of its WHERE.
BRANCHES = "access_branches"
SCOPE_AT = "access_scope_at"


class SharedWith(Func):
    """True for a record shared with the user or one of their teams with `right`: an EXISTS
    on the share table, correlated to the record's id (which Django relabels wherever the
    record's table sits in a query).

    Written as SQL rather than a queryset: every scoped queryset of a page (the list, its
    count, the Recent names, a record's checks) carries it, and Django re-resolved and
    re-compiled the queryset form each time, about 0.9 ms of Python per use. EXISTS rather
    than `id IN (the user's shares)`: inside the OR of a scope, IN was always run by hashing
    every share the user has (2,000 for the benchmark's Salesperson, ~0.7 ms a query) even
    to check one record, where EXISTS lets PostgreSQL probe the share index for the few rows
    a record page asks about, and still hash when a query reads many rows."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, content_type_id: int, user_id: int, team_ids: tuple[int, ...], right: int):
        super().__init__(F("pk"))
        self.share = (content_type_id, user_id, tuple(team_ids), right)

    def as_sql(self, compiler, connection, **extra):
        record, record_params = compiler.compile(self.source_expressions[0])
        content_type_id, user_id, team_ids, right = self.share
        quote = connection.ops.quote_name
        share = quote("crm_share")
        team_test = f" OR {share}.team_id IN ({', '.join(['%s'] * len(team_ids))})" if team_ids else ""
        sql = (
            f"EXISTS (SELECT 1 FROM {quote(RecordShare._meta.db_table)} {share} "
            f"WHERE {share}.content_type_id = %s AND {share}.object_id = {record} "
            f"AND ({share}.user_id = %s{team_test}) AND {share}.rights & %s = %s)"
        )
        return sql, (content_type_id, *record_params, user_id, *team_ids, right, right)


def shared_with(model: type[Model], access: EffectiveAccess, right: int) -> SharedWith:
    """The records of `model` shared with the user or one of their teams with `right`."""
    team_ids = tuple(sorted(access.team_ids)) if access.team_units else ()
    return SharedWith(ContentType.objects.get_for_model(model).pk, access.user_id, team_ids, right)


def branches(model: type[Model], access: EffectiveAccess, privilege: str) -> list[Q] | None:
    """The access paths through which `privilege` reaches `model` records; None for all of them."""
    depth = access.depth(model, privilege)
    units = access.units_at(depth)
    if units is None:
        return None
    found = [Q(business_unit_id=unit) for unit in sorted(units)]
    if depth >= Depth.USER:
        # A record's business unit follows its owner's: own and team records in a unit
        # already reached need no branch of their own.
        if access.business_unit_id not in units:
            found.append(Q(owner_id=access.user_id))
        found += [Q(owner_team_id=team) for team, unit in sorted(access.team_units.items()) if unit not in units]
        right = SHARE_RIGHT_OF.get(privilege)
        if right is not None:
            found.append(Q(shared_with(model, access, right)))
    return found


def branches_of_user(model: type[Model], user, privilege: str) -> list[Q] | None:
    """branches(), built once per request: a page scopes several querysets the same way."""
    if user is None or not user.is_authenticated:
        return branches(model, access_of(user), privilege)
    memo = getattr(user, "_crm_branches", None)
    if memo is None:
        memo = {}
        user._crm_branches = memo
    key = (model, privilege)
    if key not in memo:
        memo[key] = branches(model, access_of(user), privilege)
    return memo[key]


def visible(model_or_queryset, user, privilege: str = Privilege.READ) -> QuerySet:
    """The records (of a model, or among a queryset) on which `user` holds `privilege`."""
    if isinstance(model_or_queryset, QuerySet):
        queryset, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    paths = branches_of_user(model, user, privilege)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    scoped = filtered(queryset, ("scope", tuple(paths)), lambda: reduce(or_, paths))
    scoped._hints = {**scoped._hints, BRANCHES: paths, SCOPE_AT: len(scoped.query.where.children) - 1}
    return scoped


# WHERE nodes of access conditions, as Django built them for a plain query of their model, by
# model and condition. Building one (field lookups, the shares subquery) cost ~0.1 ms of Python
# a branch each time a page scoped a queryset, several times a page; a node depends only on its
# condition, so users with the same access share it. Bounded: emptied when full.
RESOLVED: dict[tuple, WhereNode] = {}
RESOLVED_MAX = 4096


def filtered(queryset: QuerySet, key: tuple, condition) -> QuerySet:
    """queryset.filter(condition()), with the condition's WHERE node built once per model and
    `key` (which must identify the condition) and added as built."""
    query = queryset.query
    if query.is_sliced or query.combinator or (query.alias_map and query.base_table != queryset.model._meta.db_table):
        return queryset.filter(condition())  # the usual path (and its errors) for anything unusual
    key = (queryset.model, *key)
    node = RESOLVED.get(key)
    if node is None:
        if len(RESOLVED) >= RESOLVED_MAX:
            RESOLVED.clear()
        node = RESOLVED[key] = QuerySet(queryset.model).filter(condition()).query.where
    chained = queryset._chain()
    chained.query.get_initial_alias()  # as filter() does: the base table is referenced
    chained.query.where.add(node.clone(), AND)
    return chained


def may_append(source: Model | type[Model], user) -> bool:
    """Whether `user` may link `source` to other records (choose its company, parent,
    manager): Append on that very record, or, for a record not saved yet (which its creator
    will own), Append on its record type at any depth."""
    if isinstance(source, type) or source.pk is None:
        model = source if isinstance(source, type) else type(source)
        return access_of(user).depth(model, Privilege.APPEND) > Depth.NONE
    return allows(source, user, Privilege.APPEND)


def linkable(queryset: QuerySet, user, *, source: Model | type[Model] | None = None) -> QuerySet:
    """The records of `queryset` that `user` may link `source` (a record, or a new record of
    a type) to: each one they may read and append to, provided they may append `source`."""
    if source is not None and not may_append(source, user):
        return queryset.none()
    return visible(visible(queryset, user, Privilege.READ), user, Privilege.APPEND_TO)


@dataclass
class Seen:
    """Linked records as a user may learn of them: those they can read, and how many others."""

    records: QuerySet
    hidden: int
    counted: Callable[[], int]

    @functools.cached_property
    def count(self) -> int:
        """How many they may read: counted when asked (a page that lists them may not ask)."""
        return self.counted()


def seen(queryset: QuerySet, user) -> Seen:
    """The records of `queryset` that `user` may read, how many, and how many they may not:
    a page names only the first and counts the others ("2 other contacts you can't see").
    One count query: both figures in one pass, the readable ones filtered by the scope; for a
    user who reads them all, none until the count is asked for."""
    records = visible(queryset, user)
    paths = branches_of_user(queryset.model, user, Privilege.READ)
    if paths is None:
        return Seen(records=records, hidden=0, counted=queryset.count)
    if not paths:
        return Seen(records=records, hidden=queryset.count(), counted=lambda: 0)
    counts = queryset.aggregate(total=Count("pk"), readable=Count("pk", filter=reduce(or_, paths)))
    return Seen(records=records, hidden=counts["total"] - counts["readable"], counted=lambda: counts["readable"])


@dataclass
class Listed:
    """The first readable records of a linked list, as a page shows them."""

    records: list
    count: int  # readable
    hidden: int


def readable_flag(model: type[Model], user) -> ExpressionWrapper | Value | None:
    """True on the rows of `model` that `user` may read, to be read with them (annotate): a
    page that reads linked rows anyway learns which it may name without a query of its own.
    None for a user who reads every one."""
    paths = branches_of_user(model, user, Privilege.READ)
    if paths is None:
        return None
    if not paths:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(reduce(or_, paths), output_field=BooleanField())


def listed(queryset: QuerySet, user, *, limit: int) -> Listed:
    """The first `limit` records of `queryset` (in its order) that `user` may read, how many
    they may read and how many they may not ("2 other contacts you can't see").

    A record's related lists (an account's contacts and sub-accounts, a contact's reports)
    mostly fit in `limit`: then one query reads them all with whether each is readable, and
    the unreadable ones are only counted. A longer list is counted and listed apart (seen())."""
    flag = readable_flag(queryset.model, user)
    if flag is None:
        records = list(queryset[:limit])
        return Listed(records, len(records) if len(records) < limit else queryset.count(), 0)
    rows = list(queryset.annotate(crm_readable=flag)[: limit + 1])
    if len(rows) <= limit:
        records = [row for row in rows if row.crm_readable]
        return Listed(records, len(records), len(rows) - len(records))
    found = seen(queryset, user)
    return Listed(list(found.records[:limit]), found.count, found.hidden)


def unreadable_links(record: Model, user, known: dict[tuple[type[Model], int], bool] | None = None) -> set[str]:
    """The names of `record`'s links (company, parent, manager...) to records `user` may not
    read: a page shows those as a record they can't see, never by name. One query per
    linked record type, for the links whose readability isn't `known` already ({(model, id):
    readable}, as readable_flag() gave it with the linked rows)."""
    known = known or {}
    wanted: dict[type[Model], dict[int, list[str]]] = {}
    for field in type(record)._meta.concrete_fields:
        target = field.related_model if field.many_to_one else None
        linked_id = getattr(record, field.attname) if target is not None else None
        if linked_id is not None and is_registered(target):
            wanted.setdefault(target, {}).setdefault(linked_id, []).append(field.name)
    hidden: set[str] = set()
    for model, links in wanted.items():
        unknown = [linked_id for linked_id in links if (model, linked_id) not in known]
        unreadable = unreadable_ids(model, unknown, user)
        for linked_id, names in links.items():
            if linked_id in unreadable or not known.get((model, linked_id), True):
                hidden.update(names)
    return hidden


def reads_every(model: type[Model], user) -> bool:
    """Whether `user` may read every record of `model` (no query: their access, cached)."""
    return branches_of_user(model, user, Privilege.READ) is None


def unreadable_ids(model: type[Model], ids, user) -> set[int]:
    """The ids among `ids` of `model` records that `user` may not read: one query, none for a
    user who reads every record of the type."""
    ids = set(ids)
    if not ids or reads_every(model, user):
        return set()
    return ids - set(visible(model, user).filter(pk__in=ids).values_list("pk", flat=True))


def unseen_label() -> str:
    """What a page shows instead of the name of a linked record the reader may not read."""
    return _("A record you can't see")


def readable_names(model: type[Model], ids, user) -> dict[int, str] | None:
    """{id: name} of the `model` records among `ids` that `user` may read; None when `model`
    is not a record type under access rules (users, teams: their names are for everyone)."""
    if not is_registered(model):
        return None
    return {record.pk: str(record) for record in visible(model, user).filter(pk__in=list(ids))}


def branches_of(queryset: QuerySet) -> list[Q] | None:
    """The access branches a queryset from visible() was scoped by, if more than one."""
    paths = queryset._hints.get(BRANCHES)
    return paths if paths and len(paths) > 1 else None


def allows(record: Model, user, privilege: str) -> bool:
    return visible(type(record), user, privilege).filter(pk=record.pk).exists()


def require(record: Model | type[Model], user, privilege: str) -> None:
    """Refuse unless `user` holds `privilege` on `record` (or, for Create, on its model).

    A record the user can't read doesn't exist for them (404); one they can read but not
    change gets a 403 whose message says why.
    """
    if isinstance(record, type):
        if access_of(user).depth(record, privilege) == Depth.NONE:
            raise PermissionDenied(refusal(record, user, privilege))
        return
    if not allows(record, user, Privilege.READ):
        raise Http404
    if privilege != Privilege.READ and not allows(record, user, privilege):
        raise PermissionDenied(refusal(type(record), user, privilege))


def refusal(model: type[Model], user, privilege: str) -> str:
    """Why `user` may not do `privilege` on (a record of) `model`, in words."""
    access = access_of(user)
    names = {"records": model._meta.verbose_name_plural, "privilege": Privilege(privilege).label.lower()}
    if not access.has_role:
        return _("You have no security role yet. Ask an administrator to give you one.")
    depth = access.depth(model, privilege)
    if depth == Depth.NONE:
        return _("Your security roles (%(roles)s) give you no %(privilege)s privilege on %(records)s.") % {
            **names,
            "roles": ", ".join(access.role_labels),
        }
    return _(
        "Your security roles let you %(privilege)s only %(records)s %(reach)s, and this one is not "
        "among them. Ask its owner to share it with you or assign it to you."
    ) % {**names, "reach": reach(depth)}


def reach(depth: int) -> str:
    return {
        Depth.USER: _("that you or your teams own, or that are shared with you"),
        Depth.BUSINESS_UNIT: _("of your business unit"),
        Depth.BUSINESS_UNIT_AND_CHILDREN: _("of your business unit and the units below it"),
        Depth.ORGANISATION: _("of the whole organisation"),
    }.get(depth, "")


# --- Reading a scoped list fast ----------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def disjoint_branches(paths: tuple[Q, ...]) -> list[Q]:
    """disjoint(), once per scope."""
    return disjoint(list(paths))


def disjoint(paths: list[Q]) -> list[Q]:
    """The paths, each without the rows an earlier one reaches: a row reached by two paths
    (a team's record in my unit, a record of my unit shared with me) is read by the first only,
    so the branches can be glued with UNION ALL, which PostgreSQL reads lazily (a count capped
    at 5,001 stops inside the first big branch) instead of UNION, which must read them all
    to remove the repeats. The earlier paths are plain column tests, cheap on every row."""
    return [path & ~reduce(or_, paths[:index]) if index else path for index, path in enumerate(paths)]


def without_scope(queryset: QuerySet) -> QuerySet:
    """The queryset without its access filter (the OR of the branches), for a branch query to
    be filtered by its own path only: the OR repeated in every branch names columns the
    branch's index lacks (owner, team), which rules out an index-only scan (a capped count at
    1M: a 49 ms bitmap scan instead of a 2 ms index-only walk). The queryset as it is if the
    WHERE no longer has the shape visible() left it in (e.g. OR-ed with another queryset)."""
    at = queryset._hints.get(SCOPE_AT)
    where = queryset.query.where
    if at is None or where.connector != AND or where.negated or at >= len(where.children):
        return queryset
    scope = where.children[at]
    if (
        not isinstance(scope, WhereNode)
        or scope.connector != OR
        or len(scope.children) != len(queryset._hints[BRANCHES])
    ):
        return queryset
    unscoped = queryset._chain()
    del unscoped.query.where.children[at]
    return unscoped


def owned_by(queryset: QuerySet, user) -> QuerySet:
    """The records of `queryset` (from visible()) that `user` owns. Whoever may read at user
    depth or deeper reads every record they own (their own branch, or their unit's, which their
    records follow), so the access filter adds nothing here and is dropped: My Active views are
    then one walk of the owner's index instead of a UNION of every access branch, each filtered
    by owner (a My Active view sorted by city took 4 s at 1M that way)."""
    owned = queryset.filter(owner=user)
    if access_of(user).depth(queryset.model, Privilege.READ) < Depth.USER or SCOPE_AT not in queryset._hints:
        return owned
    unscoped = without_scope(owned)
    if unscoped is owned:
        return owned
    unscoped._hints = {key: value for key, value in unscoped._hints.items() if key not in (BRANCHES, SCOPE_AT)}
    return unscoped


def union_of_branches(queryset: QuerySet, paths: list[Q], limit: int | None, *fields: str) -> QuerySet | None:
    """`fields` of the rows of each access branch (the first `limit` of each, in the queryset's
    order, when `limit` is given), glued with UNION ALL over disjoint branches; None where the
    database can't order and limit the members of a compound query (SQLite), or the order
    isn't plain fields."""
    if not connection.features.supports_slicing_ordering_in_compound:
        return None
    order = list(queryset.query.order_by or queryset.model._meta.ordering)
    if not all(isinstance(key, str) and "__" not in key for key in order):
        return None
    unscoped = without_scope(queryset)
    scope = tuple(paths)
    conditions = disjoint_branches(scope)
    parts = [
        filtered(unscoped, ("branch", scope, index), lambda index=index: conditions[index]).values_list(*fields)
        for index in range(len(paths))
    ]
    if limit is not None:
        parts = [part.order_by(*order)[:limit] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    return parts[0].union(*parts[1:], all=True)


def page_ids(queryset: QuerySet, start: int, stop: int):
    """The ids of queryset[start:stop]: for a scope of several access paths, one ordered and
    limited query per path, so each walks its own index and stops early (an OR across the
    paths walks the list index row by row: measured 1000x slower at a million rows)."""
    paths = branches_of(queryset)
    if paths:
        order = [key.lstrip("-") for key in (queryset.query.order_by or queryset.model._meta.ordering)]
        keys = list(dict.fromkeys([*order, "pk"]))
        combined = union_of_branches(queryset, paths, stop, *keys)
        if combined is not None:
            rows = combined.order_by(*(queryset.query.order_by or queryset.model._meta.ordering))[start:stop]
            return [row[-1] for row in rows]
    return queryset.values("pk")[start:stop]


def page_id_list(queryset: QuerySet, start: int, stop: int) -> list:
    """page_ids() as a list of ids."""
    ids = page_ids(queryset, start, stop)
    return ids if isinstance(ids, list) else [row["pk"] for row in ids]


def count_upto(queryset: QuerySet, limit: int) -> int:
    """How many rows, counting at most `limit`, one limited query per access path."""
    paths = branches_of(queryset)
    if paths:
        combined = union_of_branches(queryset, paths, None, "pk")
        if combined is not None:
            return combined[:limit].count()
    return queryset.order_by().values("pk")[:limit].count()


# --- One record, in Python: buttons to show and "Why can I see this?" --------------------


def share_rights_of(record: Model, access: EffectiveAccess) -> int:
    """The share bits the user holds on `record`, directly or through their teams."""
    principal = Q(user_id=access.user_id)
    if access.team_units:
        principal |= Q(team_id__in=access.team_ids)
    rights = RecordShare.objects.filter(
        principal, content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).values_list("rights", flat=True)
    combined = 0
    for value in rights:
        combined |= value
    return combined


def path_kinds(record: Model, access: EffectiveAccess, privilege: str, shared: Callable[[], int]) -> Iterator[str]:
    """The kinds of access path that give `privilege` on `record` ("organisation", "unit",
    "owner", "team", "share"), one at a time: a caller that only asks whether there is one
    stops at the first, and `shared` (the share bits, a query) is called only if reached.

    The same rules as branches(), read off the record's own columns; tests hold the two
    to the same answers.
    """
    depth = access.depth(type(record), privilege)
    if depth == Depth.NONE:
        return
    units = access.units_at(depth)
    if units is None:
        yield "organisation"
    elif record.business_unit_id in units:
        yield "unit"
    if record.owner_id is not None and record.owner_id == access.user_id:
        yield "owner"
    if record.owner_team_id in access.team_units:
        yield "team"
    right = SHARE_RIGHT_OF.get(privilege)
    if right is not None and shared() & right:
        yield "share"


def paths_to(record: Model, access: EffectiveAccess, privilege: str, *, shared: int | None = None) -> list[str]:
    """The access paths that give `privilege` on `record`, in words; empty if none."""
    roles = ", ".join(access.role_labels)
    words = {
        "organisation": lambda: _("every record of the organisation (%(roles)s)") % {"roles": roles},
        "unit": lambda: (
            _("records of the business unit %(unit)s (%(roles)s)") % {"unit": record.business_unit, "roles": roles}
        ),
        "owner": lambda: _("owner"),
        "team": lambda: _("member of the owning team %(team)s") % {"team": record.owner_team},
        "share": lambda: _("shared with them or their team"),
    }
    bits = (lambda: shared) if shared is not None else lambda: share_rights_of(record, access)
    return [words[kind]() for kind in path_kinds(record, access, privilege, bits)]


def who_can_read(record: Model, people) -> list[dict]:
    """ "Why can I see this?" for many people at once: [{person, read, write}] for those who may
    read `record`, each privilege's paths in words (paths_to, the same rules as branches()).

    Set-based: everyone's access is read in a fixed handful of queries (scope.accesses_of) and
    the record's shares in one, however many people, instead of an access computation and two
    share queries a person on a cold cache."""
    people = list(people)
    accesses = accesses_of(people)
    by_user: dict[int, int] = {}
    by_team: dict[int, int] = {}
    shares = RecordShare.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    for user_id, team_id, rights in shares.values_list("user_id", "team_id", "rights"):
        if user_id is not None:
            by_user[user_id] = by_user.get(user_id, 0) | rights
        else:
            by_team[team_id] = by_team.get(team_id, 0) | rights
    rows = []
    for person in people:
        access = accesses[person.pk]
        shared = by_user.get(person.pk, 0)
        for team_id in access.team_units:
            shared |= by_team.get(team_id, 0)
        read = paths_to(record, access, Privilege.READ, shared=shared)
        if read:
            rows.append(
                {"person": person, "read": read, "write": paths_to(record, access, Privilege.WRITE, shared=shared)}
            )
    return rows


def privileges_on(record: Model, user) -> set[str]:
    """The privileges `user` holds on `record`: which commands its page offers. The shares
    are read only for a privilege nothing else gives (an owner's page reads none)."""
    access = access_of(user)
    shared = functools.cache(lambda: share_rights_of(record, access))
    return {privilege for privilege in Privilege.values if next(path_kinds(record, access, privilege, shared), None)}
