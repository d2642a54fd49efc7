from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from access import registry
        from contacts.models import Contact
        from crm import recent

        recent.track(Contact, namespace="contacts", label_field="full_name")
        registry.register(Contact)
