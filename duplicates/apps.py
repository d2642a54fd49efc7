from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "duplicates"
    verbose_name = _("Duplicate detection")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from duplicates.keys import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="duplicates_sqlite_functions")
