# The A-Z bar files a name under its first letter without accents ("Émile" under E,
# "Œuvray" under O): its indexes on the new expression (crm.models.first_letter).

import crm.models
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0009_names_sort_with_icu_collation'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(models.F('status'), django.db.models.functions.text.Substr(crm.models.FoldedUpper(django.db.models.functions.text.Substr('full_name', 1, 1)), 1, 1), models.F('full_name'), models.F('id'), name='contact_letter_idx'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(models.F('owner'), models.F('status'), django.db.models.functions.text.Substr(crm.models.FoldedUpper(django.db.models.functions.text.Substr('full_name', 1, 1)), 1, 1), models.F('full_name'), models.F('id'), name='contact_owner_letter_idx'),
        ),
    ]
