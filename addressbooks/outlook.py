"""Outlook's contacts export (File > Open & Export > Import/Export > Export to a file > CSV),
in its English and French editions: ~92 columns, dates in the regional format Windows ran
in, 0/0/00 for no date, ANSI (Windows-1252) text with quoted multi-line notes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from addressbooks.prepare import AddressBookPreparer, Pooled
from imports.columns import normalise_header
from imports.entities import Entity
from imports.sources import Source, has_all

ADDRESS_PARTS = ("line1", "line2", "line3", "city", "state", "postal_code", "country", "po_box")
FIELDS = [
    "salutation",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "company",
    "department",
    "job_title",
    *(f"address1_{part}" for part in ADDRESS_PARTS),
    *(f"address2_{part}" for part in ADDRESS_PARTS),
    "assistant_phone",
    "fax",
    "telephone1",
    "telephone2",
    "mobile_phone",
    "anniversary",
    "assistant_name",
    "birthday",
    "children_names",
    "emailaddress1",
    "emailaddress2",
    "emailaddress3",
    "gender",
    "description",
    "spouse_name",
    "website",
]
# Each edition's headings for FIELDS, in order; then the "Other" address; then the phones
# with no field of their own (each with the label it stands for); then the columns worth
# keeping that no field holds, which go into the description.
EDITIONS = {
    "en": {
        "fields": [
            "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
            "Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
            "Business Postal Code", "Business Country/Region", "Business Address PO Box",
            "Home Street", "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
            "Home Country/Region", "Home Address PO Box",
            "Assistant's Phone", "Business Fax", "Business Phone", "Home Phone", "Mobile Phone", "Anniversary",
            "Assistant's Name", "Birthday", "Children", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address",
            "Gender", "Notes", "Spouse", "Web Page",
        ],
        "other_address": [
            "Other Street", "Other Street 2", "Other Street 3", "Other City", "Other State", "Other Postal Code",
            "Other Country/Region", "Other Address PO Box",
        ],
        "phones": {
            "Business Phone 2": "work", "Company Main Phone": "work", "Primary Phone": "", "Home Phone 2": "home",
            "Car Phone": "mobile", "Other Phone": "", "Callback": "", "Radio Phone": "", "Pager": "",
            "ISDN": "", "TTY/TDD Phone": "", "Telex": "", "Home Fax": "fax", "Other Fax": "fax",
        },
        "noted": ["Manager's Name", "Office Location", "Profession", "Categories", "Referred By", "Hobby", "Account"],
        "gender": {"unspecified": "", "male": "male", "female": "female"},
        "day_first": False,
        "recognised_by": ["First Name", "Last Name", "E-mail Address", "Business Street", "Home Street"],
    },
    "fr": {
        "fields": [
            "Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service", "Fonction",
            "Rue (bureau)", "Rue (bureau) 2", "Rue (bureau) 3", "Ville (bureau)", "Dép/Région (bureau)",
            "Code postal (bureau)", "Pays/Région (bureau)", "B.P. professionnelle",
            "Rue (domicile)", "Rue (domicile) 2", "Rue (domicile) 3", "Ville (domicile)", "Dép/Région (domicile)",
            "Code postal (domicile)", "Pays/Région (domicile)", "B.P. domicile",
            "Téléphone de l'assistant(e)", "Télécopie (bureau)", "Téléphone (bureau)", "Téléphone (domicile)",
            "Tél. mobile", "Anniversaire de mariage ou fête", "Nom de l'assistant(e)", "Anniversaire",
            "Enfants", "Adresse de messagerie", "Adresse de messagerie 2", "Adresse de messagerie 3",
            "Sexe", "Notes", "Conjoint(e)", "Page Web",
        ],
        "other_address": [
            "Rue (autre)", "Rue (autre) 2", "Rue (autre) 3", "Ville (autre)", "Dép/Région (autre)",
            "Code postal (autre)", "Pays/Région (autre)", "B.P. (autre)",
        ],
        "phones": {
            "Téléphone 2 (bureau)": "work", "Téléphone société": "work", "Téléphone principal": "",
            "Téléphone 2 (domicile)": "home", "Téléphone (voiture)": "mobile", "Téléphone (autre)": "",
            "Rappel": "", "Radio téléphone": "", "Récepteur de radiomessagerie": "", "RNIS": "",
            "Téléphone TDD/TTY": "", "Télex": "", "Télécopie (domicile)": "fax", "Télécopie (autre)": "fax",
        },
        "noted": ["Nom du manager", "Bureau", "Profession", "Catégories", "Recommandé par", "Passe-temps", "Compte"],
        "gender": {"non spécifié": "", "masculin": "male", "féminin": "female", "homme": "male", "femme": "female"},
        "day_first": True,
        "recognised_by": ["Prénom", "Nom", "Adresse de messagerie", "Rue (bureau)", "Rue (domicile)"],
    },
}  # fmt: skip


class OutlookContacts(Source):
    key = "outlook"
    label = gettext_lazy("Outlook contacts export")
    hint = gettext_lazy(
        "Dates are read as Outlook wrote them; extra phones go to the next free phone field, and what has no "
        "field (manager's name, other address...) is added to the description."
    )

    def edition(self, headers: list[str]) -> dict | None:
        return next((edition for edition in EDITIONS.values() if has_all(headers, edition["recognised_by"])), None)

    def recognises(self, headers: list[str]) -> bool:
        return self.edition(headers) is not None

    def mapping(self, headers: list[str], entity: Entity) -> list[str]:
        edition = self.edition(headers)
        fields = {normalise_header(header): name for header, name in zip(edition["fields"], FIELDS, strict=True)}
        mapping, taken = [], set()
        for header in headers:
            name = fields.get(normalise_header(header), "")
            mapping.append(name if name in entity.by_name and name not in taken else "")
            taken.add(name)
        return mapping

    def preparer(self, headers: list[str], mapping: list[str]) -> AddressBookPreparer:
        edition = self.edition(headers) or EDITIONS["en"]
        index = {normalise_header(header): position for position, header in enumerate(headers)}

        def at(header: str) -> int:
            return index.get(normalise_header(header), -1)

        pooled = [
            Pooled(at(header), "phone", label=label or "other")
            for header, label in edition["phones"].items()
            if at(header) >= 0 and not mapping[at(header)]
        ]
        other = {
            part: at(header)
            for part, header in zip(ADDRESS_PARTS, edition["other_address"], strict=True)
            if at(header) >= 0
        }
        return AddressBookPreparer(
            headers,
            mapping,
            day_first=edition["day_first"],
            pooled=pooled,
            noted=[at(header) for header in edition["noted"] if at(header) >= 0],
            choice_words={"gender": edition["gender"]},
            address_fallbacks=[("address2_", other)] if other else [],
        )
