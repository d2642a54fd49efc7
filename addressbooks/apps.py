from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AddressbooksConfig(AppConfig):
    name = "addressbooks"
    verbose_name = _("Address books")

    def ready(self) -> None:
        # Plugs into Import Data: the sources it recognises and the .vcf reader.
        from addressbooks.google import GoogleContacts
        from addressbooks.outlook import OutlookContacts
        from addressbooks.vcard import VCardFile, open_vcard
        from imports import sources

        sources.register_source(OutlookContacts())
        sources.register_source(GoogleContacts())
        sources.register_source(VCardFile())
        sources.register_reader(".vcf", open_vcard)
