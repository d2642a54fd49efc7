from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from access.roles import is_system_administrator
from access.scope import access_of


def access(request) -> dict:
    """What the chrome needs to know about the user's access, computed only if a page asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "crm_access": SimpleLazyObject(lambda: access_of(user)),
        "crm_is_administrator": SimpleLazyObject(lambda: is_system_administrator(user)),
    }
