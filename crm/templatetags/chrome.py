"""{% chrome "includes/topbar.html" %}: the top bar and the site map, rendered once per process
for each set of what they show, then filled in for the request.

They are the same on every page a user opens in one area of the site (the language, the area,
the user's name and access decide them), yet rendering them (two dozen links, icons, the
language switch, the Recent and Pinned flyouts) cost about 2 ms of CPU a page. What differs
from request to request is left as markers in the stored copy: the CSRF token, the page's own
address (where the language switch comes back to) and the lines of Recent and Pinned, which
are read and rendered for each request as before ({% recent_lines %}).
"""

from __future__ import annotations

import secrets

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from crm import registry
from crm.templatetags.recent_items import recent_items

register = template.Library()

# Random per process, so that no text a user types can pass for one.
MARK = f"chrome-{secrets.token_hex(12)}"
CSRF_MARK, PATH_MARK = f"{MARK}-csrf", f"{MARK}-path"
LIST_KINDS = ("recent", "pinned")
RENDERED: dict[tuple, tuple[str, dict[str, str]]] = {}
RENDERED_MAX = 2048


def lines_mark(which: str) -> str:
    return f"{MARK}-lines-{which}"


def chrome_key(context: template.Context, template_name: str) -> tuple:
    """Everything the top bar and site map show that is not filled in per request."""
    user = context["request"].user
    can_import = context.get("nav_can_import")
    return (
        template_name,
        registry.generation(),
        get_language(),
        context.get("nav_area"),
        user.pk,
        user.get_username(),
        user.get_full_name(),
        user.is_staff,
        bool(context.get("crm_is_administrator")),
        bool(can_import() if callable(can_import) else can_import),
        context.get("global_search_term") or "",
    )


@register.simple_tag(takes_context=True)
def chrome(context: template.Context, template_name: str) -> SafeString:
    request = context.get("request")
    chosen = context.template.engine.get_template(template_name)
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return chosen.render(context)
    key = chrome_key(context, template_name)
    stored = RENDERED.get(key)
    if stored is None:
        empties: dict[str, str] = {}
        with context.push(csrf_token=CSRF_MARK, chrome_page_path=PATH_MARK, chrome_empties=empties):
            stored = (chosen.render(context), empties)
        if len(RENDERED) >= RENDERED_MAX:
            RENDERED.clear()
        RENDERED[key] = stored
    html, empties = stored
    html = html.replace(CSRF_MARK, escape(get_token(request))).replace(PATH_MARK, escape(request.get_full_path()))
    for which, empty in empties.items():
        html = html.replace(lines_mark(which), str(recent_items(context, which) or empty))
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def recent_lines(context: template.Context, which: str, empty: str) -> SafeString:
    """The lines of Recent or Pinned, or `empty` in a paragraph when there are none; inside
    {% chrome %}'s stored copy, a marker it fills for each request."""
    placeholder = format_html('<p class="crm-flyout-empty">{}</p>', empty)
    empties = context.get("chrome_empties")
    if empties is not None:
        empties[which] = placeholder
        return mark_safe(lines_mark(which))
    return recent_items(context, which) or placeholder
