"""Writes of the import capability: receiving files, submitting and running jobs, saving
mappings, removing what an import created."""

from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import readers
from imports.columns import normalise_header
from imports.entities import ENTITIES, Entity, detect_entity
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
                detected = ENTITIES.get(entity) or detect_entity(table.headers)
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
    job.status = ImportJob.Status.SUBMITTED
    job.save()
    from imports.tasks import run_import

    run_import.enqueue(job.pk)
    return job


def import_job_run(*, job_id: int) -> None:
    """The background job: parse, then import chunk by chunk, recording progress."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.SUBMITTED:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING, started_on=timezone.now())
    try:
        table = readers.open_table(Path(job.file.path), job.file_name)
        # Counting first gives the progress bar its end; it costs one extra quick read.
        total = sum(1 for _row in table.rows())
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, total_rows=total)
        plan = Plan(
            entity=job.entity_info,
            mapping=job.mapping,
            duplicates=job.duplicates,
            match_key=job.match_key,
            default_owner_id=job.record_owner_id or job.created_by_id,
            by_id=job.created_by_id,
        )
        Importer(plan).run(table.rows(), on_chunk=lambda tally: record_progress(job, tally))
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
    ImportFailure.objects.bulk_create(
        ImportFailure(job=job, line=line, reason=reason, values=values) for line, reason, values in tally.failures
    )
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
    ImportJob.objects.filter(pk=job.pk).update(**changes)


def finish(job: ImportJob, status: str, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, error=error, finished_on=timezone.now())


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
            if job.entity == "account":
                kept_ids = list(records.filter(contacts__isnull=False).distinct().values_list("pk", flat=True))
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
