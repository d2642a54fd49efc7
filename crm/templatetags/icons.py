"""{% icon "name" %}: a symbol of static/crm/icons.svg. A tag rather than an include: the site
map and top bar show a dozen on every page, and an include costs more than the markup."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    classes = f"crm-icon {css_class}" if css_class else "crm-icon"
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static("crm/icons.svg"),
        name,
    )
