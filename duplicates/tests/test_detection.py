from __future__ import annotations

import pytest
from django.urls import reverse

from access.roles import SALESPERSON
from access.tests.factories import BusinessUnitFactory, place_user
from accounts.models import Account
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from duplicates import detection
from duplicates.models import DuplicateRule, Operator, RuleCondition

pytestmark = pytest.mark.django_db


def test_default_rules_are_shipped():
    names = set(DuplicateRule.objects.enabled().values_list("record_type", flat=True))
    assert names == {"accounts.account", "contacts.contact"}
    assert DuplicateRule.objects.count() == 3


def test_an_account_with_the_same_name_written_differently_is_found(owner):
    existing = AccountFactory(name="Contoso Ltd.")
    found = detection.find(Account(name="contoso, LIMITED"), owner)
    assert found.shown == [existing]


def test_contacts_match_on_first_and_last_name_together(owner):
    existing = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="a@x.com")
    assert detection.find(Contact(first_name="ann", last_name="LEE"), owner).shown == [existing]
    assert not detection.find(Contact(first_name="Bob", last_name="Lee"), owner)


def test_contacts_match_on_email_trimmed_and_in_any_case(owner):
    existing = ContactFactory(emailaddress1="ann@contoso.com")
    assert detection.find(Contact(last_name="Other", emailaddress1=" ANN@Contoso.com "), owner).shown == [existing]


def test_a_blank_value_never_matches(owner):
    ContactFactory(first_name="", last_name="Lee", emailaddress1="")
    assert not detection.find(Contact(first_name="", last_name="Lee", emailaddress1=""), owner)


def test_a_disabled_rule_finds_nothing(owner):
    AccountFactory(name="Contoso")
    DuplicateRule.objects.filter(record_type="accounts.account").update(enabled=False)
    assert not detection.find(Account(name="Contoso"), owner)


def test_inactive_records_and_the_record_itself_are_not_duplicates(owner):
    account = AccountFactory(name="Contoso")
    AccountFactory(name="Contoso", status="inactive")
    assert not detection.find(account, owner)


@pytest.mark.parametrize(
    ("operator", "length", "typed", "matches"),
    [
        (Operator.FIRST, 4, "Contact Corp", True),
        (Operator.FIRST, 5, "Contact Corp", False),
        (Operator.LAST, 3, "Cosmoso", True),
        (Operator.SIMILAR, None, "Contosso", True),
        (Operator.SIMILAR, None, "Fabrikam", False),
    ],
)
def test_rule_operators(owner, operator, length, typed, matches):
    DuplicateRule.objects.all().delete()
    rule = DuplicateRule.objects.create(name="r", record_type="accounts.account")
    RuleCondition.objects.create(rule=rule, field="name", operator=operator, length=length)
    AccountFactory(name="Contoso")
    assert bool(detection.find(Account(name=typed), owner)) is matches


def test_matches_the_user_may_not_see_are_only_mentioned():
    alice = UserFactory(username="alice", role="")
    place_user(alice, unit=BusinessUnitFactory(name="South"), roles=[SALESPERSON])
    AccountFactory(name="Contoso")  # owned by someone alice's role doesn't reach
    found = detection.find(Account(name="Contoso"), alice)
    assert found.shown == []
    assert found.others_exist


def test_an_edit_that_leaves_the_compared_fields_alone_does_not_warn(owner):
    AccountFactory(name="Contoso")
    account = AccountFactory(name="Contoso")
    assert not detection.find(account, owner, changed={"telephone1"})
    assert detection.find(account, owner, changed={"name"})


def test_the_exact_check_costs_a_constant_number_of_queries(owner, django_assert_max_num_queries):
    AccountFactory.create_batch(3, name="Contoso")
    detection.find(Account(name="Contoso"), owner)  # the user's access, computed once and cached
    AccountFactory.create_batch(20, name="Contoso")
    # The rules with their conditions, then the matches shown (no transaction for exact rules;
    # for a user who reads every record, nothing else).
    with django_assert_max_num_queries(2):
        found = detection.find(Account(name="Contoso"), owner)
    assert len(found.shown) == detection.SHOWN_MATCHES
    assert found.others_exist


def test_a_few_matches_are_all_shown_and_no_others_are_claimed(owner):
    existing = AccountFactory.create_batch(3, name="Contoso")
    found = detection.find(Account(name="Contoso"), owner)
    assert sorted(match.pk for match in found.shown) == sorted(account.pk for account in existing)
    assert not found.others_exist


def test_a_user_who_reads_some_matches_sees_those_and_is_told_of_the_others():
    alice = UserFactory(username="alice", role="")
    place_user(alice, unit=BusinessUnitFactory(name="South"), roles=[SALESPERSON])
    mine = AccountFactory(name="Contoso", owner=alice)
    found = detection.find(Account(name="Contoso"), alice)
    assert found.shown == [mine]
    assert not found.others_exist
    AccountFactory(name="Contoso")  # someone else's, out of alice's reach
    found = detection.find(Account(name="Contoso"), alice)
    assert found.shown == [mine]
    assert found.others_exist


# --- On the forms ---------------------------------------------------------------------------


def account_data(**values):
    return {"name": "", "command": "save", **values}


def test_new_account_warns_and_keeps_what_was_typed(owner_client):
    existing = AccountFactory(name="Contoso Ltd.")
    response = owner_client.post(reverse("accounts:create"), account_data(name="contoso", telephone1="+1 425 555 0199"))
    assert response.status_code == 200
    assert "Possible duplicates found" in response.content.decode()
    assert existing.get_absolute_url() in response.content.decode()
    assert 'value="+1 425 555 0199"' in response.content.decode()
    assert Account.objects.count() == 1


def test_save_anyway_saves_with_the_command_first_clicked(owner_client):
    AccountFactory(name="Contoso Ltd.")
    response = owner_client.post(reverse("accounts:create"), account_data(name="contoso", save_anyway="save_close"))
    created = Account.objects.get(name="contoso")
    assert response.url == created.get_absolute_url()


def test_quick_create_warns_too(owner_client):
    ContactFactory(first_name="Ann", last_name="Lee")
    response = owner_client.post(
        reverse("contacts:quick_create"), {"first_name": "Ann", "last_name": "Lee", "command": "save"}
    )
    assert "Possible duplicates found" in response.content.decode()
    assert Contact.objects.count() == 1


def test_editing_into_a_duplicate_warns_with_a_merge_link(owner_client):
    AccountFactory(name="Contoso")
    account = AccountFactory(name="Fabrikam")
    response = owner_client.post(
        reverse("accounts:update", args=[account.pk]),
        account_data(name="Contoso Ltd", loaded_version=account.version),
    )
    body = response.content.decode()
    assert "Possible duplicates found" in body
    assert "Merge with this record" in body
    account.refresh_from_db()
    assert account.name == "Fabrikam"
