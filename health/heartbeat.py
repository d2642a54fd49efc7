"""The background worker's heartbeat: a thread of the worker process writes the time every
BEAT_SECONDS, so /healthz can tell a live worker (idle, or busy with a long import) from a
dead one. Task rows alone can't: an idle queue writes nothing."""

from __future__ import annotations

import datetime
import logging
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

from health.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10
# Heartbeats of workers gone for this long are removed (each start has a new worker id).
FORGET_AFTER = datetime.timedelta(days=1)


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_on": now})
    WorkerHeartbeat.objects.filter(beat_on__lt=now - FORGET_AFTER).delete()


def worker_alive(*, within: datetime.timedelta) -> bool:
    """Whether some worker beat within `within`. Raises DatabaseError if the database doesn't answer."""
    return WorkerHeartbeat.objects.since(timezone.now() - within).exists()


class HeartbeatThread(threading.Thread):
    """Beats until the process ends (a daemon thread: it never holds the worker up)."""

    def __init__(self, worker_id: str):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                beat(self.worker_id)
            except DatabaseError:
                # The database is away: the next beat tries again; /healthz reports it meanwhile.
                logger.warning("Worker heartbeat could not be written", exc_info=True)
            finally:
                connection.close()  # this thread's own connection: never left open between beats
            self.stopped.wait(BEAT_SECONDS)
