from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from audit import services


class Command(BaseCommand):
    help = "Remove audit entries older than AUDIT_RETENTION_DAYS (0 keeps them forever) and log the run."

    def handle(self, *args, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if not days:
            self.stdout.write("AUDIT_RETENTION_DAYS is 0: the audit history is kept forever.")
            return
        removed = services.retention_apply(days=days, now=timezone.now())
        self.stdout.write(f"Removed {removed} audit entries older than {days} days.")
