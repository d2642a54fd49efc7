"""{% recent_items %}: the lines of the user's Recent or Pinned list, rendered once a request.

Home shows Recent twice, in the site map's flyout and in its own panel, and a pin's fragment
update sends both again: the lines (up to 20, each with a link and a pin button) are the
same in both places, so the second place reuses the first one's markup.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

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
