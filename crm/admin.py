"""What the record apps' admins share."""

from __future__ import annotations

from crm.forms import label_empty_choice


class SelectEmptyChoice:
    """Admin drop-downs say "Select..." as the app's do, instead of Django's "---------"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            label_empty_choice(field)
        return field
