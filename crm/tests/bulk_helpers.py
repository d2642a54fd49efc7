"""The POST a bulk action's confirmation page sends when the user confirms."""

from __future__ import annotations


def confirmed(action: str, records) -> dict:
    """What the confirmation form carries: the records, the versions shown, and the go-ahead."""
    return {
        "action": action,
        "selected": [record.pk for record in records],
        "seen": [f"{record.pk}:{record.version}" for record in records],
        "confirmed": "yes",
    }
