"""Activities import like accounts and contacts (Import Data): the record each row is about is
found by its ID, name or email; a record the importer can't see or may not add activities to,
an unknown or ambiguous one, and bad kinds, states and dates fail the row with the reason;
a file exported from My Activities imports back; created activities are audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from access.models import RolePrivilege, SecurityRole
from access.roles import SALESPERSON
from activities.models import Activity, Kind, State
from audit.models import AuditEntry, Event, Source
from crm.tests.factories import AccountFactory
from imports import entities, services
from imports.models import ImportJob
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["Activity type", "Subject", "Due", "Regarding account", "Regarding contact", "Owner"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importing(org):
    """Salespeople may import contacts here (the ready-made role doesn't grant it)."""
    role = SecurityRole.objects.get(name=SALESPERSON)
    RolePrivilege.objects.create(role=role, record_type="contacts.contact", privilege="import", depth=1)

    def run(persona: str, rows: list[list], *, duplicates: str = "create", owner=None) -> ImportJob:
        user = grant(org.users[persona], "import_contact")
        [job] = services.import_jobs_create(upload=upload("a.csv", csv_bytes(rows)), entity="", by=user)
        assert job.entity == "activity"
        services.import_job_submit(
            job=job,
            entity=entities.get("activity"),
            mapping=job.mapping,
            duplicates=duplicates,
            match_key="",
            record_owner=owner or user,
        )
        return ImportJob.objects.get(pk=job.pk)

    return run


def reasons(job: ImportJob) -> dict[int, str]:
    return {failure.line: failure.reason for failure in job.failures.all()}


def test_the_regarding_record_is_found_by_id_name_or_email(org, importing):
    org.contact.emailaddress1 = "cora@mine.example"
    org.contact.save()
    rows = [
        HEADER,
        ["Task", "By name", "2026-12-01 10:00", "Mine Ltd", "", ""],
        ["Phone call", "By contact email", "", "", "CORA@mine.example", ""],
        ["Note", "By contact ID", "", "", f"contact:{org.contact.pk}", ""],
        ["Appointment", "By account ID", "2026-12-02 09:00", f"account:{org.mine.pk}", "", "teammate"],
        ["task", "By full name", "", "", "Cora Mine", ""],
    ]
    job = importing("owner", rows)
    assert (job.status, job.created_count, job.failed_count) == ("completed", 5, 0), reasons(job)
    made = {activity.subject: activity for activity in Activity.objects.all()}
    assert made["By name"].regarding_account == org.mine and made["By name"].state == State.OPEN
    assert made["By name"].owner == org.users["owner"] and made["By name"].created_by == org.users["owner"]
    assert made["By contact email"].regarding_contact == org.contact
    assert made["By contact email"].rollup_account == org.mine  # on the account's timeline too
    assert made["By contact ID"].kind == Kind.NOTE and made["By contact ID"].state == State.COMPLETED
    assert made["By contact ID"].closed_on is not None
    assert made["By account ID"].owner == org.users["teammate"]
    # Each created activity is in the audit, with the job that created it.
    entries = AuditEntry.objects.filter(record_type="activities.activity", event=Event.CREATE)
    assert entries.count() == 5 and {entry.source for entry in entries} == {Source.IMPORT}
    assert {entry.job_id for entry in entries} == {job.pk}
    assert "By name" in {entry.record_name for entry in entries}


def test_bad_rows_fail_with_the_reason_and_the_good_ones_go_in(org, importing):
    AccountFactory(name="Twin Ltd", owner=org.users["owner"])
    AccountFactory(name="Twin Ltd", owner=org.users["owner"])
    rows = [
        HEADER + ["End", "Status"],
        ["Task", "Good", "", "Mine Ltd", "", "", "", ""],
        ["Task", "Unknown", "", "Nobody Ltd", "", "", "", ""],
        ["Task", "Ambiguous", "", "Twin Ltd", "", "", "", ""],
        ["Task", "Both", "", "Mine Ltd", "Cora Mine", "", "", ""],
        ["Task", "Neither", "", "", "", "", "", ""],
        ["Lunch", "Bad kind", "", "Mine Ltd", "", "", "", ""],
        ["Task", "Bad state", "", "Mine Ltd", "", "", "", "Maybe"],
        ["Task", "Bad date", "tomorrow", "Mine Ltd", "", "", "", ""],
        ["Appointment", "Ends first", "2026-12-01 10:00", "Mine Ltd", "", "", "2026-12-01 09:00", ""],
        ["Task", "", "", "Mine Ltd", "", "", "", ""],
        ["Task", "Unknown owner", "", "Mine Ltd", "", "nobody", "", ""],
        ["Task", "=cmd()", "", "", f"contact:{org.contact.pk + 1000}", "", "", ""],
        ["Task", "Owner can't see", "", "Mine Ltd", "", "other_bu", "", ""],
    ]
    job = importing("owner", rows)
    assert (job.created_count, job.failed_count) == (1, 12), reasons(job)
    found = reasons(job)
    assert "no account has the" in found[3] and "Nobody Ltd" in found[3]
    assert "matches 2 accounts" in found[4]
    assert "one of them" in found[5] and "one of them" in found[6]
    assert "Lunch" in found[7] and "Status" in found[8] and "tomorrow" in found[9]
    assert "The end must be after the start." in found[10]
    assert "Subject" in found[11] and "required" in found[11]
    assert "nobody" in found[12]
    assert "no contact has the" in found[13]
    assert "can't see Mine Ltd" in found[14]
    assert list(Activity.objects.values_list("subject", flat=True)) == ["Good"]


def test_a_record_the_importer_cant_see_is_refused_without_naming_it(org, importing):
    """other_bu (South) can't read Mine Ltd or its contact: as if they didn't exist."""
    rows = [
        HEADER,
        ["Task", "Sneak", "", "Mine Ltd", "", ""],
        ["Task", "Sneak 2", "", "", f"contact:{org.contact.pk}", ""],
    ]
    job = importing("other_bu", rows)
    assert (job.created_count, job.failed_count) == (0, 2)
    found = reasons(job)
    assert "no account has the" in found[2] and "no contact has the" in found[3]
    assert not Activity.objects.exists()


def test_a_record_one_may_read_but_not_add_activities_to_is_refused_with_the_reason(org, importing):
    """Mine Ltd is shared with shared_with (South) to read and write, not to append to."""
    job = importing("shared_with", [HEADER, ["Task", "Follow up", "", "Mine Ltd", "", ""]])
    assert (job.created_count, job.failed_count) == (0, 1)
    assert "you may not add activities to Mine Ltd" in job.failures.get().reason
    assert not Activity.objects.exists()


def test_importing_activities_needs_the_right_to_import_accounts_or_contacts(org, client):
    client.force_login(org.users["owner"])
    assert client.get(reverse("imports:upload")).status_code == 403
    role = SecurityRole.objects.get(name=SALESPERSON)
    RolePrivilege.objects.create(role=role, record_type="contacts.contact", privilege="import", depth=1)
    client.force_login(grant(org.users["owner"], "import_contact"))
    page = client.get(reverse("imports:upload")).content.decode()
    assert 'value="activity"' in page and 'value="contact"' in page and 'value="account"' not in page


def exported(client, **params) -> bytes:
    response = client.get(reverse("activities:export", args=["csv"]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_file_exported_from_my_activities_imports_back(org, importing, client):
    importing("owner", [HEADER, ["Task", "Send the quote", "2026-12-01 10:00", "", "Cora Mine", ""]])
    AccountFactory(name="Cora Mine")  # a name both an account and a contact have: the ID decides
    client.force_login(grant(org.users["owner"], "export_contact", "export_account"))
    content = exported(client)
    # As it is: every row matches its activity, nothing changes.
    [job] = services.import_jobs_create(upload=upload("mine.csv", content), entity="", by=org.users["owner"])
    services.import_job_submit(
        job=job,
        entity=entities.get("activity"),
        mapping=job.mapping,
        duplicates="update",
        match_key="",
        record_owner=org.users["owner"],
    )
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (0, 0, 1, 0)
    # Edited: the activity changes, and the change is audited.
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows[1][1] = "Send the new quote"
    job = importing("owner", rows, duplicates="update")
    assert (job.updated_count, job.failed_count) == (1, 0), reasons(job)
    activity = Activity.objects.get()
    assert activity.subject == "Send the new quote" and activity.regarding_contact == org.contact
    change = AuditEntry.objects.get(record_type="activities.activity", event=Event.UPDATE)
    assert change.changes["subject"] == ["Send the quote", "Send the new quote"]
    # Created again elsewhere (IDs ignored): copies on the same records.
    job = importing("owner", rows, duplicates="create")
    assert job.created_count == 1 and Activity.objects.filter(regarding_contact=org.contact).count() == 2


def test_an_activity_only_its_owner_or_an_editor_may_change_is_refused(org, importing, client):
    importing("owner", [HEADER, ["Task", "Mine", "", "Mine Ltd", "", ""]])
    client.force_login(grant(org.users["owner"], "export_account"))
    rows = list(csv.reader(io.StringIO(exported(client).decode("utf-8-sig"))))
    rows[1][1] = "Hijacked"
    job = importing("colleague", rows, duplicates="update")
    assert (job.updated_count, job.failed_count) == (0, 1)
    assert "Only the activity's owner" in job.failures.get().reason
    assert Activity.objects.get().subject == "Mine"


def test_removing_the_import_removes_its_activities(org, importing):
    job = importing(
        "owner", [HEADER, ["Task", "One", "", "Mine Ltd", "", ""], ["Note", "Two", "", "", "Cora Mine", ""]]
    )
    services.import_job_delete(job=job, with_records=True)
    job.refresh_from_db()
    assert job.status == "removed" and job.removal_total == 2
    assert not Activity.objects.exists()
    assert AuditEntry.objects.filter(record_type="activities.activity", event=Event.DELETE).count() == 2


@pytest.fixture
def admin_client(org, client):
    admin = org.users["admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(grant(admin, "view_activity", "import_contact", "import_account"))
    return client


def admin_import(client, rows):
    return client.post(
        reverse("admin:activities_activity_import"),
        {"resource": 0, "format": 0, "import_file": upload("activities.csv", csv_bytes(rows))},
    )


def test_the_admin_imports_activities_with_the_same_rules(org, admin_client):
    org.contact.emailaddress1 = "cora@mine.example"
    org.contact.save()
    preview = admin_import(admin_client, [HEADER, ["Task", "Call back", "", "", "cora@mine.example", ""]])
    assert not preview.context["result"].has_errors(), preview.context["result"].invalid_rows
    response = admin_client.post(
        reverse("admin:activities_activity_process_import"), preview.context["confirm_form"].initial
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.regarding_contact, activity.rollup_account, activity.owner) == (
        org.contact,
        org.mine,
        org.users["admin"],
    )
    assert AuditEntry.objects.get(record_type="activities.activity", event=Event.CREATE).source == Source.ADMIN


def test_the_admin_import_refuses_bad_rows_with_the_reason(org, admin_client):
    rows = [HEADER, ["Task", "Lost", "", "Nobody Ltd", "", ""], ["Task", "", "", "Mine Ltd", "", ""]]
    preview = admin_import(admin_client, rows)
    assert preview.context["result"].has_validation_errors()
    page = preview.content.decode()
    assert "no account has the" in page and "Nobody Ltd" in page and "Subject" in page
    assert not Activity.objects.exists()


def test_only_administrators_import_activities_in_the_admin(org, client):
    org.users["owner"].is_staff = True
    org.users["owner"].save()
    client.force_login(grant(org.users["owner"], "view_activity", "import_contact"))
    assert client.get(reverse("admin:activities_activity_import")).status_code == 403


def test_the_mapping_page_submits_an_activities_import(org, client):
    role = SecurityRole.objects.get(name=SALESPERSON)
    RolePrivilege.objects.create(role=role, record_type="contacts.contact", privilege="import", depth=1)
    client.force_login(grant(org.users["owner"], "import_contact"))
    rows = [["Activity type", "Subject", "Regarding contact"], ["Task", "Call Cora", "Cora Mine"]]
    response = client.post(reverse("imports:upload"), {"file": upload("a.csv", csv_bytes(rows)), "entity": ""})
    job = ImportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert "Match existing records on" not in page and "Create the companies" not in page
    form = {"entity": "activity", "duplicates": "update", "record_owner": org.users["owner"].pk, "submit": "1"}
    form.update({f"col_{index}": name for index, name in enumerate(job.mapping)})
    client.post(response.url, form)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("completed", 1), job.error
    assert Activity.objects.get().regarding_contact == org.contact


def test_hostile_cells_fail_their_row_or_stay_plain_text(org, importing):
    rows = [
        HEADER + ["Duration (minutes)"],
        ["Task", "x" * 201, "", "Mine Ltd", "", "", ""],
        ["Phone call", "Minus", "", "Mine Ltd", "", "", "-5"],
        ["Task", "Due", "2026-02-30 10:00", "Mine Ltd", "", "", ""],
        ["Task", "@SUM(A1)", "", "Mine Ltd", "", "", ""],
        ["Task", "Injected", "", "Mine Ltd' OR 1=1 --", "", "", ""],
    ]
    job = importing("owner", rows)
    assert (job.created_count, job.failed_count) == (1, 4), reasons(job)
    found = reasons(job)
    assert found[2] == "Subject: Ensure this value has at most 200 characters (it has 201)."
    assert "Duration" in found[3] and "Due" in found[4]
    assert "no account has the" in found[6]
    assert Activity.objects.get().subject == "@SUM(A1)"  # kept as typed; exports neutralise it


def test_a_number_too_large_for_the_database_fails_its_row(org, importing):
    rows = [
        ["Activity type", "Subject", "Regarding account", "Duration (minutes)"],
        ["Phone call", "Huge", "Mine Ltd", "9" * 25],
        ["Phone call", "Fine", "Mine Ltd", "15"],
    ]
    job = importing("owner", rows)
    assert (job.status, job.created_count, job.failed_count) == ("completed", 1, 1), reasons(job)
    assert "Duration" in reasons(job)[2]
