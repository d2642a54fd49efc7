"""What every background job's page and status poll read (imports, exports, duplicate
detection, large merges): where it stands and how far it got."""

from __future__ import annotations


class JobProgress:
    """Mixed into a job model with `status`, `processed_rows`, `total_rows` and
    get_status_display(); FINISHED lists the statuses it ends in, DONE those that did all."""

    FINISHED: tuple = ()
    # Statuses whose job did all it had to (a failed job shows how far it got).
    DONE: tuple = ()

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def done(self) -> int:
        return self.processed_rows

    @property
    def to_do(self) -> int:
        return self.total_rows

    @property
    def percent(self) -> int:
        """What was done, finished or not: a job that failed at 60,000 of 200,000 shows 30%."""
        if self.status in self.DONE:
            return 100
        return min(int(self.done * 100 / self.to_do), 100) if self.to_do else 0

    def progress(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "finished": self.is_finished,
            "percent": self.percent,
            "total": self.to_do,
            "processed": self.done,
        }
