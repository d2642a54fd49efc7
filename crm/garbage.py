"""Python's cyclic garbage collector, set for serving pages.

A full collection walks every object the process holds: after the first page that is some
120,000 (Django, the apps, compiled templates, translations, URL patterns), which took 45 to
110 ms on the benchmark machine, paid by whichever request happened to trigger it (about one
page in 200). None of those objects is ever garbage: gc.freeze() moves them out of the
collector's sight for good, and the young objects a page makes are collected as before.
"""

from __future__ import annotations

import gc

from django.core.signals import request_finished


def freeze() -> None:
    """Collect once, then keep everything alive now out of every later collection."""
    gc.collect()
    gc.freeze()


def freeze_after_first_request() -> None:
    """Freeze once the first request has loaded what pages use (templates, translations,
    URL patterns are loaded lazily, by the first page that needs them)."""

    def first_request_done(**kwargs) -> None:
        request_finished.disconnect(first_request_done)
        freeze()

    request_finished.connect(first_request_done, weak=False)
