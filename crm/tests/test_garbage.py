"""The served process keeps what its first page loaded out of the garbage collector's walks."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest
from django.core.signals import request_finished

from crm import garbage

pytestmark = pytest.mark.django_db


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_exists_after_the_first_request_is_frozen_once(unfrozen):
    garbage.freeze_after_first_request()
    assert gc.get_freeze_count() == 0

    request_finished.send(sender=None)
    frozen = gc.get_freeze_count()
    assert frozen > 0

    gc.unfreeze()
    request_finished.send(sender=None)  # the second request leaves the collector alone
    assert gc.get_freeze_count() == 0


def test_the_wsgi_application_freezes_after_its_first_request(unfrozen, client):
    sys.modules.pop("crm.wsgi", None)
    importlib.import_module("crm.wsgi")  # what a server does first: it connects the freeze
    assert gc.get_freeze_count() == 0

    client.get("/healthz")
    assert gc.get_freeze_count() > 0
