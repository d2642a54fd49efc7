from django.conf import settings
from django.db import migrations

from access.roles import set_up_organisation


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(set_up_organisation, migrations.RunPython.noop)]
