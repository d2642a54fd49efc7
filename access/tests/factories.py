from __future__ import annotations

import factory

from access.models import BusinessUnit, Team
from access.roles import ensure_root_unit
from access.services import user_place

place_user = user_place


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
