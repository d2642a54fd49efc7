"""A rule of both import paths (Import Data and the admin's import): a file names each record
once. A second row with the same record ID, or the same match key (a contact's email, an
account's number or name), fails with the line it repeats, instead of being merged silently
into the first one's record."""

from __future__ import annotations

from django.utils.translation import gettext as _

# (column label, record id) for a record named by its ID; (column label, folded text) for a
# match key. The label says which column repeats.
Key = tuple[str, object]


def file_key(*, record_id: int | None, id_label: str, value: object, value_label: str) -> Key | None:
    """The key a row names its record by; None when it names none (a new record)."""
    if record_id is not None:
        return (str(id_label), record_id)
    text = str(value or "").strip().casefold()
    return (str(value_label), text) if text else None


class RepeatedKeys:
    """The keys met so far in one file, each with the line it was first met on."""

    def __init__(self) -> None:
        self.first_lines: dict[Key, int] = {}

    def repeated(self, key: Key | None) -> str | None:
        """Why a row with `key` fails, if an earlier row of the file had it; else None."""
        line = self.first_lines.get(key) if key is not None else None
        if line is None:
            return None
        return _("This row is a duplicate of line %(line)d in this file (same %(column)s): keep one of them.") % {
            "line": line,
            "column": key[0],
        }

    def remember(self, key: Key | None, line: int) -> None:
        if key is not None:
            self.first_lines.setdefault(key, line)
