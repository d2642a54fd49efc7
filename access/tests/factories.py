from __future__ import annotations

import factory

from access.models import BusinessUnit, SecurityRole, Team, UserAccess
from access.roles import ensure_root_unit, ensure_standard_roles


def place_user(user, *, unit: BusinessUnit | None = None, roles=()) -> UserAccess:
    """Put `user` in `unit` (the root if None) with exactly the named roles."""
    ensure_standard_roles()
    access, _created = UserAccess.objects.update_or_create(
        user=user, defaults={"business_unit": unit or ensure_root_unit()}
    )
    access.roles.set(SecurityRole.objects.filter(name__in=[role for role in roles if role]))
    return access


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    parent = factory.LazyFunction(ensure_root_unit)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    business_unit = factory.LazyFunction(ensure_root_unit)
