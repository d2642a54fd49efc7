"""The admin's import held to Import Data's rules: the same size limit, the same hostile-file
checks and the same reader (imports/readers.py) for every format, previews kept by
imports/previews.py and confirmed only by the user who uploaded them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import tablib
from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from imports import previews, readers
from imports.forms import check_upload_size
from imports.resources import ADMIN_FORMATS


def table_dataset(path: Path, name: str) -> tablib.Dataset:
    """A checked file (readers.open_table) as the dataset django-import-export imports."""
    table = readers.open_table(path, name)
    width = len(table.headers)
    dataset = tablib.Dataset(headers=table.headers)
    for _line, cells in table.rows():
        dataset.append((list(cells) + [None] * width)[:width])
    return dataset


class ReadersFormat:
    """A django-import-export format read by imports/readers.py, as Import Data reads it.

    Every format is read from a file: the preview storage gives its path; bytes from any
    other caller are written to a temporary file first."""

    extensions: frozenset[str]
    file_name = ""  # the uploaded file's name, for messages; set by the admin on upload

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        if isinstance(in_stream, Path):
            return table_dataset(in_stream, self.file_name or in_stream.name)
        with tempfile.TemporaryDirectory(prefix="crm-import-") as folder:
            path = Path(folder) / f"upload.{self.get_extension()}"
            path.write_bytes(in_stream if isinstance(in_stream, bytes) else in_stream.encode())
            return table_dataset(path, self.file_name or path.name)


class CSV(ReadersFormat, base_formats.CSV):
    extensions = frozenset({".csv", ".txt"})


class TSV(ReadersFormat, base_formats.TSV):
    extensions = frozenset({".tsv", ".txt"})


class XLSX(ReadersFormat, base_formats.XLSX):
    extensions = frozenset({".xlsx"})


class XLS(ReadersFormat, base_formats.XLS):
    extensions = frozenset({".xls"})


class ODS(ReadersFormat, base_formats.ODS):
    extensions = frozenset({".ods"})


IMPORT_FORMATS = [CSV, TSV, XLSX, XLS, ODS]


class CheckedImportForm(ImportForm):
    """The admin's upload form, with Import Data's size limit and a file that matches the
    chosen format (the format decides how it is read), and its "Allow duplicates"."""

    allow_duplicates = forms.BooleanField(
        label=gettext_lazy("Allow duplicates"),
        required=False,
        help_text=gettext_lazy(
            "Rows that the duplicate detection rules match to an existing record or to an earlier row "
            "are listed; they are skipped unless you tick this."
        ),
    )

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or not index:
            return cleaned
        try:
            check_upload_size(upload)
        except forms.ValidationError as error:
            self.add_error("import_file", error)
            return cleaned
        chosen = self.formats[int(index)]
        if readers.extension(upload.name) not in chosen.extensions:
            self.add_error(
                "import_file",
                _("%(name)s is not a %(format)s file: choose the format that matches it.")
                % {"name": upload.name, "format": chosen().get_title().upper()},
            )
        return cleaned


class CheckedConfirmImportForm(ConfirmImportForm):
    """The confirm step carries the upload's choice on duplicates."""

    allow_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput())


def duplicates_report(found: list, *, done: bool) -> str:
    """What the duplicate rules matched, row by row (the first REPORTED_DUPLICATES)."""
    lines = []
    for number, match, skipped in found[:REPORTED_DUPLICATES]:
        if match.record_id is not None:
            like = _("row %(row)d is like %(record)s") % {"row": number, "record": match.record_label}
        else:
            like = _("row %(row)d is like row %(earlier)d of the file") % {"row": number, "earlier": match.line}
        if skipped:
            like = (_("%(match)s: skipped") if done else _("%(match)s: will be skipped")) % {"match": like}
        lines.append(like)
    if len(found) > REPORTED_DUPLICATES:
        lines.append(_("and %(count)d more") % {"count": len(found) - REPORTED_DUPLICATES})
    return _("Possible duplicates: %(rows)s.") % {"rows": "; ".join(lines)}


REPORTED_DUPLICATES = 20


class CheckedImportExportAdmin(ImportExportModelAdmin):
    """ImportExportModelAdmin whose import follows Import Data's rules (see the module)."""

    import_formats = IMPORT_FORMATS
    export_formats = ADMIN_FORMATS
    import_form_class = CheckedImportForm
    confirm_form_class = CheckedConfirmImportForm
    tmp_storage_class = previews.PreviewStorage
    import_template_name = "admin/imports/import.html"

    def write_to_tmp_storage(self, import_file, input_format):
        # Streamed to our storage (the library joins the chunks in memory), under a new name.
        storage = previews.PreviewStorage()
        storage.receive(import_file.chunks(), extension=readers.extension(import_file.name))
        input_format.file_name = import_file.name
        return storage

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:  # the preview step, which stored the file
            previews.remember(request, initial["import_file_name"])
            initial["allow_duplicates"] = import_form.cleaned_data.get("allow_duplicates", False)
        return initial

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, readers.UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        found = getattr(getattr(response, "context_data", {}).get("result"), "possible_duplicates", None)
        if found:
            messages.warning(request, duplicates_report(found, done=False))
        # A preview that can't be confirmed (its file was refused, or rows have errors) goes now.
        # (The form's cleaned_data drops the file when it was refused: the upload itself is read.)
        name = getattr(request.FILES.get("import_file"), "tmp_storage_name", "")
        if name and "confirm_form" not in response.context_data:
            previews.PreviewStorage(name=name).remove()
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        name = request.POST.get("import_file_name", "")
        info = self.opts.app_label, self.opts.model_name
        if "cancel" in request.POST:
            previews.forget(request, name)
            messages.info(request, _("Import cancelled: nothing was imported."))
            return redirect(reverse("admin:{}_{}_changelist".format(*info), current_app=self.admin_site.name))
        refusal = _("This import preview is not yours or no longer exists: upload the file again.")
        again = redirect(reverse("admin:{}_{}_import".format(*info), current_app=self.admin_site.name))
        if not previews.owned(request, name):
            messages.error(request, refusal)
            return again
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:  # deleted by cleanup_imports since it was checked
            messages.error(request, refusal)
            return again
        finally:
            previews.forget(request, name)

    def process_result(self, result, request):
        found = getattr(result, "possible_duplicates", None)
        if found:
            messages.warning(request, duplicates_report(found, done=True))
        return super().process_result(result, request)

    def get_export_queryset(self, request):
        # The export page takes the list's filters from its query string; unknown ones are
        # a bad request, as on the list (which redirects), not a server error.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest("unknown filter") from error
