"""The recent-items middleware: a record whose detail page opened fine moves to the top of
the user's Recent list, on that page already. Every other request passes through without a
query."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
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
