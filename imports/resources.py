"""django-import-export resources built from the same columns as the Import Data page, so
the admin's import and export speak the same headers, lookups and conversions."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from accounts.models import Account
from imports import duplicates
from imports.columns import CellError, Column, cell_text, neutralise
from imports.entities import Entity


class ColumnWidget(widgets.Widget):
    def __init__(self, column: Column):
        super().__init__()
        self.column = column

    def clean(self, value, row=None, **kwargs):
        try:
            parsed = self.column.parse(value)
        except CellError as error:
            raise ValueError(str(error)) from None
        if self.column.kind == "account":
            return self.account(parsed) if parsed else None
        if self.column.kind == "owner":
            return self.user(parsed) if parsed else None
        return parsed

    def account(self, text: str) -> Account:
        # Exact matches first, from the ordinary indexes; then either field in any case.
        accounts = Account.objects
        matches = (
            list(accounts.filter(account_number=text)[:2])
            or list(accounts.filter(name=text)[:3])
            or list((accounts.where_text_is("account_number", text) | accounts.where_text_is("name", text))[:3])
        )
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValueError(
                self.column.problem(_("no account has the name or account number “%(value)s”.") % {"value": text})
            )
        raise ValueError(
            self.column.problem(_("“%(value)s” matches several accounts; use the account number.") % {"value": text})
        )

    def user(self, text: str):
        users = list(get_user_model().objects.filter(Q(username__iexact=text) | Q(email__iexact=text))[:2])
        if len(users) != 1:
            raise ValueError(_("Owner: no single user has the user name or email “%(value)s”.") % {"value": text})
        return users[0]

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
        self.fields = {
            column.name: fields.Field(
                attribute=column.name,
                column_name=column.label,
                widget=ColumnWidget(column),
                # An empty Owner cell keeps the owner; a new record gets the importing user.
                saves_null_values=column.kind != "owner",
                # The record's ID is exported and matched on (get_instance), never written.
                readonly=column is self.entity.id_column,
            )
            for column in self.entity.columns
        }

    def get_diff_class(self):
        return PreviewDiff

    def get_export_order(self):
        return tuple(self.fields)

    def get_import_id_fields(self):
        return []

    def before_import(self, dataset, **kwargs):
        # Headers may be labels or logical names, in any case: rename them to the labels.
        renamed = []
        for header in dataset.headers or []:
            column = self.entity.column_for_header(header)
            renamed.append(column.label if column else header)
        dataset.headers = renamed
        self.file_keys = duplicates.RepeatedKeys()

    def before_import_row(self, row, **kwargs):
        key = self.file_key(row)
        repeated = self.file_keys.repeated(key)
        if repeated:
            raise ValueError(repeated)
        self.file_keys.remember(key, kwargs["row_number"])

    def file_key(self, row) -> duplicates.Key | None:
        """The row's record ID, else its first match key with a value (as get_instance)."""
        id_column = self.entity.id_column
        try:
            record_id = id_column.parse(row.get(id_column.label))
        except CellError:
            return None  # get_instance fails the row with the reason
        labels = [self.entity.by_name[key].label for key in self.entity.match_keys]
        label = next((label for label in labels if cell_text(row.get(label))), "")
        value = cell_text(row.get(label)) if label else ""
        return duplicates.file_key(record_id=record_id, id_label=id_column.label, value=value, value_label=label)

    def get_instance(self, instance_loader, row):
        id_column = self.entity.id_column
        try:
            record_id = id_column.parse(row.get(id_column.label))
        except CellError as error:
            raise ValueError(str(error)) from None
        if record_id is not None:
            record = self._meta.model.objects.filter(pk=record_id).first()
            if record is None:
                raise ValueError(id_column.unknown(record_id))
            return record
        for key in self.entity.match_keys:
            value = cell_text(row.get(self.entity.by_name[key].label))
            if not value:
                continue
            records = self._meta.model.objects
            matches = list(records.filter(**{key: value})[:2]) or list(records.where_text_is(key, value)[:2])
            if len(matches) > 1:
                raise ValueError(
                    _("Several existing records have “%(value)s”; make it unique first.") % {"value": value}
                )
            if matches:
                return matches[0]
        return None

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if instance.pk is None:
            instance.created_by = user
            if instance.owner_id is None:
                instance.owner = user
        else:
            instance.version += 1
        instance.modified_by = user


# The admin offers the formats people exchange with spreadsheets, not JSON/YAML/HTML.
ADMIN_FORMATS = [base_formats.CSV, base_formats.TSV, base_formats.XLSX, base_formats.XLS, base_formats.ODS]
