from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from crm.lists import RecordTable


class AccountTable(RecordTable):
    name = tables.Column(order_by=("name", "id"))
    account_number = tables.Column(order_by=("account_number", "id"))
    telephone1 = tables.Column(order_by=("telephone1", "id"))
    address1_city = tables.Column(verbose_name=_("City"), order_by=("address1_city", "id"))
    # Lookup columns sort by the row's copy of the name: one index instead of a join (see CustomerRecord).
    primary_contact = tables.Column(order_by=("primary_contact_name", "id"))
    emailaddress1 = tables.EmailColumn(order_by=("emailaddress1", "id"))
    owner = tables.Column(order_by=("owner_name", "id"))
    status = tables.Column(order_by=("status", "id"))

    class Meta(RecordTable.Meta):
        model = Account
        fields = (
            "selected",
            "name",
            "account_number",
            "telephone1",
            "address1_city",
            "primary_contact",
            "emailaddress1",
            "owner",
            "status",
        )

    def render_name(self, record, value):
        return self.record_link(record, value)

    def render_primary_contact(self, record, value):
        return self.link_to(value)
