from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from crm.choices import Status
from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("accounts:create")


def form_data(account: Account | None = None, **changes) -> dict:
    data = {"name": "Contoso", "parent": "", "parent_label": "", "primary_contact": "", "primary_contact_label": ""}
    if account is not None:
        data.update(name=account.name, loaded_version=account.version, owner=account.owner_id)
    data.update(changes)
    return data


def test_the_new_account_form_offers_every_field_with_its_guide(owner_client):
    html = owner_client.get(CREATE).content.decode()
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div id="id_name_helptext" class="crm-guide" role="tooltip">The company&#x27;s name' in html
    assert "Save & Close" in html and "Save & New" in html
    for label in ["Account Number", "Industry", "Address 1: City", "Credit Limit", "Do not allow Emails"]:
        assert label in html


@pytest.mark.parametrize("url", [CREATE, reverse("contacts:create")])
def test_drop_downs_say_select_instead_of_dashes(owner_client, url):
    html = owner_client.get(url).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Select...</option>' in html


def test_the_form_offers_no_owner_and_ignores_posted_stamps(owner_client, owner, teammate):
    """Issue 12: the owner changes only through Assign; posted owner, created_by, id and
    version values are not form fields, so they are ignored."""
    assert 'name="owner"' not in owner_client.get(CREATE).content.decode()
    owner_client.post(CREATE, form_data(owner=teammate.pk, created_by=teammate.pk, id=999, version=77))
    account = Account.objects.get()
    assert account.owner == owner and account.created_by == owner and account.pk != 999 and account.version == 1
    owner_client.post(reverse("accounts:update", args=[account.pk]), form_data(account, owner=teammate.pk, version=50))
    account.refresh_from_db()
    assert account.owner == owner and account.version == 2


def test_saving_a_new_account_stamps_it_and_makes_me_the_owner(owner_client, owner):
    response = owner_client.post(CREATE, form_data(telephone1="+1 425 555 0100", command="save"))
    account = Account.objects.get()
    assert response["Location"] == reverse("accounts:update", args=[account.pk])
    assert account.owner == owner and account.created_by == owner and account.modified_by == owner
    assert account.is_active and account.version == 1


def test_save_and_close_opens_the_record_and_save_and_new_a_blank_form(owner_client):
    response = owner_client.post(CREATE, form_data(name="First", command="save_close"))
    assert response["Location"] == Account.objects.get(name="First").get_absolute_url()
    response = owner_client.post(CREATE, form_data(name="Second", command="save_new"))
    assert response["Location"] == CREATE


def test_a_missing_name_is_reported_and_everything_typed_is_kept(owner_client):
    response = owner_client.post(CREATE, form_data(name="", telephone1="+33 1 42 68 53 00", address1_city="Lyon"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert 'value="+33 1 42 68 53 00"' in html and 'value="Lyon"' in html
    assert not Account.objects.exists()


def test_the_parent_account_is_found_by_its_typed_name(owner_client, owner):
    parent = AccountFactory(name="Contoso Group", owner=owner)
    owner_client.post(CREATE, form_data(name="Contoso France", parent_label="contoso group"))
    assert Account.objects.get(name="Contoso France").parent == parent


def test_an_ambiguous_or_unknown_parent_name_is_refused(owner_client, owner):
    AccountFactory.create_batch(2, name="Twin", owner=owner)
    html = owner_client.post(CREATE, form_data(parent_label="Twin")).content.decode()
    assert "Several accounts are called “Twin”" in html
    html = owner_client.post(CREATE, form_data(parent_label="Nobody")).content.decode()
    assert "No active account is called “Nobody”" in html
    assert Account.objects.count() == 2


def test_an_inactive_account_cannot_be_chosen_as_parent(owner_client, owner):
    old = AccountFactory(name="Old", owner=owner, status=Status.INACTIVE)
    response = owner_client.post(CREATE, form_data(parent=old.pk, parent_label="Old"))
    assert "No active account is called “Old”" in response.content.decode()


def test_an_account_keeps_its_inactive_parent_when_edited(owner_client, owner):
    old = AccountFactory(name="Old", owner=owner, status=Status.INACTIVE)
    child = AccountFactory(name="Child", parent=old, owner=owner)
    response = owner_client.post(
        reverse("accounts:update", args=[child.pk]), form_data(child, parent=old.pk, parent_label="Old")
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.parent == old and child.version == 2


def test_an_edit_saves_and_bumps_the_version(owner_client, owner):
    account = AccountFactory(name="Contoso", owner=owner)
    owner_client.post(reverse("accounts:update", args=[account.pk]), form_data(account, name="Contoso Ltd"))
    account.refresh_from_db()
    assert account.name == "Contoso Ltd" and account.version == 2


def test_a_concurrent_edit_is_shown_instead_of_overwritten(owner_client, owner, teammate):
    account = AccountFactory(name="Contoso", telephone1="+1 425 555 0100", owner=owner)
    stale = form_data(account, name="Contoso (mine)", telephone1="+1 425 555 0100")
    # The teammate saves first.
    Account.objects.filter(pk=account.pk).update(name="Contoso (theirs)", version=2, modified_by=teammate)
    response = owner_client.post(reverse("accounts:update", args=[account.pk]), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("saved this record after you opened it") == 1
    assert f"{teammate.get_full_name()} saved this record" in html
    assert "Correct the fields marked below" not in html
    assert "Contoso (theirs)" in html and 'value="Contoso (mine)"' in html
    account.refresh_from_db()
    assert account.name == "Contoso (theirs)"
    # Saving again, knowingly, keeps the user's version.
    stale["loaded_version"] = 2
    owner_client.post(reverse("accounts:update", args=[account.pk]), stale)
    account.refresh_from_db()
    assert account.name == "Contoso (mine)" and account.version == 3


def test_an_inactive_account_is_read_only(owner_client, owner):
    account = AccountFactory(name="Old", owner=owner, status=Status.INACTIVE)
    url = reverse("accounts:update", args=[account.pk])
    response = owner_client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == account.get_absolute_url()
    assert "Old is inactive, so it is read-only. Activate it to edit it." in response.content.decode()
    response = owner_client.post(url, form_data(account, name="Changed"))
    assert "read-only" in response.content.decode() and 'value="Changed"' in response.content.decode()
    account.refresh_from_db()
    assert account.name == "Old"


def test_quick_create_makes_an_account_from_a_short_form(owner_client):
    url = reverse("accounts:quick_create")
    assert "Main Phone" in owner_client.get(url).content.decode()
    response = owner_client.post(url, form_data(name="Quick Co", command="save_close"))
    assert response["Location"] == Account.objects.get(name="Quick Co").get_absolute_url()


def test_the_lookup_suggests_active_accounts_starting_with_the_typed_text_first(owner_client, owner):
    AccountFactory(name="The Contoso Shop", owner=owner)
    AccountFactory(name="Contoso", owner=owner, address1_city="Paris")
    AccountFactory(name="Contoso Old", owner=owner, status=Status.INACTIVE)
    results = owner_client.get(reverse("accounts:lookup"), {"q": "contoso"}).json()["results"]
    assert [r["label"] for r in results] == ["Contoso", "The Contoso Shop"]
    assert results[0]["detail"] == "Paris"


@pytest.mark.parametrize("version", [None, "", "two", "1.5"])
def test_an_edit_without_a_version_is_refused_and_everything_typed_is_kept(owner_client, owner, teammate, version):
    account = AccountFactory(name="Contoso", telephone1="+1 425 555 0100", owner=owner)
    # A teammate's save the form below never saw: without a version it would be overwritten.
    Account.objects.filter(pk=account.pk).update(name="Contoso (theirs)", version=2, modified_by=teammate)
    data = form_data(account, name="Contoso (mine)", address1_city="Lyon")
    if version is None:
        del data["loaded_version"]
    else:
        data["loaded_version"] = version
    response = owner_client.post(reverse("accounts:update", args=[account.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "the form didn&#x27;t say which version of the record you edited" in html
    assert 'value="Contoso (mine)"' in html and 'value="Lyon"' in html
    assert "Contoso (theirs)" in html  # their saved value, listed
    account.refresh_from_db()
    assert account.name == "Contoso (theirs)" and account.version == 2
    # The refreshed form carries the version now shown: saving again, knowingly, keeps mine.
    assert 'name="loaded_version" value="2"' in html
    data["loaded_version"] = 2
    owner_client.post(reverse("accounts:update", args=[account.pk]), data)
    account.refresh_from_db()
    assert account.name == "Contoso (mine)" and account.version == 3
