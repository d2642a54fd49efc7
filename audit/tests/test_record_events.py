"""Every write path leaves its entries: forms, bulk actions, Assign, Share, deletes, the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account
from audit.models import AuditEntry, Event, Source
from contacts.models import Contact
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def entries_of(record) -> list[AuditEntry]:
    return list(AuditEntry.objects.of_record(record._meta.label_lower, record.pk).newest_first())


def seen(*records) -> list[str]:
    """What a bulk action's confirmation posts: the version of each record it showed."""
    return [f"{record.pk}:{record.version}" for record in records]


def test_editing_a_contacts_phone_records_only_the_phone_with_who_and_from_where(owner_client, owner, edit):
    contact = ContactFactory(owner=owner, telephone1="+1 425 555 0100")
    data = edit(contact, user=owner, telephone1="+1 425 555 0199", loaded_version=contact.version)
    response = owner_client.post(reverse("contacts:update", args=[contact.pk]), data)
    assert response.status_code == 302
    [entry] = entries_of(contact)
    assert (entry.event, entry.source, entry.user, entry.user_name) == (Event.UPDATE, Source.FORM, owner, "owner")
    assert entry.changes == {"telephone1": ["+1 425 555 0100", "+1 425 555 0199"]}
    assert entry.record_name == str(contact)


def test_a_save_that_changes_nothing_records_nothing(owner_client, owner, edit):
    contact = ContactFactory(owner=owner)
    owner_client.post(reverse("contacts:update", args=[contact.pk]), edit(contact, user=owner))
    assert entries_of(contact) == []


def test_creating_records_what_it_was_given_and_where(owner_client, owner):
    owner_client.post(reverse("accounts:quick_create"), {"name": "Quick Ltd", "telephone1": "+33 1 23 45 67 89"})
    account = Account.objects.get(name="Quick Ltd")
    [entry] = entries_of(account)
    assert (entry.event, entry.source, entry.user) == (Event.CREATE, Source.QUICK_CREATE, owner)
    assert entry.changes["name"] == [None, "Quick Ltd"]
    assert "owner_name" not in entry.changes and "search_text" not in entry.changes


def test_bulk_deactivate_records_each_record_that_changed(owner_client, owner):
    active = AccountFactory(owner=owner)
    inactive = AccountFactory(owner=owner, status="inactive", status_reason="inactive")
    owner_client.post(
        reverse("accounts:bulk"),
        {
            "action": "deactivate",
            "selected": [active.pk, inactive.pk],
            "confirmed": "yes",
            "seen": seen(active, inactive),
        },
    )
    [entry] = entries_of(active)
    assert (entry.event, entry.source) == (Event.DEACTIVATE, Source.BULK)
    assert entry.changes == {"status": ["active", "inactive"], "status_reason": ["active", "inactive"]}
    assert entries_of(inactive) == []


def test_deleting_records_keeps_their_names_in_the_audit(owner_client, owner):
    contact = ContactFactory(owner=owner, first_name="Gone", last_name="Soon")
    others = ContactFactory.create_batch(2, owner=owner)
    owner_client.post(reverse("contacts:delete", args=[contact.pk]))
    owner_client.post(
        reverse("contacts:bulk"),
        {"action": "delete", "selected": [c.pk for c in others], "confirmed": "yes", "seen": seen(*others)},
    )
    deleted = AuditEntry.objects.filter(event=Event.DELETE).order_by("id")
    assert [(e.record_name, e.source) for e in deleted] == [("Gone Soon", Source.FORM)] + [
        (str(c), Source.BULK) for c in others
    ]
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_the_admin_records_its_saves_as_admin(client, owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    account = AccountFactory(owner=owner, name="Before")
    data = {"name": "After", "status": "active"}
    page = client.get(reverse("admin:accounts_account_change", args=[account.pk]))
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False) and name not in data:
            data[name] = value
    client.post(reverse("admin:accounts_account_change", args=[account.pk]), data)
    [entry] = entries_of(account)
    assert (entry.source, entry.changes) == (Source.ADMIN, {"name": ["Before", "After"]})


def admin_client(client, user):
    from access.roles import SYSTEM_ADMINISTRATOR
    from access.tests.factories import place_user

    user.is_staff = True
    user.save()
    place_user(user, roles=[SYSTEM_ADMINISTRATOR])
    client.force_login(user)
    return client


def test_sharing_on_the_share_page_is_recorded_as_from_the_form(org):
    from access.models import RecordShare

    client = org.client("owner")
    client.post(
        reverse("access:share", args=["contacts.contact", org.contact.pk]),
        {"user": org.users["teammate"].pk, "rights": ["1"]},
    )
    share = RecordShare.objects.get(object_id=org.contact.pk, user=org.users["teammate"])
    client.post(reverse("access:share", args=["contacts.contact", org.contact.pk]), {"remove": share.pk})
    assert [(e.event, e.source) for e in reversed(entries_of(org.contact))] == [
        (Event.SHARE, Source.FORM),
        (Event.UNSHARE, Source.FORM),
    ]


def test_shares_granted_changed_and_removed_in_the_admin_are_recorded_as_admin(client, org):
    from django.contrib.contenttypes.models import ContentType

    from access.models import RecordShare, ShareRight

    admin = admin_client(client, org.users["admin"])
    content_type = ContentType.objects.get_for_model(Contact)
    data = {"content_type": content_type.pk, "object_id": org.contact.pk, "user": org.users["teammate"].pk}
    admin.post(reverse("admin:access_recordshare_add"), {**data, "team": "", "rights": ShareRight.READ})
    share = RecordShare.objects.get(object_id=org.contact.pk, user=org.users["teammate"])
    admin.post(
        reverse("admin:access_recordshare_change", args=[share.pk]),
        {**data, "team": "", "rights": ShareRight.READ | ShareRight.WRITE},
    )
    admin.post(reverse("admin:access_recordshare_delete", args=[share.pk]), {"post": "yes"})
    assert not RecordShare.objects.filter(pk=share.pk).exists()
    events = [(e.event, e.source, e.changes["rights"], e.user) for e in reversed(entries_of(org.contact))]
    assert events == [
        (Event.SHARE, Source.ADMIN, [None, 1], org.users["admin"]),
        (Event.SHARE, Source.ADMIN, [1, 3], org.users["admin"]),
        (Event.UNSHARE, Source.ADMIN, [3, None], org.users["admin"]),
    ]


def test_assign_from_the_record_page_is_a_form_event_and_from_a_list_a_bulk_one(org):
    client = org.client("owner")
    mine, contact = org.mine, org.contact
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'name="origin" value="record"' in page
    to = {"confirmed": "yes", "to": "user", "user": org.users["teammate"].pk, "carry": "all"}
    client.post(reverse("access:assign", args=["accounts.account"]), {"selected": mine.pk, "origin": "record", **to})
    assert [(e.event, e.source) for e in entries_of(mine)][0] == (Event.ASSIGN, Source.FORM)
    assert [(e.event, e.source) for e in entries_of(contact)][0] == (Event.ASSIGN, Source.FORM)
    other = AccountFactory(owner=org.users["owner"])
    client.post(reverse("access:assign", args=["accounts.account"]), {"selected": other.pk, "action": "assign", **to})
    assert [(e.event, e.source) for e in entries_of(other)] == [(Event.ASSIGN, Source.BULK)]


def test_deactivating_from_the_record_page_is_a_form_event_through_its_confirmation(owner_client, owner):
    account = AccountFactory(owner=owner)
    page = owner_client.get(account.get_absolute_url()).content.decode()
    assert 'name="origin" value="record"' in page
    confirm = owner_client.post(
        reverse("accounts:bulk"), {"action": "deactivate", "selected": account.pk, "origin": "record"}
    ).content.decode()
    assert 'name="origin" value="record"' in confirm
    owner_client.post(
        reverse("accounts:bulk"),
        {"action": "deactivate", "selected": account.pk, "origin": "record", "confirmed": "yes", "seen": seen(account)},
    )
    [entry] = entries_of(account)
    assert (entry.event, entry.source) == (Event.DEACTIVATE, Source.FORM)


def test_creating_and_editing_on_the_full_form_are_form_events(owner_client, owner, edit):
    from accounts.forms import AccountForm

    owner_client.post(reverse("accounts:create"), {"name": "Full Form Ltd", "status": "active"})
    account = Account.objects.get(name="Full Form Ltd")
    data = edit(account, form_class=AccountForm, user=owner, name="Full Form plc", loaded_version=account.version)
    owner_client.post(reverse("accounts:update", args=[account.pk]), data)
    assert [(e.event, e.source, e.record_name) for e in reversed(entries_of(account))] == [
        (Event.CREATE, Source.FORM, "Full Form Ltd"),
        (Event.UPDATE, Source.FORM, "Full Form plc"),
    ]


def test_the_admin_records_its_creations_and_deletions_as_admin(client, owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    page = client.get(reverse("admin:accounts_account_add"))
    data = {
        name: value
        for name in page.context["adminform"].form.fields
        if (value := page.context["adminform"].form[name].value()) not in (None, False)
    }
    client.post(reverse("admin:accounts_account_add"), {**data, "name": "Admin Made", "status": "active"})
    made = Account.objects.get(name="Admin Made")
    others = AccountFactory.create_batch(2, owner=owner)
    client.post(reverse("admin:accounts_account_delete", args=[made.pk]), {"post": "yes"})
    client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in others], "post": "yes"},
    )
    assert not Account.objects.exists()
    entries = AuditEntry.objects.filter(record_type="accounts.account").order_by("id")
    assert [(e.event, e.source) for e in entries] == [
        (Event.CREATE, Source.ADMIN),
        (Event.DELETE, Source.ADMIN),
        (Event.DELETE, Source.ADMIN),
        (Event.DELETE, Source.ADMIN),
    ]
