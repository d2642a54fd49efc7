"""List exports: the rows of a list view as CSV or Excel, streamed, safe to open."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from accounts.views import AccountListView
from contacts.views import ContactListView
from crm import lists
from imports.columns import FORMULA_TRIGGERS, Column, neutralise
from imports.entities import Entity
from imports.xlsx import write_xlsx

LIST_VIEWS = {"account": AccountListView, "contact": ContactListView}
RELATED = {"account": ["owner", "parent"], "contact": ["owner", "company"]}
ROWS_PER_QUERY = 2000
TRIGGERS = frozenset(FORMULA_TRIGGERS)
# A text that starts with what neutralise() guards against, in texts joined by NUL.
FORMULA_START = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


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


def export_rows(entity: Entity, records: QuerySet) -> Iterator[list]:
    """The header, then one list of cells per record, as Column.render gives them and
    neutralised against formula injection.

    Records are read as tuples of the columns' values (a related record as its name), not
    as model instances: building ~75-field instances was most of an export's time. Text
    columns, most of them, are taken as they are; one regular expression over the row's
    texts tells whether any needs neutralising."""
    columns = entity.columns
    yield [column.label for column in columns]
    text_kinds = ("text", "url")
    texts = [index for index, column in enumerate(columns) if column.kind in text_kinds and not column.field.null]
    take_texts = itemgetter(*texts)
    # Choice labels, Yes/No, dates and numbers are ours: only names typed by people need guarding.
    others = [
        (index, column.value_renderer(), column.kind in ("owner", "account"))
        for index, column in enumerate(columns)
        if index not in set(texts)
    ]
    for values in records.values_list(*map(value_lookup, columns)).iterator(chunk_size=ROWS_PER_QUERY):
        row = list(values)
        for index, render, typed in others:
            row[index] = neutralise(render(row[index])) if typed else render(row[index])
        if FORMULA_START.search("\x00".join(take_texts(row))):
            for index in texts:
                if row[index][:1] in TRIGGERS:
                    row[index] = "'" + row[index]
        yield row


def value_lookup(column: Column) -> str:
    if column.kind == "owner":
        return f"{column.name}__{get_user_model().USERNAME_FIELD}"
    if column.kind == "account":
        return f"{column.name}__name"
    return column.name


def file_name(entity: Entity, extension: str) -> str:
    return f"{str(entity.label).capitalize()} {timezone.localdate().isoformat()}.{extension}"


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, entity: Entity, records: QuerySet) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        # UTF-8 with a BOM: Excel then reads accents right, and our import reads it as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        for rows in batched(export_rows(entity, records), ROWS_PER_QUERY):
            # One piece per batch of rows, not per row: a piece costs a trip through the server.
            writer.writerows(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(file_name(entity, "csv"))
    return response


def batched(items: Iterator[list], size: int) -> Iterator[list[list]]:
    while batch := list(islice(items, size)):
        yield batch


def xlsx_response(*, entity: Entity, records: QuerySet) -> FileResponse:
    """Written row by row to a temporary file that is streamed back and deleted when sent,
    so a large export never sits in memory whole."""
    # FileResponse closes the file once sent, and a TemporaryFile vanishes when closed.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(output, title=str(entity.label).capitalize(), rows=export_rows(entity, records))
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=file_name(entity, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
