"""Spreadsheets that would expand past what a server can hold are refused while they are
measured, before the reader opens them (issue 20); the mapping page never reopens a file."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from bench.hostile import diluted_bomb, numbered_rows, xlsx_with_sheet
from imports import readers
from imports.models import ImportJob
from imports.readers import UnreadableFile, WorkbookBudget
from imports.tests.files import csv_bytes, upload, xlsx_bytes


def open_xlsx(tmp_path: Path, content: bytes):
    path = tmp_path / "file.xlsx"
    path.write_bytes(content)
    return readers.open_table(path, "file.xlsx")


def test_a_bomb_diluted_with_random_padding_is_refused_by_its_cell_budget(tmp_path):
    # 6 million cells: the archive's overall ratio is low (5 MB of random bytes stored), the
    # sheet's own ratio under the limit; only the count of cells tells.
    bomb = diluted_bomb(rows=600_000, columns=10, padding=5 * 1024 * 1024)
    with pytest.raises(UnreadableFile, match=r"more than 5,000,000 cells \(rows × columns\)"):
        open_xlsx(tmp_path, bomb)


def test_a_member_that_alone_compresses_like_a_bomb_is_refused_whatever_the_padding(tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("[Content_Types].xml", b"<x/>")
        bundle.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
        bundle.writestr(zipfile.ZipInfo("xl/media/padding.bin"), os.urandom(1024 * 1024))
    with pytest.raises(UnreadableFile, match="zip bomb"):
        open_xlsx(tmp_path, archive.getvalue())


def test_two_far_apart_cells_are_refused_for_the_grid_between_them(tmp_path):
    far = xlsx_with_sheet(
        [b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="300000"><c r="Z300000"><v>1</v></c></row>']
    )
    with pytest.raises(UnreadableFile, match="cells"):
        open_xlsx(tmp_path, far)


def test_a_sheet_wider_than_any_record_type_is_refused(tmp_path):
    wide = xlsx_with_sheet([b'<row r="1"><c r="A1"><v>1</v></c><c r="ALM1"><v>1</v></c></row>'])
    with pytest.raises(UnreadableFile, match="more than 1,000 columns"):
        open_xlsx(tmp_path, wide)


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        (WorkbookBudget(rows=3), "more than 3 rows"),
        (WorkbookBudget(shared_strings=3), "more than 3 different texts"),
        # The size a member declares is checked first; measure_workbook counts the real bytes.
        (WorkbookBudget(member_bytes=100), "zip bomb"),
    ],
)
def test_each_budget_stops_the_reading_with_its_message(tmp_path, monkeypatch, budget, message):
    monkeypatch.setattr(readers, "WORKBOOK_BUDGET", budget)
    rows = [b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (row, row, row - 1) for row in range(1, 6)]
    workbook = xlsx_with_sheet(rows, shared_strings=[f"Account {index}" for index in range(5)])
    with pytest.raises(UnreadableFile, match=message):
        open_xlsx(tmp_path, workbook)


def test_a_workbook_within_its_budgets_is_read(tmp_path):
    table = open_xlsx(tmp_path, xlsx_with_sheet(numbered_rows(2_000, 5)))
    assert len(list(table.rows())) == 1_999


def test_the_mapping_page_shows_the_rows_read_at_upload_without_opening_the_file_again(importer_client, monkeypatch):
    content = xlsx_bytes([["Account Name", "City"], ["Contoso", "Lyon"], ["Fabrikam", "Oslo"]])
    importer_client.post(reverse("imports:upload"), {"file": upload("a.xlsx", content), "entity": ""})
    job = ImportJob.objects.get()

    def refuse(*args, **kwargs):
        raise AssertionError("the file was opened again")

    monkeypatch.setattr(readers, "open_table", refuse)
    html = importer_client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert "Fabrikam" in html and "Oslo" in html


def test_text_files_keep_their_first_rows_too(importer_client):
    importer_client.post(
        reverse("imports:upload"), {"file": upload("a.csv", csv_bytes([["Account Name"], ["A"], ["B"]])), "entity": ""}
    )
    assert ImportJob.objects.get().samples == [["A"], ["B"]]
