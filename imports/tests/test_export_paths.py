"""On PostgreSQL the list exports read rows the database rendered, with COPY; elsewhere Python
renders them. Both must give the same files, byte for byte, for every kind of value."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from imports import entities, exports

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
]

# What a person may type that a file must carry exactly, or guard: formula starts, CSV and
# XML specials, line breaks of every kind, characters XML can't hold, COPY's own escapes.
TRICKY_TEXTS = [
    "=1+2",
    "+33 1 23 45 67 89",
    "-VP-",
    "@SUM(A1)",
    "\tTabbed",
    "\rReturn",
    'Say "hi", then go',
    "Line one\nLine two",
    "Windows\r\nbreak",
    "  spaced  ",
    "Zoé & <Müller> 🚀",
    "\\.",
    "\\N",
    "back\\slash",
    "bell\x07char",
    "\x01\x07",
    "NULL",
    "",
]


@pytest.fixture
def tricky_records(importer):
    formula_owner = UserFactory(username="=owner")
    parent = AccountFactory(name="+Holding, Inc.", owner=importer)
    for number, text in enumerate(TRICKY_TEXTS):
        account = AccountFactory(
            name=f"{text} {number}" if text else f"Plain {number}",
            account_number=text,
            parent=parent if number % 2 else None,
            owner=formula_owner if number % 3 == 0 else importer,
            description=text,
            address1_city=text,
            industry="legal_services" if number % 2 else "",
            credit_limit=Decimal("-1500.50") if number % 2 else None,
            annual_revenue=Decimal("0.00") if number % 3 else Decimal("123456789012.34"),
            address1_latitude=Decimal("-33.868800"),
            number_of_employees=number if number % 2 else None,
            credit_on_hold=bool(number % 2),
        )
        ContactFactory(
            first_name=text,
            last_name=f"{text} {number}",
            company=account if number % 4 else None,
            owner=formula_owner if number % 3 == 0 else importer,
            job_title=text,
            description=text,
            role="decision_maker" if number % 2 else "",
            gender="retired" if number == 3 else "",
            birthday=datetime.date(1980, 4, 23) if number % 2 else None,
            anniversary=datetime.date(999, 1, 2) if number == 5 else None,
            number_of_children=0 if number % 2 else None,
            do_not_phone=bool(number % 2),
        )
    AccountFactory(name="Inactive Corp", owner=importer, status="inactive")
    ContactFactory(last_name="Inactive", owner=importer, status="inactive")


def export_both_ways(write, *, entity: str, params: dict, user, monkeypatch) -> tuple[bytes, bytes]:
    request = RequestFactory().get("/", params)
    request.user = user
    files = []
    for copies in (True, False):
        monkeypatch.setattr(exports, "copies_rows", lambda copies=copies: copies)
        output = io.BytesIO()
        records = exports.records_in_view(entity=entities.get(entity), request=request)
        write(output, entity=entities.get(entity), records=records)
        files.append(output.getvalue())
    return files[0], files[1]


def workbook_parts(data: bytes) -> dict[str, bytes]:
    """The parts of an XLSX file; the archive itself carries write times that differ."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


VIEWS = [
    {"view": "active"},
    {"view": "my_active", "sort": "-name"},
    {"view": "active", "q": "line", "sort": "owner"},
    {"view": "inactive"},
]


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("params", VIEWS)
def test_the_copy_path_writes_the_same_csv_as_the_python_path(tricky_records, importer, monkeypatch, entity, params):
    copied, rendered = export_both_ways(
        exports.write_csv, entity=entity, params=params, user=importer, monkeypatch=monkeypatch
    )
    assert copied.count(b"\r\n") > 1
    assert copied == rendered


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("params", VIEWS)
def test_the_copy_path_writes_the_same_xlsx_as_the_python_path(tricky_records, importer, monkeypatch, entity, params):
    copied, rendered = export_both_ways(
        exports.write_xlsx, entity=entity, params=params, user=importer, monkeypatch=monkeypatch
    )
    assert workbook_parts(copied) == workbook_parts(rendered)


def test_the_copy_path_writes_labels_in_the_users_language(tricky_records, importer, monkeypatch):
    with translation.override("fr"):
        copied, rendered = export_both_ways(
            exports.write_csv, entity="contact", params={"view": "active"}, user=importer, monkeypatch=monkeypatch
        )
    assert "Oui" in copied.decode() and copied == rendered


def streamed(*, entity: str, params: dict, user, monkeypatch, file_format: str) -> tuple[bytes, bytes]:
    """The file a request streams, with the cells rendered by the database and by Python."""
    request = RequestFactory().get("/", params)
    request.user = user
    files = []
    for copies in (True, False):
        monkeypatch.setattr(exports, "copies_rows", lambda copies=copies: copies)
        records = exports.records_in_view(entity=entities.get(entity), request=request)
        response = exports.streaming_response(entity=entities.get(entity), records=records, file_format=file_format)
        files.append(b"".join(response.streaming_content))
    return files[0], files[1]


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("params", VIEWS)
def test_a_streamed_export_is_the_file_the_python_path_writes(tricky_records, importer, monkeypatch, entity, params):
    csv_by_database, csv_by_python = streamed(
        entity=entity, params=params, user=importer, monkeypatch=monkeypatch, file_format="csv"
    )
    written, _rendered = export_both_ways(
        exports.write_csv, entity=entity, params=params, user=importer, monkeypatch=monkeypatch
    )
    assert csv_by_database == csv_by_python == written
    xlsx_by_database, xlsx_by_python = streamed(
        entity=entity, params=params, user=importer, monkeypatch=monkeypatch, file_format="xlsx"
    )
    assert workbook_parts(xlsx_by_database) == workbook_parts(xlsx_by_python)
