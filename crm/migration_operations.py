"""Data steps shared by the accounts and contacts migrations."""

from __future__ import annotations

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_sort_names(model_label: str, copies: dict[str, tuple[str, str]]) -> migrations.RunPython:
    """Fill the sort-name copies of existing rows in one UPDATE: {field: (foreign key, attribute)}.

    The same copy as CustomerRecordQuerySet.refresh_sort_names, written against the
    historical models because migrations can't use today's model methods.
    """

    def forwards(apps, schema_editor):
        model = apps.get_model(model_label)
        updates = {}
        for field, (relation, attribute) in copies.items():
            linked = model._meta.get_field(relation).related_model
            name = linked._default_manager.filter(pk=OuterRef(f"{relation}_id")).values(attribute)[:1]
            updates[field] = Coalesce(Subquery(name), Value(""))
        model._default_manager.update(**updates)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
