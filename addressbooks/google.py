"""Google Contacts' CSV export ("Google CSV"): phones and emails as "Phone N - Label" /
"Phone N - Value" pairs placed by their label, several values in one cell as "a ::: b",
birthdays without a year as --MM-DD. The older export ("Given Name", "Organization 1 -
Name", "Phone 1 - Type") is read the same way."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

from addressbooks.prepare import AddressBookPreparer, Pooled
from imports.columns import normalise_header
from imports.entities import Entity
from imports.sources import Source

NUMBERED = re.compile(r"(e-mail|phone|address|website|organization) (\d+) - (.+)")
ADDRESS_PARTS = {
    "street": "line1",
    "extended address": "line2",
    "city": "city",
    "region": "state",
    "postal code": "postal_code",
    "country": "country",
    "po box": "po_box",
}
FIELDS = {
    "first name": "first_name",
    "given name": "first_name",
    "middle name": "middle_name",
    "additional name": "middle_name",
    "last name": "last_name",
    "family name": "last_name",
    "name prefix": "salutation",
    "name suffix": "suffix",
    "nickname": "nickname",
    "organization name": "company",
    "organization title": "job_title",
    "organization department": "department",
    "birthday": "birthday",
    "notes": "description",
    "gender": "gender",
}
ORGANIZATION = {"name": "company", "title": "job_title", "department": "department"}
FAMILIES = {"e-mail": "email", "phone": "phone"}


class GoogleContacts(Source):
    key = "google"
    label = gettext_lazy("Google Contacts export")
    hint = gettext_lazy(
        "Phones and emails go to the field their label says (Work, Mobile, Home), then to the next free one; "
        "extra values and birthdays without a year are added to the description."
    )

    def recognises(self, headers: list[str]) -> bool:
        names = {normalise_header(header) for header in headers}
        return ("e-mail 1 - value" in names or "phone 1 - value" in names) and bool(
            names & {"first name", "given name", "name"}
        )

    def mapping(self, headers: list[str], entity: Entity) -> list[str]:
        mapping, taken = [], set()
        emails = iter(("emailaddress1", "emailaddress2", "emailaddress3"))
        phones = iter(("telephone1", "mobile_phone", "telephone2"))
        for header in headers:
            name = normalise_header(header)
            field = FIELDS.get(name, "")
            numbered = NUMBERED.fullmatch(name)
            if numbered:
                kind, number, part = numbered.groups()
                if kind == "e-mail" and part == "value":
                    field = next(emails, "")
                elif kind == "phone" and part == "value":
                    field = next(phones, "")
                elif kind == "address" and part in ADDRESS_PARTS and number in ("1", "2"):
                    field = f"address{number}_{ADDRESS_PARTS[part]}"
                elif kind == "website" and part == "value":
                    field = "website"
                elif kind == "organization" and number == "1" and part in ORGANIZATION:
                    field = ORGANIZATION[part]
            mapping.append(field if field in entity.by_name and field not in taken else "")
            taken.add(field)
        return mapping

    def preparer(self, headers: list[str], mapping: list[str]) -> AddressBookPreparer:
        names = [normalise_header(header) for header in headers]
        pooled = []
        for index, name in enumerate(names):
            numbered = NUMBERED.fullmatch(name)
            if numbered and numbered.group(1) in FAMILIES and numbered.group(3) == "value":
                kind, number = numbered.group(1), numbered.group(2)
                label_index = next(
                    (
                        i
                        for i, other in enumerate(names)
                        if other in (f"{kind} {number} - label", f"{kind} {number} - type")
                    ),
                    -1,
                )
                pooled.append(Pooled(index, FAMILIES[kind], label_index=label_index))
        return AddressBookPreparer(
            headers,
            mapping,
            day_first=False,
            pooled=pooled,
            choice_words={"gender": {"unspecified": ""}},
        )
