"""Merge two records of a type into one, and undo it.

One transaction each, both rows locked in id order and their versions checked. A merge
keeps both records as they were and the ids of every related row it moved (MergeOperation),
so Undo merge puts everything back; it is allowed while the merge is the latest one
involving either record and neither changed since.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Field, Model, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import RecordShare
from audit import services as audit
from audit.fields import audited_fields
from audit.models import AuditEntry, Event, Source
from crm.choices import Status
from crm.formats import local_datetime
from crm.models import CustomerRecord, RecentItem, chain_ids, stored_fields
from duplicates.models import MergeOperation


class MergeRefused(Exception):
    """The merge or its undo can't be done; the message says why, in the user's words."""


# Rows that point at a record by (content type, object id), with the fields that make a row
# unique per record: a row whose twin already points at the master stays where it is.
GENERIC_LINKS: list[tuple[type[Model], list[str]]] = [(RecentItem, ["user"]), (RecordShare, ["user", "team"])]


def mergeable_fields(model: type[Model]) -> list[Field]:
    """The fields a person chooses between when merging: what the forms edit."""
    return [field for field in stored_fields(model) if field.editable and not field.primary_key]


def is_empty(value) -> bool:
    return value is None or value == ""


def links_to(model: type[Model]) -> list[Field]:
    """The foreign keys of other rows (or of `model` itself) that point at a `model` record,
    hidden ones (related_name "+", e.g. an appointment's attendees) included. A column the
    code or the database derives (editable=False: an activity's rollup account follows its
    regarding record by trigger, "merged into" is the merge's own mark) is not a link to move."""
    return [
        relation.field
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.one_to_many and relation.auto_created and relation.field.concrete and relation.field.editable
    ]


def linked_rows_of(field: Field, record_id: int) -> QuerySet:
    """The rows linked to record `record_id` through `field`. A model may name, per link, a
    column that holds the same record on those rows and that an index starts with
    (Activity.LINK_ALSO_IN): the filter on it lets a merge find an account's activities
    through the timeline index instead of reading the whole table, at no cost to writes."""
    also = getattr(field.model, "LINK_ALSO_IN", {}).get(field.name)
    return field.model._default_manager.filter(**{field.name: record_id}, **({also: record_id} if also else {}))


def relation_key(field: Field) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"


def generic_key(model: type[Model]) -> str:
    return f"generic:{model._meta.label_lower}"


def snapshot(record: Model) -> dict:
    return {field.attname: getattr(record, field.attname) for field in stored_fields(type(record))}


def restore(record: Model, values: dict) -> None:
    for field in stored_fields(type(record)):
        if field.attname in values and not field.primary_key:
            setattr(record, field.attname, field.to_python(values[field.attname]))


def lock_pair(model: type[Model], first_id: int, second_id: int) -> dict[int, Model]:
    """Both rows, locked in id order (two merges of the same pair can't deadlock)."""
    rows = model._default_manager.select_for_update().filter(pk__in=[first_id, second_id]).order_by("pk")
    return {row.pk: row for row in rows}


def move_related(*, master: Model, other: Model, by) -> dict[str, list[int]]:
    """Point every row linked to `other` at `master`, one UPDATE per relation; returns the
    ids moved per relation. Links of the same type (parent account, manager) never move
    onto the master itself or onto one of its ancestors: that would make a loop."""
    model = type(master)
    moved: dict[str, list[int]] = {}
    for field in links_to(model):
        rows = linked_rows_of(field, other.pk)
        if field.model is model:
            rows = rows.exclude(pk__in=chain_ids(model, start=master.pk, link=field.name))
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            relink(field, ids, master, by=by, event=Event.MERGE)
            moved[relation_key(field)] = ids
    content_type = ContentType.objects.get_for_model(model)
    for link_model, unique_by in GENERIC_LINKS:
        on_other = link_model._default_manager.filter(content_type=content_type, object_id=other.pk)
        on_master = link_model._default_manager.filter(content_type=content_type, object_id=master.pk)
        for name in unique_by:
            taken = on_master.filter(**{f"{name}__isnull": False}).values(name)
            on_other = on_other.exclude(**{f"{name}__in": taken})
        ids = list(on_other.values_list("pk", flat=True))
        if ids:
            link_model._default_manager.filter(pk__in=ids).update(object_id=master.pk)
            moved[generic_key(link_model)] = ids
    return moved


def relink(field: Field, ids: list[int], target: Model, *, by, event: str, only_from: Model | None = None) -> None:
    """Point rows `ids` at `target`. A record whose link is audited (a contact's company, a
    sub-account's parent) gets its entry in the same transaction: one SELECT, one INSERT."""
    rows = field.model._default_manager.filter(pk__in=ids)
    moving = rows if only_from is None else rows.filter(**{field.attname: only_from.pk})  # not relinked since
    if issubclass(field.model, CustomerRecord) and field.attname in audited_fields(field.model):
        audit.records_changing(
            records=moving, changes={field.attname: target.pk}, by=by, event=event, source=Source.FORM
        )
    moving.update(**{field.attname: target.pk})
    if issubclass(field.model, CustomerRecord):
        rows.refresh_sort_names()  # e.g. the company name contacts keep a copy of


def records_merge(*, master: Model, other: Model, keep_other: set[str], versions: dict[int, int], by) -> MergeOperation:
    """Merge `other` into `master`: the master takes `other`'s value of the fields named in
    `keep_other` (never an empty one, and an empty master value takes the other's), every
    related row moves to the master, and `other` is deactivated, marked merged into it.
    `versions` are the versions the user saw, by record id."""
    model = type(master)
    if master.pk == other.pk:
        raise MergeRefused(_("Choose two different records to merge."))
    with transaction.atomic():
        rows = lock_pair(model, master.pk, other.pk)
        if len(rows) != 2:
            raise MergeRefused(_("One of the records no longer exists."))
        master, other = rows[master.pk], rows[other.pk]
        for record in (master, other):
            if versions.get(record.pk) != record.version:
                raise MergeRefused(
                    _("%(record)s was changed after you opened the merge. Open the merge again to see its values.")
                    % {"record": record}
                )
            if not record.is_active:
                raise MergeRefused(_("%(record)s is inactive: activate it before merging.") % {"record": record})
        master_before, other_before = snapshot(master), snapshot(other)
        master_was, other_was = copy(master), copy(other)
        for field in mergeable_fields(model):
            mine, theirs = getattr(master, field.attname), getattr(other, field.attname)
            if not is_empty(theirs) and (field.name in keep_other or is_empty(mine)):
                setattr(master, field.attname, theirs)
        moved = move_related(master=master, other=other, by=by)
        for field in links_to(model):
            if field.model is model and getattr(master, field.attname) in (master.pk, other.pk):
                setattr(master, field.attname, None)  # e.g. the master's parent was the other
        check_master(master)
        master.version += 1
        master.modified_by = by
        master.save()
        other.status = other.status_reason = Status.INACTIVE
        other.merged_into = master
        other.version += 1
        other.modified_by = by
        other.save(update_fields=["status", "status_reason", "merged_into", "version", "modified_by", "modified_on"])
        merge_audited(
            event=Event.MERGE, pairs=[(master_was, master), (other_was, other)], other=other, master=master, by=by
        )
        return MergeOperation.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            master_id=master.pk,
            other_id=other.pk,
            master_before=master_before,
            other_before=other_before,
            master_version=master.version,
            other_version=other.version,
            moved=moved,
            merged_by=by,
        )


def merge_audited(*, event: str, pairs: list[tuple[Model, Model]], other: Model, master: Model, by) -> None:
    """One entry per record of the pair, even when no audited field changed (a merge that
    kept every master value): the fields changed on each, and which record went into which."""
    detail = f"{other} → {master}"[:400]
    audit.add(
        AuditEntry(
            event=event,
            source=Source.FORM,
            changes=audit.diff(before, after),
            detail=detail,
            **audit.about(after),
            **audit.who(by),
        )
        for before, after in pairs
    )


def check_master(master: Model) -> None:
    """The merged master must still be a valid record (e.g. no parent loop)."""
    try:
        master.clean()
    except ValidationError as error:
        raise MergeRefused(" ".join(error.messages)) from error


def latest_merge_of(operation: MergeOperation) -> MergeOperation | None:
    return (
        MergeOperation.objects.filter(content_type=operation.content_type)
        .involving(operation.master_id, operation.other_id)
        .not_undone()
        .order_by("-merged_on", "-id")
        .first()
    )


def undo_refusal(operation: MergeOperation) -> str | None:
    """Why `operation` can't be undone now, or None if it can."""
    if operation.undone_on is not None:
        return _("This merge was already undone.")
    latest = latest_merge_of(operation)
    if latest is not None and latest.pk != operation.pk:
        return _("A later merge, on %(date)s, involves one of these records. Undo that merge first, then this one.") % {
            "date": local_datetime(latest.merged_on)
        }
    return None


def merge_undo(*, operation: MergeOperation, by) -> Model:
    """Put both records back as they were before `operation` and move every related row
    back to the merged record; returns the master."""
    model = operation.content_type.model_class()
    with transaction.atomic():
        operation = MergeOperation.objects.select_for_update().get(pk=operation.pk)
        reason = undo_refusal(operation)
        if reason:
            raise MergeRefused(reason)
        rows = lock_pair(model, operation.master_id, operation.other_id)
        if len(rows) != 2:
            raise MergeRefused(_("One of the merged records was deleted since, so the merge can't be undone."))
        master, other = rows[operation.master_id], rows[operation.other_id]
        for record, version in ((master, operation.master_version), (other, operation.other_version)):
            if record.version != version:
                raise MergeRefused(
                    _(
                        "%(record)s was changed after the merge (last by %(user)s). Undoing now would lose "
                        "those changes."
                    )
                    % {"record": record, "user": record.modified_by or _("someone")}
                )
        pairs = []
        for record, before in ((master, operation.master_before), (other, operation.other_before)):
            was = copy(record)
            current_version = record.version
            restore(record, before)
            record.version = current_version + 1
            record.modified_by = by
            record.save()
            pairs.append((was, record))
        move_back(model, operation.moved, master=master, other=other, by=by)
        merge_audited(event=Event.UNDO_MERGE, pairs=pairs, other=other, master=master, by=by)
        operation.undone_on = timezone.now()
        operation.save(update_fields=["undone_on"])
    return master


def move_back(model: type[Model], moved: dict[str, list[int]], *, master: Model, other: Model, by) -> None:
    """The rows a merge moved go back to `other`, those still on `master`."""
    fields = {relation_key(field): field for field in links_to(model)}
    generic = {generic_key(link_model): link_model for link_model, _unique in GENERIC_LINKS}
    for key, ids in moved.items():
        if key in fields:
            relink(fields[key], ids, other, by=by, event=Event.UNDO_MERGE, only_from=master)
        elif key in generic:
            generic[key]._default_manager.filter(pk__in=ids, object_id=master.pk).update(object_id=other.pk)


@dataclass
class MergeState:
    """What a record's page says about merges: where it went, or the merge it can undo."""

    merged_into: Model | None = None
    undoable: MergeOperation | None = None
    undoable_other: Model | None = None  # the record that merge folded into this one


# Read with a record for its page (crm.record_views.RecordDetailView): whether a merge into it
# can be undone. Nearly no record was ever merged into: their pages ask nothing more.
UNDOABLE_MERGE = "undoable_merge_exists"


def with_undoable_merge(queryset: QuerySet) -> QuerySet:
    """`queryset` with each record's UNDOABLE_MERGE flag (an EXISTS on the merges into it)."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    merges = MergeOperation.objects.filter(content_type=content_type, master_id=OuterRef("pk")).not_undone()
    return queryset.annotate(**{UNDOABLE_MERGE: Exists(merges)})


def merge_state(record: Model) -> MergeState:
    state = MergeState()
    if getattr(record, "merged_into_id", None) is not None:
        state.merged_into = type(record)._default_manager.filter(pk=record.merged_into_id).first()
    if not getattr(record, UNDOABLE_MERGE, True):  # read with the record: none to undo
        return state
    state.undoable = (
        MergeOperation.objects.filter(content_type=ContentType.objects.get_for_model(record), master_id=record.pk)
        .not_undone()
        .order_by("-merged_on", "-id")
        .first()
    )
    if state.undoable is not None:
        state.undoable_other = type(record)._default_manager.filter(pk=state.undoable.other_id).first()
    return state
