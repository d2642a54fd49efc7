from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account


def account_delete(*, account: Account) -> None:
    """Delete an account that has no contacts left. Sub-accounts lose their parent link
    (the database does that); contacts are never deleted along with their company."""
    contact_count = account.contacts.count()
    if contact_count:
        raise ValidationError(
            ngettext(
                "%(account)s still has %(count)d contact. Deactivate the account instead, "
                "or move the contact to another account first.",
                "%(account)s still has %(count)d contacts. Deactivate the account instead, "
                "or move the contacts to another account first.",
                contact_count,
            )
            % {"account": account, "count": contact_count}
        )
    account.delete()


def accounts_delete(*, accounts: QuerySet) -> tuple[int, list[Account]]:
    """Delete those of `accounts` without contacts; return (deleted count, refused accounts)."""
    with transaction.atomic():
        refused = list(accounts.with_contacts())
        deletable = accounts.exclude(pk__in=[account.pk for account in refused])
        deleted = deletable.count()
        deletable.delete()
    return deleted, refused


def refusal_message(refused: list[Account]) -> str:
    names = ", ".join(str(account) for account in refused[:10])
    if len(refused) > 10:
        names += ", …"
    return _("Not deleted because they still have contacts (deactivate them instead): %(names)s.") % {"names": names}
