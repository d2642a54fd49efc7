from __future__ import annotations

import pytest
from django.test import override_settings

from access.tests.conftest import org  # noqa: F401  (the personas of the access tests)


@pytest.fixture(autouse=True)
def media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"
