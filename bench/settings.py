"""Settings of `make bench`: production's, plus the benchmark's commands (bench, bench_case,
bench_recent). Nothing here changes how the product behaves."""

from __future__ import annotations

from crm.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
