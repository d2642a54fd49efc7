"""The shared machinery of the Accounts and Contacts lists: views (My Active, Active,
Inactive), quick find, the A-Z jump bar, sorting, paging without counting huge tables,
and the ordered record set that detail pages step through."""

from __future__ import annotations

import string
from urllib.parse import urlencode

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.paginators import LazyPaginator

# Counting a million rows on every page view is what makes other CRMs slow; stop at this.
COUNT_CAP = 5000
PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_PAGE_SIZE = 50
JUMP_LETTERS = ["#", *string.ascii_uppercase]


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """How many rows, counting at most COUNT_CAP + 1; returns (count, capped)."""
    count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def page_size_from(params: QueryDict) -> int:
    try:
        size = int(params.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


class RecordFilterSet(django_filters.FilterSet):
    """Subclasses set VIEW_CHOICES (labels per entity), NAME_FIELD and the model."""

    VIEW_CHOICES: list[tuple[str, str]] = []
    NAME_FIELD = "name"
    DEFAULT_VIEW = "my_active"

    view = django_filters.ChoiceFilter(label=_("View"), method="filter_view", empty_label=None)
    q = django_filters.CharFilter(label=_("Search this view"), method="filter_search")
    letter = django_filters.ChoiceFilter(
        label=_("Starts with"), method="filter_letter", choices=[(letter, letter) for letter in JUMP_LETTERS]
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if data.get("view") not in dict(self.VIEW_CHOICES):
            data["view"] = self.DEFAULT_VIEW
        super().__init__(data, *args, **kwargs)
        self.filters["view"].extra["choices"] = self.VIEW_CHOICES

    def filter_view(self, queryset, name, value):
        if value == "inactive":
            return queryset.inactive()
        if value == "active":
            return queryset.active()
        return queryset.active().owned_by(self.request.user)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_letter(self, queryset, name, value):
        if value == "#":
            return queryset.exclude(**{f"{self.NAME_FIELD}__regex": r"^[A-Za-z]"})
        return queryset.filter(Q(**{f"{self.NAME_FIELD}__istartswith": value}))


class SelectColumn(tables.Column):
    """A row checkbox named "selected", labelled with the record's name for screen readers."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", orderable=False, verbose_name="", empty_values=(), **kwargs)

    def header(self):  # type: ignore[override]
        return format_html(
            '<input class="form-check-input" type="checkbox" data-select-all aria-label="{}">',
            _("Select all rows on this page"),
        )

    def render(self, value, record):
        return format_html(
            '<input class="form-check-input" type="checkbox" name="selected" value="{}" aria-label="{}">',
            value,
            _("Select %(name)s") % {"name": record},
        )


class RecordTable(tables.Table):
    """Base table: checkboxes, and the name links to the record, remembering the list."""

    selected = SelectColumn()

    class Meta:
        template_name = "includes/record_table.html"
        attrs = {"class": "table table-hover table-sm align-middle crm-list-table"}
        order_by_field = "sort"
        # Rows per page are validated by the view (25/50/100/250), not taken raw from the URL.
        per_page_field = "unused_per_page"
        empty_text = _("No records in this view.")

    def render_owner(self, value):
        # People know their teammates by name, not by sign-in (as on the record's page).
        return value.get_full_name() or value.get_username()

    def record_link(self, record, text):
        # The detail page uses `list` to step to the next/previous record of this view.
        params = self.request.GET.urlencode() if getattr(self, "request", None) else ""
        url = record.get_absolute_url()
        if params:
            url = f"{url}?{urlencode({'list': params})}"
        return format_html('<a href="{}">{}</a>', url, text)


def ordered_record_set(*, table_class, filterset_class, queryset: QuerySet, params: QueryDict, request) -> QuerySet:
    """The rows of a list view exactly as the list shows them: filtered and sorted."""
    filterset = filterset_class(params, queryset=queryset, request=request)
    table = table_class(filterset.qs)
    sort = params.get("sort")
    if sort:
        table.order_by = sort
    return table.data.data


def neighbours(*, record_set: QuerySet, params: QueryDict, pk: int) -> dict[str, QueryDict | int]:
    """The records before and after `pk` in the list the user came from.

    Only the page the user was on (plus one row either side) is read, so this costs one
    small query whatever the size of the list. Returns {"previous": (id, params), "next": ...}
    where params are the list parameters to carry on, with the page moved if needed.
    """
    per_page = page_size_from(params)
    try:
        page = max(int(params.get("page", 1)), 1)
    except ValueError:
        page = 1
    window_start = max((page - 1) * per_page - 1, 0)
    ids = list(record_set.values_list("pk", flat=True)[window_start : page * per_page + 1])
    if pk not in ids:
        return {}
    position = ids.index(pk)
    found = {}
    for direction, index in (("previous", position - 1), ("next", position + 1)):
        if 0 <= index < len(ids):
            carried = params.copy()
            carried["page"] = str((window_start + index) // per_page + 1)
            found[direction] = (ids[index], carried)
    return found


PAGINATION = {"paginator_class": LazyPaginator}
