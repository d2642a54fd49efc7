from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from access.models import BusinessUnit, SecurityRole, ShareRight, Team
from access.scope import descendants
from access.services import CarryContacts
from crm.models import person_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class AssignForm(forms.Form):
    """To me, to another user or to a team; an account's contacts may go along."""

    to = forms.ChoiceField(
        label=_("Assign to"),
        choices=[("me", _("Me")), ("user", _("Another user")), ("team", _("A team"))],
        widget=forms.RadioSelect,
        initial="me",
    )
    user = PersonChoiceField(label=_("User"), queryset=active_users(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    carry = forms.ChoiceField(
        label=_("Their contacts"),
        choices=CarryContacts.choices,
        initial=CarryContacts.ALL,
        widget=forms.RadioSelect,
        help_text=_("Which contacts of the assigned accounts go to the new owner too."),
    )

    def __init__(self, *args, user, carries_contacts: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.me = user
        self.fields["user"].queryset = active_users().exclude(pk=user.pk)
        if not carries_contacts:
            del self.fields["carry"]

    def clean(self):
        data = super().clean()
        choice = data.get("to")
        if choice == "user" and not data.get("user"):
            self.add_error("user", _("Choose the user to assign to."))
        if choice == "team" and not data.get("team"):
            self.add_error("team", _("Choose the team to assign to."))
        return data

    def new_owner(self):
        choice = self.cleaned_data["to"]
        return self.me if choice == "me" else self.cleaned_data[choice]


class ShareForm(forms.Form):
    user = PersonChoiceField(label=_("User"), queryset=active_users(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    rights = forms.TypedMultipleChoiceField(
        label=_("Rights"),
        choices=ShareRight.choices,
        coerce=int,
        initial=[ShareRight.READ],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("team")):
            raise forms.ValidationError(_("Choose one user or one team to share with."))
        return data

    def principal(self):
        return self.cleaned_data["user"] or self.cleaned_data["team"]

    def rights_mask(self) -> int:
        mask = 0
        for right in self.cleaned_data["rights"]:
            mask |= right
        return mask


class BusinessUnitForm(forms.ModelForm):
    class Meta:
        model = BusinessUnit
        fields = ["name", "parent"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if self.instance.pk is None:
            if parent is None:
                raise forms.ValidationError(_("Choose the business unit this one belongs to."))
            return parent
        if self.instance.parent_id is None and parent is not None:
            raise forms.ValidationError(_("The root business unit can't have a parent."))
        if self.instance.parent_id is not None and parent is None:
            raise forms.ValidationError(_("Only the root business unit has no parent."))
        if parent is not None and parent.pk in descendants(self.instance.pk):
            raise forms.ValidationError(
                _("%(parent)s is below this business unit; choose another.") % {"parent": parent}
            )
        return parent


class TeamForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=active_users(), required=False, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Security roles"),
        queryset=SecurityRole.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Team
        fields = ["name", "business_unit", "members", "roles"]


class UserAccessForm(forms.Form):
    business_unit = forms.ModelChoiceField(label=_("Business unit"), queryset=BusinessUnit.objects.all())
    roles = forms.ModelMultipleChoiceField(
        label=_("Security roles"),
        queryset=SecurityRole.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
