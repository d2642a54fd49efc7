"""The list exports' fast path on PostgreSQL: the database renders every cell and COPY
hands the rows over as CSV lines.

Reading ~65 values a row into Python objects and rendering each there is most of an
export's time. Here the query that selects the view's rows also renders them, each column as
its kind renders it in SQL (Column.sql): choice labels and Yes/No from CASE expressions built
from the model's choices (in the current language), dates as YYYY-MM-DD, numbers as their
text, owner and company names by join, and the formula guard on every text a person typed.
COPY then streams the rows as CSV while Python is busy with the previous ones. The cells are
exactly those of `exports.export_rows`, the path other databases take; a test compares the
two files.

COPY quotes what Python's csv module quotes (delimiter, quote, CR, LF), but it quotes an
empty text and ends lines with LF: empty cells are therefore NULL here (COPY leaves NULL
unquoted) and the CSV export turns LF line ends into CRLF.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet

from imports.columns import export_sql
from imports.entities import Entity

# COPY hands over one line per row; Python takes them in batches of this many.
ROWS_PER_BATCH = 2000


def copy_statement(entity: Entity, records: QuerySet) -> str:
    """COPY of the records' rendered cells, in the records' order. COPY takes no parameters,
    so they (the labels) are bound into the text by the driver's own quoting."""
    cells = records.values_list(*(export_sql(column, records) for column in entity.columns))
    sql, params = cells.query.sql_with_params()
    return f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"


class LineBatches:
    """The file COPY writes to: psycopg2 calls write() once per row, with the row's CSV line
    (LF-terminated, UTF-8); every ROWS_PER_BATCH lines go to `handle`."""

    def __init__(self, handle: Callable[[list[bytes]], None]):
        self.handle = handle
        self.lines: list[bytes] = []

    def write(self, line: bytes) -> None:
        self.lines.append(line)
        if len(self.lines) == ROWS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.handle(self.lines)
            self.lines = []


def copy_csv_lines(entity: Entity, records: QuerySet, handle: Callable[[list[bytes]], None]) -> None:
    """Hand the records' rendered rows to `handle`, a batch of CSV lines at a time."""
    batches = LineBatches(handle)
    with connection.cursor() as cursor:
        cursor.copy_expert(copy_statement(entity, records), batches)
    batches.flush()
