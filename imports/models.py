from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.jobs import JobProgress
from imports import entities


def quiet_since(since: datetime.datetime) -> models.Q:
    """Jobs with no progress since `since` (or none at all, when asked before it)."""
    return models.Q(progressed_on__lt=since) | models.Q(progressed_on__isnull=True, created_on__lt=since)


class EntityJob(JobProgress):
    """An import's or an export's progress, with the record type it is about."""

    @property
    def entity_info(self):
        return entities.get(self.entity)

    def get_entity_display(self) -> str:
        entity = self.entity_info
        return str(entity.label).capitalize() if entity is not None else self.entity


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People see their own imports; administrators see everyone's."""
        if user.is_superuser:
            return self
        return self.filter(created_by=user)

    def stalled(self, *, since: datetime.datetime):
        """Jobs parsing, importing or removing that have made no progress since `since`."""
        return self.filter(quiet_since(since), status__in=ImportJob.RUNNING)

    def running(self):
        return self.filter(status__in=ImportJob.RUNNING)


class ImportJob(EntityJob, models.Model):
    """One file being imported: its mapping and options, where it stands, and what it did."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for mapping")
        SUBMITTED = "submitted", _("Submitted")
        PARSING = "parsing", _("Parsing")
        IMPORTING = "importing", _("Importing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        REMOVING = "removing", _("Removing the records it created")
        REMOVED = "removed", _("Removed")

    class Duplicates(models.TextChoices):
        CREATE = "create", _("Create new records anyway")
        UPDATE = "update", _("Update the existing record")
        SKIP = "skip", _("Skip the row")

    FINISHED = (Status.COMPLETED, Status.FAILED, Status.REMOVED)
    DONE = (Status.COMPLETED, Status.REMOVED)
    RUNNING = (Status.PARSING, Status.IMPORTING, Status.REMOVING)
    # The encodings a text file may be read in, as the mapping page offers them.
    ENCODINGS = [
        ("utf-8", "UTF-8"),
        ("cp1252", "Windows-1252"),
        ("latin-1", "ISO-8859-1 (Latin-1)"),
        ("iso-8859-15", "ISO-8859-15 (Latin-9)"),
        ("mac-roman", "Mac Roman"),
        ("utf-16", "UTF-16"),
    ]

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Imported by"), on_delete=models.CASCADE, related_name="+"
    )
    created_on = models.DateTimeField(_("Uploaded on"), auto_now_add=True)
    # Files unpacked from one .zip share a batch, so mapping moves from one to the next.
    batch = models.UUIDField(default=uuid.uuid4, editable=False)
    file = models.FileField(_("File"), upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("File name"), max_length=255)
    file_description = models.CharField(_("Read as"), max_length=100, blank=True)
    # A record type of crm.registry that has an entity (imports.entities): checked against
    # the registry, not a list of choices, so that a new type needs no migration here.
    entity = models.CharField(_("Record type"), max_length=20, blank=True, validators=[entities.validate_record_type])
    headers = models.JSONField(_("Column headings"), default=list)
    # The first rows as read at upload, shown while mapping: the file is not opened again.
    samples = models.JSONField(_("First rows"), default=list, editable=False)
    # How a text file is read: as detected at upload, or as the user chose while mapping.
    encoding = models.CharField(_("Encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("Delimiter"), max_length=2, blank=True)
    # One entry per column: the field it fills, or "" when it is ignored.
    mapping = models.JSONField(_("Mapping"), default=list)
    # Where the file comes from, recognised from its headings (imports.sources): an Outlook or
    # Google export, a vCard file... Its built-in mapping and value formats apply.
    source = models.CharField(_("Recognised as"), max_length=20, blank=True)
    # Companies the file names that match no account are created (with the import's owner).
    create_missing_links = models.BooleanField(_("Create missing companies"), default=False)
    duplicates = models.CharField(
        _("When a record already exists"), max_length=10, choices=Duplicates.choices, default=Duplicates.UPDATE
    )
    # Duplicate detection (duplicates app): rows that its rules match to an existing record, or
    # to an earlier row of the file, are listed in the report, and skipped unless allowed.
    allow_duplicates = models.BooleanField(_("Allow duplicates"), default=True)
    match_key = models.CharField(_("Match existing records on"), max_length=50, blank=True)
    record_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Owner of the imported records"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The language of the person who submitted it: the worker reads numbers and dates the way
    # they write them and reports failed rows in their words.
    language = models.CharField(_("Language"), max_length=10, blank=True, editable=False)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(_("Rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("Rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("Created"), default=0)
    updated_count = models.PositiveIntegerField(_("Updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("Skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("Failed"), default=0)
    duplicate_count = models.PositiveIntegerField(_("Possible duplicates"), default=0)
    error = models.TextField(_("Error"), blank=True)
    # Removing the records it created, on the worker: how many there were and are gone.
    removal_total = models.PositiveIntegerField(_("Records to remove"), default=0)
    removed_count = models.PositiveIntegerField(_("Records removed"), default=0)
    # The background task (django-tasks' row) running the job now, to close it if its worker died.
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # The ids of the records this import created, as [first, last] ranges (bulk inserts
    # number rows consecutively, so 50,000 records usually take a handful of ranges).
    created_ids = models.JSONField(default=list, editable=False)
    started_on = models.DateTimeField(_("Started on"), null=True, blank=True)
    # Written by the worker at each step: a running job whose mark grows old lost its worker.
    progressed_on = models.DateTimeField(_("Last progress"), null=True, blank=True, editable=False)
    finished_on = models.DateTimeField(_("Finished on"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_on", "-id"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        if self.status == self.Status.DRAFT:
            return reverse("imports:map", args=[self.pk])
        return reverse("imports:detail", args=[self.pk])

    @property
    def source_info(self):
        from imports import sources

        return sources.by_key(self.source)

    def row_label(self, line: int) -> str:
        """How the user finds the row in their file: "Line 12", or "Card 12" for a vCard file."""
        source = self.source_info
        return source.row_label(line) if source is not None else _("Line %(line)d") % {"line": line}

    @property
    def done(self) -> int:
        return self.removed_count if self.is_removal else self.processed_rows

    @property
    def to_do(self) -> int:
        return self.removal_total if self.is_removal else self.total_rows

    @property
    def is_removal(self) -> bool:
        return self.status in (self.Status.REMOVING, self.Status.REMOVED) or bool(self.removal_total)

    @property
    def encoding_choice(self) -> str:
        """The entry of ENCODINGS the file is read in (detection tells the byte orders apart)."""
        return {"utf-8-sig": "utf-8", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(self.encoding, self.encoding)

    @property
    def can_resume(self) -> bool:
        """A failed import that stopped part-way: the rows up to its last chunk are saved."""
        return (
            self.status == self.Status.FAILED
            and not self.removal_total
            and self.processed_rows < self.total_rows
            and bool(self.file)
        )

    def created_id_filter(self) -> models.Q:
        query = models.Q(pk__in=[])
        for first, last in self.created_ids:
            query |= models.Q(pk__range=(first, last))
        return query


class ImportFailure(models.Model):
    """A row that could not be imported: where it was, why, and its cells as read."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    line = models.PositiveIntegerField(_("Line"))
    reason = models.TextField(_("Reason"))
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"

    @property
    def row_label(self) -> str:
        return self.job.row_label(self.line)


class ImportDuplicate(models.Model):
    """A row the duplicate rules matched: to an existing record, or to an earlier row."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="possible_duplicates")
    line = models.PositiveIntegerField(_("Line"))
    record_id = models.PositiveBigIntegerField(_("Matching record"), null=True, blank=True)
    record_label = models.CharField(_("Matching record"), max_length=250, blank=True)
    earlier_line = models.PositiveIntegerField(_("Matching line"), null=True, blank=True)
    skipped = models.BooleanField(_("Skipped"), default=False)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="importduplicate_job_line_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"


class SavedMapping(models.Model):
    """A named column mapping ("data map") a user saved to reuse on the next file."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("Record type"), max_length=20, validators=[entities.validate_record_type])
    name = models.CharField(_("Mapping name"), max_length=100)
    # Normalised heading -> field name ("" for a heading the user chose to ignore).
    columns = models.JSONField(default=dict)
    modified_on = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "entity", "name"], name="saved_mapping_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ExportJobQuerySet(models.QuerySet):
    def of(self, user):
        """A background export is for the person who asked for it alone (no administrator
        either): it holds the rows that person's view showed."""
        return self.filter(created_by=user)

    def expired(self, *, now: datetime.datetime):
        return self.filter(expires_on__lt=now)

    def stalled(self, *, since: datetime.datetime):
        return self.filter(quiet_since(since), status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])


class ExportJob(EntityJob, models.Model):
    """A list export too large to stream from a request, written by the background worker
    (imports/export_jobs.py) and kept for a while for its user to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Exporting")
        COMPLETED = "completed", _("Ready to download")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel")

    FINISHED = (Status.COMPLETED, Status.FAILED)
    DONE = (Status.COMPLETED,)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Exported by"), on_delete=models.CASCADE, related_name="+"
    )
    created_on = models.DateTimeField(_("Asked on"), auto_now_add=True)
    entity = models.CharField(_("Record type"), max_length=20, validators=[entities.validate_record_type])
    file_format = models.CharField(_("Format"), max_length=10, choices=Format.choices)
    # The list's query string (view, search, letter, sort), read again by the worker.
    params = models.TextField(_("List parameters"), blank=True)
    # The language labels (choices, Yes/No) are written in: the user's when they asked.
    language = models.CharField(_("Language"), max_length=20, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("Rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("Rows exported"), default=0)
    file = models.FileField(_("File"), upload_to="exports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("File name"), max_length=255)
    error = models.TextField(_("Error"), blank=True)
    progressed_on = models.DateTimeField(_("Last progress"), null=True, blank=True, editable=False)
    finished_on = models.DateTimeField(_("Finished on"), null=True, blank=True)
    expires_on = models.DateTimeField(_("Kept until"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_on", "-id"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("imports:export_job", args=[self.pk])
