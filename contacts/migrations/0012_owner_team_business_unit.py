import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from access.roles import put_records_in_root_unit


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_organisation'),
        ('accounts', '0013_owner_team_business_unit'),
        ('contacts', '0011_quick_find_ignores_accents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='business_unit',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.businessunit', verbose_name='Business unit'),
        ),
        migrations.AddField(
            model_name='contact',
            name='owner_team',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text='The team responsible for this record, when a team owns it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.team', verbose_name='Owning team'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text="The person responsible for this record. Their 'My Active' view lists it.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Owner'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['business_unit', 'status', 'full_name', 'id'], include=('search_text',), name='contact_unit_status_idx'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('owner_team__isnull', False)), fields=['owner_team', 'status', 'full_name', 'id'], name='contact_team_status_idx'),
        ),
            migrations.RunPython(put_records_in_root_unit("contacts", "Contact"), migrations.RunPython.noop),
        migrations.AlterField(
            model_name='contact',
            name='business_unit',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.businessunit', verbose_name='Business unit'),
        ),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('owner__isnull', False), ('owner_team__isnull', True)), models.Q(('owner__isnull', True), ('owner_team__isnull', False)), _connector='OR'), name='contact_one_owner'),
        ),
    ]
