"""Import and export throughput, side by side with django-import-export and COPY.

    manage.py bench_import --rows 50000 --memory-rows 1000000

Prints a table (target, figure, PASS/MISS) and writes the figures to var/bench/import.json.
See imports/benchmarks.py for what each case measures.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from imports import benchmarks


class Command(BaseCommand):
    help = "Measure import and export throughput and peak memory, side by side; print and save the figures."

    def add_arguments(self, parser):
        default_rows = 50_000 if connection.vendor == "postgresql" else 5_000
        parser.add_argument("--rows", type=int, default=default_rows, help="Rows of the contacts file.")
        parser.add_argument("--accounts", type=int, default=2_000, help="Accounts the Company Name column names.")
        parser.add_argument("--rounds", type=int, default=3, help="Rounds of every case; medians are reported.")
        parser.add_argument(
            "--dje-rows",
            type=int,
            default=0,
            help="Rows (the first of the same file) for django-import-export's runs (default: all; it is slow).",
        )
        parser.add_argument(
            "--memory-rows", type=int, default=0, help="Also import a file this big once, for its peak memory."
        )
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "import.json"))
        # Internal: one case, in the child process the benchmark starts for it.
        parser.add_argument("--case", choices=sorted(benchmarks.CASES), help="(internal) run one case, print JSON")
        parser.add_argument("--file", help="(internal) the file of that case")

    def handle(self, *args, **options):
        if options["case"]:
            measurement = benchmarks.run_case_here(options["case"], Path(options["file"]))
            self.stdout.write(json.dumps(asdict(measurement)))
            return
        if options["rows"] < 1 or options["rounds"] < 1:
            raise CommandError("--rows and --rounds must be at least 1.")
        output = Path(options["output"])
        report = benchmarks.bench_imports(
            rows=options["rows"],
            accounts=options["accounts"],
            rounds=options["rounds"],
            folder=output.parent / "files",
            memory_rows=options["memory_rows"],
            dje_rows=options["dje_rows"] or options["rows"],
            log=self.stdout.write,
        )
        benchmarks.write_report(report, output)
        self.stdout.write(benchmarks.report_table(report))
        self.stdout.write(f"Figures written to {output}")
