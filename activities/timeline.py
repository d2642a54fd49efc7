"""A record's timeline: its activities newest first, a page at a time by keyset (never a deep
OFFSET), filtered by kind, state, date and text.

Each line is prepared here, in Python, once (`Entry`): the labels, links, dates and the facts
line. The template then only places ready values; an include, a {% url %} and a form with its
CSRF token per line made the timeline most of the record page's time."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import TupleLessThan
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from access import guard
from activities.models import Activity, Attachment, Attendee, Kind, State
from crm.formats import local_datetime
from crm.lists import escape_text

PAGE_SIZE = 20

STATE_FILTERS = {
    "open": gettext_lazy("Open"),
    "overdue": gettext_lazy("Overdue"),
    "closed": gettext_lazy("Closed"),
}

PERIODS = {
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "year": gettext_lazy("This year"),
    "range": gettext_lazy("Between dates"),
}


def cursor_of(activity: Activity) -> str:
    return f"{activity.occurred_at.isoformat()}_{activity.pk}"


def parse_cursor(raw: str) -> tuple[datetime.datetime, int] | None:
    moment, _sep, pk = raw.rpartition("_")
    try:
        when = datetime.datetime.fromisoformat(moment)
    except ValueError:
        return None
    if not pk.isdigit() or timezone.is_naive(when):
        return None
    return when, int(pk)


class TimelineFilterForm(forms.Form):
    """The timeline's filters as the query string carries them. Kind, state and period are
    picked from lists (anything else is ignored); dates are typed, so a bad one is explained
    and kept in its box while the timeline shows unfiltered by date."""

    kind = forms.ChoiceField(choices=[("", ""), *Kind.choices], required=False)
    state = forms.ChoiceField(choices=[("", ""), *STATE_FILTERS.items()], required=False)
    period = forms.ChoiceField(choices=[("", ""), *PERIODS.items()], required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    q = forms.CharField(required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("period") == "range" and start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return cleaned

    def value(self, name: str) -> str:
        """What the filter box shows: the cleaned choice, or the text as typed."""
        if name in ("kind", "state", "period"):
            return self.cleaned_data.get(name, "") if name not in self.errors else ""
        return self.data.get(name, "").strip()


def period_bounds(form: TimelineFilterForm, now: datetime.datetime) -> tuple:
    """(from, before) of the chosen period, each None when open-ended."""
    period = form.cleaned_data.get("period", "")
    if period == "7d":
        return now - datetime.timedelta(days=7), None
    if period == "30d":
        return now - datetime.timedelta(days=30), None
    if period == "year":
        local = timezone.localtime(now)
        return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0), None
    if period == "range" and not ({"start", "end"} & set(form.errors)):
        start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
        return (
            day_start(start) if start else None,
            day_start(end + datetime.timedelta(days=1)) if end else None,
        )
    return None, None


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def filtered(activities: QuerySet, form: TimelineFilterForm) -> QuerySet:
    search = form.value("q")
    if search:
        # Within one record's timeline: a short index range, read without a text index.
        activities = activities.filter(Q(subject__icontains=search) | Q(body__icontains=search))
    kind, state = form.value("kind"), form.value("state")
    if kind:
        activities = activities.filter(kind=kind)
    if state == "open":
        activities = activities.open()
    elif state == "overdue":
        activities = activities.overdue()
    elif state == "closed":
        activities = activities.closed()
    since, before = period_bounds(form, timezone.now())
    if since is not None:
        activities = activities.filter(occurred_at__gte=since)
    if before is not None:
        activities = activities.filter(occurred_at__lt=before)
    return activities


# --- Lines, prepared once -------------------------------------------------------------------


def url_maker(name: str):
    """pk -> URL of `name`, reversed once: reverse() per line and per link adds up."""
    sample = reverse(name, args=[987654321])
    head, _sep, tail = sample.partition("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def add_people_and_files(activities: Iterable[Activity], user) -> None:
    """Give each activity its `files`, `shown_attendees` (the people `user` may see:
    colleagues, and contacts they may read) and `other_attendees` (how many more): an
    appointment never names a contact its reader can't see. A page's attendees and files are
    read with a query each (and one for the contacts among them the reader may not read, if
    the reader doesn't read every contact), instead of a queryset per activity and relation."""
    by_id = {activity.pk: activity for activity in activities}
    for activity in by_id.values():
        activity.files, activity.shown_attendees, activity.other_attendees = [], [], 0
    if not by_id:
        return
    for file in Attachment.objects.filter(activity_id__in=by_id).order_by("pk"):
        by_id[file.activity_id].files.append(file)
    attendees = list(
        Attendee.objects.filter(activity_id__in=by_id)
        .select_related("contact", "user")
        .only(*ATTENDEE_FIELDS)
        .order_by("pk")
    )
    from contacts.models import Contact

    hidden = guard.unreadable_ids(Contact, {attendee.contact_id for attendee in attendees} - {None}, user)
    for attendee in attendees:
        activity = by_id[attendee.activity_id]
        if attendee.contact_id not in hidden:
            activity.shown_attendees.append(attendee)
        else:
            activity.other_attendees += 1


ATTENDEE_FIELDS = (
    "activity_id",
    "required",
    "contact__full_name",
    "contact__emailaddress1",
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__email",
)


@dataclass(frozen=True)
class Words:
    """What the lines say besides their own values, translated once per language: each line
    called gettext and get_FOO_display (which hashes the field's choices) a dozen times."""

    kinds: dict[str, str]
    states: dict[str, str]
    directions: dict[str, str]
    priorities: dict[str, str]
    state_filters: dict[str, str]
    periods: dict[str, str]
    overdue: SafeString
    owner: str
    start: str
    due: str
    end: str
    location: str
    priority: str
    to: str
    cc: str
    sent: SafeString
    not_sent: str
    optional: str
    attendees: str
    calendar: str
    commands: dict[str, str]  # a line's buttons, and "about" before its contact's name


def words() -> Words:
    return words_in(get_language())


@functools.cache
def words_in(language: str | None) -> Words:
    """Words in `language`, which is the active one when this is called (see words())."""

    def labels(choices) -> dict[str, str]:
        return {value: str(label) for value, label in choices}

    return Words(
        kinds=labels(Kind.choices),
        states=labels(State.choices),
        directions=labels(Activity._meta.get_field("direction").choices),
        priorities=labels(Activity._meta.get_field("priority").choices),
        state_filters=labels(STATE_FILTERS.items()),
        periods=labels(PERIODS.items()),
        overdue=format_html('<strong class="text-danger">{}</strong>', _("Overdue")),
        owner=_("Owner: %(owner)s"),
        # A label and its value as one string: French puts a space before the colon.
        start=_("Start: %(when)s"),
        due=_("Due: %(when)s"),
        end=_("End: %(when)s"),
        location=_("Location: %(place)s"),
        priority=_("Priority: %(priority)s"),
        to=_("To: %(to)s"),
        cc=_("Cc: %(cc)s"),
        sent=format_html('<span class="text-success">{}</span>', _("Sent")),
        not_sent=_("Not sent: %(error)s"),
        optional=_("%(person)s (optional)"),
        attendees=_("Attendees: %(people)s"),
        calendar=_("Add to calendar (.ics)"),
        commands={
            "about": _("about"),
            "complete": _("Mark complete"),
            "cancel": _("Cancel activity"),
            "reopen": _("Reopen"),
            "assign": _("Assign"),
        },
    )


def facts_html(activity: Activity, ics_url, said: Words | None = None) -> SafeString:
    """The activity's facts (state, owner, dates, attendees, files...) as the timeline and its
    page show them. Needs add_people_and_files() first."""
    said, e = said or words(), escape_text
    bits = [said.states.get(activity.state, activity.state)]
    if activity.is_overdue:
        bits.append(said.overdue)
    bits.append(said.owner % {"owner": activity.owner_label})
    if activity.due_at:
        label = said.start if activity.kind == Kind.APPOINTMENT else said.due
        bits.append(label % {"when": local_datetime(activity.due_at)})
    if activity.ends_at:
        bits.append(said.end % {"when": local_datetime(activity.ends_at)})
    if activity.location:
        bits.append(said.location % {"place": activity.location})
    if activity.kind == Kind.PHONE_CALL:
        bits.append(said.directions.get(activity.direction, activity.direction))
        if activity.phone_number:
            bits.append(activity.phone_number)
        if activity.duration_minutes:
            minutes = activity.duration_minutes
            bits.append(ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes})
    if activity.kind == Kind.TASK:
        bits.append(said.priority % {"priority": said.priorities.get(activity.priority, activity.priority)})
    parts = []
    if activity.body:
        parts.append(f'<p class="mb-1">{linebreaksbr(activity.body, autoescape=True)}</p>')
    parts.append(f'<span class="text-body-secondary">{" · ".join(map(e, bits))}</span>')
    email = getattr(activity, "email", None) if activity.kind == Kind.EMAIL else None
    if email is not None:
        to = said.to % {"to": email.to} + (" · " + said.cc % {"cc": email.cc} if email.cc else "")
        if email.status == "sent":
            status = said.sent
        else:
            status = f'<span class="text-danger">{e(said.not_sent % {"error": email.error})}</span>'
        parts.append(f'<p class="mb-0">{e(to)} · {status}</p>')
    people = [
        str(attendee) if attendee.required else said.optional % {"person": attendee}
        for attendee in activity.shown_attendees
    ]
    if activity.other_attendees:
        count = activity.other_attendees
        if people:
            people.append(ngettext("%(count)d other attendee", "%(count)d other attendees", count) % {"count": count})
        else:
            people.append(ngettext("%(count)d attendee", "%(count)d attendees", count) % {"count": count})
    if people:
        parts.append(f'<p class="mb-0">{e(said.attendees % {"people": ", ".join(people)})}</p>')
    if activity.kind == Kind.APPOINTMENT:
        # A space: after the facts line it ran on as "11 a.m.Add to calendar".
        parts.append(f' <a href="{e(ics_url(activity.pk))}">{e(said.calendar)}</a>')
    files = activity.files
    if files:
        items = "".join(
            f'<li class="list-inline-item"><a href="{e(file.get_absolute_url())}">{e(file.name)}</a> '
            f'<span class="text-body-secondary">({e(filesizeformat(file.size))})</span></li>'
            for file in files
        )
        parts.append(f'<ul class="list-inline mb-0">{items}</ul>')
    return mark_safe(f'<div class="small">{"".join(parts)}</div>')  # every value is escaped above (e)


@dataclass
class Entry:
    """One timeline line, ready to place."""

    activity: Activity
    kind: str
    title: str
    url: str
    when: str
    when_iso: str
    facts: SafeString
    is_open: bool
    is_overdue: bool
    state_url: str
    assign_url: str
    contact_name: str = ""
    contact_url: str = ""


def line_html(entry: Entry, labels: dict[str, str], next_here: str) -> SafeString:
    """One timeline line's markup, built here like its facts: the template's tags cost more
    than the line (20 a page, a dozen values each). The buttons post through the page's one
    form (#timeline-actions); `next_here` is the record's page, quoted, for Assign to return to.
    Every value goes through escape_text (format_html's escaping without its lazy-string
    checks: 300 values a page)."""
    e = escape_text
    contact = ""
    if entry.contact_url:
        contact = (
            f'<span class="small">{e(labels["about"])} <a href="{e(entry.contact_url)}">'
            f"{e(entry.contact_name)}</a></span>"
        )
    buttons = "".join(
        f'<button class="btn btn-sm {"btn-outline-success" if action == "complete" else "btn-outline-secondary"}" '
        f'type="submit" form="timeline-actions" formaction="{e(entry.state_url)}" name="action" '
        f'value="{action}">{e(labels[action])}</button> '
        for action in (["complete", "cancel"] if entry.is_open else ["reopen"])
    )
    return mark_safe(
        f'<li class="crm-timeline-entry{" crm-overdue" if entry.is_overdue else ""}">'
        '<div class="d-flex flex-wrap gap-2 align-items-baseline">'
        f'<span class="badge text-bg-light border">{e(entry.kind)}</span> '
        f'<a class="fw-semibold" href="{e(entry.url)}">{e(entry.title)}</a> {contact} '
        f'<span class="ms-auto small text-body-secondary"><time datetime="{e(entry.when_iso)}">{e(entry.when)}</time>'
        f"</span></div>{e(entry.facts)}"
        f'<div class="d-flex flex-wrap gap-1 mt-1">{buttons}'
        f'<a class="btn btn-sm btn-outline-secondary" href="{e(entry.assign_url)}?next={e(next_here)}">'
        f"{e(labels['assign'])}</a></div></li>"
    )


def prepared(activities: list[Activity], user, *, on_account: bool) -> list[Entry]:
    """The lines of `activities` for `user`; on an account's timeline, those about one of its
    contacts name the contact."""
    add_people_and_files(activities, user)
    detail, state, assign = (
        url_maker("activities:detail"),
        url_maker("activities:state"),
        url_maker("activities:assign"),
    )
    ics, contact_url = url_maker("activities:ics"), url_maker("contacts:detail")
    said = words()
    contacts = about_contacts(activities) if on_account else {}
    entries = []
    for activity in activities:
        entry = Entry(
            activity=activity,
            kind=said.kinds.get(activity.kind, activity.kind),
            title=str(activity),
            url=detail(activity.pk),
            when=local_datetime(activity.occurred_at),
            when_iso=activity.occurred_at.isoformat(),
            facts=facts_html(activity, ics, said),
            is_open=activity.state == State.OPEN,
            is_overdue=activity.is_overdue,
            state_url=state(activity.pk),
            assign_url=assign(activity.pk),
        )
        contact = contacts.get(activity.regarding_contact_id)
        if contact is not None:
            entry.contact_name, entry.contact_url = str(contact), contact_url(contact.pk)
        entries.append(entry)
    return entries


def about_contacts(activities: list[Activity]) -> dict:
    """The contacts the lines of an account's timeline are about, by id: the timeline's query
    kept only those its reader may read."""
    from contacts.models import Contact

    ids = {activity.regarding_contact_id for activity in activities} - {None}
    return Contact._base_manager.only("full_name").in_bulk(ids) if ids else {}


@dataclass
class Timeline:
    entries: list[Entry]
    next_cursor: str | None
    form: TimelineFilterForm
    values: dict[str, str] = field(default_factory=dict)


def timeline_page(activities: QuerySet, params, *, user, on_account: bool = False) -> Timeline:
    """One page of `activities` (already scoped to the record and the user) after the cursor."""
    form = TimelineFilterForm(params)
    form.is_valid()
    activities = filtered(activities, form)
    cursor = parse_cursor(params.get("before", ""))
    if cursor is not None:
        activities = activities.filter(TupleLessThan((F("occurred_at"), F("id")), cursor))
    rows = list(activities.with_timeline_columns().order_by("-occurred_at", "-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    values = {name: form.value(name) for name in ("kind", "state", "period", "start", "end", "q")}
    return Timeline(
        entries=prepared(rows, user, on_account=on_account),
        next_cursor=cursor_of(rows[-1]) if more else None,
        form=form,
        values=values,
    )
