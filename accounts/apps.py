from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.models import Account
        from accounts.resources import ACCOUNT
        from accounts.views import AccountListView
        from crm import registry

        registry.register(
            registry.RecordType(
                model=Account,
                namespace="accounts",
                list_view=AccountListView,
                icon="account",
                search_detail=lambda account: account.address1_city,
                create_text=_("Create an account"),
                create_hint=_("for a company you do business with."),
                transfer=ACCOUNT,
            )
        )
