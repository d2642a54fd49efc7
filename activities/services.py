"""Every write of an activity: create, complete, cancel, reopen, assign, delete, send; each
recorded in the audit in the same transaction.

Who may do what, through the access helper: adding an activity to a record needs Append To
on it; changing one needs to read its record and to own the activity (or be in its owning
team), or to hold Write on the record.
"""

from __future__ import annotations

from copy import copy

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import guard
from access.models import Privilege
from access.scope import access_of
from activities.models import Activity, Attachment, Attendee, Email, EmailStatus, Kind, State
from audit import services as audit
from audit.models import Event, Source


class ActivityRefused(Exception):
    """A change the rules don't allow; its message says why, for the person who asked."""


def can_change(activity: Activity, user) -> bool:
    if activity.owner_id is not None and activity.owner_id == user.pk:
        return True
    if activity.owner_team_id is not None and activity.owner_team_id in access_of(user).team_units:
        return True
    return guard.allows(activity.regarding, user, Privilege.WRITE)


def require_change(activity: Activity, user) -> None:
    """404 unless the user can read the activity's record, 403 unless they may change it."""
    guard.require(activity.regarding, user, Privilege.READ)
    if not can_change(activity, user):
        raise PermissionDenied(
            _("Only the activity's owner, or someone who may edit %(record)s, can change it.")
            % {"record": activity.regarding}
        )


def rollup_account_of(record):
    return record if record._meta.model_name == "account" else record.company


def activity_create(
    *,
    activity: Activity,
    regarding,
    by,
    files=(),
    attendees=(),
    optional_attendees=(),
    to=(),
    cc=(),
    source: str = Source.FORM,
) -> Activity:
    """Save a new activity about `regarding` (an account or a contact) owned by `by`, with a
    note's files and an appointment's attendees; an email is sent to `to` once saved."""
    guard.require(regarding, by, Privilege.APPEND_TO)
    if regarding._meta.model_name == "account":
        activity.regarding_account, activity.regarding_contact = regarding, None
    else:
        activity.regarding_account, activity.regarding_contact = None, regarding
    activity.rollup_account = rollup_account_of(regarding)
    activity.created_by = by
    if activity.owner_id is None and activity.owner_team_id is None:
        activity.owner = by
    if activity.kind in (Kind.NOTE, Kind.PHONE_CALL, Kind.EMAIL):
        # Something that happened, logged after the fact: done as soon as it is written.
        activity.state, activity.closed_on = State.COMPLETED, timezone.now()
    with transaction.atomic():
        activity.save()
        audit.record_created(record=activity, by=by, source=source)
        for upload, content_type in files:
            Attachment.objects.create(
                activity=activity, file=upload, name=upload.name[:200], size=upload.size, content_type=content_type
            )
        Attendee.objects.bulk_create(
            [Attendee(activity=activity, required=True, **person_of(person)) for person in attendees]
            + [Attendee(activity=activity, required=False, **person_of(person)) for person in optional_attendees]
        )
    if activity.kind == Kind.EMAIL:
        email_send(activity=activity, to=list(to), cc=list(cc), by=by)
    return activity


def person_of(person) -> dict:
    return {"contact": person} if person._meta.model_name == "contact" else {"user": person}


def email_send(*, activity: Activity, to: list[str], cc: list[str], by) -> Email:
    """Send a saved email activity through Django's email backend and keep what was sent and
    how it went; a failure is recorded on the timeline, not raised at the user."""
    sender = settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(subject=activity.subject, body=activity.body, from_email=sender, to=to, cc=cc)
    if by.email:
        message.reply_to = [by.email]
    email = Email(activity=activity, sender=sender, to=", ".join(to), cc=", ".join(cc))
    try:
        message.send()
    except Exception as error:  # any transport failure: SMTP, DNS, refused connection...
        email.status, email.error = EmailStatus.FAILED, str(error)[:1000]
        Activity.objects.filter(pk=activity.pk).update(state=State.OPEN, closed_on=None)
    else:
        email.status, email.sent_on = EmailStatus.SENT, timezone.now()
    email.save()
    return email


def activity_set_state(*, activity: Activity, state: str, by, source: str = Source.FORM) -> Activity:
    """Close as completed or cancelled, or reopen."""
    require_change(activity, by)
    if activity.state == state:
        return activity
    before = copy(activity)
    activity.state = state
    activity.closed_on = None if state == State.OPEN else timezone.now()
    with transaction.atomic():
        activity.save(update_fields=["state", "closed_on", "modified_on"])
        audit.record_changed(before=before, after=activity, by=by, source=source)
    return activity


def activity_complete(*, activity: Activity, by, source: str = Source.FORM) -> Activity:
    return activity_set_state(activity=activity, state=State.COMPLETED, by=by, source=source)


def activity_cancel(*, activity: Activity, by, source: str = Source.FORM) -> Activity:
    return activity_set_state(activity=activity, state=State.CANCELLED, by=by, source=source)


def activity_reopen(*, activity: Activity, by, source: str = Source.FORM) -> Activity:
    return activity_set_state(activity=activity, state=State.OPEN, by=by, source=source)


def activity_assign(*, activity: Activity, by, user=None, team=None) -> Activity:
    """Give the activity to a user or a team who can read its record (or it would vanish
    from their lists the moment they got it)."""
    require_change(activity, by)
    if user is not None:
        if not user.is_active:
            raise ActivityRefused(_("%(user)s is inactive.") % {"user": user})
        if not guard.allows(activity.regarding, user, Privilege.READ):
            raise ActivityRefused(
                _("%(user)s can't see %(record)s, so they can't be given its activities.")
                % {"user": user, "record": activity.regarding}
            )
    elif team is not None:
        members = team.members.filter(is_active=True)
        if not any(guard.allows(activity.regarding, member, Privilege.READ) for member in members[:50]):
            raise ActivityRefused(
                _("No member of %(team)s can see %(record)s.") % {"team": team, "record": activity.regarding}
            )
    before = copy(activity)
    activity.owner, activity.owner_team = user, team
    with transaction.atomic():
        activity.save(update_fields=["owner", "owner_team", "modified_on"])
        audit.record_changed(before=before, after=activity, by=by, event=Event.ASSIGN)
    return activity


def activity_delete(*, activity: Activity, by, source: str = Source.FORM) -> None:
    """Delete the activity and, once that is committed, its files."""
    require_change(activity, by)
    files = [attachment.file for attachment in activity.attachments.all()]
    with transaction.atomic():
        audit.record_deleting(record=activity, by=by, source=source)
        activity.delete()
        transaction.on_commit(lambda: [file.delete(save=False) for file in files])
