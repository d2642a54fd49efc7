"""Activities: notes, tasks, phone calls, emails and appointments, each regarding one account
or one contact, shown on that record's timeline.

One table for every kind (D365's ActivityPointer): a timeline is one index range whatever the
kinds it shows. Who may see an activity is who may read the record it is about (see
`ActivityQuerySet.visible_to`); an activity has no access rules of its own, so a note can never
be seen by someone who can't see its record.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import guard
from access.models import Owned, Privilege, one_owner
from crm.models import person_name


class Kind(models.TextChoices):
    NOTE = "note", _("Note")
    TASK = "task", _("Task")
    PHONE_CALL = "phone_call", _("Phone call")
    EMAIL = "email", _("Email")
    APPOINTMENT = "appointment", _("Appointment")


# What Home lists of mine when it is due: the kinds with a date to keep.
AGENDA_KINDS = (Kind.TASK, Kind.APPOINTMENT)


class State(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class EmailStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def readable(relation: str, model, user) -> Q:
    """Rows whose `relation` is a `model` record `user` may read. A user who reads every such
    record needs no check at all (the database would otherwise hash the whole table)."""
    if guard.reads_every(model, user):
        return Q(**{f"{relation}__isnull": False})
    return Q(Exists(guard.visible(model, user, Privilege.READ).filter(pk=OuterRef(f"{relation}_id"))))


# The columns a line about an activity shows: its own (but the bookkeeping ones), and the
# names of its owner and record.
LINE_FIELDS = (
    "kind",
    "subject",
    "body",
    "state",
    "priority",
    "due_at",
    "ends_at",
    "location",
    "direction",
    "phone_number",
    "duration_minutes",
    "occurred_at",
    "owner_id",
    "owner_team_id",
    "regarding_account_id",
    "regarding_contact_id",
    "rollup_account_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "owner_team__name",
    "regarding_account__name",
    "regarding_contact__full_name",
)
LINE_RELATIONS = ("owner", "owner_team", "regarding_account", "regarding_contact")


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The activities about a record `user` may read, through the access helper.

        Each row's record is checked by its key (EXISTS on its primary key), so a page that
        walks an activity index in order checks only the rows it shows, instead of first
        listing every record the user may read."""
        from accounts.models import Account
        from contacts.models import Contact

        if all(guard.branches_of_user(model, user, Privilege.READ) is None for model in (Account, Contact)):
            # Every activity is about an account or a contact (the CHECK): no condition, so a
            # count of My Activities reads the owner's index alone (20 ms -> 1.4 ms at 10M).
            return self.all()
        return self.filter(readable("regarding_account", Account, user) | readable("regarding_contact", Contact, user))

    def on_timeline_of(self, record, user):
        """What `user` sees on the timeline of `record`, which the caller found among the records
        `user` may read (the record page's scoped lookup). An account's timeline holds its
        contacts' activities too (rollup): one index range, in which only the contacts of that
        account are checked."""
        from contacts.models import Contact

        if record._meta.model_name == "account":
            if guard.reads_every(Contact, user):
                # Its own and all its contacts' activities: the rollup range alone, with no
                # subquery over the contacts to compile, plan and run.
                return self.filter(rollup_account=record)
            contacts = guard.visible(Contact.objects.filter(company=record), user, Privilege.READ)
            readable = Q(regarding_account=record) | Q(regarding_contact__in=contacts.values("pk"))
            return self.filter(readable, rollup_account=record)
        return self.filter(regarding_contact=record)

    def open(self):
        return self.filter(state=State.OPEN)

    def closed(self):
        return self.exclude(state=State.OPEN)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def due_between(self, start, end):
        return self.open().filter(due_at__gte=start, due_at__lt=end)

    def owned_by(self, user):
        return self.filter(owner=user)

    def on_agenda(self):
        """Open tasks and appointments: what has a date to keep (activity_owner_agenda_idx)."""
        return self.open().filter(kind__in=AGENDA_KINDS)

    def with_list_columns(self):
        """What a line about an activity shows (My Activities, Home): its own columns and the
        names of its owner and record, not the ~75 columns of that record."""
        return self.select_related(*LINE_RELATIONS).only(*LINE_FIELDS)

    def with_timeline_columns(self):
        """A line's columns, its owner and its sent email, for a record's timeline. The record
        it is about is the page's own, or on an account's timeline one of its contacts, named by
        activities.timeline in one query: joined here, the accounts and contacts tables (~20
        indexes each) took ~2 ms of planning a page. Attendees and files are read for a whole
        page at once by activities.timeline.add_people_and_files()."""
        email = ("email__to", "email__cc", "email__status", "email__error")
        own = [name for name in LINE_FIELDS if not name.startswith(("regarding_account__", "regarding_contact__"))]
        return self.select_related("owner", "owner_team", "email").only(*own, *email)


class Activity(Owned):
    """Owned like a record (access.models.Owned: a user or a team, exactly one); Assign changes
    the owner. Who may see it is still who may read its record."""

    kind = models.CharField(_("Activity type"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("Subject"), max_length=200, blank=True)
    body = models.TextField(_("Description"), blank=True)
    state = models.CharField(_("Status"), max_length=10, choices=State.choices, default=State.OPEN)
    priority = models.CharField(_("Priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    # When a task is due, when an appointment starts: what "overdue" and "due this week" read.
    due_at = models.DateTimeField(_("Due"), null=True, blank=True)
    ends_at = models.DateTimeField(_("End"), null=True, blank=True)
    location = models.CharField(_("Location"), max_length=200, blank=True)
    direction = models.CharField(
        _("Direction"), max_length=8, choices=Direction.choices, default=Direction.OUTGOING, blank=True
    )
    phone_number = models.CharField(_("Phone number"), max_length=50, blank=True)
    duration_minutes = models.PositiveIntegerField(_("Duration (minutes)"), null=True, blank=True)

    # Exactly one of the two (a CHECK below): explicit foreign keys keep integrity and indexes
    # that a generic relation would lose.
    regarding_account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("Regarding account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # the rollup index starts with the same account for these rows
    )
    regarding_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("Regarding contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        db_index=False,  # activity_contact_timeline_idx starts with it
    )
    # The account whose timeline shows this activity: the regarding account, or the regarding
    # contact's company, kept current when a contact changes company (services).
    rollup_account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # activity_account_timeline_idx starts with it
        editable=False,
    )
    # For each link, a column holding the same record on the rows it links: an activity
    # regarding an account rolls up to that account (activity_create, the rollup trigger), so
    # a merge finds an account's activities through activity_account_timeline_idx.
    LINK_ALSO_IN = {"regarding_account": "rollup_account"}
    # The timeline's order: when the activity was logged.
    occurred_at = models.DateTimeField(_("Date"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    modified_on = models.DateTimeField(_("Modified On"), auto_now=True)
    closed_on = models.DateTimeField(_("Closed On"), null=True, blank=True)

    objects = ActivityQuerySet.as_manager()
    # Listed newest first, named by its subject in the audit (audit.fields.name_column).
    AUDIT_NAME_FIELD = "subject"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(regarding_account__isnull=False, regarding_contact__isnull=True)
                | Q(regarding_account__isnull=True, regarding_contact__isnull=False),
                name="activity_regarding_one_record",
            ),
            one_owner("activity"),
        ]
        indexes = [
            # Keyset timelines: an account's (rollup included) and a contact's.
            models.Index(fields=["rollup_account", "-occurred_at", "-id"], name="activity_account_timeline_idx"),
            models.Index(fields=["regarding_contact", "-occurred_at", "-id"], name="activity_contact_timeline_idx"),
            # The same timelines filtered to open or overdue activities: only the open rows, so
            # the walk skips the closed ones (most of a timeline) without reading them. The due
            # date last: "overdue" is then checked in the index, not on each open row's heap
            # page (the newest open ones are mostly not due yet: 6,700 rows read for 21 at 10M).
            models.Index(
                fields=["rollup_account", "-occurred_at", "-id", "due_at"],
                condition=Q(state="open"),
                name="activity_account_open_idx",
            ),
            models.Index(
                fields=["regarding_contact", "-occurred_at", "-id", "due_at"],
                condition=Q(state="open"),
                name="activity_contact_open_idx",
            ),
            # My Open Activities, Overdue, Due this week.
            models.Index(fields=["owner", "state", "due_at", "id"], name="activity_owner_state_due_idx"),
            # Home's agenda (my open tasks and appointments, by due date): without it, a user
            # with many open notes, calls or emails had Home walk all of those (0.5 s at 10M).
            models.Index(
                fields=["owner", "due_at", "id"],
                condition=Q(state="open", kind__in=AGENDA_KINDS),
                name="activity_owner_agenda_idx",
            ),
            # A team's activities (and the PROTECT check when a team is deleted): only where set.
            models.Index(
                fields=["owner_team", "state", "due_at", "id"],
                condition=Q(owner_team__isnull=False),
                name="activity_team_state_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.body[:60] or self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def regarding(self):
        return self.regarding_account or self.regarding_contact

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def duration(self) -> timedelta | None:
        return self.ends_at - self.due_at if self.ends_at and self.due_at else None


def attachment_path(attachment: Attachment, filename: str) -> str:
    # A random folder per file: names can't be guessed, and two "report.pdf" never collide.
    return f"activities/{timezone.now():%Y/%m}/{secrets.token_hex(16)}/{filename}"


class Attachment(models.Model):
    """A file on a note. Never served from a public media URL: only through the signed-in
    download view, which checks that the user can read the note's record."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("File"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("File name"), max_length=200)
    size = models.PositiveBigIntegerField(_("Size"))
    content_type = models.CharField(_("Type"), max_length=100)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:attachment", args=[self.pk])


class Email(models.Model):
    """What was sent, as sent: kept with the email activity for its timeline entry."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="email", primary_key=True)
    sender = models.CharField(_("From"), max_length=254)
    to = models.TextField(_("To"))
    cc = models.TextField(_("Cc"), blank=True)
    status = models.CharField(_("Delivery"), max_length=6, choices=EmailStatus.choices)
    error = models.TextField(_("Error"), blank=True)
    sent_on = models.DateTimeField(_("Sent On"), null=True, blank=True)

    class Meta:
        verbose_name = _("email message")
        verbose_name_plural = _("email messages")

    def __str__(self) -> str:
        return self.to


class Attendee(models.Model):
    """A person asked to an appointment: a contact or a user, required or optional."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    required = models.BooleanField(_("Required"), default=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, user__isnull=True) | Q(contact__isnull=True, user__isnull=False),
                name="attendee_contact_or_user",
            )
        ]

    def __str__(self) -> str:
        return str(self.contact) if self.contact else person_name(self.user)

    @property
    def email_address(self) -> str:
        return self.contact.emailaddress1 if self.contact else self.user.email
