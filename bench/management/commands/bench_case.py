"""One import or export benchmark case, run in this process; prints its measurement as JSON.

Internal to `manage.py bench` (sections imports and exports), which starts a process per
case so that each peak memory is the case's own. See bench/transfer.py.

    manage.py bench_case import ours-csv var/bench/files/contacts-20000.csv
    manage.py bench_case export contact xlsx active database bench
"""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand

from bench import transfer


class Command(BaseCommand):
    help = "(Internal to manage.py bench) run one import or export benchmark case and print it as JSON."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["import", "export"])
        parser.add_argument(
            "arguments", nargs="+", help="import: CASE FILE; export: ENTITY FORMAT VIEW RENDERED_BY USER"
        )

    def handle(self, *args, kind: str, arguments: list[str], **options):
        measurement = transfer.run_case_here(kind, arguments)
        self.stdout.write(json.dumps(asdict(measurement)))
