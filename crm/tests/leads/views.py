from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from crm import record_views
from crm.forms import LookupField, RecordForm, columns, record_form_helper
from crm.lists import RecordFilterSet, RecordTable
from crm.tests.leads.models import Lead


class LeadTable(RecordTable):
    name = tables.Column(order_by=("name", "id"))
    emailaddress1 = tables.EmailColumn(order_by=("emailaddress1", "id"))
    owner = tables.Column(order_by=("owner_name", "id"))
    status = tables.Column(order_by=("status", "id"))

    class Meta(RecordTable.Meta):
        model = Lead
        fields = ("selected", "name", "emailaddress1", "owner", "status")

    def render_name(self, record, value):
        return self.record_link(record, value)


class LeadFilter(RecordFilterSet):
    VIEW_CHOICES = [
        ("my_active", _("My Leads")),
        ("active", _("Leads")),
        ("inactive", _("Closed Leads")),
    ]

    class Meta:
        model = Lead
        fields: list[str] = []


class LeadForm(RecordForm):
    class Meta:
        model = Lead
        fields = ["name", "emailaddress1", "company"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = record_form_helper(columns(*self.Meta.fields))

    def setup_lookups(self) -> None:
        self.fields["company"] = LookupField(
            Account.objects.active(), lookup_url_name="accounts:lookup", label_field="name", required=False
        )


class LeadMixin:
    model = Lead
    url_namespace = "leads"


class LeadListView(LeadMixin, record_views.RecordListView):
    table_class = LeadTable
    filterset_class = LeadFilter

    def get_queryset(self):
        return super().get_queryset().with_list_columns()


class LeadDetailView(LeadMixin, record_views.RecordDetailView):
    list_view_class = LeadListView
    detail_sections = [(_("Lead"), ["name", "emailaddress1", "company"])]


class LeadCreateView(LeadMixin, record_views.RecordCreateView):
    form_class = LeadForm


class LeadQuickCreateView(LeadMixin, record_views.RecordCreateView):
    form_class = LeadForm
    template_name = "crm/record_quick_create.html"


class LeadUpdateView(LeadMixin, record_views.RecordUpdateView):
    form_class = LeadForm


class LeadDeleteView(LeadMixin, record_views.RecordDeleteView):
    def delete_record(self, record):
        record.delete()


class LeadBulkActionView(LeadMixin, record_views.RecordBulkActionView):
    def delete_records(self, records):
        records.delete()


class LeadLookupView(LeadMixin, record_views.RecordLookupView):
    pass
