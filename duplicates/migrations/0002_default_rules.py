# D365's default duplicate detection rules: accounts with the same name, contacts with the
# same first and last name, contacts with the same email.

from django.db import migrations
from django.utils.translation import gettext_noop


# The names are stored in English and shown translated (duplicates.views.rule_list).
DEFAULT_RULES = [
    (gettext_noop("Accounts with the same account name"), "accounts.account", ["name"]),
    (gettext_noop("Contacts with the same first name and last name"), "contacts.contact", ["first_name", "last_name"]),
    (gettext_noop("Contacts with the same email address"), "contacts.contact", ["emailaddress1"]),
]


def create_default_rules(apps, schema_editor):
    DuplicateRule = apps.get_model("duplicates", "DuplicateRule")
    RuleCondition = apps.get_model("duplicates", "RuleCondition")
    for name, record_type, fields in DEFAULT_RULES:
        rule = DuplicateRule.objects.create(name=name, record_type=record_type)
        for field in fields:
            RuleCondition.objects.create(rule=rule, field=field, operator="exact")


def delete_default_rules(apps, schema_editor):
    names = [name for name, _record_type, _fields in DEFAULT_RULES]
    apps.get_model("duplicates", "DuplicateRule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):

    dependencies = [("duplicates", "0001_rules_and_merges")]

    operations = [migrations.RunPython(create_default_rules, delete_default_rules)]
