"""Finding the records a record may duplicate, by the enabled rules of its record type."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import reduce
from itertools import groupby
from operator import itemgetter, or_

from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Right, Substr

from access import guard
from access.registry import record_type
from crm.models import fold
from duplicates import keys
from duplicates.models import DuplicateRule, Operator, RuleCondition

# Matches a warning lists; more are summed up as "and others".
SHOWN_MATCHES = 10


def matchable_fields(model: type[Model]) -> dict[str, tuple[str, str]]:
    """field -> (key column, kind of key) for the fields rules of `model` can compare."""
    return getattr(model, "DUPLICATE_KEYS", {})


def condition_filter(model: type[Model], condition: RuleCondition, value) -> Q | None:
    """The filter a condition puts on candidates for a record holding `value`; None when the
    value is blank (a blank never matches) or the field can't be compared."""
    if value is None or not str(value).strip() or condition.field not in matchable_fields(model):
        return None
    column, kind = matchable_fields(model)[condition.field]
    typed_key = keys.key_of_value(kind, str(value))
    if condition.operator == Operator.FIRST:
        return Q(**{f"{column}__startswith": Substr(typed_key, 1, condition.length)})
    if condition.operator == Operator.LAST:
        return Q(**{f"{column}__endswith": Right(typed_key, condition.length)})
    if condition.operator == Operator.SIMILAR:
        if connection.vendor == "postgresql":
            # The % operator uses the trigram index; its threshold is set for the transaction
            # (find() opens one when a rule needs it: needs_transaction).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [keys.SIMILARITY_THRESHOLD])
            return Q(keys.TrigramMatch(F(column), typed_key))
        return Q(
            **{
                "pk__in": model._default_manager.alias(similarity=keys.Similarity(column, typed_key))
                .filter(similarity__gte=keys.SIMILARITY_THRESHOLD)
                .values("pk")
            }
        )
    return Q(**{column: typed_key})


def rule_filter(model: type[Model], rule: EnabledRule, record: Model) -> Q | None:
    """All of a rule's conditions for `record`, or None if one of them can't hold."""
    parts = []
    for condition in rule.conditions:
        part = condition_filter(model, condition, getattr(record, condition.field, None))
        if part is None:
            return None
        parts.append(part)
    return reduce(lambda a, b: a & b, parts) if parts else None


@dataclass(frozen=True)
class EnabledRule:
    """An enabled rule as detection reads it: its conditions, loaded with every other rule's
    in one query (a save's check pays one round trip for the rules, not two)."""

    pk: int
    name: str
    conditions: tuple[RuleCondition, ...]


def rules_for(model: type[Model]) -> list[EnabledRule]:
    """The enabled rules of `model`'s record type that have conditions (a rule without any
    never matches), in the rules' order. Read as values, not joined model rows: on a save's
    check this query cost more Python than the search itself."""
    rows = (
        RuleCondition.objects.filter(rule__enabled=True, rule__record_type=record_type(model))
        .order_by(*(f"rule__{key}" for key in DuplicateRule._meta.ordering), "id")
        .values_list("rule_id", "rule__name", "id", "field", "operator", "length")
    )
    rules = []
    for (pk, name), group in groupby(rows, key=itemgetter(0, 1)):
        conditions = tuple(
            RuleCondition(id=condition_id, rule_id=pk, field=field, operator=operator, length=length)
            for _pk, _name, condition_id, field, operator, length in group
        )
        rules.append(EnabledRule(pk=pk, name=name, conditions=conditions))
    return rules


def usable_rules(model: type[Model]) -> list[EnabledRule]:
    """The enabled rules whose every condition is on a field `model` can compare."""
    fields = matchable_fields(model)
    return [rule for rule in rules_for(model) if all(condition.field in fields for condition in rule.conditions)]


def needs_transaction(rules: list[EnabledRule]) -> bool:
    """Whether filtering by `rules` sets pg_trgm's threshold, which lasts for a transaction
    (SET LOCAL): a similar-name condition on PostgreSQL."""
    return connection.vendor == "postgresql" and any(
        condition.operator == Operator.SIMILAR for rule in rules for condition in rule.conditions
    )


def candidates(
    record: Model, *, changed: set[str] | None = None, rules: list[EnabledRule] | None = None
) -> QuerySet | None:
    """The active records of the same type that `record` may duplicate by any enabled rule
    (or by `rules`); None if no rule applies. With `changed`, only rules on one of those fields
    count (an edit that left the compared fields alone doesn't warn again)."""
    model = type(record)
    filters = []
    for rule in rules_for(model) if rules is None else rules:
        fields = {condition.field for condition in rule.conditions}
        if changed is not None and not fields & changed:
            continue
        found = rule_filter(model, rule, record)
        if found is not None:
            filters.append(found)
    if not filters:
        return None
    matches = model._default_manager.active().filter(reduce(or_, filters))
    if record.pk is not None:
        matches = matches.exclude(pk=record.pk)
    return matches


@dataclass
class Duplicates:
    shown: list = field(default_factory=list)
    # Matches exist that the user may not see: said, never shown.
    others_exist: bool = False

    def __bool__(self) -> bool:
        return bool(self.shown) or self.others_exist


def find(record: Model, user, *, changed: set[str] | None = None) -> Duplicates:
    """Possible duplicates of `record` (saved or not): those `user` may read, and whether
    there are others.

    The first matches the indexes give, not the first by name: sorting by name would read
    every match, and a common first + last name has hundreds (~900 a pair in the 1M benchmark,
    a page of the table each, which a cold cache reads from disk). One query reads up to
    SHOWN_MATCHES + 1 readable matches, sorted by name here. Not their ids first and then
    their rows by `pk IN (...)` sorted by the database: planning that self-join looks up the
    ends of the id index, which after a large import or delete, until VACUUM, walks the dead
    rows (5-15 ms at 1M contacts with 78,000 dead; 0.4 ms vacuumed; 0.2 ms this way, either
    way), and the ORM builds one query instead of two. Only for a user who
    doesn't read every record, when no more than SHOWN_MATCHES are readable, one more query
    stops at the first match they can't see. Each search runs once: a similar-name search
    costs ~25 ms at 1M."""
    model = type(record)
    rules = rules_for(model)
    with transaction.atomic() if needs_transaction(rules) else nullcontext():
        matches = candidates(record, changed=changed, rules=rules)
        if matches is None:
            return Duplicates()
        name = model._meta.ordering[0]
        # What the warning shows: the name, the owner, the link.
        found = list(
            guard.visible(matches, user)
            .order_by()
            .select_related("owner")
            .only("pk", name, "owner", "owner_name")[: SHOWN_MATCHES + 1]
        )
        found.sort(key=lambda match: (fold(getattr(match, name) or "").casefold(), match.pk))
        shown = found[:SHOWN_MATCHES]
        if len(found) > SHOWN_MATCHES:
            others_exist = True
        elif guard.reads_every(model, user):
            others_exist = False  # every match is in `found`
        else:
            others_exist = matches.exclude(pk__in=[match.pk for match in found]).exists()
    return Duplicates(shown=shown, others_exist=others_exist)
