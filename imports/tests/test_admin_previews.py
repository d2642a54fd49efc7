"""The admin import held to Import Data's rules: previews that belong to their uploader and
are cleaned up, the size limit, the hostile-file checks, one reader, in-file duplicates."""

from __future__ import annotations

import datetime
import io
import os
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import ContactFactory, UserFactory
from imports import previews
from imports.tests.conftest import grant
from imports.tests.files import billion_laughs_xlsx, csv_bytes, ods_bytes, upload, xlsx_bytes, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

CSV, TSV, XLSX, XLS, ODS = range(5)
ROWS = [["Last Name", "Email"], ["Li", "li@x.com"], ["Ng", "ng@x.com"]]


def importer_of_contacts(username: str = "staffer"):
    user = UserFactory(username=username, is_staff=True)
    return grant(user, "view_contact", "add_contact", "change_contact", "import_contact")


@pytest.fixture
def staff_client(client):
    client.force_login(importer_of_contacts())
    return client


def preview(client, data: bytes, name: str = "people.csv", format_index: int = CSV):
    return client.post(
        reverse("admin:contacts_contact_import"),
        {"resource": 0, "format": format_index, "import_file": upload(name, data)},
    )


def confirm(client, initial: dict, **changes):
    return client.post(reverse("admin:contacts_contact_process_import"), {**initial, **changes}, follow=True)


def stored_previews() -> list[Path]:
    return sorted(previews.folder().iterdir()) if previews.folder().is_dir() else []


def test_a_preview_is_stored_under_a_random_name_in_a_private_folder(staff_client):
    initial = preview(staff_client, csv_bytes(ROWS)).context["confirm_form"].initial
    [stored] = stored_previews()
    assert stored.name == initial["import_file_name"] and stored.name.endswith(".csv")
    assert "people" not in stored.name and len(stored.stem) == 32
    assert stored.parent.stat().st_mode & 0o077 == 0


def test_confirming_imports_and_deletes_the_preview(staff_client):
    initial = preview(staff_client, csv_bytes(ROWS)).context["confirm_form"].initial
    response = confirm(staff_client, initial)
    assert response.status_code == 200
    assert Contact.objects.count() == 2
    assert stored_previews() == []
    # The same preview can't be confirmed twice.
    again = confirm(staff_client, initial)
    assert "not yours or no longer exists" in again.content.decode()
    assert Contact.objects.count() == 2


def test_cancelling_deletes_the_preview_and_imports_nothing(staff_client):
    html = preview(staff_client, csv_bytes(ROWS))
    assert 'name="cancel"' in html.content.decode()
    response = confirm(staff_client, html.context["confirm_form"].initial, cancel="Cancel")
    assert "Import cancelled" in response.content.decode()
    assert stored_previews() == [] and not Contact.objects.exists()


def test_a_preview_with_errors_keeps_no_file(staff_client):
    response = preview(staff_client, csv_bytes([["Last Name", "Company Name"], ["Li", "Nowhere"]]))
    assert response.context["result"].has_validation_errors() or response.context["result"].has_errors()
    assert stored_previews() == []


def test_another_users_preview_cannot_be_confirmed(client):
    client.force_login(importer_of_contacts("uploader"))
    initial = preview(client, csv_bytes(ROWS)).context["confirm_form"].initial
    client.force_login(importer_of_contacts("other"))
    response = confirm(client, initial)
    assert "not yours or no longer exists" in response.content.decode()
    assert not Contact.objects.exists()
    # Nor cancelled by them: the uploader's preview is still there.
    confirm(client, initial, cancel="Cancel")
    assert len(stored_previews()) == 1


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "....//....//etc/passwd", ""],
)
def test_a_file_name_that_is_no_preview_of_this_user_is_refused(staff_client, name):
    response = confirm(staff_client, {"import_file_name": name, "original_file_name": "x.csv", "format": CSV})
    assert response.status_code == 200
    assert "not yours or no longer exists" in response.content.decode()


def test_a_file_left_in_the_system_temp_folder_is_not_imported(staff_client):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as planted:
        planted.write(csv_bytes(ROWS))
    try:
        for name in (Path(planted.name).name, planted.name):
            response = confirm(staff_client, {"import_file_name": name, "original_file_name": "x.csv", "format": CSV})
            assert "not yours or no longer exists" in response.content.decode()
        assert not Contact.objects.exists()
    finally:
        os.unlink(planted.name)


def test_a_preview_deleted_meanwhile_is_refused_with_a_message(staff_client):
    initial = preview(staff_client, csv_bytes(ROWS)).context["confirm_form"].initial
    for stored in stored_previews():
        stored.unlink()
    response = confirm(staff_client, initial)
    assert "not yours or no longer exists" in response.content.decode()


def test_a_preview_deleted_while_it_is_being_confirmed_is_refused_with_a_message(staff_client, monkeypatch):
    initial = preview(staff_client, csv_bytes(ROWS)).context["confirm_form"].initial
    checked = previews.owned

    def owned_then_cleaned_up(request, name):
        answer = checked(request, name)
        previews.PreviewStorage(name=name).remove()
        return answer

    monkeypatch.setattr(previews, "owned", owned_then_cleaned_up)
    response = confirm(staff_client, initial)
    assert "not yours or no longer exists" in response.content.decode()
    assert not Contact.objects.exists()


def test_cleanup_imports_deletes_previews_older_than_the_setting(staff_client, settings):
    settings.IMPORT_PREVIEW_KEEP_MINUTES = 30
    preview(staff_client, csv_bytes(ROWS))
    preview(staff_client, csv_bytes(ROWS[:2]))
    old, recent = sorted(stored_previews(), key=lambda path: path.stat().st_mtime)
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    out = io.StringIO()
    call_command("cleanup_imports", stdout=out)
    assert stored_previews() == [recent]
    assert "admin import previews deleted: 1" in out.getvalue()
    assert previews.previews_delete(modified_before=datetime.datetime.now(tz=datetime.UTC)) == 1


def test_the_admin_import_applies_the_upload_size_limit(staff_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = preview(staff_client, csv_bytes(ROWS + [["x" * 100, "y"]] * 20))
    assert "files up to 1.0\xa0KB can be imported" in response.content.decode()
    assert "result" not in response.context and stored_previews() == []


@pytest.mark.parametrize(
    ("name", "data", "format_index", "message"),
    [
        ("bomb.xlsx", zip_bomb_xlsx(), XLSX, "zip bomb"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), CSV, "is not text"),
        ("p.xlsx", b"%PDF-1.4 not a spreadsheet", XLSX, "is not really a XLSX file"),
        ("p.ods", xlsx_bytes(ROWS)[:200], ODS, "damaged or not what its name says"),
        ("people.ods", ods_bytes(ROWS), CSV, "people.ods is not a CSV file"),
    ],
)
def test_the_admin_import_refuses_hostile_files_as_import_data_does(staff_client, name, data, format_index, message):
    response = preview(staff_client, data, name, format_index)
    assert message in response.content.decode()
    assert "result" not in response.context or response.context["result"] is None
    assert stored_previews() == [] and not Contact.objects.exists()


def test_xml_entities_are_not_expanded_in_the_admin_preview(staff_client):
    response = preview(staff_client, billion_laughs_xlsx(), "p.xlsx", XLSX)
    assert "lollol" not in response.content.decode()


def test_an_ods_file_imports_through_the_admin_with_the_ods_format(staff_client):
    response = preview(staff_client, ods_bytes(ROWS), "people.ods", ODS)
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    confirm(staff_client, response.context["confirm_form"].initial)
    assert set(Contact.objects.values_list("emailaddress1", flat=True)) == {"li@x.com", "ng@x.com"}


def test_an_xlsx_file_imports_through_the_admin(staff_client):
    response = preview(staff_client, xlsx_bytes(ROWS), "people.xlsx", XLSX)
    confirm(staff_client, response.context["confirm_form"].initial)
    assert Contact.objects.count() == 2


def test_a_row_repeating_an_email_of_the_file_fails_in_the_admin_too(staff_client):
    ContactFactory(last_name="Old", emailaddress1="li@x.com")
    rows = [["Last Name", "Email"], ["Li", "li@x.com"], ["Li-Wong", "LI@x.com"]]
    response = preview(staff_client, csv_bytes(rows))
    assert "duplicate of line 1 in this file (same Email)" in response.content.decode()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Contact.objects.get().last_name == "Old"


def test_a_row_repeating_an_account_number_fails_in_the_admin(client):
    user = UserFactory(is_staff=True)
    client.force_login(grant(user, "view_account", "add_account", "change_account", "import_account"))
    rows = [["Account Name", "Account Number"], ["First", "A-1"], ["Second", "a-1"]]
    response = client.post(
        reverse("admin:accounts_account_import"),
        {"resource": 0, "format": CSV, "import_file": upload("a.csv", csv_bytes(rows))},
    )
    assert "duplicate of line 1 in this file (same Account Number)" in response.content.decode()
    assert not Account.objects.exists()
