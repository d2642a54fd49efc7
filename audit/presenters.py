"""Audit entries as people read them: field labels, choice labels, linked record names."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _

from access.models import ShareRight
from access.registry import record_types
from audit.fields import audited_fields, shown
from audit.models import AuditEntry, Event, Source

PAGE_SIZE = 50


def linked_names(entries: list[AuditEntry]) -> dict[tuple[type, object], str]:
    """The names of every record (or user) a page of entries links to: one query per type."""
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        fields = fields_of(entry)
        for name, values in entry.changes.items():
            field = fields.get(name)
            if field is not None and field.is_relation:
                wanted[field.related_model].update(value for value in values if value is not None)
    names = {}
    for model, ids in wanted.items():
        for record in model._default_manager.filter(pk__in=ids):
            names[(model, record.pk)] = person_label(record)
    return names


def person_label(record: models.Model) -> str:
    if hasattr(record, "get_full_name"):
        return record.get_full_name() or record.get_username()
    return str(record)


def fields_of(entry: AuditEntry) -> dict[str, models.Field]:
    model = record_types().get(entry.record_type)
    return audited_fields(model) if model is not None else {}


def rights_label(rights: int | None) -> str:
    if rights is None:
        return ""
    return ", ".join(str(right.label) for right in ShareRight if rights & right)


def changes_of(entry: AuditEntry, names: dict) -> list[dict]:
    """[{label, old, new}] in the order of the record's fields."""
    fields = fields_of(entry)
    rows = []
    for name, (old, new) in entry.changes.items():
        field = fields.get(name)
        if field is not None:
            rows.append({"label": field.verbose_name, "old": shown(field, old, names), "new": shown(field, new, names)})
        elif name == "rights":
            rows.append({"label": _("Access rights"), "old": rights_label(old), "new": rights_label(new)})
        elif name == "rows":
            rows.append({"label": _("Rows"), "old": "", "new": new})
        elif name == "days":
            rows.append({"label": _("Kept for (days)"), "old": "", "new": new})
    return rows


def present(entries: list[AuditEntry]) -> list[dict]:
    names = linked_names(entries)
    # Labels translated once a page: get_event_display() would translate every choice per entry.
    events, sources = {key: str(label) for key, label in Event.choices}, {k: str(v) for k, v in Source.choices}
    rows = []
    for entry in entries:
        changes = changes_of(entry, names)
        rows.append(
            {
                "entry": entry,
                "event": events.get(entry.event, entry.event),
                "source": sources.get(entry.source, entry.source),
                "changes": changes,
                # An event without field changes (a delete, a sign-in) still takes one line.
                "lines": changes or [{}],
                "span": max(1, len(changes)),
            }
        )
    return rows


def cursor_of(entry: AuditEntry) -> str:
    return f"{entry.at.isoformat()}_{entry.pk}"


def after_cursor(entries, cursor: str | None):
    """The entries after a page's last one (newest first); the first page for a bad cursor."""
    if not cursor:
        return entries
    at, _sep, pk = cursor.rpartition("_")
    try:
        return entries.before(datetime.fromisoformat(at), int(pk))
    except ValueError:
        return entries


def keyset_page(entries, cursor: str | None) -> tuple[list[AuditEntry], str]:
    """One page of entries, newest first, and the cursor of the next page ("" if last)."""
    rows = list(after_cursor(entries.newest_first(), cursor)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, cursor_of(rows[-1]) if more else ""
