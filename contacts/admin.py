from django.contrib import admin

from access.admin import ScopedRecordAdmin
from contacts.models import Contact
from contacts.resources import ContactResource
from crm.admin import RecordAdmin


@admin.register(Contact)
class ContactAdmin(ScopedRecordAdmin, RecordAdmin):
    resource_classes = [ContactResource]
    list_display = ["full_name", "emailaddress1", "company", "telephone1", "owner", "status"]
    list_filter = ["status", "role"]
    raw_id_fields = ["company", "manager"]
    readonly_fields = [
        "owner",
        "owner_team",
        "business_unit",
        "full_name",
        "status",
        "status_reason",
        "created_on",
        "created_by",
        "modified_on",
        "modified_by",
        "version",
    ]
    list_select_related = ["owner", "company"]
