from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.data import ensure_bench_data
from bench.sections import SECTIONS, BenchContext
from bench.timing import SCENARIO_BUDGET_S, UNITS, Result, figure_text, host_speed


class Command(BaseCommand):
    help = (
        "Generate N accounts and N contacts (once), then measure lists, quick find, detail pages, the admin, "
        "exports and imports against their targets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1_000_000, help="Accounts and contacts each (default 1M).")
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per scenario (default 30).")
        parser.add_argument("--sections", default=",".join(SECTIONS), help=f"Comma-separated: {', '.join(SECTIONS)}.")
        parser.add_argument("--regenerate", action="store_true", help="Rebuild the data even if it is there.")
        parser.add_argument("--json", default=str(settings.BASE_DIR / "var" / "bench" / "results.json"))

    def handle(self, *args, scale, repeat, sections, regenerate, json: str, **options):
        chosen = [name.strip() for name in sections.split(",") if name.strip()]
        unknown = set(chosen) - set(SECTIONS)
        if unknown:
            raise CommandError(f"Unknown sections: {', '.join(sorted(unknown))}")
        started = time.perf_counter()
        speed_before = host_speed()
        data = ensure_bench_data(scale, regenerate=regenerate, log=self.stdout.write)
        self.stdout.write(
            f"Data: {scale:,} accounts + {scale:,} contacts on {connection.vendor} "
            f"({'generated in' if data.generated else 'already present, checked in'} {data.seconds:.0f} s)"
        )
        client = Client()
        client.force_login(data.user)
        context = BenchContext(
            client=client,
            user=data.user,
            scale=scale,
            repeat=repeat,
            files=Path(json).parent / "files",
            log=self.stdout.write,
        )
        results: list[Result] = []
        section_seconds = {}
        for name in chosen:
            self.stdout.write(f"Measuring {name}...")
            section_started = time.perf_counter()
            results += SECTIONS[name](context)
            section_seconds[name] = round(time.perf_counter() - section_started, 1)
            self.stdout.write(f"  {name}: {section_seconds[name]:.0f} s")
        total = time.perf_counter() - started
        speed_after = host_speed()
        self.stdout.write(render_table(results))
        self.stdout.write(
            f"\nHost speed (a fixed piece of Python work; lower is faster): {speed_before} ms at the start, "
            f"{speed_after} ms at the end."
        )
        report = {
            "when": timezone.now().isoformat(),
            "scale": scale,
            "repeat": repeat,
            "machine": machine(),
            "host_speed_ms": {"start": speed_before, "end": speed_after},
            "data": {"generated": data.generated, "seconds": round(data.seconds, 1)},
            "total_seconds": round(total, 1),
            "section_seconds": section_seconds,
            "results": [result.as_json() for result in results],
        }
        path = Path(json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dumps(report))
        missed = sum(1 for result in results if result.passed is False)
        self.stdout.write(f"\n{len(results)} figures, {missed} missing their target; total {total:.0f} s; JSON: {path}")


def _dumps(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line), ""
        )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory = meminfo.read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory": memory,
        "database": database,
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
    }


def figure_lines(result: Result) -> list[tuple[str, str, str]]:
    """(target, figure, verdict) lines of a result: one per target, then one per figure
    without a target, with its unit; at least one."""
    lines = [
        (target.describe(), "" if figure is None else figure_text(figure), "PASS" if ok else "MISS")
        for target, figure, ok in result.verdicts()
    ]
    targeted = {target.metric for target in result.targets}
    lines += [
        ("(for comparison)", figure_text(figure) + UNITS[metric], "")
        for metric, figure in result.figures.items()
        if metric not in targeted
    ]
    return lines or [("(for comparison)", "", "")]


def render_table(results: list[Result]) -> str:
    header = (
        f"{'Measurement':<58} {'median':>7} {'p95':>7} {'sql ms':>7} {'cpu':>6} {'db cpu':>6} {'SQL':>4}  "
        f"{'target':<18} {'figure':>14}  result"
    )
    lines = ["", header, "-" * len(header)]
    cut_short = [result for result in results if result.samples and result.samples < max(r.samples for r in results)]
    section = None
    for result in results:
        if result.section != section:
            section = result.section
            lines.append(f"[{section}]")
        median = f"{result.median_ms:.1f}" if result.median_ms is not None else ""
        p95 = f"{result.p95_ms:.1f}" if result.p95_ms is not None else ""
        queries = str(result.queries) if result.queries is not None else ""
        sql = f"{result.sql_ms:.1f}" if result.sql_ms is not None else ""
        cpu = f"{result.cpu_ms:.1f}" if result.cpu_ms is not None else ""
        db_cpu = f"{result.db_cpu_ms:.1f}" if result.db_cpu_ms is not None else ""
        for index, (target_text, figure, verdict) in enumerate(figure_lines(result)):
            label = result.label if index == 0 else ""
            columns = (median, p95, sql, cpu, db_cpu, queries) if index == 0 else ("",) * 6
            timing = f"{columns[0]:>7} {columns[1]:>7} {columns[2]:>7} {columns[3]:>6} {columns[4]:>6} {columns[5]:>4}"
            lines.append(f"{label[:58]:<58} {timing}  {target_text:<18} {figure:>14}  {verdict}")
    if cut_short:
        lines.append("")
        lines.append(
            f"Sampled fewer times (over the {SCENARIO_BUDGET_S} s budget per page): "
            + "; ".join(f"{result.label} ({result.samples})" for result in cut_short)
        )
    return "\n".join(lines)
