from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.models import one_owner, scope_indexes
from crm.choices import (
    PaymentTerms,
    PreferredContactMethod,
    PreferredDay,
    PreferredTime,
)
from crm.models import (
    SET_NULL_AND_CLEAR_NAME,
    Address1,
    CustomerRecord,
    CustomerRecordQuerySet,
    NameField,
    WebsiteField,
    chain_ids,
    count_field,
    do_not_field,
    email_field,
    first_letter,
    money_field,
    phone_field,
    search_text_of,
)
from duplicates.keys import EMAIL, NAME, email_key_column, name_key_column


class RelationshipType(models.TextChoices):
    COMPETITOR = "competitor", _("Competitor")
    CONSULTANT = "consultant", _("Consultant")
    CUSTOMER = "customer", _("Customer")
    INVESTOR = "investor", _("Investor")
    PARTNER = "partner", _("Partner")
    INFLUENCER = "influencer", _("Influencer")
    PRESS = "press", _("Press")
    PROSPECT = "prospect", _("Prospect")
    RESELLER = "reseller", _("Reseller")
    SUPPLIER = "supplier", _("Supplier")
    VENDOR = "vendor", _("Vendor")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    ACCOUNTING = "accounting", _("Accounting")
    AGRICULTURE = "agriculture", _("Agriculture and Non-petrol Natural Resource Extraction")
    BROADCASTING = "broadcasting", _("Broadcasting Printing and Publishing")
    BROKERS = "brokers", _("Brokers")
    BUILDING_SUPPLY_RETAIL = "building_supply_retail", _("Building Supply Retail")
    BUSINESS_SERVICES = "business_services", _("Business Services")
    CONSULTING = "consulting", _("Consulting")
    CONSUMER_SERVICES = "consumer_services", _("Consumer Services")
    DESIGN = "design", _("Design, Direction and Creative Management")
    DISTRIBUTORS = "distributors", _("Distributors, Dispatchers and Processors")
    DOCTORS = "doctors", _("Doctor's Offices and Clinics")
    DURABLE_MANUFACTURING = "durable_manufacturing", _("Durable Manufacturing")
    EATING_DRINKING = "eating_drinking", _("Eating and Drinking Places")
    ENTERTAINMENT_RETAIL = "entertainment_retail", _("Entertainment Retail")
    EQUIPMENT_RENTAL = "equipment_rental", _("Equipment Rental and Leasing")
    FINANCIAL = "financial", _("Financial")
    FOOD_TOBACCO = "food_tobacco", _("Food and Tobacco Processing")
    INBOUND_CAPITAL = "inbound_capital", _("Inbound Capital Intensive Processing")
    INBOUND_REPAIR = "inbound_repair", _("Inbound Repair and Services")
    INSURANCE = "insurance", _("Insurance")
    LEGAL_SERVICES = "legal_services", _("Legal Services")
    NON_DURABLE_RETAIL = "non_durable_retail", _("Non-Durable Merchandise Retail")
    OUTBOUND_CONSUMER = "outbound_consumer", _("Outbound Consumer Service")
    PETROCHEMICAL = "petrochemical", _("Petrochemical Extraction and Distribution")
    SERVICE_RETAIL = "service_retail", _("Service Retail")
    SIG_AFFILIATIONS = "sig_affiliations", _("SIG Affiliations")
    SOCIAL_SERVICES = "social_services", _("Social Services")
    SPECIAL_OUTBOUND = "special_outbound", _("Special Outbound Trade Contractors")
    SPECIALTY_REALTY = "specialty_realty", _("Specialty Realty")
    TRANSPORTATION = "transportation", _("Transportation")
    UTILITY = "utility", _("Utility Creation and Distribution")
    VEHICLE_RETAIL = "vehicle_retail", _("Vehicle Retail")
    WHOLESALE = "wholesale", _("Wholesale")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    PREFERRED_CUSTOMER = "preferred_customer", _("Preferred Customer")
    STANDARD = "standard", _("Standard")


LIST_FIELDS = [
    "name",
    "account_number",
    "telephone1",
    "address1_city",
    "emailaddress1",
    "status",
    "owner_id",
    "owner_team_id",
    "owner_name",
    "primary_contact_id",
    "primary_contact_name",
]


class AccountQuerySet(CustomerRecordQuerySet):
    def with_contacts(self):
        """Accounts that still have contacts (which deleting an account never deletes)."""
        return self.filter(contacts__isnull=False).distinct()

    def with_list_columns(self):
        # Only what the list shows or sorts by, linked records by the row's copies of their
        # names (which the list sorts by too): 51 small rows, no owner or contact objects.
        return self.only(*LIST_FIELDS)


class Account(Address1, CustomerRecord):
    name = NameField(
        _("Account Name"),
        max_length=160,
        help_text=_("The company's name as people know it. Required."),
    )
    account_number = models.CharField(
        _("Account Number"),
        max_length=20,
        blank=True,
        help_text=_("Your own number or code for the account, e.g. from the ERP. Imports can match on it."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Parent Account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The company this one belongs to, e.g. a head office. Must be active."),
    )
    primary_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("Primary Contact"),
        on_delete=SET_NULL_AND_CLEAR_NAME,
        null=True,
        blank=True,
        related_name="primary_for_accounts",
        help_text=_("The main person to talk to at this company. Must be active."),
    )
    primary_contact_name = NameField(_("Primary Contact Name"), max_length=220, blank=True, editable=False)
    # What quick find searches: the account's name, number, email, main phone and city.
    search_text = search_text_of("name", "account_number", "emailaddress1", "telephone1", "address1_city")
    # Normalised copies that duplicate rules compare (duplicates.keys), kept by the database.
    name_key = name_key_column("name")
    email_key = email_key_column("emailaddress1")
    telephone1 = phone_field(_("Main Phone"), _("The company's main phone number."))
    telephone2 = phone_field(_("Other Phone"), _("A second phone number for the company."))
    telephone3 = phone_field(_("Telephone 3"), _("A third phone number for the company."))
    fax = phone_field(_("Fax"), _("Fax number, where the company still uses one."))
    emailaddress1 = email_field(_("Email"), _("The company's main email address."))
    emailaddress2 = email_field(_("Email Address 2"), _("A second email address."))
    emailaddress3 = email_field(_("Email Address 3"), _("A third email address."))
    website = WebsiteField(
        _("Website"),
        max_length=200,
        blank=True,
        help_text=_("The company's website, e.g. https://www.contoso.com."),
    )
    ticker_symbol = models.CharField(
        _("Ticker Symbol"), max_length=10, blank=True, help_text=_("Stock exchange symbol, for listed companies.")
    )
    stock_exchange = models.CharField(
        _("Stock Exchange"), max_length=20, blank=True, help_text=_("Where the company's shares trade.")
    )
    sic_code = models.CharField(
        _("SIC Code"), max_length=20, blank=True, help_text=_("Standard Industrial Classification code.")
    )
    relationship_type = models.CharField(
        _("Relationship Type"),
        max_length=20,
        blank=True,
        choices=RelationshipType.choices,
        help_text=_("How you do business with the company: customer, supplier, partner..."),
    )
    industry = models.CharField(
        _("Industry"),
        max_length=30,
        blank=True,
        choices=Industry.choices,
        help_text=_("The company's main line of business."),
    )
    ownership = models.CharField(
        _("Ownership"),
        max_length=20,
        blank=True,
        choices=Ownership.choices,
        help_text=_("Public, private, subsidiary or other."),
    )
    category = models.CharField(
        _("Category"),
        max_length=20,
        blank=True,
        choices=Category.choices,
        help_text=_("Preferred customers can be given priority."),
    )
    preferred_contact_method = models.CharField(
        _("Preferred Method of Contact"),
        max_length=10,
        blank=True,
        choices=PreferredContactMethod.choices,
        help_text=_("How the company prefers to be contacted."),
    )
    preferred_day = models.CharField(
        _("Preferred Day"),
        max_length=10,
        blank=True,
        choices=PreferredDay.choices,
        help_text=_("The best day of the week for appointments."),
    )
    preferred_time = models.CharField(
        _("Preferred Time"),
        max_length=10,
        blank=True,
        choices=PreferredTime.choices,
        help_text=_("The best time of day for appointments."),
    )
    payment_terms = models.CharField(
        _("Payment Terms"),
        max_length=20,
        blank=True,
        choices=PaymentTerms.choices,
        help_text=_("When invoices to the company are due."),
    )
    credit_limit = money_field(_("Credit Limit"), _("The most the company may owe at once, in your currency."))
    credit_on_hold = models.BooleanField(
        _("Credit Hold"), default=False, help_text=_("Tick to stop new credit until the hold is lifted.")
    )
    annual_revenue = money_field(_("Annual Revenue"), _("The company's yearly revenue, in your currency."))
    market_cap = money_field(_("Market Capitalization"), _("Market value of the company's shares."))
    number_of_employees = count_field(_("Number of Employees"), _("How many people the company employs."))
    shares_outstanding = count_field(_("Shares Outstanding"), _("Number of shares the company has issued."))
    description = models.TextField(
        _("Description"),
        max_length=2000,
        blank=True,
        help_text=_("Anything worth knowing about the company (up to 2,000 characters)."),
    )
    do_not_email = do_not_field(_("Do not allow Emails"), _("Tick if the company must not be emailed."))
    do_not_bulk_email = do_not_field(
        _("Do not allow Bulk Emails"), _("Tick to leave the company out of marketing mailings.")
    )
    do_not_phone = do_not_field(_("Do not allow Phone Calls"), _("Tick if the company must not be phoned."))
    do_not_fax = do_not_field(_("Do not allow Faxes"), _("Tick if the company must not be sent faxes."))
    do_not_postal_mail = do_not_field(_("Do not allow Mails"), _("Tick if the company must not be sent post."))

    objects = AccountQuerySet.as_manager()

    SORT_NAMES = {**CustomerRecord.SORT_NAMES, "primary_contact_name": ("primary_contact", "full_name")}
    # Fields duplicate rules can compare: field -> (its key column, the kind of key).
    DUPLICATE_KEYS = {"name": ("name_key", NAME), "emailaddress1": ("email_key", EMAIL)}

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name", "id"]
        permissions = [
            ("import_account", _("Can import accounts")),
            ("export_account", _("Can export accounts")),
        ]
        constraints = [one_owner("account")]
        indexes = [
            *scope_indexes("account", "name"),
            models.Index(fields=["name", "id"], name="account_name_idx"),
            # Duplicate rules: an exact match on a key is one probe.
            models.Index(fields=["name_key"], name="account_name_key_idx"),
            models.Index(fields=["email_key"], name="account_email_key_idx"),
            # Deleting a record sets merged_into to NULL on the records merged into it: without
            # an index that is a scan of the whole table for each delete (minutes at 1M). Few
            # rows have one, so the index holds only those.
            models.Index(
                fields=["merged_into"], name="account_merged_into_idx", condition=Q(merged_into__isnull=False)
            ),
            # The views in list order, carrying the search text: quick find for a common term
            # walks them and stops at a page of matches, reading no table row.
            models.Index(fields=["status", "name", "id"], include=["search_text"], name="account_status_name_idx"),
            models.Index(
                fields=["owner", "status", "name", "id"], include=["search_text"], name="account_owner_status_name_idx"
            ),
            # Every sortable column of the list, with the id as tie-breaker (the list's order).
            # Status needs none: a view holds one status, so its status order is the id order.
            models.Index(fields=["account_number", "id"], name="account_number_idx"),
            models.Index(fields=["telephone1", "id"], name="account_phone_idx"),
            models.Index(fields=["address1_city", "id"], name="account_city_idx"),
            models.Index(fields=["emailaddress1", "id"], name="account_email_idx"),
            models.Index(fields=["owner_name", "id"], name="account_owner_name_idx"),
            models.Index(fields=["primary_contact_name", "id"], name="account_primary_contact_idx"),
            # The A-Z bar: one first letter's rows of a view, already in list order.
            models.Index(F("status"), first_letter("name"), F("name"), F("id"), name="account_letter_idx"),
            models.Index(
                F("owner"), F("status"), first_letter("name"), F("name"), F("id"), name="account_owner_letter_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An account can't be its own parent.")})
        if self.pk is not None and self.pk in chain_ids(Account, start=self.parent_id, link="parent"):
            raise ValidationError(
                {
                    "parent": _("%(parent)s is already below this account; choose another parent.")
                    % {"parent": self.parent}
                }
            )
