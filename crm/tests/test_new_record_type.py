"""A record type added as its own app (crm/tests/leads, installed by the test settings with
its URLs) gets every shared screen from the registry: navigation, quick create, Home, its
list and detail pages, Recent, global search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import RecentItem
from crm.tests.bulk_helpers import confirmed
from crm.tests.leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(owner):
    return Lead.objects.create(name="Solar panels for the new depot", emailaddress1="ines@example.org", owner=owner)


def test_the_site_map_and_quick_create_offer_the_new_type(owner_client):
    html = owner_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("leads:list")}"' in html and "<span>Leads</span>" in html
    assert f'href="{reverse("leads:quick_create")}">Lead</a>' in html


def test_home_counts_the_new_type_with_its_own_view_names(owner_client, lead):
    html = owner_client.get(reverse("home")).content.decode()
    assert "My Leads" in html and "Closed Leads" not in html


def test_its_list_shows_its_records_and_highlights_its_site_map_entry(owner_client, lead):
    response = owner_client.get(reverse("leads:list"))
    assert response.status_code == 200
    assert [row.record for row in response.context["table"].page.object_list] == [lead]
    assert response.context["nav_area"] == "leads"


def test_its_detail_page_shows_its_sections_and_lists_it_in_recent(owner_client, owner, lead):
    html = owner_client.get(lead.get_absolute_url()).content.decode()
    assert "ines@example.org" in html and f"Pin {lead.name}" in html
    assert RecentItem.objects.filter(user=owner, object_id=lead.pk).exists()


def test_global_search_finds_it(owner_client, lead):
    response = owner_client.get(reverse("search"), {"q": "solar"})
    found = {result["record_type"].namespace: result["matches"] for result in response.context["results"]}
    assert found["leads"] == [(lead, "ines@example.org")]


def test_quick_create_makes_one(owner_client, owner):
    data = {"name": "Fleet renewal", "command": "save_close", "company": "", "company_label": ""}
    response = owner_client.post(reverse("leads:quick_create"), data)
    assert response.status_code == 302
    assert Lead.objects.get(name="Fleet renewal").owner == owner


def test_bulk_deactivate_works_for_it(owner_client, lead):
    owner_client.post(reverse("leads:bulk"), confirmed("deactivate", [lead]))
    lead.refresh_from_db()
    assert not lead.is_active


@pytest.fixture
def transferrer(owner):
    from imports.tests.conftest import grant

    return grant(owner, "import_lead", "export_lead")


def test_its_list_exports_it_and_the_file_imports_back(client, transferrer, lead):
    from imports import services
    from imports.models import ImportJob
    from imports.tests.files import upload

    client.force_login(transferrer)
    list_page = client.get(reverse("leads:list")).content.decode()
    assert reverse("imports:export", args=["lead", "csv"]) in list_page
    exported = client.get(reverse("imports:export", args=["lead", "csv"]), {"view": "active"})
    content = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0] == "Topic,Email,Company,Owner,(Do Not Modify) Lead ID"
    edited = content.replace("Solar panels for the new depot", "Solar panels and batteries").encode()
    [job] = services.import_jobs_create(upload=upload("leads.csv", edited), entity="", by=transferrer)
    assert job.entity == "lead"
    services.import_job_submit(
        job=job,
        entity=job.entity_info,
        mapping=job.mapping,
        duplicates="update",
        match_key="emailaddress1",
        record_owner=transferrer,
    )
    job.refresh_from_db()
    assert (job.status, job.updated_count, job.failed_count) == (ImportJob.Status.COMPLETED, 1, 0)
    lead.refresh_from_db()
    assert (lead.name, lead.version) == ("Solar panels and batteries", 2)


def test_an_import_links_it_to_a_company_by_the_shared_rules(run_lead_import):
    from crm.tests.factories import AccountFactory

    company = AccountFactory(name="Contoso", account_number="C-1")
    job = run_lead_import([["Topic", "Company"], ["Roof", "contoso"], ["Wall", "Nowhere"]])
    assert Lead.objects.get(name="Roof").company == company
    assert job.failures.get().reason == "Company: no account has the account name or account number “Nowhere”."


@pytest.fixture
def run_lead_import(transferrer):
    from imports import entities, services
    from imports.tests.files import csv_bytes, upload

    def run(rows):
        [job] = services.import_jobs_create(upload=upload("leads.csv", csv_bytes(rows)), entity="lead", by=transferrer)
        services.import_job_submit(
            job=job,
            entity=entities.get("lead"),
            mapping=job.mapping,
            duplicates="update",
            match_key="emailaddress1",
            record_owner=transferrer,
        )
        job.refresh_from_db()
        return job

    return run


def test_every_record_type_has_an_icon_the_sprite_draws():
    from django.conf import settings

    from crm import registry

    sprite = (settings.BASE_DIR / "static" / "crm" / "icons.svg").read_text()
    assert all(f'id="{record_type.icon_name}"' in sprite for record_type in registry.all_types())
