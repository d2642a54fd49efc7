from __future__ import annotations

from accounts.models import Account
from imports.entities import ACCOUNT
from imports.resources import EntityResource


class AccountResource(EntityResource):
    entity = ACCOUNT

    class Meta:
        model = Account
        fields = ACCOUNT.field_names
        skip_unchanged = True
        report_skipped = True
