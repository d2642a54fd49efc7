from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.registry import record_types
from audit.models import Event


def user_choices(users=None) -> list[tuple[str, str]]:
    users = get_user_model().objects.all() if users is None else users
    return [
        ("", _("All users")),
        *((str(pk), name) for pk, name in users.order_by("username").values_list("pk", "username")),
    ]


class HistoryFilterForm(forms.Form):
    """Filters of a record's Audit History: one field, one user."""

    field = forms.ChoiceField(label=_("Field"), required=False)
    user = forms.ChoiceField(label=_("Changed by"), required=False)

    def __init__(self, *args, fields: dict, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields"))] + [
            (name, field.verbose_name) for name, field in fields.items()
        ]
        self.fields["user"].choices = user_choices(users)

    def apply(self, entries):
        if not self.is_valid():
            return entries
        if self.cleaned_data["field"]:
            entries = entries.touching(self.cleaned_data["field"])
        if self.cleaned_data["user"]:
            entries = entries.filter(user_id=int(self.cleaned_data["user"]))
        return entries


class SummaryFilterForm(forms.Form):
    """Filters of the Audit Summary: user, record type, event, dates."""

    user = forms.ChoiceField(label=_("Changed by"), required=False)
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    event = forms.ChoiceField(label=_("Event"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = user_choices()
        self.fields["record_type"].choices = [("", _("All record types"))] + [
            (key, model._meta.verbose_name_plural.capitalize()) for key, model in record_types().items()
        ]
        self.fields["event"].choices = [("", _("All events")), *Event.choices]

    def apply(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["user"]:
            entries = entries.filter(user_id=int(data["user"]))
        if data["record_type"]:
            entries = entries.filter(record_type=data["record_type"])
        if data["event"]:
            entries = entries.filter(event=data["event"])
        # Whole days in the user's time zone, as bounds on the indexed time itself.
        if data["start"]:
            entries = entries.filter(at__gte=start_of(data["start"]))
        if data["end"]:
            entries = entries.filter(at__lt=start_of(data["end"] + timedelta(days=1)))
        return entries


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
