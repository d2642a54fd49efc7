"""`manage.py worker`: django-tasks' `db_worker` (same options) plus a heartbeat for /healthz."""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from health.heartbeat import HeartbeatThread


class Command(DbWorkerCommand):
    help = "Run the background worker (imports, large exports) and write its heartbeat for /healthz."

    def handle(self, *args, **options):
        # With --reload the first process only watches files; the child runs the tasks.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            HeartbeatThread(options["worker_id"]).start()
        return super().handle(*args, **options)
