from __future__ import annotations

import datetime

import django_filters
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity


class ActivityFilter(django_filters.FilterSet):
    """The My Activities views, and search by subject."""

    VIEW_CHOICES = [
        ("my_open", _("My Open Activities")),
        ("overdue", _("My Overdue Activities")),
        ("due_this_week", _("My Activities Due This Week")),
        ("completed", _("My Completed Activities")),
    ]
    DEFAULT_VIEW = "my_open"

    view = django_filters.ChoiceFilter(label=_("View"), method="filter_view", empty_label=None, choices=VIEW_CHOICES)
    q = django_filters.CharFilter(label=_("Search this view"), method="filter_search")

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if data.get("view") not in dict(self.VIEW_CHOICES):
            data["view"] = self.DEFAULT_VIEW
        super().__init__(data, *args, **kwargs)

    def filter_view(self, queryset, name, value):
        mine = queryset.owned_by(self.request.user)
        if value == "overdue":
            return mine.overdue()
        if value == "due_this_week":
            today = timezone.localdate()
            start = timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=today.weekday()), datetime.time())
            )
            return mine.due_between(start, start + datetime.timedelta(days=7))
        if value == "completed":
            return mine.filter(state="completed")
        return mine.open()

    def filter_search(self, queryset, name, value):
        return queryset.filter(subject__icontains=value.strip()) if value.strip() else queryset
