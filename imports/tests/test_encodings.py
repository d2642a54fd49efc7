"""The mapping page shows a text file's first rows as read, in the encoding detected, and
reads them again at once in the one the user picks (issue 20)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from imports.models import ImportJob
from imports.tests.files import csv_bytes, upload

ROWS = [["Account Name", "City"], ["Société Générale", "Orléans"], ["Café Müller", "Zürich"]]


def uploaded(client, content: bytes) -> ImportJob:
    client.post(reverse("imports:upload"), {"file": upload("accounts.csv", content), "entity": "account"})
    return ImportJob.objects.get()


def pick(client, job: ImportJob, encoding: str):
    return client.post(reverse("imports:map", args=[job.pk]), {"encoding": encoding, "reencode": "1"}, follow=True)


def test_a_mac_roman_file_imports_correctly_once_the_user_picks_its_encoding(importer_client):
    job = uploaded(importer_client, csv_bytes(ROWS, encoding="mac-roman"))
    html = importer_client.get(reverse("imports:map", args=[job.pk])).content.decode()
    # Detected as Windows-1252, which reads Mac Roman's é (0x8E) as Ž: the page shows it so.
    assert "Windows-1252" in html and "SociŽtŽ" in html
    html = pick(importer_client, job, "mac-roman").content.decode()
    assert "Société Générale" in html and "Mac Roman" in html
    assert '<option value="mac-roman" selected>' in html
    job.refresh_from_db()
    response = importer_client.post(
        reverse("imports:map", args=[job.pk]),
        {
            "entity": "account",
            "duplicates": "update",
            "match_key": "name",
            "record_owner": job.created_by_id,
            "col_0": "name",
            "col_1": "address1_city",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    assert sorted(Account.objects.values_list("name", "address1_city")) == [
        ("Café Müller", "Zürich"),
        ("Société Générale", "Orléans"),
    ]


def test_the_euro_sign_of_an_iso_8859_15_file_reads_right_once_picked(importer_client):
    job = uploaded(importer_client, csv_bytes([["Account Name"], ["Prix en €"]], encoding="iso-8859-15"))
    assert job.samples == [["Prix en ¤"]]
    assert "Prix en €" in pick(importer_client, job, "iso-8859-15").content.decode()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "latin-1", "iso-8859-15", "mac-roman", "utf-16"])
def test_every_encoding_offered_reads_a_file_written_in_it(importer_client, encoding):
    job = uploaded(importer_client, csv_bytes([["Account Name"], ["Zoé"]], encoding=encoding))
    pick(importer_client, job, encoding)
    job.refresh_from_db()
    assert job.samples == [["Zoé"]] and job.encoding == encoding


def test_an_encoding_the_file_is_not_in_is_refused_with_where_and_nothing_changes(importer_client):
    job = uploaded(importer_client, csv_bytes([["Account Name"], ["Ann"], ["Zoé"]], encoding="cp1252"))
    html = pick(importer_client, job, "utf-8").content.decode()
    assert "be read as UTF-8 (line 3 is not): choose another encoding." in html
    job.refresh_from_db()
    assert job.encoding == "cp1252" and job.samples == [["Ann"], ["Zoé"]]


def test_an_encoding_not_offered_is_refused(importer_client):
    job = uploaded(importer_client, csv_bytes(ROWS))
    assert "Choose one of the encodings offered." in pick(importer_client, job, "rot13").content.decode()
