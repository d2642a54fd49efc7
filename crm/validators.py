from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible(path="crm.validators.PhoneNumberValidator")
class PhoneNumberValidator(RegexValidator):
    """Real-world numbers come as "(555) 010-2030", "+44 (0)20 7946 0958", "555.0100 ext. 12"
    or "0800/123 456": digits with the usual separators (a bracket may come first) and an
    optional extension, at least three digits in all. Letters and junk are refused; what was
    typed is stored as typed (D365 keeps phones as free text).

    A class, so migrations name it instead of copying its pattern: changing the rule later
    needs no migration.
    """

    regex = r"(?i)^(?=(?:\D*\d){3})\+?[0-9(][0-9 ().\-/]{1,38}[0-9)]\s*((x|ext\.?|extension)\s*[0-9]{1,6})?$"
    message = _(
        "Enter a phone number made of digits, spaces and + ( ) - . / "
        "with an optional extension, e.g. (555) 010-2030 or +1 (425) 555-0100 ext. 12."
    )


phone_validator = PhoneNumberValidator()
