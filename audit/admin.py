from django.contrib import admin

from access.roles import is_system_administrator
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, for System Administrators: the audit is never edited or deleted by hand."""

    list_display = ["at", "event", "source", "record_type", "record_name", "user_name", "job_id"]
    list_filter = ["event", "source", "record_type"]
    search_fields = ["record_name", "user_name"]
    show_full_result_count = False

    def has_module_permission(self, request):
        return is_system_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
