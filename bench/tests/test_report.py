"""The benchmark's import and export figures: what a case reports, and how the table shows it."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from bench import transfer
from bench.management.commands.bench import render_table
from bench.sections import case_result, ratio_result
from bench.timing import Target
from bench.transfer import Measurement, Measurements
from crm.tests.factories import ContactFactory


def measured_rounds(case: str, seconds: list[float], *, rows: int = 20_000) -> list[Measurement]:
    return [
        Measurement(case=case, rows=rows, seconds=value, peak_mb=80 + index, baseline_mb=70)
        for index, value in enumerate(seconds)
    ]


def test_a_case_reports_its_median_rate_and_its_largest_memory():
    measured = Measurements(measured_rounds("ours-csv", [4.0, 1.0, 2.0]))
    result = case_result("imports", measured, "ours-csv", "import CSV, ours", [Target("rows_per_s", at_least=10_000)])
    assert result.label == "import CSV, ours (20,000 rows)"
    assert result.figures == {"rows_per_s": 10_000, "peak_mb": 82}
    assert result.passed is True


def test_a_ratio_compares_median_rates():
    measured = Measurements(measured_rounds("ours-csv", [2.0, 2.0]) + measured_rounds("dje-best", [40.0, 50.0, 40.0]))
    result = ratio_result("imports", "ours / best", measured, "ours-csv", "dje-best", 30)
    assert result.figures == {"ratio": 20.0}
    assert result.passed is False


def test_the_table_shows_each_target_with_its_verdict_and_other_figures_with_their_unit():
    measured = Measurements(measured_rounds("export", [0.5]))
    result = case_result(
        "exports", measured, "export", "contacts: export CSV", [Target("rows_per_s", at_least=50_000)], with_growth=True
    )
    table = render_table([result])
    assert ">= 50,000 rows/s" in table and "40,000  MISS" in table
    assert "(for comparison)" in table and "80 MB peak" in table and "10 MB growth" in table


@pytest.fixture
def connections_kept_open():
    """A response's close() closes the database connections, as at the end of a request; the
    test's transaction needs its connection (Django's test client does the same)."""
    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_case_reads_the_whole_view(connections_kept_open, owner, teammate, file_format):
    ContactFactory.create_batch(3, owner=owner)
    ContactFactory(owner=teammate)
    rows, seconds = transfer.run_export("contact", file_format, "my_active", "database", owner.username)
    assert rows == 3 and seconds > 0
