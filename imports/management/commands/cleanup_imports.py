"""Housekeeping for Import Data, to run every few minutes from cron (or a systemd timer):

- imports parsing or importing with no progress for IMPORT_STALLED_AFTER_MINUTES lost their
  worker: they are marked failed, and their page says what happened and what to do;
- uploaded files of imports finished more than IMPORT_KEEP_FILES_DAYS ago are deleted (the
  job, its counts and its failed rows stay);
- drafts (uploaded, never mapped and started) older than a day are deleted with their file;
- background exports kept past EXPORT_KEEP_HOURS are deleted with their file, and those whose
  worker died (no progress for IMPORT_STALLED_AFTER_MINUTES) are marked failed.
- the admin import's previews never confirmed nor cancelled are deleted after
  IMPORT_PREVIEW_KEEP_MINUTES;
- duplicate detections and background merges whose worker died are marked failed too.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from duplicates.jobs import duplicate_jobs_fail_stalled
from imports import export_jobs, previews, services

DRAFTS_KEPT = datetime.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Fail imports and exports whose worker died, delete old uploaded files, abandoned drafts, "
        "admin import previews and expired exports."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stalled-after-minutes",
            type=int,
            default=settings.IMPORT_STALLED_AFTER_MINUTES,
            help="Mark failed the running imports with no progress for this long (default: %(default)s).",
        )
        parser.add_argument(
            "--keep-files-days",
            type=int,
            default=settings.IMPORT_KEEP_FILES_DAYS,
            help="Delete the uploaded files of imports finished longer ago than this (default: %(default)s).",
        )

    def handle(self, *args, stalled_after_minutes: int, keep_files_days: int, **options) -> None:
        if stalled_after_minutes < 1:
            raise CommandError(_("--stalled-after-minutes must be at least 1."))
        if keep_files_days < 0:
            raise CommandError(_("--keep-files-days must be 0 or more."))
        now = timezone.now()
        stalled = services.import_jobs_fail_stalled(minutes=stalled_after_minutes)
        files = services.import_files_delete(finished_before=now - datetime.timedelta(days=keep_files_days))
        drafts = services.import_drafts_delete(created_before=now - DRAFTS_KEPT)
        exports_deleted, exports_failed = export_jobs.export_jobs_cleanup(
            now=now, stalled_after=datetime.timedelta(minutes=stalled_after_minutes)
        )
        self.stdout.write(
            _("Expired exports deleted: %(deleted)d; stalled exports marked failed: %(failed)d.")
            % {"deleted": exports_deleted, "failed": exports_failed}
        )
        duplicate_jobs = duplicate_jobs_fail_stalled(since=now - datetime.timedelta(minutes=stalled_after_minutes))
        self.stdout.write(
            _("Stalled duplicate detections and merges marked failed: %(count)d.") % {"count": duplicate_jobs}
        )
        kept = datetime.timedelta(minutes=settings.IMPORT_PREVIEW_KEEP_MINUTES)
        stale_previews = previews.previews_delete(modified_before=now - kept)
        self.stdout.write(
            _(
                "Stalled imports marked failed: %(stalled)d; files of finished imports deleted: %(files)d; "
                "abandoned drafts deleted: %(drafts)d; admin import previews deleted: %(previews)d."
            )
            % {"stalled": stalled, "files": files, "drafts": drafts, "previews": stale_previews}
        )
