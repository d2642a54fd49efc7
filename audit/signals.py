"""Sign-ins into the audit: Django sends these signals on every attempt (axes too, before
it locks an address out)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit import services


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    services.sign_in(user=user, succeeded=True)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    services.sign_in(user=None, succeeded=False, username=str(credentials.get("username", "")))
