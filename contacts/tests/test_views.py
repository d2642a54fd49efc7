from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact
from crm.choices import Status
from crm.tests.bulk_helpers import confirmed
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:list")
CREATE = reverse("contacts:create")


def names(response) -> list[str]:
    return [row.record.full_name for row in response.context["table"].paginated_rows]


def form_data(**changes) -> dict:
    data = {"last_name": "Lee", "company": "", "company_label": "", "manager": "", "manager_label": ""}
    data.update(changes)
    return data


def test_my_active_contacts_is_the_default_view(owner_client, owner, teammate):
    ContactFactory(first_name="Ann", last_name="Mine", owner=owner)
    ContactFactory(first_name="Old", last_name="Mine", owner=owner, status=Status.INACTIVE)
    ContactFactory(first_name="Tim", last_name="Theirs", owner=teammate)
    assert names(owner_client.get(LIST)) == ["Ann Mine"]
    assert names(owner_client.get(LIST, {"view": "inactive"})) == ["Old Mine"]
    assert names(owner_client.get(LIST, {"view": "active"})) == ["Ann Mine", "Tim Theirs"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ann lee", ["Ann Lee"]),
        ("bo@fab", ["Bo Chan"]),
        ("0142", ["Cy Roy"]),
        ("+44 7700", ["Di Fox"]),
        ("conto", ["Ann Lee"]),
    ],
)
def test_search_matches_full_name_email_phones_and_company(owner_client, owner, term, expected):
    ContactFactory(first_name="Ann", last_name="Lee", company=AccountFactory(name="Contoso", owner=owner), owner=owner)
    ContactFactory(first_name="Bo", last_name="Chan", emailaddress1="bo@fabrikam.example.com", owner=owner)
    ContactFactory(first_name="Cy", last_name="Roy", telephone1="0142 000 000", owner=owner)
    ContactFactory(first_name="Di", last_name="Fox", mobile_phone="+44 7700 900123", owner=owner)
    assert names(owner_client.get(LIST, {"q": term})) == expected


def test_new_contact_from_an_account_arrives_with_the_company_filled_in(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner)
    html = owner_client.get(CREATE, {"company": account.pk, "next": account.get_absolute_url()}).content.decode()
    assert f'name="company" value="{account.pk}"' in html and 'value="Contoso"' in html
    response = owner_client.post(
        CREATE,
        form_data(
            first_name="Ann",
            company=account.pk,
            company_label="Contoso",
            command="save_close",
            next=account.get_absolute_url(),
        ),
    )
    assert response["Location"] == account.get_absolute_url()
    contact = Contact.objects.get()
    assert contact.company == account and contact.full_name == "Ann Lee" and contact.owner == owner


def test_a_manager_from_another_company_is_refused_in_the_form(owner_client, owner):
    manager = ContactFactory(first_name="Boss", last_name="Elsewhere", company=AccountFactory(owner=owner), owner=owner)
    response = owner_client.post(
        CREATE,
        form_data(first_name="Ann", manager=manager.pk, manager_label="Boss Elsewhere", telephone1="+1 206 555 0100"),
    )
    html = response.content.decode()
    assert "The manager must work at the same company as the contact." in html
    assert 'value="+1 206 555 0100"' in html


def test_an_inactive_company_cannot_be_chosen(owner_client, owner):
    AccountFactory(name="Closed Co", owner=owner, status=Status.INACTIVE)
    html = owner_client.post(CREATE, form_data(company_label="Closed Co")).content.decode()
    assert "No active account is called “Closed Co”" in html


def test_the_contact_page_shows_company_manager_and_direct_reports(owner_client, owner):
    company = AccountFactory(name="Contoso", owner=owner)
    boss = ContactFactory(first_name="Bea", last_name="Boss", company=company, owner=owner)
    ann = ContactFactory(
        first_name="Ann", last_name="Lee", company=company, manager=boss, job_title="Buyer", owner=owner
    )
    ContactFactory(first_name="Rex", last_name="Report", company=company, manager=ann, owner=owner)
    html = owner_client.get(ann.get_absolute_url()).content.decode()
    assert f'<a href="{company.get_absolute_url()}">Contoso</a>' in html
    assert f'<a href="{boss.get_absolute_url()}">Bea Boss</a>' in html
    assert "Rex Report" in html and "Buyer" in html


def test_deleting_a_contact_says_what_happens_to_linked_records(owner_client, owner):
    company = AccountFactory(name="Contoso", owner=owner)
    boss = ContactFactory(company=company, owner=owner)
    ContactFactory(company=company, manager=boss, owner=owner)
    company.primary_contact = boss
    company.save()
    url = reverse("contacts:delete", args=[boss.pk])
    html = owner_client.get(url).content.decode()
    assert "1 direct report will have no manager." in html
    assert "Contoso will have no primary contact." in html
    owner_client.post(url)
    company.refresh_from_db()
    assert company.primary_contact is None and not Contact.objects.filter(pk=boss.pk).exists()


def test_quick_create_makes_a_contact(owner_client):
    response = owner_client.post(reverse("contacts:quick_create"), form_data(first_name="Quick", command="save_close"))
    assert response["Location"] == Contact.objects.get(full_name="Quick Lee").get_absolute_url()


def test_contacts_bulk_deactivate_after_confirmation(owner_client, owner):
    contacts = ContactFactory.create_batch(3, owner=owner)
    bulk = reverse("contacts:bulk")
    owner_client.post(bulk, {"action": "deactivate", "selected": [c.pk for c in contacts]})
    assert Contact.objects.active().count() == 3
    owner_client.post(bulk, confirmed("deactivate", contacts))
    assert Contact.objects.inactive().count() == 3


def test_the_manager_lookup_offers_only_colleagues_once_a_company_is_chosen(owner_client, owner):
    contoso, fabrikam = AccountFactory(owner=owner), AccountFactory(owner=owner)
    ContactFactory(first_name="Ann", last_name="Inside", company=contoso, owner=owner)
    ContactFactory(first_name="Ann", last_name="Outside", company=fabrikam, owner=owner)
    lookup = reverse("contacts:lookup")
    assert len(owner_client.get(lookup, {"q": "ann"}).json()["results"]) == 2
    results = owner_client.get(lookup, {"q": "ann", "company": contoso.pk}).json()["results"]
    assert [r["label"] for r in results] == ["Ann Inside"]
