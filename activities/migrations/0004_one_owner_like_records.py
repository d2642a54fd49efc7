"""Activities are owned like records (access.models.Owned): a user or a team, exactly one."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

rollup = import_module("activities.migrations.0002_rollup_follows_contact")


def set_rollup_trigger_aside(apps, schema_editor):
    # SQLite rebuilds the table to change a constraint, and refuses to rename the rebuilt table
    # while a trigger on contacts refers to it: the trigger is set aside meanwhile.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(rollup.SQLITE_BACKWARDS, params=None)


def restore_rollup_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(rollup.SQLITE_FORWARDS, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_organisation'),
        ('activities', '0003_unowned_activities_owned'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(set_rollup_trigger_aside, restore_rollup_trigger),
        migrations.RemoveConstraint(
            model_name='activity',
            name='activity_one_owner',
        ),
        migrations.AlterField(
            model_name='activity',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text="The person responsible for this record. Their 'My Active' view lists it.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Owner'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='owner_team',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text='The team responsible for this record, when a team owns it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.team', verbose_name='Owning team'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('owner_team__isnull', False)), fields=['owner_team', 'state', 'due_at', 'id'], name='activity_team_state_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='activity',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('owner__isnull', False), ('owner_team__isnull', True)), models.Q(('owner__isnull', True), ('owner_team__isnull', False)), _connector='OR'), name='activity_one_owner'),
        ),
        migrations.RunPython(restore_rollup_trigger, set_rollup_trigger_aside),
    ]
