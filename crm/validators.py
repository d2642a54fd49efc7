from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Real-world numbers come as "+33 (0)1 42 68 53 00", "555.0100 ext. 12" or "0800/123 456":
# accept digits with the usual separators and an optional extension, refuse letters and junk.
phone_validator = RegexValidator(
    regex=r"(?i)^\+?[0-9][0-9 ().\-/]{1,38}[0-9)]\s*((x|ext\.?|extension)\s*[0-9]{1,6})?$",
    message=_(
        "Enter a phone number made of digits, spaces and + ( ) - . / "
        "with an optional extension, e.g. +1 (425) 555-0100 ext. 12."
    ),
)
