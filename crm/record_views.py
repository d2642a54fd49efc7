"""The CRUD screens every customer record has, kept shallow: each app subclasses these
with its model, form, table and filter, and adds what is its own (e.g. delete rules)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, EmailField, QuerySet, URLField
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from access import guard
from access import services as access_services
from access.models import Privilege
from audit.models import Source
from crm import formats, lists, recent, registry, services
from crm.models import person_name
from crm.validators import phone_validator
from duplicates import detection
from duplicates.services import merge_state, with_undoable_merge

# Suggestions offered by a lookup box while typing.
LOOKUP_LIMIT = 10


class RecordMixin:
    """Every lookup of a record goes through `get_queryset`, which asks the record type
    (crm.registry) for the records this user may read (access.guard); writes check their own
    privilege on top."""

    model = None
    url_namespace = ""

    @property
    def record_type(self) -> registry.RecordType:
        return registry.for_model(self.model)

    def get_queryset(self) -> QuerySet:
        return self.record_type.records_for(self.request.user)

    def get_template_names(self) -> list[str]:
        # The app's own page (accounts/account_detail.html) if it has one, else the shared one.
        return [*super().get_template_names(), f"crm/record{self.template_name_suffix}.html"]

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.url_namespace}:{name}", args=args)


def safe_next_url(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    # A path on this site only: redirect() would take a bare word for a URL name to reverse.
    if not (candidate and candidate.startswith("/")):
        return None
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return None


class ListPageView(SingleTableMixin, FilterView):
    """A list page: a filterset's views over a table, read a page at a time by keyset, its
    count capped. Records lists and My Activities are made of it."""

    table_pagination = lists.PAGINATION

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET
        return kwargs

    def get_table_data(self):
        return self.object_list

    def get_table_pagination(self, table):
        return {
            **super().get_table_pagination(table),
            "per_page": lists.page_size_from(self.request.GET),
            "cursor": self.request.GET.get(lists.CURSOR_FIELD),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count, capped = lists.view_count(context["table"].page, self.object_list)
        context.update(
            record_count=count,
            record_count_capped=capped,
            page_sizes=lists.PAGE_SIZES,
            per_page=lists.page_size_from(self.request.GET),
        )
        return context


class RecordListView(RecordMixin, ListPageView):
    template_name = "crm/record_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            jump_links=lists.jump_links(self.request.GET),
            opts=self.model._meta,
            url_namespace=self.url_namespace,
            record_type=self.record_type,
            **self.transfer_permissions(),
        )
        return context

    def transfer_permissions(self) -> dict[str, bool]:
        """Whether the list offers Export and Import Data: the type must be transferable."""
        if self.record_type.transfer is None:
            return {"can_export": False, "can_import": False}
        user, record_type = self.request.user, self.record_type
        return {
            "can_export": user.has_perm(record_type.permission("export")),
            "can_import": user.has_perm(record_type.permission("import")),
        }


def field_display(record, name: str, hidden: set[str] = frozenset()) -> dict:
    """A field's label, the value a person should read (choice labels, Yes/No) and, for
    e-mail addresses, websites, phone numbers and linked records, where clicking it goes.
    A link in `hidden` (to a record the user can't read) is shown without its name."""
    field = record._meta.get_field(name)
    if name in hidden:
        unseen = guard.unseen_label()
        return {"label": field.verbose_name, "value": unseen, "href": "", "html": value_html(unseen, "")}
    raw = getattr(record, name)
    value, href = raw, ""
    if field.choices:
        value = getattr(record, f"get_{name}_display")()
    elif isinstance(field, BooleanField):
        value = _("Yes") if raw else _("No")
    elif raw and isinstance(field, EmailField):
        href = f"mailto:{raw}"
    elif raw and isinstance(field, URLField) and raw.lower().startswith(("http://", "https://")):
        href = raw  # never a javascript: link, even if one slipped past validation
    elif raw and phone_validator in field.validators:
        href = "tel:" + "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    elif raw is not None and hasattr(raw, "get_absolute_url"):
        href = raw.get_absolute_url()
    elif raw is not None:
        value = formats.display(field, raw)
    return {"label": field.verbose_name, "value": value, "href": href, "html": value_html(value, href)}


def value_html(value, href: str) -> str:
    """How a field's value reads on the record page: a link where it goes somewhere (a website
    in a new tab), else its text with line breaks kept. Built here: an include per field
    cost more than the field."""
    if is_empty(value):
        return ""
    if href:
        if href[:4] == "http":
            return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', href, value)
        return format_html('<a href="{}">{}</a>', href, value)
    return linebreaksbr(value, autoescape=True)


def is_empty(value) -> bool:
    return value is None or value == ""


PERSON_COLUMNS = ("username", "first_name", "last_name")  # crm.models.person_name
PAGE_LINKED_COLUMNS = {
    "owner": PERSON_COLUMNS,
    "owner_team": ("name",),
    "business_unit": ("name",),
    "created_by": PERSON_COLUMNS,
    "modified_by": PERSON_COLUMNS,
}
# The Summary tab names only the owner (a team owner by the row's copy of its name): the other
# joins cost the page's most-opened tab their planning and ORM work for nothing.
SUMMARY_LINKED_COLUMNS = {"owner": PERSON_COLUMNS}


class RecordDetailView(RecordMixin, DetailView):
    list_view_class: type[RecordListView] | None = None
    # (section title, field names) shown in order, as on the main form: the Details tab.
    detail_sections: list[tuple[str, list[str]]] = []
    # The key fields the Summary tab shows (those filled in), beside the timeline; by default
    # the first section's.
    summary_fields: list[str] | None = None

    # The linked records the page names (on top of the small rows of PAGE_LINKED_COLUMNS, read
    # with the record), and the columns it reads of each. They are read by key after the
    # record rather than joined to it: joined, an account, its parent and its primary contact
    # (big tables, ~20 indexes each) took ~4 ms to plan, a key lookup ~0.2 ms; and only the
    # columns shown, instead of ~80 each.
    linked_records: dict[str, tuple[str, ...]] = {}

    def get_queryset(self) -> QuerySet:
        own = [field.name for field in self.model._meta.concrete_fields]
        linked = PAGE_LINKED_COLUMNS if self.record_tab() == "details" else SUMMARY_LINKED_COLUMNS
        columns = [f"{relation}__{column}" for relation, names in linked.items() for column in names]
        return with_undoable_merge(super().get_queryset().select_related(*linked).only(*own, *columns))

    def read_linked_records(self) -> None:
        """Each linked record by key, with whether the user may read it when that isn't all
        of them (`linked_readable`, for guard.unreadable_links: no query of its own)."""
        self.linked_readable = {}
        for relation, columns in self.linked_records.items():
            field = self.model._meta.get_field(relation)
            key = getattr(self.object, field.attname)
            if key is not None:
                linked = field.related_model._base_manager.only(*columns).filter(pk=key)
                flag = guard.readable_flag(field.related_model, self.request.user)
                linked = (linked if flag is None else linked.annotate(crm_readable=flag)).first()
                if linked is not None and flag is not None:
                    self.linked_readable[(field.related_model, key)] = linked.crm_readable
                field.set_cached_value(self.object, linked)  # None if deleted meanwhile, as if joined

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wanted = request.headers.get("X-Fragment")
        panel = next(
            (panel for panel in registry.record_panels(self.model) if wanted and panel.fragment == wanted), None
        )
        if panel is None:
            response = super().get(request, *args, **kwargs)
        else:
            # One panel of the page, for a script that swaps it in: the record (looked up with
            # the user's access, as for the page) and what the panel reads, nothing else.
            self.object = self.get_object()
            context = {"object": self.object, "opts": self.model._meta, **panel.context(self)}
            response = TemplateResponse(request, panel.template, context)
            response.panel_alone = True  # not the record opened again: Recent is left as it is
        patch_vary_headers(response, ["X-Fragment"])
        return response

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """A form of one of the page's panels (crm.registry.RecordPanel), posted back here."""
        self.object = self.get_object()
        for panel in registry.record_panels(self.model):
            if panel.post is not None and panel.post_field in request.POST:
                return panel.post(self, request)
        return HttpResponseNotAllowed(["GET"])

    def get_context_data(self, **kwargs):
        self.read_linked_records()
        context = super().get_context_data(**kwargs)
        context["record_set"] = self.record_set_links()
        context["record_tab"] = self.record_tab()
        # Links to records this user may not read show no name (access.guard).
        hidden = guard.unreadable_links(self.object, self.request.user, known=self.linked_readable)
        self.hidden_links = context["hidden_links"] = hidden
        if context["record_tab"] == "details":
            context["sections"] = [self.section(title, names) for title, names in self.detail_sections]
        else:
            names = self.summary_fields if self.summary_fields is not None else self.detail_sections[0][1]
            shown = [field_display(self.object, name, hidden) for name in names]
            context["summary"] = [field for field in shown if not is_empty(field["value"])]
            panels = registry.record_panels(self.model)
            context["record_panels"] = [panel.template for panel in panels]
            for panel in panels:
                context.update(panel.context(self, **kwargs))
        context["opts"] = self.model._meta
        context["url_namespace"] = self.url_namespace
        # Read from the navigation's query of the same page: costs nothing more.
        context["pin_state"] = recent.pin_state(self.request, self.url_namespace, self.object.pk)
        context["can"] = guard.privileges_on(self.object, self.request.user)  # which commands to offer
        context["shares"] = access_services.shares_of(self.object)
        context["merge"] = merge_state(self.object)
        return context

    def record_tab(self) -> str:
        """Summary (key fields and the timeline) or Details (every section): D365's tabs, as
        links, so they work without JavaScript."""
        return "details" if self.request.GET.get("tab") == "details" else "summary"

    def section(self, title: str, names: list[str]) -> dict:
        """A Details section: its filled fields, and the empty ones folded away below them."""
        fields = [field_display(self.object, name, self.hidden_links) for name in names]
        return {
            "title": title,
            "fields": [field for field in fields if not is_empty(field["value"])],
            "empty": [field for field in fields if is_empty(field["value"])],
        }

    def record_set_links(self) -> dict[str, str]:
        """Links to the previous and next record of the list the user opened this one from."""
        raw = self.request.GET.get("list")
        if raw is None or self.list_view_class is None:
            return {}
        params = QueryDict(raw)
        view = self.list_view_class
        record_set = lists.ordered_record_set(
            table_class=view.table_class,
            filterset_class=view.filterset_class,
            queryset=RecordMixin.get_queryset(self),
            params=params,
            request=self.request,
        )
        found = lists.neighbours(record_set=record_set, params=params, pk=self.object.pk)
        query = params.urlencode()
        links = {"list": f"{self.url('list')}?{query}" if query else self.url("list")}
        for direction, (pk, carried) in found.items():
            query = QueryDict(mutable=True)
            query["list"] = carried.urlencode()
            links[direction] = f"{self.url('detail', pk)}?{query.urlencode()}"
        return links


class RecordFormMixin(RecordMixin):
    """Save / Save & Close / Save & New, and the `next` page a form was opened from."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = safe_next_url(self.request) or ""
        context["url_namespace"] = self.url_namespace
        context["opts"] = self.model._meta
        return context

    def command(self) -> str:
        # "Save anyway" (after a duplicates warning) carries the command first clicked.
        return self.request.POST.get("save_anyway") or self.request.POST.get("command", "save")

    def duplicates_warning(self, form, *, changed: set[str] | None = None) -> HttpResponse | None:
        """The form again with "Possible duplicates found", unless the user chose Save anyway
        or nothing looks like the record; None to go on saving."""
        if self.request.POST.get("save_anyway"):
            return None
        found = detection.find(form.instance, self.request.user, changed=changed)
        if not found:
            return None
        return self.render_to_response(self.get_context_data(form=form, duplicates=found, command=self.command()))

    def redirect_after_save(self, record) -> HttpResponseRedirect:
        command = self.command()
        next_url = safe_next_url(self.request)
        if command == "save_new":
            return redirect(self.url("create") + (f"?next={next_url}" if next_url else ""))
        if command == "save_close":
            return redirect(next_url or record.get_absolute_url())
        return redirect(self.url("update", record.pk) + (f"?next={next_url}" if next_url else ""))


class RecordCreateView(RecordFormMixin, CreateView):
    audit_source = Source.FORM  # what the audit history says the record was created from

    def dispatch(self, request, *args, **kwargs):
        guard.require(self.model, request.user, Privilege.CREATE)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        warning = self.duplicates_warning(form)
        if warning is not None:
            return warning
        record = services.record_create(record=form.instance, by=self.request.user, source=self.audit_source)
        messages.success(self.request, _("%(record)s was created.") % {"record": record})
        return self.redirect_after_save(record)


class RecordUpdateView(RecordFormMixin, UpdateView):
    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        guard.require(record, self.request.user, Privilege.WRITE)
        return record

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.object.is_active:
            messages.error(request, self.inactive_message())
            return redirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def inactive_message(self) -> str:
        return _("%(record)s is inactive, so it is read-only. Activate it to edit it.") % {"record": self.object}

    def form_valid(self, form):
        if not self.object.is_active:
            form.add_error(None, self.inactive_message())
            return self.form_invalid(form)
        warning = self.duplicates_warning(form, changed=set(form.changed_data))
        if warning is not None:
            return warning
        try:
            record = services.record_update(
                record=form.instance,
                loaded_version=form.cleaned_data.get("loaded_version"),
                by=self.request.user,
            )
        except services.RecordChangedError as conflict:
            missing = isinstance(conflict, services.RecordVersionMissingError)
            return self.conflict(form, conflict.current, version_missing=missing)
        except services.RecordInactiveError:
            form.add_error(None, self.inactive_message())
            return self.form_invalid(form)
        messages.success(self.request, _("%(record)s was saved.") % {"record": record})
        return self.redirect_after_save(record)

    def conflict(self, form, current, *, version_missing: bool = False) -> HttpResponse:
        """Someone saved first: keep what this user typed, show what the other person saved."""
        changes = []
        for name in form.changed_data_against(current):
            field = form.fields[name]
            theirs = getattr(current, name)
            display = getattr(current, f"get_{name}_display", None)
            changes.append(
                {"label": field.label, "theirs": display() if callable(display) else ("" if theirs is None else theirs)}
            )
        data = form.data.copy()
        data["loaded_version"] = str(current.version)
        refreshed = self.get_form_class()(data=data, instance=current, user=self.request.user)
        refreshed.is_valid()
        refreshed.add_error(None, self.conflict_message(current, version_missing=version_missing))
        return self.render_to_response(self.get_context_data(form=refreshed, conflict_changes=changes))

    @staticmethod
    def conflict_message(current, *, version_missing: bool) -> str:
        if version_missing:
            return _(
                "Your changes were not saved: the form didn't say which version of the record you "
                "edited, so a change saved by someone else could have been overwritten. Your changes "
                "are kept below and the saved values that differ are listed. Review, then save again."
            )
        return _(
            "%(user)s saved this record after you opened it. Your changes are kept below and "
            "their saved values are listed. Review, then save again to keep yours."
        ) % {"user": person_name(current.modified_by) if current.modified_by else _("Someone")}


class RecordDeleteView(RecordMixin, DetailView):
    """GET shows what deleting will do; POST deletes through the app's service."""

    template_name_suffix = "_confirm_delete"

    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        guard.require(record, self.request.user, Privilege.DELETE)
        return record

    def delete_record(self, record) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        try:
            self.delete_record(record)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect(record.get_absolute_url())
        messages.success(request, _("%(record)s was deleted.") % {"record": record})
        return redirect(self.url("list"))


class RecordBulkActionView(RecordMixin, View):
    """Activate, deactivate or delete the records ticked in a list (or one, from its page).

    The first POST shows a confirmation listing the records; the second, with `confirmed`,
    acts. Nothing is changed without that second step.
    """

    http_method_names = ["post"]
    template_name = "crm/record_bulk_confirm.html"
    # The status changes, by the button pressed, with the verb of their message. "delete" is
    # each app's own (delete_records): what deleting may refuse depends on the record type.
    STATUS_CHANGES = {
        "activate": (services.activate, gettext_lazy("activated")),
        "deactivate": (services.deactivate, gettext_lazy("deactivated")),
    }
    # The privilege each action needs on every record it touches.
    ACTIONS = {"activate": Privilege.WRITE, "deactivate": Privilege.WRITE, "delete": Privilege.DELETE}
    # The confirmation lists (and so carries) at most this many records.
    CONFIRM_LIMIT = 500

    def selected(self) -> QuerySet:
        ids = [value for value in self.request.POST.getlist("selected") if value.isdigit()]
        return self.get_queryset().filter(pk__in=ids)

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        back = safe_next_url(request) or self.url("list")
        if action not in self.ACTIONS:
            messages.error(request, _("Choose an action."))
            return redirect(back)
        readable = self.selected()
        # Only the ticked records the user may change this way; the others are left as they are.
        records = guard.visible(readable, request.user, self.ACTIONS[action])
        refused = readable.count() - records.count()
        if refused:
            reason = guard.refusal(self.model, request.user, self.ACTIONS[action])
            messages.error(request, services.refusal_count_message(refused, reason))
        if not records.exists():
            if not refused:
                messages.error(request, _("Select at least one record first."))
            return redirect(back)
        if request.POST.get("confirmed") != "yes":
            return render(request, self.template_name, self.confirm_context(action, records, back))
        with transaction.atomic():
            changed_since = services.records_check_versions(records=records, seen=self.seen_versions())
            if not changed_since:
                self.act(action, records)
        if changed_since:
            context = self.confirm_context(action, records, back)
            context["refusal"] = ngettext(
                "Nothing was changed: %(count)d of these records was changed, or not reviewed, since "
                "this confirmation was shown. Check the list below and confirm again.",
                "Nothing was changed: %(count)d of these records were changed, or not reviewed, since "
                "this confirmation was shown. Check the list below and confirm again.",
                len(changed_since),
            ) % {"count": len(changed_since)}
            return render(request, self.template_name, context)
        return redirect(back)

    def seen_versions(self) -> dict[int, int]:
        """{id: version} of the records the confirmation showed, from its "seen" inputs
        ("<id>:<version>"); a malformed one is left out, so its record counts as changed."""
        seen = {}
        for value in self.request.POST.getlist("seen"):
            pk, _colon, version = value.partition(":")
            if pk.isdigit() and version.isdigit():
                seen[int(pk)] = int(version)
        return seen

    def act(self, action: str, records: QuerySet) -> None:
        if action == "delete":
            self.delete_records(records)
            return
        change_status, verb = self.STATUS_CHANGES[action]
        changed = change_status(records, by=self.request.user, source=self.audit_source())
        messages.success(
            self.request,
            ngettext("%(count)d record was %(verb)s.", "%(count)d records were %(verb)s.", changed)
            % {"count": changed, "verb": verb},
        )

    def from_record(self) -> bool:
        """Whether the action was pressed on a record's page rather than in a list."""
        return self.request.POST.get("origin") == "record"

    def audit_source(self) -> str:
        return Source.FORM if self.from_record() else Source.BULK

    def confirm_context(self, action: str, records: QuerySet, back: str) -> dict:
        return {
            "from_record": self.from_record(),
            "action": action,
            "records": records[: self.CONFIRM_LIMIT],
            "record_count": records.count(),
            "next_url": back,
            "opts": self.model._meta,
            "consequences": self.consequences(action, records),
        }

    def consequences(self, action: str, records: QuerySet) -> list[str]:
        return []

    def delete_records(self, records: QuerySet) -> None:
        raise NotImplementedError


class RecordLookupView(RecordMixin, View):
    """Suggestions for a lookup box: active records whose name starts with q, then those
    that quick find finds for q, in name order."""

    label_field = "name"

    def lookup_queryset(self) -> QuerySet:
        # Only what the user may link to: read (get_queryset) and append to.
        return guard.visible(self.get_queryset().active(), self.request.user, Privilege.APPEND_TO)

    def get(self, request: HttpRequest) -> JsonResponse:
        term = request.GET.get("q", "").strip()
        if not term:
            return JsonResponse({"results": []})
        records = self.lookup_queryset().order_by(self.label_field, "pk")
        found = lists.rows_by_id(records.named_starting_with(term), 0, LOOKUP_LIMIT)
        if len(found) < LOOKUP_LIMIT:
            others = records.search(term).exclude(pk__in=[record.pk for record in found])
            found += lists.rows_by_id(others, 0, LOOKUP_LIMIT - len(found))
        return JsonResponse({"results": [self.suggestion(record) for record in found]})

    def suggestion(self, record) -> dict:
        return {"id": record.pk, "label": str(record), "detail": ""}
