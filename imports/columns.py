"""The columns of an import or export file: which field each one fills, the header a user
sees, and how a cell becomes a value and back. One vocabulary for the Import Data page, the
admin's resources and the list exports, so a file exported anywhere imports back anywhere.

A column is of one kind, a class here (text, choice, yes/no, number, date, owner, link to
another record, record ID), which owns the kind's parsing, the text an export writes, and
that text rendered by the database for the PostgreSQL export path (`sql`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, DateTimeField, F, Func, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Concat, NullIf
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crm import formats

# Spreadsheet programs run a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"yes", "true", "1", "y", "x", "oui", "vrai", "do not allow"}
FALSE_WORDS = {"no", "false", "0", "n", "", "non", "faux", "allow"}
# D365 logical names that differ from ours once underscores are dropped.
D365_NAMES = {
    "website": ["websiteurl"],
    "emailaddress1": ["e-mail", "email address", "e-mail address"],
    "parent": ["parentaccountid", "parentaccount"],
    "company": ["parentcustomerid", "companyname", "company"],
    "owner": ["ownerid"],
    "sic_code": ["sic"],
    "relationship_type": ["customertypecode"],
    "industry": ["industrycode"],
    "ownership": ["ownershipcode"],
    "category": ["accountcategorycode"],
    "preferred_contact_method": ["preferredcontactmethodcode"],
    "preferred_day": ["preferredappointmentdaycode"],
    "preferred_time": ["preferredappointmenttimecode"],
    "payment_terms": ["paymenttermscode"],
    "role": ["accountrolecode"],
    "gender": ["gendercode"],
    "marital_status": ["familystatuscode"],
    "birthday": ["birthdate"],
    "spouse_name": ["spousesname"],
    "children_names": ["childrensnames"],
    "annual_revenue": ["revenue"],
    "address1_postal_code": ["address1postalcode"],
    "address2_postal_code": ["address2postalcode"],
}


class CellError(ValueError):
    """A cell that can't become a value; the message says why, for the failed-rows report."""


def normalise_header(header: object) -> str:
    """Headers compare without case, surrounding or repeated spaces, or a BOM."""
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell_text(raw: object) -> str:
    """A cell as text: spreadsheet numbers without a spurious ".0", dates in ISO form, and the
    apostrophe our exports add against formula injection taken off again."""
    # Text first: every cell of a text file and most of a spreadsheet's are strings.
    if type(raw) is str:
        text = raw.strip()
    elif raw is None:
        return ""
    else:
        if isinstance(raw, bool):
            return _("Yes") if raw else _("No")
        if isinstance(raw, float):
            raw = int(raw) if raw.is_integer() else Decimal(repr(raw))
        if isinstance(raw, datetime.datetime):
            raw = raw.date() if raw.time() == datetime.time() else raw
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        text = str(raw).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def parse_decimal(text: str) -> Decimal:
    """A number as the importing user's language writes it (see crm.formats.parse_number)."""
    try:
        return formats.parse_number(text)
    except formats.FormatError as error:
        raise CellError(str(error)) from None


def parse_date(raw: object, text: str) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    try:
        return formats.parse_date(text)
    except formats.FormatError as error:
        raise CellError(str(error)) from None


def in_every_language(text) -> set[str]:
    """A label in each of the site's languages: a file in French or English maps either way."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(str(text))
    return found


TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)


class FormulaGuarded(Func):
    """neutralise() in SQL: a leading apostrophe on a text that starts like a formula. ascii()
    of the first character is the cheapest test PostgreSQL has. An empty text becomes NULL."""

    template = (
        f"CASE WHEN ascii(%(expressions)s) IN ({TRIGGER_CODES}) THEN '''' || %(expressions)s "
        "ELSE NULLIF(%(expressions)s, '') END"
    )
    output_field = TextField()


class IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


@dataclass(frozen=True)
class Column:
    """One importable field. Subclasses are the kinds; this base converts nothing, so it
    serves the kinds whose cell is the number or text itself."""

    field: models.Field
    extra_names: tuple[str, ...] = ()
    # Written as a number in spreadsheets.
    number = False
    # Its export text is a name people typed (a linked record's, a user's): guarded against
    # formulas when written, as text columns are.
    typed_name = False

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def label(self) -> str:
        return str(self.field.verbose_name)

    def header_names(self) -> set[str]:
        """Every header that means this column: its label in every language, its names."""
        names = {*in_every_language(self.field.verbose_name), self.name, self.name.replace("_", ""), *self.extra_names}
        return {normalise_header(name) for name in names}

    # Reading ---------------------------------------------------------------------------

    def parse(self, raw: object) -> object:
        """The value to store for a cell, or CellError. Links return their key text."""
        text = cell_text(raw)
        if not text:
            if self.field.has_default() and not self.field.blank:
                return self.field.get_default()  # an activity's status, its priority
            if not self.field.blank:
                raise CellError(self.problem(_("This field is required.")))
            return None if self.field.null else ""
        try:
            value = self.convert(raw, text)
            self.validate(value)
        except CellError as error:
            raise CellError(self.problem(str(error))) from None
        except ValidationError as error:
            raise CellError(self.problem(" ".join(error.messages))) from None
        return value

    def convert(self, raw: object, text: str) -> object:
        """The value of a non-empty cell, before the field's validators see it."""
        return text

    @cached_property
    def checks(self) -> tuple[int | None, bool, tuple]:
        """The field's validators, split into the two every text field has (a length limit,
        no NUL character), which a plain comparison checks, and the others."""
        max_length = None
        no_nul = False
        others = []
        for validator in self.field.validators:
            if type(validator) is validators.MaxLengthValidator and isinstance(validator.limit_value, int):
                max_length = validator.limit_value
            elif type(validator) is validators.ProhibitNullCharactersValidator:
                no_nul = True
            else:
                others.append(validator)
        return max_length, no_nul, tuple(others)

    def validate(self, value: object) -> None:
        """What field.run_validators checks, at a fraction of its cost per cell (it runs
        every validator inside its own try); any failure is reported by run_validators
        itself, so the messages are Django's, every one of them."""
        max_length, no_nul, others = self.checks
        try:
            if (max_length is not None and len(value) > max_length) or (no_nul and "\x00" in value):
                raise ValidationError("")
            for validator in others:
                validator(value)
        except ValidationError:
            self.field.run_validators(value)

    def problem(self, message: str) -> str:
        return _("%(field)s: %(message)s") % {"field": self.label, "message": message}

    # Writing ---------------------------------------------------------------------------

    def render(self, record) -> object:
        """The cell an export writes: what a person reads and what import reads back."""
        return self.render_value(getattr(record, self.name))

    def render_value(self, value) -> object:
        if value is None:
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def text_renderer(self) -> Callable[[object], str]:
        """render_value as text (a number as its digits), for the stored value `value_lookup`
        reads (a related record as its name), made once per export: labels are looked up and
        translated once, not once per cell."""
        render = self.render_value
        return lambda value: "" if value is None else str(render(value))

    def value_lookup(self) -> str:
        """What an export reads for this column with values_list()."""
        return self.name

    def sql(self) -> Expression:
        """The text text_renderer gives, rendered by the database (PostgreSQL exports);
        formula-guarded where exports.export_rows guards it; NULL for an empty cell."""
        return Cast(F(self.name), TextField())


class TextColumn(Column):
    def render_value(self, value) -> object:
        return "" if value is None else value

    def text_renderer(self) -> Callable[[object], str]:
        return lambda value: "" if value is None else value

    def sql(self) -> Expression:
        return FormulaGuarded(F(self.name))


class WebsiteColumn(TextColumn):
    def convert(self, raw: object, text: str) -> object:
        # As the form does: a website typed without a scheme means https.
        return text if "://" in text else f"https://{text}"


class ChoiceColumn(Column):
    @cached_property
    def choice_values(self) -> dict[str, str]:
        """Choice label (any case, any language) or stored value -> stored value."""
        found: dict[str, str] = {}
        for value, label in self.field.choices or []:
            for key in (value, *in_every_language(label)):
                found[normalise_header(key)] = value
        return found

    def convert(self, raw: object, text: str) -> object:
        try:
            return self.choice_values[normalise_header(text)]
        except KeyError:
            allowed = ", ".join(str(label) for _value, label in self.field.choices)
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            ) from None

    def render_value(self, value) -> object:
        return str(dict(self.field.choices).get(value, value)) if value else ""

    def text_renderer(self) -> Callable[[object], str]:
        labels = {value: str(label) for value, label in self.field.choices}
        return lambda value: labels.get(value, value) if value else ""

    def sql(self) -> Expression:
        name = self.name
        labels = [When(**{name: value}, then=Value(str(label))) for value, label in self.field.choices if value]
        return NullIf(Case(*labels, default=F(name), output_field=TextField()), Value(""), output_field=TextField())


class BooleanColumn(Column):
    def parse(self, raw: object) -> bool:
        text = cell_text(raw)
        lowered = text.casefold()
        if lowered in TRUE_WORDS or lowered == _("Yes").casefold():
            return True
        if lowered in FALSE_WORDS or lowered == _("No").casefold():
            return False
        raise CellError(self.problem(_("“%(value)s” is not yes or no.") % {"value": text}))

    def render_value(self, value) -> object:
        return _("Yes") if value else _("No")

    def text_renderer(self) -> Callable[[object], str]:
        yes, no = _("Yes"), _("No")
        return lambda value: yes if value else no

    def sql(self) -> Expression:
        yes = When(**{self.name: True}, then=Value(_("Yes")))
        return Case(yes, default=Value(_("No")), output_field=TextField())


class DecimalColumn(Column):
    number = True

    def convert(self, raw: object, text: str) -> object:
        value = parse_decimal(text)
        if isinstance(raw, float):
            # A spreadsheet number carries binary noise (0.1 + 0.2); typed text is kept as is.
            value = round(value, self.field.decimal_places)
        return value


class IntegerColumn(Column):
    number = True

    def convert(self, raw: object, text: str) -> object:
        value = parse_decimal(text)
        if value != value.to_integral_value():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(value)


class DateColumn(Column):
    def convert(self, raw: object, text: str) -> object:
        return parse_date(raw, text)

    def sql(self) -> Expression:
        return IsoDate(F(self.name))


class DateTimeColumn(Column):
    """A moment, written as the server's time zone (TIME_ZONE) reads it, "YYYY-MM-DD HH:MM":
    what a spreadsheet takes for a date and time, and a person for the time it happened."""

    def convert(self, raw: object, text: str) -> object:
        if isinstance(raw, datetime.datetime):
            moment = raw
        else:
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise CellError(
                    _("“%(value)s” is not a date and time like 2026-03-31 14:30.") % {"value": text}
                ) from None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def render_value(self, value) -> object:
        return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def sql(self) -> Expression:
        local = Func(Value(settings.TIME_ZONE), F(self.name), function="timezone", output_field=DateTimeField())
        return Func(local, template="to_char(%(expressions)s, 'YYYY-MM-DD HH24:MI')", output_field=TextField())


class LinkColumn(Column):
    """A link to one record, written as a name a person recognises. A cell is read as its
    text; imports.rules resolves it to a record, in bulk or one at a time."""

    typed_name = True

    @property
    def shown_as(self) -> str:
        """The attribute of the linked record an export writes."""
        raise NotImplementedError

    def parse(self, raw: object) -> str:
        return cell_text(raw)

    def render_value(self, value) -> object:
        return getattr(value, self.shown_as) if value is not None else ""

    def text_renderer(self) -> Callable[[object], str]:
        return lambda value: "" if value is None else value

    def value_lookup(self) -> str:
        return f"{self.name}__{self.shown_as}"

    def sql(self) -> Expression:
        return FormulaGuarded(F(self.value_lookup()))


class OwnerColumn(LinkColumn):
    """The record's owner, written as their user name."""

    @property
    def shown_as(self) -> str:
        return get_user_model().USERNAME_FIELD


class RecordLinkColumn(LinkColumn):
    """A link to another customer record (a contact's company, a parent account), written as
    the linked record's name (its first match key); on re-import a repeated name keeps the
    record already linked."""

    @property
    def target(self) -> type[models.Model]:
        return self.field.related_model

    @property
    def shown_as(self) -> str:
        from imports.entities import entity_for

        return entity_for(self.target).link_name


class RecordIdColumn(Column):
    """The record's own ID, written "account:17": exports carry it, so that an exported file
    imported back updates the very records it came from, even those whose match key (a
    contact's email) is empty. The record type is part of the value, so that an ID never
    matches a record of another type; imports never write it, they only match on it."""

    @property
    def prefix(self) -> str:
        return f"{self.field.model._meta.model_name}:"

    @property
    def label(self) -> str:
        # Like D365's "(Do Not Modify) Account" column, and named apart from other systems'
        # "Account ID"/"Record ID" columns, whose values are not ours to match on.
        return _("(Do Not Modify) %(record_type)s ID") % {"record_type": capfirst(self.field.model._meta.verbose_name)}

    def header_names(self) -> set[str]:
        return {normalise_header(label) for label in in_every_language(lazy(lambda: self.label, str)())}

    def parse(self, raw: object) -> int | None:
        """The record id of a cell, None for an empty one; CellError for anything else."""
        text = cell_text(raw)
        if not text:
            return None
        record_id = self.id_in(text)
        if record_id is None:
            raise CellError(
                self.problem(
                    _(
                        "“%(value)s” is not a valid ID here: IDs in this column look like “%(example)s”. "
                        "Leave it empty to add the row as a new record."
                    )
                    % {"value": text, "example": f"{self.prefix}123"}
                )
            )
        return record_id

    def id_in(self, text: str) -> int | None:
        """The record id `text` writes ("account:17"), None if it writes none."""
        prefix, _colon, number = "".join(text.split()).casefold().partition(":")
        if f"{prefix}:" != self.prefix or not (number.isascii() and number.isdigit()) or len(number) > 18:
            return None
        return int(number)

    def render_value(self, value) -> object:
        return "" if value is None else f"{self.prefix}{value}"

    def sql(self) -> Expression:
        return Concat(Value(self.prefix), Cast(F(self.name), TextField()), output_field=TextField())

    def unknown(self, record_id: int) -> str:
        """Why a row naming `record_id` fails when no such record exists (any more)."""
        return self.problem(
            _(
                "no record has the ID “%(value)s”: it may have been deleted. "
                "Leave the cell empty to add the row as a new record."
            )
            % {"value": self.render_value(record_id)}
        )


def column_class(model_field: models.Field) -> type[Column]:
    if model_field.is_relation:
        return OwnerColumn if model_field.name == "owner" else RecordLinkColumn
    if model_field.choices:
        return ChoiceColumn
    if isinstance(model_field, models.BooleanField):
        return BooleanColumn
    if isinstance(model_field, models.DecimalField):
        return DecimalColumn
    if isinstance(model_field, models.IntegerField):
        return IntegerColumn
    if isinstance(model_field, models.DateTimeField):
        return DateTimeColumn
    if isinstance(model_field, models.DateField):
        return DateColumn
    if isinstance(model_field, models.URLField):
        return WebsiteColumn
    return TextColumn


def columns_for(model: type[models.Model], field_names: list[str]) -> tuple[Column, ...]:
    columns = []
    for name in field_names:
        field = model._meta.get_field(name)
        columns.append(column_class(field)(field, tuple(D365_NAMES.get(name, ()))))
    return tuple(columns)


# An export masks the names of linked records its reader may not read (a contact's company
# in another business unit): imports.exports.mask_unreadable_links puts on the records, under
# this hint, per column name, the condition under which the link may be named and the text to
# write otherwise.
MASKED_LINKS = "export_masked_links"


def masked(column: Column, records, named: Expression) -> Expression | None:
    mask = records._hints.get(MASKED_LINKS, {}).get(column.name)
    if mask is None:
        return None
    readable, instead = mask
    return Case(When(readable, then=named), default=Value(instead), output_field=TextField())


def export_lookup(column: Column, records) -> str | Expression:
    """What an export reads for `column` from `records` (export_rows, the Python path)."""
    return masked(column, records, F(column.value_lookup())) or column.value_lookup()


def export_sql(column: Column, records) -> Expression:
    """The SQL that renders `column`'s cell of `records` (the PostgreSQL paths)."""
    return masked(column, records, column.sql()) or column.sql()
