"""The recent-items middleware: a record whose detail page opened fine moves to the top of
the user's Recent list, on that page already. Every other request passes through without a
query.

And the odd-input guard: a parameter no person types (a NUL byte, a number too big for any
column) is a bad request, answered here once rather than in every view, form and admin page
that filters on what it is given."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.db import DatabaseError, DataError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from crm import recent, registry
from crm.registry import RecordType

logger = logging.getLogger(__name__)


def opened_record(request: HttpRequest, response: HttpResponse) -> tuple[RecordType, int] | None:
    """The record type and id whose detail page this request showed, if it did."""
    # HEAD and other methods are link checkers and forms, not a person opening the record.
    if request.method != "GET" or response.status_code != 200:
        return None
    if getattr(response, "panel_alone", False):
        return None  # a panel of a page already open (crm.registry.RecordPanel.fragment)
    match = request.resolver_match
    if match is None or match.url_name != "detail" or "pk" not in match.kwargs:
        return None
    entry = registry.get(match.namespace)
    if entry is None or not request.user.is_authenticated:
        return None
    return entry, int(match.kwargs["pk"])


class RecentItemsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def process_template_response(self, request: HttpRequest, response: TemplateResponse) -> TemplateResponse:
        """Before the record's page renders, its lists show it on top, as they will once the
        opening is written (after the page, so only a page that rendered fine is recorded)."""
        opened = opened_record(request, response)
        record = (response.context_data or {}).get("object")
        if opened is not None and record is not None and record.pk == opened[1]:
            recent.lists_for(request).show_opening(opened[0], record)
        return response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        opened = opened_record(request, response)
        if opened is not None:
            entry, object_id = opened
            try:
                recent.recent_item_open(lists=recent.lists_for(request), record_type=entry, object_id=object_id)
            except DatabaseError:
                # The page is rendered already; losing one Recent entry beats failing it.
                logger.exception("Could not record that %s %s was opened", entry.namespace, object_id)
        return response


class OddInputMiddleware:
    """Odd parameters get the 400 page instead of a server error.

    A NUL byte in a query or form parameter (name or value) is refused before the view:
    PostgreSQL refuses NUL in any text it is given, so `?q=%00` reached the database as a
    500, and no field can store it. A number beyond 64 bits (`?id=99999999999999999999`, a
    choice of such an id) can be met anywhere an id is looked up, the admin's filters and
    Django's own choice fields included: the database's overflow is turned into the 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = [request.GET]
        if request.method == "POST":
            params.append(request.POST)
        for query in params:
            for name, values in query.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    raise BadRequest("NUL byte in a request parameter")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # SQLite raises OverflowError when binding the number; PostgreSQL "out of range" (22003).
        out_of_range = getattr(getattr(exception, "__cause__", None), "pgcode", None) == "22003"
        if isinstance(exception, OverflowError) or (isinstance(exception, DataError) and out_of_range):
            logger.info("Number out of range in %s %s: %s", request.method, request.path, exception)
            raise BadRequest("number out of range") from exception
