"""How address books write a person, turned into the fields of a contact.

Address books hold more than a contact has room for: phones by label (Work, Mobile, Home,
Fax, and any number more), several values in one cell (Google's "a ::: b"), dates in the
locale they ran in, birthdays without a year. `AddressBookPreparer` places every value in the
field its label says, then in the next free field of its kind; what still has no place, it
writes into the description with what it was, so nothing is ever dropped without a word."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import formats as django_formats
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.columns import cell_text, normalise_header
from imports.sources import PreparedRow, RowPreparer

PHONES = ("telephone1", "mobile_phone", "telephone2")
PHONE_FIELDS = (*PHONES, "fax", "assistant_phone")
EMAILS = ("emailaddress1", "emailaddress2", "emailaddress3")
# A label (any case, a leading "* " for Google's primary) -> the field it asks for.
PHONE_LABELS = {
    "work": "telephone1",
    "business": "telephone1",
    "office": "telephone1",
    "bureau": "telephone1",
    "travail": "telephone1",
    "mobile": "mobile_phone",
    "cell": "mobile_phone",
    "iphone": "mobile_phone",
    "portable": "mobile_phone",
    "home": "telephone2",
    "domicile": "telephone2",
    "fax": "fax",
    "work fax": "fax",
    "business fax": "fax",
    "assistant": "assistant_phone",
}
EMAIL_LABELS = {"work": "emailaddress1", "business": "emailaddress1", "pref": "emailaddress1"}
FAMILIES = {"phone": (PHONE_FIELDS, PHONE_LABELS, PHONES), "email": (EMAILS, EMAIL_LABELS, EMAILS)}
DESCRIPTION = "description"
MULTI_VALUE = " ::: "
# Outlook writes an empty date as 0/0/00 (or 00/00/0000, 1/1/4501 in some versions).
EMPTY_DATES = re.compile(r"0{1,2}[/.-]0{1,2}[/.-]0{2,4}|1/1/4501|4501-01-01")
SLASH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")


def label_key(label: str) -> str:
    return normalise_header(label).lstrip("* ").strip()


def family_of(field: str) -> str:
    return next((name for name, (fields, _labels, _free) in FAMILIES.items() if field in fields), "")


@dataclass(frozen=True)
class Pooled:
    """A value column whose values go where their label says: the label's column (-1: none)
    or a fixed label (Outlook's "Business Phone 2" is "work"), and a heading for notes."""

    value_index: int
    family: str
    label_index: int = -1
    label: str = ""


class AddressBookPreparer(RowPreparer):
    extra_fields = (*PHONE_FIELDS, *EMAILS, DESCRIPTION)

    def __init__(
        self,
        headers: list[str],
        mapping: list[str],
        *,
        day_first: bool = False,
        pooled: list[Pooled] = (),
        noted: list[int] = (),
        choice_words: dict[str, dict[str, str]] | None = None,
        address_fallbacks: list[tuple[str, dict[str, int]]] = (),
    ):
        super().__init__(headers, mapping)
        self.day_first = day_first
        self.choice_words = choice_words or {}
        # Mapped phone and email columns are pooled too: they then follow their labels.
        # A mapped column's label is the field it maps to; they are placed before the others.
        pooled_indexes = {item.value_index for item in pooled}
        self.pooled = [
            Pooled(index, family_of(name), label=name)
            for index, name in self.mapped
            if family_of(name) and index not in pooled_indexes
        ] + list(pooled)
        self.pooled = [item for item in self.pooled if item.family]
        self.pooled_indexes = {item.value_index for item in self.pooled}
        self.noted = [index for index in noted if not mapping[index]] if mapping else list(noted)
        # (address prefix, {part field suffix: column}): used when the address has no value.
        self.address_fallbacks = list(address_fallbacks)
        self.extra_fields = (
            *AddressBookPreparer.extra_fields,
            *(f"{prefix}{part}" for prefix, parts in self.address_fallbacks for part in parts),
        )

    def prepare(self, cells: list) -> PreparedRow:
        def cell(index: int) -> str:
            return cell_text(cells[index]) if 0 <= index < len(cells) else ""

        row = PreparedRow()
        notes: list[str] = []
        texts = row.texts
        for index, name in self.mapped:
            if index in self.pooled_indexes:
                continue
            text = cell(index)
            values = split_values(text)
            text = values[0] if values else ""
            for extra in values[1:]:
                notes.append(self.note(index, extra))
            if name in self.choice_words:
                text = self.choice_words[name].get(normalise_header(text), text)
            texts[name] = text
        for name in ("birthday", "anniversary"):
            if texts.get(name):
                texts[name], note = self.read_date(texts[name], name)
                if note:
                    notes.append(note)
        self.place_pooled(cell, texts, notes)
        for prefix, parts in self.address_fallbacks:
            if not any(texts.get(f"{prefix}{part}") for part in parts) and any(cell(i) for i in parts.values()):
                for part, index in parts.items():
                    texts[f"{prefix}{part}"] = cell(index)
            elif any(cell(i) for i in parts.values()):
                text = ", ".join(cell(i) for i in parts.values() if cell(i))
                notes.append(self.note_text(_("Other address"), text))
        for index in self.noted:
            if cell(index):
                notes.append(self.note(index, cell(index)))
        if notes:
            description = texts.get(DESCRIPTION, "")
            texts[DESCRIPTION] = "\n\n".join(part for part in (description, "\n".join(notes)) if part)
        return row

    def place_pooled(self, cell, texts: dict[str, str], notes: list[str]) -> None:
        """Each pooled value to its label's field, else the next free one of its kind, else a note."""
        for family, (fields, labels, free_order) in FAMILIES.items():
            items = [item for item in self.pooled if item.family == family]
            if not items:
                continue
            taken = {name: "" for name in fields}
            waiting: list[tuple[Pooled, str, str]] = []
            for item in items:
                label = cell(item.label_index) if item.label_index >= 0 else item.label
                for value in split_values(cell(item.value_index)):
                    wanted = label if label in fields else labels.get(label_key(label), "")
                    if wanted and not taken[wanted]:
                        taken[wanted] = value
                    else:
                        waiting.append((item, label, value))
            for item, label, value in waiting:
                target = next((name for name in free_order if not taken[name]), "")
                if target and labels.get(label_key(label), "") != "fax" and label != "fax":
                    taken[target] = value
                else:
                    heading = self.headers[item.value_index]
                    if item.label_index >= 0 and label:
                        heading = f"{heading} ({label})"
                    notes.append(self.note_text(heading, value))
            for name, value in taken.items():
                if value or name in texts:
                    texts[name] = value

    def read_date(self, text: str, name: str) -> tuple[str, str]:
        """(ISO date or "", a note for a date without a year): in the file's own locale."""
        text = text.strip()
        if EMPTY_DATES.fullmatch(text):
            return "", ""
        yearless = YEARLESS.fullmatch(text)
        if yearless:
            month, day = int(yearless.group(1)), int(yearless.group(2))
            try:
                shown = django_formats.date_format(datetime.date(2000, month, day), "j F")
            except ValueError:
                return text, ""
            label = _("Birthday") if name == "birthday" else _("Anniversary")
            return "", _("%(label)s: %(day)s (no year given)") % {"label": label, "day": shown}
        slash = SLASH_DATE.fullmatch(text)
        if slash:
            first, second, year = (int(part) for part in slash.groups())
            if year < 100:
                year += 1900 if year > timezone.localdate().year % 100 else 2000
            day, month = (first, second) if self.day_first else (second, first)
            try:
                return datetime.date(year, month, day).isoformat(), ""
            except ValueError:
                return text, ""
        return text, ""

    def note(self, index: int, value: str) -> str:
        return self.note_text(self.headers[index], value)

    @staticmethod
    def note_text(heading: str, value: str) -> str:
        return _("%(heading)s: %(value)s") % {"heading": heading, "value": value}


def split_values(text: str) -> list[str]:
    """Google's "a ::: b" as ["a", "b"]; a single value as [value]; nothing as []."""
    return [part.strip() for part in text.split(MULTI_VALUE) if part.strip()] if text else []
