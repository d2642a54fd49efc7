from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from crm.models import UserPreferences
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username: str, **headers):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, follow=True, headers=headers)


def test_the_sign_in_page_speaks_the_browsers_language(client):
    response = client.get(reverse("login"), headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response["Content-Language"] == "fr"
    assert "Se connecter" in response.text


def test_the_sign_in_page_offers_each_language_in_its_own_words(client):
    response = client.get(reverse("login"))
    assert 'lang="fr"' in response.text and ">Français</button>" in response.text
    assert ">English</button>" in response.text


def test_choosing_french_on_the_sign_in_page_keeps_it_for_the_visitor(client):
    response = client.post(reverse("switch_language"), {"language": "fr", "next": reverse("login")})
    assert response["Location"] == reverse("login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert client.get(reverse("login"))["Content-Language"] == "fr"


def test_a_users_language_is_applied_at_sign_in_whatever_the_browser(client):
    user = UserFactory(username="dana")
    UserPreferences.objects.create(user=user, language="fr")
    response = sign_in(client, "dana", accept_language="en")
    assert response["Content-Language"] == "fr"
    assert "Accueil" in response.text


def test_a_user_without_a_choice_gets_the_browsers_language(client):
    UserFactory(username="dana")
    response = sign_in(client, "dana", accept_language="fr")
    assert response["Content-Language"] == "fr"


def test_switching_language_in_the_user_menu_is_stored_on_the_user(client):
    user = UserFactory(username="dana")
    sign_in(client, "dana", accept_language="fr")
    choice = {"language": "en", "next": reverse("accounts:list")}
    response = client.post(reverse("switch_language"), choice, follow=True)
    assert response["Content-Language"] == "en"
    assert UserPreferences.objects.get(user=user).language == "en"
    # Another browser, signing in later, gets it too.
    other_browser = client.__class__()
    assert sign_in(other_browser, "dana", accept_language="fr")["Content-Language"] == "en"


def test_the_switch_is_a_post_with_csrf(client):
    strict = client.__class__(enforce_csrf_checks=True)
    assert strict.post(reverse("switch_language"), {"language": "fr"}).status_code == 403
    assert client.get(reverse("switch_language")).status_code == 405


def test_an_unknown_language_changes_nothing(owner_client, owner):
    response = owner_client.post(reverse("switch_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    assert not UserPreferences.objects.filter(user=owner).exists()


def test_the_user_menu_marks_the_current_language(owner_client):
    response = owner_client.get(reverse("home"), headers={"accept-language": "fr"})
    assert 'value="fr" lang="fr"' in response.text
    assert 'aria-pressed="true">Français</button>' in " ".join(response.text.split())
