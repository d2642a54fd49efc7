"""Writes of the import capability: receiving files, submitting and running jobs, saving
mappings, removing what an import created."""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports import entities, readers
from imports.columns import normalise_header
from imports.entities import Entity, detect_entity
from imports.models import ImportFailure, ImportJob, SavedMapping
from imports.pipeline import Importer, Plan, Tally, id_ranges

logger = logging.getLogger(__name__)


def import_jobs_create(*, upload, entity: str, by) -> list[ImportJob]:
    """Check an upload (a file, or a .zip of several) and keep one draft job per file.

    Every file is opened and checked first, so a hostile or unreadable file, even one of
    several in a zip, leaves nothing behind: the user gets the reason and can try again.
    """
    with tempfile.TemporaryDirectory(prefix="crm-import-") as folder:
        folder_path = Path(folder)
        received = folder_path / f"upload{readers.extension(upload.name)}"
        readers.copy_upload(upload, received)
        if readers.extension(upload.name) == ".zip":
            files = readers.unpack_zip(received, folder_path)
        else:
            files = [(upload.name, received)]
        tables = [readers.open_table(path, name) for name, path in files]
        batch = uuid.uuid4()
        jobs = []
        with transaction.atomic():
            for table in tables:
                detected = entities.get(entity) or detect_entity(table.headers)
                job = ImportJob(
                    created_by=by,
                    batch=batch,
                    file_name=table.name[:255],
                    file_description=table.description,
                    entity=detected.key if detected else "",
                    headers=table.headers,
                    mapping=detected.auto_mapping(table.headers) if detected else [],
                    match_key=detected.match_keys[0] if detected else "",
                    record_owner=by,
                )
                with table.path.open("rb") as content:
                    # The stored name is ours: the user's file name never reaches the disk.
                    job.file.save(f"{uuid.uuid4().hex}{readers.extension(table.name)}", File(content), save=False)
                job.save()
                jobs.append(job)
    return jobs


def saved_mapping_save(*, owner, entity: Entity, name: str, headers: list[str], mapping: list[str]) -> SavedMapping:
    columns = {normalise_header(header): field for header, field in zip(headers, mapping, strict=False)}
    saved, _created = SavedMapping.objects.update_or_create(
        owner=owner, entity=entity.key, name=name, defaults={"columns": columns}
    )
    return saved


def saved_mapping_apply(*, saved: SavedMapping, headers: list[str], entity: Entity) -> list[str]:
    """A saved mapping on a new file: its headings as saved; other headings map automatically."""
    automatic = entity.auto_mapping(headers)
    mapping = []
    for header, auto in zip(headers, automatic, strict=True):
        field = saved.columns.get(normalise_header(header), auto)
        mapping.append(field if field in entity.by_name or field == "" else "")
    return mapping


def import_job_remap(*, job: ImportJob, entity: Entity, saved: SavedMapping | None) -> ImportJob:
    """Switch a draft to another record type or a saved mapping; columns map afresh."""
    job.entity = entity.key
    job.mapping = (
        saved_mapping_apply(saved=saved, headers=job.headers, entity=entity)
        if saved is not None and saved.entity == entity.key
        else entity.auto_mapping(job.headers)
    )
    if job.match_key not in entity.match_keys:
        job.match_key = entity.match_keys[0]
    job.save(update_fields=["entity", "mapping", "match_key"])
    return job


def import_job_submit(
    *, job: ImportJob, entity: Entity, mapping: list[str], duplicates: str, match_key: str, record_owner
) -> ImportJob:
    """Queue a mapped job for the background worker."""
    job.entity = entity.key
    job.mapping = mapping
    job.duplicates = duplicates
    job.match_key = match_key
    job.record_owner = record_owner
    job.language = translation.get_language() or settings.LANGUAGE_CODE
    job.status = ImportJob.Status.SUBMITTED
    job.save()
    from imports.tasks import run_import

    run_import.enqueue(job.pk)
    return job


class ImportGivenUp(Exception):
    """The job was marked failed while this worker still ran it (see import_jobs_fail_stalled)."""


def import_job_run(*, job_id: int) -> None:
    """The background job: parse, then import chunk by chunk, recording progress, in the
    language of the person who submitted it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        run_job(job)


def run_job(job: ImportJob) -> None:
    if job.status != ImportJob.Status.SUBMITTED:
        return
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING, started_on=now, progressed_on=now)
    try:
        table = readers.open_table(Path(job.file.path), job.file_name)
        # Counting first gives the progress bar its end; it costs one extra quick read.
        total = sum(1 for _row in table.rows())
        step(job, expected=ImportJob.Status.PARSING, status=ImportJob.Status.IMPORTING, total_rows=total)
        plan = Plan(
            entity=job.entity_info,
            mapping=job.mapping,
            duplicates=job.duplicates,
            match_key=job.match_key,
            default_owner_id=job.record_owner_id or job.created_by_id,
            by_id=job.created_by_id,
        )
        Importer(plan).run(table.rows(), on_chunk=lambda tally: record_progress(job, tally))
    except ImportGivenUp:
        # Its last chunk was rolled back; the job says what happened, in the words it was given.
        logger.warning("Import job %s was marked failed while it ran; stopped", job.pk)
    except readers.UnreadableFile as error:
        finish(job, ImportJob.Status.FAILED, str(error))
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        finish(
            job,
            ImportJob.Status.FAILED,
            _("The import stopped on an unexpected error; the rows counted so far were saved."),
        )
        raise
    else:
        finish(job, ImportJob.Status.COMPLETED, "")


def record_progress(job: ImportJob, tally: Tally) -> None:
    changes = {
        "processed_rows": F("processed_rows") + tally.rows,
        "created_count": F("created_count") + tally.created,
        "updated_count": F("updated_count") + tally.updated,
        "skipped_count": F("skipped_count") + tally.skipped,
        "failed_count": F("failed_count") + tally.failed,
    }
    if tally.created_ids:
        current = ImportJob.objects.filter(pk=job.pk).values_list("created_ids", flat=True).get()
        changes["created_ids"] = id_ranges(tally.created_ids, current)
    step(job, expected=ImportJob.Status.IMPORTING, **changes)
    ImportFailure.objects.bulk_create(
        ImportFailure(job=job, line=line, reason=reason, values=values) for line, reason, values in tally.failures
    )


def step(job: ImportJob, *, expected: str, **changes) -> None:
    """Record a step of a job that is still `expected`; raises ImportGivenUp if it isn't
    (the chunk's transaction, if any, then rolls back with it)."""
    if not ImportJob.objects.filter(pk=job.pk, status=expected).update(progressed_on=timezone.now(), **changes):
        raise ImportGivenUp


def finish(job: ImportJob, status: str, error: str) -> None:
    # A job marked failed meanwhile keeps the explanation it was given.
    running = ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.RUNNING)
    running.update(status=status, error=error, finished_on=timezone.now())


def stalled_message(minutes: int) -> str:
    return ngettext(
        "The import stopped unexpectedly (no progress for %(minutes)d minute). The rows counted above were "
        "saved; the rest of the file was not imported. Remove this import with the records it created, then "
        "try again.",
        "The import stopped unexpectedly (no progress for %(minutes)d minutes). The rows counted above were "
        "saved; the rest of the file was not imported. Remove this import with the records it created, then "
        "try again.",
        minutes,
    ) % {"minutes": minutes}


def import_jobs_fail_stalled(*, minutes: int) -> int:
    """Mark failed the jobs parsing or importing with no progress for `minutes` (their worker
    died); returns how many. A worker that was only slow stops at its next step."""
    now = timezone.now()
    stalled = ImportJob.objects.stalled(since=now - datetime.timedelta(minutes=minutes))
    return stalled.update(status=ImportJob.Status.FAILED, error=stalled_message(minutes), finished_on=now)


def import_files_delete(*, finished_before: datetime.datetime) -> int:
    """Delete the uploaded files of imports finished before a date; the jobs, their counts
    and failed rows stay. Returns how many files went."""
    jobs = ImportJob.objects.filter(status__in=ImportJob.FINISHED, finished_on__lt=finished_before).exclude(file="")
    deleted = []
    for job in jobs.only("pk", "file").iterator():
        job.file.delete(save=False)
        deleted.append(job.pk)
    ImportJob.objects.filter(pk__in=deleted).update(file="")
    return len(deleted)


def import_drafts_delete(*, created_before: datetime.datetime) -> int:
    """Delete drafts (uploaded, never mapped and started) older than a date, with their files."""
    drafts = ImportJob.objects.filter(status=ImportJob.Status.DRAFT, created_on__lt=created_before)
    count = 0
    for job in drafts.only("pk", "file").iterator():
        job.file.delete(save=False)
        job.delete()
        count += 1
    return count


def import_job_delete(*, job: ImportJob, with_records: bool) -> tuple[int, int]:
    """Delete a job and, if asked, the records it created that still exist.

    Accounts that have gained contacts since are kept (contacts are never deleted with
    their company); then the job stays too, so the user sees what is left. Returns
    (records deleted, records kept).
    """
    if not job.is_finished and job.status != ImportJob.Status.DRAFT:
        raise ValidationError(_("This import is still running; wait until it has finished."))
    deleted = kept = 0
    with transaction.atomic():
        if with_records and job.created_ids and job.entity_info:
            records = job.entity_info.model.objects.filter(job.created_id_filter())
            kept_ids: list[int] = []
            keep = job.entity_info.kept_on_removal
            if keep is not None:
                kept_ids = list(keep(records).values_list("pk", flat=True))
                kept = len(kept_ids)
                records = records.exclude(pk__in=kept_ids)
            deleted = records.count()
            records.delete()
        if kept:
            ImportJob.objects.filter(pk=job.pk).update(created_count=kept, created_ids=id_ranges(kept_ids))
        else:
            job.file.delete(save=False)
            job.delete()
    return deleted, kept
