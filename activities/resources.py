"""Activities as a file: My Activities' export (the view the user looks at, streamed through
imports.exports like every list export) and the activities import (Import Data and the
admin's). Each row names the account or contact it is about, as accounts and contacts name
their links (an account by its name, a contact by full name); an import also reads the
record's ID ("contact:12") or email there (activities.imports)."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS
from import_export import resources

from accounts.models import Account
from activities.imports import ActivityWrites
from activities.models import Activity
from contacts.models import Contact
from imports import rules
from imports.columns import CellError
from imports.entities import Entity
from imports.resources import EntityResource

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


class ActivityResource(EntityResource):
    """The admin's import and export of activities, held to the rules of Import Data's
    (activities.imports.ActivityWrites), one row at a time."""

    entity = ACTIVITY

    class Meta:
        model = Activity
        fields = ACTIVITY.field_names
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.writes = ActivityWrites(ACTIVITY, by_id=kwargs["user"].pk, owners=self.owners)

    @cached_property
    def links(self) -> dict[str, rules.Links]:
        return {
            column.name: rules.Links(
                column,
                scope=self.writes.link_scope(column),
                carried=self.writes.carried(column),
                keys=self.writes.link_keys(column),
            )
            for column in ACTIVITY.links
        }

    @cached_property
    def matches(self) -> rules.Matches:
        return rules.Matches(ACTIVITY, keys=(), fields=[], scope=self.writes.matchable())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                self.check(instance)
            except CellError as refusal:
                errors.setdefault(NON_FIELD_ERRORS, []).append(str(refusal))
        resources.ModelResource.validate_instance(self, instance, errors, validate_unique)

    def check(self, instance: Activity) -> None:
        """ActivityWrites' row rules on the row's activity, and its changes to it."""
        names = [field.attname for field in Activity._meta.concrete_fields]
        values = {name: getattr(instance, name) for name in names}
        record = None
        if instance.pk is not None:
            record = Activity.objects.filter(pk=instance.pk).values(*names).get()
            self.writes.access.load([instance.pk])
            self.writes.refuse_update(record, {name for name in names if values[name] != record[name]})
        self.writes.complete(values, record, self.links)
        for name, value in values.items():
            setattr(instance, name, value)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.created_by = kwargs.get("user")
            if instance.owner_id is None and instance.owner_team_id is None:
                instance.owner = kwargs.get("user")
