"""Duplicate detection rules (data, managed by administrators) and the record of each merge,
kept so that it can be undone."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.jobs import JobProgress


class SnapshotEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, keeping a time's microseconds: Undo merge restores values exactly."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Operator(models.TextChoices):
    EXACT = "exact", _("Exact match")
    FIRST = "first", _("Same first characters")
    LAST = "last", _("Same last characters")
    SIMILAR = "similar", _("Similar name")


class DuplicateRuleQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)

    def for_record_type(self, record_type: str):
        return self.filter(record_type=record_type)


class DuplicateRule(models.Model):
    """Records of `record_type` are possible duplicates when every condition holds; a
    condition on a blank value never holds (D365's "ignore blank values")."""

    name = models.CharField(_("Name"), max_length=100)
    # A model label, as access.registry names record types ("accounts.account").
    record_type = models.CharField(_("Record type"), max_length=100)
    enabled = models.BooleanField(_("Enabled"), default=True)

    objects = DuplicateRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("duplicate detection rule")
        verbose_name_plural = _("duplicate detection rules")
        ordering = ["record_type", "name", "id"]

    def __str__(self) -> str:
        return self.name


class RuleCondition(models.Model):
    rule = models.ForeignKey(DuplicateRule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(_("Field"), max_length=100)
    operator = models.CharField(_("Operator"), max_length=10, choices=Operator.choices, default=Operator.EXACT)
    length = models.PositiveSmallIntegerField(
        _("Number of characters"),
        null=True,
        blank=True,
        help_text=_("For “same first / last characters”: how many characters must be the same."),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(operator__in=["first", "last"]) | Q(length__gte=1),
                name="rulecondition_length_for_first_last",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field} {self.operator}"


class MergeOperationQuerySet(models.QuerySet):
    def involving(self, *record_ids: int):
        return self.filter(Q(master_id__in=record_ids) | Q(other_id__in=record_ids))

    def not_undone(self):
        return self.filter(undone_on__isnull=True)


class MergeOperation(models.Model):
    """One merge: both records as they were, and which related rows moved, so Undo merge can
    put everything back."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    master_id = models.PositiveBigIntegerField(_("Master record id"))
    other_id = models.PositiveBigIntegerField(_("Merged record id"))
    # Stored field values (attname -> value) before the merge.
    master_before = models.JSONField(encoder=SnapshotEncoder)
    other_before = models.JSONField(encoder=SnapshotEncoder)
    # The versions the merge left both rows at: Undo refuses if either changed since.
    master_version = models.PositiveIntegerField()
    other_version = models.PositiveIntegerField()
    # Relation key ("app.model.field" or "generic:app.model") -> ids of the rows that moved.
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    merged_on = models.DateTimeField(_("Merged on"), auto_now_add=True)
    undone_on = models.DateTimeField(_("Undone on"), null=True, blank=True)

    objects = MergeOperationQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [
            models.Index(fields=["content_type", "master_id"], name="merge_master_idx"),
            models.Index(fields=["content_type", "other_id"], name="merge_other_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.other_id} -> {self.master_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class BackgroundJob(JobProgress, models.Model):
    """What the worker's duplicate jobs share: who asked, where the job stands, its progress
    (read by static/imports/import_progress.js through the job's status URL)."""

    FINISHED = (JobStatus.COMPLETED, JobStatus.FAILED)
    DONE = (JobStatus.COMPLETED,)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Asked by"), on_delete=models.CASCADE, related_name="+"
    )
    created_on = models.DateTimeField(_("Asked on"), auto_now_add=True)
    # A model label ("accounts.account"), as rules name record types.
    record_type = models.CharField(_("Record type"), max_length=100)
    # The language of the person who asked: the job's messages are in their words.
    language = models.CharField(_("Language"), max_length=20, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("To do"), default=0)
    processed_rows = models.PositiveIntegerField(_("Done"), default=0)
    error = models.TextField(_("Error"), blank=True)
    progressed_on = models.DateTimeField(_("Last progress"), null=True, blank=True, editable=False)
    finished_on = models.DateTimeField(_("Finished on"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_on", "-id"]


class DetectionJobQuerySet(models.QuerySet):
    def of(self, user):
        """A detection job is for the person who asked: it lists records of their view."""
        return self.filter(created_by=user)


class DetectionJob(BackgroundJob):
    """Detect duplicates over a list view (its filter and search) or a whole record type, on
    the worker (duplicates.scan): the groups of records the enabled rules match."""

    # The list's query string (view, search, letter); empty for every record of the type.
    params = models.TextField(_("List parameters"), blank=True)
    scope_label = models.CharField(_("Records"), max_length=300, blank=True)
    group_count = models.PositiveIntegerField(_("Duplicate groups"), default=0)

    objects = DetectionJobQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("duplicate detection job")
        verbose_name_plural = _("duplicate detection jobs")
        indexes = [models.Index(fields=["created_by", "-created_on"], name="detectionjob_user_idx")]

    def __str__(self) -> str:
        return self.scope_label

    def get_absolute_url(self) -> str:
        return reverse("duplicates:detection", args=[self.pk])


class DuplicateGroup(models.Model):
    """Records a detection job found to duplicate one another (two or more)."""

    job = models.ForeignKey(DetectionJob, on_delete=models.CASCADE, related_name="groups")
    record_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.record_ids}"


class MergeJobQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(created_by=user)


class MergeJob(BackgroundJob):
    """A merge with too many linked rows to move within a request (settings.MERGE_IN_REQUEST_MAX_ROWS),
    or the Undo merge of one that moved as many, run by the worker: the same services, the
    same single transaction."""

    master_id = models.PositiveBigIntegerField(_("Master record id"))
    other_id = models.PositiveBigIntegerField(_("Merged record id"))
    keep_other = models.JSONField(default=list)
    # The versions the user merged from, by record id: the merge refuses if either changed.
    versions = models.JSONField(default=dict)
    operation = models.ForeignKey(MergeOperation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Undo `operation` (the rows it moved go back) rather than merge.
    undo = models.BooleanField(_("Undo merge"), default=False)

    objects = MergeJobQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("merge job")
        verbose_name_plural = _("merge jobs")

    def __str__(self) -> str:
        return f"{self.other_id} -> {self.master_id}"

    def get_absolute_url(self) -> str:
        return reverse("duplicates:merge_job", args=[self.pk])
