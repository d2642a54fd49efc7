"""Real files and hostile files, built here the way the programs people use write them."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from contacts.models import Contact
from crm.tests.factories import AccountFactory
from imports import readers, services
from imports.models import ImportJob
from imports.tests.files import SPREADSHEETS, billion_laughs_xlsx, csv_bytes, upload, xlsx_bytes, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

ROWS = [["First Name", "Last Name", "City"], ["Zoé", "Müller", "Besançon"], ["Łukasz", "Nowak", "Kraków"]]
LATIN = [
    ["First Name", "Last Name", "Address 1: City"],
    ["Zoé", "Müller", "Besançon"],
    ["François", "Dupré", "Orléans"],
]


def cities(job) -> set[str]:
    assert job.status == ImportJob.Status.COMPLETED, job.error
    return set(Contact.objects.values_list("address1_city", flat=True))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_unicode_text_files_are_read_in_their_encoding(run_import, encoding):
    rows = [["First Name", "Last Name", "Address 1: City"], *ROWS[1:]]
    job = run_import("p.csv", csv_bytes(rows, encoding=encoding))
    assert cities(job) == {"Besançon", "Kraków"}


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_windows_1252_semicolon_file_from_french_excel_keeps_its_accents(run_import, encoding):
    job = run_import("p.csv", csv_bytes(LATIN, encoding=encoding, delimiter=";"))
    assert cities(job) == {"Besançon", "Orléans"}
    assert "semicolon" in job.file_description


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "p.csv"), (";", "p.csv"), ("\t", "p.tsv"), ("\t", "p.txt"), (":", "p.txt")]
)
def test_the_delimiter_is_detected(run_import, delimiter, name):
    job = run_import(name, csv_bytes(LATIN, delimiter=delimiter))
    assert cities(job) == {"Besançon", "Orléans"}


def test_quoted_fields_with_line_breaks_blank_lines_and_messy_headers(run_import):
    data = (
        b"  first NAME , LAST name ,Description\r\n"
        b"\r\n"
        b'Ana,Lopez,"Met at the fair,\r\nlikes ""coffee"""\r\n'
        b"\r\n\r\n"
        b"Bo,,no last name\r\n"
    )
    job = run_import("p.csv", data)
    assert (job.created_count, job.failed_count) == (1, 1)
    assert Contact.objects.get().description == 'Met at the fair,\r\nlikes "coffee"'
    # The line is where the row starts in the file, as a text editor numbers it.
    assert job.failures.get().line == 7


@pytest.mark.parametrize("kind", sorted(SPREADSHEETS))
def test_spreadsheets_import(run_import, kind):
    job = run_import(f"p.{kind}", SPREADSHEETS[kind](LATIN))
    assert cities(job) == {"Besançon", "Orléans"}
    assert [failure.line for failure in job.failures.all()] == []


def test_xlsx_formulas_are_read_as_values_and_phantom_empty_rows_ignored(run_import, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["First Name", "Last Name", "No. of Children"])
    sheet.append(["Ana", "Lopez", 2])
    sheet.append(["Bo", "Li", '=B2&"x"'])
    # LibreOffice writes styled empty rows down to the end of what was once formatted.
    for row in range(4, 200):
        sheet.cell(row=row, column=1).number_format = "@"
        sheet.cell(row=row, column=2).value = None
    sheet["A300"].value = ""
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    # openpyxl stores formulas without cached values, as LibreOffice does after editing;
    # put one in, as a saved file has.
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.replace(
        '<c r="C3"><f>B2&amp;"x"</f><v /></c>', '<c r="C3"><f>1+2</f><v>3</v></c>'
    ).encode()
    assert parts["xl/worksheets/sheet1.xml"] != sheet_xml.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    job = run_import("p.xlsx", buffer.getvalue())
    assert job.total_rows == 2
    assert dict(Contact.objects.values_list("first_name", "number_of_children")) == {"Ana": 2, "Bo": 3}


def test_a_zip_of_several_files_gives_one_job_each(importer):
    AccountFactory(name="Contoso")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("accounts.csv", csv_bytes([["Account Name"], ["Fabrikam"]]))
        bundle.writestr("people/contacts.xlsx", xlsx_bytes([["Last Name", "Company Name"], ["Li", "Contoso"]]))
        bundle.writestr("__MACOSX/._accounts.csv", b"junk")
    jobs = services.import_jobs_create(upload=upload("all.zip", archive.getvalue()), entity="", by=importer)
    assert [(job.file_name, job.entity) for job in jobs] == [("accounts.csv", "account"), ("contacts.xlsx", "contact")]
    assert len({job.batch for job in jobs}) == 1


def refused(importer, name: str, data: bytes) -> str:
    with pytest.raises(readers.UnreadableFile) as error:
        services.import_jobs_create(upload=upload(name, data), entity="", by=importer)
    assert not ImportJob.objects.exists()
    return str(error.value)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("p.xlsx", csv_bytes(ROWS)),
        ("p.xls", xlsx_bytes(ROWS)),
        ("p.ods", b"%PDF-1.4 not a spreadsheet"),
        ("p.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
        ("p.csv", xlsx_bytes(ROWS)),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(importer, name, data):
    message = refused(importer, name, data)
    assert "not" in message


@pytest.mark.parametrize("kind", sorted(SPREADSHEETS))
def test_a_truncated_spreadsheet_is_refused(importer, kind):
    data = SPREADSHEETS[kind]([["Last Name"]] + [[f"Name {n}"] for n in range(500)])
    message = refused(importer, f"p.{kind}", data[: len(data) // 2])
    assert "damaged" in message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(importer):
    assert "zip bomb" in refused(importer, "p.xlsx", zip_bomb_xlsx())
    assert "zip bomb" in refused(importer, "p.zip", zip_bomb_xlsx())


def test_xml_entity_expansion_is_not_followed(importer):
    # Either refused, or the entity left as it is: never a billion "lol"s in memory.
    try:
        [job] = services.import_jobs_create(upload=upload("p.xlsx", billion_laughs_xlsx()), entity="", by=importer)
    except readers.UnreadableFile:
        return
    rows = list(readers.open_table(job.file.path, "p.xlsx").rows())
    assert all(len(str(cell)) < 1000 for _line, cells in rows for cell in cells)


def test_a_file_with_only_headers_is_refused(importer):
    assert "no rows" in refused(importer, "p.csv", csv_bytes([["First Name", "Last Name"], [], ["", ""]]))
    assert "no rows" in refused(importer, "p.xlsx", xlsx_bytes([["First Name", "Last Name"]]))


def test_an_empty_file_is_refused(importer):
    assert "empty" in refused(importer, "p.csv", b"")
