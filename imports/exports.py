"""List exports: the rows of a list view as CSV or Excel, streamed, safe to open."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from accounts.views import AccountListView
from contacts.views import ContactListView
from crm import lists
from imports.columns import neutralise
from imports.entities import Entity

LIST_VIEWS = {"account": AccountListView, "contact": ContactListView}
RELATED = {"account": ["owner", "parent"], "contact": ["owner", "company"]}
# Characters XML 1.0 (so XLSX) can't hold; a CSV copy-pasted from a terminal may have them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ROWS_PER_QUERY = 2000


def attachment(file_name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=file_name)


def records_in_view(*, entity: Entity, request: HttpRequest):
    view = LIST_VIEWS[entity.key]
    return lists.ordered_record_set(
        table_class=view.table_class,
        filterset_class=view.filterset_class,
        queryset=entity.model.objects.select_related(*RELATED[entity.key]),
        params=request.GET,
        request=request,
    )


def export_rows(entity: Entity, records) -> Iterator[list]:
    yield [column.label for column in entity.columns]
    for record in records.iterator(chunk_size=ROWS_PER_QUERY):
        yield [neutralise(column.render(record)) for column in entity.columns]


def file_name(entity: Entity, extension: str) -> str:
    return f"{str(entity.label).capitalize()} {timezone.localdate().isoformat()}.{extension}"


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, entity: Entity, records) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines():
        # UTF-8 with a BOM: Excel then reads accents right, and our import reads it as UTF-8.
        yield "\ufeff"
        for row in export_rows(entity, records):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(file_name(entity, "csv"))
    return response


def xlsx_response(*, entity: Entity, records) -> FileResponse:
    """Written row by row (openpyxl's write-only mode) to a temporary file that is streamed
    back and deleted when sent, so a large export never sits in memory whole."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(entity.label).capitalize())
    for row in export_rows(entity, records):
        sheet.append([XML_ILLEGAL.sub("", cell) if isinstance(cell, str) else cell for cell in row])
    # FileResponse closes the file once sent, and a TemporaryFile vanishes when closed.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=file_name(entity, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
