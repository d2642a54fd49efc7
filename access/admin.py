from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from access import guard
from access.models import BusinessUnit, Privilege, RecordShare, RolePrivilege, SecurityRole, Team, UserAccess
from access.roles import is_system_administrator
from access.scope import access_of
from audit import services as audit
from audit.models import Source


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
        with transaction.atomic():
            before = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
            super().save_model(request, obj, form, change)
            if before is None:
                audit.record_created(record=obj, by=request.user, source=Source.ADMIN)
            else:
                audit.record_changed(before=before, after=obj, by=request.user, source=Source.ADMIN)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record_deleting(record=obj, by=request.user, source=Source.ADMIN)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            audit.records_deleting(records=queryset, by=request.user, source=Source.ADMIN)
            super().delete_queryset(request, queryset)


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
    """Shares granted, changed or removed here are audited like those of the Share page."""

    list_display = ["content_type", "object_id", "user", "team", "rights"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = RecordShare.objects.filter(pk=obj.pk).first() if change else None
            if not change:
                obj.granted_by = request.user
            super().save_model(request, obj, form, change)
            if before is not None and share_key(before) != share_key(obj):
                audit_share(before, None, by=request.user)  # moved to another record or principal
                before = None
            if before is None or before.rights != obj.rights:
                audit_share(obj, obj.rights, old=before.rights if before else None, by=request.user)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_share(obj, None, by=request.user)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for share in queryset.select_related("user", "team", "content_type"):
                audit_share(share, None, by=request.user)
            super().delete_queryset(request, queryset)


def share_key(share: RecordShare) -> tuple:
    return (share.content_type_id, share.object_id, share.user_id, share.team_id)


def audit_share(share: RecordShare, rights: int | None, *, by, old: int | None = None) -> None:
    """The audit entry of a share the admin grants (rights), changes, or removes (None)."""
    model = share.content_type.model_class()
    record = model._default_manager.filter(pk=share.object_id).first() or model(pk=share.object_id)
    audit.record_share_changed(
        record=record,
        principal=share.team or share.user,
        old_rights=share.rights if rights is None else old,
        new_rights=rights,
        by=by,
        source=Source.ADMIN,
    )
