# "Same first name + similar last name": import rows read the active contacts of their first
# name from this index alone (duplicates.batch). A plain btree, on SQLite too.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contacts", "0015_merged_into_index")]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["first_name_key", "last_name_key"],
                name="contact_first_name_key_idx",
                include=["id"],
            ),
        ),
    ]
