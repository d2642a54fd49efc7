from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.models import one_owner, scope_indexes
from crm.choices import PreferredContactMethod
from crm.models import (
    Address1,
    Address2,
    CustomerRecord,
    CustomerRecordQuerySet,
    NameField,
    WebsiteField,
    chain_ids,
    count_field,
    do_not_field,
    email_field,
    first_letter,
    phone_field,
    search_text_of,
)
from duplicates.keys import EMAIL, PERSON_NAME, email_key_column, name_key_column


class Role(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision Maker")
    EMPLOYEE = "employee", _("Employee")
    INFLUENCER = "influencer", _("Influencer")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


LIST_FIELDS = [
    "full_name",
    "emailaddress1",
    "telephone1",
    "job_title",
    "status",
    "owner_id",
    "owner_team_id",
    "owner_name",
    "company_id",
    "company_name",
]


class ContactQuerySet(CustomerRecordQuerySet):
    def with_list_columns(self):
        # Only what the list shows or sorts by, linked records by the row's copies of their
        # names (which the list sorts by too): 51 small rows, no owner or company objects.
        return self.only(*LIST_FIELDS)


def compose_full_name(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


class Contact(Address1, Address2, CustomerRecord):
    salutation = models.CharField(
        _("Salutation"), max_length=100, blank=True, help_text=_("How to address the person, e.g. Ms. or Dr.")
    )
    first_name = models.CharField(_("First Name"), max_length=50, blank=True, help_text=_("Given name. Recommended."))
    middle_name = models.CharField(_("Middle Name"), max_length=50, blank=True, help_text=_("Middle name or initial."))
    last_name = models.CharField(_("Last Name"), max_length=50, help_text=_("Family name. Required."))
    suffix = models.CharField(_("Suffix"), max_length=10, blank=True, help_text=_("e.g. Jr., Sr. or III."))
    nickname = models.CharField(
        _("Nickname"), max_length=100, blank=True, help_text=_("The name the person goes by, if different.")
    )
    # Stored and indexed so lists sort and search on it cheaply; built from the name parts.
    full_name = NameField(_("Full Name"), max_length=220, editable=False)
    job_title = models.CharField(
        _("Job Title"), max_length=100, blank=True, help_text=_("The person's title, e.g. Purchasing Manager.")
    )
    department = models.CharField(
        _("Department"), max_length=100, blank=True, help_text=_("The department the person works in.")
    )
    company = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("Company Name"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        help_text=_("The account the person works for. Must be active."),
    )
    company_name = NameField(_("Company Name (copy)"), max_length=160, blank=True, editable=False)
    # What quick find searches: the person's name, email, phones and company (its copied name).
    search_text = search_text_of("full_name", "emailaddress1", "telephone1", "mobile_phone", "company_name")
    role = models.CharField(
        _("Role"),
        max_length=20,
        blank=True,
        choices=Role.choices,
        help_text=_("The person's part in buying decisions."),
    )
    emailaddress1 = email_field(_("Email"), _("The person's main email address. Imports can match on it."))
    emailaddress2 = email_field(_("Email Address 2"), _("A second email address."))
    # Normalised copies that duplicate rules compare (duplicates.keys), kept by the database.
    first_name_key = name_key_column("first_name", company=False)
    last_name_key = name_key_column("last_name", company=False)
    email_key = email_key_column("emailaddress1")
    emailaddress3 = email_field(_("Email Address 3"), _("A third email address."))
    telephone1 = phone_field(_("Business Phone"), _("Work phone number."))
    telephone2 = phone_field(_("Home Phone"), _("Home phone number."))
    mobile_phone = phone_field(_("Mobile Phone"), _("Mobile phone number."))
    fax = phone_field(_("Fax"), _("Fax number."))
    website = WebsiteField(
        _("Website"), max_length=200, blank=True, help_text=_("A personal or profile page, e.g. https://...")
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("Manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        help_text=_("The contact this person reports to, at the same company. Must be active."),
    )
    assistant_name = models.CharField(
        _("Assistant"), max_length=100, blank=True, help_text=_("Name of the person's assistant.")
    )
    assistant_phone = phone_field(_("Assistant Phone"), _("Phone number of the assistant."))
    preferred_contact_method = models.CharField(
        _("Preferred Method of Contact"),
        max_length=10,
        blank=True,
        choices=PreferredContactMethod.choices,
        help_text=_("How the person prefers to be contacted."),
    )
    gender = models.CharField(_("Gender"), max_length=10, blank=True, choices=Gender.choices, help_text=_("Optional."))
    marital_status = models.CharField(
        _("Marital Status"), max_length=10, blank=True, choices=MaritalStatus.choices, help_text=_("Optional.")
    )
    birthday = models.DateField(_("Birthday"), null=True, blank=True, help_text=_("Date of birth."))
    anniversary = models.DateField(
        _("Anniversary"), null=True, blank=True, help_text=_("Wedding or service anniversary.")
    )
    spouse_name = models.CharField(
        _("Spouse/Partner Name"), max_length=100, blank=True, help_text=_("Name of the person's spouse or partner.")
    )
    children_names = models.CharField(
        _("Children's Names"), max_length=255, blank=True, help_text=_("Names of the person's children.")
    )
    number_of_children = count_field(_("No. of Children"), _("How many children the person has."))
    description = models.TextField(
        _("Description"),
        max_length=2000,
        blank=True,
        help_text=_("Anything worth knowing about the person (up to 2,000 characters)."),
    )
    do_not_email = do_not_field(_("Do not allow Emails"), _("Tick if the person must not be emailed."))
    do_not_bulk_email = do_not_field(
        _("Do not allow Bulk Emails"), _("Tick to leave the person out of marketing mailings.")
    )
    do_not_phone = do_not_field(_("Do not allow Phone Calls"), _("Tick if the person must not be phoned."))
    do_not_fax = do_not_field(_("Do not allow Faxes"), _("Tick if the person must not be sent faxes."))
    do_not_postal_mail = do_not_field(_("Do not allow Mails"), _("Tick if the person must not be sent post."))

    objects = ContactQuerySet.as_manager()

    SORT_NAMES = {**CustomerRecord.SORT_NAMES, "company_name": ("company", "name")}
    # Fields duplicate rules can compare: field -> (its key column, the kind of key).
    DUPLICATE_KEYS = {
        "first_name": ("first_name_key", PERSON_NAME),
        "last_name": ("last_name_key", PERSON_NAME),
        "emailaddress1": ("email_key", EMAIL),
    }

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name", "id"]
        permissions = [
            ("import_contact", _("Can import contacts")),
            ("export_contact", _("Can export contacts")),
        ]
        constraints = [one_owner("contact")]
        indexes = [
            *scope_indexes("contact", "full_name"),
            models.Index(fields=["full_name", "id"], name="contact_full_name_idx"),
            # Duplicate rules: an exact match on a key is one probe (the last name is the
            # rarer half of first + last name).
            models.Index(fields=["last_name_key", "first_name_key"], name="contact_name_key_idx"),
            models.Index(fields=["email_key"], name="contact_email_key_idx"),
            # "Same first name + similar last name" (a rule an administrator may add): an import
            # row reads the active contacts of its first name in last name order, from the index
            # alone, until one is similar (duplicates.batch), instead of pg_trgm comparing it with
            # every contact of that first name.
            models.Index(
                fields=["first_name_key", "last_name_key"],
                name="contact_first_name_key_idx",
                condition=Q(status="active"),
                include=["id"],  # the probe returns the id: read from the index alone
            ),
            # Deleting a record sets merged_into to NULL on the records merged into it: without
            # an index that is a scan of the whole table for each delete (minutes at 1M). Few
            # rows have one, so the index holds only those.
            models.Index(
                fields=["merged_into"], name="contact_merged_into_idx", condition=Q(merged_into__isnull=False)
            ),
            # The views in list order, carrying the search text: quick find for a common term
            # walks them and stops at a page of matches, reading no table row.
            models.Index(fields=["status", "full_name", "id"], include=["search_text"], name="contact_status_name_idx"),
            models.Index(
                fields=["owner", "status", "full_name", "id"],
                include=["search_text"],
                name="contact_owner_status_name_idx",
            ),
            # Every sortable column of the list, with the id as tie-breaker (the list's order).
            # Status needs none: a view holds one status, so its status order is the id order.
            models.Index(fields=["emailaddress1", "id"], name="contact_email_idx"),
            models.Index(fields=["telephone1", "id"], name="contact_phone_idx"),
            models.Index(fields=["job_title", "id"], name="contact_job_title_idx"),
            models.Index(fields=["owner_name", "id"], name="contact_owner_name_idx"),
            models.Index(fields=["company_name", "id"], name="contact_company_name_idx"),
            # The A-Z bar: one first letter's rows of a view, already in list order.
            models.Index(F("status"), first_letter("full_name"), F("full_name"), F("id"), name="contact_letter_idx"),
            models.Index(
                F("owner"),
                F("status"),
                first_letter("full_name"),
                F("full_name"),
                F("id"),
                name="contact_owner_letter_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    def refresh_full_name(self) -> None:
        self.full_name = compose_full_name(self.first_name, self.middle_name, self.last_name, self.suffix)

    def save(self, *args, **kwargs) -> None:
        # full_name is derived data, not business logic: keep it true on every save.
        self.refresh_full_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "middle_name", "last_name", "suffix"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "full_name"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.manager_id is None:
            return
        if self.pk is not None and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A contact can't be their own manager.")})
        if self.pk is not None and self.pk in chain_ids(Contact, start=self.manager_id, link="manager"):
            raise ValidationError(
                {
                    "manager": _("%(manager)s already reports to this contact; choose another manager.")
                    % {"manager": self.manager}
                }
            )
        if self.manager.company_id != self.company_id:
            raise ValidationError({"manager": _("The manager must work at the same company as the contact.")})
