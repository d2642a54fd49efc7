from __future__ import annotations

from crm.tests.leads.models import Lead
from imports.entities import Entity

LEAD = Entity(model=Lead, field_names=("name", "emailaddress1", "company", "owner"), match_keys=("emailaddress1",))
