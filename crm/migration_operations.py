"""Data steps shared by the accounts and contacts migrations."""

from __future__ import annotations

from django.db import migrations

from crm.models import linked_name


def copy_sort_names(model_label: str, copies: dict[str, tuple[str, str]]) -> migrations.RunPython:
    """Fill the sort-name copies of existing rows in one UPDATE: {field: (foreign key, attribute)}.

    The same copy as CustomerRecordQuerySet.refresh_sort_names, written against the
    historical models because migrations can't use today's model methods.
    """

    def forwards(apps, schema_editor):
        model = apps.get_model(model_label)
        updates = {
            field: linked_name(model._meta.get_field(relation).related_model, relation=relation, attribute=attribute)
            for field, (relation, attribute) in copies.items()
        }
        model._default_manager.update(**updates)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
