"""What the admin of every record type shares."""

from __future__ import annotations

from django.contrib import admin

from crm import services


class RecordAdmin(admin.ModelAdmin):
    """Mixed in before the admin class an app uses (the import/export one)."""

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, as the app's own screens save: other rows' copies of the name follow.
        services.record_save(record=obj)
