from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # The sources imports knows itself (a D365 export, our own); other apps add theirs.
        from imports import sources  # noqa: F401
