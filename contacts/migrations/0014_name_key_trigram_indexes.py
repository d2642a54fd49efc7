# A "similar name" condition on a contact's first or last name probes a trigram index of its
# key, like the account name key's (accounts 0014); PostgreSQL only, SQLite keeps the Python
# measure (duplicates.keys.similarity).

from django.db import migrations

from crm import trigram

COLUMNS = {"first_name_key": '"first_name_key"', "last_name_key": '"last_name_key"'}


class Migration(migrations.Migration):
    dependencies = [("contacts", "0013_duplicate_keys_and_merged_into")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: trigram.create_indexes(schema_editor, "contacts_contact", COLUMNS),
            lambda apps, schema_editor: trigram.drop_indexes(schema_editor, "contacts_contact", list(COLUMNS)),
            elidable=False,
        ),
    ]
