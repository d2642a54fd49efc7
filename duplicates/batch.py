"""Duplicate detection for many rows at once (imports): set-based, a chunk at a time.

Per chunk, two queries whatever its size: the keys of every value the rules compare,
computed by the database (the same functions as the key columns, so both sides are
normalised alike); then the existing active records holding any of those keys, through the
key indexes. Rows repeating an earlier row of the file are found by their keys in memory, across
chunks. Only rules whose conditions are all exact take part: "same first characters" and
"similar name" would need a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Model, Q

from duplicates import keys
from duplicates.detection import matchable_fields, rules_for
from duplicates.models import DuplicateRule, Operator


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


class BatchDuplicates:
    def __init__(self, model: type[Model]):
        self.model = model
        fields = matchable_fields(model)
        self.rules: list[DuplicateRule] = [
            rule
            for rule in rules_for(model)
            if rule.conditions.all()
            and all(c.operator == Operator.EXACT and c.field in fields for c in rule.conditions.all())
        ]
        self.fields = fields
        # (rule id, keys) -> the line of the first row of the file holding them.
        self.seen: dict[tuple, int] = {}

    def compared_fields(self) -> list[str]:
        """The fields the rules compare: what a caller must put in each row's values."""
        return sorted({name for rule in self.rules for name in self.rule_fields(rule)})

    def rule_fields(self, rule: DuplicateRule) -> list[str]:
        return [condition.field for condition in rule.conditions.all()]

    def check(self, rows: list[tuple[int, dict]]) -> dict[int, Match]:
        """The rows (line, values) that duplicate an existing active record or an earlier
        row, by line. Call it once per chunk, in file order."""
        if not self.rules:
            return {}
        names = {name for rule in self.rules for name in self.rule_fields(rule)}
        typed = {str(values[name]) for _line, values in rows for name in names if values.get(name) not in (None, "")}
        by_kind = keys_of({self.fields[name][1] for name in names}, typed)
        row_keys = {name: by_kind[self.fields[name][1]] for name in names}

        def keys_for(rule: DuplicateRule, values: dict) -> tuple | None:
            parts = tuple(row_keys[name].get(str(values.get(name) or "")) for name in self.rule_fields(rule))
            return parts if all(parts) else None  # a blank never matches

        existing = self.existing(
            {rule: {parts for _line, values in rows if (parts := keys_for(rule, values))} for rule in self.rules}
        )
        found: dict[int, Match] = {}
        for line, values in rows:
            row_keys_by_rule = {rule.pk: keys_for(rule, values) for rule in self.rules}
            for rule_id, parts in row_keys_by_rule.items():
                if parts is None:
                    continue
                match = existing[rule_id].get(parts)
                if match is None and (rule_id, parts) in self.seen:
                    match = Match(line=self.seen[rule_id, parts])
                if match is not None:
                    found[line] = match
                    break
            else:
                for rule_id, parts in row_keys_by_rule.items():
                    if parts is not None:
                        self.seen.setdefault((rule_id, parts), line)
        return found

    def existing(self, wanted: dict[DuplicateRule, set[tuple]]) -> dict[int, dict[tuple, Match]]:
        """rule id -> key tuple -> the first active record holding it, for every rule's
        `wanted` key tuples, in one query."""
        found: dict[int, dict[tuple, Match]] = {rule.pk: {} for rule in wanted}
        filters = [
            Q(
                **{
                    f"{self.fields[name][0]}__in": {parts[index] for parts in tuples}
                    for index, name in enumerate(self.rule_fields(rule))
                }
            )
            for rule, tuples in wanted.items()
            if tuples
        ]
        if not filters:
            return found
        columns = sorted({self.fields[name][0] for rule in wanted for name in self.rule_fields(rule)})
        label = self.model._meta.ordering[0]
        records = self.model._default_manager.active().filter(reduce(or_, filters)).order_by("pk")
        for pk, shown, *values in records.values_list("pk", label, *columns):
            row = dict(zip(columns, values, strict=True))
            for rule, tuples in wanted.items():
                parts = tuple(row[self.fields[name][0]] for name in self.rule_fields(rule))
                if parts in tuples:
                    found[rule.pk].setdefault(parts, Match(record_id=pk, record_label=shown))
        return found
