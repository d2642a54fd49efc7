"""Hostile spreadsheets, built on the fly, and what refusing them costs (issue 20).

Each file is opened by a fresh child process, exactly as an upload is (readers.open_table),
so its peak memory is the refusal's own. Run alone: `python manage.py bench_hostile_files`;
also the `hostile` section of `make bench`.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from bench.timing import Result, Target

REFUSAL_PEAK_MB = 200
REFUSAL_SECONDS = 2

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx_with_sheet(rows, *, padding: int = 0, compresslevel: int = 6, shared_strings: list[str] = ()) -> bytes:
    """An XLSX whose one sheet holds the XML of `rows` (an iterable of byte strings, each a
    whole <row>), plus `padding` bytes of random data stored uncompressed: the "dilution"
    that keeps the archive's overall compression ratio low."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as bundle:
        bundle.writestr("[Content_Types].xml", CONTENT_TYPES)
        bundle.writestr("_rels/.rels", RELS)
        bundle.writestr("xl/workbook.xml", WORKBOOK)
        bundle.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with bundle.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
            sheet.write(b'spreadsheetml/2006/main"><sheetData>')
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings:
            texts = "".join(f"<si><t>{text}</t></si>" for text in shared_strings)
            bundle.writestr(
                "xl/sharedStrings.xml",
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + texts + "</sst>",
            )
        if padding:
            bundle.writestr(zipfile.ZipInfo("xl/media/image1.bin"), os.urandom(padding))
    return archive.getvalue()


def diluted_bomb(*, rows: int = 2_000_000, columns: int = 10, padding: int = 5 * 1024 * 1024) -> bytes:
    """Millions of identical cells (they compress a thousand times) diluted by random padding:
    the shape of the file the audit sent, a few megabytes that unpack to gigabytes."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    block = row * 10_000
    return xlsx_with_sheet((block for _ in range(rows // 10_000)), padding=padding)


def numbered_rows(rows: int, columns: int, *, start: int = 1) -> object:
    """Rows of distinct, referenced cells: they compress only a few times, so only the budget
    of cells (not the compression ratio) can stop them."""
    letters = [chr(65 + index) for index in range(columns)]
    for first in range(start, start + rows, 5_000):
        yield "".join(
            f'<row r="{number}">'
            + "".join(
                f'<c r="{letter}{number}"><v>{number * 7 + index}</v></c>' for index, letter in enumerate(letters)
            )
            + "</row>"
            for number in range(first, min(first + 5_000, start + rows))
        ).encode()


def over_budget_cells(*, rows: int = 1_000_000, columns: int = 10) -> bytes:
    return xlsx_with_sheet(numbered_rows(rows, columns), padding=1024 * 1024)


def far_apart_cells() -> bytes:
    """Two cells, A1 and ZZ1000000: the reader would hold the 700-million-cell grid between them."""
    return xlsx_with_sheet(
        [b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="1000000"><c r="ZZ1000000"><v>1</v></c></row>']
    )


CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "diluted-bomb": ("diluted zip bomb (20M cells, 5 MB of padding)", diluted_bomb),
    "over-budget-cells": ("10M distinct cells (ratio ~20, over the cell budget)", over_budget_cells),
    "far-apart-cells": ("A1 and ZZ1000000 only (a 700M-cell grid)", far_apart_cells),
}


def open_in_child(path: str, queue: multiprocessing.Queue) -> None:
    import django

    django.setup()
    from imports import readers

    started = time.perf_counter()
    try:
        readers.open_table(Path(path), "hostile.xlsx")
        outcome = "accepted"
    except readers.UnreadableFile as refusal:
        outcome = str(refusal)
    elapsed = time.perf_counter() - started
    queue.put((outcome, elapsed, peak_mb()))


def peak_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries it over
    exec from the forking parent, which holds the file just built."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_refusal(content: bytes) -> tuple[str, float, float]:
    """(message or "accepted", seconds, peak MB of the process that opened it)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=open_in_child, args=(file.name, queue))
        child.start()
        outcome = queue.get()
        child.join()
    return outcome


def hostile_results(log: Callable[[str], None] = print) -> list[Result]:
    results = []
    for case, (label, build) in CASES.items():
        content = build()
        message, seconds, peak_mb = measure_refusal(content)
        refused = message != "accepted"
        log(f"{case}: {len(content) / 1e6:.1f} MB file, {seconds:.2f} s, {peak_mb:.0f} MB peak: {message}")
        results.append(
            Result(
                section="hostile",
                label=f"refuse {label}, {len(content) / 1e6:.1f} MB file",
                figures={"median_ms": round(seconds * 1000), "peak_mb": round(peak_mb), "refused": int(refused)},
                targets=[
                    Target("median_ms", at_most=REFUSAL_SECONDS * 1000),
                    Target("peak_mb", at_most=REFUSAL_PEAK_MB),
                    Target("refused", at_least=1),
                ],
                note=message,
            )
        )
    return results
