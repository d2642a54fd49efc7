# Duplicate detection: normalised keys of the name and email kept by the database (see
# duplicates.keys), their indexes, a trigram index for the similar-name rule (PostgreSQL),
# and the link from a merged record to the one it was merged into.

import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models

import duplicates.keys
from crm import trigram


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0013_owner_team_business_unit"),
        ("duplicates", "0001_rules_and_merges"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.account",
                verbose_name="Merged into",
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=duplicates.keys.NameKey(models.F("name"), company=True),
                null=True,
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="email_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.NullIf(
                    django.db.models.functions.text.Lower(
                        django.db.models.functions.text.Trim(models.F("emailaddress1"))
                    ),
                    models.Value(""),
                ),
                null=True,
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(fields=["name_key"], name="account_name_key_idx"),
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(fields=["email_key"], name="account_email_key_idx"),
        ),
        migrations.RunPython(
            lambda apps, schema_editor: trigram.create_indexes(
                schema_editor, "accounts_account", {"name_key": '"name_key"'}
            ),
            lambda apps, schema_editor: trigram.drop_indexes(schema_editor, "accounts_account", ["name_key"]),
            elidable=False,
        ),
    ]
