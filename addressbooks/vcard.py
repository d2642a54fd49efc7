"""vCard files (.vcf), read and written: RFC 2426 (3.0) and RFC 6350 (4.0), and the 2.1 that
older Outlook and phones still write (bare TYPE parameters, quoted-printable values).

Reading turns each card into a row of fixed columns (imports.readers.Table), so a vCard file
goes through the same mapping, job, failed rows and duplicate rules as a CSV; its rows are
numbered by card. The file is hostile input like any upload: it must be text, each logical
line, each card's number of properties and the number of cards have budgets, and any breach
or malformed structure is refused with a plain message, never a traceback.

Writing gives vCard 3.0, the version every phone's contacts app reads."""

from __future__ import annotations

import codecs
import datetime
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from addressbooks.prepare import AddressBookPreparer, Pooled
from imports.entities import Entity
from imports.readers import Table, UnreadableFile
from imports.sources import PreparedRow, Source


@dataclass(frozen=True)
class CardBudget:
    # One unfolded property (a photo is the largest a phone writes: a few hundred KB).
    line_chars: int = 4 * 1024 * 1024
    properties_per_card: int = 2_000
    cards: int = 200_000


BUDGET = CardBudget()
PHONE_COLUMNS = 5
EMAIL_COLUMNS = 3
ADR_PARTS = ("PO box", "extended", "street", "locality", "region", "postal code", "country", "street (more)")
HEADERS = [
    "FN",
    "N: family name",
    "N: given name",
    "N: additional names",
    "N: prefix",
    "N: suffix",
    "NICKNAME",
    "ORG: name",
    "ORG: unit",
    "TITLE",
    *(header for n in range(1, PHONE_COLUMNS + 1) for header in (f"TEL {n} - type", f"TEL {n}")),
    *(header for n in range(1, EMAIL_COLUMNS + 1) for header in (f"EMAIL {n} - type", f"EMAIL {n}")),
    *(f"ADR work: {part}" for part in ADR_PARTS),
    *(f"ADR home: {part}" for part in ADR_PARTS),
    "ADR other",
    "BDAY",
    "ANNIVERSARY",
    "GENDER",
    "URL",
    "NOTE",
    "SPOUSE",
    "CATEGORIES",
]
COLUMN = {header: index for index, header in enumerate(HEADERS)}
ADR_FIELDS = {
    "PO box": "po_box",
    "locality": "city",
    "region": "state",
    "postal code": "postal_code",
    "country": "country",
    "street": "line1",
    "extended": "line2",
    "street (more)": "line3",
}
FIELDS = {
    "N: family name": "last_name",
    "N: given name": "first_name",
    "N: additional names": "middle_name",
    "N: prefix": "salutation",
    "N: suffix": "suffix",
    "NICKNAME": "nickname",
    "ORG: name": "company",
    "ORG: unit": "department",
    "TITLE": "job_title",
    "TEL 1": "telephone1",
    "TEL 2": "mobile_phone",
    "TEL 3": "telephone2",
    "TEL 4": "fax",
    "EMAIL 1": "emailaddress1",
    "EMAIL 2": "emailaddress2",
    "EMAIL 3": "emailaddress3",
    **{f"ADR work: {part}": f"address1_{name}" for part, name in ADR_FIELDS.items()},
    **{f"ADR home: {part}": f"address2_{name}" for part, name in ADR_FIELDS.items()},
    "BDAY": "birthday",
    "ANNIVERSARY": "anniversary",
    "GENDER": "gender",
    "URL": "website",
    "NOTE": "description",
    "SPOUSE": "spouse_name",
}
SPOUSE_NAMES = {"X-SPOUSE", "X-MS-SPOUSE", "X-EVOLUTION-SPOUSE", "X-ANDROID-SPOUSE"}
ANNIVERSARY_NAMES = {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"}
TYPE_WORDS = {"work", "home", "cell", "mobile", "fax", "voice", "pref", "internet", "other", "main", "iphone", "pager"}
ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def card_budget_error(limit: str, count: int, name: str) -> UnreadableFile:
    messages = {
        "line": _("%(name)s has a line longer than %(count)s characters: it is not an address book."),
        "properties": _("%(name)s has a card with more than %(count)s lines: it is not an address book."),
        "cards": _("%(name)s has more than %(count)s cards: split it into several files."),
    }
    return UnreadableFile(messages[limit] % {"name": name, "count": f"{count:,}"})


@dataclass
class Property:
    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    @property
    def types(self) -> set[str]:
        return {word.lower() for word in self.params.get("TYPE", [])}

    def parts(self) -> list[str]:
        """A structured value (N, ADR, ORG) split on unescaped semicolons, unescaped."""
        return [unescape(part) for part in split_unescaped(self.value, ";")]

    def text(self) -> str:
        return unescape(self.value)


def split_unescaped(value: str, separator: str) -> list[str]:
    if "\\" not in value:
        return value.split(separator)  # most values: nothing escaped
    parts, current, escaped = [], [], False
    for character in value:
        if escaped:
            current.append("\\" + character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return ESCAPED.sub(lambda match: "\n" if match.group(1) in "nN" else match.group(1), value)


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")
    )


# Reading ------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) as the RFCs say, else Windows-1252 as old Outlook wrote."""
    with path.open("rb") as file:
        start = file.read(4096)
        if b"\x00" in start:
            raise UnreadableFile(_("This file is not text: it contains binary data."))
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := file.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def logical_lines(path: Path, encoding: str, name: str) -> Iterator[str]:
    """Unfolded lines: a line starting with a space or tab continues the one before, and a
    quoted-printable value ending in "=" continues on the next line."""
    budget = BUDGET.line_chars
    current: list[str] = []
    size = 0
    with path.open(encoding=encoding, errors="replace", newline="") as file:
        while True:
            raw = file.readline(budget + 2)
            if len(raw) > budget:
                raise card_budget_error("line", budget, name)
            line = raw.rstrip("\r\n")
            if raw and line[:1] in (" ", "\t") and current:
                current.append(line[1:])
                size += len(line)
            elif raw and current and current[-1].endswith("=") and "QUOTED-PRINTABLE" in current[0].upper():
                current[-1] = current[-1][:-1]
                current.append(line)
                size += len(line)
            else:
                if current:
                    yield "".join(current)
                if not raw:
                    return
                current, size = [line], len(line)
            if size > budget:
                raise card_budget_error("line", budget, name)


def parse_property(line: str) -> Property | None:
    """NAME;PARAM=a,b;BARE:value, with a group prefix (item1.) dropped; None for a blank
    or malformed line (without a colon)."""
    head, colon, value = partition_unquoted(line)
    if not colon:
        return None
    pieces = split_unescaped(head, ";")
    name = pieces[0].rsplit(".", 1)[-1].strip().upper()
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, equals, values = piece.partition("=")
        if not equals:
            # vCard 2.1: TEL;WORK;VOICE:, ENCODING words alone.
            key, values = ("TYPE", key) if key.lower() in TYPE_WORDS else ("ENCODING", key)
            if key == "ENCODING" and values.upper() not in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT"):
                continue
        for item in values.split(","):
            params.setdefault(key.strip().upper(), []).append(item.strip().strip('"'))
    encoding = {item.upper() for item in params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("cp1252", errors="replace")
        # The decoded text is literal: escape what unescape() would read as structure.
        if name not in ("N", "ADR", "ORG"):
            value = value.replace("\\", "\\\\")
    return Property(name, params, value)


def partition_unquoted(line: str) -> tuple[str, str, str]:
    """Split at the first colon outside double quotes (a parameter value may hold one)."""
    quoted = False
    for position, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == ":" and not quoted:
            return line[:position], ":", line[position + 1 :]
    return line, "", ""


def read_cards(path: Path, name: str) -> Iterator[list[Property]]:
    """The cards of a file as lists of properties, within the budget; UnreadableFile for a
    file that is not a vCard or whose structure is broken."""
    encoding = detect_encoding(path)
    card: list[Property] | None = None
    cards = 0
    for line in logical_lines(path, encoding, name):
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                raise UnreadableFile(
                    _("%(name)s is damaged: card %(number)d has no END:VCARD.") % {"name": name, "number": cards}
                )
            cards += 1
            if cards > BUDGET.cards:
                raise card_budget_error("cards", BUDGET.cards, name)
            card = []
        elif upper == "END:VCARD":
            if card is None:
                raise UnreadableFile(_("%(name)s is damaged: END:VCARD without BEGIN:VCARD.") % {"name": name})
            yield card
            card = None
        elif card is None:
            if cards == 0:
                raise UnreadableFile(
                    _("%(name)s is not a vCard file: it does not start with BEGIN:VCARD.") % {"name": name}
                )
            # Text between cards: ignored, as phones do.
        else:
            if len(card) >= BUDGET.properties_per_card:
                raise card_budget_error("properties", BUDGET.properties_per_card, name)
            if upper.startswith(("PHOTO", "LOGO", "SOUND", "KEY")):
                continue
            prop = parse_property(line)
            if prop is not None:
                card.append(prop)
    if card is not None:
        raise UnreadableFile(
            _("%(name)s is damaged: card %(number)d has no END:VCARD.") % {"name": name, "number": cards}
        )
    if cards == 0:
        raise UnreadableFile(_("%(name)s holds no cards (BEGIN:VCARD ... END:VCARD).") % {"name": name})


def phone_label(types: set[str]) -> str:
    if types & {"x-assistant", "assistant"}:
        return "assistant"
    if "fax" in types:
        return "work fax" if "work" in types else "fax"
    if types & {"cell", "mobile", "iphone"}:
        return "mobile"
    if "work" in types:
        return "work"
    if "home" in types:
        return "home"
    return ""


def phone_number(value: str) -> str:
    """A tel: URI (4.0) as the number people dial: tel:+1-555-0100;ext=12 -> +1-555-0100 ext. 12."""
    if value.lower().startswith("tel:"):
        number, _semicolon, parameters = value[4:].partition(";")
        extension = next((item[4:] for item in parameters.split(";") if item.lower().startswith("ext=")), "")
        return f"{number} ext. {extension}" if extension else number
    return value


def card_date(value: str) -> str:
    """A vCard date as ISO (1978-03-14), or --MM-DD for one without a year."""
    value = value.strip()
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", value)
    if match:
        return "-".join(match.groups())
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", value)
    if match:
        return f"--{match.group(1)}-{match.group(2)}"
    return value


def card_row(card: list[Property]) -> list[str]:
    cells = [""] * len(HEADERS)

    def put(header: str, value: str) -> None:
        cells[COLUMN[header]] = value.strip()

    phones: list[tuple[str, str]] = []
    emails: list[tuple[str, str]] = []
    addresses: dict[str, list[str]] = {}
    others: list[str] = []
    for prop in card:
        if prop.name == "FN":
            put("FN", prop.text())
        elif prop.name == "N":
            parts = [*prop.parts(), "", "", "", "", ""]
            for header, part in zip(
                ("family name", "given name", "additional names", "prefix", "suffix"), parts[:5], strict=True
            ):
                put(f"N: {header}", part.replace(",", " ").strip())
        elif prop.name == "NICKNAME":
            put("NICKNAME", split_unescaped(prop.value, ",")[0].replace("\\", ""))
        elif prop.name == "ORG":
            parts = [*prop.parts(), ""]
            put("ORG: name", parts[0])
            put("ORG: unit", ", ".join(part for part in parts[1:] if part))
        elif prop.name == "TITLE":
            put("TITLE", prop.text())
        elif prop.name == "TEL":
            types = prop.types
            label = phone_label(types)
            number = phone_number(prop.text())
            entry = (label, number)
            phones.insert(0, entry) if "pref" in types and not label else phones.append(entry)
        elif prop.name == "EMAIL":
            entry = ("work" if "work" in prop.types else "pref" if "pref" in prop.types else "", prop.text())
            emails.append(entry)
        elif prop.name == "ADR":
            types = prop.types
            kind = "work" if "work" in types else "home" if "home" in types else ""
            parts = [*prop.parts(), *[""] * 7][:7] + [""]
            if not kind:
                kind = "work" if "work" not in addresses else "home" if "home" not in addresses else ""
            if kind and kind not in addresses:
                addresses[kind] = parts
            else:
                others.append(", ".join(part.replace("\n", ", ") for part in parts if part))
        elif prop.name == "BDAY":
            put("BDAY", card_date(prop.text()))
        elif prop.name in ANNIVERSARY_NAMES:
            put("ANNIVERSARY", card_date(prop.text()))
        elif prop.name in ("GENDER", "X-GENDER"):
            put("GENDER", split_unescaped(prop.value, ";")[0])
        elif prop.name == "URL" and not cells[COLUMN["URL"]]:
            put("URL", prop.text())
        elif prop.name == "NOTE":
            put("NOTE", "\n".join(filter(None, [cells[COLUMN["NOTE"]], prop.text()])))
        elif prop.name in SPOUSE_NAMES or (prop.name == "RELATED" and "spouse" in prop.types):
            put("SPOUSE", prop.text())
        elif prop.name == "CATEGORIES":
            put("CATEGORIES", ", ".join(unescape(item) for item in split_unescaped(prop.value, ",")))
    spread(cells, "TEL", phones, PHONE_COLUMNS)
    spread(cells, "EMAIL", emails, EMAIL_COLUMNS)
    for kind, parts in addresses.items():
        # A street of several lines: the first is street 1, the next (if the extended part is
        # empty) street 2, the rest street 3.
        lines = parts[2].split("\n")
        parts[2] = lines[0]
        if not parts[1] and len(lines) > 1:
            parts[1], lines = lines[1], lines[1:]
        parts[7] = ", ".join(line for line in lines[1:] if line)
        for part, value in zip(ADR_PARTS, parts, strict=True):
            put(f"ADR {kind}: {part}", value)
    put("ADR other", " / ".join(others))
    return cells


def spread(cells: list[str], prefix: str, items: list[tuple[str, str]], columns: int) -> None:
    """Values into their numbered columns; those past the last share it, as "a ::: b"."""
    items = [(label, value.strip()) for label, value in items if value.strip()]
    for number, (label, value) in enumerate(items[:columns], start=1):
        cells[COLUMN[f"{prefix} {number} - type"]] = label
        cells[COLUMN[f"{prefix} {number}"]] = value
    if len(items) > columns:
        cells[COLUMN[f"{prefix} {columns}"]] = " ::: ".join(value for _label, value in items[columns - 1 :])
        cells[COLUMN[f"{prefix} {columns} - type"]] = ""


def open_vcard(path: Path, name: str) -> Table:
    def rows() -> Iterator[tuple[int, list]]:
        for number, card in enumerate(read_cards(path, name), start=1):
            yield number, card_row(card)

    return Table(path, name, list(HEADERS), _("vCard address book"), read_rows=rows)


class VCardPreparer(AddressBookPreparer):
    def prepare(self, cells: list) -> PreparedRow:
        row = super().prepare(cells)
        # A card with only a formatted name: its last word is the family name.
        formatted = cells[COLUMN["FN"]] if cells else ""
        if formatted and not row.texts.get("last_name") and not row.texts.get("first_name"):
            *given, family = formatted.split()
            row.texts["last_name"] = family
            row.texts["first_name"] = " ".join(given)
        return row


class VCardFile(Source):
    key = "vcard"
    label = gettext_lazy("vCard address book")
    row_word = gettext_lazy("Card")
    hint = gettext_lazy(
        "Phones and emails go to the field their type says (work, cell, home, fax), then to the next free one; "
        "what has no field is added to the description."
    )

    def recognises(self, headers: list[str]) -> bool:
        return headers == HEADERS

    def mapping(self, headers: list[str], entity: Entity) -> list[str]:
        return [FIELDS.get(header, "") if FIELDS.get(header, "") in entity.by_name else "" for header in headers]

    def preparer(self, headers: list[str], mapping: list[str]) -> VCardPreparer:
        pooled = [
            Pooled(COLUMN[f"{prefix} {n}"], family, label_index=COLUMN[f"{prefix} {n} - type"])
            for prefix, family, count in (("TEL", "phone", PHONE_COLUMNS), ("EMAIL", "email", EMAIL_COLUMNS))
            for n in range(1, count + 1)
        ]
        return VCardPreparer(
            headers,
            mapping,
            pooled=pooled,
            noted=[COLUMN["ADR other"], COLUMN["CATEGORIES"]],
            choice_words={"gender": {"m": "male", "f": "female", "o": "", "n": "", "u": ""}},
        )


# Writing ------------------------------------------------------------------------------

FOLD_AT = 75


def fold(line: str) -> str:
    """A content line cut into lines of at most 75 octets, never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= FOLD_AT:
        return line + "\r\n"
    pieces, current, size, limit = [], [], 0, FOLD_AT
    for character in line:
        width = len(character.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, FOLD_AT - 1
        current.append(character)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces) + "\r\n"


def structured(*parts: str) -> str:
    return ";".join(escape(part or "") for part in parts)


def contact_card(contact, *, company_hidden: bool = False) -> str:
    """One contact as a vCard 3.0: every field the reader reads back to the same place. A
    company the reader may not read (`company_hidden`) is not named."""
    lines = ["BEGIN:VCARD", "VERSION:3.0"]

    def add(name: str, value: str, *, raw: bool = False) -> None:
        if value:
            lines.append(f"{name}:{value if raw else escape(value)}")

    lines.append(
        "N:"
        + structured(contact.last_name, contact.first_name, contact.middle_name, contact.salutation, contact.suffix)
    )
    lines.append(f"FN:{escape(contact.full_name or contact.last_name)}")
    add("NICKNAME", contact.nickname)
    company = contact.company.name if contact.company_id and not company_hidden else ""
    if company or contact.department:
        add("ORG", structured(company, contact.department), raw=True)
    add("TITLE", contact.job_title)
    add("TEL;TYPE=WORK,VOICE", contact.telephone1)
    add("TEL;TYPE=CELL", contact.mobile_phone)
    add("TEL;TYPE=HOME,VOICE", contact.telephone2)
    add("TEL;TYPE=WORK,FAX", contact.fax)
    add("TEL;TYPE=X-ASSISTANT", contact.assistant_phone)
    for number, email in enumerate((contact.emailaddress1, contact.emailaddress2, contact.emailaddress3)):
        add("EMAIL;TYPE=INTERNET,PREF" if number == 0 else "EMAIL;TYPE=INTERNET", email)
    for number, kind in ((1, "WORK"), (2, "HOME")):
        parts = {part: getattr(contact, f"address{number}_{part}") for part in ADDRESS_FIELDS}
        if any(parts.values()):
            # Street 3 as the street's last line; an empty line keeps its place when street 2 is
            # empty (the reader takes the second line as street 2 then).
            street = parts["line1"]
            if parts["line3"]:
                street += ("\n" if parts["line2"] else "\n\n") + parts["line3"]
            value = structured(
                parts["po_box"],
                parts["line2"],
                street,
                parts["city"],
                parts["state"],
                parts["postal_code"],
                parts["country"],
            )
            lines.append(f"ADR;TYPE={kind}:{value}")
    if contact.birthday:
        add("BDAY", contact.birthday.isoformat())
    if contact.anniversary:
        add("X-ANNIVERSARY", contact.anniversary.isoformat())
    add("X-GENDER", {"male": "Male", "female": "Female"}.get(contact.gender, ""))
    add("X-SPOUSE", contact.spouse_name)
    add("URL", contact.website)
    add("NOTE", contact.description)
    lines.append(f"REV:{contact.modified_on.astimezone(datetime.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


ADDRESS_FIELDS = ("line1", "line2", "line3", "city", "state", "postal_code", "country", "po_box")


def contact_cards(contacts: Iterable, *, user, chunk_size: int = 2000) -> Iterator[str]:
    """The contacts' cards, naming only the companies `user` may read (one query a chunk)."""
    from access import guard
    from accounts.models import Account

    iterator = iter(contacts)
    while chunk := list(islice(iterator, chunk_size)):
        hidden = guard.unreadable_ids(Account, {contact.company_id for contact in chunk} - {None}, user)
        for contact in chunk:
            yield contact_card(contact, company_hidden=contact.company_id in hidden)
