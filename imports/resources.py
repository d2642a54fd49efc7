"""django-import-export resources built from the same columns as the Import Data page, so
the admin's import and export speak the same headers, lookups and conversions."""

from __future__ import annotations

import re
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.safestring import mark_safe
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from audit import services as audit
from audit.models import Source
from crm.models import copy_name_to_linked_rows
from duplicates.batch import BatchDuplicates, Match
from imports import rules
from imports.columns import CellError, Column, LinkColumn, OwnerColumn, cell_text, neutralise
from imports.entities import Entity


class ColumnWidget(widgets.Widget):
    """A cell read and written by its column. Links (owner, company, parent) are resolved
    by EntityResource.import_field with the shared rules, which need the record."""

    def __init__(self, column: Column):
        super().__init__()
        self.column = column

    def clean(self, value, row=None, **kwargs):
        try:
            return self.column.parse(value)
        except CellError as error:
            raise ValueError(str(error)) from None

    def render(self, value, obj=None, **kwargs):
        # Every export path neutralises formula-looking text, the admin's included.
        return neutralise(self.column.render_value(value))


# diff_match_patch escapes "<" in the cell text, so only its own tags can match.
DIFF_TAG_STYLE = re.compile(r'<(ins|del|span) style="[^"]*">')


class PreviewDiff(resources.Diff):
    """The admin's import preview: values as they will be stored, changes as bare <ins>/<del>.

    The export's formula guard is for files a spreadsheet opens, not for a web page (the
    preview showed a phone as "'+47 55 00 00 01"); and the CSP blocks the inline styles
    diff_match_patch writes, so the admin's stylesheet colours the changes instead.
    """

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self.stored_values(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self.stored_values(resource, instance)

    @staticmethod
    def stored_values(resource, instance) -> list:
        return [field.widget.column.render_value(field.get_value(instance)) for field in resource.get_import_fields()]

    def as_html(self):
        return [mark_safe(DIFF_TAG_STYLE.sub(r"<\1>", html)) for html in super().as_html()]


class EntityResource(resources.ModelResource):
    """Subclasses set `entity`; fields come from its columns, headed by their labels."""

    entity: Entity

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The admin's import form (preview) or confirm form says whether to allow duplicates.
        form = kwargs.get("form")
        self.allow_duplicates = bool(getattr(form, "cleaned_data", {}).get("allow_duplicates", False))
        self.fields = {
            column.name: fields.Field(
                attribute=column.name,
                column_name=column.label,
                widget=ColumnWidget(column),
                # An empty Owner cell keeps the owner; a new record gets the importing user.
                saves_null_values=not isinstance(column, OwnerColumn),
                # The record's ID is exported and matched on (get_instance), never written.
                readonly=column is self.entity.id_column,
            )
            for column in self.entity.columns
        }

    def get_diff_class(self):
        return PreviewDiff

    def get_export_order(self):
        return tuple(self.fields)

    def get_export_fields(self, selected_fields=None):
        # The record's ID goes with every export, whatever fields were ticked, as with Import
        # Data's: importing the file back matches each row on it first, so a contact whose
        # company shares its name with another account keeps its own (rules.Links.choose).
        if selected_fields:
            id_name = self.entity.id_column.name
            names = [getattr(field, "attribute", field) for field in selected_fields]
            if id_name not in names:
                selected_fields = [*selected_fields, id_name]
        return super().get_export_fields(selected_fields)

    def get_import_id_fields(self):
        return []

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save a row's record and, unless only previewing, its audit entry (source: admin)."""
        before = None if is_create else type(instance)._default_manager.filter(pk=instance.pk).first()
        super().save_instance(instance, is_create, row, **kwargs)
        if self._is_dry_run(kwargs):
            return
        if before is None:
            audit.record_created(record=instance, by=kwargs.get("user"), source=Source.ADMIN)
        else:
            audit.record_changed(before=before, after=instance, by=kwargs.get("user"), source=Source.ADMIN)

    def before_import(self, dataset, **kwargs):
        # Headers may be labels or logical names, in any case: rename them to the labels.
        renamed = []
        for header in dataset.headers or []:
            column = self.entity.column_for_header(header)
            renamed.append(column.label if column else header)
        dataset.headers = renamed
        self.file_keys = rules.RepeatedKeys()
        self.possible = self.possible_duplicates(dataset)
        # (row number, what it matches, skipped) of the new rows the rules matched.
        self.duplicates_found: list[tuple[int, Match, bool]] = []

    def possible_duplicates(self, dataset) -> dict[int, Match]:
        """Import Data's duplicate detection over the whole file before any row is imported:
        set-based, a few queries per DUPLICATE_CHUNK rows (duplicates.batch), by row number."""
        detector = BatchDuplicates(self._meta.model)
        if not detector.rules:
            return {}
        compared = [self.entity.by_name[name] for name in detector.compared_fields() if name in self.entity.by_name]
        labels = {column.name: column.label for column in compared}
        rows = []
        for number, cells in enumerate(dataset.dict, 1):
            values = {}
            for column in compared:
                try:
                    values[column.name] = column.parse(cells.get(labels[column.name]))
                except CellError:
                    values[column.name] = None  # the row fails on it later, with the reason
            rows.append((number, values))
        found: dict[int, Match] = {}
        for start in range(0, len(rows), DUPLICATE_CHUNK):
            found.update(detector.check(rows[start : start + DUPLICATE_CHUNK]))
        return found

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A new row the duplicate rules match is reported, and skipped unless allowed."""
        if instance.pk is None and self.row_number in self.possible:
            skipped = not self.allow_duplicates
            self.duplicates_found.append((self.row_number, self.possible[self.row_number], skipped))
            if skipped:
                return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.possible_duplicates = self.duplicates_found

    @cached_property
    def links(self) -> dict[str, rules.Links]:
        return {column.name: rules.Links(column) for column in self.entity.links}

    @cached_property
    def owners(self) -> rules.Owners:
        return rules.Owners()

    @cached_property
    def hierarchy(self) -> rules.Hierarchy:
        return rules.Hierarchy(self.entity)

    @cached_property
    def matches(self) -> rules.Matches:
        return rules.Matches(self.entity, keys=self.entity.match_keys, fields=[])

    def row_keys(self, row) -> tuple[int | None, dict]:
        """(record ID, match key values) of a row; CellError for a malformed ID."""
        values = {key: cell_text(row.get(self.entity.by_name[key].label)) for key in self.entity.match_keys}
        return self.entity.id_column.parse(row.get(self.entity.id_column.label)), values

    def before_import_row(self, row, **kwargs):
        self.row_number = kwargs["row_number"]
        try:
            key = self.matches.file_key(*self.row_keys(row))
        except CellError:
            return  # get_instance fails the row with the reason
        try:
            self.file_keys.refuse_repeated(key)
        except CellError as refusal:
            raise ValueError(str(refusal)) from None
        self.file_keys.remember(key, kwargs["row_number"])

    def get_instance(self, instance_loader, row):
        """The record the row names (imports.rules.Matches: its ID, then the keys in turn)."""
        try:
            record_id, values = self.row_keys(row)
            found = self.matches.match(record_id, values, self.matches.read([(record_id, values)]))
        except CellError as refusal:
            raise ValueError(str(refusal)) from None
        return None if found is None else self._meta.model._default_manager.get(pk=found[self.matches.pk_name])

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        column = field.widget.column
        if not isinstance(column, LinkColumn) or field.column_name not in row:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        text = column.parse(row[field.column_name])
        attname = column.field.attname
        try:
            if isinstance(column, OwnerColumn):
                # An empty Owner cell keeps the owner; a new record gets the importing user.
                if text:
                    setattr(instance, attname, self.owners.resolve(text))
            elif text:
                links = self.links[column.name]
                links.resolve([text])
                setattr(instance, attname, links.choose(text, current_id=getattr(instance, attname)))
            else:
                setattr(instance, attname, None)
        except CellError as refusal:
            raise ValueError(str(refusal)) from None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The shared row rules an update must pass (imports.rules), reported on the row."""
        errors = dict(import_validation_errors or {})
        if instance.pk is not None:
            try:
                rules.refuse_inactive(instance.status)
                link = self.entity.hierarchy
                if link:
                    self.hierarchy.check(record_id=instance.pk, target_id=getattr(instance, f"{link}_id"))
            except CellError as refusal:
                errors.setdefault(NON_FIELD_ERRORS, []).append(str(refusal))
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        by_id = getattr(user, "pk", None)
        now = timezone.now()
        if instance.pk is None:
            stamps = rules.create_stamps(by_id=by_id, now=now)
            if instance.owner_id is None:
                instance.owner = user
        else:
            stamps = rules.update_stamps(version=instance.version, by_id=by_id, now=now)
        for name, value in stamps.items():
            setattr(instance, name, value)

    def after_save_instance(self, instance, row, **kwargs):
        # Other rows' copies of this record's name (a company's contacts) follow, as in the app.
        copy_name_to_linked_rows(instance)


# Rows compared by the duplicate rules per batch of queries (as an Import Data chunk).
DUPLICATE_CHUNK = 1000

# The admin offers the formats people exchange with spreadsheets, not JSON/YAML/HTML.
ADMIN_FORMATS = [base_formats.CSV, base_formats.TSV, base_formats.XLSX, base_formats.XLS, base_formats.ODS]
