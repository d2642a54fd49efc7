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
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
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

    def rows(self) -> Iterator[tuple[int, list]]:
        if self.encoding:
            yield from text_rows(self.path, self.encoding, self.delimiter, skip_header=True)
        else:
            yield from spreadsheet_rows(self.path, skip_header=True)


def extension(name: str) -> str:
    return Path(name).suffix.lower()


def open_table(path: Path, name: str) -> Table:
    """Check and open one file; UnreadableFile if it is not what it claims or has no rows."""
    suffix = extension(name)
    if suffix not in READABLE_EXTENSIONS:
        raise UnreadableFile(_("%(name)s: this type of file can't be imported.") % {"name": name})
    try:
        table = open_text(path, name) if suffix in TEXT_EXTENSIONS else open_spreadsheet(path, name, suffix)
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


def open_text(path: Path, name: str) -> Table:
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
    names = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
    separators = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), ":": _("colon")}
    description = _("Text, %(encoding)s, %(separator)s-separated") % {
        "encoding": names.get(encoding, "UTF-16"),
        "separator": separators[delimiter],
    }
    return Table(path, name, [cell.strip() for cell in header[1]], description, encoding, delimiter)


# Spreadsheets ---------------------------------------------------------------------------


def check_zip_container(path: Path) -> None:
    """Refuse a zip whose unpacked size or compression ratio is that of a bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise UnreadableFile(_("This file is damaged or not what its name says.")) from None
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(_("This file unpacks to far more data than it holds (a “zip bomb”), so it was refused."))


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
