"""The Sales site map: which area the current page belongs to, for highlighting, the record
types and capabilities it lists (crm.registry), and the user's Recent and Pinned records (read lazily, with
one query, only if a template shows them)."""

from __future__ import annotations

from django.http import HttpRequest

from crm import recent, registry

# Pages outside the record types that have a site-map entry: URL namespace or view name.
AREAS = {
    "home": "home",
    "imports": "imports",
    "access": "access",
    "duplicates:rules": "duplicates",
    "duplicates:rule_create": "duplicates",
    "duplicates:rule_edit": "duplicates",
    "audit": "audit",
}


def current_area(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if registry.get(match.namespace) is not None or registry.capability(match.namespace) is not None:
        return match.namespace
    return AREAS.get(match.namespace) or AREAS.get(match.view_name) or AREAS.get(match.url_name or "", "")


def sales_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_area": current_area(request),
        "nav_record_types": registry.all_types(),
        "nav_capabilities": registry.capabilities(),
        # Called only by a template that shows the Tools group: no permission query otherwise.
        "nav_can_import": lambda: user is not None and user.is_authenticated and registry.can_import_any(user),
        "recent_lists": recent.lists_for(request),
    }
