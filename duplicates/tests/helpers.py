"""What the duplicates tests share: a merge as the page makes it, a type's rules replaced."""

from __future__ import annotations

from duplicates import services
from duplicates.models import DuplicateRule, RuleCondition


def merge(master, other, by, keep_other=()):
    """Merge `other` into `master` from the versions as they are (what the page posts)."""
    return services.records_merge(
        master=master,
        other=other,
        keep_other=set(keep_other),
        versions={master.pk: master.version, other.pk: other.version},
        by=by,
    )


def only_rule(record_type: str, *conditions: tuple[str, str, int | None]) -> DuplicateRule:
    """Every rule disabled but a new one of `record_type` with `conditions` (field, operator,
    length)."""
    DuplicateRule.objects.update(enabled=False)
    rule = DuplicateRule.objects.create(name="Test rule", record_type=record_type)
    for field, operator, length in conditions:
        RuleCondition.objects.create(rule=rule, field=field, operator=operator, length=length)
    return rule
