"""D365's default duplicate detection rules, shipped by migration 0002."""

from __future__ import annotations

from django.utils.translation import gettext_noop

# The names are stored in English and shown translated (duplicates.views.rule_list).
DEFAULT_RULES = [
    (gettext_noop("Accounts with the same account name"), "accounts.account", ["name"]),
    (gettext_noop("Contacts with the same first name and last name"), "contacts.contact", ["first_name", "last_name"]),
    (gettext_noop("Contacts with the same email address"), "contacts.contact", ["emailaddress1"]),
]


def create_default_rules(rule_model, condition_model) -> None:
    """Create the default rules missing (by name); takes the models, so a migration can pass
    its historical ones."""
    for name, record_type, fields in DEFAULT_RULES:
        rule, created = rule_model.objects.get_or_create(name=name, record_type=record_type)
        if created:
            for field in fields:
                condition_model.objects.create(rule=rule, field=field, operator="exact")


def ensure_default_rules() -> None:
    """The default rules back, e.g. after a test flush emptied every table."""
    from duplicates.models import DuplicateRule, RuleCondition

    create_default_rules(DuplicateRule, RuleCondition)
