from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from crm.lists import RecordFilterSet


class AccountFilter(RecordFilterSet):
    VIEW_CHOICES = [
        ("my_active", _("My Active Accounts")),
        ("active", _("Active Accounts")),
        ("inactive", _("Inactive Accounts")),
    ]
    NAME_FIELD = "name"

    class Meta:
        model = Account
        fields: list[str] = []
