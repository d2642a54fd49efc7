"""Detect duplicates among many records at once (a list view, a whole record type): the pairs
each enabled rule matches among them, joined into groups (a matches b, b matches c: one group).

- A rule of exact / same first / same last characters conditions: one statement, a window
  count over the rule's keys (the key columns the single-record check probes, or their first
  or last N characters), keeping the rows whose keys other rows share, sorted by those keys.
- A rule with a "similar name" condition, on PostgreSQL: set-based prefix filtering over the
  scope's trigrams in temporary tables, then pg_trgm's `%` (at keys.SIMILARITY_THRESHOLD) on
  the candidate pairs, a chunk of records at a time (prefix_filtered_pairs). On SQLite: the
  records a chunk at a time (keyset on the id), each chunk's keys joined to the table and
  compared with the Python measure (keys.similarity): quadratic, for its scale.

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
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_chunk: Callable[[int], None], scope_size: int
) -> Iterator[Pair]:
    if connection.vendor == "postgresql":
        yield from prefix_filtered_pairs(model, rule, scope, on_chunk, scope_size)
    else:
        yield from probed_pairs(model, rule, scope, on_chunk)


def probed_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_chunk: Callable[[int], None]
) -> Iterator[Pair]:
    """A rule with a similar-name condition, record by record: per chunk of the scope, one join
    of the chunk's keys to the table (the similar-name condition first, which the trigram index
    serves on PostgreSQL), and one query keeping the partners that are in the scope. What SQLite
    runs (its similarity is a Python function); PostgreSQL runs prefix_filtered_pairs, which
    finds the same pairs (a test compares them) without a trigram index probe per record
    (~25 ms each at 1M)."""
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


# Session temporary tables of prefix_filtered_pairs (dropped when it ends, or by the next run on
# the same connection if it died).
SCAN_TABLES = ("dup_scan_keys", "dup_scan_tokens", "dup_scan_prefix")


def prefix_filtered_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_chunk: Callable[[int], None], scope_size: int
) -> Iterator[Pair]:
    """A rule with a similar-name condition on PostgreSQL, set-based: the pairs of `scope`
    whose keys pg_trgm's `%` finds similar (and whose other conditions hold), exactly those
    probed_pairs finds, without probing the trigram index once per record.

    pg_trgm's similarity is the Jaccard measure of two trigram sets (show_trgm). Two sets x, y
    with |x ∩ y| / |x ∪ y| >= t share at least ceil(t·|x|) trigrams, so they share one of the
    first |x| - ceil(t·|x|) + 1 trigrams of x in any fixed order (prefix filtering); ordered
    rarest first, those prefixes are short lists of rare trigrams. Also t·|x| <= |y| <= |x| / t.
    So: the scope's keys in a temporary table; every trigram's rank by how many keys hold it;
    each key's prefix of ranks; then, a chunk of keys at a time, the pairs sharing a prefix
    rank (and the other conditions' keys), kept where `%` holds. The statements run outside a
    transaction except each chunk's (for the threshold's SET LOCAL): nothing long is held."""
    similar = next(condition for condition in rule.conditions if condition.operator == Operator.SIMILAR)
    others = [condition for condition in rule.conditions if condition is not similar]
    names = [f"dup_key_{index}" for index in range(len(others))]
    keyed = (
        scope.order_by()
        .annotate(
            dup_similar=F(key_column(model, similar)),
            **{name: key_expression(model, condition) for name, condition in zip(names, others, strict=True)},
        )
        .filter(dup_similar__isnull=False, **{f"{name}__isnull": False for name in names})  # blanks never match
        .values_list("pk", "dup_similar", *names)
    )
    select, params = keyed.query.sql_with_params()
    with connection.cursor() as cursor:
        try:
            count = load_keys(cursor, select, params, others=len(others))
            on_chunk(scope_size - count)  # the records with a blank key: done
            yield from loaded_key_pairs(cursor, count, others=len(others), on_chunk=on_chunk)
        finally:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(SCAN_TABLES))


def load_keys(cursor, select: str, params, *, others: int) -> int:
    """The rows of `select` (id, similar-name key, then the `others` other conditions' keys, none
    blank) in the temporary table dup_scan_keys, numbered in id order; how many."""
    columns = "".join(f", k{index}" for index in range(others))
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(SCAN_TABLES))
    cursor.execute(
        "CREATE TEMPORARY TABLE dup_scan_keys AS "
        "SELECT row_number() OVER (ORDER BY q.id) AS seq, q.*, cardinality(show_trgm(q.s)) AS n "
        f"FROM ({select}) AS q(id, s{columns})",
        params,
    )
    cursor.execute("CREATE UNIQUE INDEX ON dup_scan_keys (seq)")
    cursor.execute("ANALYZE dup_scan_keys")
    cursor.execute("SELECT count(*) FROM dup_scan_keys")
    return cursor.fetchone()[0]


def loaded_key_pairs(cursor, count: int, *, others: int, on_chunk: Callable[[int], None]) -> Iterator[Pair]:
    """The similar pairs (id, greater id) among the `count` keys of dup_scan_keys (load_keys)."""
    threshold = keys.SIMILARITY_THRESHOLD
    other_columns = [f"k{index}" for index in range(others)]
    carried = "".join(f", k.{column}" for column in other_columns)
    same_others = "".join(f" AND b.{column} = a.{column}" for column in other_columns)
    # Each trigram's rank, rarest first (ties by the trigram: any fixed order is exact).
    cursor.execute(
        "CREATE TEMPORARY TABLE dup_scan_tokens AS "
        "SELECT gram, row_number() OVER (ORDER BY count(*), gram)::int AS token "
        "FROM dup_scan_keys, unnest(show_trgm(s)) AS gram GROUP BY gram"
    )
    cursor.execute("CREATE UNIQUE INDEX ON dup_scan_tokens (gram) INCLUDE (token)")
    cursor.execute("ANALYZE dup_scan_tokens")
    on_chunk(0)  # progress is written at most once a second: this says the job is alive
    cursor.execute(
        "CREATE TEMPORARY TABLE dup_scan_prefix AS "
        f"SELECT k.seq, k.n, p.token{carried} FROM dup_scan_keys k CROSS JOIN LATERAL ("
        "SELECT t.token FROM unnest(show_trgm(k.s)) AS g(gram) JOIN dup_scan_tokens t ON t.gram = g.gram "
        "ORDER BY t.token LIMIT k.n - ceil(%s * k.n)::int + 1) AS p",
        [threshold],
    )
    cursor.execute(f"CREATE INDEX ON dup_scan_prefix (token{carried.replace('k.', '')}, seq) INCLUDE (n)")
    cursor.execute("CREATE INDEX ON dup_scan_prefix (seq)")
    cursor.execute("ANALYZE dup_scan_prefix")
    on_chunk(0)
    for first in range(1, count + 1, CHUNK):
        last = min(first + CHUNK - 1, count)
        with transaction.atomic():
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [threshold])
            cursor.execute(
                "SELECT ka.id, kb.id FROM ("
                "SELECT DISTINCT a.seq AS x, b.seq AS y FROM dup_scan_prefix a JOIN dup_scan_prefix b "
                f"ON b.token = a.token{same_others} AND b.seq > a.seq "
                "AND b.n >= %s * a.n AND b.n * %s <= a.n "
                "WHERE a.seq BETWEEN %s AND %s) AS c "
                "JOIN dup_scan_keys ka ON ka.seq = c.x JOIN dup_scan_keys kb ON kb.seq = c.y "
                "WHERE ka.s %% kb.s",
                [threshold, threshold, first, last],
            )
            found = cursor.fetchall()
        yield from found
        on_chunk(last - first + 1)


def rule_pairs(
    model: type[Model], rule: EnabledRule, scope: QuerySet, on_progress: Callable[[int], None], scope_size: int
) -> Iterator[Pair]:
    if is_similar(rule):
        yield from similar_pairs(model, rule, scope, on_progress, scope_size)
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
