"""Detect duplicates among many records at once (a list view, a whole record type): the pairs
each enabled rule matches among them, joined into groups (a matches b, b matches c: one group).

- A rule of exact / same first / same last characters conditions: one statement, a window
  count over the rule's keys (the key columns the single-record check probes, or their first
  or last N characters), keeping the rows whose keys other rows share, sorted by those keys.
- A rule with a "similar name" condition, on PostgreSQL: the sorted neighbourhood method
  (merge/purge). The scope's keys are numbered in the order of the similar key and again in
  the order of the key read backwards; each record is compared with its NEIGHBOURS next ones
  in each order, by pg_trgm's `%` at keys.SIMILARITY_THRESHOLD and the rule's other
  conditions. Two names a typo apart share the letters before it or those after it, so they
  sort near each other one way or the other. It is not exhaustive: comparing every record
  with every similar one (a trigram index probe per record, as the check on save does) took
  18.7 ms a record at 1M (5 hours), and exact set-based filters did not scale (docs/
  performance.md, Session 7). Over 1M varied names with 1% seeded near-duplicates this finds
  99.9% of the seeded pairs at or above the threshold, in under a minute. SQLite compares every
  pair with the Python measure (keys.similarity): quadratic, for its scale.

Inactive records take no part: they can't be merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby

from django.db import connection, transaction
from django.db.models import Count, F, Model, QuerySet, Window
from django.db.models.functions import Right, Substr

from crm.choices import Status
from duplicates import keys
from duplicates.detection import EnabledRule, matchable_fields, usable_rules
from duplicates.models import Operator, RuleCondition

CHUNK = 2000
# How many next records, in each of the two orders, a record is compared with by a similar-name
# rule on PostgreSQL (20: 99.9% of seeded near-duplicates found at 1M, ~25 s an order).
NEIGHBOURS = 20
# Records whose neighbours one statement compares: the job's progress moves between them.
NEIGHBOUR_CHUNK = 50_000

Pair = tuple[int, int]


def is_similar(rule: EnabledRule) -> bool:
    return any(condition.operator == Operator.SIMILAR for condition in rule.conditions)


def key_column(model: type[Model], condition: RuleCondition) -> str:
    return matchable_fields(model)[condition.field][0]


def key_expression(model: type[Model], condition: RuleCondition):
    column = F(key_column(model, condition))
    if condition.operator == Operator.FIRST:
        return Substr(column, 1, condition.length)
    if condition.operator == Operator.LAST:
        return Right(column, condition.length)
    return column


def keyed_pairs(model: type[Model], rule: EnabledRule, scope: QuerySet) -> Iterator[Pair]:
    """A rule without a similar-name condition: the records of `scope` sharing its keys, in
    one statement; each run of equal keys gives pairs (first, other)."""
    names = [f"dup_key_{index}" for index in range(len(rule.conditions))]
    expressions = {
        name: key_expression(model, condition) for name, condition in zip(names, rule.conditions, strict=True)
    }
    keyed = (
        scope.order_by()
        .annotate(**expressions)
        .filter(**{f"{name}__isnull": False for name in names})  # a blank never matches
        .annotate(dup_sharing=Window(Count("pk"), partition_by=[F(name) for name in names]))
        .filter(dup_sharing__gt=1)
        .order_by(*names, "pk")
        .values_list(*names, "pk")
    )
    for _keys, rows in groupby(keyed, key=lambda row: row[:-1]):
        ids = [row[-1] for row in rows]
        yield from ((ids[0], other) for other in ids[1:])


def chunks(scope: QuerySet, columns: list[str]) -> Iterator[list[tuple]]:
    """The scope's (id, key columns...) rows, CHUNK at a time, in id order (keyset)."""
    last = 0
    while True:
        rows = list(scope.filter(pk__gt=last).order_by("pk").values_list("pk", *columns)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def condition_sql(model: type[Model], condition: RuleCondition, chunk_column: str) -> str:
    """SQL comparing the table's row `t` with the chunk's row `c` on one condition."""
    column = connection.ops.quote_name(model._meta.get_field(key_column(model, condition)).column)
    return pair_sql(condition, f"t.{column}", f"c.{chunk_column}")


def similar_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_chunk: Callable[[int], None]
) -> Iterator[Pair]:
    """A rule with a similar-name condition on SQLite: per chunk of the scope, one join of the
    chunk's keys to the table, and one query keeping the partners that are in the scope."""
    conditions, columns = ordered_conditions(model, rule)
    table = connection.ops.quote_name(model._meta.db_table)
    status = connection.ops.quote_name(model._meta.get_field("status").column)
    names = [f"k{index}" for index in range(len(columns))]
    joined = " AND ".join(
        condition_sql(model, condition, name) for condition, name in zip(conditions, names, strict=True)
    )
    postgresql = connection.vendor == "postgresql"
    cast = ("::bigint", "::text") if postgresql else ("", "")
    row = "(" + ", ".join([f"%s{cast[0]}"] + [f"%s{cast[1]}"] * len(names)) + ")"
    for rows in chunks(scope, columns):
        keyed = [row_values for row_values in rows if all(row_values[1:])]  # a blank never matches
        if keyed:
            sql = (
                f"WITH c(id, {', '.join(names)}) AS (VALUES {', '.join([row] * len(keyed))}) "
                f"SELECT c.id, t.id FROM c JOIN {table} t ON {joined} AND t.id > c.id WHERE t.{status} = %s"
            )
            with transaction.atomic(), connection.cursor() as cursor:
                if postgresql:
                    cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
                cursor.execute(sql, [value for row_values in keyed for value in row_values] + [Status.ACTIVE])
                found = cursor.fetchall()
            partners = {partner for _id, partner in found}
            in_scope = set(scope.order_by().filter(pk__in=partners).values_list("pk", flat=True)) if partners else set()
            yield from ((first, partner) for first, partner in found if partner in in_scope)
        on_chunk(len(rows))


def ordered_conditions(model: type[Model], rule: EnabledRule) -> tuple[list[RuleCondition], list[str]]:
    """The rule's conditions, the similar-name one first, and their key columns."""
    conditions = sorted(rule.conditions, key=lambda condition: condition.operator != Operator.SIMILAR)
    return conditions, [key_column(model, condition) for condition in conditions]


def pair_sql(condition: RuleCondition, left: str, right: str) -> str:
    """SQL comparing the keys `left` and `right` of two records on one condition."""
    postgresql = connection.vendor == "postgresql"
    length = int(condition.length or 0)
    if condition.operator == Operator.SIMILAR:
        if postgresql:
            return f"{left} %% {right}"
        return f"{keys.SIMILARITY_FUNCTION}({left}, {right}) >= {keys.SIMILARITY_THRESHOLD}"
    if condition.operator == Operator.FIRST:
        return f"substr({left}, 1, {length}) = substr({right}, 1, {length})"
    if condition.operator == Operator.LAST:
        if postgresql:
            return f"right({left}, {length}) = right({right}, {length})"
        return f"substr({left}, -{length}) = substr({right}, -{length})"
    return f"{left} = {right}"


def neighbour_pairs(
    source: tuple[str, list],
    conditions: list[RuleCondition],
    on_progress: Callable[[int], None],
) -> Iterator[Pair]:
    """The pairs of the records `source` gives (SQL of `id_, k0, k1...`, k0 the similar key, and
    its parameters) that match `conditions`, each record compared with its NEIGHBOURS next
    ones in the order of k0 and in the order of k0 backwards. Each order is a temporary table
    numbered by one statement; each comparison statement covers NEIGHBOUR_CHUNK records and
    runs in its own short transaction (a long one would keep the shared server's fresh
    indexes unusable)."""
    sql, params = source
    names = [f"k{index}" for index in range(len(conditions))]
    matched = " AND ".join(
        pair_sql(condition, f"a.{name}", f"b.{name}") for condition, name in zip(conditions, names, strict=True)
    )
    with connection.cursor() as cursor:
        for order, sort in (("forwards", "k0"), ("backwards", "reverse(k0)")):
            table = f"dup_neighbours_{order}"
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} AS SELECT id_ AS id, {', '.join(names)}, "
                f'row_number() OVER (ORDER BY {sort} COLLATE "C", id_) AS r FROM ({sql}) AS source '
                f"WHERE {' AND '.join(f'{name} IS NOT NULL' for name in names)}",  # a blank never matches
                params,
            )
            cursor.execute(f"CREATE INDEX ON {table} (r)")
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"SELECT count(*) FROM {table}")
            (numbered,) = cursor.fetchone()
            for start in range(0, numbered, NEIGHBOUR_CHUNK):
                with transaction.atomic():
                    cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
                    cursor.execute(
                        f"SELECT a.id, b.id FROM {table} a JOIN {table} b ON b.r > a.r AND b.r <= a.r + %s "
                        f"WHERE a.r > %s AND a.r <= %s AND {matched}",
                        [NEIGHBOURS, start, start + NEIGHBOUR_CHUNK],
                    )
                    found = cursor.fetchall()
                yield from ((min(pair), max(pair)) for pair in found)
                # Half the records' progress in each order: the rule counts each record once.
                chunk = min(NEIGHBOUR_CHUNK, numbered - start)
                on_progress(chunk // 2 if order == "forwards" else chunk - chunk // 2)
            cursor.execute(f"DROP TABLE {table}")


def scope_keys(model: type[Model], scope: QuerySet, columns: list[str]) -> tuple[str, list]:
    """SQL of `id_, k0, k1...` for the records of `scope` (the keys `columns`)."""
    named = {"id_": F("pk"), **{f"k{index}": F(column) for index, column in enumerate(columns)}}
    query = scope.order_by().annotate(**named).values_list(*named).query
    return query.sql_with_params()


def compares_neighbours(rules: list[EnabledRule]) -> bool:
    """Whether a detection with `rules` compares similar names with their neighbours only
    (PostgreSQL's sorted neighbourhood), not with every record: the page says so."""
    return connection.vendor == "postgresql" and any(is_similar(rule) for rule in rules)


def rule_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_progress: Callable[[int], None], scope_size: int
) -> Iterator[Pair]:
    if compares_neighbours([rule]):
        conditions, columns = ordered_conditions(model, rule)
        yield from neighbour_pairs(scope_keys(model, scope, columns), conditions, on_progress)
    elif is_similar(rule):
        yield from similar_pairs(model, rule, scope, on_progress)
    else:
        yield from keyed_pairs(model, rule, scope)
        on_progress(scope_size)


class Groups:
    """Union-find over record ids: pairs in, groups of two or more out."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def root(self, pk: int) -> int:
        parent = self.parent.setdefault(pk, pk)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[pk] = parent
        return parent

    def join(self, first: int, second: int) -> None:
        a, b = self.root(first), self.root(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for pk in self.parent:
            found.setdefault(self.root(pk), []).append(pk)
        return sorted(sorted(members) for members in found.values() if len(members) > 1)


def duplicate_groups(
    model: type[Model], scope: QuerySet, *, on_progress: Callable[[int], None] = lambda rows: None
) -> list[list[int]]:
    """The groups of active records of `scope` that the enabled rules of `model` match."""
    scope = scope.filter(status=Status.ACTIVE).order_by()
    size = scope.count()
    groups = Groups()
    for rule in usable_rules(model):
        for first, second in rule_pairs(model, rule, scope, on_progress, size):
            groups.join(first, second)
    return groups.groups()


def rule_count(model: type[Model]) -> int:
    return len(usable_rules(model))
