"""Duplicate detection for many rows at once (imports): set-based, a chunk at a time, every
enabled rule.

Per chunk, whatever its size:
- one query: the keys of every value the rules compare, computed by the database (the same
  functions as the key columns, so both sides are normalised alike);
- one query: the existing active records matching a rule made of exact, same first N and same
  last N characters conditions. Exact keys and first characters are read through the key
  columns' btree indexes (a first-N condition as a key range); a rule whose conditions are all
  "same last characters" can't use an index and scans the table once per chunk;
- one query per rule with a "similar name" condition: the chunk's keys joined to the table,
  each probing the trigram index of the name key on PostgreSQL (pg_trgm's `%`); SQLite
  compares with the Python measure, a scan of the table per row of the chunk.
Rows repeating an earlier row of the file are found in memory, across chunks: by their keys,
and for similar names through an index of their trigrams (TrigramIndex), never every pair.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.db.models.functions import Right
from django.db.models.lookups import In

from duplicates import keys
from duplicates.detection import matchable_fields, rules_for
from duplicates.models import DuplicateRule, Operator, RuleCondition


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


def keys_of(kinds: set[str], values: set[str]) -> dict[str, dict[str, str | None]]:
    """kind -> value -> its key, for every value and kind, computed by the database in one
    query."""
    if not values or not kinds:
        return {kind: {} for kind in kinds}
    ordered, kinds_in_order = sorted(values), sorted(kinds)
    rows = ", ".join(["(%s)"] * len(ordered))
    computed = ", ".join(key_sql(kind, "v") for kind in kinds_in_order)
    sql = f"WITH typed(v) AS (VALUES {rows}) SELECT v, {computed} FROM typed"
    found: dict[str, dict[str, str | None]] = {kind: {} for kind in kinds_in_order}
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        for value, *row_keys in cursor.fetchall():
            for kind, key in zip(kinds_in_order, row_keys, strict=True):
                found[kind][value] = key
    return found


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
        fields = matchable_fields(model)
        self.rules: list[DuplicateRule] = [
            rule
            for rule in rules_for(model)
            if rule.conditions.all() and all(c.field in fields for c in rule.conditions.all())
        ]
        self.fields = fields
        # (rule id, parts of its non-similar conditions) -> the line of the first row of the
        # file holding them; for a rule with a similar-name condition, the earlier rows' keys.
        self.seen: dict[tuple, int] = {}
        self.similar_seen: dict[tuple, TrigramIndex] = {}

    def compared_fields(self) -> list[str]:
        """The fields the rules compare: what a caller must put in each row's values."""
        return sorted({condition.field for rule in self.rules for condition in rule.conditions.all()})

    def conditions(self, rule: DuplicateRule) -> list[RuleCondition]:
        return list(rule.conditions.all())

    def similar(self, rule: DuplicateRule) -> RuleCondition | None:
        return next((c for c in rule.conditions.all() if c.operator == Operator.SIMILAR), None)

    def check(self, rows: list[tuple[int, dict]]) -> dict[int, Match]:
        """The rows (line, values) that duplicate an existing active record or an earlier
        row, by line. Call it once per chunk, in file order."""
        if not self.rules:
            return {}
        names = set(self.compared_fields())
        typed = {str(values[name]) for _line, values in rows for name in names if values.get(name) not in (None, "")}
        by_kind = keys_of({self.fields[name][1] for name in names}, typed)

        def key_of(name: str, values: dict) -> str | None:
            return by_kind[self.fields[name][1]].get(str(values.get(name) or ""))

        def parts_for(rule: DuplicateRule, values: dict) -> tuple | None:
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

    def split(self, rule: DuplicateRule, parts: tuple) -> tuple[tuple, str | None]:
        """(the parts compared exactly, the similar-name key or None)."""
        similar = self.similar(rule)
        exact = tuple(
            part for condition, part in zip(self.conditions(rule), parts, strict=True) if condition is not similar
        )
        key = next(
            (part for condition, part in zip(self.conditions(rule), parts, strict=True) if condition is similar), None
        )
        return exact, key

    def earlier(self, rule: DuplicateRule, parts: tuple) -> Match | None:
        exact, key = self.split(rule, parts)
        if key is None:
            line = self.seen.get((rule.pk, exact))
        else:
            index = self.similar_seen.get((rule.pk, exact))
            line = index.find(key) if index else None
        return Match(line=line) if line is not None else None

    def remember(self, rule: DuplicateRule, parts: tuple, line: int) -> None:
        exact, key = self.split(rule, parts)
        if key is None:
            self.seen.setdefault((rule.pk, exact), line)
        else:
            self.similar_seen.setdefault((rule.pk, exact), TrigramIndex()).add(key, line)

    # Existing records ------------------------------------------------------------------------

    def existing(self, row_parts: dict[int, dict[int, tuple | None]]) -> dict[tuple[int, int], Match]:
        """(line, rule id) -> the first active record the row matches by that rule: one query
        for the rules without a similar-name condition, one per rule with one."""
        found: dict[tuple[int, int], Match] = {}
        plain = [rule for rule in self.rules if self.similar(rule) is None]
        found.update(self.existing_plain(plain, row_parts))
        for rule in self.rules:
            if self.similar(rule) is not None:
                found.update(self.existing_similar(rule, row_parts))
        return found

    def column(self, condition: RuleCondition) -> str:
        return self.fields[condition.field][0]

    def condition_filter(self, condition: RuleCondition, parts: set[str]) -> Q:
        column = self.column(condition)
        if condition.operator == Operator.FIRST:
            # A key range per prefix: the btree index of the key column serves it.
            return reduce(or_, (Q(**{f"{column}__gte": p, f"{column}__lt": next_string(p)}) for p in parts))
        if condition.operator == Operator.LAST:
            return Q(In(Right(F(column), condition.length), sorted(parts)))  # no index: a scan
        return Q(**{f"{column}__in": parts})

    def existing_plain(
        self, rules: list[DuplicateRule], row_parts: dict[int, dict[int, tuple | None]]
    ) -> dict[tuple[int, int], Match]:
        wanted = {
            rule: {parts[rule.pk] for parts in row_parts.values() if parts[rule.pk] is not None} for rule in rules
        }
        filters = [
            reduce(
                and_,
                (
                    self.condition_filter(condition, {parts[index] for parts in tuples})
                    for index, condition in enumerate(self.conditions(rule))
                ),
            )
            for rule, tuples in wanted.items()
            if tuples
        ]
        if not filters:
            return {}
        columns = sorted({self.column(c) for rule in wanted for c in self.conditions(rule)})
        label = self.model._meta.ordering[0]
        records = self.model._default_manager.active().filter(reduce(or_, filters)).order_by("pk")
        first_holder: dict[tuple[int, tuple], Match] = {}
        for pk, shown, *values in records.values_list("pk", label, *columns):
            row = dict(zip(columns, values, strict=True))
            for rule, tuples in wanted.items():
                keys_here = [row[self.column(c)] for c in self.conditions(rule)]
                if not all(keys_here):
                    continue
                parts = tuple(part_of(c, key) for c, key in zip(self.conditions(rule), keys_here, strict=True))
                if parts in tuples:
                    first_holder.setdefault((rule.pk, parts), Match(record_id=pk, record_label=shown))
        return {
            (line, rule.pk): first_holder[rule.pk, parts[rule.pk]]
            for line, parts in row_parts.items()
            for rule in rules
            if parts[rule.pk] is not None and (rule.pk, parts[rule.pk]) in first_holder
        }

    def existing_similar(
        self, rule: DuplicateRule, row_parts: dict[int, dict[int, tuple | None]]
    ) -> dict[tuple[int, int], Match]:
        """One statement: each row's keys joined to the table on the rule's conditions, the
        similar-name one first (the trigram index's), the lowest matching id kept per row."""
        rows = [(line, parts[rule.pk]) for line, parts in row_parts.items() if parts[rule.pk] is not None]
        if not rows:
            return {}
        conditions = self.conditions(rule)
        postgresql = connection.vendor == "postgresql"
        table = connection.ops.quote_name(self.model._meta.db_table)
        label = connection.ops.quote_name(self.model._meta.get_field(self.model._meta.ordering[0]).column)
        status = connection.ops.quote_name(self.model._meta.get_field("status").column)
        names = [f"k{index}" for index in range(len(conditions))]
        tests = []
        for condition, name in zip(conditions, names, strict=True):
            column = "t." + connection.ops.quote_name(self.column(condition))
            if condition.operator == Operator.SIMILAR:
                if postgresql:
                    tests.insert(0, f"{column} %% r.{name}")
                else:
                    tests.insert(0, f"{keys.SIMILARITY_FUNCTION}({column}, r.{name}) >= {keys.SIMILARITY_THRESHOLD}")
            elif condition.operator == Operator.FIRST:
                tests.append(f"substr({column}, 1, {int(condition.length)}) = r.{name}")
            elif condition.operator == Operator.LAST:
                if postgresql:
                    tests.append(f"right({column}, {int(condition.length)}) = r.{name}")
                else:
                    tests.append(f"substr({column}, -{int(condition.length)}) = r.{name}")
            else:
                tests.append(f"{column} = r.{name}")
        cast = "::text" if postgresql else ""
        values = ", ".join(["(%s" + (", %s" + cast) * len(names) + ")"] * len(rows))
        sql = (
            f"WITH r(line, {', '.join(names)}) AS (VALUES {values}) "
            f"SELECT r.line, t.id, t.{label} FROM r JOIN {table} t ON {' AND '.join(tests)} "
            f"WHERE t.{status} = %s ORDER BY r.line, t.id"
        )
        params = [value for line, parts in rows for value in (line, *parts)] + ["active"]
        found: dict[tuple[int, int], Match] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
            cursor.execute(sql, params)
            for line, pk, shown in cursor.fetchall():
                found.setdefault((line, rule.pk), Match(record_id=pk, record_label=shown))
        return found
