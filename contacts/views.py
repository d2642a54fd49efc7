from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from access import guard
from access.models import Privilege
from access.scope import access_of
from accounts.models import Account
from audit import services as audit
from audit.models import Source
from contacts import forms
from contacts.filters import ContactFilter
from contacts.forms import ContactForm, ContactQuickCreateForm
from contacts.models import Contact
from contacts.tables import ContactTable
from crm import record_views


class ContactMixin:
    model = Contact
    url_namespace = "contacts"


class ContactListView(ContactMixin, record_views.RecordListView):
    template_name = "contacts/contact_list.html"
    table_class = ContactTable
    filterset_class = ContactFilter

    def get_queryset(self):
        return super().get_queryset().with_list_columns()


# How many direct reports a contact's page lists (a fuller list counts them apart).
REPORTS_SHOWN = 100


class ContactDetailView(ContactMixin, record_views.RecordDetailView):
    list_view_class = ContactListView
    summary_fields = [
        "job_title",
        "company",
        "role",
        "emailaddress1",
        "telephone1",
        "mobile_phone",
        "address1_city",
        "address1_country",
        "preferred_contact_method",
        "manager",
        "description",
    ]
    detail_sections = [
        (gettext_lazy("Name"), forms.NAME_FIELDS),
        (gettext_lazy("Work"), forms.WORK_FIELDS),
        (gettext_lazy("Contact information"), forms.CONTACT_FIELDS),
        (gettext_lazy("Address 1"), forms.address_fields(1)),
        (gettext_lazy("Address 2"), forms.address_fields(2)),
        (gettext_lazy("Personal information"), forms.PERSONAL_FIELDS),
        (gettext_lazy("Contact preferences"), forms.PREFERENCE_FIELDS),
        (gettext_lazy("Description"), ["description"]),
    ]

    linked_records = {
        "company": ("name", "status", "telephone1", "address1_city"),
        "manager": ("full_name", "status"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        reports = self.object.direct_reports.only("manager", "full_name", "job_title", "status").order_by(
            "full_name", "id"
        )
        reports = guard.listed(reports, user, limit=REPORTS_SHOWN)  # only readable ones by name
        context["direct_reports"], context["hidden_reports"] = reports.records, reports.hidden
        context["can_export_vcard"] = user.has_perm("contacts.export_contact") and bool(
            access_of(user).depth(Contact, Privilege.EXPORT)
        )
        return context


class ContactCreateView(ContactMixin, record_views.RecordCreateView):
    form_class = ContactForm

    def get_initial(self):
        # "New contact" on an account's page arrives with ?company=<id>.
        initial = super().get_initial()
        company_id = self.request.GET.get("company", "")
        if company_id.isdigit():
            initial["company"] = (
                guard.linkable(Account.objects.active(), self.request.user).filter(pk=company_id).first()
            )
        return initial


class ContactQuickCreateView(ContactCreateView):
    form_class = ContactQuickCreateForm
    template_name = "crm/record_quick_create.html"
    audit_source = Source.QUICK_CREATE


class ContactUpdateView(ContactMixin, record_views.RecordUpdateView):
    form_class = ContactForm


class ContactDeleteView(ContactMixin, record_views.RecordDeleteView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Counts of all the linked records, names only of those the user may read.
        reports = guard.seen(self.object.direct_reports.all(), self.request.user)
        context["direct_report_count"], context["hidden_reports"] = reports.count + reports.hidden, reports.hidden
        accounts = guard.seen(self.object.primary_for_accounts.all(), self.request.user)
        context["primary_for"] = list(accounts.records.order_by("name", "id")[:20])
        context["hidden_primary_for"] = accounts.hidden
        return context

    def delete_record(self, record):
        with transaction.atomic():
            audit.record_deleting(record=record, by=self.request.user, source=Source.FORM)
            record.delete()


class ContactBulkActionView(ContactMixin, record_views.RecordBulkActionView):
    def consequences(self, action, records):
        if action == "delete":
            return [
                _("Accounts that have a deleted contact as primary contact keep no primary contact."),
                _("Direct reports of a deleted contact keep no manager."),
                _("Deleting can't be undone. Deactivating keeps the history."),
            ]
        if action == "deactivate":
            return [
                _("Inactive contacts are read-only and can't be chosen as manager or primary contact."),
                _("You can reactivate them at any time."),
            ]
        return []

    def delete_records(self, records):
        deleted = records.count()
        with transaction.atomic():
            audit.records_deleting(records=records, by=self.request.user, source=self.audit_source())
            records.delete()
        messages.success(
            self.request,
            ngettext("%(count)d contact was deleted.", "%(count)d contacts were deleted.", deleted)
            % {"count": deleted},
        )


class ContactLookupView(ContactMixin, record_views.RecordLookupView):
    label_field = "full_name"

    def lookup_queryset(self):
        # A manager box sends the chosen company: only colleagues can be a contact's manager.
        records = super().lookup_queryset().select_related("company")
        company = self.request.GET.get("company", "")
        return records.filter(company_id=company) if company.isdigit() else records

    def suggestion(self, record):
        return {"id": record.pk, "label": record.full_name, "detail": record.company.name if record.company else ""}
