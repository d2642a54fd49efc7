from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeatQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(beat_on__gte=moment)


class WorkerHeartbeat(models.Model):
    """The last sign of life of one background worker process (`manage.py worker`), written
    every few seconds while it runs, whether it is idle or busy with a long import."""

    worker_id = models.CharField(_("Worker"), max_length=100, unique=True)
    beat_on = models.DateTimeField(_("Last heartbeat"), db_index=True)

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
