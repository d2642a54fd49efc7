from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from access.models import RecordShare, ShareRight
from accounts.models import Account
from contacts.models import Contact
from crm.models import RecentItem
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from duplicates import services
from duplicates.models import MergeOperation
from duplicates.tests.helpers import merge

pytestmark = pytest.mark.django_db


def test_merging_two_contacts_keeps_the_chosen_values_and_deactivates_the_other(owner):
    ann = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@contoso.com", telephone1="")
    dup = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@old.com", telephone1="+1 555 0101")
    merge(ann, dup, owner)
    ann.refresh_from_db()
    dup.refresh_from_db()
    assert (ann.emailaddress1, ann.telephone1) == ("ann@contoso.com", "+1 555 0101")  # empty never wins
    assert not dup.is_active
    assert dup.merged_into == ann


def test_a_chosen_value_of_the_other_record_wins(owner):
    ann = ContactFactory(emailaddress1="ann@contoso.com")
    dup = ContactFactory(emailaddress1="ann@new.com")
    merge(ann, dup, owner, keep_other={"emailaddress1"})
    ann.refresh_from_db()
    assert ann.emailaddress1 == "ann@new.com"


def test_related_records_move_to_the_master_and_undo_moves_them_back(owner):
    master = AccountFactory(name="Contoso")
    other = AccountFactory(name="Contoso Ltd")
    people = ContactFactory.create_batch(2, company=other)
    sub = AccountFactory(parent=other)
    other.primary_contact = people[0]
    other.save()
    content_type = ContentType.objects.get_for_model(Account)
    reader = UserFactory()
    share = RecordShare.objects.create(
        content_type=content_type, object_id=other.pk, user=reader, rights=ShareRight.READ
    )
    recent = RecentItem.objects.create(
        user=owner, content_type=content_type, object_id=other.pk, opened_at="2026-01-01T00:00:00Z"
    )
    other.refresh_from_db()
    operation = merge(master, other, owner)
    assert set(Contact.objects.filter(company=master)) == set(people)
    assert Contact.objects.get(pk=people[0].pk).company_name == "Contoso"
    assert Account.objects.get(pk=sub.pk).parent_id == master.pk
    assert Account.objects.get(pk=master.pk).primary_contact_id == people[0].pk  # the master had none
    share.refresh_from_db()
    recent.refresh_from_db()
    assert (share.object_id, recent.object_id) == (master.pk, master.pk)

    services.merge_undo(operation=operation, by=owner)
    assert set(Contact.objects.filter(company=other)) == set(people)
    assert Contact.objects.get(pk=people[0].pk).company_name == "Contoso Ltd"
    assert Account.objects.get(pk=sub.pk).parent_id == other.pk
    share.refresh_from_db()
    recent.refresh_from_db()
    assert (share.object_id, recent.object_id) == (other.pk, other.pk)


def test_undo_brings_both_records_back_exactly(owner):
    ann = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@contoso.com", telephone1="")
    dup = ContactFactory(first_name="Ann", last_name="Lee", emailaddress1="ann@old.com", telephone1="+1 555 0101")
    ann.refresh_from_db()
    dup.refresh_from_db()
    before = {record.pk: services.snapshot(record) for record in (ann, dup)}
    operation = merge(ann, dup, owner, keep_other={"emailaddress1"})
    services.merge_undo(operation=operation, by=owner)
    for record in Contact.objects.filter(pk__in=before):
        after = services.snapshot(record)
        for name in ("version", "modified_on", "modified_by_id"):
            after.pop(name), before[record.pk].pop(name, None)
        assert after == before[record.pk]
    assert MergeOperation.objects.get().undone_on is not None


def test_sub_accounts_never_make_a_parent_loop(owner):
    other = AccountFactory(name="Other")
    master = AccountFactory(name="Master", parent=other)
    merge(master, other, owner)
    master.refresh_from_db()
    assert master.parent_id is None  # its parent was the record merged into it


def test_undo_is_refused_when_a_later_merge_involves_either_record(owner):
    a, b, c = AccountFactory(name="A"), AccountFactory(name="B"), AccountFactory(name="C")
    first = merge(a, b, owner)
    a.refresh_from_db()
    merge(a, c, owner)
    with pytest.raises(services.MergeRefused, match="later merge"):
        services.merge_undo(operation=first, by=owner)


def test_undo_is_refused_when_the_master_changed_since(owner):
    a, b = AccountFactory(name="A"), AccountFactory(name="B")
    operation = merge(a, b, owner)
    a.refresh_from_db()
    a.version += 1
    a.save()
    with pytest.raises(services.MergeRefused, match="changed after the merge"):
        services.merge_undo(operation=operation, by=owner)


def test_a_merge_from_stale_values_is_refused(owner):
    a, b = AccountFactory(name="A"), AccountFactory(name="B")
    versions = {a.pk: a.version, b.pk: b.version - 1}
    with pytest.raises(services.MergeRefused, match="changed after you opened"):
        services.records_merge(master=a, other=b, keep_other=set(), versions=versions, by=owner)
    assert Account.objects.get(pk=b.pk).is_active


# --- Pages ------------------------------------------------------------------------------------


def test_the_merge_page_shows_differing_values_side_by_side(owner_client):
    a = ContactFactory(emailaddress1="ann@contoso.com", telephone1="")
    b = ContactFactory(emailaddress1="ann@old.com", telephone1="+1 555 0101")
    response = owner_client.post(reverse("duplicates:merge", args=["contacts.contact"]), {"selected": [a.pk, b.pk]})
    body = response.content.decode()
    assert "ann@contoso.com" in body and "ann@old.com" in body and "+1 555 0101" in body


def test_merging_needs_exactly_two_records(owner_client):
    a = ContactFactory()
    response = owner_client.post(reverse("duplicates:merge", args=["contacts.contact"]), {"selected": [a.pk]})
    assert response.status_code == 302
    assert not MergeOperation.objects.exists()


def test_merge_and_undo_from_the_pages(owner_client):
    a = ContactFactory(emailaddress1="ann@contoso.com", telephone1="")
    b = ContactFactory(emailaddress1="ann@old.com", telephone1="+1 555 0101")
    response = owner_client.post(
        reverse("duplicates:merge", args=["contacts.contact"]),
        {
            "selected": [a.pk, b.pk],
            "master": b.pk,
            f"version_{a.pk}": a.version,
            f"version_{b.pk}": b.version,
            "keep_emailaddress1": a.pk,
            "confirmed": "yes",
        },
    )
    assert response.url == b.get_absolute_url()
    b.refresh_from_db()
    assert (b.emailaddress1, b.telephone1) == ("ann@contoso.com", "+1 555 0101")
    page = owner_client.get(a.get_absolute_url()).content.decode()
    assert "This record was merged into" in page and b.get_absolute_url() in page
    assert "Undo merge" in owner_client.get(b.get_absolute_url()).content.decode()
    owner_client.post(reverse("duplicates:undo", args=[MergeOperation.objects.get().pk]))
    a.refresh_from_db()
    assert a.is_active and a.merged_into is None


def test_merging_needs_write_on_both_records(client):
    from access.roles import READ_ONLY

    reader = UserFactory(username="reader", role=READ_ONLY)
    client.force_login(reader)
    a, b = ContactFactory(), ContactFactory()
    response = client.post(reverse("duplicates:merge", args=["contacts.contact"]), {"selected": [a.pk, b.pk]})
    assert response.status_code == 403
