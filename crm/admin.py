"""What every customer record's admin shares: search and counts that cost what the lists'
cost, so no admin page can hold a worker for seconds on a million rows."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import ShowFacets
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm import lists, services
from crm.forms import label_empty_choice
from crm.models import UserPreferences
from imports.admin_import import CheckedImportExportAdmin


class CappedCountPaginator(Paginator):
    """Counts at most lists.COUNT_CAP + 1 rows, like the lists ("5,000+"): an exact COUNT(*)
    of a million rows on every changelist page is what made the admin slow. Pages past the
    cap are not offered; a search or filter narrows the list instead."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    def page(self, number):
        """Paginator.page, with the rows read as the lists read them (lists.rows_by_id): the
        page's ids from an index walk that filters on the search text without reading the
        table, then those rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(lists.rows_by_id(self.object_list, bottom, top), number, self)

    @property
    def cap(self) -> int:
        return lists.COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class SelectEmptyChoice:
    """Admin drop-downs say "Select..." as the app's do, instead of Django's "---------"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            label_empty_choice(field)
        return field


class ReadOnlyInAdmin:
    """Shown in the admin, changed only through the app (its services check who may and write
    the audit) or never (the audit itself)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(SelectEmptyChoice, CheckedImportExportAdmin):
    paginator = CappedCountPaginator
    # The "N total" beside search results would count the whole table.
    show_full_result_count = False
    # Facet counts are one COUNT per filter choice over the whole list.
    show_facets = ShowFacets.NEVER
    # Searched through the stored search text (see get_search_results), as quick find does.
    search_fields = ["search_text"]
    search_help_text = _("Finds the text anywhere in the fields quick find searches, in either case.")

    def get_ordering(self, request):
        """The lists' order with the status first: active records, then inactive ones, each by
        name. That is the order of the view indexes, which carry the search text, so a search
        walks an index alone instead of fetching a table row for every name it passes."""
        return ["status", *self.model._meta.ordering]

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, as the app's own screens save: other rows' copies of the name follow.
        services.record_save(record=obj)

    def get_search_results(self, request, queryset, search_term):
        """Quick find's search: one column with a trigram index, instead of the admin's
        UPPER(field) LIKE for each field, which no index serves (two full scans a search)."""
        return queryset.search(search_term), False


@admin.register(UserPreferences)
class UserPreferencesAdmin(admin.ModelAdmin):
    """A user's language can be set for them here; they set it themselves in the user menu."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
