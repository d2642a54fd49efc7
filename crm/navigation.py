"""The Sales site map: which area the current page belongs to, for highlighting, and the
user's Recent and Pinned records (read lazily, with one query, only if a template shows them)."""

from __future__ import annotations

from django.http import HttpRequest

from crm import recent

# The URL namespace (or view name) of a page maps to the site-map entry it highlights.
AREAS = {
    "accounts": "accounts",
    "contacts": "contacts",
    "activities": "activities",
    "home": "home",
    "imports": "imports",
    "access": "access",
}


def current_area(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return AREAS.get(match.namespace) or AREAS.get(match.url_name or "", "")


def sales_navigation(request: HttpRequest) -> dict:
    return {"nav_area": current_area(request), "recent_lists": recent.lists_for(request)}
