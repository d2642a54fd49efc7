"""Numbers, dates and money the way the user's language writes them: read from what a person
types (forms) or a file holds (imports), and shown on pages. One reading for both, so that a
value a French user types in a form imports the same way from their spreadsheet.

Django's formats (django/conf/locale/<lang>/formats.py) give the separators; French writes
1 234,56 (with a no-break or narrow no-break space, as its own formatting produces) and
31/12/2026, English 1,234.56 and 12/31/2026.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats, timezone
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# Every space a person or a formatting library puts between groups of digits.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_CURRENCY = re.compile(r"[$€£¥]|EUR|USD|GBP|CHF", re.IGNORECASE)
# One separator followed by exactly three digits: "1,234" or "1.234", a thousands separator
# in one language and a decimal one in the other.
_GROUP_OF_THREE = re.compile(r"-?\d{1,3}[.,]\d{3}")
# Slash dates, with the day or the month first according to the language.
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d+)")
# "Money": a symbol and an amount, in the order and spacing of the language ("€1,234.56",
# "1 234,56 €").
MONEY = gettext_lazy("%(symbol)s%(amount)s")


class FormatError(ValueError):
    """A value that can't be read; the message says why and how to write it."""


def _decimal_separator() -> str:
    return formats.get_format("DECIMAL_SEPARATOR")


def parse_number(text: str) -> Decimal:
    """A number as the user's language writes it, or FormatError.

    Spaces of any kind and currency symbols are ignored. With both "," and "." the last one
    is the decimal separator (1,234.56 or 1.234,56); a separator that appears several times
    groups thousands. A single one before exactly three digits ("1,234") is read with the
    language's decimal separator; in French "1.234" could be either, so it is refused.
    """
    cleaned = _CURRENCY.sub("", _SPACES.sub("", text))
    decimal = _decimal_separator()
    if "," in cleaned and "." in cleaned:
        thousands = "," if cleaned.rfind(",") < cleaned.rfind(".") else "."
        cleaned = cleaned.replace(thousands, "").replace(",", ".")
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        cleaned = cleaned.replace(",", "").replace(".", "")
    elif _GROUP_OF_THREE.fullmatch(cleaned):
        separator = "," if "," in cleaned else "."
        if separator != decimal and decimal == ",":
            raise FormatError(
                _("“%(value)s” is ambiguous: write %(thousands)s for thousands or %(decimal)s for a decimal number.")
                % {"value": text, "thousands": cleaned.replace(separator, ""), "decimal": cleaned.replace(".", ",")}
            )
        cleaned = cleaned.replace(",", ".") if separator == decimal else cleaned.replace(separator, "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise FormatError(_("“%(value)s” is not a number.") % {"value": text})
    return value


def parse_date(text: str) -> datetime.date:
    """A date as the user's language writes it (31/12/2026 in French, 12/31/2026 in
    English), or in ISO form (2026-12-31), or FormatError."""
    text = text.strip()
    day_first = any(pattern.startswith("%d/") for pattern in formats.get_format("DATE_INPUT_FORMATS"))
    slash = _SLASH_DATE.fullmatch(text)
    if slash:
        first, second, year = slash.groups()
        if len(year) != 4:
            raise FormatError(_("“%(value)s” is ambiguous: write the year with four digits.") % {"value": text})
        day, month = (first, second) if day_first else (second, first)
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
    else:
        for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time zone
            except ValueError:
                continue
    example = formats.date_format(datetime.date(1980, 4, 23), "SHORT_DATE_FORMAT")
    raise FormatError(
        _("“%(value)s” is not a date: write it as %(example)s or 1980-04-23.") % {"value": text, "example": example}
    )


def money(amount: Decimal, symbol: str) -> str:
    """An amount with two decimals, grouped, in the language's order: 1 234,56 € or €1,234.56."""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return MONEY % {"symbol": symbol, "amount": number}


def number(value) -> str:
    """A count or measure as the language writes it, grouped: 1 234 or 1,234; 47,6 or 47.6."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def local_datetime(value: datetime.datetime, format_name: str = "DATETIME_FORMAT") -> str:
    """A moment as {{ value }} shows it: in the current time zone, in the language's
    DATETIME_FORMAT ("Dec. 1, 2026, 4:46 a.m.", "1 décembre 2026 04:46"), or another of its
    formats (SHORT_DATETIME_FORMAT: "12/01/2026 4:46 a.m.", "01/12/2026 04:46"). The same text
    as Django's date_format, twice as fast: the format is split once per language, and the
    words (month names, a.m., noon) translated once per language and month or minute of the
    day. A timeline page shows 40 moments, a list page 50; each cost two gettext calls and a
    parse of the format."""
    moment = _WordsOnce(timezone.localtime(value))
    pieces = _datetime_format(get_language(), format_name)
    return "".join(str(getattr(moment, piece)()) if code else piece for code, piece in pieces)


@functools.cache
def _datetime_format(language: str, format_name: str) -> tuple[tuple[bool, str], ...]:
    """The language's format `format_name` as (is a format character, text) pieces."""
    pieces = re_formatchars.split(str(formats.get_format(format_name)))
    return tuple(
        (True, piece) if index % 2 else (False, re_escaped.sub(r"\1", piece))
        for index, piece in enumerate(pieces)
        if index % 2 or piece
    )


@functools.cache
def _time_words(language: str, hour: int, minute: int) -> str:
    return TimeFormat(datetime.time(hour, minute)).P()


@functools.cache
def _month_words(language: str, month: int, code: str) -> str:
    return str(getattr(DateFormat(datetime.date(2000, month, 1)), code)())


class _WordsOnce(DateFormat):
    """DateFormat with its translated words looked up once per language (see local_datetime)."""

    def P(self) -> str:  # noqa: N802 - Django's format character
        return _time_words(get_language(), self.data.hour, self.data.minute)

    def N(self) -> str:  # noqa: N802
        return _month_words(get_language(), self.data.month, "N")

    def F(self) -> str:  # noqa: N802
        return _month_words(get_language(), self.data.month, "F")

    def b(self) -> str:
        return _month_words(get_language(), self.data.month, "b")

    def E(self) -> str:  # noqa: N802
        return _month_words(get_language(), self.data.month, "E")

    def M(self) -> str:  # noqa: N802
        return _month_words(get_language(), self.data.month, "M")


def display(field, value):
    """A stored value as the user's language shows it: money with the currency, numbers
    grouped, dates in words; anything else as it is."""
    if getattr(field, "is_money", False):
        return money(value, settings.CURRENCY_SYMBOL)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, datetime.datetime):
        return local_datetime(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value
