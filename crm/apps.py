from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save, pre_save

        from crm import signals

        # The user model isn't ours, so its renames reach the records' name copies this way.
        user_model = settings.AUTH_USER_MODEL
        pre_save.connect(signals.remember_person_name, sender=user_model, dispatch_uid="crm_remember_person_name")
        post_save.connect(signals.copy_renamed_person_name, sender=user_model, dispatch_uid="crm_copy_person_name")
