"""Cached effective access goes stale on any change to the tables it is computed from,
whoever makes the change (these pages, the Django admin, a shell): a signal is the one place
that sees them all. It only bumps a version; no business rule lives here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from access.models import BusinessUnit, RolePrivilege, SecurityRole, Team, UserAccess
from access.scope import bump_version

WATCHED = (BusinessUnit, SecurityRole, RolePrivilege, Team, UserAccess)


def bump(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    bump_version()


for model in WATCHED:
    post_save.connect(bump, sender=model, dispatch_uid=f"access-bump-save-{model.__name__}")
    post_delete.connect(bump, sender=model, dispatch_uid=f"access-bump-delete-{model.__name__}")
# Django's own permissions too: access.backends keeps each user's set under the version.
for model in (Group, Permission):
    post_delete.connect(bump, sender=model, dispatch_uid=f"access-bump-delete-{model.__name__}")
for through in (
    Team.members.through,
    Team.roles.through,
    UserAccess.roles.through,
    Group.permissions.through,
    get_user_model().groups.through,
    get_user_model().user_permissions.through,
):
    m2m_changed.connect(bump, sender=through, dispatch_uid=f"access-bump-m2m-{through.__name__}")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="access-bump-user")
def bump_on_user_change(sender, update_fields=None, **kwargs) -> None:
    # Signing in saves last_login only: that changes no access.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump(sender, **kwargs)
