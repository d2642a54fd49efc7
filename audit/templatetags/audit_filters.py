"""The options of the audit pages' filter selects, written in one pass."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def select_options(field: BoundField) -> SafeString:
    """<option>s of a choice field with the submitted one selected: a template loop over a
    record type's ~45 fields and every user cost more than the history rows themselves."""
    current = str(field.value() or "")
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == current else ""}>{escape(label)}</option>'
            for value, label in field.field.choices
        )
    )
