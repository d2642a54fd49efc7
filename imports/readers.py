"""Reading the files people really have, and refusing the ones nobody should send.

Text files: the encoding is detected (UTF-8 with or without BOM, UTF-16, else Windows-1252 or
Latin-1) and so is the delimiter (comma, semicolon, tab, colon). Spreadsheets (XLSX, XLS, ODS)
are read by calamine, which gives formula cells as their values and never expands XML
entities. Every upload is treated as hostile: the type is checked from the content, zip
containers are measured before anything is unpacked, and any reading error becomes a
plain message instead of a traceback.
"""

from __future__ import annotations

import codecs
import csv
import functools
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from imports.columns import cell_text

logger = logging.getLogger(__name__)

TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
SPREADSHEET_EXTENSIONS = {".xlsx", ".xls", ".ods"}
READABLE_EXTENSIONS = TEXT_EXTENSIONS | SPREADSHEET_EXTENSIONS
UPLOAD_EXTENSIONS = READABLE_EXTENSIONS | {".zip"}
DELIMITERS = [",", ";", "\t", ":"]
# Zip containers (XLSX, ODS, .zip) are measured before they are opened: real spreadsheets
# compress 5-50 times; a bomb compresses thousands of times into gigabytes.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 5000
# The ratio is judged per member too: a bomb "diluted" with a stored member of random bytes
# keeps the archive's overall ratio low. Small members (styles, themes) may compress a lot.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024


@dataclass(frozen=True)
class WorkbookBudget:
    """What one spreadsheet may expand to while it is read. The reader holds a sheet in
    memory as a grid (rows x columns, empty cells included), so the grid is bounded, not only
    the bytes; each is checked while the XML streams by, before the reader ever sees it."""

    member_bytes: int = 512 * 1024 * 1024
    rows: int = 1_048_576
    columns: int = 1_000
    # About 160 MB in the reader; 66,000 rows of 75 columns, or 500,000 of 10. Larger files
    # import as CSV, which is read row by row.
    cells: int = 5_000_000
    shared_strings: int = 2_000_000


WORKBOOK_BUDGET = WorkbookBudget()
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_SIGNATURES = (ZIP_MAGIC, OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"MZ")
# The quotes csv allows inside one field; a bigger field is a broken or hostile file.
csv.field_size_limit(10 * 1024 * 1024)


class UnreadableFile(Exception):
    """The file can't be imported; the message tells the user why, in their words."""


@dataclass
class Table:
    """The header and rows of one file. `rows()` reads the file again each time, lazily, and
    yields (line number as the user's program shows it, cells) for every non-blank row."""

    path: Path
    name: str
    headers: list[str]
    description: str
    encoding: str = ""
    delimiter: str = ""
    # A format another app reads (imports.sources.register_reader): its own row reader.
    read_rows: Callable[[], Iterator[tuple[int, list]]] | None = None

    def rows(self) -> Iterator[tuple[int, list]]:
        if self.read_rows is not None:
            yield from self.read_rows()
        elif self.encoding:
            yield from text_rows(self.path, self.encoding, self.delimiter, skip_header=True)
        else:
            yield from spreadsheet_rows(self.path, skip_header=True)


def extension(name: str) -> str:
    return Path(name).suffix.lower()


def open_table(path: Path, name: str, *, encoding: str = "") -> Table:
    """Check and open one file; UnreadableFile if it is not what it claims or has no rows.
    A text file is read in `encoding` if given (the user's choice), else in the one detected."""
    suffix = extension(name)
    if suffix not in READABLE_EXTENSIONS:
        raise UnreadableFile(_("%(name)s: this type of file can't be imported.") % {"name": name})
    from imports.sources import reader_for

    try:
        if reader_for(suffix) is not None:
            table = reader_for(suffix)(path, name)
        elif suffix in TEXT_EXTENSIONS:
            table = open_text(path, name, encoding=encoding)
        else:
            table = open_spreadsheet(path, name, suffix)
        first_row = next(table.rows(), None)
    except UnreadableFile:
        raise
    except (CalamineError, csv.Error, UnicodeError, OSError, ValueError, zipfile.BadZipFile) as error:
        logger.info("Unreadable import file %s: %r", name, error)
        raise UnreadableFile(
            _("%(name)s is damaged or not a %(type)s file, so it could not be read.")
            % {"name": name, "type": suffix[1:].upper()}
        ) from None
    if first_row is None:
        raise UnreadableFile(_("%(name)s has column headings but no rows to import.") % {"name": name})
    return table


def first_rows(table: Table, count: int) -> list[list[str]]:
    """The first `count` rows as texts, to show while mapping."""
    return [[cell_text(cell) for cell in cells] for _line, cells in islice(table.rows(), count)]


# Text files -----------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    with path.open("rb") as file:
        start = file.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        file.seek(0)
        sample = file.read(4096)
        if sample.startswith(BINARY_SIGNATURES):
            raise UnreadableFile(_("This file is not text: it looks like a spreadsheet, an archive or an image."))
        # UTF-16 without BOM: every other byte of Latin text is zero.
        if sample and sample[1::2].count(0) > len(sample) // 4:
            return "utf-16-le"
        if sample and sample[0::2].count(0) > len(sample) // 4:
            return "utf-16-be"
        if b"\x00" in sample:
            raise UnreadableFile(_("This file is not text: it contains binary data."))
        file.seek(0)
        # Decode the whole file incrementally: a single accent on the last line decides.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := file.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        file.seek(0)
        # Windows-1252 leaves five bytes undefined; Latin-1 reads anything.
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while block := file.read(1024 * 1024):
                decoder.decode(block)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def detect_delimiter(header_line: str) -> str:
    """The candidate found most often outside quotes in the heading line; comma on a tie."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for character in header_line:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def text_rows(path: Path, encoding: str, delimiter: str, *, skip_header: bool) -> Iterator[tuple[int, list]]:
    with path.open(encoding=encoding, newline="") as file:
        reader = csv.reader(file, delimiter=delimiter)
        previous_line = 0
        header_seen = False
        for cells in reader:
            line = previous_line + 1
            previous_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if not header_seen:
                header_seen = True
                if skip_header:
                    continue
            yield line, cells


ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1",
    "iso-8859-15": "ISO-8859-15",
    "mac-roman": "Mac Roman",
}


def check_decodes(path: Path, encoding: str) -> None:
    """Refuse, with where, a file that is not text in `encoding` (the user's choice)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as file:
        while True:
            block = file.read(1024 * 1024)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                line += block[: error.start].count(b"\n")
                raise UnreadableFile(
                    _("This file can't be read as %(encoding)s (line %(line)d is not): choose another encoding.")
                    % {"encoding": ENCODING_NAMES.get(encoding, encoding.upper()), "line": line}
                ) from None
            if not block:
                return
            line += block.count(b"\n")


def open_text(path: Path, name: str, *, encoding: str = "") -> Table:
    if encoding:
        check_decodes(path, encoding)
    else:
        encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as file:
        first_line = ""
        for line in file:
            if line.strip():
                first_line = line
                break
            if file.tell() > 1024 * 1024:
                break
    delimiter = "\t" if extension(name) == ".tsv" else detect_delimiter(first_line)
    header = next(text_rows(path, encoding, delimiter, skip_header=False), None)
    if header is None:
        raise UnreadableFile(_("%(name)s is empty.") % {"name": name})
    separators = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), ":": _("colon")}
    description = _("Text, %(encoding)s, %(separator)s-separated") % {
        "encoding": ENCODING_NAMES.get(encoding, "UTF-16"),
        "separator": separators[delimiter],
    }
    return Table(path, name, [cell.strip() for cell in header[1]], description, encoding, delimiter)


# Spreadsheets ---------------------------------------------------------------------------


def zip_bomb() -> UnreadableFile:
    return UnreadableFile(_("This file unpacks to far more data than it holds (a “zip bomb”), so it was refused."))


def bomb_member(member: zipfile.ZipInfo) -> bool:
    ratio = member.file_size / (member.compress_size or 1)
    return member.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO


def check_zip_container(path: Path) -> None:
    """Refuse a zip whose unpacked size or compression ratio, overall or of any member, is
    that of a bomb: judged from the sizes it declares (measure_workbook checks they are true)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise UnreadableFile(_("This file is damaged or not what its name says.")) from None
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise zip_bomb()
    if any(bomb_member(member) or member.file_size > WORKBOOK_BUDGET.member_bytes for member in members):
        raise zip_bomb()


# Matching every cell's reference would cost seconds on a large sheet: rows are placed by
# their own tags, and only references past column Z are read (a sheet starts at column A).
ROW_NUMBER = re.compile(rb"<row\b[^>]*?\br=\"([0-9]{1,9})\"")


@functools.cache
def cells_right_of(column: int) -> re.Pattern:
    """Matches the references of cells right of `column` (1 = A): few or none in most blocks."""
    if column >= 26:
        return re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
    return re.compile(rb'<c r="([A-Z]{2,3}|[' + bytes([65 + column]) + rb"-Z])[0-9]")


OVER_BUDGET = {
    "rows": gettext_lazy("%(name)s has more than %(count)s rows: split it into several files."),
    "columns": gettext_lazy("%(name)s has more than %(count)s columns, more than any record type has fields."),
    "cells": gettext_lazy("%(name)s has more than %(count)s cells (rows × columns): split it into several files."),
    "shared_strings": gettext_lazy("%(name)s holds more than %(count)s different texts: split it into several files."),
    "member_bytes": gettext_lazy("%(name)s unpacks to more than %(count)s MB of data: split it into several files."),
}


class BudgetScan:
    """Counts what one XLSX part holds as its XML streams by, and stops at the budget: the
    rows, the columns and the grid they span (the reader allocates every cell of it, so two
    far-apart cells cost as much as a full sheet), the cells, the shared strings."""

    def __init__(self, name: str, budget: WorkbookBudget):
        self.name = name
        self.budget = budget
        self.strings = 0
        self.start_sheet()

    def start_sheet(self) -> None:
        self.rows = self.cells = 0
        self.top = 1 << 30
        self.bottom = self.right = 0

    def refuse(self, limit: str, count: int) -> UnreadableFile:
        return UnreadableFile(
            OVER_BUDGET[limit] % {"name": self.name, "count": number_format(count, force_grouping=True)}
        )

    def sheet(self, text: bytes) -> None:
        # Cells may leave out their reference ("<c>"): they are counted all the same. One pass
        # per tag: the few other tags that start alike (<col>, <cfRule>) only count high.
        self.cells += text.count(b"<c")
        self.rows += text.count(b"<row")
        numbers = ROW_NUMBER.findall(text)
        if numbers:
            self.top = min(self.top, int(numbers[0]))
            self.bottom = max(self.bottom, max(map(int, numbers)))
        letters = set(cells_right_of(self.right).findall(text))
        if letters:
            self.right = max(self.right, max(map(column_index, letters)))
        height = max(self.bottom - self.top + 1, self.rows)
        width = max(self.right, self.cells // max(self.rows, 1), 1)
        if height > self.budget.rows:
            raise self.refuse("rows", self.budget.rows)
        if width > self.budget.columns:
            raise self.refuse("columns", self.budget.columns)
        if max(height * width, self.cells) > self.budget.cells:
            raise self.refuse("cells", self.budget.cells)

    def shared_strings(self, text: bytes) -> None:
        self.strings += text.count(b"<si>") + text.count(b"<si ")
        if self.strings > self.budget.shared_strings:
            raise self.refuse("shared_strings", self.budget.shared_strings)


def column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index


def measure_workbook(path: Path, name: str) -> None:
    """Stream the sheets and shared strings of an XLSX through their budgets, so that a file
    that would expand past them is refused in a second or two, in a few megabytes, before
    the reader (which holds a whole sheet in memory) opens it. Reading every byte also proves
    the declared sizes true: a member longer than it says fails its checksum."""
    budget = WORKBOOK_BUDGET
    scan = BudgetScan(name, budget)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            part = member.filename.lower()
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                scan.start_sheet()
                count = scan.sheet
            elif part == "xl/sharedstrings.xml":
                count = scan.shared_strings
            else:
                continue
            read = 0
            tail = b""
            with archive.open(member) as source:
                while block := source.read(1024 * 1024):
                    read += len(block)
                    if read > budget.member_bytes:
                        raise scan.refuse("member_bytes", budget.member_bytes // (1024 * 1024))
                    # A tag cut in two by the block boundary is counted with the next block.
                    text = tail + block
                    cut = text.rfind(b">") + 1
                    count(text[:cut])
                    tail = text[cut:]


def open_spreadsheet(path: Path, name: str, suffix: str) -> Table:
    with path.open("rb") as file:
        magic = file.read(8)
    expected = OLE_MAGIC if suffix == ".xls" else ZIP_MAGIC
    if not magic.startswith(expected):
        raise UnreadableFile(
            _("%(name)s is not really a %(type)s file (its content is of another kind).")
            % {"name": name, "type": suffix[1:].upper()}
        )
    if suffix != ".xls":
        check_zip_container(path)
    if suffix == ".xlsx":
        measure_workbook(path, name)
    header = next(spreadsheet_rows(path, skip_header=False), None)
    if header is None:
        raise UnreadableFile(_("%(name)s is empty.") % {"name": name})
    description = _("%(type)s spreadsheet") % {"type": suffix[1:].upper()}
    return Table(path, name, [cell_text(cell) for cell in header[1]], description)


def spreadsheet_rows(path: Path, *, skip_header: bool) -> Iterator[tuple[int, list]]:
    """Rows of the first sheet that has data; empty rows (LibreOffice writes thousands of
    styled but empty ones) are skipped, and line numbers are the sheet's row numbers."""
    with CalamineWorkbook.from_path(str(path)) as workbook:
        sheet = None
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            if sheet.start is not None:
                break
        if sheet is None or sheet.start is None:
            return
        first_row = sheet.start[0]
        header_seen = False
        for index, row in enumerate(sheet.iter_rows()):
            if not any(cell_text(cell) for cell in row):
                continue
            if not header_seen:
                header_seen = True
                if skip_header:
                    continue
            yield first_row + index + 1, row


# Zip uploads ----------------------------------------------------------------------------


def unpack_zip(path: Path, destination: Path) -> list[tuple[str, Path]]:
    """The importable files of a .zip, copied out with a hard cap on the bytes written
    (the sizes a zip declares can lie). Folders and other files are ignored."""
    check_zip_container(path)
    unpacked: list[tuple[str, Path]] = []
    budget = MAX_UNPACKED_BYTES
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            member_name = Path(member.filename).name
            if member.is_dir() or member_name.startswith(".") or extension(member_name) not in READABLE_EXTENSIONS:
                continue
            target = destination / f"{len(unpacked)}{extension(member_name)}"
            with archive.open(member) as source, target.open("wb") as sink:
                while block := source.read(1024 * 1024):
                    budget -= len(block)
                    if budget < 0:
                        raise UnreadableFile(_("This zip file unpacks to too much data, so it was refused."))
                    sink.write(block)
            unpacked.append((member_name, target))
    if not unpacked:
        raise UnreadableFile(_("This zip file holds no CSV, text or spreadsheet file to import."))
    return unpacked


def copy_upload(upload, target: Path) -> None:
    with target.open("wb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
