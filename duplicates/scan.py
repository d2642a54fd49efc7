"""Detect duplicates among many records at once (a list view, a whole record type): the pairs
each enabled rule matches among them, joined into groups (a matches b, b matches c: one group).

- A rule of exact / same first / same last characters conditions: one statement, a window
  count over the rule's keys (the key columns the single-record check probes, or their first
  or last N characters), keeping the rows whose keys other rows share, sorted by those keys.
- A rule with a "similar name" condition: the records a chunk at a time (keyset on the id);
  per chunk one statement joins the chunk's keys to the table, the similar-name partners
  found through the trigram index of the name key on PostgreSQL (pg_trgm's `%` at
  keys.SIMILARITY_THRESHOLD), then one more query keeps the partners in the scope. SQLite
  compares every pair with the Python measure (keys.similarity): quadratic, for its scale.

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
    postgresql = connection.vendor == "postgresql"
    if condition.operator == Operator.SIMILAR:
        if postgresql:
            return f"t.{column} %% c.{chunk_column}"
        return f"{keys.SIMILARITY_FUNCTION}(t.{column}, c.{chunk_column}) >= {keys.SIMILARITY_THRESHOLD}"
    length = int(condition.length or 0)
    if condition.operator == Operator.FIRST:
        return f"substr(t.{column}, 1, {length}) = substr(c.{chunk_column}, 1, {length})"
    if condition.operator == Operator.LAST:
        if postgresql:
            return f"right(t.{column}, {length}) = right(c.{chunk_column}, {length})"
        return f"substr(t.{column}, -{length}) = substr(c.{chunk_column}, -{length})"
    return f"t.{column} = c.{chunk_column}"


def similar_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_chunk: Callable[[int], None]
) -> Iterator[Pair]:
    """A rule with a similar-name condition: per chunk of the scope, one join of the chunk's
    keys to the table (the similar-name condition first, which the trigram index serves), and
    one query keeping the partners that are in the scope."""
    conditions = list(rule.conditions)
    conditions.sort(key=lambda condition: condition.operator != Operator.SIMILAR)
    columns = [key_column(model, condition) for condition in conditions]
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


def rule_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_progress: Callable[[int], None], scope_size: int
) -> Iterator[Pair]:
    if is_similar(rule):
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
