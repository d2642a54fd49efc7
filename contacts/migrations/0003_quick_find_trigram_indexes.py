from django.db import migrations

from crm.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_list_sort_indexes")]

    operations = [
        trigram_indexes("contacts_contact", ["full_name", "emailaddress1", "telephone1", "mobile_phone"]),
    ]
