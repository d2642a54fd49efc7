"""Activities in the Django admin: the activities of records the user can read, imported and
exported with the app's columns and rules (activities.resources); changed in the app only,
where its services check who may and audit it."""

from __future__ import annotations

from django.contrib import admin

from access.roles import is_system_administrator
from activities.models import Activity
from activities.resources import ACTIVITY, ActivityResource
from crm.admin import ReadOnlyInAdmin, SelectEmptyChoice
from imports.admin_import import CheckedImportExportAdmin


@admin.register(Activity)
class ActivityAdmin(ReadOnlyInAdmin, SelectEmptyChoice, CheckedImportExportAdmin):
    resource_classes = [ActivityResource]
    list_display = ["__str__", "kind", "state", "due_at", "occurred_at", "owner"]
    list_filter = ["kind", "state"]
    list_select_related = ["owner"]
    show_full_result_count = False

    def get_queryset(self, request):
        return Activity.objects.visible_to(request.user)

    def has_import_permission(self, request, *args, **kwargs):
        # Administrators, as for accounts and contacts (access.admin.ScopedRecordAdmin), with
        # the right to import the records activities are about.
        return is_system_administrator(request.user) and ACTIVITY.may(request.user, "import")

    def has_export_permission(self, request, *args, **kwargs):
        return ACTIVITY.may(request.user, "export")
