from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from crm.formats import local_datetime
from crm.lists import RecordTable


class ActivityTable(RecordTable):
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject", "id"))
    kind = tables.Column(order_by=("kind", "id"))
    regarding = tables.Column(verbose_name=_("Regarding"), orderable=False)
    due_at = tables.Column(verbose_name=_("Due"), order_by=("due_at", "id"))
    priority = tables.Column(order_by=("priority", "id"))
    state = tables.Column(order_by=("state", "id"))
    owner = tables.Column(orderable=False)

    class Meta(RecordTable.Meta):
        model = Activity
        fields = ("selected", "subject", "kind", "regarding", "due_at", "priority", "state", "owner")
        empty_text = _("No activities in this view.")

    def cell_renderer(self, name, column, *, empty):
        if name == "regarding":
            return lambda record: self.link_to(record.regarding)
        if name == "subject":
            return lambda record: format_html('<a href="{}">{}</a>', self.detail_url(record), record)
        if name == "due_at":
            return lambda record: local_datetime(record.due_at, "SHORT_DATETIME_FORMAT") if record.due_at else empty
        return super().cell_renderer(name, column, empty=empty)
