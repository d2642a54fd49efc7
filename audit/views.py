"""A record's Audit History (for whoever may read the record) and the Audit Summary across
records (System Administrators), with its CSV export."""

from __future__ import annotations

import csv

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats
from django.views.decorators.http import require_GET

from access.roles import is_system_administrator
from access.views import readable_record
from audit.fields import audited_fields
from audit.forms import HistoryFilterForm, SummaryFilterForm
from audit.models import AuditEntry
from audit.presenters import body_html, keyset_page, present
from imports.columns import neutralise
from imports.exports import Echo, attachment

SUMMARY_EXPORT_LIMIT = 100_000


@require_GET
def record_history(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    record = readable_record(request, record_type, pk)  # 404 for a record the user can't read
    # Every user to filter by (the organisation's size), not those in this history: finding
    # them would read the whole history, however long, on every page.
    form = HistoryFilterForm(request.GET, fields=audited_fields(type(record)), users=get_user_model().objects.all())
    entries = form.apply(AuditEntry.objects.of_record(record_type, record.pk))
    page, next_cursor = keyset_page(entries, request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    rows = present(page, user=request.user)
    context = {
        "record": record,
        "opts": record._meta,
        "form": form,
        "rows": rows,
        "body": body_html(rows),
        "next_cursor": next_cursor,
        "query": query.urlencode(),
    }
    return render(request, "audit/history.html", context)


def require_administrator(request: HttpRequest) -> None:
    from django.utils.translation import gettext as _

    if not is_system_administrator(request.user):
        raise PermissionDenied(_("Only System Administrators can read the Audit Summary."))


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    require_administrator(request)
    form = SummaryFilterForm(request.GET)
    page, next_cursor = keyset_page(form.apply(AuditEntry.objects.all()), request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    rows = present(page)
    context = {
        "form": form,
        "rows": rows,
        "body": body_html(rows, show_record=True),
        "next_cursor": next_cursor,
        "query": query.urlencode(),
    }
    return render(request, "audit/summary.html", context)


@require_GET
def summary_export(request: HttpRequest) -> HttpResponse:
    """The filtered summary as CSV, one line per changed field (or per event without any)."""
    require_administrator(request)
    from django.utils.translation import gettext as _

    entries = SummaryFilterForm(request.GET).apply(AuditEntry.objects.newest_first())[:SUMMARY_EXPORT_LIMIT]
    header = [_("Changed date"), _("Changed by"), _("Event"), _("Source"), _("Record type"), _("Record")]
    header += [_("Import job"), _("Detail"), _("Field"), _("Old value"), _("New value")]

    def lines():
        writer = csv.writer(Echo())
        yield "\ufeff" + writer.writerow(header)
        batch: list[AuditEntry] = []
        for entry in entries.iterator(chunk_size=500):
            batch.append(entry)
            if len(batch) == 500:
                yield from summary_lines(writer, batch)
                batch = []
        yield from summary_lines(writer, batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(f"{_('Audit Summary')}.csv")
    return response


def summary_lines(writer, batch: list[AuditEntry]):
    for row in present(batch):
        entry = row["entry"]
        common = [
            formats.localize(entry.at),
            entry.user_name,
            row["event"],
            row["source"],
            entry.record_type,
            entry.record_name,
            entry.job_id or "",
            entry.detail,
        ]
        for change in row["changes"] or [{"label": "", "old": "", "new": ""}]:
            cells = [*common, change["label"], change["old"], change["new"]]
            # Names and values were typed by people: never let a spreadsheet run them.
            yield writer.writerow([neutralise(str(cell)) for cell in cells])
