"""Which record types access rules apply to: every record type of crm.registry, which
registers its model here.

A registered model has `owner` (user), `owner_team` and `business_unit` fields (see
crm.models.CustomerRecord), and its record type, in role privileges, is its model label.
"""

from __future__ import annotations

from django.db import models

_registered: dict[str, type[models.Model]] = {}


def register(model: type[models.Model]) -> None:
    _registered[model._meta.label_lower] = model


def record_type(model: type[models.Model]) -> str:
    return model._meta.label_lower


def record_types() -> dict[str, type[models.Model]]:
    """Registered models by record type, in registration order."""
    return dict(_registered)


def is_registered(model: type[models.Model]) -> bool:
    return model._meta.label_lower in _registered
