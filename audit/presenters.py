"""Audit entries as people read them: field labels, choice labels, linked record names."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from access import guard
from access.models import ShareRight
from access.registry import record_types
from audit.fields import audited_fields, shown
from audit.models import AuditEntry, Event, Source

PAGE_SIZE = 50


class Page:
    """What a page of entries reads once, whatever its length: each record type's audited
    fields, the labels of events, sources and choices in the current language, and the names
    of every record or user the entries link to (one query per linked type)."""

    def __init__(self, entries: list[AuditEntry], *, user=None):
        self.user = user
        self.fields: dict[str, dict[str, models.Field]] = {}
        self.labels: dict[models.Field, str] = {}
        self.choices: dict[models.Field, dict] = {}
        self.events = {key: str(label) for key, label in Event.choices}
        self.sources = {key: str(label) for key, label in Source.choices}
        self.names = self.linked_names(entries)

    def fields_of(self, entry: AuditEntry) -> dict[str, models.Field]:
        if entry.record_type not in self.fields:
            model = record_types().get(entry.record_type)
            self.fields[entry.record_type] = audited_fields(model) if model is not None else {}
        return self.fields[entry.record_type]

    def linked_names(self, entries: list[AuditEntry]) -> dict[tuple[type, object], str]:
        wanted: dict[type, set] = defaultdict(set)
        for entry in entries:
            fields = self.fields_of(entry)
            for name, values in entry.changes.items():
                field = fields.get(name)
                if field is not None and field.is_relation:
                    wanted[field.related_model].update(value for value in values if value is not None)
        names = {}
        for model, ids in wanted.items():
            readable = None if self.user is None else guard.readable_names(model, ids, self.user)
            if readable is None:  # users, teams, or a page for administrators across records
                for record in model._default_manager.filter(pk__in=ids):
                    names[(model, record.pk)] = person_label(record)
                continue
            # A linked record the reader may not read keeps its name to itself (access.guard).
            unseen = guard.unseen_label()
            for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True):
                names[(model, pk)] = readable.get(pk, unseen)
        return names

    def shown(self, field: models.Field, value) -> str:
        if field.choices and value not in (None, ""):
            if field not in self.choices:
                self.choices[field] = {key: str(label) for key, label in field.flatchoices}
            return self.choices[field].get(value, str(value))
        return shown(field, value, self.names)

    def changes_of(self, entry: AuditEntry) -> list[dict]:
        """[{label, old, new}] in the order the entry lists them."""
        fields = self.fields_of(entry)
        rows = []
        for name, (old, new) in entry.changes.items():
            field = fields.get(name)
            if field is not None:
                if field not in self.labels:
                    self.labels[field] = str(field.verbose_name)
                rows.append({"label": self.labels[field], "old": self.shown(field, old), "new": self.shown(field, new)})
            elif name == "rights":
                rows.append({"label": _("Access rights"), "old": rights_label(old), "new": rights_label(new)})
            elif name == "rows":
                rows.append({"label": _("Rows"), "old": "", "new": new})
            elif name == "days":
                rows.append({"label": _("Kept for (days)"), "old": "", "new": new})
        return rows


def person_label(record: models.Model) -> str:
    if hasattr(record, "get_full_name"):
        return record.get_full_name() or record.get_username()
    return str(record)


def rights_label(rights: int | None) -> str:
    if rights is None:
        return ""
    return ", ".join(str(right.label) for right in ShareRight if rights & right)


def present(entries: list[AuditEntry], *, user=None) -> list[dict]:
    """The entries as people read them; with `user`, the names of linked records they may
    not read are left out."""
    page = Page(entries, user=user)
    rows = []
    for entry in entries:
        changes = page.changes_of(entry)
        rows.append(
            {
                "entry": entry,
                "event": page.events.get(entry.event, entry.event),
                "source": page.sources.get(entry.source, entry.source),
                "changes": changes,
            }
        )
    return rows


def body_html(rows: list[dict], *, show_record: bool = False) -> SafeString:
    """The table rows of a page of entries, each text escaped once: an event takes one line
    per changed field (its date, user, event and record cells spanning them), or one line.

    Rendered here rather than by a template loop: the loops, includes and filters cost five
    times the SQL of a 50-entry page (see docs/audit.md)."""
    job = _("import job %(job)s")
    html = []
    for row in rows:
        entry = row["entry"]
        lines = row["changes"] or [{"label": "", "old": "", "new": ""}]
        span = f' rowspan="{len(lines)}"' if len(lines) > 1 else ""
        about = [row["source"]]
        if entry.job_id:
            about.append(job % {"job": entry.job_id})
        if entry.detail:
            about.append(entry.detail)
        cells = [
            f"<td{span}>{escape(formats.localize(template_localtime(entry.at)))}</td>",
            f"<td{span}>{escape(entry.user_name or '—')}</td>",
            f"<td{span}>{escape(row['event'])}"
            f'<div class="small text-body-secondary">{escape(" · ".join(about))}</div></td>',
        ]
        if show_record:
            name = escape(entry.record_name or (entry.record_id or ""))
            if entry.record_id and entry.event != Event.DELETE:
                url = escape(reverse("audit:history", args=[entry.record_type, entry.record_id]))
                name = f'<a href="{url}">{name}</a>'
            cells.append(f"<td{span}>{name}</td>")
        for change in lines:
            values = "".join(f"<td>{escape(change[key])}</td>" for key in ("label", "old", "new"))
            html.append(f"<tr>{''.join(cells)}{values}</tr>")
            cells = []
    return mark_safe("\n".join(html))


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
