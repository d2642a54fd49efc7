from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from crm.lists import RecordTable, priority


class AccountTable(RecordTable):
    # Owner and status give way first: the default views (My Active, Active) already say them.
    name = tables.Column(order_by=("name", "id"), attrs=priority(1))
    account_number = tables.Column(order_by=("account_number", "id"), attrs=priority(3))
    telephone1 = tables.Column(order_by=("telephone1", "id"), attrs=priority(2))
    address1_city = tables.Column(verbose_name=_("City"), order_by=("address1_city", "id"), attrs=priority(3))
    # Lookup columns sort by the row's copy of the name: one index instead of a join (see CustomerRecord).
    primary_contact = tables.Column(order_by=("primary_contact_name", "id"), attrs=priority(3))
    emailaddress1 = tables.EmailColumn(order_by=("emailaddress1", "id"), attrs=priority(2))
    owner = tables.Column(order_by=("owner_name", "id"), attrs=priority(4))
    status = tables.Column(order_by=("status", "id"), attrs=priority(4))

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
        return self.link_to_linked(record, "primary_contact", value)
