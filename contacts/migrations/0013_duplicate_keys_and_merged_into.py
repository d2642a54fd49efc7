# Duplicate detection: normalised keys of the first and last name and the email kept by the
# database (see duplicates.keys), their indexes, and the link from a merged record to the one
# it was merged into.

import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models

import duplicates.keys


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0012_owner_team_business_unit"),
        ("duplicates", "0001_rules_and_merges"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contacts.contact",
                verbose_name="Merged into",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="first_name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=duplicates.keys.NameKey(models.F("first_name"), company=False),
                null=True,
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="last_name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=duplicates.keys.NameKey(models.F("last_name"), company=False),
                null=True,
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="contact",
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
            model_name="contact",
            index=models.Index(fields=["last_name_key", "first_name_key"], name="contact_name_key_idx"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["email_key"], name="contact_email_key_idx"),
        ),
    ]
