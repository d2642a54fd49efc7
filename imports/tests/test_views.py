"""The Import Data page, the job pages and the list exports, as a user goes through them."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from imports.models import ImportJob, SavedMapping
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, exported_rows, upload

pytestmark = pytest.mark.django_db

ROWS = [
    ["First Name", "Nom", "E-mail perso", "Company Name"],
    ["Zoé", "Müller", "zoe@x.com", "Contoso"],
    ["Bad", "", "bad@x.com", "Contoso"],
    ["Ana", "Lopez", "ana@x.com", "Nowhere"],
]


def post_upload(client, name: str, data: bytes, entity: str = ""):
    return client.post(reverse("imports:upload"), {"file": upload(name, data), "entity": entity})


def mapping_post(job: ImportJob, mapping: list[str], **options) -> dict:
    data = {"entity": job.entity, "duplicates": "update", "match_key": job.match_key, "record_owner": job.created_by_id}
    data.update({f"col_{index}": name for index, name in enumerate(mapping)})
    data.update(options)
    data["submit"] = "1"
    return data


def test_import_data_needs_an_import_permission(owner_client):
    assert owner_client.get(reverse("imports:upload")).status_code == 403
    assert "Import Data" not in owner_client.get(reverse("home")).content.decode()


def test_the_site_map_offers_import_data_to_importers(importer_client):
    html = importer_client.get(reverse("accounts:list")).content.decode()
    assert 'href="/imports/new/"' in html
    assert "Export to Excel" in html and "Export to CSV" in html


def test_a_user_maps_by_hand_imports_and_downloads_the_failed_rows(importer_client, importer):
    AccountFactory(name="Contoso")
    response = post_upload(importer_client, "people.csv", csv_bytes(ROWS, encoding="cp1252", delimiter=";"))
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:map", args=[job.pk])
    page = importer_client.get(response.url)
    html = page.content.decode()
    # Which columns show as not mapped is the journey's to check: the badge follows the select in the browser.
    assert "Müller" in html and "semicolon" in html
    assert "---------" not in html
    assert job.entity == "contact"
    assert job.mapping == ["first_name", "", "", "company"]
    response = importer_client.post(
        response.url, mapping_post(job, ["first_name", "last_name", "emailaddress1", "company"], save_as="Outlook")
    )
    assert response.url == reverse("imports:detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.created_count, job.failed_count) == ("completed", 1, 2)
    detail = importer_client.get(response.url).content.decode()
    assert "Download failed rows" in detail and "Last Name: This field is required." in detail
    download = importer_client.get(reverse("imports:failures", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [*ROWS[0], "Error"]
    assert rows[1][:4] == ROWS[2] and rows[1][4].startswith("Line 3: Last Name")
    assert rows[2][:4] == ROWS[3] and "Nowhere" in rows[2][4]
    assert SavedMapping.objects.get(name="Outlook").columns["nom"] == "last_name"


def test_the_fixed_failed_rows_update_instead_of_duplicating(run_import):
    AccountFactory(name="Contoso")
    header = ["First Name", "Last Name", "Email", "Company Name"]
    run_import(
        "p.csv",
        csv_bytes([header, ["Ana", "Lopez", "ana@x.com", "Nowhere"], ["Zoé", "Müller", "zoe@x.com", "Contoso"]]),
    )
    job = run_import(
        "fixed.csv",
        csv_bytes([header, ["Ana", "Lopez", "ana@x.com", "Contoso"], ["Zoé", "Müller", "zoe@x.com", "Contoso"]]),
    )
    assert (job.created_count, job.skipped_count, job.failed_count) == (1, 1, 0)
    assert Contact.objects.count() == 2


def test_a_saved_mapping_is_applied_to_the_next_file(importer_client, importer):
    SavedMapping.objects.create(
        owner=importer, entity="contact", name="Outlook", columns={"nom": "last_name", "e-mail perso": "emailaddress1"}
    )
    post_upload(importer_client, "people.csv", csv_bytes(ROWS), entity="contact")
    job = ImportJob.objects.get()
    saved = SavedMapping.objects.get()
    importer_client.post(
        reverse("imports:map", args=[job.pk]), {"entity": "contact", "saved_mapping": saved.pk, "refresh": "1"}
    )
    job.refresh_from_db()
    assert job.mapping == ["first_name", "last_name", "emailaddress1", "company"]


def test_the_mapping_refuses_a_missing_required_field_or_a_field_mapped_twice(importer_client):
    post_upload(importer_client, "people.csv", csv_bytes(ROWS), entity="contact")
    job = ImportJob.objects.get()
    url = reverse("imports:map", args=[job.pk])
    html = importer_client.post(url, mapping_post(job, ["first_name", "", "", ""])).content.decode()
    assert "Map a column to each required field: Last Name." in html
    html = importer_client.post(url, mapping_post(job, ["last_name", "last_name", "", ""])).content.decode()
    assert "several columns map to: Last Name" in html
    assert ImportJob.objects.get().status == "draft"


def test_an_unreadable_upload_shows_the_reason_and_keeps_nothing(importer_client):
    response = post_upload(importer_client, "people.xlsx", b"this is not a spreadsheet")
    assert response.status_code == 200
    assert "is not really a XLSX file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused(importer_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = post_upload(importer_client, "people.csv", csv_bytes(ROWS * 10))
    assert "files up to 100" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_job_page_shows_states_and_counts_and_polls_without_inline_script(importer_client, run_import):
    job = run_import("a.csv", csv_bytes([["Account Name"], ["A"], ["B"]]))
    status = importer_client.get(reverse("imports:status", args=[job.pk])).json()
    assert status | {"status_label": ""} == {
        "status": "completed",
        "status_label": "",
        "finished": True,
        "percent": 100,
        "total": 2,
        "processed": 2,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    job.status = ImportJob.Status.IMPORTING
    job.save()
    html = importer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "<progress" in html and "Refresh" in html and "import_progress.js" in html
    assert "<script>" not in html and " style=" not in html


def test_someone_else_cannot_see_my_import(client, run_import, teammate):
    job = run_import("a.csv", csv_bytes([["Account Name"], ["A"]]))
    client.force_login(grant(teammate, "import_account"))
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:failures", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:delete", args=[job.pk]), {"with_records": "yes"}).status_code == 404


def test_removing_an_import_from_its_page_runs_on_the_worker_and_says_what_happened(importer_client, run_import):
    job = run_import("a.csv", csv_bytes([["Account Name"], ["A"], ["B"]]))
    response = importer_client.post(reverse("imports:delete", args=[job.pk]), {"with_records": "yes"})
    assert response.url == reverse("imports:detail", args=[job.pk])
    assert not Account.objects.exists()
    html = importer_client.get(response.url).content.decode()
    assert "The import was removed, with 2 records it created." in html
    assert importer_client.get(reverse("imports:status", args=[job.pk])).json()["percent"] == 100


def test_removing_an_import_without_its_records_deletes_the_job_at_once(importer_client, run_import):
    job = run_import("a.csv", csv_bytes([["Account Name"], ["A"], ["B"]]))
    response = importer_client.post(reverse("imports:delete", args=[job.pk]))
    assert response.url == reverse("imports:history")
    assert Account.objects.count() == 2 and not ImportJob.objects.exists()


def test_history_lists_my_imports(importer_client, run_import):
    run_import("accounts-2024.csv", csv_bytes([["Account Name"], ["A"]]))
    assert "accounts-2024.csv" in importer_client.get(reverse("imports:history")).content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_gives_exactly_the_current_view_filtered_searched_and_sorted(
    importer_client, importer, teammate, file_format
):
    for name in ("Bravo", "Alpha", "Charlie"):
        AccountFactory(name=name, owner=importer, address1_city="Lyon")
    AccountFactory(name="Delta", owner=teammate, address1_city="Lyon")
    AccountFactory(name="Echo", owner=importer, address1_city="Paris")
    rows = exported_rows(importer_client, "account", file_format, "?view=my_active&q=lyon&sort=-name")
    assert rows[0][:3] == ["Account Name", "Account Number", "Parent Account"]
    assert [row[0] for row in rows[1:]] == ["Charlie", "Bravo", "Alpha"]


def test_export_needs_the_export_permission(owner_client):
    assert owner_client.get(reverse("imports:export", args=["account", "csv"])).status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_neutralise_formulas(importer_client, importer, file_format):
    ContactFactory(first_name="=1+2", last_name="@cmd", telephone1="+1 555 0100", owner=importer, description="\tx")
    header, row = exported_rows(importer_client, "contact", file_format)
    values = dict(zip(header, row, strict=True))
    assert (values["First Name"], values["Last Name"], values["Business Phone"]) == ("'=1+2", "'@cmd", "'+1 555 0100")
    assert values["Description"] == "'\tx"


def test_a_row_repeating_an_email_of_the_file_is_reported_as_a_duplicate(importer_client, run_import):
    rows = [["Last Name", "Email"], ["Lopez", "ana@x.com"], ["Lopez-Diaz", "ana@x.com"]]
    job = run_import("people.csv", csv_bytes(rows))
    detail = importer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "duplicate of line 2 in this file" in detail
    download = importer_client.get(reverse("imports:failures", args=[job.pk]))
    failed = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert failed[1][:2] == ["Lopez-Diaz", "ana@x.com"]
    assert failed[1][2].startswith("Line 3: This row is a duplicate of line 2 in this file")
