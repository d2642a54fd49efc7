from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from contacts.models import Contact
        from contacts.resources import CONTACT
        from contacts.views import ContactListView
        from crm import registry

        registry.register(
            registry.RecordType(
                model=Contact,
                namespace="contacts",
                list_view=ContactListView,
                label_field="full_name",
                icon="contact",
                search_detail=lambda contact: contact.company_name,
                create_text=_("Create a contact"),
                create_hint=_("for a person you work with."),
                transfer=CONTACT,
            )
        )
