"""The demo organisation lets each persona do what their role says, exports included."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from access.demo import ensure_demo_organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["alex", "mia", "sol"])
def test_the_sales_personas_can_export_what_they_read(username):
    client = Client()
    client.force_login(ensure_demo_organisation()[username])
    page = client.get(reverse("contacts:list")).content.decode()
    assert "Export to Excel" in page and "Export to vCard" in page


def test_the_read_only_persona_cannot_export():
    client = Client()
    client.force_login(ensure_demo_organisation()["rita"])
    assert "Export to Excel" not in client.get(reverse("contacts:list")).content.decode()
