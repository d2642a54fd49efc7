from __future__ import annotations

from contacts.models import Contact
from imports.entities import CONTACT
from imports.resources import EntityResource


class ContactResource(EntityResource):
    entity = CONTACT

    class Meta:
        model = Contact
        fields = CONTACT.field_names
        skip_unchanged = True
        report_skipped = True
