from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from crm.forms import EMPTY_CHOICE_LABEL
from crm.models import person_name
from imports import readers
from imports.entities import Entity, all_entities
from imports.models import ImportJob, SavedMapping


def entity_choices(user) -> list[tuple[str, str]]:
    return [(entity.key, str(entity.label).capitalize()) for entity in all_entities() if entity.may(user, "import")]


def check_upload_size(upload) -> None:
    """IMPORT_MAX_UPLOAD_MB, for both import paths: refused before anything is read."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("This file is %(size)s; files up to %(limit)s can be imported. Split it into smaller files.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV, text (.txt, .tsv), Excel (.xlsx, .xls), OpenDocument (.ods), vCard (.vcf), or a .zip holding "
            "several. Outlook and Google Contacts exports are recognised."
        ),
    )
    entity = forms.ChoiceField(label=_("Record type"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [("", _("Detect from the column headings")), *entity_choices(user)]
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(readers.UPLOAD_EXTENSIONS))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if readers.extension(upload.name) not in readers.UPLOAD_EXTENSIONS:
            raise forms.ValidationError(
                _("This type of file can't be imported: use CSV, TXT, TSV, XLSX, XLS, ODS, VCF or ZIP.")
            )
        check_upload_size(upload)
        return upload


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # People know their teammates by name, not by sign-in (as in the lists).
        return person_name(obj)


class MappingForm(forms.Form):
    """Column mapping and options for one draft job. One select per column, named col_N."""

    entity = forms.ChoiceField(label=_("Record type"))
    saved_mapping = forms.ModelChoiceField(
        label=_("Use a saved mapping"), queryset=SavedMapping.objects.none(), required=False, empty_label=_("None")
    )
    duplicates = forms.ChoiceField(
        label=_("When a row matches an existing record"),
        choices=ImportJob.Duplicates.choices,
        widget=forms.RadioSelect,
    )
    allow_duplicates = forms.TypedChoiceField(
        label=_("Allow duplicates"),
        choices=[
            ("yes", _("Yes: create rows that look like an existing record, and list them")),
            ("no", _("No: skip rows that look like an existing record or an earlier row, and list them")),
        ],
        coerce=lambda value: value != "no",
        empty_value=True,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Rows are compared by the duplicate detection rules."),
    )
    create_missing_links = forms.BooleanField(
        label=_("Create the companies that don't exist yet"),
        required=False,
        help_text=_("A company the file names that matches no account becomes a new account, owned as below."),
    )
    match_key = forms.ChoiceField(label=_("Match existing records on"))
    record_owner = PersonChoiceField(
        label=_("Owner of new records"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        empty_label=EMPTY_CHOICE_LABEL,
        help_text=_("Used when the file has no Owner column, or the cell is empty."),
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("Give it a name to reuse it with the next file."),
    )

    def __init__(self, *args, job: ImportJob, entity: Entity, user, **kwargs):
        initial = {
            "entity": entity.key,
            "duplicates": job.duplicates,
            "allow_duplicates": "yes" if job.allow_duplicates else "no",
            "match_key": job.match_key if job.match_key in entity.match_keys else entity.default_match_key,
            "record_owner": job.record_owner_id or user.pk,
            "create_missing_links": job.create_missing_links,
            **{f"col_{index}": name for index, name in enumerate(job.mapping)},
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.job, self.entity, self.user = job, entity, user
        self.fields["entity"].choices = entity_choices(user)
        self.fields["saved_mapping"].queryset = SavedMapping.objects.filter(owner=user, entity=entity.key)
        if not entity.links or not entity.writes_class.CREATES_LINKED:
            del self.fields["create_missing_links"]
        if entity.match_keys:
            self.fields["match_key"].choices = [(key, entity.by_name[key].label) for key in entity.match_keys]
        else:
            # Rows name existing records by their ID column only (activities have no other key).
            del self.fields["match_key"]
        field_choices = [("", _("(not mapped: ignore)"))] + [(column.name, column.label) for column in entity.columns]
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Column %(n)d") % {"n": index + 1}, choices=field_choices, required=False
            )

    def clean_record_owner(self):
        owner = self.cleaned_data["record_owner"]
        refusal = self.entity.writes_class.chosen_owner_refusal(self.entity, owner, by=self.user)
        if refusal:
            raise forms.ValidationError(refusal)
        return owner

    def column_fields(self):
        return [self[f"col_{index}"] for index in range(len(self.job.headers))]

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{index}", "") for index in range(len(self.job.headers))]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entity") != self.entity.key:
            raise forms.ValidationError(_("The record type changed: check the mapping, then import."))
        mapping = self.mapping()
        labels = {column.name: column.label for column in self.entity.columns}
        repeated = sorted({labels[name] for name in mapping if name and mapping.count(name) > 1})
        if repeated:
            raise forms.ValidationError(
                _("Each field can take one column only; several columns map to: %(fields)s.")
                % {"fields": ", ".join(repeated)}
            )
        missing = [labels[name] for name in self.entity.required if name not in mapping]
        if missing:
            raise forms.ValidationError(
                _("Map a column to each required field: %(fields)s.") % {"fields": ", ".join(missing)}
            )
        key = cleaned.setdefault("match_key", "")
        # Rows with an ID column (an export's) match on it; rows without one are new records.
        matched = key in mapping or self.entity.id_column.name in mapping
        if cleaned.get("duplicates") != ImportJob.Duplicates.CREATE and key and not matched:
            raise forms.ValidationError(
                _("To find existing records by %(field)s, map a column to it (or choose to create new records).")
                % {"field": labels[key]}
            )
        return cleaned
