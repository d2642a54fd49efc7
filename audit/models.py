"""The audit history: one append-only row per event on a record (or per sign-in, export,
retention run), with the fields an update really changed, old and new values stored raw."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Event(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    ACTIVATE = "activate", _("Activate")
    DEACTIVATE = "deactivate", _("Deactivate")
    ASSIGN = "assign", _("Assign")
    SHARE = "share", _("Share")
    UNSHARE = "unshare", _("Unshare")
    # Nouns here ("Fusion"), where the merge page's button is a verb ("Fusionner").
    MERGE = "merge", pgettext_lazy("audit event", "Merge")
    UNDO_MERGE = "undo_merge", pgettext_lazy("audit event", "Undo merge")
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    EXPORT = "export", _("Export")
    RETENTION = "retention", _("Audit retention")


class Source(models.TextChoices):
    FORM = "form", _("Form")
    QUICK_CREATE = "quick_create", _("Quick create")
    BULK = "bulk", _("Bulk action")
    IMPORT = "import", _("Import")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    COMMAND = "command", _("Command")
    SIGN_IN = "sign_in", _("Sign-in page")


class AppendOnly(Exception):
    """Audit rows are written once and never changed or deleted by the application."""


class AuditEntryQuerySet(models.QuerySet):
    def of_record(self, record_type: str, record_id: int) -> AuditEntryQuerySet:
        return self.filter(record_type=record_type, record_id=record_id)

    def newest_first(self) -> AuditEntryQuerySet:
        return self.order_by("-at", "-id")

    def before(self, at, pk: int) -> AuditEntryQuerySet:
        """The entries after (at, pk) in newest-first order: a keyset page's continuation,
        read from the (record type, record id, time, id) index however deep the page."""
        return self.filter(models.Q(at__lt=at) | models.Q(at=at, id__lt=pk))

    def touching(self, field: str) -> AuditEntryQuerySet:
        return self.filter(changes__has_key=field)

    def update(self, **kwargs):
        raise AppendOnly("audit entries can't be changed")

    def delete(self):
        raise AppendOnly("audit entries can't be deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("Changed date"), default=timezone.now)
    event = models.CharField(_("Event"), max_length=20, choices=Event.choices)
    source = models.CharField(_("Source"), max_length=20, choices=Source.choices)
    # The model label ("contacts.contact"); empty for sign-ins and other events of no record.
    record_type = models.CharField(_("Record type"), max_length=60, blank=True)
    record_id = models.BigIntegerField(_("Record ID"), null=True, blank=True)
    # The record's name when the event happened: it still reads after the record is deleted.
    record_name = models.CharField(_("Record"), max_length=400, blank=True)
    # No foreign key constraint: deleting a user must not rewrite (or be refused by) the audit.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Changed by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    user_name = models.CharField(_("Changed by"), max_length=150, blank=True)
    job_id = models.BigIntegerField(_("Import job"), null=True, blank=True)
    # {field attname: [old, new]}, only the fields that really changed, values as stored.
    changes = models.JSONField(_("Changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    detail = models.CharField(_("Detail"), max_length=400, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "at", "id"], name="audit_record_time_idx"),
            models.Index(fields=["at", "id"], name="audit_time_idx"),
            models.Index(fields=["user", "at", "id"], name="audit_user_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.record_name}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries can't be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries can't be deleted")
