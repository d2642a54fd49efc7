from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from crm import recent, registry
from crm.lists import capped_count, rows_by_id
from crm.record_views import safe_next_url

# Global search shows a handful of each type; the lists do the heavy lifting.
SEARCH_PREVIEW_SIZE = 10

PINNED_MESSAGE = _("%(record)s is pinned.")
UNPINNED_MESSAGE = _("%(record)s is unpinned.")
PIN_LIMIT_MESSAGE = _("You can pin up to %(limit)d records. Unpin one first.")


# The list views Home counts, each type's "My Active ..." and "Active ...".
HOME_VIEWS = ("my_active", "active")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Capped like the lists' counts: counting a million rows would make Home the slow page.
    stats = []
    for record_type in registry.all_types():
        active = record_type.records_for(request.user).active()
        views = {"my_active": active.owned_by(request.user), "active": active}
        labels = record_type.view_labels
        for view in HOME_VIEWS:
            stats.append(
                {"record_type": record_type, "view": view, "label": labels[view], "count": capped_count(views[view])}
            )
    context = {
        "stats": stats,
        "record_types": registry.all_types(),
        "can_import": registry.can_import_any(request.user),
    }
    # The capabilities' panels (activities: my tasks and appointments due), each its data.
    context["panels"] = [
        {"template": panel.template, "data": panel.data(request.user)}
        for panel in (capability.home_panel for capability in registry.capabilities())
        if panel is not None
    ]
    return render(request, "crm/home.html", context)


def search_preview(record_type: registry.RecordType, user, term: str) -> list:
    """The first matches by name, active records before inactive ones: the order of the
    view indexes, which let a common term be found without reading every match."""
    model = record_type.model
    matches = record_type.records_for(user).with_list_columns().search(term)
    return rows_by_id(matches.order_by("status", *model._meta.ordering), 0, SEARCH_PREVIEW_SIZE)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("q", "").strip()
    results = []
    if term:
        for record_type in registry.all_types():
            matches = search_preview(record_type, request.user, term)
            results.append(
                {
                    "record_type": record_type,
                    "matches": [(record, record_type.search_detail(record)) for record in matches],
                }
            )
    context = {"global_search_term": term, "results": results, "preview_size": SEARCH_PREVIEW_SIZE}
    return render(request, "crm/search.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Django's default page explains CSRF to developers; users need to know what to do.
    return render(request, "403_csrf.html", status=403)


def pressed_pin_button(request: HttpRequest) -> tuple[str, int, bool]:
    """(record type, record id, pin?) from the button pressed: name pin or unpin, value
    "<namespace>-<id>". One form serves a whole list, so each line is just a button."""
    for action in ("pin", "unpin"):
        namespace, _, pk = request.POST.get(action, "").rpartition("-")
        if namespace and pk.isdigit():
            return namespace, int(pk), action == "pin"
    raise Http404


@require_POST
def recent_pin(request: HttpRequest) -> HttpResponse:
    """Pin or unpin a record. Without JavaScript it redirects back; the pin buttons'
    script asks for the fragment instead and swaps it in without a page load."""
    namespace, pk, pin = pressed_pin_button(request)
    record_type = registry.get_or_404(namespace)
    record = record_type.record_for(request.user, pk)
    try:
        if pin:
            recent.recent_item_pin(user=request.user, record_type=record_type, object_id=pk)
        else:
            recent.recent_item_unpin(user=request.user, record_type=record_type, object_id=pk)
    except recent.PinLimitReached:
        level, status = messages.ERROR, PIN_LIMIT_MESSAGE % {"limit": recent.PINNED_LIMIT}
    else:
        level, status = messages.SUCCESS, (PINNED_MESSAGE if pin else UNPINNED_MESSAGE) % {"record": record}
    next_url = safe_next_url(request) or reverse("home")
    if request.headers.get("X-Fragment") == "recent":
        context = {"page_url": next_url, "recent_status": status, "pin_type": namespace, "pin_id": pk}
        context["pin_name"], context["pinned"] = record, recent.lists_for(request).is_pinned(namespace, pk)
        return render(request, "includes/recent_fragment.html", context)
    messages.add_message(request, level, status)
    return redirect(next_url)
