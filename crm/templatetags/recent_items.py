"""{% recent_items %}: the lines of the user's Recent or Pinned list, rendered once a request.

Home shows Recent twice, in the site map's flyout and in its own panel, and a pin's fragment
update sends both again: the lines (up to 20, each with a link and a pin button) are the
same in both places, so the second place reuses the first one's markup.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from crm import recent

register = template.Library()


@register.simple_tag(takes_context=True)
def recent_items(context: template.Context, which: str) -> SafeString:
    """The markup of `recent_lists.<which>` ("recent" or "pinned"); "" when it is empty."""
    request = context["request"]
    rendered: dict[str, SafeString] = request.__dict__.setdefault("_recent_items_html", {})
    if which not in rendered:
        entries = getattr(recent.lists_for(request), which)
        markup = SafeString("")
        if entries:
            lines = context.template.engine.get_template("includes/recent_items.html")
            with context.push(entries=entries):
                markup = lines.render(context)
        rendered[which] = markup
    return rendered[which]


@register.simple_tag
def pin_button(
    *, icons: str, pin_type: str, pin_id: int, pin_name: str, pinned: bool, record_toggle: bool = False
) -> SafeString:
    """One pin or unpin button, posted by the form around it (a list's or a record page's) to
    recent_pin; `icons` is the sprite URL, looked up once by the caller. A tag rather than an
    included template: the Recent and Pinned lists render up to 40 of them a page."""
    title = gettext("Unpin") if pinned else gettext("Pin")
    label = (gettext("Unpin %(name)s") if pinned else gettext("Pin %(name)s")) % {"name": pin_name}
    classes = "btn btn-sm btn-outline-secondary" if record_toggle else "crm-pin-button"
    return format_html(
        '<button class="{}{}" type="submit" name="{}" value="{}-{}" title="{}" aria-label="{}">'
        '<svg class="crm-icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>{}</button>',
        classes,
        " crm-pinned" if pinned else "",
        "unpin" if pinned else "pin",
        pin_type,
        pin_id,
        title,
        label,
        icons,
        "pin-filled" if pinned else "pin",
        format_html("<span>{}</span>", title) if record_toggle else "",
    )
