"""Django's model permissions (Import Data, Export...), kept between requests.

Every list page asks whether the user may import and export: ModelBackend reads the user's
and their groups' permissions with two queries on each request, because its cache lives on
the request's user object. Here the sets are also kept in the cache under the access version,
which access.signals bumps when a user's permissions or groups, or a group's permissions,
change: a change still takes effect on the next request, in every process.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from access.scope import CACHE_SECONDS, version_for


class CachedPermissionsBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        on_user = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, on_user):
            key = f"crm-perms:{from_name}:{user_obj.pk}:{version_for(user_obj)}"
            perms = cache.get(key)
            if perms is None:
                perms = super()._get_permissions(user_obj, obj, from_name)
                cache.set(key, perms, CACHE_SECONDS)
            setattr(user_obj, on_user, perms)
        return getattr(user_obj, on_user)
