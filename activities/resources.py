"""Activities as a file: My Activities' export (the view the user looks at, streamed through
imports.exports like every list export). Each row names the account or contact it is about,
as accounts and contacts name their links (an account by its name, a contact by full name)."""

from __future__ import annotations

from activities.models import Activity
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
    match_keys=(),
)
