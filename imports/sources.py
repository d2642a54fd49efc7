"""Where an import file comes from, recognised from its header row, and the file formats
other apps teach the import to read.

A source (an Outlook contacts export, a Google Contacts export, a D365 export, our own
export) knows its file's headings: it gives the built-in mapping shown on the mapping page,
which the user adjusts like any other, and, when its cells are written in its own way (dates
in the locale Outlook ran in, Google's " ::: " multi-values), a row preparer that turns a row
into the texts of the fields before the columns parse them.

Sources and readers plug in from their own app (`register_source`, `register_reader` in its
AppConfig.ready()), so the pipeline never names them; imports registers the two it owns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.columns import cell_text, normalise_header
from imports.entities import Entity, get


@dataclass
class PreparedRow:
    """The texts of a row by field name (a field left out says nothing about the record), and
    the problems that fail it."""

    texts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class RowPreparer:
    """Turns a row's cells into field texts. This one reads each mapped column as it is;
    sources whose cells need more subclass it. `extra_fields` are fields it may fill that no
    column maps (the next free email for a second address in one cell)."""

    extra_fields: tuple[str, ...] = ()

    def __init__(self, headers: list[str], mapping: list[str]):
        self.headers = headers
        self.mapping = mapping
        self.mapped = [(index, name) for index, name in enumerate(mapping) if name]

    def prepare(self, cells: list) -> PreparedRow:
        return PreparedRow({name: cell_text(cells[index]) if index < len(cells) else "" for index, name in self.mapped})


class Source:
    """A kind of file people bring. Subclasses say how to recognise it and map it."""

    key: str = ""
    label = gettext_lazy("file")
    entity_key: str = "contact"
    # What the mapping page says of how its cells are read, below "Recognised: ...".
    hint = ""
    # What a row of the file is to its owner: a line, or a card of a vCard file.
    row_word = gettext_lazy("Line")

    def recognises(self, headers: list[str]) -> bool:
        raise NotImplementedError

    @property
    def entity(self) -> Entity | None:
        return get(self.entity_key)

    def mapping(self, headers: list[str], entity: Entity) -> list[str]:
        return entity.auto_mapping(headers)

    def preparer(self, headers: list[str], mapping: list[str]) -> RowPreparer | None:
        """None when the columns parse the cells as they are."""
        return None

    def row_label(self, line: int) -> str:
        return _("%(word)s %(number)d") % {"word": self.row_word, "number": line}


_sources: dict[str, Source] = {}
# Extension -> opener(path, name) returning an imports.readers.Table.
_readers: dict[str, Callable[[Path, str], object]] = {}


def register_source(source: Source) -> None:
    _sources[source.key] = source


def register_reader(extension: str, opener: Callable[[Path, str], object]) -> None:
    from imports import readers

    _readers[extension] = opener
    readers.READABLE_EXTENSIONS.add(extension)
    readers.UPLOAD_EXTENSIONS.add(extension)


def reader_for(extension: str) -> Callable[[Path, str], object] | None:
    return _readers.get(extension)


def by_key(key: str) -> Source | None:
    return _sources.get(key or "")


def all_sources() -> Iterable[Source]:
    return _sources.values()


def recognise(headers: list[str]) -> Source | None:
    """The first registered source whose headings these are."""
    return next((source for source in _sources.values() if source.recognises(headers)), None)


def has_all(headers: list[str], wanted: Iterable[str]) -> bool:
    present = {normalise_header(header) for header in headers}
    return all(normalise_header(name) in present for name in wanted)


class D365Export(Source):
    """A Dynamics 365 "Export to Excel" file: its first three hidden columns say so."""

    key = "d365"
    label = gettext_lazy("Dynamics 365 export")

    def recognises(self, headers: list[str]) -> bool:
        return has_all(headers[:3], ["(Do Not Modify) Contact", "(Do Not Modify) Row Checksum"]) or has_all(
            headers[:3], ["(Ne pas modifier) Contact", "(Ne pas modifier) Somme de contrôle de ligne"]
        )


class OwnExport(Source):
    """A contacts file exported from here: every column's heading, the record ID last."""

    key = "harbor"
    label = gettext_lazy("Contacts export from this application")

    def recognises(self, headers: list[str]) -> bool:
        entity = self.entity
        if entity is None or not headers:
            return False
        return normalise_header(headers[-1]) in entity.id_column.header_names() and all(entity.auto_mapping(headers))


register_source(D365Export())
register_source(OwnExport())
