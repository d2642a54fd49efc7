# Quick find ignores accents ("emile" finds "Émile"): the search text is stored folded
# (crm.models.FoldedUpper), with the list indexes that carry it and its trigram index.

import crm.models
import django.db.models.functions.text
from django.db import migrations, models

from crm.trigram import search_text_trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_az_letters_without_accents'),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='search_text',
            field=models.GeneratedField(db_persist=True, expression=crm.models.FoldedUpper(django.db.models.functions.text.Concat(models.F('name'), models.Value('\n'), models.F('account_number'), models.Value('\n'), models.F('emailaddress1'), models.Value('\n'), models.F('telephone1'), models.Value('\n'), models.F('address1_city'), output_field=models.TextField())), output_field=models.TextField(), verbose_name='Search text'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['status', 'name', 'id'], include=('search_text',), name='account_status_name_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['owner', 'status', 'name', 'id'], include=('search_text',), name='account_owner_status_name_idx'),
        ),
        search_text_trigram_index("accounts_account"),
    ]
