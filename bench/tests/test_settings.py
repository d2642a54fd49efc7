from __future__ import annotations

from django.core.management import get_commands


def test_production_commands_leave_the_benchmark_out():
    # The test settings are production's made fast: `manage.py help` lists what they list.
    assert not {"bench", "bench_case", "bench_recent"} & set(get_commands())
