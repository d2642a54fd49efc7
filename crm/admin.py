"""What the record apps' admins share."""

from __future__ import annotations

from crm import services
from crm.forms import label_empty_choice


class RecordAdmin:
    """Mixed in before the admin class an app uses (the import/export one)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Admin drop-downs say "Select..." as the app's do, instead of Django's "---------".
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            label_empty_choice(field)
        return field

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, as the app's own screens save: other rows' copies of the name follow.
        services.record_save(record=obj)
