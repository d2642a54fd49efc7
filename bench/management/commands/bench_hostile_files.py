"""`manage.py bench_hostile_files`: what refusing each hostile spreadsheet costs, with its targets."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bench.hostile import hostile_results
from bench.timing import figure_text


class Command(BaseCommand):
    help = "Build hostile spreadsheets (a diluted zip bomb...) and print the time and peak memory of refusing each."

    def handle(self, *args, **options):
        failed = False
        for result in hostile_results(log=self.stdout.write):
            for target, figure, met in result.verdicts():
                failed |= not met
                verdict = "met" if met else "MISSED"
                self.stdout.write(
                    f"  {result.label}: {target.metric} {figure_text(figure)} {target.describe()}: {verdict}"
                )
        if failed:
            self.stdout.write(self.style.ERROR("Some targets were missed."))
