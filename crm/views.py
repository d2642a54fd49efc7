from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Account
from contacts.models import Contact

# Global search shows a handful of each type; the lists do the heavy lifting.
SEARCH_PREVIEW_SIZE = 10


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    accounts, contacts = Account.objects.active(), Contact.objects.active()
    counts = {
        "my_active_accounts": accounts.owned_by(request.user).count(),
        "active_accounts": accounts.count(),
        "my_active_contacts": contacts.owned_by(request.user).count(),
        "active_contacts": contacts.count(),
    }
    return render(request, "crm/home.html", {"counts": counts})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("q", "").strip()
    accounts = contacts = None
    if term:
        accounts = list(Account.objects.with_list_columns().search(term)[:SEARCH_PREVIEW_SIZE])
        contacts = list(Contact.objects.with_list_columns().search(term)[:SEARCH_PREVIEW_SIZE])
    context = {
        "global_search_term": term,
        "accounts": accounts,
        "contacts": contacts,
        "preview_size": SEARCH_PREVIEW_SIZE,
    }
    return render(request, "crm/search.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Django's default page explains CSRF to developers; users need to know what to do.
    return render(request, "403_csrf.html", status=403)
