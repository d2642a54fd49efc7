from __future__ import annotations

from django.contrib import admin

from access import guard
from access.models import BusinessUnit, Privilege, RecordShare, RolePrivilege, SecurityRole, Team, UserAccess
from access.roles import is_system_administrator
from access.scope import access_of


class ScopedRecordAdmin(admin.ModelAdmin):
    """The Django admin of an owned record type, under the same access rules as the app:
    a user sees the records they may read and changes only those they may write."""

    def get_queryset(self, request):
        return guard.visible(super().get_queryset(request), request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or guard.allows(obj, request.user, Privilege.WRITE))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or guard.allows(obj, request.user, Privilege.DELETE))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and access_of(request.user).depth(self.model, Privilege.CREATE) > 0

    def has_import_permission(self, request, *args, **kwargs):
        # The admin import updates rows by id whoever owns them: administrators only (the
        # Import Data page applies the access rules row by row).
        return super().has_import_permission(request, *args, **kwargs) and is_system_administrator(request.user)

    def save_model(self, request, obj, form, change):
        if not change:  # the creator owns a new record, as on the app's own pages
            obj.owner, obj.owner_team, obj.created_by = request.user, None, request.user
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)


class AdministratorsOnly(admin.ModelAdmin):
    """The security tables are for System Administrators only."""

    def has_module_permission(self, request):
        return is_system_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_system_administrator(request.user)

    def has_add_permission(self, request):
        return is_system_administrator(request.user)


@admin.register(BusinessUnit)
class BusinessUnitAdmin(AdministratorsOnly):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(AdministratorsOnly):
    list_display = ["name", "business_unit"]
    filter_horizontal = ["members", "roles"]


class RolePrivilegeInline(admin.TabularInline):
    model = RolePrivilege
    extra = 0


@admin.register(SecurityRole)
class SecurityRoleAdmin(AdministratorsOnly):
    inlines = [RolePrivilegeInline]


@admin.register(UserAccess)
class UserAccessAdmin(AdministratorsOnly):
    list_display = ["user", "business_unit"]
    filter_horizontal = ["roles"]


@admin.register(RecordShare)
class RecordShareAdmin(AdministratorsOnly):
    list_display = ["content_type", "object_id", "user", "team", "rights"]
