"""Which columns of a record the audit follows, and how a stored value reads to a person."""

from __future__ import annotations

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from crm.models import stored_fields

# Copies and stamps the database or the code derive from other columns: a rename of a user
# rewrites every owner_name, so auditing them would bury the real changes.
DERIVED = {"id", "version", "created_on", "created_by_id", "modified_on", "modified_by_id", "business_unit_id"}
# An activity's account roll-up follows its record (a database trigger keeps it current).
DERIVED |= {"rollup_account_id"}
# Set by Assign and Activate/Deactivate rather than by the form, and audited all the same
# (a contact's full name, not editable either, is derived from its name parts: not audited).
NOT_EDITABLE_BUT_AUDITED = {"owner_id", "owner_team_id", "status", "status_reason"}


def audited_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The fields an event lists, by attname: every stored one but the derived ones."""
    derived = DERIVED | set(getattr(model, "SORT_NAMES", {}))
    return {
        field.attname: field
        for field in stored_fields(model)
        if field.attname not in derived and (field.editable or field.attname in NOT_EDITABLE_BUT_AUDITED)
    }


def name_column(model: type[models.Model]) -> str:
    """The column a record is named and listed by (an account's name, a contact's full name),
    or that names it in the audit when its list is in another order (an activity's subject)."""
    return getattr(model, "AUDIT_NAME_FIELD", "") or model._meta.ordering[0]


def shown(field: models.Field, value, names: dict[tuple[type, object], str]) -> str:
    """A stored value the way users read it on the record: choice labels, Yes/No, linked
    record names (from `names`, read in one query per page), localised dates and numbers."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        return names.get((field.related_model, value)) or _("(deleted record %(id)s)") % {"id": value}
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value in (True, 1, "1", "true") else _("No")
    try:
        return str(formats.localize(field.to_python(value)))
    except Exception:  # a value no longer valid for the field still shows as it was stored
        return str(value)
