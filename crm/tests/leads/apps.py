from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "crm.tests.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from crm import registry
        from crm.tests.leads.models import Lead
        from crm.tests.leads.resources import LEAD
        from crm.tests.leads.views import LeadListView

        registry.register(
            registry.RecordType(
                model=Lead,
                namespace="leads",
                list_view=LeadListView,
                search_detail=lambda lead: lead.emailaddress1,
                transfer=LEAD,
            )
        )
