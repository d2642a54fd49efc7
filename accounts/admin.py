from django.contrib import admin

from access.admin import ScopedRecordAdmin
from accounts.models import Account
from accounts.resources import AccountResource
from crm.admin import RecordAdmin


@admin.register(Account)
class AccountAdmin(ScopedRecordAdmin, RecordAdmin):
    resource_classes = [AccountResource]
    list_display = ["name", "account_number", "telephone1", "address1_city", "owner", "status"]
    list_filter = ["status", "relationship_type", "industry", "category"]
    raw_id_fields = ["parent", "primary_contact"]
    readonly_fields = [
        "owner",
        "owner_team",
        "business_unit",
        "status",
        "status_reason",
        "created_on",
        "created_by",
        "modified_on",
        "modified_by",
        "version",
    ]
    list_select_related = ["owner"]
