"""Before 0004 (one owner, exactly one of a user or a team, like records): every activity gets an owner.

An activity nobody owned becomes its creator's; one whose creator is gone too goes to the
owner (user or team) of the record it is about, who already answers for that record."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def give_unowned_activities_an_owner(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Account = apps.get_model("accounts", "Account")
    Contact = apps.get_model("contacts", "Contact")
    unowned = Activity.objects.filter(owner__isnull=True, owner_team__isnull=True)
    unowned.filter(created_by__isnull=False).update(owner=models.F("created_by"))

    def of_record(field):
        return Coalesce(
            Subquery(Account.objects.filter(pk=OuterRef("regarding_account_id")).values(field)[:1]),
            Subquery(Contact.objects.filter(pk=OuterRef("regarding_contact_id")).values(field)[:1]),
        )

    unowned.update(owner_id=of_record("owner_id"), owner_team_id=of_record("owner_team_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_organisation'),
        ('accounts', '0014_duplicate_keys_and_merged_into'),
        ('activities', '0002_rollup_follows_contact'),
        ('contacts', '0013_duplicate_keys_and_merged_into'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Alone in its migration: on PostgreSQL, rows updated with deferred foreign-key checks
        # pending can't be followed by ALTER TABLE in the same transaction.
        migrations.RunPython(give_unowned_activities_an_owner, migrations.RunPython.noop),
    ]
