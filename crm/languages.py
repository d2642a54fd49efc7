"""The user's language: chosen in the user menu (or on the sign-in page), kept on the user,
applied at sign-in. Before sign-in, and for users who never chose, the browser's language
(Django's LocaleMiddleware) applies."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from crm.models import UserPreferences
from crm.record_views import safe_next_url

# The signed-in user's language, copied from their preferences at sign-in so that applying it
# costs no query per request.
SESSION_KEY = "crm_language"


def apply_language_at_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the session takes the user's stored language, if any."""
    language = UserPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    if language:
        request.session[SESSION_KEY] = language


class UserLanguageMiddleware:
    """After LocaleMiddleware (the browser's choice) and the session: a signed-in user's own
    language wins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get(SESSION_KEY)
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Set the language from the user menu or the sign-in page: stored on the user when signed
    in, and in a cookie so the sign-in page keeps it after signing out."""
    language = request.POST.get("language", "")
    response = redirect(safe_next_url(request) or reverse("home"))
    if language not in dict(settings.LANGUAGES):
        return response  # only a tampered form sends another value: nothing to change
    if request.user.is_authenticated:
        UserPreferences.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
