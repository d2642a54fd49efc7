"""A streaming writer of one-sheet XLSX files, for exports of any size.

openpyxl, even in its write-only mode, builds a cell object per value: about 2,000 rows of
65 columns a second. This writer turns a row of texts straight into its XML and leaves empty
cells out, and the sheet is compressed as it is written, so memory stays flat whatever the
rows. Text is written as inline strings: no shared-string table to hold in memory. The
columns named as numbers are written as number cells.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Iterable, Sequence
from typing import IO
from xml.sax.saxutils import escape, quoteattr

# Characters XML 1.0 can't hold; a CSV copy-pasted from a terminal may have them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a text needs changed before it goes into XML: markup characters and the above.
NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TEXT_CELL = ('" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>")
NUMBER_CELL = ('"><v>', "</v></c>")
ROWS_PER_WRITE = 1000

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name={name} sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
</Relationships>"""
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_END = "</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_name(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\ in them."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


class SheetWriter:
    """The one sheet of an XLSX file, written as rows come:

        with SheetWriter(output, title="Contacts", header=labels, number_columns={33}) as sheet:
            sheet.write_rows(rows)

    Rows are sequences of texts, "" for an empty cell; in a number column, the text of a
    number. The header row is text throughout."""

    def __init__(self, output: IO[bytes], *, title: str, header: Sequence[str], number_columns: Collection[int] = ()):
        self.output = output
        self.title = title
        self.header = header
        self.last_row = 0
        # Per column: the start of the cell up to its row number ('<c r="AB'), the rest of
        # the opening tags, and the closing tags.
        heads = [f'<c r="{column_letters(index)}' for index in range(len(header))]
        self.header_cells = [(head, *TEXT_CELL) for head in heads]
        self.cells = [
            (head, *(NUMBER_CELL if index in number_columns else TEXT_CELL)) for index, head in enumerate(heads)
        ]

    @property
    def rows_written(self) -> int:
        return max(self.last_row - 1, 0)

    def __enter__(self) -> SheetWriter:
        # Level 1 compresses XML almost as well as the default and several times faster.
        self.archive = zipfile.ZipFile(self.output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.archive.writestr("_rels/.rels", ROOT_RELS)
        self.archive.writestr("xl/workbook.xml", WORKBOOK.format(name=quoteattr(sheet_name(self.title))))
        self.archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self.sheet = self.archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(SHEET_START.encode())
        self.last_row = 1
        self.write_xml([row_xml(1, self.header, self.header_cells)])
        return self

    def write_rows(self, rows: Iterable[Sequence[str]]) -> None:
        cells = self.cells
        parts = []
        for row in rows:
            self.last_row += 1
            parts.append(row_xml(self.last_row, row, cells))
            if len(parts) == ROWS_PER_WRITE:
                self.write_xml(parts)
                parts = []
        self.write_xml(parts)

    def write_xml(self, parts: list[str]) -> None:
        self.sheet.write("".join(parts).encode())

    def __exit__(self, *exception) -> None:
        self.sheet.write(SHEET_END.encode())
        self.sheet.close()
        self.archive.close()


def row_xml(number: int, row: Sequence[str], cells: list[tuple[str, str, str]]) -> str:
    # One look at the whole row: most rows have nothing to escape.
    if NEEDS_ESCAPING.search("".join(row)):
        row = [escape(XML_ILLEGAL.sub("", value)) for value in row]
    n = str(number)
    # The hot loop of an export: one f-string per filled cell, nothing per empty one.
    filled = [
        f"{head}{n}{opening}{value}{closing}"
        for (head, opening, closing), value in zip(cells, row, strict=True)
        if value
    ]
    return f'<row r="{n}">{"".join(filled)}</row>'


def write_xlsx(output: IO[bytes], *, title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write a header and rows of texts as the one sheet of an XLSX file; returns the rows written."""
    with SheetWriter(output, title=title, header=header) as sheet:
        sheet.write_rows(rows)
    return sheet.rows_written
