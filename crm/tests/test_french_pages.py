"""Every main page, for a French browser, reads in French: no English word of the interface."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.tests.english import english_words_in, visible_text
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

FRENCH = {"accept-language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def owner(db):
    # A French name: the English check reads user names too.
    return UserFactory(username="amelie", first_name="Amélie", last_name="Poulain")


@pytest.fixture
def records(owner):
    parent = AccountFactory(name="Société Mère", owner=owner, account_number="M-1", address1_city="Lyon")
    account = AccountFactory(
        name="Émile Cartonnages",
        owner=owner,
        parent=parent,
        address1_city="Lille",
        industry="consulting",
        telephone1="+33 3 20 00 00 00",
        emailaddress1="bonjour@emile.example",
        credit_limit="1234.56",
    )
    AccountFactory(name="Filiale Nord", owner=owner, parent=account, address1_city="Lille")
    manager = ContactFactory(first_name="Chloé", last_name="Dupont", owner=owner, company=account)
    contact = ContactFactory(first_name="Jérôme", last_name="Martin", owner=owner, company=account, manager=manager)
    account.primary_contact = contact
    account.save()
    return {"account": account, "contact": contact}


def page_urls(records) -> list[str]:
    account, contact = records["account"], records["contact"]
    return [
        reverse("home"),
        reverse("accounts:list"),
        reverse("accounts:list") + "?view=active&letter=E",
        account.get_absolute_url(),
        reverse("accounts:create"),
        reverse("accounts:update", args=[account.pk]),
        reverse("accounts:quick_create"),
        reverse("accounts:delete", args=[account.pk]),
        reverse("contacts:list"),
        contact.get_absolute_url(),
        reverse("contacts:create"),
        reverse("contacts:update", args=[contact.pk]),
        reverse("contacts:delete", args=[contact.pk]),
        reverse("search") + "?q=emile",
        reverse("search"),
        reverse("imports:history"),
        reverse("imports:upload"),
        reverse("activities:list"),
        reverse("activities:list") + "?view=completed",
        reverse("activities:quick_create") + "?kind=task",
        *(f"{account.get_absolute_url()}?add={kind}" for kind in ("note", "task", "phone_call", "email")),
        f"{contact.get_absolute_url()}?add=appointment",
    ]


def test_every_main_page_reads_in_french(client, owner, records):
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["import_account", "export_account"]))
    client.force_login(owner)
    english = {}
    for url in page_urls(records):
        response = client.get(url, headers=FRENCH)
        assert response.status_code == 200, url
        found = english_words_in(visible_text(response.text))
        if found:
            english[url] = found
    assert english == {}, "\n".join(f"{url}: {found}" for url, found in english.items())


def test_the_sign_in_page_reads_in_french(client):
    response = client.get(reverse("login"), headers=FRENCH)
    assert english_words_in(visible_text(response.text)) == []


def test_the_english_check_sees_english(owner_client, records):
    response = owner_client.get(reverse("accounts:list"), headers={"accept-language": "en"})
    assert english_words_in(visible_text(response.text))


def french_english_words(response) -> list[str]:
    assert response.status_code in (200, 404), response.status_code
    return english_words_in(visible_text(response.text))


def test_answers_to_what_a_user_sends_read_in_french(owner_client, records):
    account = records["account"]
    bulk = {"action": "deactivate", "selected": [account.pk]}
    assert french_english_words(owner_client.post(reverse("accounts:bulk"), bulk, headers=FRENCH)) == []
    invalid = owner_client.post(reverse("accounts:create"), {"name": "", "credit_limit": "abc"}, headers=FRENCH)
    assert "Ce champ est obligatoire." in invalid.text
    assert french_english_words(invalid) == []
    saved = owner_client.post(reverse("contacts:create"), {"last_name": "Zoé"}, headers=FRENCH, follow=True)
    assert "a été créé" in saved.text
    assert french_english_words(saved) == []
    assert french_english_words(owner_client.get("/no-such-page/", headers=FRENCH)) == []


def test_an_import_reads_in_french(client, owner, records, settings, tmp_path):
    from imports import entities, services
    from imports.tests.files import upload

    settings.MEDIA_ROOT = tmp_path
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["import_contact", "import_account"]))
    client.force_login(owner)
    data = "Nom de famille;Prénom;Courrier électronique\nDurand;Zoé;zoe@example.com\n;Sans;nom@example.com\n"
    [job] = services.import_jobs_create(upload=upload("contacts.csv", data.encode()), entity="contact", by=owner)
    assert french_english_words(client.get(reverse("imports:map", args=[job.pk]), headers=FRENCH)) == []
    info = entities.get(job.entity)
    services.import_job_submit(
        job=job, entity=info, mapping=job.mapping, duplicates="update", match_key=info.match_keys[0], record_owner=owner
    )
    assert french_english_words(client.get(reverse("imports:detail", args=[job.pk]), headers=FRENCH)) == []


def test_the_admin_reads_in_french(client, records):
    admin_user = UserFactory(username="admin-fr", first_name="Léa", last_name="Roux", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    pages = ["admin:index", "admin:accounts_account_changelist", "admin:accounts_account_add"]
    pages += [
        "admin:accounts_account_import",
        "admin:contacts_contact_changelist",
        "admin:crm_userpreferences_changelist",
    ]
    english = {name: french_english_words(client.get(reverse(name), headers=FRENCH)) for name in pages}
    assert {name: found for name, found in english.items() if found} == {}


def test_detect_duplicates_and_a_merge_job_read_in_french(owner_client, owner, records, settings):
    from duplicates.defaults import ensure_default_rules
    from duplicates.models import DetectionJob, MergeJob

    ensure_default_rules()
    AccountFactory(name="ÉMILE CARTONNAGES SA", owner=owner)
    detect = reverse("duplicates:detect", args=["accounts.account"]) + "?view=active"
    assert french_english_words(owner_client.get(detect, headers=FRENCH)) == []
    owner_client.post(detect, {"scope": "view"}, headers=FRENCH)
    job = DetectionJob.objects.get()
    assert job.group_count == 1
    page = owner_client.get(job.get_absolute_url(), headers=FRENCH)
    assert "1 groupe de doublons possibles trouvé." in page.text
    assert french_english_words(page) == []
    settings.MERGE_IN_REQUEST_MAX_ROWS = 0
    other, master = records["account"].parent, AccountFactory(name="Société Mère SARL", owner=owner)
    owner_client.post(
        reverse("duplicates:merge", args=["accounts.account"]),
        {
            "selected": [master.pk, other.pk],
            f"version_{master.pk}": master.version,
            f"version_{other.pk}": other.version,
            "confirmed": "yes",
        },
        headers=FRENCH,
    )
    merge_page = owner_client.get(MergeJob.objects.get().get_absolute_url(), headers=FRENCH)
    assert "Fusion terminée" in merge_page.text
    assert french_english_words(merge_page) == []
