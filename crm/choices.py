"""Choice lists shared by accounts and contacts, with the labels users know from D365."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class PreferredContactMethod(models.TextChoices):
    ANY = "any", _("Any")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    MAIL = "mail", _("Mail")


class PreferredDay(models.TextChoices):
    SUNDAY = "sunday", _("Sunday")
    MONDAY = "monday", _("Monday")
    TUESDAY = "tuesday", _("Tuesday")
    WEDNESDAY = "wednesday", _("Wednesday")
    THURSDAY = "thursday", _("Thursday")
    FRIDAY = "friday", _("Friday")
    SATURDAY = "saturday", _("Saturday")


class PreferredTime(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class PaymentTerms(models.TextChoices):
    NET_30 = "net30", _("Net 30")
    DISCOUNT_2_10_NET_30 = "2_10_net30", _("2% 10 Net 30")
    NET_45 = "net45", _("Net 45")
    NET_60 = "net60", _("Net 60")


class AddressType(models.TextChoices):
    BILL_TO = "bill_to", _("Bill To")
    SHIP_TO = "ship_to", _("Ship To")
    PRIMARY = "primary", _("Primary")
    OTHER = "other", _("Other")


class ShippingMethod(models.TextChoices):
    AIRBORNE = "airborne", _("Airborne")
    DHL = "dhl", _("DHL")
    FEDEX = "fedex", _("FedEx")
    UPS = "ups", _("UPS")
    POSTAL_MAIL = "postal_mail", _("Postal Mail")
    FULL_LOAD = "full_load", _("Full Load")
    WILL_CALL = "will_call", _("Will Call")


class FreightTerms(models.TextChoices):
    FOB = "fob", _("FOB")
    NO_CHARGE = "no_charge", _("No Charge")
