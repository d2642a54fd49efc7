# Quick find ignores accents ("emile" finds "Émile"): the search text is stored folded
# (crm.models.FoldedUpper), with the list indexes that carry it and its trigram index.

import crm.models
import django.db.models.functions.text
from django.db import migrations, models

from crm.trigram import search_text_trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0010_az_letters_without_accents'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='search_text',
            field=models.GeneratedField(db_persist=True, expression=crm.models.FoldedUpper(django.db.models.functions.text.Concat(models.F('full_name'), models.Value('\n'), models.F('emailaddress1'), models.Value('\n'), models.F('telephone1'), models.Value('\n'), models.F('mobile_phone'), models.Value('\n'), models.F('company_name'), output_field=models.TextField())), output_field=models.TextField(), verbose_name='Search text'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['status', 'full_name', 'id'], include=('search_text',), name='contact_status_name_idx'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['owner', 'status', 'full_name', 'id'], include=('search_text',), name='contact_owner_status_name_idx'),
        ),
        search_text_trigram_index("contacts_contact"),
    ]
