from django.db import migrations

from crm.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_list_sort_indexes")]

    operations = [
        trigram_indexes(
            "accounts_account", ["name", "account_number", "emailaddress1", "telephone1", "address1_city"]
        ),
    ]
