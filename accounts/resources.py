from __future__ import annotations

from accounts.forms import AccountForm
from accounts.models import Account
from imports.entities import Entity, importable
from imports.resources import EntityResource

ACCOUNT = Entity(
    model=Account,
    # A primary contact would need a person's identity across files: left to the form.
    field_names=importable(AccountForm, leaving_out={"primary_contact"}),
    match_keys=("account_number", "name"),
    # A company or parent is named by its account number or its name; a number match wins.
    link_keys=("account_number", "name"),
    hierarchy="parent",
    kept_on_removal=lambda accounts: accounts.with_contacts(),
)


class AccountResource(EntityResource):
    entity = ACCOUNT

    class Meta:
        model = Account
        fields = ACCOUNT.field_names
        skip_unchanged = True
        report_skipped = True
