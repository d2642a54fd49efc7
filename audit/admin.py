from django.contrib import admin

from access.admin import AdministratorsOnly
from audit.models import AuditEntry
from crm.admin import ReadOnlyInAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyInAdmin, AdministratorsOnly):
    """Read-only, for System Administrators: the audit is never edited or deleted by hand."""

    list_display = ["at", "event", "source", "record_type", "record_name", "user_name", "job_id"]
    list_filter = ["event", "source", "record_type"]
    search_fields = ["record_name", "user_name"]
    show_full_result_count = False
