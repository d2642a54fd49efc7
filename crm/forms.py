"""Form pieces every record form shares: field guides as tooltips, the row version,
and lookups that scale to a million records (type a name, never scroll a <select>)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.db import models
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access import guard
from access.models import Privilege
from crm import formats

# What an empty drop-down says, as in D365, instead of Django's "---------".
EMPTY_CHOICE_LABEL = _("Select...")


def label_empty_choice(field: forms.Field) -> None:
    """Give a drop-down's empty choice EMPTY_CHOICE_LABEL (lookups are text boxes: untouched)."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None and not isinstance(field.widget, LookupWidget):
            field.empty_label = EMPTY_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField):
        field.choices = [(value, EMPTY_CHOICE_LABEL if value == "" else label) for value, label in field.choices]


def columns(*names: str) -> Div:
    """Lay the fields out two to a row on wide screens."""
    return Div(*[Div(name, css_class="col-md-6") for name in names], css_class="row")


def panel(title: str, *names: str) -> Fieldset:
    """A titled section of a record form, as the main forms of D365 have."""
    return Fieldset(title, columns(*names), css_class="crm-panel")


def record_form_helper(*parts) -> FormHelper:
    """The crispy layout of a record form: the row version (hidden), then `parts`. The page
    template writes the <form> tag, with the Save commands."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout("loaded_version", *parts)
    return helper


class LookupWidget(forms.Widget):
    """A text box showing the chosen record's name, with its id in a hidden input.

    With JavaScript, typing offers suggestions from `lookup_url` and picking one fills the id.
    Without it, the typed name is resolved on the server.
    """

    template_name = "includes/lookup_widget.html"

    def __init__(self, lookup_url_name: str, attrs=None, *, narrowed_by: str = ""):
        super().__init__(attrs)
        self.lookup_url_name = lookup_url_name
        # Ids of linked records the user may not read: shown without their name (LookupField).
        self.hidden_ids: set = set()
        # Another field of the form whose chosen id narrows the suggestions (manager by company).
        self.narrowed_by = narrowed_by

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        record_id, label = value if isinstance(value, tuple) else (value, None)
        if label is None and record_id not in (None, ""):
            label = self.label_for(record_id)
        context["widget"].update(
            record_id="" if record_id is None else record_id,
            label=label or "",
            lookup_url=reverse(self.lookup_url_name),
            narrowed_by=self.narrowed_by,
        )
        return context

    def label_for(self, record_id) -> str:
        if str(record_id) in {str(pk) for pk in self.hidden_ids}:
            return guard.unseen_label()
        record = self.choices.queryset.model._default_manager.filter(pk=record_id).first()
        return str(record) if record else ""

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_label", ""))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_label" not in data

    def id_for_label(self, id_):
        return f"{id_}_label" if id_ else id_


class LookupField(forms.ModelChoiceField):
    """Chooses one record of `queryset` by name; refuses unknown and ambiguous names."""

    def __init__(self, queryset: QuerySet, *, lookup_url_name: str, label_field: str, narrowed_by: str = "", **kwargs):
        self.label_field = label_field
        kwargs.setdefault("widget", LookupWidget(lookup_url_name, narrowed_by=narrowed_by))
        super().__init__(queryset, **kwargs)

    @property
    def hidden_ids(self) -> set:
        """The linked record kept on an edit form though the user may not read it: its name
        is never shown, and posting it back unchanged keeps the link (RecordForm.limit_lookup)."""
        return self.widget.hidden_ids

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return value
        if isinstance(value, Model):
            return (value.pk, guard.unseen_label() if value.pk in self.hidden_ids else str(value))
        return value

    def to_python(self, value):
        record_id, label = value if isinstance(value, tuple) else (value, None)
        label = (label or "").strip()
        if label == "" and isinstance(value, tuple):
            return None
        if record_id not in (None, ""):
            try:
                record = super().to_python(record_id)
            except forms.ValidationError:
                record = None  # e.g. deactivated meanwhile: the typed name explains better
            if record is not None and (not label or label == str(record)):
                return record
            if record is not None and record.pk in self.hidden_ids and label == guard.unseen_label():
                return record  # the unreadable link, posted back as shown
        if not label:
            return None
        matches = list(self.queryset.where_text_is(self.label_field, label)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No active %(model)s is called “%(label)s”. Check the spelling or pick one from the suggestions."),
                code="invalid_choice",
                params={"model": self.queryset.model._meta.verbose_name, "label": label},
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several %(models)s are called “%(label)s”. Pick the right one from the suggestions."),
                code="ambiguous",
                params={"models": self.queryset.model._meta.verbose_name_plural, "label": label},
            )
        return matches[0]

    def has_changed(self, initial, data):
        initial_id = initial.pk if isinstance(initial, Model) else initial
        try:
            chosen = self.to_python(data)
        except forms.ValidationError:
            return True
        return str(initial_id or "") != str(chosen.pk if chosen else "")


class VersionField(forms.IntegerField):
    """The row version an edit was made from. Anything but a number reads as missing, which
    the save refuses (services.record_update) with the user's typing kept, rather than an
    error on a field nobody can see."""

    widget = forms.HiddenInput

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class LocalizedNumberMixin:
    """Reads a number as the user's language writes it ("1 234,56" in French) and shows it
    that way; an ambiguous one ("1.234" in French) gets a message saying how to write it."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(formats.parse_number(value))
            except formats.FormatError as error:
                raise forms.ValidationError(str(error), code="invalid") from None
        return super().to_python(value)


class LocalizedDecimalField(LocalizedNumberMixin, forms.DecimalField):
    pass


class LocalizedIntegerField(LocalizedNumberMixin, forms.IntegerField):
    pass


class LocalizedDateField(forms.DateField):
    """Reads a date as the user's language writes it (31/12/2026 in French), as imports do;
    a two-digit year is refused as ambiguous. A browser's date picker sends 2026-12-31."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                return formats.parse_date(value)
            except formats.FormatError as error:
                raise forms.ValidationError(str(error), code="invalid") from None
        return super().to_python(value)


def record_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """The form field of a record's model field: numbers and dates in the user's format,
    numbers typed in a text box (a number box refuses the spaces and commas French writes)."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.update(form_class=LocalizedDateField)
    elif isinstance(db_field, models.DecimalField):
        kwargs.update(form_class=LocalizedDecimalField, localize=True)
    elif isinstance(db_field, models.IntegerField) and db_field.editable:
        kwargs.update(form_class=LocalizedIntegerField, localize=True)
    formfield = db_field.formfield(**kwargs)
    if isinstance(formfield, LocalizedNumberMixin):
        formfield.widget.attrs.setdefault("inputmode", "decimal")
    return formfield


class RecordForm(forms.ModelForm):
    """Base of every New/Edit form: lookups, and the row version riding along. The owner is
    never a form field: the creator owns a new record, and Assign changes the owner.

    Help texts are shown as field guides by the crispy template bootstrap5/layout/help_text.html.
    """

    loaded_version = VersionField(required=False)

    def __init_subclass__(cls, **kwargs):
        # Each record form declares its own Meta, which Django reads without inheritance; this
        # runs before the form metaclass builds the fields from it.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = record_formfield
        super().__init_subclass__(**kwargs)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version
        self.lookups: list[str] = []  # the lookups limit_lookup() scoped
        self.setup_lookups()
        for field in self.fields.values():
            label_empty_choice(field)

    def fields_with_errors(self) -> list[forms.BoundField]:
        """The visible fields the error summary links to (none for a form-wide error alone)."""
        return [field for field in self.visible_fields() if field.errors]

    def setup_lookups(self) -> None:
        """Subclasses replace foreign keys with LookupFields here."""

    def limit_lookup(self, name: str, queryset: QuerySet) -> None:
        """Offer only active records the user may link to (Read and Append To on each), but
        keep the one already linked even if it is inactive (or no longer theirs to link).
        Changing the link also takes Append on the record being edited (see clean())."""
        queryset = guard.linkable(queryset, self.user)
        current_id = getattr(self.instance, f"{name}_id", None)
        if current_id is not None:
            if not guard.visible(queryset.model, self.user).filter(pk=current_id).exists():
                self.fields[name].hidden_ids.add(current_id)  # kept, but not named
            queryset = queryset.model._default_manager.filter(pk=current_id) | queryset
        self.fields[name].queryset = queryset
        self.lookups.append(name)

    def clean(self):
        data = super().clean()
        changed = [name for name in self.lookups if name in self.changed_data and name not in self._errors]
        if changed and not guard.may_append(self.instance, self.user):
            model = self._meta.model
            reason = guard.refusal(model, self.user, Privilege.APPEND)
            for name in changed:
                self.add_error(
                    name,
                    _("You may not link this %(record)s to other records: %(reason)s")
                    % {"record": model._meta.verbose_name, "reason": reason},
                )
        return data

    def changed_data_against(self, record: Model) -> list[str]:
        """Fields whose submitted value differs from what `record` holds now."""
        names = []
        for name in self.fields:
            if name == "loaded_version" or name not in self.cleaned_data:
                continue
            submitted = self.cleaned_data[name]
            stored = getattr(record, name, None)
            if isinstance(submitted, Model) or isinstance(stored, Model):
                submitted = getattr(submitted, "pk", submitted)
                stored = getattr(record, f"{name}_id", stored)
            if (submitted or None) != (stored or None):
                names.append(name)
        return names
