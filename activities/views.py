from __future__ import annotations

import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from access.imports import may_transfer
from activities import calendar, services
from activities.filters import ActivityFilter
from activities.forms import FORMS, AssignForm, QuickCreateForm
from activities.models import LINE_RELATIONS, Activity, Attachment, Kind
from activities.resources import ACTIVITY
from activities.tables import ActivityTable
from activities.timeline import add_people_and_files, facts_html, line_html, timeline_page, url_maker, words
from audit import services as audit
from audit.models import Source
from crm import lists
from crm.record_views import ListPageView, safe_next_url
from imports import exports

# Home lists this many of my overdue and today's tasks and appointments.
AGENDA_SIZE = 10


def readable_activity(request: HttpRequest, pk: int) -> Activity:
    """The one lookup of an activity: 404 unless the user can read the record it is about."""
    # Every column (defer(None)) and the record it is about: the activity's page, its .ics and
    # its changes read them all.
    activities = Activity.objects.visible_to(request.user).with_timeline_columns().defer(None)
    return get_object_or_404(activities.select_related("regarding_account", "regarding_contact"), pk=pk)


def timeline_post(view, request: HttpRequest) -> HttpResponse:
    """A "+" form of the timeline, posted to the record's page (crm.registry.RecordPanel), so
    adding an activity works without JavaScript and a refusal shows on the page with
    everything typed kept."""
    record = view.object
    form_class = FORMS.get(request.POST.get("activity_kind", ""))
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, regarding=record, user=request.user)
    if not form.is_valid():
        return view.render_to_response(view.get_context_data(activity_form=form))
    activity = services.activity_create(
        activity=form.instance, regarding=record, by=request.user, **form.service_arguments()
    )
    messages.success(request, created_message(activity))
    return redirect(record.get_absolute_url() + "#timeline")


def timeline_context(view, **kwargs) -> dict:
    """What the timeline on a record's Summary tab reads."""
    record, params, user = view.object, view.request.GET, view.request.user
    activities = Activity.objects.on_timeline_of(record, user)
    form = kwargs.get("activity_form")
    if form is None and params.get("add") in FORMS:
        form = FORMS[params["add"]](regarding=record, user=user)
    said = words()
    timeline = timeline_page(activities, params, user=user, on_account=record._meta.model_name == "account")
    next_here = quote(record.get_absolute_url())
    return {
        "timeline": timeline,
        "timeline_lines": [line_html(entry, said.commands, next_here) for entry in timeline.entries],
        "activity_form": form,
        "activity_kinds": [(kind, FORMS[kind].title) for kind in Kind.values],
        "kind_choices": said.kinds.items(),
        "state_choices": said.state_filters.items(),
        "period_choices": said.periods.items(),
    }


def has_timeline(model) -> bool:
    """The record types an activity can be about (a `regarding_*` link to them) have a timeline."""
    return any(
        field.related_model is model for field in Activity._meta.concrete_fields if field.name.startswith("regarding_")
    )


def created_message(activity: Activity) -> str:
    email = getattr(activity, "email", None)
    if email is not None and email.status == "failed":
        return _("The email was saved but could not be sent: %(error)s") % {"error": email.error}
    if email is not None:
        return _("The email was sent to %(to)s.") % {"to": email.to}
    return _("%(kind)s added.") % {"kind": activity.get_kind_display()}


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = readable_activity(request, pk)
    add_people_and_files([activity], request.user)
    context = {
        "activity": activity,
        "facts": facts_html(activity, url_maker("activities:ics")),
        "can_change": services.can_change(activity, request.user),
    }
    return render(request, "activities/activity_detail.html", context)


STATE_CHANGES = {
    "complete": (services.activity_complete, _("%(activity)s is completed.")),
    "cancel": (services.activity_cancel, _("%(activity)s is cancelled.")),
    "reopen": (services.activity_reopen, _("%(activity)s is open again.")),
}


@require_POST
def change_state(request: HttpRequest, pk: int) -> HttpResponse:
    activity = readable_activity(request, pk)
    change = STATE_CHANGES.get(request.POST.get("action", ""))
    if change is None:
        messages.error(request, _("Choose an action."))
    else:
        service, done = change
        service(activity=activity, by=request.user)
        messages.success(request, done % {"activity": activity})
    return redirect(safe_next_url(request) or activity.get_absolute_url())


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = readable_activity(request, pk)
    regarding = activity.regarding
    services.activity_delete(activity=activity, by=request.user)
    messages.success(request, _("%(activity)s was deleted.") % {"activity": activity})
    return redirect(safe_next_url(request) or regarding.get_absolute_url())


def assign(request: HttpRequest, pk: int) -> HttpResponse:
    activity = readable_activity(request, pk)
    services.require_change(activity, request.user)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_assign(
                activity=activity, by=request.user, user=form.cleaned_data["user"], team=form.cleaned_data["team"]
            )
        except services.ActivityRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("%(activity)s was assigned.") % {"activity": activity})
            return redirect(safe_next_url(request) or activity.get_absolute_url())
    context = {"activity": activity, "form": form, "next_url": safe_next_url(request) or ""}
    return render(request, "activities/assign.html", context)


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A note's file, only for someone who can read the note's record, always as a download
    (never shown inline, so an HTML or SVG file can't run in our origin)."""
    found = get_object_or_404(Attachment.objects.filter(activity__in=Activity.objects.visible_to(request.user)), pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.name, content_type=found.content_type)


@require_GET
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    activity = readable_activity(request, pk)
    if activity.kind != Kind.APPOINTMENT:
        raise Http404
    add_people_and_files([activity], request.user)
    response = HttpResponse(calendar.ics_of(activity, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{activity.pk}.ics"'
    return response


class MyActivitiesView(ListPageView):
    """My Activities, over the activities of records the user can read."""

    table_class = ActivityTable
    filterset_class = ActivityFilter
    template_name = "activities/activity_list.html"

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user).with_list_columns().order_by("due_at", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_export"] = exportable(self.request.user) is not None
        return context


my_activities = MyActivitiesView.as_view()


def exportable(user) -> Q | None:
    """The activities `user` may export: those about the record types they may export
    (Django's export permission and the role's Export privilege, as for those types' own
    exports); None if there are none."""
    from accounts.models import Account
    from contacts.models import Contact

    allowed = None
    for relation, model in (("regarding_account", Account), ("regarding_contact", Contact)):
        if may_transfer(user, model, "export"):
            about = Q(**{f"{relation}__isnull": False})
            allowed = about if allowed is None else allowed | about
    return allowed


@require_GET
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The My Activities view the user looks at (view, search, sort), streamed as CSV or
    Excel: only activities of records they may read, and of the types they may export."""
    if file_format not in exports.CONTENT_TYPES:
        raise Http404
    allowed = exportable(request.user)
    if allowed is None:
        raise PermissionDenied(
            _("Exporting activities needs the permission to export accounts or contacts, which you don't have.")
        )
    records = lists.ordered_record_set(
        table_class=ActivityTable,
        filterset_class=ActivityFilter,
        queryset=Activity.objects.visible_to(request.user).filter(allowed).select_related(*LINE_RELATIONS),
        params=request.GET,
        request=request,
    )
    if exports.exceeds_stream_limit(records):
        messages.error(
            request,
            _("This view has more than %(limit)s activities: search or pick another view to export fewer.")
            % {"limit": f"{settings.EXPORT_STREAM_MAX_ROWS:,}"},
        )
        return redirect(f"{reverse('activities:list')}?{request.GET.urlencode()}")
    audit.exported(by=request.user, model=Activity, view=request.GET.urlencode(), rows=records.count())
    return exports.streaming_response(entity=ACTIVITY, records=records, file_format=file_format)


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Complete, cancel or delete the activities ticked in My Activities."""
    action = request.POST.get("action", "")
    back = safe_next_url(request) or reverse("activities:list")
    ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
    chosen = list(
        Activity.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("regarding_account", "regarding_contact")
    )
    if action not in (*STATE_CHANGES, "delete") or not chosen:
        messages.error(request, _("Select at least one activity and an action."))
        return redirect(back)
    done = refused = 0
    for activity in chosen:
        try:
            if action == "delete":
                services.activity_delete(activity=activity, by=request.user, source=Source.BULK)
            else:
                STATE_CHANGES[action][0](activity=activity, by=request.user, source=Source.BULK)
            done += 1
        except PermissionDenied:
            refused += 1
    messages.success(
        request, ngettext("%(count)d activity changed.", "%(count)d activities changed.", done) % {"count": done}
    )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(count)d activity was left unchanged: only its owner or someone who may edit its record "
                "can change it.",
                "%(count)d activities were left unchanged: only their owner or someone who may edit their "
                "record can change them.",
                refused,
            )
            % {"count": refused},
        )
    return redirect(back)


def quick_create(request: HttpRequest) -> HttpResponse:
    """Quick Create > an activity kind: pick the record it is about, then add it on that
    record's timeline (the one place activities are written)."""
    form = QuickCreateForm(request.POST or None, initial={"kind": request.GET.get("kind")}, user=request.user)
    if request.method == "POST" and form.is_valid():
        return redirect(f"{form.regarding.get_absolute_url()}?add={form.cleaned_data['kind']}#timeline")
    return render(request, "activities/quick_create.html", {"form": form})


def home_agenda(user) -> dict:
    """Home: my open tasks and appointments that are overdue or due today."""
    now = timezone.localtime()
    end_of_today = now.replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    mine = Activity.objects.visible_to(user).owned_by(user).on_agenda()
    due = list(mine.filter(due_at__lt=end_of_today).with_list_columns().order_by("due_at", "id")[:AGENDA_SIZE])
    return {
        "overdue": [activity for activity in due if activity.due_at < now],
        "today": [activity for activity in due if activity.due_at >= now],
    }
