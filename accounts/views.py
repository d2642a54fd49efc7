from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from access import guard
from accounts import forms, services
from accounts.filters import AccountFilter
from accounts.forms import AccountForm, AccountQuickCreateForm
from accounts.models import Account
from accounts.tables import AccountTable
from audit.models import Source
from crm import record_views


class AccountMixin:
    model = Account
    url_namespace = "accounts"


class AccountListView(AccountMixin, record_views.RecordListView):
    table_class = AccountTable
    filterset_class = AccountFilter

    def get_queryset(self):
        return super().get_queryset().with_list_columns()


# What the Contacts panel of an account's page shows of each, and the link the related manager
# fills in with the account (deferred, it would cost a query a row).
RELATED_CONTACT_COLUMNS = ("company", "full_name", "job_title", "emailaddress1", "status")
# How many contacts and sub-accounts the page lists (a fuller list counts them apart).
RELATED_SHOWN = 100


class AccountDetailView(AccountMixin, record_views.RecordDetailView):
    list_view_class = AccountListView
    summary_fields = [
        "account_number",
        "relationship_type",
        "industry",
        "primary_contact",
        "telephone1",
        "emailaddress1",
        "website",
        "address1_city",
        "address1_country",
        "number_of_employees",
        "annual_revenue",
        "parent",
        "description",
    ]
    detail_sections = [
        (gettext_lazy("Account information"), forms.SUMMARY_FIELDS),
        (gettext_lazy("Address"), forms.ADDRESS_FIELDS),
        (gettext_lazy("Company profile"), forms.PROFILE_FIELDS),
        (gettext_lazy("Contact preferences"), forms.PREFERENCE_FIELDS),
        (gettext_lazy("Billing"), forms.BILLING_FIELDS),
        (gettext_lazy("Shipping"), forms.SHIPPING_FIELDS),
    ]

    linked_records = {"parent": ("name", "status"), "primary_contact": ("full_name", "status")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        # Only the linked records this user may read by name; the others are counted.
        user = self.request.user
        contacts = account.contacts.only(*RELATED_CONTACT_COLUMNS).order_by("full_name", "id")
        contacts = guard.listed(contacts, user, limit=RELATED_SHOWN)
        context["contacts"], context["contact_count"] = contacts.records, contacts.count
        context["hidden_contacts"] = contacts.hidden
        children = account.children.only("parent", "name", "status").order_by("name", "id")
        children = guard.listed(children, user, limit=RELATED_SHOWN)
        context["sub_accounts"], context["hidden_sub_accounts"] = children.records, children.hidden
        return context


class AccountCreateView(AccountMixin, record_views.RecordCreateView):
    form_class = AccountForm


class AccountQuickCreateView(AccountMixin, record_views.RecordCreateView):
    form_class = AccountQuickCreateForm
    template_name = "crm/record_quick_create.html"
    audit_source = Source.QUICK_CREATE


class AccountUpdateView(AccountMixin, record_views.RecordUpdateView):
    form_class = AccountForm


class AccountDeleteView(AccountMixin, record_views.RecordDeleteView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Counts only: the names of linked records the user may not read are never shown.
        contacts = guard.seen(self.object.contacts.all(), self.request.user)
        context["contact_count"], context["hidden_contacts"] = contacts.count + contacts.hidden, contacts.hidden
        children = guard.seen(self.object.children.all(), self.request.user)
        context["sub_account_count"], context["hidden_sub_accounts"] = children.count + children.hidden, children.hidden
        return context

    def delete_record(self, record):
        services.account_delete(account=record, by=self.request.user)


class AccountBulkActionView(AccountMixin, record_views.RecordBulkActionView):
    def consequences(self, action, records):
        if action == "delete":
            return [
                _("Accounts that still have contacts are not deleted: deactivate them, or move their contacts first."),
                _("Sub-accounts of deleted accounts stay, without a parent account."),
                _("Deleting can't be undone. Deactivating keeps the history."),
            ]
        if action == "deactivate":
            return [
                _("Inactive accounts are read-only and can't be chosen as parent account or company."),
                _("Their contacts and sub-accounts keep their links. You can reactivate them at any time."),
            ]
        return []

    def delete_records(self, records):
        deleted, refused = services.accounts_delete(accounts=records, by=self.request.user, source=self.audit_source())
        if deleted:
            messages.success(
                self.request,
                ngettext("%(count)d account was deleted.", "%(count)d accounts were deleted.", deleted)
                % {"count": deleted},
            )
        if refused:
            messages.error(self.request, services.refusal_message(refused))


class AccountLookupView(AccountMixin, record_views.RecordLookupView):
    def suggestion(self, record):
        return {"id": record.pk, "label": record.name, "detail": record.address1_city or record.account_number}
