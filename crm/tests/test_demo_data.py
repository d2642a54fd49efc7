from __future__ import annotations

import pytest

from accounts.models import Account
from crm.demo_data import load_demo_data

pytestmark = pytest.mark.django_db


def test_demo_email_addresses_keep_accented_letters_as_plain_ones():
    load_demo_data(accounts=60, contacts_per_account=0, seed=6)
    accented = Account.objects.filter(name__startswith="Müller").first()
    assert accented is not None
    assert accented.emailaddress1.startswith("info@muller")


def test_demo_records_are_in_the_audit_as_created_by_a_command():
    from audit.models import AuditEntry, Event, Source
    from contacts.models import Contact

    load_demo_data(accounts=20, contacts_per_account=2, seed=6)
    created = AuditEntry.objects.filter(event=Event.CREATE)
    assert set(created.values_list("source", flat=True)) == {Source.COMMAND}
    assert created.filter(record_type="accounts.account").count() == Account.objects.count()
    assert created.filter(record_type="contacts.contact").count() == Contact.objects.count()
    contact = Contact.objects.first()
    assert created.get(record_type="contacts.contact", record_id=contact.pk).record_name == contact.full_name
