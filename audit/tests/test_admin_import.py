"""The admin's import (django-import-export) records each row's change, as the admin's form does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event, Source
from contacts.models import Contact
from crm.tests.factories import ContactFactory
from imports.tests.conftest import grant
from imports.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db


def test_an_admin_import_records_what_it_changed_and_created_but_not_its_preview(client, owner):
    owner.is_staff = True
    owner.save()
    user = grant(owner, "view_contact", "add_contact", "change_contact", "import_contact")
    client.force_login(user)
    ana = ContactFactory(emailaddress1="ana@x.com", first_name="Ana", last_name="Lopez", job_title="")
    rows = [
        ["First Name", "Last Name", "Email", "Job Title"],
        ["Ana", "Lopez", "ana@x.com", "Buyer"],
        ["Bo", "Li", "bo@x.com", ""],
    ]
    preview = client.post(
        reverse("admin:contacts_contact_import"),
        {"resource": 0, "format": 0, "import_file": upload("people.csv", csv_bytes(rows))},
    )
    assert not AuditEntry.objects.filter(source=Source.ADMIN).exists()
    client.post(reverse("admin:contacts_contact_process_import"), preview.context["confirm_form"].initial)
    update = AuditEntry.objects.get(record_id=ana.pk, event=Event.UPDATE)
    assert (update.source, update.user, update.changes) == (Source.ADMIN, user, {"job_title": ["", "Buyer"]})
    bo = Contact.objects.get(emailaddress1="bo@x.com")
    assert AuditEntry.objects.filter(record_id=bo.pk, event=Event.CREATE, source=Source.ADMIN).exists()
