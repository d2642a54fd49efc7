"""Activities as a file: My Activities' export (the view the user looks at, streamed through
imports.exports like every list export) and the activities import (Import Data and the
admin's). Each row names the account or contact it is about, as accounts and contacts name
their links (an account by its name, a contact by full name); an import also reads the
record's ID ("contact:12") or email there (activities.imports)."""

from __future__ import annotations

from accounts.models import Account
from activities.imports import ActivityWrites
from activities.models import Activity
from contacts.models import Contact
from imports.entities import Entity

ACTIVITY = Entity(
    model=Activity,
    field_names=(
        "kind",
        "subject",
        "body",
        "state",
        "priority",
        "due_at",
        "ends_at",
        "location",
        "direction",
        "phone_number",
        "duration_minutes",
        "occurred_at",
        "closed_on",
        "regarding_account",
        "regarding_contact",
        "owner",
    ),
    # Rows name an existing activity by its ID column only.
    match_keys=(),
    writes=ActivityWrites,
    covered_by=(Account, Contact),
)
