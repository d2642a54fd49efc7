from __future__ import annotations

import pytest

from accounts.models import Account
from crm.demo_data import load_demo_data

pytestmark = pytest.mark.django_db


def test_demo_email_addresses_keep_accented_letters_as_plain_ones():
    load_demo_data(accounts=60, contacts_per_account=0, seed=6)
    accented = Account.objects.filter(name__startswith="Müller").first()
    assert accented is not None
    assert accented.emailaddress1.startswith("info@muller")
