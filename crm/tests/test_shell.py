from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_shell_shows_the_sales_site_map_with_the_current_area_highlighted(owner_client):
    html = owner_client.get(reverse("accounts:list")).content.decode()
    assert 'aria-label="Site map"' in html
    assert '<a class="crm-sitemap-link active" href="/accounts/" aria-current="page">' in html
    assert 'href="/contacts/"' in html
    assert "Recent" in html and "Pinned" in html
    assert "Skip to main content" in html
    assert 'role="search"' in html


def test_the_home_page_counts_my_records(owner_client, owner, teammate):
    from crm.tests.factories import AccountFactory

    AccountFactory.create_batch(2, owner=owner)
    AccountFactory(owner=teammate)
    response = owner_client.get(reverse("home"))
    counts = {(stat["record_type"].namespace, stat["view"]): stat["count"] for stat in response.context["stats"]}
    assert counts["accounts", "my_active"] == (2, False)
    assert counts["accounts", "active"] == (3, False)


def test_the_home_page_counts_stop_at_the_cap(owner_client, owner, monkeypatch):
    from crm import lists
    from crm.tests.factories import AccountFactory

    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    AccountFactory.create_batch(3, owner=owner)
    html = owner_client.get(reverse("home")).content.decode()
    assert '<div class="crm-stat-value">2+</div>' in html


def test_security_headers_are_sent(owner_client):
    response = owner_client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_use_no_inline_script_or_style(owner_client):
    html = owner_client.get(reverse("accounts:create")).content.decode()
    assert "<script>" not in html and " style=" not in html


def test_an_unknown_page_shows_our_404_without_details(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_server_error_shows_a_plain_page_without_traceback(client, owner, monkeypatch):
    from crm import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "render", broken)
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_a_post_without_csrf_token_is_refused_with_an_explanation(owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_the_admin_says_harbor_crm_and_links_back_to_the_app(client, owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Harbor CRM administration" in html and "Django administration" not in html
    assert f'<a class="crm-admin-back" href="{reverse("home")}">Back to Harbor CRM</a>' in html
    for model in ("account", "contact"):
        form = client.get(reverse(f"admin:{model}s_{model}_add")).content.decode()
        assert "---------" not in form and '<option value="" selected>Select...</option>' in form


def test_make_run_documents_another_port_and_prints_the_sign_in_without_migration_noise():
    root = Path(settings.BASE_DIR)
    readme = (root / "README.md").read_text()
    assert "PORT=8001 make run" in readme and "prints the sign-in" in readme
    run = (root / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]
    assert "manage.py migrate --noinput --verbosity 0 --skip-checks" in run
