# D365's default duplicate detection rules: accounts with the same name, contacts with the
# same first and last name, contacts with the same email.

from django.db import migrations

from duplicates.defaults import DEFAULT_RULES, create_default_rules


def create(apps, schema_editor):
    create_default_rules(apps.get_model("duplicates", "DuplicateRule"), apps.get_model("duplicates", "RuleCondition"))


def delete(apps, schema_editor):
    names = [name for name, _record_type, _fields in DEFAULT_RULES]
    apps.get_model("duplicates", "DuplicateRule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):

    dependencies = [("duplicates", "0001_rules_and_merges")]

    operations = [migrations.RunPython(create, delete)]
