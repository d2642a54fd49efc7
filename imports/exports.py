"""List exports: the rows of a list view as CSV or Excel, safe to open.

A file is written to a temporary file that is then streamed back and deleted once sent, so a
large export never sits in memory whole. On PostgreSQL the database renders the cells and
COPY hands them over (imports/export_sql.py); elsewhere `export_rows` renders them in Python.
Both give the same file."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import IO

from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.http import content_disposition_header

from crm import lists
from imports.columns import FORMULA_TRIGGERS, LinkColumn, TextColumn, neutralise
from imports.entities import Entity
from imports.export_sql import copy_csv_lines
from imports.xlsx import SheetWriter

ROWS_PER_QUERY = 2000
TRIGGERS = frozenset(FORMULA_TRIGGERS)
# A text that starts with what neutralise() guards against, in texts joined by NUL.
FORMULA_START = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def attachment(file_name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=file_name)


def records_in_view(*, entity: Entity, request: HttpRequest):
    """The records of the list the user looks at, from those the record type lets them see."""
    record_type = entity.record_type
    linked = [column.name for column in entity.columns if isinstance(column, LinkColumn)]
    return lists.ordered_record_set(
        table_class=record_type.list_view.table_class,
        filterset_class=record_type.list_view.filterset_class,
        queryset=record_type.records_for(request.user).select_related(*linked),
        params=request.GET,
        request=request,
    )


def export_rows(entity: Entity, records: QuerySet) -> Iterator[list[str]]:
    """One list of texts per record, as Column.render gives them and neutralised against
    formula injection: the Python path, for databases without the COPY one.

    Records are read as tuples of the columns' values (a related record as its name), not
    as model instances: building ~75-field instances was most of an export's time. Text
    columns, most of them, are taken as they are; one regular expression over the row's
    texts tells whether any needs neutralising."""
    columns = entity.columns
    texts = [index for index, column in enumerate(columns) if isinstance(column, TextColumn) and not column.field.null]
    take_texts = itemgetter(*texts)
    # Choice labels, Yes/No, dates and numbers are ours: only names typed by people need guarding.
    others = [
        (index, column.text_renderer(), column.typed_name)
        for index, column in enumerate(columns)
        if index not in set(texts)
    ]
    lookups = [column.value_lookup() for column in columns]
    for values in records.values_list(*lookups).iterator(chunk_size=ROWS_PER_QUERY):
        row = list(values)
        for index, render, typed in others:
            row[index] = neutralise(render(row[index])) if typed else render(row[index])
        if FORMULA_START.search("\x00".join(take_texts(row))):
            for index in texts:
                if row[index][:1] in TRIGGERS:
                    row[index] = "'" + row[index]
        yield row


def file_name(entity: Entity, extension: str) -> str:
    return f"{str(entity.label).capitalize()} {timezone.localdate().isoformat()}.{extension}"


class Echo:
    """A file whose write() returns what it is given: csv.writer then makes lines to stream."""

    def write(self, value: str) -> str:
        return value


def header(entity: Entity) -> list[str]:
    return [column.label for column in entity.columns]


def copies_rows() -> bool:
    """Whether the database renders the rows and hands them over with COPY (PostgreSQL)."""
    return connection.vendor == "postgresql"


def write_csv(output: IO[bytes], *, entity: Entity, records: QuerySet) -> None:
    # UTF-8 with a BOM: Excel then reads accents right, and our import reads it as UTF-8.
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header(entity))
    if copies_rows():
        text.flush()
        copy_csv_lines(entity, records, lambda lines: output.write(crlf_lines(lines)))
    else:
        writer.writerows(export_rows(entity, records))
    # Leaves `output` open: a wrapper closes what it wraps when it is collected.
    text.detach()


def crlf_lines(lines: list[bytes]) -> bytes:
    """COPY's LF-terminated lines as Python's csv module ends them (CRLF). Each line is one
    row, so a line break inside a quoted text stays as it is."""
    return b"\r\n".join([line[:-1] for line in lines]) + b"\r\n"


def write_xlsx(output: IO[bytes], *, entity: Entity, records: QuerySet) -> None:
    numbers = {index for index, column in enumerate(entity.columns) if column.number}
    title = str(entity.label).capitalize()
    with SheetWriter(output, title=title, header=header(entity), number_columns=numbers) as sheet:
        if copies_rows():
            copy_csv_lines(entity, records, lambda lines: sheet.write_rows(csv_rows(lines)))
        else:
            sheet.write_rows(export_rows(entity, records))


def csv_rows(lines: list[bytes]) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(b"".join(lines).decode()))


def csv_response(*, entity: Entity, records: QuerySet) -> FileResponse:
    return file_response(
        write_csv, entity=entity, records=records, extension="csv", content_type="text/csv; charset=utf-8"
    )


def xlsx_response(*, entity: Entity, records: QuerySet) -> FileResponse:
    return file_response(
        write_xlsx,
        entity=entity,
        records=records,
        extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def file_response(
    write: Callable[..., None], *, entity: Entity, records: QuerySet, extension: str, content_type: str
) -> FileResponse:
    """The file `write` makes, written to a temporary file that is streamed back and deleted
    once sent, so a large export never sits in memory whole."""
    # FileResponse closes the file once sent, and a TemporaryFile vanishes when closed.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    write(output, entity=entity, records=records)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=file_name(entity, extension), content_type=content_type)
