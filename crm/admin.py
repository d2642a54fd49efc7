"""What the admin of every record type shares."""

from __future__ import annotations

from import_export.admin import ImportExportModelAdmin

from crm import services


class RecordAdmin(ImportExportModelAdmin):
    def save_model(self, request, obj, form, change) -> None:
        # Through the service, as the app's own screens save: other rows' copies of the name follow.
        services.record_save(record=obj)
