from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from crm.lists import RecordFilterSet


class ContactFilter(RecordFilterSet):
    VIEW_CHOICES = [
        ("my_active", _("My Active Contacts")),
        ("active", _("Active Contacts")),
        ("inactive", _("Inactive Contacts")),
    ]
    NAME_FIELD = "full_name"

    class Meta:
        model = Contact
        fields: list[str] = []
