from __future__ import annotations

import django_tables2 as tables

from contacts.models import Contact
from crm.lists import RecordTable, priority


class ContactTable(RecordTable):
    # Owner and status give way first: the default views (My Active, Active) already say them.
    full_name = tables.Column(order_by=("full_name", "id"), attrs=priority(1))
    emailaddress1 = tables.EmailColumn(order_by=("emailaddress1", "id"), attrs=priority(2))
    # Lookup columns sort by the row's copy of the name: one index instead of a join (see CustomerRecord).
    company = tables.Column(order_by=("company_name", "id"), attrs=priority(2))
    telephone1 = tables.Column(order_by=("telephone1", "id"), attrs=priority(2))
    job_title = tables.Column(order_by=("job_title", "id"), attrs=priority(3))
    owner = tables.Column(order_by=("owner_name", "id"), attrs=priority(4))
    status = tables.Column(order_by=("status", "id"), attrs=priority(4))

    class Meta(RecordTable.Meta):
        model = Contact
        fields = ("selected", "full_name", "emailaddress1", "company", "telephone1", "job_title", "owner", "status")

    def render_full_name(self, record, value):
        return self.record_link(record, value)

    def render_company(self, record, value):
        return self.link_to_linked(record, "company", value)
