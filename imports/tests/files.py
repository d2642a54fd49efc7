"""Build the files people send, in the tests: CSV in any encoding, and real spreadsheets
written by the libraries office programs' files are compatible with."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(rows: list[list]) -> tablib.Dataset:
    data = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        data.append(row)
    return data


def ods_bytes(rows: list[list]) -> bytes:
    return dataset(rows).export("ods")


def xls_bytes(rows: list[list]) -> bytes:
    return dataset(rows).export("xls")


def zip_bomb_xlsx() -> bytes:
    """An "XLSX" whose sheet unpacks 50 MB of zeros from a few kilobytes."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("[Content_Types].xml", b"<x/>")
        bundle.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return archive.getvalue()


def billion_laughs_xlsx() -> bytes:
    """An XLSX whose sheet declares nested XML entities (a "billion laughs") and uses them."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
        )
        + "]>"
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Last Name"], ["&lol9;"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = laughs.encode() + content.replace(b"&amp;lol9;", b"&lol9;")
            target.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


SPREADSHEETS = {"xlsx": xlsx_bytes, "xls": xls_bytes, "ods": ods_bytes}


def exported_rows(client, entity: str, file_format: str, query: str = "") -> list[list]:
    """The rows of a list export (header first), as a spreadsheet program shows them."""
    response = client.get(reverse("imports:export", args=[entity, file_format]) + query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
