"""Lead: the smallest record type, to show that one is its own app plus settings and urls."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import CustomerRecord, CustomerRecordQuerySet, email_field, search_text_of


class LeadQuerySet(CustomerRecordQuerySet):
    def with_list_columns(self):
        return self.select_related("owner", "company")


class Lead(CustomerRecord):
    name = models.CharField(_("Topic"), max_length=200, help_text=_("What the lead is interested in."))
    emailaddress1 = email_field(_("Email"), _("Where to write to the lead."))
    company = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("Company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text=_("The account the lead comes from, if known."),
    )
    search_text = search_text_of("name", "emailaddress1")

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["name", "id"]
        permissions = [("import_lead", _("Can import leads")), ("export_lead", _("Can export leads"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.pk])
