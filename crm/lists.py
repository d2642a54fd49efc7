"""The shared machinery of the Accounts and Contacts lists: views (My Active, Active,
Inactive), quick find, the A-Z jump bar, sorting, paging without counting huge tables,
and the ordered record set that detail pages step through."""

from __future__ import annotations

import base64
import binascii
import json
import string
from dataclasses import dataclass
from html import escape as html_escape
from urllib.parse import urlencode

import django_filters
import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.paginator import EmptyPage
from django.db.models import F, Model, QuerySet
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRows

from access import guard
from crm.models import QUICK_FIND_TERM

# Counting a million rows on every page view is what makes other CRMs slow; stop at this.
COUNT_CAP = 5000
# A quick find is counted only this far ("500+"): the count of a common term is what made
# it slow, and past a few hundred matches people refine the term instead of paging.
SEARCH_COUNT_CAP = 500
PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_PAGE_SIZE = 50
JUMP_LETTERS = ["#", *string.ascii_uppercase]


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting at most `cap` (COUNT_CAP) + 1, one limited query per access
    path; returns (count, capped)."""
    cap = COUNT_CAP if cap is None else cap
    return capped(guard.count_upto(queryset, cap + 1), cap)


def capped(count: int, cap: int | None = None) -> tuple[int, bool]:
    cap = COUNT_CAP if cap is None else cap
    return min(count, cap), count > cap


def view_count(page, queryset: QuerySet) -> tuple[int, bool]:
    """capped_count() of a list view, free when the whole view fits on its first page (a
    rare quick-find term, a small view): the rows read for the page are then the count. A
    quick find is counted to SEARCH_COUNT_CAP only."""
    cap = SEARCH_COUNT_CAP if is_quick_find(queryset) else COUNT_CAP
    if page.number == 1 and not page.has_next():
        return capped(len(page.object_list), cap)
    return capped_count(queryset, cap)


@dataclass(frozen=True)
class JumpLink:
    label: str
    href: str
    active: bool


def jump_links(params: QueryDict) -> list[JumpLink]:
    """The A-Z bar: "All", then a link a letter, each to page 1 of this view filtered by it.
    Built here rather than with {% querystring %} per letter: 27 copies of the query a page."""
    base = params.copy()
    for name in ("letter", "page", CURSOR_FIELD):
        base.pop(name, None)
    current = params.get("letter")
    everything = base.urlencode()
    links = [JumpLink(gettext("All"), f"?{everything}", not current)]
    for letter in JUMP_LETTERS:
        base["letter"] = letter
        links.append(JumpLink(letter, f"?{base.urlencode()}", current == letter))
    return links


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
        # The user's own records need no access filter beyond their owner (guard.owned_by).
        return guard.owned_by(queryset.active(), self.request.user)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_letter(self, queryset, name, value):
        if value == "#":
            return queryset.not_starting_with_a_letter(self.NAME_FIELD)
        return queryset.starting_with(self.NAME_FIELD, value)


class SelectColumn(tables.Column):
    """A row checkbox named "selected", labelled with the record's name for screen readers."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", orderable=False, verbose_name="", empty_values=(), **kwargs)

    def header(self):  # type: ignore[override]
        return format_html(
            '<label class="crm-hit"><input class="form-check-input" type="checkbox" data-select-all aria-label="{}">'
            "</label>",
            _("Select all rows on this page"),
        )

    @staticmethod
    def checkbox(pk, label: str) -> SafeString:
        # The label around it is the 44 px touch target; the box itself stays its usual size.
        # Written with escape_text(): format_html's per-argument machinery, 50 times a page,
        # was a measurable share of a list's CPU.
        return mark_safe(
            f'<label class="crm-hit"><input class="form-check-input" type="checkbox" name="selected"'
            f' value="{escape_text(pk)}" aria-label="{escape_text(label)}"></label>'
        )


def escape_text(value) -> str:
    """conditional_escape() for a table cell, without its lazy-string and SafeData checks on
    plain text: a list page escapes 400 cells."""
    if isinstance(value, SafeData):
        return str(value)
    return html_escape(str(value))


URL_ID_STANDIN = 987654321
PRIORITY = "data-priority"
ROW_TEMPLATES: dict[tuple, str] = {}


def priority(level: int) -> dict:
    """Column attrs giving its priority on narrow screens: 1 (the record's name) always shows,
    then 2, 3 and 4 give way in that order as the list gets narrower (see crm.css)."""
    return {"cell": {PRIORITY: str(level)}}


# What RecordTable.body_rows honours of a django-tables2 column: its rows are built without
# django-tables2's per-cell machinery, which would silently drop anything else (an accessor,
# linkify, cell attributes but the priority, a footer, localize...). A list table asking for
# more fails when it is defined, at start-up; a render_<name>(record, value) method covers
# custom cells.
SUPPORTED_COLUMN_CLASSES = (tables.Column, tables.EmailColumn)
SUPPORTED_COLUMN_OPTIONS = {"verbose_name", "orderable", "order_by", "_default"}
# django-tables2's own bookkeeping, and EmailColumn's mailto: link (which body_rows writes).
COLUMN_BOOKKEEPING = {"creation_counter", "_explicit"}
EMAIL_LINK = {"link", "text"}


def unsupported_options(column: tables.Column) -> list[str]:
    """The options of `column` RecordTable.body_rows would ignore, by name."""
    column_class = type(column)
    if column_class not in SUPPORTED_COLUMN_CLASSES:
        return [column_class.__name__]
    plain = vars(column_class())
    found = []
    for name, value in vars(column).items():
        if name in SUPPORTED_COLUMN_OPTIONS | COLUMN_BOOKKEEPING:
            continue
        if name in EMAIL_LINK and column_class is tables.EmailColumn:
            continue
        if name == "attrs" and set(value) <= {"cell"} and set(value.get("cell", {})) <= {PRIORITY}:
            continue  # priority(): the one cell attribute row_template writes
        if name == "link" or name not in plain or plain[name] != value:
            found.append({"link": "linkify", "_footer": "footer", "_default": "default"}.get(name, name))
    return found


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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, column in cls.base_columns.items():
            problems = [] if isinstance(column, SelectColumn) else unsupported_options(column)
            if problems:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name} uses {', '.join(problems)}, which list tables don't render "
                    f"(see crm.lists.SUPPORTED_COLUMN_OPTIONS); write a render_{name} method instead."
                )
        if cls._meta.row_attrs:
            raise ImproperlyConfigured(f"{cls.__name__}: list tables don't render Meta.row_attrs.")

    def body_rows(self) -> list[SafeString]:
        """The page's rows as HTML, each cell's text escaped once.

        django-tables2's generic cell path (accessor resolution and signature inspection for
        every cell) was most of a list page's time; these tables only need what is below.
        """
        template = self.row_template()
        renderers = [self.cell_renderer(bound.name, bound.column, empty=bound.default) for bound in self.columns]
        rows = self.paginated_rows
        return [mark_safe(template % tuple([render(row.record) for render in renderers])) for row in rows]

    def row_template(self) -> str:
        """ "<tr><td ...>%s</td>...</tr>": each <td> with the label a phone card shows before
        the value and the column's priority (which columns give way first on a narrow screen;
        see crm.css). Built once per table and language: one % per row fills it."""
        key = (type(self), tuple(bound.name for bound in self.columns), get_language())
        if key not in ROW_TEMPLATES:
            cells = []
            for bound in self.columns:
                attrs = {"data-priority": bound.column.attrs.get("cell", {}).get(PRIORITY)}
                if bound.name != "selected":
                    attrs["data-label"] = bound.verbose_name
                opening = format_html("<td{}>", flatatt({key: value for key, value in attrs.items() if value}))
                cells.append(opening.replace("%", "%%") + "%s</td>")
            ROW_TEMPLATES[key] = "<tr>" + "".join(cells) + "</tr>"
        return ROW_TEMPLATES[key]

    def cell_renderer(self, name: str, column: tables.Column, *, empty: str):
        """A function of a row's record giving the cell's HTML, escaped."""
        empty = escape_text(empty)
        if name == "selected":
            # Translated once for the page, not once per row.
            label = gettext("Select %(name)s")
            return lambda record: column.checkbox(record.pk, label % {"name": record})
        if name == "owner":
            # A user by full name (people know teammates by name, not sign-in), or a team: the
            # row's copy of it where it keeps one (what the column sorts by), so no user
            # object is read.
            if hasattr(self._meta.model, "owner_name"):
                return lambda record: escape_text(record.owner_name) if record.owner_name else empty
            return lambda record: escape_text(record.owner_label or "") or empty
        custom = getattr(self, f"render_{name}", None)
        field = self._meta.model._meta.get_field(name)
        # A linked record is shown by the row's copy of its name ("<link>_name", what the
        # column sorts by): no join, and no object a row to build.
        attribute = f"{name}_name" if field.many_to_one and hasattr(self._meta.model, f"{name}_name") else name
        # Choice labels translated (and escaped) once a page: get_FOO_display() per cell
        # translated each one.
        labels = {value: escape_text(label) for value, label in field.flatchoices} if field.choices else {}
        email = isinstance(column, tables.EmailColumn)

        def render(record):
            value = getattr(record, attribute)
            if value is None or value == "":
                return empty
            if custom is not None:
                return escape_text(custom(record=record, value=value))
            if labels:
                return labels.get(value) or escape_text(value)
            if email:
                text = escape_text(value)
                return f'<a href="mailto:{text}">{text}</a>'
            return escape_text(value)

        return render

    def render_owner(self, record, value):
        return record.owner_label

    def detail_url(self, record) -> str:
        """record.get_absolute_url(), without a reverse() per row (a measurable share of a page):
        the URL is reversed once per model with a stand-in id, then the real id is put in."""
        return self.url_of(type(record), record.pk)

    def url_of(self, model: type[Model], pk: int) -> str:
        templates = self.__dict__.setdefault("_detail_url_templates", {})
        if model not in templates:
            templates[model] = model(pk=URL_ID_STANDIN).get_absolute_url().replace(str(URL_ID_STANDIN), "{}")
        return templates[model].format(pk)

    def link_to(self, record) -> SafeString:
        return mark_safe(f'<a href="{escape_text(self.detail_url(record))}">{escape_text(record)}</a>')

    def link_to_linked(self, record, name: str, text: str) -> SafeString | str:
        """A link to the record `record` links to through `name`, named `text` (its copy); a
        record the user may not read is not named."""
        linked = self._meta.model._meta.get_field(name).related_model
        linked_id = getattr(record, f"{name}_id")
        if linked_id in self.unreadable_links(name):
            return guard.unseen_label()
        return mark_safe(f'<a href="{escape_text(self.url_of(linked, linked_id))}">{escape_text(text)}</a>')

    def unreadable_links(self, name: str) -> set[int]:
        """Ids of the records this page's rows link to through `name` that the user may not
        read. One query per linked column and page; none for a user who reads them all."""
        found = self.__dict__.setdefault("_unreadable_links", {})
        if name not in found:
            linked = self._meta.model._meta.get_field(name).related_model
            user = getattr(getattr(self, "request", None), "user", None)
            ids = {getattr(row.record, f"{name}_id") for row in self.paginated_rows} - {None}
            found[name] = set() if user is None else guard.unreadable_ids(linked, ids, user)
        return found[name]

    def record_link(self, record, text):
        return mark_safe(f'<a href="{escape_text(self.detail_url(record) + self.list_query)}">{escape_text(text)}</a>')

    @cached_property
    def list_query(self) -> str:
        """The query string every name link carries: the detail page uses `list` to step to
        the next/previous record of this view."""
        # Also for the list as it first opens (no query string): `list=` empty is that list.
        params = self.request.GET.urlencode() if getattr(self, "request", None) else None
        return "" if params is None else f"?{urlencode({'list': params})}"


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
        page = min(max(int(params.get("page", 1)), 1), MAX_PAGE)
    except ValueError:
        page = 1
    cursor = Cursor.decode(params.get(CURSOR_FIELD))
    if cursor and cursor.page == page and supports_keyset(record_set) and cursor.keys == sort_keys(record_set):
        return keyset_neighbours(record_set=record_set, params=params, pk=pk, cursor=cursor, per_page=per_page)
    window_start = max((page - 1) * per_page - 1, 0)
    ids = guard.page_id_list(record_set, window_start, page * per_page + 1)  # one query per access path
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


# --- Keyset pagination -------------------------------------------------------------------
# OFFSET makes the database read and throw away every row before the page: page 10,000 of a
# million rows costs seconds. The Next/Previous links therefore carry a cursor, the sort keys
# of the row next to the page, and the page is read with "(keys) > (cursor)" straight from
# the sort index. A page number without a matching cursor (typed by hand, or "First") falls
# back to OFFSET, as do sorts on a column that can be empty (NULLs break the comparison).

CURSOR_FIELD = "cursor"


def sort_keys(queryset: QuerySet) -> tuple[str, ...]:
    return tuple(queryset.query.order_by or queryset.model._meta.ordering)


def is_nullable(model, path: str) -> bool:
    """Whether the value at `path` (e.g. "company__name") can be NULL for a row of `model`."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field("id" if name == "pk" else name)
        except FieldDoesNotExist:
            return True
        if field.null:
            return True
        model = field.related_model
    return False


def supports_keyset(queryset: QuerySet) -> bool:
    keys = sort_keys(queryset)
    directions = {key.startswith("-") for key in keys}
    return (
        bool(keys)
        and len(directions) == 1
        and keys[-1].lstrip("-") in ("id", "pk")
        and not any(is_nullable(queryset.model, key.lstrip("-")) for key in keys)
    )


def value_at(record, path: str):
    for name in path.split("__"):
        record = getattr(record, name)
    return record


@dataclass(frozen=True)
class Cursor:
    """The sort keys of the row just before page `page` (or just after it when `backwards`)."""

    page: int
    keys: tuple[str, ...]
    values: tuple
    backwards: bool = False

    @classmethod
    def after(cls, queryset: QuerySet, record, *, page: int) -> Cursor:
        keys = sort_keys(queryset)
        return cls(page, keys, tuple(value_at(record, key.lstrip("-")) for key in keys))

    @classmethod
    def before(cls, queryset: QuerySet, record, *, page: int) -> Cursor:
        keys = sort_keys(queryset)
        return cls(page, keys, tuple(value_at(record, key.lstrip("-")) for key in keys), backwards=True)

    def encode(self) -> str:
        raw = json.dumps([self.page, self.keys, self.values, self.backwards], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None for anything malformed (a hand-edited link)."""
        if not text:
            return None
        try:
            page, keys, values, backwards = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (ValueError, TypeError, binascii.Error):
            return None
        valid = (
            isinstance(page, int)
            and isinstance(keys, list)
            and isinstance(values, list)
            and len(keys) == len(values)
            and all(isinstance(key, str) for key in keys)
            and all(isinstance(value, str | int) and not isinstance(value, bool) for value in values)
        )
        return cls(page, tuple(keys), tuple(values), bool(backwards)) if valid else None

    def rows(self, queryset: QuerySet, limit: int) -> list:
        """Up to `limit` rows of the page, in list order."""
        columns = tuple(F(key.lstrip("-")) for key in self.keys)
        descending = self.keys[0].startswith("-")
        if descending != self.backwards:
            queryset = queryset.filter(TupleLessThan(columns, self.values))
        else:
            queryset = queryset.filter(TupleGreaterThan(columns, self.values))
        if not self.backwards:
            return rows_by_id(queryset, 0, limit)
        return list(reversed(rows_by_id(queryset.reverse(), 0, limit)))


def is_quick_find(queryset: QuerySet) -> bool:
    return QUICK_FIND_TERM in queryset.query.annotations


def rows_by_id(queryset: QuerySet, start: int, stop: int) -> list:
    """queryset[start:stop], read in one query of two steps: the ids, then their rows.

    The ids come from walking the index of the list's order. The view indexes carry the
    search text too (see search_text_of), so for quick find the walk skips rows that don't
    match without reading the table; read whole, every row passed over would be fetched
    only to be dropped, which for a common term is a large part of the table. Then only the
    page's rows are read, by primary key.
    """
    ids = guard.page_ids(queryset, start, stop)  # one query per access path, see there
    # The ids passed the access filter already: repeating it costs SQL to build and to run.
    return list(guard.without_scope(queryset).filter(pk__in=ids))


def keyset_neighbours(*, record_set: QuerySet, params: QueryDict, pk: int, cursor: Cursor, per_page: int) -> dict:
    """neighbours() for a page reached by cursor: the same window, read from the sort index.

    Stepping off the page carries the cursor of the page stepped onto, as its links would.
    """
    page = cursor.page
    rows = cursor.rows(record_set.values_list(*(key.lstrip("-") for key in cursor.keys)), per_page + 1)
    if cursor.backwards:
        on_page = rows[-per_page:]
        before, after = (rows[-per_page - 1 : -per_page], [cursor.values])
    else:
        on_page = rows[:per_page]
        before, after = [cursor.values], rows[per_page:]
    window = [(tuple(row), page - 1) for row in before] + [(tuple(row), page) for row in on_page]
    window += [(tuple(row), page + 1) for row in after]
    ids = [row[-1] for row, _page in window]
    if pk not in ids[len(before) : len(before) + len(on_page)]:
        return {}
    position = ids.index(pk)
    found = {}
    for direction, index in (("previous", position - 1), ("next", position + 1)):
        if not 0 <= index < len(window):
            continue
        row, row_page = window[index]
        carried = params.copy()
        carried["page"] = str(row_page)
        if row_page == page - 1:
            first = tuple(on_page[0])
            if row_page > 1:
                carried[CURSOR_FIELD] = Cursor(row_page, cursor.keys, first, backwards=True).encode()
            else:
                carried.pop(CURSOR_FIELD, None)
        elif row_page == page + 1:
            carried[CURSOR_FIELD] = Cursor(row_page, cursor.keys, tuple(on_page[-1])).encode()
        found[direction] = (row[-1], carried)
    return found


# A page number typed by hand can be any size; far past this, its OFFSET no longer fits the
# databases' 64-bit integers (a 500 on PostgreSQL). No list is that long.
MAX_PAGE = 10**9


class KeysetPaginator(LazyPaginator):
    """LazyPaginator that reads a page from its cursor when it has a valid one.

    The cursor is used only for the page and sort it was made for; any other request (a
    new sort, "First", a typed page number) is served the plain way.
    """

    def __init__(self, object_list, per_page, cursor: str | None = None, **kwargs):
        self.cursor = Cursor.decode(cursor)
        super().__init__(object_list, per_page, **kwargs)

    @property
    def queryset(self) -> QuerySet:
        return self.object_list.data.data

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > MAX_PAGE:
            raise EmptyPage(_("That page contains no results"))
        return number

    def page(self, number):
        number = self.validate_number(number or 1)
        queryset = self.queryset
        if not isinstance(queryset, QuerySet):
            return super().page(number)
        keyset = supports_keyset(queryset)
        if keyset and self.cursor and self.cursor.page == number and self.cursor.keys == sort_keys(queryset):
            page = self.page_from_cursor(number, queryset)
        else:
            page = self.page_by_number(number, queryset)
        page.next_cursor = page.previous_cursor = ""
        if keyset and page.object_list:
            if page.has_next():
                page.next_cursor = Cursor.after(queryset, page.object_list[-1].record, page=number + 1).encode()
            # Page 1 is read the plain way: it is cheap, and always exactly the first rows.
            if number > 2:
                page.previous_cursor = Cursor.before(queryset, page.object_list[0].record, page=number - 1).encode()
        return page

    def page_by_number(self, number: int, queryset: QuerySet):
        """LazyPaginator.page, with the rows read by rows_by_id."""
        start = (number - 1) * self.per_page
        records = rows_by_id(queryset, start, start + self.per_page + 1)
        if len(records) > self.per_page:
            records = records[: self.per_page]
            self._num_pages = number + 1
        elif number != 1 and not records:
            raise EmptyPage(_("That page contains no results"))
        else:
            self._num_pages = self._final_num_pages = number
        return self._get_page(list(BoundRows(records, self.object_list.table)), number, self)

    def page_from_cursor(self, number: int, queryset: QuerySet):
        records = self.cursor.rows(queryset, self.per_page + 1)
        if self.cursor.backwards:
            records = records[-self.per_page :]
            self._num_pages = number + 1  # the page the user came from follows
        elif len(records) > self.per_page:
            records = records[: self.per_page]
            self._num_pages = number + 1
        else:
            self._num_pages = self._final_num_pages = number
        return self._get_page(list(BoundRows(records, self.object_list.table)), number, self)


PAGINATION = {"paginator_class": KeysetPaginator}
