# The A-Z bar files a name under its first letter without accents ("Émile" under E,
# "Œuvray" under O): its indexes on the new expression (crm.models.first_letter).

import crm.models
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_names_sort_with_icu_collation'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='account',
            index=models.Index(models.F('status'), django.db.models.functions.text.Substr(crm.models.FoldedUpper(django.db.models.functions.text.Substr('name', 1, 1)), 1, 1), models.F('name'), models.F('id'), name='account_letter_idx'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(models.F('owner'), models.F('status'), django.db.models.functions.text.Substr(crm.models.FoldedUpper(django.db.models.functions.text.Substr('name', 1, 1)), 1, 1), models.F('name'), models.F('id'), name='account_owner_letter_idx'),
        ),
    ]
