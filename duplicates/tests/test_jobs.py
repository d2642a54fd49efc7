"""Detect duplicates and large merges as background jobs (the tests' task backend runs them
inline): pages, access, results."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory
from duplicates import jobs
from duplicates.jobs import duplicate_jobs_fail_stalled
from duplicates.models import DetectionJob, JobStatus, MergeJob, MergeOperation
from duplicates.tests.helpers import merge

pytestmark = pytest.mark.django_db


def detect(client, record_type="accounts.account", query="view=active", scope="view"):
    url = reverse("duplicates:detect", args=[record_type])
    return client.post(f"{url}?{query}", {"scope": scope})


def test_the_list_offers_detect_duplicates_with_its_view(owner_client):
    page = owner_client.get(reverse("accounts:list") + "?view=active&q=contoso").content.decode()
    detect_url = reverse("duplicates:detect", args=["accounts.account"]) + "?view=active&amp;q=contoso"
    assert f'form="bulk-form" formaction="{detect_url}"' in page  # with the rows ticked, if any


def test_the_offer_names_the_view_and_the_rules(owner_client):
    page = owner_client.get(reverse("duplicates:detect", args=["accounts.account"]) + "?view=active&q=contoso")
    body = page.content.decode()
    assert "Active Accounts, search “contoso”" in body
    assert "Accounts with the same account name" in body


def test_the_offer_says_how_similar_names_are_compared_where_only_neighbours_are(owner_client):
    from django.db import connection

    from duplicates.models import Operator
    from duplicates.tests.helpers import only_rule

    url = reverse("duplicates:detect", args=["accounts.account"])
    assert "names next to each" not in owner_client.get(url).content.decode()  # the shipped exact rule
    only_rule("accounts.account", ("name", Operator.SIMILAR, None))
    shown = "names next to each in alphabetical order" in owner_client.get(url).content.decode()
    assert shown == (connection.vendor == "postgresql")  # SQLite compares every pair


def test_rows_ticked_on_a_list_are_offered_then_detected_alone(org):
    owner = org.users["owner"]
    a, b, c = (AccountFactory(name=name, owner=owner) for name in ("Far Ltd", "far", "Far Inc"))
    client = org.client("owner")
    url = reverse("duplicates:detect", args=["accounts.account"]) + "?view=active"
    ticked = [a.pk, b.pk, org.far.pk]  # org.far: named like them, in a unit the owner can't read

    offer = client.post(url, {"selected": ticked}).content.decode()  # the list's bulk form
    assert "The rows I selected: 3 selected accounts" in offer and 'value="selected" checked' in offer
    assert not DetectionJob.objects.exists()

    client.post(url, {"scope": "selected", "selected": ticked})

    job = DetectionJob.objects.get()
    assert job.scope_label == "3 selected accounts"
    assert job.groups.get().record_ids == sorted([a.pk, b.pk])  # not c (not ticked), not org.far


def test_the_selected_rows_chosen_with_nothing_ticked_detect_over_the_view_not_everything(org):
    owner = org.users["owner"]
    AccountFactory(name="Contoso Ltd", owner=owner)
    AccountFactory(name="Contoso Ltd", owner=owner, status="inactive")
    client = org.client("owner")
    url = reverse("duplicates:detect", args=["accounts.account"]) + "?view=active"

    client.post(url, {"scope": "selected"})  # e.g. a stale page whose ticks were lost

    job = DetectionJob.objects.get()
    assert job.scope_label == jobs.scope_label(model=Account, params="view=active")
    assert job.scope_label != jobs.scope_label(model=Account, params="")
    assert not job.groups.exists()  # the inactive twin is outside the Active view


def test_detecting_over_a_view_lists_its_groups_to_merge(owner_client, owner):
    a = AccountFactory(name="Contoso Ltd.", owner=owner)
    b = AccountFactory(name="contoso", owner=owner)
    AccountFactory(name="Fabrikam", owner=owner)
    AccountFactory(name="Fabrikam Inc", owner=owner)
    response = detect(owner_client, query="view=active&q=contoso")
    job = DetectionJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.group_count, job.percent) == (JobStatus.COMPLETED, 1, 100)
    assert job.groups.get().record_ids == sorted([a.pk, b.pk])
    page = owner_client.get(job.get_absolute_url()).content.decode()
    assert "1 group of possible duplicates found." in page
    assert a.get_absolute_url() in page and b.get_absolute_url() in page and "Fabrikam" not in page
    status = owner_client.get(reverse("duplicates:detection_status", args=[job.pk])).json()
    assert status["finished"] and status["percent"] == 100


def test_the_whole_record_type_is_checked_when_asked(owner_client, owner):
    AccountFactory(name="Contoso", owner=owner)
    AccountFactory(name="Contoso AB", owner=owner)
    AccountFactory(name="Fabrikam", owner=owner)
    AccountFactory(name="Fabrikam Inc", owner=owner)
    detect(owner_client, query="view=active&q=contoso", scope="all")
    assert DetectionJob.objects.get().group_count == 2


def test_a_detection_is_its_askers_alone(owner_client, client, teammate):
    detect(owner_client)
    job = DetectionJob.objects.get()
    client.force_login(teammate)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("duplicates:detection_status", args=[job.pk])).status_code == 404


def test_groups_show_only_records_the_user_may_read_now(org):
    mine_again = AccountFactory(name="Mine Limited", owner=org.users["owner"])
    client = org.client("owner")
    detect(client)
    job = DetectionJob.objects.get()
    assert job.groups.get().record_ids == sorted([org.mine.pk, mine_again.pk])
    # Someone else's record in a group stays hidden, only counted.
    Account.objects.filter(pk=mine_again.pk).update(owner=org.users["other_bu"], business_unit=org.south)
    cache.clear()  # the access cache: the owner changed behind the services' back
    page = client.get(job.get_absolute_url()).content.decode()
    assert mine_again.get_absolute_url() not in page
    assert "1 more record you can't see." in page
    assert "Nothing left to merge in this group." in page


def test_a_group_merged_since_says_so(owner_client, owner):
    a = ContactFactory(first_name="Ann", last_name="Lee", owner=owner)
    b = ContactFactory(first_name="Ann", last_name="Lee", owner=owner)
    detect(owner_client, record_type="contacts.contact")
    job = DetectionJob.objects.get()
    merge_page = owner_client.get(reverse("duplicates:merge", args=["contacts.contact"]), {"selected": [a.pk, b.pk]})
    assert merge_page.status_code == 200
    owner_client.post(
        reverse("duplicates:merge", args=["contacts.contact"]),
        {"selected": [a.pk, b.pk], f"version_{a.pk}": a.version, f"version_{b.pk}": b.version, "confirmed": "yes"},
    )
    page = owner_client.get(job.get_absolute_url()).content.decode()
    assert "Merged" in page and "Nothing left to merge in this group." in page


@override_settings(MERGE_IN_REQUEST_MAX_ROWS=2)
def test_a_merge_with_more_linked_rows_than_the_limit_runs_on_the_worker(owner_client, owner):
    master = AccountFactory(name="Contoso", owner=owner)
    other = AccountFactory(name="Contoso Ltd", owner=owner)
    people = ContactFactory.create_batch(3, company=other, owner=owner)
    response = owner_client.post(
        reverse("duplicates:merge", args=["accounts.account"]),
        {
            "selected": [master.pk, other.pk],
            f"version_{master.pk}": master.version,
            f"version_{other.pk}": other.version,
            "confirmed": "yes",
        },
    )
    job = MergeJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.total_rows, job.operation) == (JobStatus.COMPLETED, 3, MergeOperation.objects.get())
    assert set(Contact.objects.filter(company=master)) == set(people)
    page = owner_client.get(job.get_absolute_url()).content.decode()
    assert "Merge done" in page and master.get_absolute_url() in page


@override_settings(MERGE_IN_REQUEST_MAX_ROWS=0)
def test_a_merge_job_refused_on_the_worker_says_why_and_changes_nothing(owner_client, owner):
    master = AccountFactory(name="Contoso", owner=owner)
    other = AccountFactory(name="Contoso Ltd", owner=owner)
    ContactFactory(company=other, owner=owner)
    owner_client.post(
        reverse("duplicates:merge", args=["accounts.account"]),
        {
            "selected": [master.pk, other.pk],
            f"version_{master.pk}": master.version,
            f"version_{other.pk}": other.version - 1,  # changed since the user looked
            "confirmed": "yes",
        },
    )
    job = MergeJob.objects.get()
    assert job.status == JobStatus.FAILED and "changed after you opened the merge" in job.error
    assert not MergeOperation.objects.exists()


@override_settings(MERGE_IN_REQUEST_MAX_ROWS=2)
def test_undoing_a_merge_that_moved_more_rows_than_the_limit_runs_on_the_worker(owner_client, owner):
    master = AccountFactory(name="Contoso", owner=owner)
    other = AccountFactory(name="Contoso Ltd", owner=owner)
    people = ContactFactory.create_batch(3, company=other, owner=owner)
    operation = merge(master, other, owner)
    response = owner_client.post(reverse("duplicates:undo", args=[operation.pk]))
    job = MergeJob.objects.get(undo=True)
    assert response.url == job.get_absolute_url()
    assert (job.status, job.total_rows, job.operation) == (JobStatus.COMPLETED, 3, operation)
    operation.refresh_from_db()
    assert operation.undone_on is not None
    assert set(Contact.objects.filter(company=other)) == set(people)
    assert Account.objects.get(pk=other.pk).is_active
    page = owner_client.get(job.get_absolute_url()).content.decode()
    assert "Merge undone" in page and "3 linked records move back in one go" in page
    assert other.get_absolute_url() in page


@override_settings(MERGE_IN_REQUEST_MAX_ROWS=2)
def test_an_undo_job_refused_on_the_worker_says_why_and_changes_nothing(owner_client, owner):
    master = AccountFactory(name="Contoso", owner=owner)
    other = AccountFactory(name="Contoso Ltd", owner=owner)
    ContactFactory.create_batch(3, company=other, owner=owner)
    operation = merge(master, other, owner)
    Account.objects.filter(pk=master.pk).update(version=F("version") + 1)  # edited after the merge
    owner_client.post(reverse("duplicates:undo", args=[operation.pk]))
    job = MergeJob.objects.get(undo=True)
    assert job.status == JobStatus.FAILED and "was changed after the merge" in job.error
    operation.refresh_from_db()
    assert operation.undone_on is None
    assert Contact.objects.filter(company=master).count() == 3
    assert "Undo merge refused" in owner_client.get(job.get_absolute_url()).content.decode()


def test_stalled_merge_and_undo_jobs_are_failed_each_with_its_own_words(owner):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    fields = {"created_by": owner, "record_type": "accounts.account", "master_id": 1, "other_id": 2}
    merging = MergeJob.objects.create(**fields)
    undoing = MergeJob.objects.create(undo=True, **fields)
    MergeJob.objects.update(created_on=long_ago)
    assert duplicate_jobs_fail_stalled(since=timezone.now() - datetime.timedelta(minutes=30)) == 2
    merging.refresh_from_db()
    undoing.refresh_from_db()
    assert merging.status == undoing.status == JobStatus.FAILED
    assert merging.error.endswith("Merge again.")
    assert undoing.error.endswith("Undo the merge again.")


def test_a_small_undo_stays_in_the_request(owner_client, owner):
    master = AccountFactory(name="Contoso", owner=owner)
    other = AccountFactory(name="Contoso Ltd", owner=owner)
    ContactFactory(company=other, owner=owner)
    operation = merge(master, other, owner)
    response = owner_client.post(reverse("duplicates:undo", args=[operation.pk]))
    assert response.url == master.get_absolute_url()
    assert not MergeJob.objects.exists()
    operation.refresh_from_db()
    assert operation.undone_on is not None


def test_a_list_opened_without_parameters_is_detected_as_its_default_view(owner_client, owner, teammate):
    AccountFactory(name="Contoso", owner=owner)
    AccountFactory(name="Contoso AB", owner=teammate)  # not in My Active Accounts
    url = reverse("duplicates:detect", args=["accounts.account"])
    assert "The list I came from: My Active Accounts" in owner_client.get(url).content.decode()
    owner_client.post(url, {"scope": "view"})
    job = DetectionJob.objects.get()
    assert (job.scope_label, job.group_count) == ("My Active Accounts", 0)


def test_a_detection_whose_worker_died_is_marked_failed_by_the_cleanup(owner):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    job = DetectionJob.objects.create(created_by=owner, record_type="accounts.account", status=JobStatus.RUNNING)
    DetectionJob.objects.filter(pk=job.pk).update(progressed_on=timezone.now() - timedelta(hours=2))
    fresh = DetectionJob.objects.create(created_by=owner, record_type="accounts.account", status=JobStatus.RUNNING)
    DetectionJob.objects.filter(pk=fresh.pk).update(progressed_on=timezone.now())
    call_command("cleanup_imports", stdout=StringIO())
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Start it again" in job.error
    assert fresh.status == JobStatus.RUNNING
