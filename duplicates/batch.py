"""Duplicate detection for many rows at once (imports): set-based, a chunk at a time.

Per chunk: the keys of every value the rules compare are computed by the database in one
query (the same function as the key columns, so both sides are normalised alike); then one
query per rule finds the existing records holding any of those keys, through the key
indexes. Rows repeating an earlier row of the file are found by their keys in memory, across
chunks. Only rules whose conditions are all exact take part: "same first characters" and
"similar name" would need a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Model

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


def keys_of(kind: str, values: set[str]) -> dict[str, str | None]:
    """The key of each value, computed by the database in one query."""
    if not values:
        return {}
    ordered = sorted(values)
    rows = ", ".join(["(%s)"] * len(ordered))
    sql = f"WITH typed(v) AS (VALUES {rows}) SELECT v, {key_sql(kind, 'v')} FROM typed"
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        return dict(cursor.fetchall())


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

    def rule_fields(self, rule: DuplicateRule) -> list[str]:
        return [condition.field for condition in rule.conditions.all()]

    def check(self, rows: list[tuple[int, dict]]) -> dict[int, Match]:
        """The rows (line, values) that duplicate an existing active record or an earlier
        row, by line. Call it once per chunk, in file order."""
        if not self.rules:
            return {}
        wanted: dict[str, set[str]] = {}
        for rule in self.rules:
            for name in self.rule_fields(rule):
                wanted.setdefault(name, set()).update(
                    str(values[name]) for _line, values in rows if values.get(name) not in (None, "")
                )
        row_keys = {name: keys_of(self.fields[name][1], values) for name, values in wanted.items()}

        def keys_for(rule: DuplicateRule, values: dict) -> tuple | None:
            parts = tuple(row_keys[name].get(str(values.get(name) or "")) for name in self.rule_fields(rule))
            return parts if all(parts) else None  # a blank never matches

        existing = {
            rule.pk: self.existing(
                self.rule_fields(rule), {parts for _line, values in rows if (parts := keys_for(rule, values))}
            )
            for rule in self.rules
        }
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

    def existing(self, names: list[str], wanted: set[tuple]) -> dict[tuple, Match]:
        """Active records holding any of `wanted` key tuples, in one query."""
        if not wanted:
            return {}
        columns = [self.fields[name][0] for name in names]
        filters = {f"{column}__in": {parts[index] for parts in wanted} for index, column in enumerate(columns)}
        label = self.model._meta.ordering[0]
        records = self.model._default_manager.active().filter(**filters).order_by("pk")
        found: dict[tuple, Match] = {}
        for pk, shown, *parts in records.values_list("pk", label, *columns):
            if tuple(parts) in wanted:
                found.setdefault(tuple(parts), Match(record_id=pk, record_label=shown))
        return found
