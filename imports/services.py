"""Writes of the import capability: receiving files, submitting and running jobs, saving
mappings, removing what an import created."""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from audit.models import Source
from imports import entities, readers, sources
from imports.columns import normalise_header
from imports.entities import Entity, detect_entity
from imports.models import ImportDuplicate, ImportFailure, ImportJob, SavedMapping
from imports.pipeline import Importer, Plan, Tally, id_ranges

logger = logging.getLogger(__name__)
# The rows the mapping page shows under each column, read once at upload.
SAMPLE_ROWS = 5
# Removal deletes this many records a transaction: memory and lock time stay flat.
REMOVAL_CHUNK = 2000


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
                source = sources.recognise(table.headers)
                detected = entities.get(entity) or (source.entity if source else None) or detect_entity(table.headers)
                job = ImportJob(
                    created_by=by,
                    batch=batch,
                    file_name=table.name[:255],
                    file_description=table.description,
                    entity=detected.key if detected else "",
                    headers=table.headers,
                    samples=readers.first_rows(table, SAMPLE_ROWS),
                    encoding=table.encoding,
                    delimiter=table.delimiter,
                    source=source.key if source else "",
                    mapping=mapping_for(detected, table.headers, source) if detected else [],
                    match_key=detected.default_match_key if detected else "",
                    record_owner=by,
                )
                with table.path.open("rb") as content:
                    # The stored name is ours: the user's file name never reaches the disk.
                    job.file.save(f"{uuid.uuid4().hex}{readers.extension(table.name)}", File(content), save=False)
                job.save()
                jobs.append(job)
    return jobs


def mapping_for(entity: Entity, headers: list[str], source: sources.Source | None) -> list[str]:
    """The built-in mapping of a recognised source for its record type, else by headings."""
    if source is not None and source.entity_key == entity.key:
        return source.mapping(headers, entity)
    return entity.auto_mapping(headers)


def saved_mapping_save(*, owner, entity: Entity, name: str, headers: list[str], mapping: list[str]) -> SavedMapping:
    columns = {normalise_header(header): field for header, field in zip(headers, mapping, strict=False)}
    saved, _created = SavedMapping.objects.update_or_create(
        owner=owner, entity=entity.key, name=name, defaults={"columns": columns}
    )
    return saved


def saved_mapping_apply(*, saved: SavedMapping, headers: list[str], entity: Entity) -> list[str]:
    """A saved mapping on a new file: its headings as saved; other headings map automatically."""
    automatic = entity.auto_mapping(headers)
    mapping: list[str] = []
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
        else mapping_for(entity, job.headers, job.source_info)
    )
    if job.match_key not in entity.match_keys:
        job.match_key = entity.default_match_key
    job.save(update_fields=["entity", "mapping", "match_key"])
    return job


def import_job_reencode(*, job: ImportJob, encoding: str) -> ImportJob:
    """Read a draft's text file again in another encoding: its headings, first rows and
    description follow, and columns map afresh if the headings changed. UnreadableFile
    (with the line) if the file is not text in that encoding; the draft is then unchanged."""
    table = readers.open_table(Path(job.file.path), job.file_name, encoding=encoding)
    headers_changed = table.headers != job.headers
    job.encoding = table.encoding
    job.delimiter = table.delimiter
    job.file_description = table.description
    job.headers = table.headers
    job.samples = readers.first_rows(table, SAMPLE_ROWS)
    fields = ["encoding", "delimiter", "file_description", "headers", "samples"]
    if headers_changed and job.entity_info:
        source = sources.recognise(table.headers)
        job.source = source.key if source else ""
        job.mapping = mapping_for(job.entity_info, table.headers, source)
        fields += ["mapping", "source"]
    job.save(update_fields=fields)
    return job


def import_job_submit(
    *,
    job: ImportJob,
    entity: Entity,
    mapping: list[str],
    duplicates: str,
    match_key: str,
    record_owner,
    allow_duplicates: bool = True,
    create_missing_links: bool = False,
) -> ImportJob:
    """Queue a mapped job for the background worker."""
    job.entity = entity.key
    job.create_missing_links = create_missing_links
    job.mapping = mapping
    job.duplicates = duplicates
    job.allow_duplicates = allow_duplicates
    job.match_key = match_key
    job.record_owner = record_owner
    job.language = translation.get_language() or settings.LANGUAGE_CODE
    job.status = ImportJob.Status.SUBMITTED
    job.save()
    return enqueue(job, "run_import")


def enqueue(job: ImportJob, task_name: str) -> ImportJob:
    """Hand the job to the background worker, remembering the task's row (to close it if
    the worker dies)."""
    from imports import tasks

    result = getattr(tasks, task_name).enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


def import_job_resume(*, job: ImportJob) -> ImportJob:
    """Continue a stopped import after the last chunk it committed: the records, counts and
    created ids up to it are consistent (each chunk commits them together)."""
    if not job.can_resume:
        raise ValidationError(_("Only an import that stopped part-way, with its file still kept, can be resumed."))
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=ImportJob.Status.SUBMITTED, error="", finished_on=None
    )
    job.refresh_from_db()
    return enqueue(job, "run_import")


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
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PARSING, started_on=job.started_on or now, progressed_on=now
    )
    # A resumed job continues after the rows its committed chunks counted.
    done = job.processed_rows
    try:
        table = readers.open_table(Path(job.file.path), job.file_name, encoding=job.encoding)
        # Counting first gives the progress bar its end; it costs one extra quick read.
        total = sum(1 for _row in table.rows())
        step(job, expected=ImportJob.Status.PARSING, status=ImportJob.Status.IMPORTING, total_rows=total)
        plan = Plan(
            entity=job.entity_info,
            mapping=job.mapping,
            duplicates=job.duplicates,
            allow_duplicates=job.allow_duplicates,
            match_key=job.match_key,
            default_owner_id=job.record_owner_id or job.created_by_id,
            by_id=job.created_by_id,
            job_id=job.pk,
            source=job.source,
            headers=tuple(job.headers),
            create_missing_links=job.create_missing_links,
        )
        Importer(plan).run(islice(table.rows(), done, None), on_chunk=lambda tally: record_progress(job, tally))
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
        job.refresh_from_db(fields=["created_count", "updated_count"])
        analyze_after_large_job(job.entity_info.model, rows=job.created_count + job.updated_count)
        finish(job, ImportJob.Status.COMPLETED, "")


def analyze_after_large_job(model, *, rows: int) -> None:
    """Refresh the planner's statistics of a table a job just changed a lot, before the job
    says it is done: with stale ones (autovacuum off, or not yet run) the next queries and
    deletes on it can take minutes instead of milliseconds."""
    if rows < settings.IMPORT_ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def record_progress(job: ImportJob, tally: Tally) -> None:
    changes = {
        "processed_rows": F("processed_rows") + tally.rows,
        "created_count": F("created_count") + tally.created,
        "updated_count": F("updated_count") + tally.updated,
        "skipped_count": F("skipped_count") + tally.skipped,
        "failed_count": F("failed_count") + tally.failed,
        "duplicate_count": F("duplicate_count") + len(tally.duplicates),
    }
    if tally.created_ids:
        current = ImportJob.objects.filter(pk=job.pk).values_list("created_ids", flat=True).get()
        changes["created_ids"] = id_ranges(tally.created_ids, current)
    step(job, expected=ImportJob.Status.IMPORTING, **changes)
    ImportFailure.objects.bulk_create(
        ImportFailure(job=job, line=line, reason=reason, values=values) for line, reason, values in tally.failures
    )
    ImportDuplicate.objects.bulk_create(
        ImportDuplicate(
            job=job,
            line=line,
            record_id=match.record_id,
            record_label=match.record_label[:250],
            earlier_line=match.line,
            skipped=skipped,
        )
        for line, match, skipped in tally.duplicates
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
        "saved; the rest of the file was not imported. Resume it to import the rest, or remove it with the "
        "records it created.",
        "The import stopped unexpectedly (no progress for %(minutes)d minutes). The rows counted above were "
        "saved; the rest of the file was not imported. Resume it to import the rest, or remove it with the "
        "records it created.",
        minutes,
    ) % {"minutes": minutes}


def stopped_message(*, removing: bool) -> str:
    if removing:
        return _(
            "The removal stopped unexpectedly: its background worker is no longer running. The records counted "
            "above were removed; remove the import again to remove the rest."
        )
    return _(
        "The import stopped unexpectedly: its background worker is no longer running. The rows counted above "
        "were saved; the rest of the file was not imported. Resume it to import the rest, or remove it with "
        "the records it created."
    )


def database_task_ids(task_ids) -> list[uuid.UUID]:
    """The ids of django-tasks-db rows among task ids (other backends number tasks their way)."""
    found = []
    for task in task_ids:
        try:
            found.append(uuid.UUID(task))
        except (TypeError, ValueError):
            continue
    return found


def close_tasks(task_ids: list[str]) -> None:
    """Close the background task rows of jobs whose worker died, so no task stays RUNNING."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id__in=database_task_ids(task_ids), status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )


def dead_worker_ids(task_ids: list[str]) -> set[str]:
    """The tasks, of those given, run by a worker whose heartbeat (health app) stopped: it
    beat once, then not within HEALTHZ_WORKER_MAX_AGE_SECONDS. A worker without heartbeat
    (a bare db_worker) is never judged here; cleanup_imports catches it by its silence."""
    from django_tasks_db.models import DBTaskResult

    from health.models import WorkerHeartbeat

    workers = {
        str(task): ids[-1]
        for task, ids in DBTaskResult.objects.filter(id__in=database_task_ids(task_ids)).values_list("id", "worker_ids")
        if ids
    }
    since = timezone.now() - datetime.timedelta(seconds=settings.HEALTHZ_WORKER_MAX_AGE_SECONDS)
    silent = set(
        WorkerHeartbeat.objects.filter(worker_id__in=workers.values(), beat_on__lt=since).values_list(
            "worker_id", flat=True
        )
    )
    return {task for task, worker in workers.items() if worker in silent}


def import_job_check_worker(*, job: ImportJob) -> ImportJob:
    """A running job whose worker's heartbeat stopped is marked failed at once, with what was
    done, and its task row is closed: its page need not wait for cleanup_imports."""
    if job.status not in ImportJob.RUNNING or not job.task_id or not dead_worker_ids([job.task_id]):
        return job
    if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=ImportJob.Status.FAILED,
        error=stopped_message(removing=job.status == ImportJob.Status.REMOVING),
        finished_on=timezone.now(),
    ):
        close_tasks([job.task_id])
    job.refresh_from_db()
    return job


def import_jobs_fail_stalled(*, minutes: int) -> int:
    """Mark failed the jobs parsing, importing or removing with no progress for `minutes`
    (their worker died) and close their task rows; returns how many. A worker that was only
    slow stops at its next step."""
    now = timezone.now()
    stalled = ImportJob.objects.stalled(since=now - datetime.timedelta(minutes=minutes))
    task_ids = list(stalled.values_list("task_id", flat=True))
    removals = stalled.filter(status=ImportJob.Status.REMOVING)
    failed = {"status": ImportJob.Status.FAILED, "finished_on": now}
    count = removals.update(error=stopped_message(removing=True), **failed)
    count += stalled.update(error=stalled_message(minutes), **failed)
    close_tasks(task_ids)
    return count


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


def import_job_delete(*, job: ImportJob, with_records: bool) -> ImportJob | None:
    """Delete a job, or, with its records, hand their removal to the background worker.

    Returns the job being emptied (its page follows the removal), or None once it is gone."""
    if job.status in ImportJob.RUNNING or job.status == ImportJob.Status.SUBMITTED:
        raise ValidationError(_("This import is still running; wait until it has finished."))
    if not (with_records and job.created_ids and job.entity_info):
        job.file.delete(save=False)
        job.delete()
        return None
    total = sum(last - first + 1 for first, last in job.created_ids)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.REMOVING,
        removal_total=total,
        removed_count=0,
        error="",
        finished_on=None,
        progressed_on=timezone.now(),
    )
    job.refresh_from_db()
    return enqueue(job, "run_removal")


def import_job_remove_run(*, job_id: int) -> None:
    """The background removal: the records the import created, REMOVAL_CHUNK ids a
    transaction, so memory stays flat and progress shows. Only what the importing user may
    delete goes (access.guard); accounts that have gained contacts since are kept too
    (contacts are never deleted with their company), and the job keeps what is left as what
    it created. A job marked failed meanwhile (its worker judged dead) stops."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.REMOVING:
        return
    model = job.entity_info.model
    keep = job.entity_info.kept_on_removal
    kept_ids: list[int] = []
    deleted = 0
    try:
        for first, last in job.created_ids:
            for start in range(first, last + 1, REMOVAL_CHUNK):
                stop = min(start + REMOVAL_CHUNK - 1, last)
                with transaction.atomic():
                    created = model.objects.filter(pk__range=(start, stop))
                    deletable = job.entity_info.writes_class.deletable(created, job.created_by)
                    if keep is not None:
                        deletable = deletable.exclude(pk__in=keep(created).values("pk"))
                    audit.records_deleting(records=deletable, by=job.created_by, source=Source.IMPORT)
                    _all, by_model = deletable.delete()
                    deleted += by_model.get(model._meta.label, 0)
                    left = list(created.values_list("pk", flat=True))
                    kept_ids += left
                    # Progress counts the ids walked: records deleted since the import count too.
                    walked = stop - start + 1 - len(left)
                    step(job, expected=ImportJob.Status.REMOVING, removed_count=F("removed_count") + walked)
    except ImportGivenUp:
        logger.warning("Removal of import job %s was marked failed while it ran; stopped", job.pk)
        return
    analyze_after_large_job(model, rows=deleted)
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.REMOVING).update(
        status=ImportJob.Status.REMOVED,
        file="",
        # What the page reports from now on: the records really deleted, and those kept.
        removal_total=deleted,
        removed_count=deleted,
        created_count=len(kept_ids),
        created_ids=id_ranges(kept_ids),
        finished_on=timezone.now(),
    )
