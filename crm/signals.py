"""Receivers that keep derived data true when a model we don't own changes."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from crm.models import PERSON_NAME, copy_name_to_linked_rows, person_name


def name_fields() -> set[str]:
    return {"first_name", "last_name", get_user_model().USERNAME_FIELD}


def remember_person_name(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a user is saved, note the name the lists show for them, if the save may change
    it (a sign-in saves only last_login: no query then)."""
    instance._person_name_before_save = None
    if raw or instance._state.adding:
        return
    if update_fields is not None and not name_fields().intersection(update_fields):
        return
    before = sender._default_manager.filter(pk=instance.pk).only(*name_fields()).first()
    if before is not None:
        instance._person_name_before_save = person_name(before)


def copy_renamed_person_name(sender, instance, raw=False, **kwargs) -> None:
    """A renamed user's records sort by the new name: the owner_name copies follow, with one
    UPDATE per table, only when the shown name really changed."""
    before = instance.__dict__.pop("_person_name_before_save", None)
    if not raw and before is not None and before != person_name(instance):
        copy_name_to_linked_rows(instance, attributes={PERSON_NAME})
