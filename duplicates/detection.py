"""Finding the records a record may duplicate, by the enabled rules of its record type."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Right, Substr

from access import guard
from access.registry import record_type
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
            # (find() runs in one).
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


def rule_filter(model: type[Model], rule: DuplicateRule, record: Model) -> Q | None:
    """All of a rule's conditions for `record`, or None if one of them can't hold."""
    parts = []
    for condition in rule.conditions.all():
        part = condition_filter(model, condition, getattr(record, condition.field, None))
        if part is None:
            return None
        parts.append(part)
    return reduce(lambda a, b: a & b, parts) if parts else None


def rules_for(model: type[Model]) -> list[DuplicateRule]:
    return list(DuplicateRule.objects.enabled().for_record_type(record_type(model)).prefetch_related("conditions"))


def candidates(record: Model, *, changed: set[str] | None = None) -> QuerySet | None:
    """The active records of the same type that `record` may duplicate by any enabled rule;
    None if no rule applies. With `changed`, only rules on one of those fields count (an edit
    that left the compared fields alone doesn't warn again)."""
    model = type(record)
    filters = []
    for rule in rules_for(model):
        fields = {condition.field for condition in rule.conditions.all()}
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
    there are others."""
    with transaction.atomic():  # for the similar-name rule's SET LOCAL
        matches = candidates(record, changed=changed)
        if matches is None:
            return Duplicates()
        model = type(record)
        # What the warning shows: the name, the owner, the link.
        listed = matches.select_related("owner").only("pk", model._meta.ordering[0], "owner", "owner_name")
        shown = list(guard.visible(listed, user).order_by(*model._meta.ordering)[:SHOWN_MATCHES])
        others = matches.exclude(pk__in=[match.pk for match in shown])
        if len(shown) == SHOWN_MATCHES:
            others_exist = others.exists()
        else:
            others_exist = others.exclude(pk__in=guard.visible(matches, user).values("pk")).exists()
    return Duplicates(shown=shown, others_exist=others_exist)
