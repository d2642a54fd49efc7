"""One form per activity kind: each owns its fields, its checks and what it prefills from the
record the activity is about. Forms only validate; activities.services writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import guard
from activities.files import checked_upload
from activities.models import Activity, Kind
from contacts.models import Contact

# How many people an appointment form offers as attendees, of each sort.
ATTENDEE_CHOICES_LIMIT = 100
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked (size cap, type sniffed from content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned, errors = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                cleaned.append((upload, checked_upload(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ActivityForm(forms.ModelForm):
    kind: str = ""
    # What the "+" menu and the form's heading call it.
    title = ""

    def __init__(self, *args, regarding, user, **kwargs):
        self.regarding, self.user = regarding, user
        kwargs.setdefault("prefix", "activity")
        kwargs.setdefault("initial", {}).update(self.prefilled())
        super().__init__(*args, **kwargs)
        self.instance.kind = self.kind

    def prefilled(self) -> dict:
        return {}

    def service_arguments(self) -> dict:
        """What activities.services.activity_create takes from this form besides the activity."""
        return {}


class NoteForm(ActivityForm):
    kind = Kind.NOTE
    title = gettext_lazy("Note")
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy("Documents, pictures or text files; programs are refused."),
    )

    class Meta:
        model = Activity
        fields = ["subject", "body"]
        labels = {"subject": gettext_lazy("Title"), "body": gettext_lazy("Note")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("body") and not cleaned.get("attachments") and "attachments" not in self.errors:
            raise ValidationError(_("Write a note or attach a file."))
        return cleaned

    def service_arguments(self) -> dict:
        return {"files": self.cleaned_data["attachments"]}


class TaskForm(ActivityForm):
    kind = Kind.TASK
    title = gettext_lazy("Task")

    class Meta:
        model = Activity
        fields = ["subject", "due_at", "priority", "body"]
        widgets = {"due_at": DATETIME_WIDGET, "body": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"due_at": gettext_lazy("A date already past is allowed: the task shows as overdue.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = True


class PhoneCallForm(ActivityForm):
    kind = Kind.PHONE_CALL
    title = gettext_lazy("Phone call")

    class Meta:
        model = Activity
        fields = ["subject", "direction", "phone_number", "duration_minutes", "body"]
        labels = {"body": gettext_lazy("Call notes")}
        widgets = {"direction": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = True
        self.fields["direction"].choices = self.fields["direction"].choices[1:]  # no blank choice

    def prefilled(self) -> dict:
        number = getattr(self.regarding, "telephone1", "") or getattr(self.regarding, "mobile_phone", "")
        return {"phone_number": number, "subject": _("Call with %(record)s") % {"record": self.regarding}}


def addresses(raw: str) -> list[str]:
    found = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    for address in found:
        validate_email(address)
    return found


class EmailForm(ActivityForm):
    kind = Kind.EMAIL
    title = gettext_lazy("Email")
    to = forms.CharField(
        label=gettext_lazy("To"), required=False, help_text=gettext_lazy("Separate addresses with commas.")
    )
    cc = forms.CharField(label=gettext_lazy("Cc"), required=False)

    class Meta:
        model = Activity
        fields = ["subject", "body"]
        labels = {"body": gettext_lazy("Message")}
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["to", "cc", "subject", "body"])
        self.fields["subject"].required = True

    def prefilled(self) -> dict:
        return {"to": getattr(self.regarding, "emailaddress1", "")}

    def clean_to(self) -> list[str]:
        try:
            found = addresses(self.cleaned_data["to"])
        except ValidationError:
            raise ValidationError(_("One of these is not an email address.")) from None
        if not found:
            raise ValidationError(_("Give at least one recipient's email address."))
        return found

    def clean_cc(self) -> list[str]:
        try:
            return addresses(self.cleaned_data["cc"])
        except ValidationError:
            raise ValidationError(_("One of these is not an email address.")) from None

    def clean(self):
        cleaned = super().clean()
        if getattr(self.regarding, "do_not_email", False):
            raise ValidationError(
                _(
                    "%(record)s has “Do not allow Emails” set, so no email can be sent to "
                    "them. Call or write instead, or ask whoever owns the record."
                )
                % {"record": self.regarding}
            )
        return cleaned

    def service_arguments(self) -> dict:
        return {"to": self.cleaned_data["to"], "cc": self.cleaned_data["cc"]}


class AppointmentForm(ActivityForm):
    kind = Kind.APPOINTMENT
    title = gettext_lazy("Appointment")
    required_attendees = forms.MultipleChoiceField(
        label=gettext_lazy("Required attendees"), required=False, widget=forms.CheckboxSelectMultiple
    )
    optional_attendees = forms.MultipleChoiceField(
        label=gettext_lazy("Optional attendees"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Activity
        fields = ["subject", "due_at", "ends_at", "location", "body"]
        labels = {"due_at": gettext_lazy("Start"), "ends_at": gettext_lazy("End")}
        widgets = {"due_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET, "body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject", "due_at", "ends_at"):
            self.fields[name].required = True
        self.people = self.attendee_candidates()
        choices = [(key, label) for key, (_person, label) in self.people.items()]
        self.fields["required_attendees"].choices = choices
        self.fields["optional_attendees"].choices = choices
        self.order_fields(["subject", "due_at", "ends_at", "location", "required_attendees", "optional_attendees"])

    def attendee_candidates(self) -> dict:
        """The people the user may invite: contacts of the record they can see, and colleagues.
        Anyone else posted is refused as an unknown choice."""
        company = self.regarding if self.regarding._meta.model_name == "account" else self.regarding.company
        contacts = Contact.objects.filter(pk=self.regarding.pk) if company is None else None
        if company is not None:
            contacts = Contact.objects.filter(company=company)
        contacts = guard.visible(contacts.active(), self.user).order_by("full_name", "id")[:ATTENDEE_CHOICES_LIMIT]
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        people = {f"contact:{contact.pk}": (contact, str(contact)) for contact in contacts}
        for user in users[:ATTENDEE_CHOICES_LIMIT]:
            people[f"user:{user.pk}"] = (user, user.get_full_name() or user.get_username())
        return people

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        both = set(cleaned.get("required_attendees", [])) & set(cleaned.get("optional_attendees", []))
        if both:
            self.add_error("optional_attendees", _("A person can be a required or an optional attendee, not both."))
        return cleaned

    def service_arguments(self) -> dict:
        return {
            "attendees": [self.people[key][0] for key in self.cleaned_data["required_attendees"]],
            "optional_attendees": [self.people[key][0] for key in self.cleaned_data["optional_attendees"]],
        }


FORMS: dict[str, type[ActivityForm]] = {
    form.kind: form for form in (NoteForm, TaskForm, PhoneCallForm, EmailForm, AppointmentForm)
}


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("User"), queryset=get_user_model().objects.none(), required=False)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from access.models import Team

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["team"].queryset = Team.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("team")):
            raise ValidationError(_("Choose a user or a team."))
        return cleaned


class QuickCreateForm(forms.Form):
    """Quick Create's first step: the kind, and the account or contact it is about (its
    timeline then opens with the kind's form)."""

    kind = forms.ChoiceField(label=gettext_lazy("Activity type"), choices=Kind.choices)
    account = forms.Field(label=gettext_lazy("Regarding account"), required=False)
    contact = forms.Field(label=gettext_lazy("Regarding contact"), required=False)

    def __init__(self, *args, user, **kwargs):
        from accounts.models import Account
        from crm.forms import LookupField

        super().__init__(*args, **kwargs)
        self.fields["account"] = LookupField(
            guard.linkable(Account.objects.active(), user),
            lookup_url_name="accounts:lookup",
            label_field="name",
            label=gettext_lazy("Regarding account"),
            required=False,
        )
        self.fields["contact"] = LookupField(
            guard.linkable(Contact.objects.active(), user),
            lookup_url_name="contacts:lookup",
            label_field="full_name",
            label=gettext_lazy("Regarding contact"),
            required=False,
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and bool(cleaned.get("account")) == bool(cleaned.get("contact")):
            raise ValidationError(_("Choose the account or the contact the activity is about (one of them)."))
        return cleaned

    @property
    def regarding(self):
        return self.cleaned_data.get("contact") or self.cleaned_data.get("account")
