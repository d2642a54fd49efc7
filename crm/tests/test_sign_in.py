from __future__ import annotations

import pytest
from django.urls import reverse

from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CRM_PAGES = ["home", "search", "accounts:list", "accounts:create", "contacts:list", "contacts:create"]


@pytest.mark.parametrize("url_name", CRM_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_visitors_cannot_open_a_record(client):
    from crm.tests.factories import AccountFactory

    account = AccountFactory()
    response = client.get(account.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_the_right_password_opens_the_home_page(client):
    UserFactory(username="dana")
    response = client.post(
        reverse("login"), {"username": "dana", "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "dana"


def test_a_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="dana")
    response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_user_name_out(client, settings):
    UserFactory(username="dana")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "dana", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_the_admin_sign_in_is_protected_too(client, settings):
    UserFactory(username="boss", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "boss", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "boss", "password": "correct horse battery staple"})
    assert response.status_code == 429


def test_sign_out_needs_a_post_and_ends_the_session(owner_client):
    assert owner_client.get(reverse("logout")).status_code == 405
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("home")).status_code == 302
