from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from access import registry
        from accounts.models import Account
        from crm import recent

        recent.track(Account, namespace="accounts")
        registry.register(Account)
