"""List exports: the rows of a list view as CSV or Excel, safe to open.

Up to settings.EXPORT_STREAM_MAX_ROWS rows the file is streamed to the browser as it is
produced (`streaming_response`): the first bytes leave within a fraction of a second and no
request waits for a whole file. Larger views are exported by the background worker
(imports/export_jobs.py), which writes the file with `write_csv` / `write_xlsx`. On PostgreSQL
the database renders the cells (imports/export_sql.py: COPY for the worker's file, a
server-side cursor for a stream); elsewhere `export_rows` renders them in Python. All give the
same file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from access import guard
from access.registry import is_registered
from crm import lists
from imports.columns import (
    FORMULA_TRIGGERS,
    MASKED_LINKS,
    LinkColumn,
    RecordLinkColumn,
    TextColumn,
    export_lookup,
    export_sql,
    neutralise,
)
from imports.entities import Entity
from imports.export_sql import copy_csv_lines
from imports.xlsx import SheetWriter

ROWS_PER_QUERY = 2000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TRIGGERS = frozenset(FORMULA_TRIGGERS)
# A text that starts with what neutralise() guards against, in texts joined by NUL.
FORMULA_START = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def attachment(file_name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=file_name)


def records_in_view(*, entity: Entity, request: HttpRequest):
    """The records of the list the user looks at, from those the record type lets them see."""
    record_type = entity.record_type
    linked = [column.name for column in entity.columns if isinstance(column, LinkColumn)]
    records = lists.ordered_record_set(
        table_class=record_type.list_view.table_class,
        filterset_class=record_type.list_view.filterset_class,
        queryset=record_type.records_for(request.user).select_related(*linked),
        params=request.GET,
        request=request,
    )
    return mask_unreadable_links(records, entity=entity, user=request.user)


def mask_unreadable_links(records: QuerySet, *, entity: Entity, user) -> QuerySet:
    """`records`, with each linked record the user may not read written as such instead of by
    name (a list names only what its reader may read, and so does its export). Nothing changes
    for a user who reads every record of the linked type."""
    masks = {}
    for column in entity.columns:
        target = column.target if isinstance(column, RecordLinkColumn) else None
        if target is None or not is_registered(target):
            continue
        if guard.reads_every(target, user):
            continue
        readable = Q(**{f"{column.name}__isnull": True}) | Q(
            **{f"{column.name}__in": guard.visible(target, user).values("pk")}
        )
        masks[column.name] = (readable, str(guard.unseen_label()))
    if masks:
        records = records.all()
        records._hints = {**records._hints, MASKED_LINKS: masks}
    return records


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
    lookups = [export_lookup(column, records) for column in columns]
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


def write_csv(
    output: IO[bytes], *, entity: Entity, records: QuerySet, progress: Callable[[int], None] | None = None
) -> None:
    """The CSV file, written to `output`; `progress` (if given) is told each batch's row count."""
    counted = counting(progress)
    # UTF-8 with a BOM: Excel then reads accents right, and our import reads it as UTF-8.
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header(entity))
    if copies_rows():
        text.flush()
        copy_csv_lines(entity, records, lambda lines: output.write(crlf_lines(counted(lines))))
    else:
        for batch in batches(export_rows(entity, records), ROWS_PER_QUERY):
            writer.writerows(counted(batch))
    # Leaves `output` open: a wrapper closes what it wraps when it is collected.
    text.detach()


def counting(progress: Callable[[int], None] | None) -> Callable[[list], list]:
    def counted(batch: list) -> list:
        if progress is not None:
            progress(len(batch))
        return batch

    return counted


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def crlf_lines(lines: list[bytes]) -> bytes:
    """COPY's LF-terminated lines as Python's csv module ends them (CRLF). Each line is one
    row, so a line break inside a quoted text stays as it is."""
    return b"\r\n".join([line[:-1] for line in lines]) + b"\r\n"


def number_columns(entity: Entity) -> set[int]:
    return {index for index, column in enumerate(entity.columns) if column.number}


def write_xlsx(
    output: IO[bytes], *, entity: Entity, records: QuerySet, progress: Callable[[int], None] | None = None
) -> None:
    counted = counting(progress)
    title = str(entity.label).capitalize()
    with SheetWriter(output, title=title, header=header(entity), number_columns=number_columns(entity)) as sheet:
        if copies_rows():
            copy_csv_lines(entity, records, lambda lines: sheet.write_rows(csv_rows(counted(lines))))
        else:
            for batch in batches(export_rows(entity, records), ROWS_PER_QUERY):
                sheet.write_rows(counted(batch))


def csv_rows(lines: list[bytes]) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(b"".join(lines).decode()))


# --- Streaming -----------------------------------------------------------------------------


def exceeds_stream_limit(records: QuerySet) -> bool:
    """Whether the view has more rows than a request may stream (counting no further)."""
    limit = settings.EXPORT_STREAM_MAX_ROWS
    return records.order_by().values("pk")[: limit + 1].count() > limit


def rendered_rows(entity: Entity, records: QuerySet) -> Iterator[list[str]]:
    """The records' cells as texts, as export_rows gives them, read a chunk at a time. On
    PostgreSQL the database renders them (Column.sql) for a server-side cursor; inside a
    transaction it hands rows over as they come, where in autocommit it would first hold the
    whole result (a WITH HOLD cursor) and the first byte would wait for the last row."""
    if not copies_rows():
        yield from export_rows(entity, records)
        return
    cells = records.values_list(*(export_sql(column, records) for column in entity.columns))
    with transaction.atomic():
        for values in cells.iterator(chunk_size=ROWS_PER_QUERY):
            yield ["" if value is None else value for value in values]


def csv_chunks(entity: Entity, rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV file write_csv writes, a batch of rows at a time."""
    writer = csv.writer(Echo())
    yield ("\ufeff" + writer.writerow(header(entity))).encode()
    for batch in batches(rows, ROWS_PER_QUERY):
        yield "".join([writer.writerow(row) for row in batch]).encode()


class Chunks:
    """A file that only grows (zipfile then writes an archive as a stream, without seeking
    back) and hands over what was written since it was last asked."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def xlsx_chunks(entity: Entity, rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The XLSX file write_xlsx writes, a batch of rows at a time."""
    output = Chunks()
    title = str(entity.label).capitalize()
    with SheetWriter(output, title=title, header=header(entity), number_columns=number_columns(entity)) as sheet:
        yield output.take()
        for batch in batches(rows, ROWS_PER_QUERY):
            sheet.write_rows(batch)
            yield output.take()
    yield output.take()


def streaming_response(*, entity: Entity, records: QuerySet, file_format: str) -> StreamingHttpResponse:
    """The file, sent as it is produced: memory stays flat and the first bytes leave at once."""
    chunks = csv_chunks if file_format == "csv" else xlsx_chunks
    response = StreamingHttpResponse(
        chunks(entity, rendered_rows(entity, records)), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = attachment(file_name(entity, file_format))
    return response


def csv_response(*, entity: Entity, records: QuerySet) -> StreamingHttpResponse:
    return streaming_response(entity=entity, records=records, file_format="csv")


def xlsx_response(*, entity: Entity, records: QuerySet) -> StreamingHttpResponse:
    return streaming_response(entity=entity, records=records, file_format="xlsx")
