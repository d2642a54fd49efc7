"""Duplicate detection for many rows at once (imports): set-based, a chunk at a time, every
enabled rule.

Per chunk, whatever its size and however many rules:
- one query: the keys of every value the rules compare, each in its own kind, computed by the
  database (the same functions as the key columns, so both sides are normalised alike);
- one statement: for each rule, the chunk's rows (on PostgreSQL one array per column,
  unnested; elsewhere VALUES), each with a subquery that stops at the first active record
  matching it: an index probe for exact keys, a key range of the same btree index for "same
  first characters", for a "similar name" alone a join through the trigram index on PostgreSQL
  (pg_trgm's `%`; SQLite compares with the Python measure), for a similar name with other
  conditions the same name exactly, then the distinct names of the records meeting the other
  conditions until one is similar; "same last characters" has no index and scans (until a
  match) for each row.
  (PostgreSQL: with a similar-name rule, SET LOCAL of the threshold and its savepoint too.)
- when rows match, one query for the names of the records they match, by id.
Rows repeating an earlier row of the file are found in memory, across chunks: by their keys,
and for similar names through an index of their trigrams (TrigramIndex), never every pair.
"""

from __future__ import annotations

import zlib
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model

from duplicates import keys
from duplicates.detection import EnabledRule, matchable_fields, usable_rules
from duplicates.models import Operator, RuleCondition


@dataclass(frozen=True)
class Match:
    """What a row duplicates: an existing record, or an earlier row of the file."""

    record_id: int | None = None
    record_label: str = ""
    line: int | None = None


def key_sql(kind: str, placeholder: str) -> str:
    if kind == keys.EMAIL:
        return f"NULLIF(LOWER(TRIM({placeholder})), '')"
    company = kind == keys.NAME
    if connection.vendor == "postgresql":
        return f'{keys.NAME_KEY_FUNCTION}(({placeholder})::text COLLATE "default", {"true" if company else "false"})'
    return f"{keys.NAME_KEY_FUNCTION}({placeholder}, {1 if company else 0})"


def keys_of(typed: dict[str, set[str]]) -> dict[str, dict[str, str | None]]:
    """kind -> value -> its key, for the values typed in fields of each kind (a name's key
    only for names, an email's for emails: the name key's regular expressions are the costly
    part), computed by the database in one query."""
    kinds = sorted(kind for kind, values in typed.items() if values)
    found: dict[str, dict[str, str | None]] = {kind: {} for kind in typed}
    if not kinds:
        return found
    ctes, selects, params = [], [], []
    for index, kind in enumerate(kinds):
        cte, cte_params = rows_table(f"typed{index}", ["v"], ["text"], [(value,) for value in sorted(typed[kind])])
        ctes.append(cte)
        selects.append(f"SELECT {index}, v, {key_sql(kind, 'v')} FROM typed{index}")
        params += cte_params
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} " + " UNION ALL ".join(selects), params)
        for index, value, key in cursor.fetchall():
            found[kinds[index]][value] = key
    return found


def array_literal(values) -> str:
    """PostgreSQL's text form of an array ('{"a","b"}'), sent as one string that the server
    reads in one go; psycopg2 would send ARRAY['a', 'b', ...], an expression per element to
    parse and plan."""
    quoted = ('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def rows_table(name: str, columns: list[str], types: list[str], rows: list) -> tuple[str, list]:
    """A CTE `name(columns)` of `rows` (SQL types `types`), and its parameters. On PostgreSQL
    one array per column, unnested: 1,000 rows of VALUES took as long to send, parse and plan
    (~5 ms planning alone) as the statement took to run."""
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        return f"{name}({', '.join(columns)}) AS (SELECT * FROM unnest({arrays}))", [
            array_literal(column) for column in zip(*rows, strict=True)
        ]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"{name}({', '.join(columns)}) AS (VALUES {', '.join([row] * len(rows))})", [v for r in rows for v in r]


def part_of(condition: RuleCondition, key: str) -> str:
    """What a condition compares of a key: all of it, or its first / last N characters."""
    if condition.operator == Operator.FIRST:
        return key[: condition.length]
    if condition.operator == Operator.LAST:
        return key[-condition.length :]
    return key


def next_string(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class TrigramIndex:
    """Earlier rows' similar-name keys, found again without comparing every pair: prefix
    filtering (two trigram sets at least `threshold` similar share one of the first
    |x| - ceil(threshold·|x|) + 1 trigrams of each, in any fixed order), then the exact measure."""

    def __init__(self, threshold: float = keys.SIMILARITY_THRESHOLD):
        self.threshold = threshold
        self.postings: dict[str, list[tuple[frozenset, int]]] = {}

    def prefix(self, grams: frozenset) -> list[str]:
        ordered = sorted(grams, key=lambda gram: (zlib.crc32(gram.encode()), gram))
        keep = len(ordered) - int(-(-self.threshold * len(ordered) // 1)) + 1
        return ordered[:keep]

    def find(self, key: str) -> int | None:
        grams = frozenset(keys.trigrams(key))
        best = None
        for gram in self.prefix(grams):
            for other, line in self.postings.get(gram, ()):
                if len(grams & other) / len(grams | other) >= self.threshold and (best is None or line < best):
                    best = line
        return best

    def add(self, key: str, line: int) -> None:
        grams = frozenset(keys.trigrams(key))
        for gram in self.prefix(grams):
            self.postings.setdefault(gram, []).append((grams, line))


class BatchDuplicates:
    def __init__(self, model: type[Model]):
        self.model = model
        self.rules: list[EnabledRule] = usable_rules(model)
        self.fields = matchable_fields(model)
        # Where a rule's similar-name condition sits among its conditions (None: it has none).
        self.similar_at = {
            rule.pk: next((at for at, c in enumerate(rule.conditions) if c.operator == Operator.SIMILAR), None)
            for rule in self.rules
        }
        # (rule id, parts of its non-similar conditions) -> the line of the first row of the
        # file holding them; for a rule with a similar-name condition, the earlier rows' keys.
        self.seen: dict[tuple, int] = {}
        self.similar_seen: dict[tuple, TrigramIndex] = {}

    def compared_fields(self) -> list[str]:
        """The fields the rules compare: what a caller must put in each row's values."""
        return sorted({condition.field for rule in self.rules for condition in self.conditions(rule)})

    def conditions(self, rule: EnabledRule) -> tuple[RuleCondition, ...]:
        return rule.conditions

    def similar(self, rule: EnabledRule) -> RuleCondition | None:
        at = self.similar_at[rule.pk]
        return None if at is None else rule.conditions[at]

    def check(self, rows: list[tuple[int, dict]]) -> dict[int, Match]:
        """The rows (line, values) that duplicate an existing active record or an earlier
        row, by line. Call it once per chunk, in file order."""
        if not self.rules:
            return {}
        names = set(self.compared_fields())
        typed: dict[str, set[str]] = {self.fields[name][1]: set() for name in names}
        for name in names:
            typed[self.fields[name][1]].update(
                str(values[name]) for _line, values in rows if values.get(name) not in (None, "")
            )
        by_kind = keys_of(typed)

        def key_of(name: str, values: dict) -> str | None:
            return by_kind[self.fields[name][1]].get(str(values.get(name) or ""))

        def parts_for(rule: EnabledRule, values: dict) -> tuple | None:
            """The rule's compared parts of a row, in condition order; None if one is blank."""
            parts = []
            for condition in self.conditions(rule):
                key = key_of(condition.field, values)
                if not key:
                    return None  # a blank never matches
                parts.append(part_of(condition, key))
            return tuple(parts)

        row_parts = {line: {rule.pk: parts_for(rule, values) for rule in self.rules} for line, values in rows}
        existing = self.existing(row_parts)
        found: dict[int, Match] = {}
        for line, _values in rows:
            for rule in self.rules:
                parts = row_parts[line][rule.pk]
                if parts is None:
                    continue
                match = existing.get((line, rule.pk)) or self.earlier(rule, parts)
                if match is not None:
                    found[line] = match
                    break
            else:
                for rule in self.rules:
                    if row_parts[line][rule.pk] is not None:
                        self.remember(rule, row_parts[line][rule.pk], line)
        return found

    # The file's earlier rows -----------------------------------------------------------------

    def split(self, rule: EnabledRule, parts: tuple) -> tuple[tuple, str | None]:
        """(the parts compared exactly, the similar-name key or None)."""
        at = self.similar_at[rule.pk]
        if at is None:
            return parts, None
        return parts[:at] + parts[at + 1 :], parts[at]

    def earlier(self, rule: EnabledRule, parts: tuple) -> Match | None:
        exact, key = self.split(rule, parts)
        if key is None:
            line = self.seen.get((rule.pk, exact))
        else:
            index = self.similar_seen.get((rule.pk, exact))
            line = index.find(key) if index else None
        return Match(line=line) if line is not None else None

    def remember(self, rule: EnabledRule, parts: tuple, line: int) -> None:
        exact, key = self.split(rule, parts)
        if key is None:
            self.seen.setdefault((rule.pk, exact), line)
        else:
            self.similar_seen.setdefault((rule.pk, exact), TrigramIndex()).add(key, line)

    # Existing records ------------------------------------------------------------------------

    def column_sql(self, condition: RuleCondition) -> str:
        return "t." + connection.ops.quote_name(self.model._meta.get_field(self.fields[condition.field][0]).column)

    def condition_sql(self, condition: RuleCondition, value: str, *, column: str | None = None) -> tuple[str, int]:
        """SQL comparing the table's row `t` (or the key `column`, when given) with a row's
        value(s) `value`, and how many values it takes (a first-N condition is a key range: two)."""
        column = column or self.column_sql(condition)
        postgresql = connection.vendor == "postgresql"
        if condition.operator == Operator.SIMILAR:
            if postgresql:
                return f"{column} %% {value}0", 1
            return f"{keys.SIMILARITY_FUNCTION}({column}, {value}0) >= {keys.SIMILARITY_THRESHOLD}", 1
        if condition.operator == Operator.FIRST:
            # The btree index of the key column serves a range.
            return f"{column} >= {value}0 AND {column} < {value}1", 2
        if condition.operator == Operator.LAST:
            length = int(condition.length)
            return (f"right({column}, {length})" if postgresql else f"substr({column}, -{length})") + f" = {value}0", 1
        return f"{column} = {value}0", 1

    def existing(self, row_parts: dict[int, dict[int, tuple | None]]) -> dict[tuple[int, int], Match]:
        """(line, rule id) -> an active record the row matches by that rule, for every rule, in
        one statement: per rule, the chunk's rows (rows_table) and for each a subquery that stops
        at the first match (an index probe for exact keys, a key range for first characters,
        a trigram index probe for a similar name on PostgreSQL; a scan for last characters);
        then the names of the records matched, by id."""
        postgresql = connection.vendor == "postgresql"
        ctes, selects, cte_params, select_params = [], [], [], []
        table = connection.ops.quote_name(self.model._meta.db_table)
        label = connection.ops.quote_name(self.model._meta.get_field(self.model._meta.ordering[0]).column)
        status = connection.ops.quote_name(self.model._meta.get_field("status").column)
        for rule in self.rules:
            rows = [(line, parts[rule.pk]) for line, parts in row_parts.items() if parts[rule.pk] is not None]
            if not rows:
                continue
            alias = f"r{rule.pk}"
            columns, tests = ["line"], []
            for index, condition in enumerate(self.conditions(rule)):
                test, width = self.condition_sql(condition, f"{alias}.c{index}_")
                tests.append(test)
                columns += [f"c{index}_{n}" for n in range(width)]
            values = []
            for line, parts in rows:
                row = [line]
                for condition, part in zip(self.conditions(rule), parts, strict=True):
                    row += [part, next_string(part)] if condition.operator == Operator.FIRST else [part]
                values.append(row)
            cte, params = rows_table(alias, columns, ["bigint"] + ["text"] * (len(columns) - 1), values)
            ctes.append(cte)
            cte_params += params
            where = " AND ".join(tests)
            at = self.similar_at[rule.pk]
            if at is not None and len(rule.conditions) == 1:
                # A similar name alone: a join, each row probing the trigram index. Under LIMIT 1
                # the planner would hope to meet a similar name early in a scan of the table,
                # and rarely does.
                selects.append(
                    f"SELECT {int(rule.pk)}, {alias}.line, t.id, t.{label} "
                    f"FROM {alias} JOIN {table} t ON {where} WHERE t.{status} = %s"
                )
                select_params.append("active")
                continue
            probe = f"(SELECT t.id FROM {table} t WHERE {where} AND t.{status} = %s LIMIT 1)"
            select_params.append("active")
            if at is not None:
                # A similar name with other conditions ("similar last name + same first name"),
                # per row: the same key exactly first (a name is similar to itself: one btree
                # probe); else the distinct keys of the records meeting the other conditions,
                # read in order from a btree index leading with them (contact_first_name_key_idx,
                # which carries the key and the id) until one is similar, and a record holding it.
                # Distinct keys: in the generated data a first name has ~25,000 contacts but ~30
                # last names, so pg_trgm compares 30 names, not 25,000. A join returned every
                # similar partner of every row (83,000 a chunk at 1M, after pg_trgm compared
                # 2.5M pairs) where one per row is enough.
                similar = self.conditions(rule)[at]
                similar_column = self.column_sql(similar)
                similar_test, _width = self.condition_sql(similar, f"{alias}.c{at}_", column="d.k")
                others = " AND ".join(test for index, test in enumerate(tests) if index != at)
                exact = f"{others} AND {similar_column} = {alias}.c{at}_0"
                similar_key = (
                    f"(SELECT d.k FROM (SELECT DISTINCT {similar_column} AS k FROM {table} t "
                    # OFFSET 0: PostgreSQL compares the names after DISTINCT, not every row's.
                    f"WHERE {others} AND t.{status} = %s{' OFFSET 0' if postgresql else ''}) d "
                    f"WHERE {similar_test} LIMIT 1)"
                )
                probe = (
                    f"COALESCE((SELECT t.id FROM {table} t WHERE {exact} AND t.{status} = %s LIMIT 1), "
                    f"(SELECT t.id FROM {table} t WHERE {others} AND {similar_column} = {similar_key} "
                    f"AND t.{status} = %s LIMIT 1))"
                )
                select_params += ["active", "active"]
            # The id only: the few matched records' names are read after, by id (a second
            # probe per row for the name cost a fifth of the statement).
            selects.append(f"SELECT {int(rule.pk)}, {alias}.line, {probe}, NULL FROM {alias}")
        if not selects:
            return {}
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(selects)
        # The similar-name threshold is set for a transaction (SET LOCAL): only then one is opened.
        trigrams = postgresql and any(self.similar(rule) is not None for rule in self.rules)
        with transaction.atomic() if trigrams else nullcontext(), connection.cursor() as cursor:
            if trigrams:
                cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
            cursor.execute(sql, cte_params + select_params)
            rows = cursor.fetchall()
        first: dict[tuple[int, int], tuple[int, str | None]] = {}
        for rule_id, line, pk, shown in rows:
            if pk is not None and ((line, rule_id) not in first or pk < first[line, rule_id][0]):
                first[line, rule_id] = (pk, shown)
        unnamed = {pk for pk, shown in first.values() if shown is None}
        names = dict(
            self.model._default_manager.filter(pk__in=unnamed)
            .order_by()
            .values_list("pk", self.model._meta.ordering[0])
        )
        return {
            at: Match(record_id=pk, record_label=names[pk] if shown is None else shown)
            for at, (pk, shown) in first.items()
        }
