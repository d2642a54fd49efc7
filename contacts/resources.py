from __future__ import annotations

from contacts.forms import ContactForm
from contacts.models import Contact, compose_full_name
from imports.entities import Entity, importable
from imports.resources import EntityResource

CONTACT = Entity(
    model=Contact,
    # A manager would need a person's identity across files: left to the form.
    field_names=importable(ContactForm, leaving_out={"manager"}),
    match_keys=("emailaddress1",),
    link_name="full_name",
    link_keys=("full_name",),
    hierarchy="",
    derived_name="full_name",
    name_parts=("first_name", "middle_name", "last_name", "suffix"),
    compose_name=compose_full_name,
)


class ContactResource(EntityResource):
    entity = CONTACT

    class Meta:
        model = Contact
        fields = CONTACT.field_names
        skip_unchanged = True
        report_skipped = True
