from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from contacts.models import Contact
from crm.forms import LookupField, RecordForm, columns, panel, record_form_helper

NAME_FIELDS = ["salutation", "first_name", "middle_name", "last_name", "suffix", "nickname"]
WORK_FIELDS = [
    "job_title",
    "department",
    "company",
    "role",
    "manager",
    "assistant_name",
    "assistant_phone",
]
CONTACT_FIELDS = [
    "emailaddress1",
    "emailaddress2",
    "emailaddress3",
    "telephone1",
    "telephone2",
    "mobile_phone",
    "fax",
    "website",
]


def address_fields(number: int) -> list[str]:
    return [
        f"address{number}_{name}"
        for name in (
            "line1",
            "line2",
            "line3",
            "city",
            "state",
            "postal_code",
            "country",
            "county",
            "po_box",
            "phone",
            "type",
            "shipping_method",
            "freight_terms",
            "latitude",
            "longitude",
        )
    ]


PERSONAL_FIELDS = [
    "gender",
    "marital_status",
    "birthday",
    "anniversary",
    "spouse_name",
    "children_names",
    "number_of_children",
]
PREFERENCE_FIELDS = [
    "preferred_contact_method",
    "do_not_email",
    "do_not_bulk_email",
    "do_not_phone",
    "do_not_fax",
    "do_not_postal_mail",
]
QUICK_CREATE_FIELDS = [
    "first_name",
    "last_name",
    "job_title",
    "company",
    "emailaddress1",
    "telephone1",
    "mobile_phone",
]


class ContactLookupsMixin:
    def setup_lookups(self) -> None:
        company = Contact._meta.get_field("company")
        self.fields["company"] = LookupField(
            Account.objects.active(),
            lookup_url_name="accounts:lookup",
            label_field="name",
            required=False,
            label=company.verbose_name,
            help_text=company.help_text,
        )
        self.limit_lookup("company", Account.objects.active())
        if "manager" in self.fields:
            manager = Contact._meta.get_field("manager")
            self.fields["manager"] = LookupField(
                Contact.objects.active(),
                lookup_url_name="contacts:lookup",
                label_field="full_name",
                narrowed_by="company",
                required=False,
                label=manager.verbose_name,
                help_text=manager.help_text,
            )
            self.limit_lookup("manager", Contact.objects.active().exclude(pk=self.instance.pk or 0))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ContactForm(ContactLookupsMixin, RecordForm):
    class Meta:
        model = Contact
        fields = [
            *NAME_FIELDS,
            *WORK_FIELDS,
            *CONTACT_FIELDS,
            *address_fields(1),
            *address_fields(2),
            *PERSONAL_FIELDS,
            *PREFERENCE_FIELDS,
            "description",
        ]
        widgets = {"birthday": DateInput, "anniversary": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = record_form_helper(
            panel(_("Name"), *NAME_FIELDS),
            panel(_("Work"), *WORK_FIELDS),
            panel(_("Contact information"), *CONTACT_FIELDS),
            panel(_("Address 1"), *address_fields(1)),
            panel(_("Address 2"), *address_fields(2)),
            panel(_("Personal information"), *PERSONAL_FIELDS),
            panel(_("Contact preferences"), *PREFERENCE_FIELDS),
            panel(_("Description"), "description"),
        )


class ContactQuickCreateForm(ContactLookupsMixin, RecordForm):
    class Meta:
        model = Contact
        fields = QUICK_CREATE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = record_form_helper(columns(*QUICK_CREATE_FIELDS))
