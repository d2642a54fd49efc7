from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from access.registry import record_types
from duplicates.detection import matchable_fields
from duplicates.models import DuplicateRule, Operator, RuleCondition


def detectable_types() -> dict[str, type]:
    """Record types whose fields duplicate rules can compare."""
    return {name: model for name, model in record_types().items() if matchable_fields(model)}


def record_type_choices() -> list[tuple[str, str]]:
    return [(name, str(model._meta.verbose_name_plural).capitalize()) for name, model in detectable_types().items()]


def field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every comparable field, grouped by record type."""
    return [
        (
            str(model._meta.verbose_name_plural).capitalize(),
            [(name, str(model._meta.get_field(name).verbose_name)) for name in matchable_fields(model)],
        )
        for model in detectable_types().values()
    ]


class DuplicateRuleForm(forms.ModelForm):
    class Meta:
        model = DuplicateRule
        fields = ["name", "record_type", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"] = forms.ChoiceField(label=_("Record type"), choices=record_type_choices())


class RuleConditionForm(forms.ModelForm):
    class Meta:
        model = RuleCondition
        fields = ["field", "operator", "length"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank first choice: an extra condition left alone is not saved.
        self.fields["field"] = forms.ChoiceField(label=_("Field"), choices=[("", _("Select..."))] + field_choices())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("operator") in (Operator.FIRST, Operator.LAST) and not cleaned.get("length"):
            self.add_error("length", _("Say how many characters must be the same."))
        return cleaned


class BaseConditionFormSet(BaseInlineFormSet):
    def __init__(self, *args, record_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.record_type = record_type

    def clean(self):
        super().clean()
        model = detectable_types().get(self.record_type)
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(_("A rule needs at least one condition."))
        if model is None:
            return
        for form in kept:
            if form.cleaned_data.get("field") not in matchable_fields(model):
                form.add_error(
                    "field",
                    _("Choose a field of %(records)s, the rule's record type.")
                    % {"records": model._meta.verbose_name_plural},
                )


ConditionFormSet = inlineformset_factory(
    DuplicateRule, RuleCondition, form=RuleConditionForm, formset=BaseConditionFormSet, extra=2, can_delete=True
)
