from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save, pre_save

        from crm import languages, models, signals

        connection_created.connect(models.register_sqlite_fold, dispatch_uid="crm_sqlite_fold")
        # The user model isn't ours, so its renames reach the records' name copies this way.
        user_model = settings.AUTH_USER_MODEL
        pre_save.connect(signals.remember_person_name, sender=user_model, dispatch_uid="crm_remember_person_name")
        post_save.connect(signals.copy_renamed_person_name, sender=user_model, dispatch_uid="crm_copy_person_name")
        user_logged_in.connect(languages.apply_language_at_sign_in, dispatch_uid="crm_apply_language")
