from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from contacts.models import Contact
from crm.forms import LookupField, RecordForm, columns, panel, record_form_helper

SUMMARY_FIELDS = [
    "name",
    "account_number",
    "parent",
    "primary_contact",
    "telephone1",
    "telephone2",
    "telephone3",
    "fax",
    "emailaddress1",
    "emailaddress2",
    "emailaddress3",
    "website",
]
ADDRESS_FIELDS = [
    "address1_line1",
    "address1_line2",
    "address1_line3",
    "address1_city",
    "address1_state",
    "address1_postal_code",
    "address1_country",
    "address1_county",
    "address1_po_box",
    "address1_phone",
    "address1_type",
    "address1_latitude",
    "address1_longitude",
]
PROFILE_FIELDS = [
    "relationship_type",
    "industry",
    "ownership",
    "category",
    "ticker_symbol",
    "stock_exchange",
    "sic_code",
    "annual_revenue",
    "market_cap",
    "number_of_employees",
    "shares_outstanding",
    "description",
]
PREFERENCE_FIELDS = [
    "preferred_contact_method",
    "preferred_day",
    "preferred_time",
    "do_not_email",
    "do_not_bulk_email",
    "do_not_phone",
    "do_not_fax",
    "do_not_postal_mail",
]
BILLING_FIELDS = ["payment_terms", "credit_limit", "credit_on_hold"]
SHIPPING_FIELDS = ["address1_shipping_method", "address1_freight_terms"]
QUICK_CREATE_FIELDS = [
    "name",
    "telephone1",
    "emailaddress1",
    "website",
    "parent",
    "primary_contact",
    "address1_line1",
    "address1_city",
    "address1_postal_code",
    "address1_country",
]


class AccountLookupsMixin:
    """Parent and primary contact are typed-ahead lookups over active records only."""

    def setup_lookups(self) -> None:
        self.fields["parent"] = LookupField(
            Account.objects.active(),
            lookup_url_name="accounts:lookup",
            label_field="name",
            required=False,
            label=Account._meta.get_field("parent").verbose_name,
            help_text=Account._meta.get_field("parent").help_text,
        )
        self.fields["primary_contact"] = LookupField(
            Contact.objects.active(),
            lookup_url_name="contacts:lookup",
            label_field="full_name",
            required=False,
            label=Account._meta.get_field("primary_contact").verbose_name,
            help_text=Account._meta.get_field("primary_contact").help_text,
        )
        self.limit_lookup("parent", Account.objects.active().exclude(pk=self.instance.pk or 0))
        self.limit_lookup("primary_contact", Contact.objects.active())


class AccountForm(AccountLookupsMixin, RecordForm):
    class Meta:
        model = Account
        fields = [
            *SUMMARY_FIELDS,
            *ADDRESS_FIELDS,
            *PROFILE_FIELDS,
            *PREFERENCE_FIELDS,
            *BILLING_FIELDS,
            *SHIPPING_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = record_form_helper(
            panel(_("Account information"), *SUMMARY_FIELDS),
            panel(_("Address"), *ADDRESS_FIELDS),
            panel(_("Company profile"), *PROFILE_FIELDS),
            panel(_("Contact preferences"), *PREFERENCE_FIELDS),
            panel(_("Billing"), *BILLING_FIELDS),
            panel(_("Shipping"), *SHIPPING_FIELDS),
        )


class AccountQuickCreateForm(AccountLookupsMixin, RecordForm):
    class Meta:
        model = Account
        fields = QUICK_CREATE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = record_form_helper(columns(*QUICK_CREATE_FIELDS))
