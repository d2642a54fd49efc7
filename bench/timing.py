"""Timing pages as a user gets them, and checking figures against their targets.

Requests go through Django's test client: the whole stack (middleware, view, SQL, template)
without the network. Scenarios compared with each other are measured in interleaved rounds
(one request of each, then again), so noise from other work on the machine hits them alike.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm import garbage

# What each figure measures, as the report writes it after the number.
UNITS = {
    "p95_ms": " ms p95",
    "median_ms": " ms median",
    "cpu_ms": " ms CPU (app)",
    "db_cpu_ms": " ms CPU (db)",
    "queries": " queries",
    "ratio": "x",
    "rows_per_s": " rows/s",
    "peak_mb": " MB peak",
    "growth_mb": " MB growth",
    "refused": " (1 = refused)",
    "seconds": " s",
    "ms_per_row": " ms a row",
    "count_ms": " ms to count",
    "similar_ratio": "x with a similar-name rule",
    "median": " median",
    "largest": " largest",
    "recall": " of seeded pairs found",
    "recall_at_threshold": " of those >= the threshold found",
}


def figure_text(figure: float) -> str:
    return f"{figure:,.0f}" if abs(figure) >= 1000 else f"{figure:g}"


@dataclass(frozen=True)
class Target:
    """A figure's bound: `at_most` for times, counts and memory, `at_least` for ratios and rates."""

    metric: str  # a key of UNITS
    at_most: float | None = None
    at_least: float | None = None

    def describe(self) -> str:
        if self.at_most is not None:
            return f"<= {figure_text(self.at_most)}{UNITS[self.metric]}"
        return f">= {figure_text(self.at_least)}{UNITS[self.metric]}"

    def met_by(self, figure: float) -> bool:
        if self.at_most is not None:
            return figure <= self.at_most
        return figure >= self.at_least


@dataclass
class Result:
    section: str
    label: str
    url: str = ""
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    sql_ms: float | None = None  # median time spent waiting for the database
    # Median CPU time a request cost: in this process (Python, templates, the driver; on SQLite
    # the database too) and in the PostgreSQL backend serving it. Unlike wall time, CPU time
    # hardly moves when other work shares the machine, so it is the figure to compare runs by.
    cpu_ms: float | None = None
    db_cpu_ms: float | None = None
    samples: int = 0
    figures: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    note: str = ""

    def figure(self, metric: str) -> float | None:
        if metric in self.figures:
            return self.figures[metric]
        return getattr(self, metric, None)

    def verdicts(self) -> list[tuple[Target, float | None, bool]]:
        found = []
        for target in self.targets:
            figure = self.figure(target.metric)
            found.append((target, figure, figure is not None and target.met_by(figure)))
        return found

    @property
    def passed(self) -> bool | None:
        if not self.targets:
            return None
        return all(ok for _target, _figure, ok in self.verdicts())

    def as_json(self) -> dict:
        data = asdict(self)
        data["targets"] = [
            {"metric": t.metric, "target": t.describe(), "figure": figure, "passed": ok}
            for t, figure, ok in self.verdicts()
        ]
        data["passed"] = self.passed
        return data


@dataclass
class Scenario:
    label: str
    url: str
    targets: list[Target] = field(default_factory=list)
    note: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # e.g. X-Fragment: a page's panel alone

    def get(self, client: Client):
        return client.get(self.url, headers=self.headers)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample at or above `share` of them."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def count_queries(client: Client, url: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured.captured_queries), response.status_code


class CPUClock:
    """CPU time of this thread and of the PostgreSQL backend serving its connection.

    The backend's comes from /proc/<pid>/schedstat (nanoseconds on CPU), readable when the
    database runs on this machine, as it does for `make bench`; elsewhere it is left out."""

    def __init__(self) -> None:
        self.backend: Path | None = None
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            path = Path(f"/proc/{connection.connection.info.backend_pid}/schedstat")
            self.backend = path if path.exists() else None

    def read(self) -> tuple[float, float | None]:
        backend = int(self.backend.read_text().split()[0]) / 1e9 if self.backend else None
        return time.thread_time(), backend


class SQLTimer:
    """Adds up the time spent in the database, to tell SQL cost from Python (rendering) cost."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


# A page that has already spent this long stops being sampled (after MIN_SAMPLES): its
# verdict is clear, and the whole run has to fit in 30 minutes at a million rows.
SCENARIO_BUDGET_S = 20
MIN_SAMPLES = 5


def measure(client: Client, section: str, scenarios: list[Scenario], *, repeat: int, warmup: int = 2) -> list[Result]:
    """Median and p95 server time of each scenario over `repeat` interleaved rounds."""
    for _ in range(warmup):
        for scenario in scenarios:
            scenario.get(client)
    garbage.freeze()  # what a served process does after its first page (crm.wsgi)
    samples: dict[str, list[float]] = {scenario.label: [] for scenario in scenarios}
    sql: dict[str, list[float]] = {scenario.label: [] for scenario in scenarios}
    cpu: dict[str, list[float]] = {scenario.label: [] for scenario in scenarios}
    db_cpu: dict[str, list[float]] = {scenario.label: [] for scenario in scenarios}
    for _ in range(repeat):
        for scenario in scenarios:
            taken = samples[scenario.label]
            if len(taken) >= MIN_SAMPLES and sum(taken) > SCENARIO_BUDGET_S * 1000:
                continue
            timer = SQLTimer()
            clock = CPUClock()
            with connection.execute_wrapper(timer):
                cpu_before, db_before = clock.read()
                started = time.perf_counter()
                response = scenario.get(client)
                samples[scenario.label].append((time.perf_counter() - started) * 1000)
                cpu_after, db_after = clock.read()
            sql[scenario.label].append(timer.seconds * 1000)
            cpu[scenario.label].append((cpu_after - cpu_before) * 1000)
            if db_before is not None:
                db_cpu[scenario.label].append((db_after - db_before) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{scenario.url} answered {response.status_code}")
    results = []
    for scenario in scenarios:
        queries, _status = count_queries(client, scenario.url, scenario.headers)
        times = samples[scenario.label]
        results.append(
            Result(
                section=section,
                label=scenario.label,
                url=scenario.url,
                median_ms=round(statistics.median(times), 2),
                p95_ms=round(percentile(times, 0.95), 2),
                queries=queries,
                sql_ms=round(statistics.median(sql[scenario.label]), 2),
                cpu_ms=round(statistics.median(cpu[scenario.label]), 2),
                db_cpu_ms=round(statistics.median(db_cpu[scenario.label]), 2) if db_cpu[scenario.label] else None,
                samples=len(times),
                targets=scenario.targets,
                note=scenario.note,
            )
        )
    return results


def host_speed() -> float:
    """Milliseconds a fixed piece of pure Python work takes (the median of 9): the same work
    every run, so that runs at different hours can be compared. The benchmark machine's speed
    was seen to drift by a fifth to a third between hours with nothing else running, and
    every page's figures drift with it."""
    from django.template import Context, Engine

    template = Engine().from_string(
        "{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1|upper }}</td></tr>{% endfor %}"
    )
    context = Context({"rows": [(number, f"name {number}") for number in range(2_000)]})
    samples = []
    for _ in range(9):
        started = time.perf_counter()
        template.render(context)
        sorted(str(number * 7919 % 10_007) for number in range(50_000))
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def timed(function: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started
