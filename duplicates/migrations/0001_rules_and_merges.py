# Duplicate detection rules, merges kept for Undo, and the name key function.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import duplicates.models

from duplicates.keys import NAME_KEY_FUNCTION, postgresql_function_sql


def create_name_key_function(apps, schema_editor):
    """dup_name_key(text, boolean) on PostgreSQL (SQLite gets it from the app on connecting)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(postgresql_function_sql())


def drop_name_key_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NAME_KEY_FUNCTION}(text, boolean)")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("crm", "0003_accent_folding_function"),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_name_key_function, drop_name_key_function, elidable=False),
        migrations.CreateModel(
            name='DuplicateRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='Name')),
                ('record_type', models.CharField(max_length=100, verbose_name='Record type')),
                ('enabled', models.BooleanField(default=True, verbose_name='Enabled')),
            ],
            options={
                'verbose_name': 'duplicate detection rule',
                'verbose_name_plural': 'duplicate detection rules',
                'ordering': ['record_type', 'name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='MergeOperation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('master_id', models.PositiveBigIntegerField(verbose_name='Master record id')),
                ('other_id', models.PositiveBigIntegerField(verbose_name='Merged record id')),
                ('master_before', models.JSONField(encoder=duplicates.models.SnapshotEncoder)),
                ('other_before', models.JSONField(encoder=duplicates.models.SnapshotEncoder)),
                ('master_version', models.PositiveIntegerField()),
                ('other_version', models.PositiveIntegerField()),
                ('moved', models.JSONField(default=dict)),
                ('merged_on', models.DateTimeField(auto_now_add=True, verbose_name='Merged on')),
                ('undone_on', models.DateTimeField(blank=True, null=True, verbose_name='Undone on')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('merged_by', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'merge',
                'verbose_name_plural': 'merges',
                'indexes': [models.Index(fields=['content_type', 'master_id'], name='merge_master_idx'), models.Index(fields=['content_type', 'other_id'], name='merge_other_idx')],
            },
        ),
        migrations.CreateModel(
            name='RuleCondition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=100, verbose_name='Field')),
                ('operator', models.CharField(choices=[('exact', 'Exact match'), ('first', 'Same first characters'), ('last', 'Same last characters'), ('similar', 'Similar name')], default='exact', max_length=10, verbose_name='Operator')),
                ('length', models.PositiveSmallIntegerField(blank=True, help_text='For “same first / last characters”: how many characters must be the same.', null=True, verbose_name='Number of characters')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conditions', to='duplicates.duplicaterule')),
            ],
            options={
                'verbose_name': 'condition',
                'verbose_name_plural': 'conditions',
                'ordering': ['id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('operator__in', ['first', 'last']), _negated=True), ('length__gte', 1), _connector='OR'), name='rulecondition_length_for_first_last')],
            },
        ),
    ]
