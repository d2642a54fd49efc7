# Names sort with the ICU root collation on PostgreSQL (crm.models.NameField); nothing
# changes on SQLite. PostgreSQL can't change the collation of a column that a generated column
# reads, so the search text goes first (with the indexes that carry it, and the A-Z indexes,
# built again in the next two migrations with their new expressions, each index once).
# At 1M rows: the name columns' indexes are rebuilt; plan a maintenance window.

import crm.models
from django.db import migrations

from crm.trigram import drop_search_text_trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0008_phone_numbers_as_typed'),
        ('crm', '0003_accent_folding_function'),
    ]

    operations = [
        drop_search_text_trigram_index("contacts_contact"),
        migrations.RemoveIndex(model_name='contact', name='contact_status_name_idx'),
        migrations.RemoveIndex(model_name='contact', name='contact_owner_status_name_idx'),
        migrations.RemoveIndex(model_name='contact', name='contact_letter_idx'),
        migrations.RemoveIndex(model_name='contact', name='contact_owner_letter_idx'),
        migrations.RemoveField(model_name='contact', name='search_text'),
        migrations.AlterField(
            model_name='contact',
            name='full_name',
            field=crm.models.NameField(editable=False, max_length=220, verbose_name='Full Name'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='owner_name',
            field=crm.models.NameField(blank=True, editable=False, max_length=150, verbose_name='Owner Name'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='company_name',
            field=crm.models.NameField(blank=True, editable=False, max_length=160, verbose_name='Company Name (copy)'),
        ),
    ]
